/**
 * Builds the command-line program. The only place that prints errors and sets the exit code:
 * commands throw (see errors.ts) or return an exit code for partial failures.
 *
 * Command modules are imported lazily inside each action, so `--help` and `--version` never
 * load TensorFlow.js.
 */
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { InputError, InterruptedError, UsageError, escapeControlCharacters, fsReasonOf, messageOf } from './errors.js';
import { CAM_METHOD_NAMES } from './cam/methods/names.js';
import { BACKEND_CHOICES } from './choices.js';
import { LR_SCHEDULES } from './models/schedule-names.js';
import { PIXEL_RANGES } from './data/pixel-ranges.js';
import { collect, imageSize, integerIn, integerListIn, numberIn, shardSpec } from './options.js';
import { COLORMAP_NAMES } from './render/colormaps.js';
import { toolVersion } from './version.js';

/** Options every subcommand accepts (before or after the subcommand name). */
export interface GlobalOptions {
  backend: (typeof BACKEND_CHOICES)[number];
  /** wasm backend threads; undefined = one per CPU core. */
  threads?: number;
  verbose: boolean;
}

const DATASETS = ['cifar10', 'mnist', 'fashion-mnist'] as const;

/** The exit code a finished command asked for (non-zero after a partial failure). */
let commandExitCode = 0;
function settle(exitCode: number | void): void {
  commandExitCode = exitCode ?? 0;
}

