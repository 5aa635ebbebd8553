/**
 * `cam --method … --guided --smooth …` and `render` through the real launcher (bin/gradcam.js,
 * built dist/), on a model trained for a few seconds on the synthetic square dataset, where class
 * k is a bright square in the k-th cell: a faithful explanation should point at that square.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAM_METHOD_NAMES } from '../../src/choices.js';
import { decodeNpy } from '../../src/cam-output/npy.js';
import { guidedToRgb } from '../../src/render/guided.js';
import { runCli } from '../helpers/run-cli.js';
import { SQUARE, squareCorner, writeSyntheticMnist } from '../helpers/synthetic-data.js';

let root: string;
let data: string;
let model: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-methods-'));
  data = join(root, 'mnist');
  model = join(root, 'model');
  await writeSyntheticMnist(data, 300, 40);
  const trained = await runCli([
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
    '--quiet',
  ]);
  expect(trained.code, trained.stderr).toBe(0);
});
afterAll(() => rm(root, { recursive: true, force: true }));

const readNpyFile = async (path: string) => decodeNpy(await readFile(path), path);

describe('cam methods through bin/', () => {
  it('scorecam --guided --smooth 4, then render draws guided_<id>.png', async () => {
    const out = join(root, 'scorecam');
    const result = await runCli([
      'cam',
      '--model',
      model,
      '--dataset',
      'mnist',
      '--data',
      data,
      '--count',
      '3',
      '--out',
      out,
      '--method',
      'scorecam',
      '--guided',
      '--smooth',
      '4',
      '--seed',
      '7',
      '--max-channels',
      '32',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /with scorecam \(at most 32 channels\), SmoothGrad 4 × 15% noise \(seed 7\), guided backpropagation/,
    );
    const manifest = JSON.parse(result.stdout);
    expect(manifest).toMatchObject({
      method: 'scorecam',
      smooth: { samples: 4, noise: 0.15, seed: 7 },
      guided: true,
      maxChannels: 32,
    });
    expect(manifest.entries).toHaveLength(3);
    for (const entry of manifest.entries) {
      expect(entry.guided).toBe(`${entry.id}.guided.npy`);
      const map = await readNpyFile(join(out, entry.heatmap));
      expect(map.shape).toEqual([7, 7]);
      expect(Math.max(...map.data)).toBe(1);
      const guided = await readNpyFile(join(out, entry.guided));
      expect(guided.shape).toEqual([28, 28, 1]);
      // The explanation points at the class's square: its hottest map cell overlaps the square, and
      // the guided map puts far more than its area's share (8 %) of its mass there.
      const [top, left] = squareCorner(entry.target.index, 28);
      const hottest = map.data.indexOf(1);
      const [cellTop, cellLeft] = [Math.floor(hottest / 7) * 4, (hottest % 7) * 4];
      expect(
        cellTop < top + SQUARE && cellTop + 4 > top && cellLeft < left + SQUARE && cellLeft + 4 > left,
        `${entry.id}: cell ${hottest}`,
      ).toBe(true);
      let inside = 0;
      let total = 0;
      guided.data.forEach((value, i) => {
        const [y, x] = [Math.floor(i / 28), i % 28];
        total += Math.abs(value);
        if (y >= top - 1 && y <= top + SQUARE && x >= left - 1 && x <= left + SQUARE) inside += Math.abs(value);
      });
      expect(inside / total, entry.id).toBeGreaterThan(0.2);
    }

    const rendered = await runCli(['render', '--cam', out, '--json']);
    expect(rendered.code, rendered.stderr).toBe(0);
    const { rendered: pictures } = JSON.parse(rendered.stdout);
    expect(pictures.map((p: { guided?: string }) => p.guided)).toEqual(
      manifest.entries.map((e: { id: string }) => join(out, `guided_${e.id}.png`)),
    );
    // At the input size the PNG is exactly the normalized guided map, gray.
    const first = manifest.entries[0];
    const png = PNG.sync.read(await readFile(join(out, `guided_${first.id}.png`)));
    expect([png.width, png.height]).toEqual([28, 28]);
    const expected = guidedToRgb((await readNpyFile(join(out, first.guided))).data, 1);
    const actual = Uint8Array.from({ length: 28 * 28 * 3 }, (_, i) => png.data[Math.floor(i / 3) * 4 + (i % 3)]);
    expect(actual).toEqual(expected);

    const scaled = await runCli(['render', '--cam', out, '--out', join(root, 'scaled'), '--scale', '3']);
    expect(scaled.code, scaled.stderr).toBe(0);
    const big = PNG.sync.read(await readFile(join(root, 'scaled', `guided_${first.id}.png`)));
    expect([big.width, big.height]).toEqual([84, 84]);
  });

  it('every --method runs end to end and names itself in the manifest', async () => {
    const results = await Promise.all(
      CAM_METHOD_NAMES.map(async (method) => {
        const out = join(root, `all-${method}`);
        const result = await runCli([
          'cam',
          '--model',
          model,
          '--dataset',
          'mnist',
          '--data',
          data,
          '--index',
          '4,9',
          '--out',
          out,
          '--method',
          method,
          '--json',
        ]);
        return { method, result, out };
      }),
    );
    for (const { method, result, out } of results) {
      expect(result.code, `${method}: ${result.stderr}`).toBe(0);
      const manifest = JSON.parse(result.stdout);
      expect(manifest.method).toBe(method);
      expect(manifest).not.toHaveProperty('smooth');
      expect(manifest).not.toHaveProperty('guided');
      expect(manifest.entries.map((e: { empty: boolean }) => e.empty)).toEqual([false, false]);
      const map = await readNpyFile(join(out, manifest.entries[0].heatmap));
      expect(Math.max(...map.data)).toBe(1);
    }
  });

  it('the same --seed gives the same maps, another seed others', async () => {
    const run = async (seed: string, name: string) => {
      const out = join(root, name);
      const result = await runCli([
        'cam',
        '--model',
        model,
        '--dataset',
        'mnist',
        '--data',
        data,
        '--index',
        '2',
        '--out',
        out,
        '--method',
        'layercam',
        '--smooth',
        '3',
        '--noise',
        '0.3',
        '--seed',
        seed,
      ]);
      expect(result.code, result.stderr).toBe(0);
      return readFile(join(out, 'test_00002.npy'));
    };
    const [first, again, other] = await Promise.all([run('5', 'seed-a'), run('5', 'seed-b'), run('6', 'seed-c')]);
    expect(again.equals(first)).toBe(true);
    expect(other.equals(first)).toBe(false);
  });

  it.each([
    [['--method', 'gradcam', '--max-channels', '8'], /--max-channels: only --method scorecam uses it/],
    [['--method', 'eigencam', '--counterfactual'], /--counterfactual negates gradients; --method eigencam uses none/],
    [['--noise', '0.2'], /--noise and --seed set the SmoothGrad noise: they need --smooth N/],
    [
      ['--method', 'gradcam+++'],
      /argument 'gradcam\+\+\+' is invalid\. Allowed choices are gradcam, gradcam\+\+, hirescam/,
    ],
    [['--smooth', '0'], /option '--smooth <n>' argument '0' is invalid/],
  ])('usage error %j: exit 2, one line on stderr', async (extra, message) => {
    const result = await runCli([
      'cam',
      '--model',
      model,
      '--dataset',
      'mnist',
      '--data',
      data,
      '--count',
      '1',
      '--out',
      join(root, 'refused'),
      ...extra,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
