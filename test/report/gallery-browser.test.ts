/**
 * The gallery in headless Chromium (test/helpers/browser.ts): it loads cleanly, every picture
 * shows, filters and sorting change what is shown, hostile class names stay text, and a
 * 1,000-entry page stays usable.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../../src/io/image-codec.js';
import { drawExplanation } from '../../src/render/draw.js';
import { renderGalleryHtml, type GalleryEntry, type GallerySettings } from '../../src/report/gallery-html.js';
import { checkImages, describeInBrowser } from '../helpers/browser.js';

const HOSTILE_CLASS = '<img src=x onerror="window.injected=1">';
const CLASSES = ['cat', 'dog', 'ship', HOSTILE_CLASS];
const SETTINGS: GallerySettings = {
  model: '/models/m',
  layer: { name: 'conv8', shape: [4, 4, 8] },
  method: 'gradcam',
  colormap: 'jet',
  alpha: 0.4,
};
const PICTURES = 'png files'; // a space in the path, and one directory below the page

/** Entry i: label i mod 4, predicted i mod 3, probability falling with i, every 5th map empty. */
function entryOf(index: number): GalleryEntry {
  const label = CLASSES[index % 4];
  const predicted = CLASSES[index % 3];
  const picture = (kind: string) => ({ path: `${PICTURES}/${kind}_${index}.png`, width: 64, height: 64 });
  return {
    id: `test_${String(index).padStart(5, '0')}`,
    source: `synthetic #${index}`,
    facts: {
      label,
      correct: label === predicted,
      predicted: { name: predicted, probability: 1 - index / 2000 },
      target: { name: predicted },
      method: 'gradcam',
    },
    empty: index % 5 === 0,
    images: { original: picture('original'), heatmap: picture('heatmap'), blend: picture('blend') },
  };
}

/** PNG bytes of 12 drawings (a shifted ramp map over a ramp image), by kind. */
function drawPictures(): Record<'original' | 'heatmap' | 'blend', Uint8Array>[] {
  return Array.from({ length: 12 }, (_, index) => {
    const map = Float32Array.from({ length: 16 }, (_, i) => ((i + index) % 16) / 15);
    const image = {
      data: Uint8Array.from({ length: 32 * 32 }, (_, i) => (i * 7 + index) % 256),
      width: 32,
      height: 32,
      channels: 1 as const,
    };
    const drawing = drawExplanation(map, 4, 4, image, { scale: 2, alpha: 0.4, colormap: 'jet' });
    const png = (kind: 'original' | 'heatmap' | 'blend') => encodePng({ ...drawing[kind], channels: 3 });
    return { original: png('original'), heatmap: png('heatmap'), blend: png('blend') };
  });
}

/** Files `<kind>_<i>.png` for i < count, cycling through the drawings (distinct files, so no image is a cache hit). */
function writePictures(directory: string, count: number, pictures: ReturnType<typeof drawPictures>): void {
  mkdirSync(directory, { recursive: true });
  for (let index = 0; index < count; index++) {
    for (const kind of ['original', 'heatmap', 'blend'] as const)
      writeFileSync(join(directory, `${kind}_${index}.png`), pictures[index % 12][kind]);
  }
}

