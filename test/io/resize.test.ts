import { describe, expect, it } from 'vitest';
import { resizeArea, resizeBilinear, resizeImage, roundToBytes } from '../../src/io/resize.js';
import { OPENCV_RESIZE_FIXTURES, type ResizeFixture } from './resize-cv2-fixtures.js';

/** The LCG the fixture script uses: s ← (1664525·s + 1013904223) mod 2³², one state per value. */
function lcgStates(count: number, seed: number): Uint32Array {
  const states = new Uint32Array(count);
  let state = seed;
  for (let index = 0; index < count; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    states[index] = state;
  }
  return states;
}

/** Floats in [0, 1): state / 2³² rounded to float32 (numpy's `.astype(np.float32)`). */
function lcgFloats(count: number, seed: number): Float32Array {
  return Float32Array.from(lcgStates(count, seed), (state) => state / 2 ** 32);
}

/** Bytes: the top 8 bits of each state. */
function lcgBytes(count: number, seed: number): Uint8Array {
  return Uint8Array.from(lcgStates(count, seed), (state) => state >>> 24);
}

function decodeExpected(fixture: ResizeFixture): Float32Array | Uint8Array {
  const bytes = Buffer.from(fixture.expected, 'base64');
  if (fixture.dtype === 'uint8') return new Uint8Array(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.byteLength / 4 }, (_, index) => view.getFloat32(index * 4, true));
}

function sourceOf(fixture: ResizeFixture): Float32Array | Uint8Array {
  const count = fixture.srcH * fixture.srcW * fixture.channels;
  return fixture.dtype === 'uint8' ? lcgBytes(count, fixture.seed) : lcgFloats(count, fixture.seed);
}

function maxAbsDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  for (let index = 0; index < actual.length; index++) max = Math.max(max, Math.abs(actual[index] - expected[index]));
  return max;
}

function label(fixture: ResizeFixture): string {
  const { kind, dtype, srcH, srcW, channels, dstH, dstW } = fixture;
  return `${kind} ${dtype} ${srcH}x${srcW}x${channels} -> ${dstH}x${dstW}`;
}

/** Rows of an H×W single-channel array, for readable comparisons. */
function rowsOf(values: Float32Array, width: number): number[][] {
  return Array.from({ length: values.length / width }, (_, row) =>
    Array.from(values.subarray(row * width, (row + 1) * width)),
  );
}

describe('resizeBilinear, hand-computed half-pixel values', () => {
  // 2 -> 4 along an axis: centres map to source x = -0.25, 0.25, 0.75, 1.25, so after clamping
  // the weight on the second source pixel is 0, 0.25, 0.75, 1.
  it('[[0, 1], [1, 0]] to 4x4', () => {
    const result = resizeBilinear(Float32Array.from([0, 1, 1, 0]), 2, 2, 1, 4, 4);
    expect(rowsOf(result, 4)).toEqual([
      [0, 0.25, 0.75, 1],
      [0.25, 0.375, 0.625, 0.75],
      [0.75, 0.625, 0.375, 0.25],
      [1, 0.75, 0.25, 0],
    ]);
  });

  it('[[0, 0], [0, 1]] to 4x4', () => {
    const result = resizeBilinear(Float32Array.from([0, 0, 0, 1]), 2, 2, 1, 4, 4);
    expect(rowsOf(result, 4)).toEqual([
      [0, 0, 0, 0],
      [0, 0.0625, 0.1875, 0.25],
      [0, 0.1875, 0.5625, 0.75],
      [0, 0.25, 0.75, 1],
    ]);
  });

  it('[[0, 0], [0, 1]] to 32x32: flat 8-pixel borders, then weight (d + 0.5) / 16 − 0.5', () => {
    const result = resizeBilinear(Float32Array.from([0, 0, 0, 1]), 2, 2, 1, 32, 32);
    const weight = (d: number) => Math.min(1, Math.max(0, (d + 0.5) / 16 - 0.5));
    for (let row = 0; row < 32; row++) {
      for (let column = 0; column < 32; column++) {
        expect(result[row * 32 + column], `(${row}, ${column})`).toBe(weight(row) * weight(column));
      }
    }
    expect(result[7 * 32 + 31]).toBe(0); // last clamped row
    expect(result[8 * 32 + 8]).toBe(0.0009765625); // 0.03125²
    expect(result[15 * 32 + 16]).toBe(0.2490234375); // 0.46875 · 0.53125
    expect(result[24 * 32 + 24]).toBe(1);
  });

  it('keeps a symmetric map symmetric (transpose and mirror)', () => {
    // Symmetric under transpose and under left-right / up-down mirroring.
    const map = Float32Array.from([0.1, 0.7, 0.1, 0.7, 0.3, 0.7, 0.1, 0.7, 0.1]);
    const size = 17;
    const result = resizeBilinear(map, 3, 3, 1, size, size);
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++) {
        const value = result[row * size + column];
        expect(result[column * size + row]).toBe(value);
        expect(result[row * size + (size - 1 - column)]).toBeCloseTo(value, 6);
        expect(result[(size - 1 - row) * size + column]).toBeCloseTo(value, 6);
      }
    }
  });

  it('is the identity at the same size and keeps channels apart', () => {
    const image = lcgFloats(5 * 4 * 3, 99);
    expect(resizeBilinear(image, 5, 4, 3, 5, 4)).toEqual(image);
    // A constant per channel stays that constant per channel at any size.
    const constant = Float32Array.from({ length: 2 * 2 * 3 }, (_, index) => [0.25, 0.5, 0.75][index % 3]);
    const enlarged = resizeBilinear(constant, 2, 2, 3, 9, 7);
    for (let index = 0; index < enlarged.length; index++) expect(enlarged[index]).toBe([0.25, 0.5, 0.75][index % 3]);
  });
});

