import { describe, expect, it } from 'vitest';
import { blend, contactSheet, grayToRgb } from '../../src/render/compose.js';

describe('blend', () => {
  it('computes single pixels by hand, rounding half to even', () => {
    const image = Uint8Array.from([100, 50, 200]);
    const heatmap = Uint8Array.from([0, 255, 100]);
    // 0.5: 50, 152.5 → 152 (even), 150
    expect(Array.from(blend(image, heatmap, 0.5))).toEqual([50, 152, 150]);
    // 0.25: 75, 37.5 + 63.75 = 101.25 → 101, 150 + 25 = 175
    expect(Array.from(blend(image, heatmap, 0.25))).toEqual([75, 101, 175]);
    // Ties: 1.5 → 2 and 2.5 → 2.
    expect(Array.from(blend(Uint8Array.from([1, 3]), Uint8Array.from([2, 2]), 0.5))).toEqual([2, 2]);
  });

  it('gives the image at alpha 0 and the heatmap at alpha 1', () => {
    const image = Uint8Array.from({ length: 48 }, (_, index) => (index * 37) % 256);
    const heatmap = Uint8Array.from({ length: 48 }, (_, index) => (index * 101 + 13) % 256);
    expect(blend(image, heatmap, 0)).toEqual(image);
    expect(blend(image, heatmap, 1)).toEqual(heatmap);
  });

  it('equals cv2.addWeighted(image, 1 - alpha, heatmap, alpha, 0) on sample pairs', () => {
    // OpenCV 4.6.0 (Debian python3-opencv), uint8 rows of these image/heatmap bytes.
    const image = Uint8Array.from([0, 1, 3, 255, 0, 100, 17, 254, 128, 77, 5, 200]);
    const heatmap = Uint8Array.from([0, 2, 2, 0, 255, 37, 200, 255, 129, 78, 0, 201]);
    const opencv: [number, number[]][] = [
      [0.25, [0, 1, 3, 191, 64, 84, 63, 254, 128, 77, 4, 200]],
      [0.4, [0, 1, 3, 153, 102, 75, 90, 254, 128, 77, 3, 200]],
      [0.5, [0, 2, 2, 128, 128, 68, 108, 254, 128, 78, 2, 200]],
      [0.6, [0, 2, 2, 102, 153, 62, 127, 255, 129, 78, 2, 201]],
      [0.75, [0, 2, 2, 64, 191, 53, 154, 255, 129, 78, 1, 201]],
      [0.3, [0, 1, 3, 178, 76, 81, 72, 254, 128, 77, 4, 200]],
    ];
    for (const [alpha, expected] of opencv)
      expect(Array.from(blend(image, heatmap, alpha)), `alpha ${alpha}`).toEqual(expected);
  });

  it('differs from cv2 by one where a .5 tie is broken by float error (documented)', () => {
    // 0.7 · 45 = 31.5 exactly, but float64 gives 31.499999999999996 → 31; cv2's float32 path gives 32.
    expect(Array.from(blend(Uint8Array.from([45]), Uint8Array.from([0]), 0.3))).toEqual([31]);
  });

  it('does not modify its inputs', () => {
    const image = Uint8Array.from([10, 20, 30]);
    const heatmap = Uint8Array.from([200, 100, 0]);
    blend(image, heatmap, 0.4);
    expect(Array.from(image)).toEqual([10, 20, 30]);
    expect(Array.from(heatmap)).toEqual([200, 100, 0]);
  });

  it('rejects mismatched sizes and alpha outside [0, 1]', () => {
    expect(() => blend(new Uint8Array(3), new Uint8Array(6), 0.5)).toThrow(/image has 3 bytes but heatmap has 6/);
    expect(() => blend(new Uint8Array(3), new Uint8Array(3), 1.5)).toThrow(/alpha must be in \[0, 1\], got 1.5/);
    expect(() => blend(new Uint8Array(3), new Uint8Array(3), Number.NaN)).toThrow(/alpha/);
  });
});

describe('grayToRgb', () => {
  it('repeats each value three times', () => {
    expect(Array.from(grayToRgb(Uint8Array.from([0, 128, 255])))).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255]);
  });
});