const work = mkdtempSync(join(tmpdir(), 'gradcam-gallery-browser-'));
const small = Array.from({ length: 12 }, (_, i) => entryOf(i));
const large = Array.from({ length: 1000 }, (_, i) => entryOf(i));
beforeAll(() => {
  writePictures(join(work, PICTURES), 1000, drawPictures());
  writeFileSync(join(work, 'small.html'), renderGalleryHtml(SETTINGS, small));
  writeFileSync(join(work, 'large.html'), renderGalleryHtml(SETTINGS, large));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Ids of the entries a person can see, top to bottom. */
function visibleIds(page: Page): Promise<string[]> {
  return page.$$eval('.entry', (entries) =>
    entries.filter((entry) => entry.getClientRects().length > 0).map((entry) => entry.id.slice('entry-'.length)),
  );
}

const ids = (entries: GalleryEntry[]) => entries.map((entry) => entry.id);

describeInBrowser('the gallery in Chromium', (session) => {
  it('opens without errors, every picture loads, and a hostile class name stays text', async () => {
    const opened = await session().open(join(work, 'small.html'));
    const images = await checkImages(opened.page);
    const injected = await opened.page.evaluate(() => (window as unknown as { injected?: number }).injected);
    const optionTexts = await opened.page.$$eval('#filter-label option', (options) =>
      options.map((option) => option.textContent),
    );
    const screenshot = decodeImage(await opened.page.screenshot({ type: 'png' }), 'screenshot');
    await opened.close();
    expect(opened.problems).toEqual([]);
    expect(images).toEqual({ total: 36, displayed: 36, broken: [] });
    expect(injected).toBeUndefined();
    expect(optionTexts).toEqual(['all', HOSTILE_CLASS, 'cat', 'dog', 'ship']);
    // What was drawn is a page, not a blank: the red border of wrong predictions is on screen.
    expect([screenshot.width, screenshot.height]).toEqual([1280, 900]);
    let red = 0;
    for (let offset = 0; offset < screenshot.data.length; offset += screenshot.channels) {
      if (screenshot.data[offset] === 198 && screenshot.data[offset + 1] === 40 && screenshot.data[offset + 2] === 40)
        red++;
    }
    expect(red).toBeGreaterThan(100);
  });

  it('filters by right/wrong, true class, predicted class and empty maps, and says how many are shown', async () => {
    const opened = await session().open(join(work, 'small.html'));
    const { page } = opened;
    expect(await visibleIds(page)).toEqual(ids(small));
    await page.select('#filter-verdict', 'wrong');
    const wrong = small.filter((entry) => entry.facts.correct === false);
    expect(await visibleIds(page)).toEqual(ids(wrong));
    expect(await page.$eval('#count', (count) => count.textContent)).toBe(`${wrong.length} of 12 shown`);
    await page.select('#filter-label', 'cat');
    expect(await visibleIds(page)).toEqual(ids(wrong.filter((entry) => entry.facts.label === 'cat')));
    await page.select('#filter-verdict', '');
    await page.select('#filter-label', HOSTILE_CLASS);
    expect(await visibleIds(page)).toEqual(ids(small.filter((entry) => entry.facts.label === HOSTILE_CLASS)));
    await page.select('#filter-label', '');
    await page.select('#filter-predicted', 'dog');
    await page.select('#filter-empty', 'no');
    expect(await visibleIds(page)).toEqual(
      ids(small.filter((entry) => entry.facts.predicted.name === 'dog' && !entry.empty)),
    );
    await opened.close();
    expect(opened.problems).toEqual([]);
  });

  it('sorts by probability and by class, and back to input order', async () => {
    const opened = await session().open(join(work, 'small.html'));
    const { page } = opened;
    await page.select('#sort', 'probability-asc');
    expect(await visibleIds(page)).toEqual(ids(small).reverse());
    await page.select('#sort', 'predicted');
    const byPredicted = [...small].sort(
      (a, b) =>
        a.facts.predicted.name.localeCompare(b.facts.predicted.name, 'en', { numeric: true }) ||
        small.indexOf(a) - small.indexOf(b),
    );
    expect(await visibleIds(page)).toEqual(ids(byPredicted));
    await page.select('#sort', 'input');
    expect(await visibleIds(page)).toEqual(ids(small));
    await opened.close();
    expect(opened.problems).toEqual([]);
  });

  it('stays usable with 1,000 entries: it loads, filters and sorts, and the pictures in view load', async () => {
    const opened = await session().open(join(work, 'large.html'));
    const { page } = opened;
    expect(await page.$eval('#count', (count) => count.textContent)).toBe('1000 of 1000 shown');
    // Lazy: far fewer pictures are fetched than the page holds.
    const loadedAtStart = await page.$$eval(
      'img',
      (images) => images.filter((image) => image.complete && image.naturalWidth > 0).length,
    );
    expect(loadedAtStart).toBeLessThan(600);
    await page.select('#filter-predicted', 'ship');
    await page.select('#filter-empty', 'yes');
    const expected = large.filter((entry) => entry.facts.predicted.name === 'ship' && entry.empty);
    expect(await visibleIds(page)).toEqual(ids(expected));
    expect(await page.$eval('#count', (count) => count.textContent)).toBe(`${expected.length} of 1000 shown`);
    await page.select('#sort', 'probability-asc');
    expect(await visibleIds(page)).toEqual(ids(expected).reverse());
    const images = await checkImages(page);
    await opened.close();
    expect(images.displayed).toBe(3 * expected.length);
    expect(images.broken).toEqual([]);
    expect(opened.problems).toEqual([]);
  });
});
