/**
 * train → cam → render through the real launcher, on a small learnable dataset written in the
 * MNIST IDX format, with images given as PNG, JPEG and dataset indices.
 */
import jpeg from 'jpeg-js';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/cam-output/npy.js';
import { encodePng } from '../../src/io/image-codec.js';
import { runCli } from '../helpers/run-cli.js';
import { squareCorner, SQUARE, writeSyntheticMnist } from '../helpers/synthetic-data.js';

let root: string;
let data: string;
let model: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-e2e-'));
  data = join(root, 'mnist');
  model = join(root, 'model');
  await writeSyntheticMnist(data, 300, 40);
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A 28×28 gray digit-like picture: class 3's square. */
function squareImage(classIndex: number, side = 28): Uint8Array {
  const pixels = new Uint8Array(side * side);
  const [top, left] = squareCorner(classIndex, side);
  for (let y = top; y < top + SQUARE; y++) for (let x = left; x < left + SQUARE; x++) pixels[y * side + x] = 230;
  return pixels;
}

describe('gradcam train → cam → render through bin/', () => {
  it('train writes a model directory and reports on stderr, the path or JSON on stdout', async () => {
    const result = await runCli([
      'train',
      '--dataset',
      'mnist',
      '--data',
      data,
      '--out',
      model,
      '--width',
      '0.125',
      '--epochs',
      '3',
      '--batch-size',
      '16',
      '--seed',
      '1',
      '--json',
    ]);
    expect(result.stderr).toMatch(/backend wasm/);
    expect(result.stderr).toMatch(
      /epoch 3\/3: loss [\d.]+, accuracy [\d.]+%, test loss [\d.]+, test accuracy [\d.]+%, [\d.]+ images\/s/,
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.out).toBe(model);
    expect(summary.history).toHaveLength(3);
    expect(summary.testAccuracy).toBeGreaterThan(0.5);
    const metadata = JSON.parse(await readFile(join(model, 'gradcam.json'), 'utf8'));
    expect(metadata).toMatchObject({
      dataset: 'mnist',
      inputShape: [28, 28, 1],
      targetLayer: 'relu8',
      backend: expect.stringMatching(/^wasm/),
    });
    expect(metadata.history[2]).toEqual(expect.objectContaining({ epoch: 3, testAccuracy: summary.testAccuracy }));
  });

  it('cam explains a PNG and a JPEG of other sizes and colours, and dataset images', async () => {
    const png = join(root, 'three.png');
    await writeFile(png, encodePng({ data: squareImage(3), width: 28, height: 28, channels: 1 }));
    // A 56×42 colour JPEG of class 5's square: converted to gray and shrunk to 28×28.
    const big = squareImage(5, 56);
    const rgba = new Uint8Array(56 * 56 * 4);
    for (let i = 0; i < 56 * 56; i++) rgba.set([big[i], big[i], 0, 255], i * 4);
    const jpg = join(root, 'five.jpg');
    await writeFile(jpg, jpeg.encode({ data: rgba, width: 56, height: 56 }, 95).data);

    const out = join(root, 'cam');
    const result = await runCli(['cam', '--model', model, '--image', png, '--image', jpg, '--out', out, '--json']);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    const manifest = JSON.parse(result.stdout);
    expect(manifest.layer).toEqual({ name: 'relu8', shape: [7, 7, 64] }); // batch norm by default
    expect(manifest.entries.map((e: { id: string }) => e.id)).toEqual(['three', 'five']);
    expect(manifest.entries[0]).toMatchObject({ input: 'three.input.png', heatmap: 'three.npy', empty: false });
    const map = decodeNpy(await readFile(join(out, 'three.npy')), 'three.npy');
    expect(map.shape).toEqual([7, 7]);
    expect(Math.max(...map.data)).toBe(1);
    // The input image is kept as given: the JPEG at 56×56 in colour.
    const kept = PNG.sync.read(await readFile(join(out, 'five.input.png')));
    expect([kept.width, kept.height]).toEqual([56, 56]);
    expect(JSON.parse(await readFile(join(out, 'cam.json'), 'utf8'))).toEqual(manifest);

    const fromDataset = await runCli([
      'cam',
      '--model',
      model,
      '--dataset',
      'mnist',
      '--data',
      data,
      '--count',
      '5',
      '--out',
      join(root, 'cam-dataset'),
    ]);
    expect(fromDataset.code).toBe(0);
    expect(fromDataset.stdout.trim()).toBe(join(root, 'cam-dataset', 'cam.json'));
    const datasetManifest = JSON.parse(await readFile(join(root, 'cam-dataset', 'cam.json'), 'utf8'));
    expect(datasetManifest.entries.map((e: { id: string }) => e.id)).toEqual([
      'test_00000',
      'test_00001',
      'test_00002',
      'test_00003',
      'test_00004',
    ]);
  });

  it('render draws heatmap, blend and original PNGs whose blend follows the alpha formula', async () => {
    const cam = join(root, 'cam');
    const result = await runCli(['render', '--cam', cam, '--scale', '4', '--grid', join(root, 'grid.png')]);
    expect(result.code).toBe(0);
    for (const kind of ['heatmap', 'blend', 'original']) {
      const picture = PNG.sync.read(await readFile(join(cam, `${kind}_three.png`)));
      expect([picture.width, picture.height]).toEqual([112, 112]);
    }
    const jpegBlend = PNG.sync.read(await readFile(join(cam, 'blend_five.png')));
    expect([jpegBlend.width, jpegBlend.height]).toEqual([224, 224]);

    const original = PNG.sync.read(await readFile(join(cam, 'original_three.png'))).data;
    const heatmap = PNG.sync.read(await readFile(join(cam, 'heatmap_three.png'))).data;
    const blend = PNG.sync.read(await readFile(join(cam, 'blend_three.png'))).data;
    for (let i = 0; i < blend.length; i++) {
      if (i % 4 === 3) continue; // pngjs gives RGBA; our files have no alpha
      expect(Math.abs(blend[i] - (0.6 * original[i] + 0.4 * heatmap[i]))).toBeLessThanOrEqual(0.5 + 1e-9);
    }
    const grid = PNG.sync.read(await readFile(join(root, 'grid.png')));
    expect(grid.width).toBe(3 * 112 + 4 * 2);
    expect((await stat(join(root, 'grid.png'))).size).toBeGreaterThan(0);
    expect(result.stdout.trim().split('\n')).toContain(join(cam, 'blend_three.png'));
  });
});
