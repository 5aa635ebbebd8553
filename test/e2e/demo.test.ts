/**
 * `gradcam demo` through the real launcher: train → cam → render on the embedded MNIST, with a
 * small --limit so it takes seconds. Checks the directory it promises, not the model's quality
 * (test/cam/mnist-discriminative.test.ts does that).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/run-cli.js';

/** Digits are drawn 8× larger; the grid has a 2-pixel border around and between its panels. */
const PANEL = 28 * 8;
const BORDER = 2;
/** Each row's caption: two lines of 10 px and 4 px of padding, at twice the size on a 676 px row. */
const CAPTION = 48;

let cwd: string;
let result: CliResult;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'gradcam-demo-'));
  result = await runCli(['demo', '--limit', '256', '--count', '3'], { cwd });
}, 300_000);
afterAll(() => rm(cwd, { recursive: true, force: true }));

describe('gradcam demo', () => {
  it('exits 0, reports its three steps on stderr and prints the grid path on stdout', () => {
    expect(result.stderr).toMatch(/1\/3 training on 256 embedded MNIST digits/);
    expect(result.stderr).toMatch(/2\/3 explaining 3 test digits/);
    expect(result.stderr).toMatch(/3\/3 rendering/);
    expect(result.stderr).toMatch(/test accuracy \d+\.\d\d%; 3 maps/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${join(cwd, 'gradcam-demo', 'grid.png')}\n`);
  });

  it('leaves the model, the maps and the PNGs in ./gradcam-demo', async () => {
    const out = join(cwd, 'gradcam-demo');
    const metadata = JSON.parse(await readFile(join(out, 'model', 'gradcam.json'), 'utf8'));
    expect(metadata).toMatchObject({ dataset: 'mnist', training: { trainImages: 256, testImages: 10000 } });
    const manifest = JSON.parse(await readFile(join(out, 'cam', 'cam.json'), 'utf8'));
    expect(manifest.entries.map((entry: { id: string }) => entry.id)).toEqual([
      'test_00000',
      'test_00001',
      'test_00002',
    ]);
    for (const kind of ['original', 'heatmap', 'blend']) {
      const png = PNG.sync.read(await readFile(join(out, `${kind}_test_00001.png`)));
      expect([png.width, png.height]).toEqual([PANEL, PANEL]);
    }
    const grid = PNG.sync.read(await readFile(join(out, 'grid.png')));
    expect([grid.width, grid.height]).toEqual([3 * PANEL + 4 * BORDER, 3 * (PANEL + CAPTION) + 4 * BORDER]);
    // MNIST digits come with labels, so every caption band says right (light green) or wrong (red).
    for (let row = 0; row < 3; row++) {
      const top = BORDER + row * (CAPTION + PANEL + BORDER);
      const offset = ((top + 1) * grid.width + BORDER + 1) * 4;
      const verdict =
        manifest.entries[row].label.index === manifest.entries[row].predicted.index ? [220, 237, 220] : [198, 40, 40];
      expect(Array.from(grid.data.subarray(offset, offset + 3))).toEqual(verdict);
    }
    expect(manifest.entries[1].label).toEqual({ index: 2, name: '2' }); // MNIST test digit 1 is a 2
    const gallery = await readFile(join(out, 'index.html'), 'utf8');
    expect(gallery.match(/<article /g)).toHaveLength(3);
    expect(gallery).toContain('src="blend_test_00001.png"');
  });
});
