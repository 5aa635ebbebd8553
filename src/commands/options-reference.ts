/**
 * docs/options.md, rendered from the commander program that cli.ts builds out of the option tables,
 * so the reference says exactly what `--help` says and cannot go stale: `npm run docs` writes it,
 * test/docs.test.ts fails when the committed file differs. Pure: text in, text out.
 */
import type { Command, Option } from '@commander-js/extra-typings';
import { DATASET_NAMES } from '../choices.js';
import { flagOf } from './option-table.js';
import { TRAIN_OPTIONS, TRAINING_DEFAULTS, trainingDefaultsFor } from './train-options.js';

type AnyCommand = Command<unknown[], Record<string, unknown>, Record<string, unknown>>;

const DEFAULTS_HEADING = 'Training defaults per dataset';
const DEFAULTS_ANCHOR = '#training-defaults-per-dataset';

/** The whole of docs/options.md for `program` (the result of cli.ts's buildProgram). */
export function renderOptionsReference(program: AnyCommand): string {
  const sections = [
    '<!-- Written by `npm run docs` from the option tables in src/commands/; edit those, not this file. -->',
    '# Options',
    'Every option of every command, as `gradcam <command> --help` lists them. Each command also takes ' +
      '`--help`; errors name the option at fault and exit with 2 (see [the exit codes](../README.md#exit-codes)).',
    '## Global options',
    'Accepted before or after the command name, e.g. `gradcam --backend cpu cam …`.',
    optionTable(program.options as readonly Option[], false),
    ...(program.commands as AnyCommand[]).flatMap(commandSection),
    `## ${DEFAULTS_HEADING}`,
    'What `gradcam train` uses for an option not given, by `--dataset`. A dataset without its own ' +
      "recipe gets cifar10's.",
    trainingDefaultsTable(),
  ];
  return `${sections.join('\n\n')}\n`;
}

function commandSection(command: AnyCommand): string[] {
  const name = command.name();
  const perDataset = name === 'train';
  return [
    `## \`gradcam ${name}\``,
    `${capitalized(command.description())}.\n\nUsage: \`gradcam ${name} ${command.usage()}\``,
    optionTable(command.options as readonly Option[], perDataset),
  ];
}

function optionTable(options: readonly Option[], perDataset: boolean): string {
  const rows = options.map((option) => {
    const { meaning, stated } = splitDefault(option.description);
    return [
      `\`${option.flags}\``,
      escapeCell(meaning),
      defaultCell(option, stated, perDataset),
      option.argChoices ? option.argChoices.map((choice) => `\`${choice}\``).join(', ') : '',
    ];
  });
  return markdownTable(['option', 'meaning', 'default', 'choices'], rows);
}

/**
 * Descriptions state a default commander cannot show ("(default: one per CPU core)") at their
 * end; the table moves it to the default column.
 */
function splitDefault(description: string): { meaning: string; stated?: string } {
  const match = /^(.*?)\s*\(default:? ([^()]*)\)$/.exec(description);
  return match ? { meaning: match[1]!, stated: match[2]! } : { meaning: description };
}

const TRAIN_FLAGS_PER_DATASET = new Set(
  Object.keys(TRAINING_DEFAULTS.cifar10).map((key) => flagOf(TRAIN_OPTIONS[key as keyof typeof TRAIN_OPTIONS])),
);

function defaultCell(option: Option, stated: string | undefined, perDataset: boolean): string {
  const parts: string[] = [];
  if (option.mandatory) parts.push('required');
  else if (perDataset && TRAIN_FLAGS_PER_DATASET.has(option.long!.replace(/^--no-/, '--'))) {
    parts.push(`per dataset ([table](${DEFAULTS_ANCHOR}))`);
  } else if (option.defaultValue !== undefined) parts.push(valueText(option.defaultValue));
  else if (option.negate) parts.push('on');
  else if (stated !== undefined) parts.push(escapeCell(stated));
  if (option.envVar) parts.push(`\`$${option.envVar}\``);
  return parts.join(', or ');
}

function valueText(value: unknown): string {
  if (value === false) return 'off';
  if (value === true) return 'on';
  return `\`${String(value)}\``;
}

function trainingDefaultsTable(): string {
  const keys = (Object.keys(TRAIN_OPTIONS) as (keyof typeof TRAIN_OPTIONS)[]).filter(
    (key) => key in TRAINING_DEFAULTS.cifar10,
  );
  const rows = DATASET_NAMES.map((dataset) => {
    const defaults = trainingDefaultsFor(dataset) as Record<string, unknown>;
    const label = dataset in TRAINING_DEFAULTS ? `\`${dataset}\`` : `\`${dataset}\` (cifar10's)`;
    return [label, ...keys.map((key) => cellValue(defaults[key]))];
  });
  return markdownTable(['dataset', ...keys.map((key) => `\`${flagOf(TRAIN_OPTIONS[key])}\``)], rows);
}

function cellValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * A table cell outside code spans: `|` would end the cell, and `<class>` would be read as an HTML
 * tag and vanish.
 */
function escapeCell(text: string): string {
  return text
    .split('`')
    .map((part, index) => (index % 2 === 1 ? part : part.replaceAll('<', '&lt;')))
    .join('`')
    .replaceAll('|', '\\|');
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
