/**
 * docs/options.md is generated from the option tables (`npm run docs`); these tests keep the
 * committed copy equal to what the tables say, and check the rendering against the tables by an
 * independent route (parsing the Markdown back).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { DATASET_NAMES } from '../src/choices.js';
import { buildProgram } from '../src/cli.js';
import { addOptionTable, defineOptions, flagOf } from '../src/commands/option-table.js';
import { renderOptionsReference } from '../src/commands/options-reference.js';
import { TRAIN_OPTIONS, trainingDefaultsFor } from '../src/commands/train-options.js';

type AnyCommand = Parameters<typeof renderOptionsReference>[0];

const ROOT = join(import.meta.dirname, '..');
const OPTIONS_DOC = join(ROOT, 'docs', 'options.md');
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

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const [, heading] of withoutCode.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let anchor = slug;
    for (let repeat = 1; anchors.has(anchor); repeat++) anchor = `${slug}-${repeat}`;
    anchors.add(anchor);
  }
  return anchors;
}

describe('the README and docs/', () => {
  const pages = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(ROOT, page), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const file = path === '' ? page : normalize(join(dirname(page), path));
        if (!existsSync(join(ROOT, file))) broken.push(`${page}: ${target} (no file ${file})`);
        else if (anchor !== undefined && !anchorsOf(readFileSync(join(ROOT, file), 'utf8')).has(anchor)) {
          broken.push(`${page}: ${target} (no heading #${anchor} in ${file})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('computes anchors as GitHub does', () => {
    const anchors = anchorsOf(
      '# Datasets\n## Your own images: `--dataset folder`\n## Scaling out `cam`\n## Notes\n## Notes\n',
    );
    expect([...anchors]).toEqual([
      'datasets',
      'your-own-images---dataset-folder',
      'scaling-out-cam',
      'notes',
      'notes-1',
    ]);
  });

  it('keep the README short enough to read in ten minutes', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(300);
  });
});
