/**
 * Builds the command-line program. The only place that prints errors and sets the exit code:
 * commands throw (see errors.ts) or return an exit code for partial failures.
 *
 * Command modules are imported lazily inside each action, so `--help` and `--version` never
 * load TensorFlow.js.
 */
import { Command, CommanderError } from '@commander-js/extra-typings';
import { InputError, InterruptedError, UsageError, escapeControlCharacters, fsReasonOf, messageOf } from './errors.js';
import { CAM_OPTIONS } from './commands/cam-options.js';
import { DEMO_OPTIONS } from './commands/demo-options.js';
import { EVAL_OPTIONS } from './commands/eval-options.js';
import { INSPECT_OPTIONS } from './commands/inspect-options.js';
import { MERGE_MANIFESTS_OPTIONS } from './commands/merge-manifests-options.js';
import { RENDER_OPTIONS } from './commands/render-options.js';
import { TRAIN_OPTIONS } from './commands/train-options.js';
import {
  addOptionTable,
  GLOBAL_OPTIONS,
  type GlobalOptions,
  type OptionTable,
  readOptionTable,
} from './commands/option-table.js';
import { toolVersion } from './version.js';

/** The exit code a finished command asked for (non-zero after a partial failure). */
let commandExitCode = 0;
function recordExitCode(exitCode: number | undefined): void {
  commandExitCode = exitCode ?? 0;
}

type AnyCommand = Command<unknown[], Record<string, unknown>, Record<string, unknown>>;

/** One subcommand: its help line, its option table and how to run it (importing its module lazily). */
interface Subcommand {
  name: string;
  description: string;
  options: OptionTable;
  /** A positional argument: its syntax and description. */
  argument?: [string, string];
  run(command: AnyCommand, globals: () => GlobalOptions): Promise<number | undefined>;
}

/** The subcommands, in the order `--help` lists them. */
const SUBCOMMANDS: Subcommand[] = [
  {
    name: 'train',
    description: 'train a VGG-11-style network and write a model directory',
    options: TRAIN_OPTIONS,
    async run(command, globals) {
      const { trainCommand } = await import('./commands/train.js');
      const { options, explicit } = readOptionTable(command, TRAIN_OPTIONS);
      return trainCommand(options, globals(), explicit);
    },
  },
  {
    name: 'cam',
    description:
      'explain images with Grad-CAM or another CAM method: write heatmap tensors (.npy) and a manifest (cam.json)',
    options: CAM_OPTIONS,
    async run(command, globals) {
      return (await import('./commands/cam.js')).camCommand(readOptionTable(command, CAM_OPTIONS).options, globals());
    },
  },
  {
    name: 'inspect',
    description:
      "list a model's layers (graph models: nodes) with output shapes, which can be explained, and the default one",
    options: INSPECT_OPTIONS,
    async run(command, globals) {
      const { inspectCommand } = await import('./commands/inspect.js');
      return inspectCommand(readOptionTable(command, INSPECT_OPTIONS).options, globals());
    },
  },
  {
    name: 'render',
    description: 'draw cam output as PNGs: JET heatmaps, alpha blends over the images, and a contact sheet',
    options: RENDER_OPTIONS,
    async run(command) {
      return (await import('./commands/render.js')).renderCommand(readOptionTable(command, RENDER_OPTIONS).options);
    },
  },
  {
    name: 'merge-manifests',
    description: 'merge the cam.shard-K-of-N.json manifests of a sharded cam job into cam.json',
    options: MERGE_MANIFESTS_OPTIONS,
    argument: ['<dir>', "the directory holding every shard's output"],
    async run(command) {
      const { mergeManifestsCommand } = await import('./commands/merge-manifests.js');
      return mergeManifestsCommand(command.args[0], readOptionTable(command, MERGE_MANIFESTS_OPTIONS).options);
    },
  },
  {
    name: 'demo',
    description: 'train briefly on the embedded MNIST, explain a few test digits, render them (a few minutes)',
    options: DEMO_OPTIONS,
    async run(command, globals) {
      return (await import('./commands/demo.js')).demoCommand(
        readOptionTable(command, DEMO_OPTIONS).options,
        globals(),
      );
    },
  },
  {
    name: 'eval',
    description: 'measure how faithful the CAM methods are: deletion/insertion AUC, average drop, sanity check',
    options: EVAL_OPTIONS,
    async run(command, globals) {
      return (await import('./commands/eval.js')).evalCommand(
        readOptionTable(command, EVAL_OPTIONS).options,
        globals(),
      );
    },
  },
];

/** Declares a subcommand; its action records the exit code the command returns. */
function addSubcommand(program: AnyCommand, spec: Subcommand, globals: () => GlobalOptions): void {
  const command = program.command(spec.name).description(spec.description) as unknown as AnyCommand;
  addOptionTable(command, spec.options);
  if (spec.argument) command.argument(...spec.argument);
  command.action(async function (this: AnyCommand) {
    recordExitCode(await spec.run(this, globals));
  });
}

export function buildProgram(): Command {
  const program = new Command('gradcam')
    .description('Train a VGG-11-style CNN, then explain its predictions with Grad-CAM.')
    .version(toolVersion())
    .exitOverride()
    // Commander adds its suggestion on a second line ("(Did you mean --epochs?)"); errors are one line.
    .configureOutput({ outputError: (text, write) => write(`gradcam: ${oneLine(text)}\n`) }) as unknown as AnyCommand;
  addOptionTable(program, GLOBAL_OPTIONS);
  const globals = () => readOptionTable(program, GLOBAL_OPTIONS).options;
  for (const spec of SUBCOMMANDS) addSubcommand(program, spec, globals);
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
    if (error.code !== 'EPIPE')
      process.stderr.write(`gradcam: error: cannot write to standard output (${fsReasonOf(error)})\n`);
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
  if (error instanceof UsageError) return 2;
  if (error instanceof InterruptedError) return error.exitCode;
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
