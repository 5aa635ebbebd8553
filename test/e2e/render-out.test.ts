/**
 * `render`'s --out rule through bin/ (issue 21): another --out than the source's folder holds one
 * run's renders, recorded in render.json; re-rendering the same run works, another run is
 * refused unless --force, which removes only what gradcam wrote. The cam folders are hand-made
 * (two 3×3 maps each), so no model is trained.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCamManifest, type ManifestEntry } from '../../src/cam-output/manifest.js';
import { encodeNpy } from '../../src/cam-output/npy.js';
import { encodePng } from '../../src/io/image-codec.js';
import { runCli } from '../helpers/run-cli.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-render-out-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const PNG = encodePng({
  data: Uint8Array.from({ length: 12 * 12 * 3 }, (_, i) => (i * 37) % 256),
  width: 12,
  height: 12,
  channels: 3,
});
const NPY = encodeNpy(
  Float32Array.from({ length: 9 }, (_, i) => i / 8),
  [3, 3],
);

/** A cam folder with one entry per id (map, input picture and cam.json). */
async function camFolder(dir: string, ids: string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const entries: ManifestEntry[] = [];
  for (const id of ids) {
    await writeFile(join(dir, `${id}.npy`), NPY);
    await writeFile(join(dir, `${id}.input.png`), PNG);
    entries.push({
      id,
      source: `${id}.png`,
      input: `${id}.input.png`,
      heatmap: `${id}.npy`,
      predicted: { index: 1, name: '1', probability: 0.9 },
      target: { index: 1, name: '1', logit: 2 },
      rawMax: 1,
      empty: false,
    });
  }
  const manifest = buildCamManifest({
    model: '/model',
    layer: { name: 'conv', shape: [3, 3, 4] },
    preprocessing: { channelOrder: 'rgb', mean: [0], std: [1] },
    method: 'gradcam',
    guided: false,
    counterfactual: false,
    backend: 'cpu',
    entries,
    failures: [],
  });
  await writeFile(join(dir, 'cam.json'), JSON.stringify(manifest));
  return dir;
}

const listing = async (dir: string) => (await readdir(dir)).sort();
const rendersOf = (...ids: string[]) =>
  ids.flatMap((id) => [`blend_${id}.png`, `heatmap_${id}.png`, `original_${id}.png`]);
const recordOf = async (dir: string) => JSON.parse(await readFile(join(dir, 'render.json'), 'utf8'));

