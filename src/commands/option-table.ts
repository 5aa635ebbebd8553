/**
 * Command-line options are declared once, in a table per command (`commands/<name>-options.ts`):
 * commander's options are built from the table, and the TypeScript type of the parsed options is
 * derived from it (`OptionValues`). The key of an entry is the name the code uses; `flags` is
 * what the user types. No TensorFlow.js here: the CLI builds its help from these tables.
 */
import { InvalidArgumentError, Option, type Command } from '@commander-js/extra-typings';
import { BACKEND_CHOICES } from '../choices.js';
import { integerIn } from './option-parsers.js';

export interface OptionSpec {
  /** Commander flags: `--epochs <n>` (a value), `--json` (a switch) or `--no-augment` (on by default). */
  readonly flags: string;
  readonly description: string;
  /** Turns the text into the value; throws commander's InvalidArgumentError (commands/option-parsers.ts). */
  readonly parse?: (value: string, previous: never) => unknown;
  readonly choices?: readonly string[];
  readonly default?: unknown;
  /** Environment variable read when the option is not given. */
  readonly env?: string;
  readonly required?: boolean;
  /** A second flag that sets the value to false (`--no-batch-norm` beside `--batch-norm`): unset means undefined. */
  readonly negation?: { readonly flags: string; readonly description: string };
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** Declares a table with its literal types kept, so OptionValues can derive from it. */
export function defineOptions<const T extends OptionTable>(table: T): T {
  return table;
}

type ValueOf<S extends OptionSpec> = S extends { parse: (...args: never[]) => infer R }
  ? R
  : S extends { choices: readonly (infer C)[] }
    ? C
    : S extends { flags: `${string}<${string}>` | `${string}[${string}]` }
      ? string
      : boolean;

/** Options that always have a value: a default, a required one, or a `--no-x` switch. */
type AlwaysSet<S extends OptionSpec> = S extends { default: unknown } | { required: true } | { flags: `--no-${string}` }
  ? true
  : false;

type Simplify<T> = { [K in keyof T]: T[K] };

/** The parsed options of a table: `{ epochs?: number; seed: number; json: boolean; … }`. */
export type OptionValues<T extends OptionTable> = Simplify<
  { -readonly [K in keyof T as AlwaysSet<T[K]> extends true ? K : never]: ValueOf<T[K]> } & {
    -readonly [K in keyof T as AlwaysSet<T[K]> extends true ? never : K]?: ValueOf<T[K]>;
  }
>;

/** The entries of a table that have a default, with it: the options a caller may leave out. */
export type OptionDefaults<T extends OptionTable> = Simplify<{
  -readonly [K in keyof T as T[K] extends { default: unknown }
    ? K
    : T[K] extends { flags: `--no-${string}` }
      ? K
      : never]: ValueOf<T[K]>;
}>;

/** The default values of a table (`--no-x` switches default to true), for commands that call others. */
export function defaultsOf<T extends OptionTable>(table: T): OptionDefaults<T> {
  const defaults: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    if ('default' in spec) defaults[key] = spec.default;
    else if (spec.flags.startsWith('--no-')) defaults[key] = true;
  }
  return defaults as OptionDefaults<T>;
}

/** `--lr <x>` → `--lr`; `--no-augment` → `--augment`: how messages name an option. */
export function flagOf(spec: OptionSpec): string {
  return spec.flags.split(/[ ,]/)[0].replace(/^--no-/, '--');
}

/** Adds the table's options to a commander command, in table order. */
export function addOptionTable(
  command: Command<unknown[], Record<string, unknown>, Record<string, unknown>>,
  table: OptionTable,
): void {
  for (const spec of Object.values(table)) {
    const option = new Option(spec.flags, spec.description);
    if (spec.parse) option.argParser(spec.parse as (value: string, previous: unknown) => unknown);
    if (spec.choices) option.choices(spec.choices);
    if (takesValue(spec)) refuseOptionLikeValues(option);
    if ('default' in spec) option.default(spec.default);
    if (spec.env) option.env(spec.env);
    if (spec.required) option.makeOptionMandatory();
    command.addOption(option as Option);
    if (spec.negation) command.addOption(new Option(spec.negation.flags, spec.negation.description) as Option);
  }
}

function takesValue(spec: OptionSpec): boolean {
  return /[<[]/.test(spec.flags);
}

/**
 * Commander takes the word after `--out` as its value even when it is the next option
 * (`render --grid --quiet` would write a file named `--quiet`). Checked here, before the option's
 * own parser, so every value option of every command refuses it the same way. Numbers stay
 * allowed (`--mean -0.5,0,0`, `--scale -1-1`); a path that starts with `-` can be written `./-name`.
 */
function refuseOptionLikeValues(option: Option): void {
  const parse = option.parseArg;
  option.argParser((value: string, previous: unknown) => {
    if (looksLikeOption(value)) throw new InvalidArgumentError(OPTION_LIKE_VALUE);
    return parse ? parse(value, previous) : value;
  });
}

const OPTION_LIKE_VALUE =
  "Expected a value, not an option: a value may start with '-' only if it is a number (write a path as ./-name).";

/** `-`, `--quiet`, `-v`: not `-1`, `-0.5` or `-.5,0,0`. */
function looksLikeOption(value: string): boolean {
  return value.startsWith('-') && !/^-\.?\d/.test(value);
}

/** Commander's parsed values keyed by the table's names, and the names given on the command line. */
export function readOptionTable<T extends OptionTable>(
  command: Command<unknown[], Record<string, unknown>, Record<string, unknown>>,
  table: T,
): { options: OptionValues<T>; explicit: ReadonlySet<keyof T & string> } {
  const parsed = command.opts() as Record<string, unknown>;
  const options: Record<string, unknown> = {};
  const explicit = new Set<keyof T & string>();
  for (const [key, spec] of Object.entries(table)) {
    const name = attributeName(spec);
    if (parsed[name] !== undefined) options[key] = parsed[name];
    if (command.getOptionValueSource(name) === 'cli') explicit.add(key);
  }
  return { options: options as OptionValues<T>, explicit };
}

/** Commander's property name of an option: `--lr-schedule <name>` → `lrSchedule`, `--no-augment` → `augment`. */
function attributeName(spec: OptionSpec): string {
  return new Option(spec.flags).attributeName();
}

/** Options every subcommand accepts (before or after the subcommand name). */
export const GLOBAL_OPTIONS = defineOptions({
  backend: {
    flags: '--backend <name>',
    description: 'TensorFlow.js backend',
    choices: BACKEND_CHOICES,
    env: 'GRADCAM_BACKEND',
    default: 'auto',
  },
  threads: {
    flags: '--threads <n>',
    description: 'threads for the wasm backend (default: one per CPU core)',
    parse: integerIn(1, 64),
    env: 'GRADCAM_THREADS',
  },
  verbose: { flags: '--verbose', description: 'print stack traces with errors', default: false },
});

export type GlobalOptions = OptionValues<typeof GLOBAL_OPTIONS>;

/** What a run needs of the global options (tests pass these two). */
export type BackendOptions = Pick<GlobalOptions, 'backend' | 'threads'>;