describe('agreement with cv2.resize (fixtures)', () => {
  const resizerFor = { linear: resizeBilinear, area: resizeArea, mixed: resizeImage } as const;

  for (const fixture of OPENCV_RESIZE_FIXTURES.filter((candidate) => candidate.dtype === 'float32')) {
    it(`${label(fixture)} matches to 1e-6`, () => {
      const { srcH, srcW, channels, dstH, dstW } = fixture;
      const result = resizerFor[fixture.kind](sourceOf(fixture), srcH, srcW, channels, dstH, dstW);
      expect(maxAbsDifference(result, decodeExpected(fixture))).toBeLessThan(1e-6);
    });
  }

  // cv2 resizes uint8 images in fixed point (INTER_LINEAR: 11-bit weights) or with integer
  // rounding (INTER_AREA, integer factors); we resize in float and round once at the end, so a
  // value may differ by one.
  for (const fixture of OPENCV_RESIZE_FIXTURES.filter((candidate) => candidate.dtype === 'uint8')) {
    it(`${label(fixture)} rounded to bytes is within 1`, () => {
      const { srcH, srcW, channels, dstH, dstW } = fixture;
      const result = roundToBytes(resizerFor[fixture.kind](sourceOf(fixture), srcH, srcW, channels, dstH, dstW));
      expect(maxAbsDifference(result, decodeExpected(fixture))).toBeLessThanOrEqual(1);
    });
  }

  it('covers the sizes the render command relies on', () => {
    const labels = OPENCV_RESIZE_FIXTURES.map(label);
    for (const wanted of [
      '2x2x1 -> 4x4',
      '2x2x1 -> 32x32',
      '7x7x1 -> 28x28',
      '4x4x1 -> 32x32',
      '3x5x1 -> 17x9',
      '10x10x1 -> 3x3',
    ]) {
      expect(labels).toContain(`linear float32 ${wanted}`);
    }
  });
});

describe('resizeArea', () => {
  it('averages blocks exactly for an integer factor', () => {
    // 4x4 -> 2x2: each output is the mean of a 2x2 block.
    const image = Float32Array.from([1, 3, 0, 0, 5, 7, 0, 4, 2, 2, 8, 8, 2, 2, 8, 9]);
    expect(Array.from(resizeArea(image, 4, 4, 1, 2, 2))).toEqual([4, 1, 2, 8.25]);
  });

  it('weights partial pixels by coverage for a non-integer factor', () => {
    // 3 -> 2 along a row: outputs cover [0, 1.5) and [1.5, 3) → (a + b/2) / 1.5 and (b/2 + c) / 1.5.
    const result = resizeArea(Float32Array.from([3, 6, 9]), 1, 3, 1, 1, 2);
    expect(result[0]).toBeCloseTo((3 + 6 / 2) / 1.5, 6);
    expect(result[1]).toBeCloseTo((6 / 2 + 9) / 1.5, 6);
  });

  it('keeps the image mean (every source pixel is counted exactly once in total)', () => {
    for (const [height, width, targetHeight, targetWidth] of [
      [12, 12, 3, 3],
      [37, 45, 14, 14],
      [50, 40, 16, 14],
    ]) {
      const image = lcgFloats(height * width * 3, height + width);
      const result = resizeArea(image, height, width, 3, targetHeight, targetWidth);
      const mean = (values: Float32Array) => values.reduce((sum, value) => sum + value, 0) / values.length;
      expect(mean(result)).toBeCloseTo(mean(image), 5);
    }
  });
});

describe('resizeImage', () => {
  it('uses area when shrinking and bilinear when enlarging', () => {
    const image = lcgFloats(20 * 30 * 3, 5);
    expect(resizeImage(image, 20, 30, 3, 8, 9)).toEqual(resizeArea(image, 20, 30, 3, 8, 9));
    expect(resizeImage(image, 20, 30, 3, 41, 35)).toEqual(resizeBilinear(image, 20, 30, 3, 41, 35));
  });

  it('accepts bytes and returns floats on the 0–255 scale', () => {
    const result = resizeImage(Uint8Array.from([0, 255, 255, 0]), 2, 2, 1, 1, 1);
    expect(Array.from(result)).toEqual([127.5]);
  });
});

describe('input checks', () => {
  it('rejects a length that does not match the shape, and non-positive sizes', () => {
    expect(() => resizeBilinear(new Float32Array(5), 2, 2, 1, 4, 4)).toThrow(/source has 5 values, expected 2×2×1 = 4/);
    expect(() => resizeArea(new Float32Array(4), 2, 2, 1, 0, 4)).toThrow(
      /target height must be a positive integer, got 0/,
    );
    expect(() => resizeImage(new Float32Array(4), 2, 2, 1, 4, 2.5)).toThrow(/target width must be a positive integer/);
  });
});

describe('roundToBytes', () => {
  it('clamps, rounds half to even, and maps NaN to 0', () => {
    const values = Float32Array.from([-3, 0.5, 1.5, 2.5, 2.6, 254.5, 255.4, 300, Number.NaN]);
    expect(Array.from(roundToBytes(values))).toEqual([0, 0, 2, 2, 3, 254, 255, 255, 0]);
  });
});
