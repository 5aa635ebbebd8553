/**
 * docs/options.md is generated from the option tables (`npm run docs`); these tests keep the
 * committed copy equal to what the tables say, and check the rendering against the tables by an
 * independent route (parsing the Markdown back).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { DATASET_NAMES } from '../src/choices.js';
import { buildProgram } from '../src/cli.js';
import { addOptionTable, defineOptions, flagOf } from '../src/commands/option-table.js';
import { renderOptionsReference } from '../src/commands/options-reference.js';
import { TRAIN_OPTIONS, trainingDefaultsFor } from '../src/commands/train-options.js';

type AnyCommand = Parameters<typeof renderOptionsReference>[0];

const OPTIONS_DOC = join(import.meta.dirname, '..', 'docs', 'options.md');
const rendered = renderOptionsReference(buildProgram() as unknown as AnyCommand);

/** The rows of the Markdown table that follows `heading`, as arrays of cells (header row first). */
function tableAfter(markdown: string, heading: string): string[][] {
  const section = markdown.slice(markdown.indexOf(`\n${heading}\n`) + heading.length + 2);
  const lines = section.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
  return lines
    .slice(start, end === -1 ? undefined : end)
    .filter((line) => !line.startsWith('| ---'))
    .map((line) =>
      line
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((cell) => cell.trim()),
    );
}

describe('docs/options.md', () => {
  it('is what `npm run docs` writes from the option tables', () => {
    const committed = readFileSync(OPTIONS_DOC, 'utf8');
    expect(committed, 'docs/options.md differs from the option tables: run `npm run docs` and commit it').toBe(
      rendered,
    );
  });

  it("lists every option of every command's --help, in the same order", () => {
    for (const command of buildProgram().commands) {
      const helpFlags = command.options.map((option) => `\`${option.flags}\``);
      const rows = tableAfter(rendered, `## \`gradcam ${command.name()}\``).slice(1);
      expect(rows.map((row) => row[0])).toEqual(helpFlags);
    }
  });

  it("states train's defaults per dataset as train-options.ts resolves them", () => {
    const [header, ...rows] = tableAfter(rendered, '## Training defaults per dataset');
    expect(rows.map((row) => row[0]!.split(' ')[0])).toEqual(DATASET_NAMES.map((name) => `\`${name}\``));
    const keyOfFlag = new Map(Object.entries(TRAIN_OPTIONS).map(([key, spec]) => [`\`${flagOf(spec)}\``, key]));
    for (const [index, dataset] of DATASET_NAMES.entries()) {
      const defaults = trainingDefaultsFor(dataset) as Record<string, unknown>;
      const shown = Object.fromEntries(
        header!.slice(1).map((flag, column) => [keyOfFlag.get(flag), rows[index]![column + 1]]),
      );
      const expected = Object.fromEntries(
        Object.entries(defaults).map(([key, value]) => [
          key,
          typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value),
        ]),
      );
      expect(shown).toEqual(expected);
    }
    // The figure the README once had wrong (8): CIFAR-10's recipe is 11 epochs.
    expect(rows[0]!.slice(0, 2)).toEqual(['`cifar10`', String(trainingDefaultsFor('cifar10').epochs)]);
  });

  it('renders a hand-made table: defaults, choices, env, required, negations and escaping', () => {
    const program = new Command('gradcam') as unknown as AnyCommand;
    const command = program.command('try').description('try things') as unknown as AnyCommand;
    addOptionTable(
      command,
      defineOptions({
        model: { flags: '--model <dir>', description: 'the model', required: true },
        mode: { flags: '--mode <m>', description: 'a | b', choices: ['a', 'b'], default: 'a', env: 'TRY_MODE' },
        out: { flags: '--out <dir>', description: 'writes <id>.png, not `<id>.npy` (default: beside the map)' },
        gallery: { flags: '--no-gallery', description: 'no page' },
        json: { flags: '--json', description: 'JSON', default: false },
      }),
    );
    expect(tableAfter(renderOptionsReference(program), '## `gradcam try`')).toEqual([
      ['option', 'meaning', 'default', 'choices'],
      ['`--model <dir>`', 'the model', 'required', ''],
      ['`--mode <m>`', 'a \\| b', '`a`, or `$TRY_MODE`', '`a`, `b`'],
      ['`--out <dir>`', 'writes &lt;id>.png, not `<id>.npy`', 'beside the map', ''],
      ['`--no-gallery`', 'no page', 'on', ''],
      ['`--json`', 'JSON', 'off', ''],
    ]);
  });
});
