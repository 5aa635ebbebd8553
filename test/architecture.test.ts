/**
 * The tree's layering, checked on the sources (docs/architecture.md explains it): each folder of
 * src/ may import only from folders below it in LAYERS, and no chain of imports between files comes
 * back to where it started. A new import that breaks either fails here, naming the files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
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

const files = sourceFiles(SRC);
const imports = new Map(files.map((file) => [file, importsOf(file, readFileSync(join(SRC, file), 'utf8'))]));

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

  it('finds the imports of a file, of every form', () => {
    const text =
      "import a from './a.js';\nimport type { B } from '../b/b.js';\nexport { c } from './c.js';\nconst d = await import('./d.js');\nimport './e.js';\n";
    expect(importsOf('cam/x.ts', text)).toEqual(['cam/a.ts', 'b/b.ts', 'cam/c.ts', 'cam/d.ts', 'cam/e.ts']);
  });
});