export function buildProgram(): Command {
  const program = new Command('gradcam')
    .description('Train a VGG-11-style CNN, then explain its predictions with Grad-CAM.')
    .version(toolVersion())
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend')
        .choices(BACKEND_CHOICES)
        .env('GRADCAM_BACKEND')
        .default('auto' as const),
    )
    .addOption(
      new Option('--threads <n>', 'threads for the wasm backend (default: one per CPU core)')
        .argParser(integerIn(1, 64))
        .env('GRADCAM_THREADS'),
    )
    .option('--verbose', 'print stack traces with errors', false)
    .exitOverride()
    // Commander adds its suggestion on a second line ("(Did you mean --epochs?)"); errors are one line.
    .configureOutput({ outputError: (text, write) => write(`gradcam: ${oneLine(text)}\n`) });

  program
    .command('train')
    .description('train a VGG-11-style network and write a model directory')
    .addOption(new Option('--dataset <name>', 'dataset to train on (required unless --resume)').choices(DATASETS))
    .option('--data <path>', 'dataset files: a directory, or the official archive (default for mnist: the embedded copy)')
    .option('--download', 'fetch the official archive into the cache directory first', false)
    .option('--cache-dir <dir>', 'download cache (default: $GRADCAM_CACHE or ~/.cache/gradcam)')
    .option('--out <dir>', 'model directory to write (default: ./model-<dataset>)')
    .option('--force', 'replace an existing model directory at --out', false)
    .option('--epochs <n>', 'passes over the training set', integerIn(1, 10_000))
    .option('--batch-size <n>', 'images per training step', integerIn(1, 4096))
    .option('--lr <x>', 'learning rate', numberIn(0, 10, true))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['sgd', 'adam'] as const))
    .addOption(new Option('--lr-schedule <name>', 'learning rate over the run: cosine decay to 0, or constant').choices(LR_SCHEDULES).default('cosine' as const))
    .option('--width <x>', 'channel multiplier of the VGG-11 layer widths', numberIn(0, 4, true))
    .option('--batch-norm', 'batch normalization after every convolution (the default)')
    .option('--no-batch-norm', 'plain VGG-11: convolution with a fused ReLU, no batch normalization')
    .option('--no-augment', 'no random crop / flip (CIFAR-10 only; digits are never augmented)')
    .option('--limit <n>', 'train on the first N training images', integerIn(1, 10_000_000))
    .option('--test-limit <n>', 'evaluate on the first N test images', integerIn(1, 10_000_000))
    .option('--seed <n>', 'seed for initialization, data order, augmentation and dropout', integerIn(0, 2 ** 31 - 1), 0)
    .option('--checkpoint-every <n>', 'also checkpoint every N steps (always at the end of each epoch)', integerIn(1, 10_000_000))
    .option('--resume <dir>', 'continue an interrupted run from the last checkpoint in its --out directory')
    .option('--json', 'print a summary object on stdout at the end', false)
    .option('--quiet', 'print nothing but errors', false)
    .action(async (options, command) => {
      const { trainCommand } = await import('./commands/train.js');
      const explicit = new Set(Object.keys(options).filter((name) => command.getOptionValueSource(name) === 'cli'));
      settle(await trainCommand(options, command.optsWithGlobals() as GlobalOptions, explicit));
    });

  program
    .command('cam')
    .description('explain images with Grad-CAM or another CAM method: write heatmap tensors (.npy) and a manifest (cam.json)')
    .requiredOption('--model <dir>', 'model directory written by `gradcam train` (or any TensorFlow.js layers model)')
    .option('--image <file>', 'a PNG or JPEG image to explain (repeatable)', collect)
    .option('--images <dir>', 'explain every PNG/JPEG in a directory (repeatable)', collect)
    .addOption(new Option('--dataset <name>', 'explain test images of a dataset').choices(DATASETS))
    .option('--data <path>', 'dataset files (default for mnist: the embedded copy)')
    .option('--index <list>', 'test image indices, e.g. 0,7,42', integerListIn(0, 10_000_000))
    .option('--count <n>', 'the first N test images', integerIn(1, 10_000_000))
    .option('--out <dir>', 'output directory', 'cam')
    .option('--layer <name>', 'layer to explain (default: gradcam.json targetLayer, else the last conv layer)')
    .option('--class <class>', "target class: 'top' (predicted), an index, or a class name", 'top')
    .option('--top-k <k>', 'one map for each of the K highest-scoring classes', integerIn(1, 1000))
    .option('--counterfactual', 'explain what argues against the class (negated gradients)', false)
    .addOption(new Option('--method <name>', 'CAM method').choices(CAM_METHOD_NAMES).default('gradcam' as const))
    .option('--guided', 'also write Guided Grad-CAM, guided backprop × upsampled map (<id>.guided.npy, input size)', false)
    .option('--smooth <n>', 'SmoothGrad: average the maps over N noisy copies of each image', integerIn(1, 10_000))
    .option('--noise <x>', "SmoothGrad noise σ as a fraction of each image's value range (default 0.15)", numberIn(0, 10))
    .option('--seed <n>', 'seed of the SmoothGrad noise (default 0)', integerIn(0, 2 ** 31 - 1))
    .option('--max-channels <n>', 'scorecam: only the N channels with the highest mean activation', integerIn(1, 1_000_000))
    .addOption(
      new Option('--scale <range>', 'pixel scaling for models without gradcam.json (default 0-1)').choices(PIXEL_RANGES),
    )
    .option('--batch-size <n>', "images per batch (and per forward pass of scorecam's masked inputs)", integerIn(1, 1024), 32)
    .option('--shard <K/N>', 'explain only the K-th of N equal blocks of the inputs; writes cam.shard-K-of-N.json', shardSpec)
    .option('--json', 'print the manifest on stdout', false)
    .option('--quiet', 'print nothing but errors', false)
    .action(async (options, command) => {
      const { camCommand } = await import('./commands/cam.js');
      settle(await camCommand(options, command.optsWithGlobals() as GlobalOptions));
    });

  program
    .command('render')
    .description('draw cam output as PNGs: JET heatmaps, alpha blends over the images, and a contact sheet')
    .option('--cam <dir>', 'output directory of `gradcam cam` (reads its cam.json)')
    .option('--heatmap <file>', 'a single map (.npy, float32/float64 [h, w]) ...')
    .option('--image <file>', '... and the image it explains (PNG/JPEG)')
    .option('--out <dir>', 'where to write the PNGs (default: the --cam directory, or the heatmap\'s)')
    .option('--alpha <a>', 'heatmap weight in the blend, 0–1', numberIn(0, 1), 0.4)
    .addOption(new Option('--colormap <name>', 'colormap').choices(COLORMAP_NAMES).default('jet' as const))
    .option('--size <size>', "output size: 'original' (the image's) or WxH, e.g. 224x224", imageSize, 'original' as const)
    .option('--scale <n>', 'enlarge the outputs N times', integerIn(1, 64), 1)
    .option('--grid <file>', 'also write one contact sheet PNG: a row per entry (original, heatmap, blend)')
    .option('--json', 'print what was written as JSON on stdout', false)
    .option('--quiet', 'print nothing but errors', false)
    .action(async (options) => {
      const { renderCommand } = await import('./commands/render.js');
      settle(await renderCommand(options));
    });

  program
    .command('merge-manifests')
    .description('merge the cam.shard-K-of-N.json manifests of a sharded cam job into cam.json')
    .argument('<dir>', 'the directory holding every shard\'s output')
    .option('--json', 'print the merged manifest on stdout', false)
    .option('--quiet', 'print nothing but errors', false)
    .action(async (directory, options) => {
      const { mergeManifestsCommand } = await import('./commands/merge-manifests.js');
      settle(await mergeManifestsCommand(directory, options));
    });

  program
    .command('demo')
    .description('train briefly on the embedded MNIST, explain a few test digits, render them (a few minutes)')
    .option('--out <dir>', 'directory for the model, maps and PNGs', 'gradcam-demo')
    // Half the training set: 3 minutes and 97.9% on two cores, against 6 minutes and 98.7% for all.
    .option('--limit <n>', 'training images (all 60000 for the best model)', integerIn(100, 60_000), 30_000)
    .option('--count <n>', 'test digits to explain', integerIn(1, 10_000), 16)
    .option('--quiet', 'print nothing but errors', false)
    .action(async (options, command) => {
      const { demoCommand } = await import('./commands/demo.js');
      settle(await demoCommand(options, command.optsWithGlobals() as GlobalOptions));
    });

  program
    .command('eval')
    .description('measure how faithful the CAM methods are: deletion/insertion AUC, average drop, sanity check')
    .requiredOption('--model <dir>', 'model directory written by `gradcam train`')
    .addOption(new Option('--dataset <name>', 'evaluate on the test images of this dataset').choices(DATASETS).makeOptionMandatory())
    .option('--data <path>', 'dataset files (default for mnist: the embedded copy)')
    .option('--count <n>', 'the first N test images', integerIn(1, 10_000_000), 100)
    .option('--methods <list>', `comma-separated, from: ${[...CAM_METHOD_NAMES, 'guided-backprop', 'guided-gradcam'].join(', ')} (default: all)`)
    .option('--steps <n>', 'perturbation steps per deletion/insertion curve (default: the image height, as in RISE)', integerIn(1, 1_000_000))
    .option('--layer <name>', 'layer to explain (default: gradcam.json targetLayer)')
    .option('--sanity-count <n>', 'images for the sanity check, the first of --count (default: all; 0 skips it)', integerIn(0, 10_000_000))
    .option('--report <file>', 'also write a self-contained HTML report (table, curves, example renders)')
    .option('--examples <n>', 'example images rendered in the report', integerIn(0, 1000), 8)
    .option('--max-channels <n>', 'scorecam: only the N channels with the highest mean activation', integerIn(1, 1_000_000))
    .option('--batch-size <n>', 'images perturbed and explained together', integerIn(1, 1024), 16)
    .option('--seed <n>', 'seed for the random maps, tie-breaks and re-initialized weights', integerIn(0, 2 ** 31 - 1), 0)
    .option('--json', 'print the full result as JSON on stdout instead of the table', false)
    .option('--quiet', 'print nothing but errors', false)
    .action(async (options, command) => {
      const { evalCommand } = await import('./commands/eval.js');
      settle(await evalCommand(options, command.optsWithGlobals() as GlobalOptions));
    });

  return program as unknown as Command;
}

