/**
 * The tree's layering, checked on the sources (docs/architecture.md explains it): each folder of
 * src/ may import only from folders below it in LAYERS, and no chain of imports between files comes
 * back to where it started. Errors are owned by the commands: below src/commands/ no file mentions
 * UsageError or names a command-line flag in a string. A change that breaks any of these fails
 * here, naming the files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Lowest first. A top-level file of src/ (errors.ts, tf.ts, …) is the `shared` layer. */
const LAYERS = [
  'shared',
  'io',
  'model-input',
  'datasets',
  'backend',
  'models',
  'surgery',
  'cam',
  'cam-output',
  'eval',
  'render',
  'report',
  'commands',
  'cli',
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(SRC, path)] : [];
  });
}

/** The src-relative files a source file imports (static, type-only and dynamic imports alike). */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)];
  return specifiers.map((match) => normalize(join(dirname(file), match[1]!)).replace(/\.js$/, '.ts'));
}

function layerOf(file: string): string {
  if (file === 'cli.ts') return 'cli';
  return file.includes('/') ? file.slice(0, file.indexOf('/')) : 'shared';
}

/** The text of every string literal and template part in `text` (comments are not strings). */
function stringsOf(text: string): string[] {
  const strings: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) strings.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('source.ts', text, ts.ScriptTarget.Latest, false));
  return strings;
}

/** `--layer`, `--no-gallery`: a long flag as a word of its own (not `a--b`, not the `--` of an arrow). */
const FLAG = /(?<![\w-])--[a-z][a-z0-9-]*/;

/** Files that may speak of the command line: the commands, the CLI, and the errors they throw. */
function ownsTheCommandLine(file: string): boolean {
  return file.startsWith('commands/') || file === 'cli.ts' || file === 'errors.ts';
}

const files = sourceFiles(SRC);
const texts = new Map(files.map((file) => [file, readFileSync(join(SRC, file), 'utf8')]));
const imports = new Map(files.map((file) => [file, importsOf(file, texts.get(file) ?? '')]));

describe('the source tree', () => {
  it('has every folder of src/ in the layer list', () => {
    const unknown = [...new Set(files.map(layerOf))].filter((layer) => !LAYERS.includes(layer));
    expect(unknown).toEqual([]);
  });

  it('imports only downward or within a folder', () => {
    const upward: string[] = [];
    for (const [file, targets] of imports) {
      for (const target of targets) {
        if (LAYERS.indexOf(layerOf(target)) > LAYERS.indexOf(layerOf(file))) upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('resolves every relative import to a file', () => {
    const missing = [...imports].flatMap(([file, targets]) =>
      targets.filter((t) => !imports.has(t)).map((t) => `${file} -> ${t}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      stack.push(file);
      for (const target of imports.get(file) ?? []) {
        if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target].join(' -> '));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('mentions UsageError only in the commands, the CLI and errors.ts', () => {
    const mentioning = files.filter(
      (file) => !ownsTheCommandLine(file) && /\bUsageError\b/.test(texts.get(file) ?? ''),
    );
    expect(mentioning).toEqual([]);
  });

  it('names no command-line flag in a string below the commands', () => {
    const naming = files.flatMap((file) =>
      ownsTheCommandLine(file)
        ? []
        : stringsOf(texts.get(file) ?? '')
            .filter((text) => FLAG.test(text))
            .map((text) => `${file}: ${JSON.stringify(text)}`),
    );
    expect(naming).toEqual([]);
  });

  it('finds flags in strings and templates, not in comments', () => {
    const text = [
      '// a comment may name --layer',
      '/** and `--index` */',
      "const a = 'give --data DIR';",
      'const b = "x --no-gallery";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text holding a template
      'const c = `${a}: --steps ${b} more`;',
      'const d = `--top-k`;',
      "const e = 'a--b <!-- x --> 3 -- 4 --5';",
    ].join('\n');
    expect(stringsOf(text).filter((string) => FLAG.test(string))).toEqual([
      'give --data DIR',
      'x --no-gallery',
      ': --steps ',
      '--top-k',
    ]);
  });

  it('finds the imports of a file, of every form', () => {
    const text =
      "import a from './a.js';\nimport type { B } from '../b/b.js';\nexport { c } from './c.js';\nconst d = await import('./d.js');\nimport './e.js';\n";
    expect(importsOf('cam/x.ts', text)).toEqual(['cam/a.ts', 'b/b.ts', 'cam/c.ts', 'cam/d.ts', 'cam/e.ts']);
  });
});
