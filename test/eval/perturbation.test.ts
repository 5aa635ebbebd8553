import { describe, expect, it } from 'vitest';
import { deletionSeries, insertionSeries, perturbationSeries } from '../../src/eval/perturbation.js';
import { saliencyOrder, uniformValues, upsampleMap } from '../../src/eval/pixel-order.js';
import { Random } from '../../src/random.js';

describe('saliencyOrder', () => {
  it('orders a hand-made map by decreasing value, ties by the tie-break key', () => {
    const map = Float32Array.from([0.1, 0.9, 0.5, 0.9, 0.1]);
    const tieBreak = Float32Array.from([0.3, 0.7, 0, 0.2, 0.1]);
    expect(Array.from(saliencyOrder(map, tieBreak))).toEqual([3, 1, 2, 4, 0]);
    // Equal keys too: the lower index first.
    expect(Array.from(saliencyOrder(map, new Float32Array(5)))).toEqual([1, 3, 2, 0, 4]);
  });

  it('orders an upsampled 2×2 map by its bilinear values, hottest first', () => {
    // Half-pixel bilinear 2×2 → 4×4 (rows sample source rows 0, 0.25, 0.75, 1):
    //   0     0.05   0.15   0.2
    //   0.1   0.175  0.325  0.4
    //   0.3   0.4625 0.6875 0.8
    //   0.4   0.55   0.85   1
    const saliency = upsampleMap(Float32Array.from([0, 0.2, 0.4, 1]), 2, 2, 4, 4);
    expect(saliency[6]).toBeCloseTo(0.325, 6);
    const order = saliencyOrder(saliency, uniformValues(new Random(1), 16));
    expect(Array.from(order.slice(0, 6))).toEqual([15, 14, 11, 10, 13, 9]);
    expect(Array.from(order.slice(12))).toEqual([2, 4, 1, 0]);
    // 0.4 appears twice (pixels 7 and 12): adjacent in the order, in the order of their random keys.
    const tied = [7, 12].map((pixel) => order.indexOf(pixel));
    expect(Math.abs(tied[0] - tied[1])).toBe(1);
  });

  it('draws the same tie-break keys for the same seed', () => {
    expect(uniformValues(new Random(7), 5)).toEqual(uniformValues(new Random(7), 5));
    expect(uniformValues(new Random(7), 5)).not.toEqual(uniformValues(new Random(8), 5));
  });
});

describe('perturbation series', () => {
  const image = Float32Array.from([1, 2, 3, 4]); // 2×2, 1 channel
  const order = Int32Array.from([3, 0, 2, 1]);

  it('deletes round(k·N/S) pixels in order at step k', () => {
    const two = deletionSeries(image, order, 2, 1, [0]);
    expect(Array.from(two)).toEqual([1, 2, 3, 4, /* pixels 3, 0 */ 0, 2, 3, 0, /* all */ 0, 0, 0, 0]);
    // S = 3: round(4/3) = 1, round(8/3) = 3, then 4 pixels.
    const three = deletionSeries(image, order, 3, 1, [-1]);
    expect(Array.from(three)).toEqual([1, 2, 3, 4, 1, 2, 3, -1, -1, 2, -1, -1, -1, -1, -1, -1]);
  });

  it('inserts original pixels into the blurred image in the same order', () => {
    const blurred = Float32Array.from([9, 9, 9, 9]);
    expect(Array.from(insertionSeries(image, blurred, order, 2, 1))).toEqual([9, 9, 9, 9, 1, 9, 9, 4, 1, 2, 3, 4]);
  });

  it('replaces every channel of a pixel at once, with the per-channel removed value', () => {
    const rgb = Float32Array.from([1, 2, 3, 4, 5, 6]); // 1×2 pixels, 3 channels
    const series = deletionSeries(rgb, Int32Array.from([1, 0]), 2, 3, [-1, -2, -3]);
    expect(Array.from(series)).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, -1, -2, -3, -1, -2, -3, -1, -2, -3]);
  });

  it('refuses inconsistent sizes', () => {
    expect(() => perturbationSeries(image, new Float32Array(3), order, 2, 1)).toThrow(/disagree/);
    expect(() => perturbationSeries(image, image, order, 0, 1)).toThrow(/steps/);
  });
});