describe('render --out into a folder of its own', () => {
  it("refuses a folder holding another run's renders, one line, exit 1, the folder untouched", async () => {
    const dir = join(root, 'another-run');
    const [first, second] = [await camFolder(join(dir, 'A'), ['a1', 'a2']), await camFolder(join(dir, 'C'), ['c1'])];
    const out = join(dir, 'B');
    expect((await runCli(['render', '--cam', second, '--out', out, '--quiet'])).code).toBe(0);
    const before = await listing(out);
    expect(before).toEqual([...rendersOf('c1'), 'index.html', 'render.json'].sort());
    const mtime = (await stat(join(out, 'blend_c1.png'))).mtimeMs;

    const refused = await runCli(['render', '--cam', first, '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `gradcam: error: --out ${out}: holds the output of an earlier run (render.json); use --force to remove what gradcam wrote there, or another --out\n`,
    );
    expect(refused.stdout).toBe('');
    expect(await listing(out)).toEqual(before);
    expect((await stat(join(out, 'blend_c1.png'))).mtimeMs).toBe(mtime);
  });

  it("--force removes only gradcam's files (render.json's, and a cam run's) and keeps the user's", async () => {
    const dir = join(root, 'force');
    const [first, second] = [await camFolder(join(dir, 'A'), ['a1', 'a2']), await camFolder(join(dir, 'C'), ['c1'])];
    const out = join(dir, 'B');
    const rendered = await runCli([
      'render',
      '--cam',
      second,
      '--out',
      out,
      '--grid',
      join(out, 'grid.png'),
      '--quiet',
    ]);
    expect(rendered.code, rendered.stderr).toBe(0);
    await writeFile(join(out, 'notes.txt'), 'mine');

    const forced = await runCli(['render', '--cam', first, '--out', out, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(
      `gradcam: --force: removed 6 file(s) an earlier run wrote in ${out}; kept 1 other file(s)\n`,
    );
    expect(await listing(out)).toEqual([...rendersOf('a1', 'a2'), 'index.html', 'notes.txt', 'render.json'].sort());
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await recordOf(out)).toMatchObject({
      format: 'gradcam-render',
      formatVersion: 1,
      source: { cam: first },
      files: [...rendersOf('a1', 'a2'), 'index.html'].sort(),
    });

    // A cam folder is another run too: refused, and --force removes its maps, pictures and cam.json.
    const other = await camFolder(join(dir, 'D'), ['d1']);
    await writeFile(join(other, 'mine.txt'), 'mine');
    const refused = await runCli(['render', '--cam', first, '--out', other, '--quiet']);
    expect(refused.stderr).toContain(`--out ${other}: holds the output of an earlier run (cam.json); use --force`);
    expect((await runCli(['render', '--cam', first, '--out', other, '--force', '--quiet'])).code).toBe(0);
    expect(await listing(other)).toEqual([...rendersOf('a1', 'a2'), 'index.html', 'mine.txt', 'render.json'].sort());
  });

  it("refuses a folder of the user's files unless --force, which removes none of them", async () => {
    const dir = join(root, 'user-files');
    const cam = await camFolder(join(dir, 'A'), ['a1']);
    const out = join(dir, 'B');
    await mkdir(out);
    await writeFile(join(out, 'photo.png'), 'not ours');
    const refused = await runCli(['render', '--cam', cam, '--out', out, '--quiet']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `gradcam: error: --out ${out}: holds 1 file(s) gradcam did not write (photo.png, …); use --force to remove what gradcam wrote there, or another --out\n`,
    );
    expect((await runCli(['render', '--cam', cam, '--out', out, '--force', '--quiet'])).code).toBe(0);
    expect(await listing(out)).toEqual([...rendersOf('a1'), 'index.html', 'photo.png', 'render.json'].sort());
  });

  it('re-renders the same run into the same --out without --force, keeping what earlier renders of it wrote', async () => {
    const dir = join(root, 'rerender');
    const cam = await camFolder(join(dir, 'A'), ['a1', 'a2']);
    const out = join(dir, 'B');
    const runs = [['--grid', join(out, 'grid.png')], ['--scale', '2'], ['--no-gallery']];
    for (const more of runs) {
      const result = await runCli(['render', '--cam', cam, '--out', out, '--quiet', ...more]);
      expect(result.code, `${more.join(' ')}: ${result.stderr}`).toBe(0);
    }
    // Drawn at --scale 2 by the second run; the grid and the gallery of earlier runs are still listed.
    expect(await listing(out)).toEqual([...rendersOf('a1', 'a2'), 'grid.png', 'index.html', 'render.json'].sort());
    expect((await recordOf(out)).files).toEqual([...rendersOf('a1', 'a2'), 'grid.png', 'index.html'].sort());
  });

  it('a cam folder run again (a new cam.json) is another run: refused', async () => {
    const dir = join(root, 'cam-again');
    const cam = await camFolder(join(dir, 'A'), ['a1']);
    const out = join(dir, 'B');
    expect((await runCli(['render', '--cam', cam, '--out', out, '--quiet'])).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5)); // a later createdAt
    await camFolder(cam, ['a1']);
    const refused = await runCli(['render', '--cam', cam, '--out', out, '--quiet']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('holds the output of an earlier run (render.json)');
  });

  it('--heatmap/--image: the same map re-renders, another map is refused', async () => {
    const dir = join(root, 'heatmap');
    const cam = await camFolder(join(dir, 'A'), ['a1', 'a2']);
    const out = join(dir, 'B');
    const lone = (id: string, ...more: string[]) => [
      'render',
      '--heatmap',
      join(cam, `${id}.npy`),
      '--image',
      join(cam, `${id}.input.png`),
      '--out',
      out,
      '--quiet',
      ...more,
    ];
    expect((await runCli(lone('a1'))).code).toBe(0);
    expect((await runCli(lone('a1'))).code).toBe(0);
    expect(await recordOf(out)).toMatchObject({
      source: { heatmap: join(cam, 'a1.npy'), image: join(cam, 'a1.input.png') },
      files: rendersOf('a1'),
    });
    const refused = await runCli(lone('a2'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`--out ${out}: holds the output of an earlier run (render.json)`);
    expect((await runCli(lone('a2', '--force'))).code).toBe(0);
    expect(await listing(out)).toEqual([...rendersOf('a2'), 'render.json'].sort());
  });

  it('render.json lists only what was written when an entry fails', async () => {
    const dir = join(root, 'partial');
    const cam = await camFolder(join(dir, 'A'), ['a1', 'a2']);
    await writeFile(join(cam, 'a2.npy'), 'not a map');
    const out = join(dir, 'B');
    const result = await runCli(['render', '--cam', cam, '--out', out, '--quiet']);
    expect(result.code).toBe(1);
    expect((await recordOf(out)).files).toEqual([...rendersOf('a1'), 'index.html'].sort());
  });
});

describe('render into its source folder', () => {
  it('renders into the cam folder again and again (even with --force), writing no render.json there', async () => {
    const cam = await camFolder(join(root, 'beside', 'A'), ['a1', 'a2']);
    await writeFile(join(cam, 'notes.txt'), 'mine');
    for (const more of [[], [], ['--force']]) {
      const result = await runCli(['render', '--cam', cam, '--quiet', ...more]);
      expect(result.code, result.stderr).toBe(0);
    }
    // --out naming the same folder (here through a symlink) is the same rule.
    const link = join(root, 'beside', 'link');
    await symlink(cam, link);
    expect((await runCli(['render', '--cam', cam, '--out', link, '--quiet'])).code).toBe(0);
    expect(await listing(cam)).toEqual(
      [
        ...rendersOf('a1', 'a2'),
        'a1.input.png',
        'a1.npy',
        'a2.input.png',
        'a2.npy',
        'cam.json',
        'index.html',
        'notes.txt',
      ].sort(),
    );
  });

  it('--grid and --html outside --out overwrite the files the user named', async () => {
    const dir = join(root, 'named-files');
    const cam = await camFolder(join(dir, 'A'), ['a1']);
    const [grid, html] = [join(dir, 'sheet.png'), join(dir, 'page.html')];
    await writeFile(grid, 'old');
    await writeFile(html, 'old');
    const result = await runCli(['render', '--cam', cam, '--out', join(dir, 'B'), '--grid', grid, '--html', html]);
    expect(result.code, result.stderr).toBe(0);
    expect((await readFile(grid)).subarray(1, 4).toString()).toBe('PNG');
    expect(await readFile(html, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    // Named outside --out, they are not render.json's to remove.
    expect((await recordOf(join(dir, 'B'))).files).toEqual(rendersOf('a1'));
  });
});
