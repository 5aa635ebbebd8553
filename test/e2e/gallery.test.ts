/**
 * train → cam → render through bin/ on a small labelled dataset, then the captioned grid, the
 * captioned blends and the gallery: its files, and the page in headless Chromium.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captionHeight } from '../../src/render/caption.js';
import { checkImages, describeInBrowser } from '../helpers/browser.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { writeSyntheticMnist } from '../helpers/synthetic-data.js';

const COUNT = 24;
const TILE = 28 * 2; // --scale 2

let root: string;
let render: CliResult;
let manifest: {
  entries: {
    id: string;
    label: { index: number; name: string };
    predicted: { index: number; name: string; probability: number };
  }[];
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-gallery-e2e-'));
  const data = join(root, 'mnist');
  await writeSyntheticMnist(data, 200, COUNT);
  await mislabelTestImages(data);
  const train = await runCli([
    'train',
    '--dataset',
    'mnist',
    '--data',
    data,
    '--out',
    join(root, 'model'),
    '--width',
    '0.125',
    '--epochs',
    '1',
    '--batch-size',
    '16',
    '--seed',
    '1',
  ]);
  expect(train.code, train.stderr).toBe(0);
  const cam = await runCli([
    'cam',
    '--model',
    join(root, 'model'),
    '--dataset',
    'mnist',
    '--data',
    data,
    '--count',
    String(COUNT),
    '--out',
    join(root, 'cam'),
  ]);
  expect(cam.code, cam.stderr).toBe(0);
  manifest = JSON.parse(await readFile(join(root, 'cam', 'cam.json'), 'utf8'));
  render = await runCli([
    'render',
    '--cam',
    join(root, 'cam'),
    '--out',
    join(root, 'pictures'),
    '--scale',
    '2',
    '--grid',
    join(root, 'grid.png'),
    '--caption',
  ]);
}, 600_000);
afterAll(() => rm(root, { recursive: true, force: true }));

/**
 * The model learns the squares; relabelling every fourth test image (n mod 4 = 1) as the next
 * class makes its prediction wrong against the label, so the gallery has both kinds.
 */
async function mislabelTestImages(data: string): Promise<void> {
  const path = join(data, 't10k-labels-idx1-ubyte.gz');
  const labels = gunzipSync(await readFile(path)); // 8-byte IDX header, then one byte per image
  for (let n = 1; n < COUNT; n += 4) labels[8 + n] = (labels[8 + n] + 1) % 10;
  await writeFile(path, gzipSync(labels));
}

/** The labels cam should record: writeSyntheticMnist's (n + 3) mod 10, shifted by one where mislabelled. */
const expectedLabel = (n: number) => (n + 3 + (n % 4 === 1 ? 1 : 0)) % 10;

const wrongCount = () => manifest.entries.filter((entry) => entry.label.index !== entry.predicted.index).length;

describe('render of a labelled cam run', () => {
  it('cam records the true label of every dataset image', () => {
    expect(manifest.entries.map((entry) => entry.label.index)).toEqual(
      Array.from({ length: COUNT }, (_, n) => expectedLabel(n)),
    );
    expect(manifest.entries[0].label).toEqual({ index: 3, name: '3' });
  });

  it('writes the gallery beside the PNGs and prints its path last', () => {
    expect(render.code, render.stderr).toBe(0);
    const lines = render.stdout.trim().split('\n');
    expect(lines).toHaveLength(COUNT + 2);
    expect(lines.slice(-2)).toEqual([join(root, 'grid.png'), join(root, 'pictures', 'index.html')]);
  });

  it('captions each grid row and, with --caption, each blend', async () => {
    const band = captionHeight(3 * TILE + 4); // 172 px wide: text at 1×, 24 px high
    expect(band).toBe(24);
    const grid = PNG.sync.read(await readFile(join(root, 'grid.png')));
    expect([grid.width, grid.height]).toEqual([3 * TILE + 8, COUNT * (band + TILE + 2) + 2]);
    const blend = PNG.sync.read(await readFile(join(root, 'pictures', 'blend_test_00000.png')));
    expect([blend.width, blend.height]).toEqual([TILE, captionHeight(TILE) + TILE]);
    const original = PNG.sync.read(await readFile(join(root, 'pictures', 'original_test_00000.png')));
    expect([original.width, original.height]).toEqual([TILE, TILE]);
    // The band's colour says right or wrong, row by row.
    manifest.entries.forEach((entry, row) => {
      const offset = ((2 + row * (band + TILE + 2) + 1) * grid.width + 3) * 4;
      const expected = entry.label.index === entry.predicted.index ? [220, 237, 220] : [198, 40, 40];
      expect(Array.from(grid.data.subarray(offset, offset + 3)), `row ${row}`).toEqual(expected);
    });
  });

  it('refuses captions and --html without cam.json, and --html with --no-gallery', async () => {
    const lone = await runCli([
      'render',
      '--heatmap',
      join(root, 'cam', 'test_00000.npy'),
      '--image',
      join(root, 'cam', 'test_00000.input.png'),
      '--caption',
    ]);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toMatch(/--caption needs --cam: captions come from the predictions in cam.json/);
    const both = await runCli(['render', '--cam', join(root, 'cam'), '--html', join(root, 'x.html'), '--no-gallery']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--html and --no-gallery contradict each other/);
  });
});

describeInBrowser('the gallery of a real cam run in Chromium', (session) => {
  it('opens without errors, shows every picture and caption, and filters wrong predictions', async () => {
    const opened = await session().open(join(root, 'pictures', 'index.html'));
    const { page } = opened;
    const images = await checkImages(page);
    const captions = await page.$$eval('.entry .caption', (elements) =>
      elements.map((element) => element.textContent ?? ''),
    );
    const settings = await page.$eval('#settings', (element) => element.textContent ?? '');
    await page.select('#filter-verdict', 'wrong');
    const shownWrong = await page.$$eval(
      '.entry',
      (entries) => entries.filter((entry) => entry.getClientRects().length > 0).length,
    );
    const count = await page.$eval('#count', (element) => element.textContent);
    await opened.close();
    expect(opened.problems).toEqual([]);
    expect(images).toEqual({ total: 3 * COUNT, displayed: 3 * COUNT, broken: [] });
    const first = manifest.entries[0];
    expect(captions[0]).toMatch(
      new RegExp(
        `true 3, predicted ${first.predicted.name} ${(100 * first.predicted.probability).toFixed(1)}%map: ${first.predicted.name}, gradcam`,
      ),
    );
    expect(settings).toMatch(/layer\s*relu8 \[7×7×64\]/);
    expect(settings).toMatch(/method\s*gradcam/);
    expect(wrongCount()).toBeGreaterThanOrEqual(6); // at least the mislabelled ones
    expect(shownWrong).toBe(wrongCount());
    expect(count).toBe(`${wrongCount()} of ${COUNT} shown`);
  });

  it('works from another directory with --html: its pictures are referenced relatively', async () => {
    await mkdir(join(root, 'pages'));
    const result = await runCli([
      'render',
      '--cam',
      join(root, 'cam'),
      '--out',
      join(root, 'pictures 2'),
      '--html',
      join(root, 'pages', 'gallery.html'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const html = await readFile(join(root, 'pages', 'gallery.html'), 'utf8');
    expect(html).toContain('src="../pictures%202/blend_test_00000.png"');
    const opened = await session().open(join(root, 'pages', 'gallery.html'));
    const images = await checkImages(opened.page);
    await opened.close();
    expect(opened.problems).toEqual([]);
    expect(images.broken).toEqual([]);
    expect(images.displayed).toBe(3 * COUNT);
  });
});
