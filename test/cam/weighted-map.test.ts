/** The arithmetic the CAM methods share, on hand-computed tensors. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { divideOrZero } from '../../src/cam/divide-or-zero.js';
import { normalizeByMax, weightedMap } from '../../src/cam/weighted-map.js';

describe('weightedMap', () => {
  // One image, 1×2 positions, 2 channels: A at position 0 = (1, 2), at position 1 = (3, -1).
  const activations = tf.tensor4d([1, 2, 3, -1], [1, 1, 2, 2]);

  it('weights the channels, sums them and keeps the positive part (per-channel weights)', () => {
    // W = (2, -1): position 0 → 2·1 − 2 = 0, position 1 → 2·3 + 1 = 7.
    const map = weightedMap(activations, tf.tensor4d([2, -1], [1, 1, 1, 2]));
    expect(map.shape).toEqual([1, 1, 2]);
    expect(Array.from(map.dataSync())).toEqual([0, 7]);
  });

  it('takes one weight per element as well', () => {
    // Position 0: 1·1 + 2·1 = 3; position 1: 3·(−1) + (−1)·1 = −4 → 0.
    const map = weightedMap(activations, tf.tensor4d([1, 1, -1, 1], [1, 1, 2, 2]));
    expect(Array.from(map.dataSync())).toEqual([3, 0]);
  });
});

describe('divideOrZero', () => {
  it('divides, broadcasting, and gives 0 where the denominator is 0', () => {
    const quotient = divideOrZero(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([2, 0], [1, 2]));
    expect(quotient.shape).toEqual([2, 2]);
    expect(Array.from(quotient.dataSync())).toEqual([0.5, 0, 1.5, 0]);
  });

  it('leaves no tensor behind', () => {
    const numerator = tf.tensor1d([1, 0]);
    const denominator = tf.tensor1d([0, 0]);
    const before = tf.memory().numTensors;
    divideOrZero(numerator, denominator).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('normalizeByMax', () => {
  it('divides each map by its own maximum; an all-zero map stays zero', () => {
    const [normalized, maxima] = normalizeByMax(tf.tensor3d([1, 4, 2, 0, 0, 0], [2, 1, 3]));
    expect(Array.from(normalized.dataSync())).toEqual([0.25, 1, 0.5, 0, 0, 0]);
    expect(Array.from(maxima.dataSync())).toEqual([4, 0]);
  });
});
