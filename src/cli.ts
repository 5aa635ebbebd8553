/**
 * Builds the command-line program. The only place that prints errors and sets the exit code:
 * commands throw (see errors.ts) or return an exit code for partial failures.
 *
 * Command modules are imported lazily inside each action, so `--help` and `--version` never
 * load TensorFlow.js.
 */
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { readFileSync } from 'node:fs';
import { InputError, InterruptedError, UsageError, messageOf } from './errors.js';
import { BACKEND_CHOICES } from './models/backend-choice.js';
import { integerIn, numberIn } from './options.js';

/** Options every subcommand accepts (before or after the subcommand name). */
export interface GlobalOptions {
  backend: (typeof BACKEND_CHOICES)[number];
  verbose: boolean;
}

const DATASETS = ['cifar10', 'mnist', 'fashion-mnist'] as const;

/** The exit code a finished command asked for (non-zero after a partial failure). */
let commandExitCode = 0;
function settle(exitCode: number | void): void {
  commandExitCode = exitCode ?? 0;
}

function packageVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('gradcam')
    .description('Train a VGG-11-style CNN, then explain its predictions with Grad-CAM.')
    .version(packageVersion())
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend')
        .choices(BACKEND_CHOICES)
        .env('GRADCAM_BACKEND')
        .default('auto' as const),
    )
    .option('--verbose', 'print stack traces with errors', false)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`gradcam: ${text}`) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('train')
    .description('train a VGG-11-style network and write a model directory')
    .addOption(new Option('--dataset <name>', 'dataset to train on').choices(DATASETS).makeOptionMandatory())
    .option('--data <path>', 'dataset files: a directory, or the official archive (default for mnist: the embedded copy)')
    .option('--download', 'fetch the official archive into the cache directory first', false)
    .option('--cache-dir <dir>', 'download cache (default: $GRADCAM_CACHE or ~/.cache/gradcam)')
    .option('--out <dir>', 'model directory to write (default: ./model-<dataset>)')
    .option('--force', 'replace an existing model directory at --out', false)
    .option('--epochs <n>', 'passes over the training set', integerIn(1, 10_000))
    .option('--batch-size <n>', 'images per training step', integerIn(1, 4096))
    .option('--lr <x>', 'learning rate', numberIn(0, 10, true))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['sgd', 'adam'] as const))
    .option('--width <x>', 'channel multiplier of the VGG-11 layer widths', numberIn(0, 4, true))
    .option('--batch-norm', 'batch normalization after every convolution', false)
    .option('--no-augment', 'no random crop / flip (CIFAR-10 only; digits are never augmented)')
    .option('--limit <n>', 'train on the first N training images', integerIn(1, 10_000_000))
    .option('--test-limit <n>', 'evaluate on the first N test images', integerIn(1, 10_000_000))
    .option('--seed <n>', 'seed for initialization, data order, augmentation and dropout', integerIn(0, 2 ** 31 - 1), 0)
    .option('--json', 'print a summary object on stdout at the end', false)
    .option('--quiet', 'print nothing but errors', false)
    .action(async (options, command) => {
      const { trainCommand } = await import('./commands/train.js');
      settle(await trainCommand(options, command.optsWithGlobals() as GlobalOptions));
    });

  return program as unknown as Command;
}

/** Runs the CLI and sets `process.exitCode`; never throws. */
export async function main(argv: string[]): Promise<void> {
  const verbose = argv.includes('--verbose');
  try {
    const program = buildProgram();
    await program.parseAsync(argv);
    process.exitCode = commandExitCode;
  } catch (error) {
    process.exitCode = exitCodeFor(error);
    if (!(error instanceof CommanderError)) reportError(error, verbose);
  }
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
  const firstLine = messageOf(error).split('\n')[0];
  const hint = known || verbose ? '' : ' (unexpected; run with --verbose for details)';
  process.stderr.write(`gradcam: error: ${firstLine}${hint}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}