describe('contactSheet', () => {
  /** A tileHeight×tileWidth×3 tile filled with one RGB color. */
  function solid(tileWidth: number, tileHeight: number, rgb: [number, number, number]): Uint8Array {
    return Uint8Array.from({ length: tileWidth * tileHeight * 3 }, (_, index) => rgb[index % 3]);
  }

  /** The RGB pixel at (x, y) of a sheet. */
  function pixel(sheet: { data: Uint8Array; width: number }, x: number, y: number): number[] {
    const offset = (y * sheet.width + x) * 3;
    return Array.from(sheet.data.subarray(offset, offset + 3));
  }

  it('lays out original | heatmap | blend per row with white gaps around and between', () => {
    const rows = [
      { original: solid(3, 2, [10, 0, 0]), heatmap: solid(3, 2, [0, 20, 0]), blend: solid(3, 2, [0, 0, 30]) },
      { original: solid(3, 2, [40, 0, 0]), heatmap: solid(3, 2, [0, 50, 0]), blend: solid(3, 2, [0, 0, 60]) },
    ];
    const sheet = contactSheet(rows, 3, 2, 1);
    expect(sheet.width).toBe(3 * 3 + 4 * 1);
    expect(sheet.height).toBe(2 * 2 + 3 * 1);
    expect(sheet.data).toHaveLength(sheet.width * sheet.height * 3);

    // Row 0 tiles start at y = 1; columns at x = 1, 5, 9.
    expect(pixel(sheet, 1, 1)).toEqual([10, 0, 0]);
    expect(pixel(sheet, 3, 2)).toEqual([10, 0, 0]);
    expect(pixel(sheet, 5, 1)).toEqual([0, 20, 0]);
    expect(pixel(sheet, 11, 2)).toEqual([0, 0, 30]);
    // Row 1 tiles start at y = 4.
    expect(pixel(sheet, 1, 4)).toEqual([40, 0, 0]);
    expect(pixel(sheet, 7, 5)).toEqual([0, 50, 0]);
    expect(pixel(sheet, 9, 5)).toEqual([0, 0, 60]);
    // Frame, gaps between tiles and between rows are white.
    for (const [x, y] of [
      [0, 0],
      [12, 6],
      [4, 1],
      [8, 2],
      [2, 3],
      [0, 4],
    ]) {
      expect(pixel(sheet, x, y), `(${x}, ${y})`).toEqual([255, 255, 255]);
    }
  });

  it('copies tiles pixel for pixel, not just their corners', () => {
    const tile = Uint8Array.from({ length: 4 * 3 * 3 }, (_, index) => index);
    const sheet = contactSheet([{ original: tile, heatmap: tile, blend: tile }], 4, 3, 0);
    expect(sheet.width).toBe(12);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) {
        const expected = Array.from(tile.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
        expect(pixel(sheet, x, y)).toEqual(expected);
        expect(pixel(sheet, x + 8, y)).toEqual(expected);
      }
    }
  });

  it('handles 64 rows of 32×32 tiles', () => {
    const rows = Array.from({ length: 64 }, (_, index) => ({
      original: solid(32, 32, [index, 0, 0]),
      heatmap: solid(32, 32, [0, index, 0]),
      blend: solid(32, 32, [0, 0, index]),
    }));
    const sheet = contactSheet(rows, 32, 32);
    expect([sheet.width, sheet.height]).toEqual([3 * 32 + 4 * 2, 64 * 32 + 65 * 2]);
    const lastTop = 2 + 63 * 34;
    expect(pixel(sheet, 2 + 31, lastTop + 31)).toEqual([63, 0, 0]);
    expect(pixel(sheet, 2 + 2 * 34, lastTop)).toEqual([0, 0, 63]);
  });

  it('rejects no rows, bad sizes and wrongly sized tiles, naming the tile', () => {
    const good = solid(2, 2, [1, 2, 3]);
    expect(() => contactSheet([], 2, 2)).toThrow(/no rows/);
    expect(() => contactSheet([{ original: good, heatmap: good, blend: good }], 0, 2)).toThrow(/tile size/);
    expect(() => contactSheet([{ original: good, heatmap: good, blend: good }], 2, 2, -1)).toThrow(/gap/);
    expect(() => contactSheet([{ original: good, heatmap: new Uint8Array(5), blend: good }], 2, 2)).toThrow(
      /row 0 heatmap has 5 bytes, expected 2×2×3 = 12/,
    );
  });
});
