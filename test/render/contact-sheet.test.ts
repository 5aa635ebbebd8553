/** The contact sheet render --grid writes (src/render/contact-sheet.ts), on pictures small enough to check by hand. */
import { describe, expect, it } from 'vitest';
import type { CaptionFacts } from '../../src/render/caption.js';
import type { RgbImage } from '../../src/render/compose.js';
import { ContactSheetRows, contactSheetSize } from '../../src/render/contact-sheet.js';
import type { Drawing } from '../../src/render/draw.js';

/** A picture whose pixels are gray levels (each repeated to R, G, B), row-major. */
function gray(width: number, height: number, levels: number[]): RgbImage {
  return { width, height, data: Uint8Array.from(levels.flatMap((level) => [level, level, level])) };
}

/** The three pictures of a drawing, told apart by adding 0, 1 and 2 to every level. */
function drawing(width: number, height: number, levels: number[]): Drawing {
  const shifted = (by: number) =>
    gray(
      width,
      height,
      levels.map((level) => level + by),
    );
  return { original: shifted(0), heatmap: shifted(1), blend: shifted(2) };
}

/** The gray level of pixel (x, y) of a sheet; throws when R, G and B differ. */
function levelAt(sheet: RgbImage, x: number, y: number): number {
  const at = (y * sheet.width + x) * 3;
  const [r, g, b] = sheet.data.subarray(at, at + 3);
  if (r !== g || g !== b) throw new Error(`pixel (${x}, ${y}) is not gray: ${r}, ${g}, ${b}`);
  return r;
}

const FACTS: CaptionFacts = {
  label: 'cat',
  correct: true,
  predicted: { name: 'cat', probability: 0.9 },
  target: { name: 'cat' },
  method: 'gradcam',
};

describe('ContactSheetRows', () => {
  it('has no picture before a drawing is added', () => {
    expect(new ContactSheetRows().picture()).toBeUndefined();
  });

  it('lays the rows out with 2 px white gaps, tiles at the first drawing’s size', () => {
    const rows = new ContactSheetRows();
    rows.add(drawing(2, 1, [10, 20]), undefined);
    // 4×2 → the 2×1 tile: bilinear with half-pixel centres averages each 2×2 block.
    rows.add(drawing(4, 2, [10, 20, 100, 100, 30, 40, 200, 200]), undefined);
    expect(rows.tile).toEqual({ width: 2, height: 1 });
    const sheet = rows.picture() as RgbImage;
    // width 3·2 + 4·2 = 14; height 2·1 + 3·2 = 8.
    expect([sheet.width, sheet.height]).toEqual([14, 8]);
    const tileRow = (y: number) => Array.from({ length: 14 }, (_, x) => levelAt(sheet, x, y));
    const W = 255;
    expect(tileRow(2)).toEqual([W, W, 10, 20, W, W, 11, 21, W, W, 12, 22, W, W]);
    expect(tileRow(5)).toEqual([W, W, 25, 150, W, W, 26, 151, W, W, 27, 152, W, W]);
    for (const y of [0, 1, 3, 4, 6, 7]) expect(tileRow(y)).toEqual(Array(14).fill(W));
  });

  it('puts a caption band above each captioned row, as contactSheetSize predicts', () => {
    const rows = new ContactSheetRows();
    rows.add(drawing(8, 4, Array(32).fill(60)), FACTS);
    rows.add(drawing(8, 4, Array(32).fill(90)), FACTS);
    const sheet = rows.picture() as RgbImage;
    const plain = contactSheetSize(2, { width: 8, height: 4 }, false);
    expect(plain).toEqual({ width: 3 * 8 + 4 * 2, height: 2 * (4 + 2) + 2 });
    expect(sheet.height).toBeGreaterThan(plain.height);
    expect({ width: sheet.width, height: sheet.height }).toEqual(contactSheetSize(2, { width: 8, height: 4 }, true));
    // The second row's tiles sit at the very bottom, above the 2 px frame.
    expect(levelAt(sheet, 2, sheet.height - 3)).toBe(90);
    expect(levelAt(sheet, 2, sheet.height - 2)).toBe(255);
  });
});