/** Runs the CLI and sets `process.exitCode`; never throws. */
export async function main(argv: string[]): Promise<void> {
  const verbose = argv.includes('--verbose');
  watchOutputStreams();
  try {
    const program = buildProgram();
    await program.parseAsync(argv);
    process.exitCode = commandExitCode;
  } catch (error) {
    process.exitCode = exitCodeFor(error);
    if (!(error instanceof CommanderError)) reportError(error, verbose);
  }
}

/**
 * A reader that stops early (`gradcam cam --json | head -1`) closes the pipe, and Node reports
 * the next write as an 'error' event that, unhandled, crashes with a stack trace. The rest of the
 * output is simply unwanted: exit quietly with the code the run has so far. Any other failure to
 * write results is one error line (exit 1).
 */
function watchOutputStreams(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') process.stderr.write(`gradcam: error: cannot write to standard output (${fsReasonOf(error)})\n`);
    process.exit(error.code === 'EPIPE' ? undefined : 1);
  });
  // Nothing can be reported once stderr itself is gone.
  process.stderr.on('error', () => process.exit());
}

/** `error: unknown option '--epoch'\n(Did you mean --epochs?)\n` → `error: unknown option '--epoch' (did you mean --epochs?)`. */
function oneLine(text: string): string {
  return text
    .trim()
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^\(Did you mean/, '(did you mean'))
    .filter((line) => line !== '')
    .join(' ');
}

/** Exit codes: 0 ok, 1 failure, 2 usage error, 130/143 interrupted (see README). */
function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof UsageError || error instanceof InputError || error instanceof InterruptedError) {
    return error.exitCode;
  }
  return 1;
}

function reportError(error: unknown, verbose: boolean): void {
  const known = error instanceof UsageError || error instanceof InputError || error instanceof InterruptedError;
  // Our messages are one line by design (a newline in one comes from a file name: keep it, escaped);
  // a foreign error's first line is the useful part.
  const message = known ? messageOf(error) : messageOf(error).split('\n')[0];
  const hint = known || verbose ? '' : ' (unexpected; run with --verbose for details)';
  const kind = error instanceof InterruptedError ? 'interrupted' : 'error';
  process.stderr.write(`gradcam: ${kind}: ${escapeControlCharacters(message)}${hint}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}
