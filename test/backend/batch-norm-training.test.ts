/**
 * The fused training-mode batch norm (two kernels, closed-form gradient) against a hand-computed
 * case and against tfjs's own composition (moments, batchNorm, and autodiff through both) on the
 * cpu and wasm backends. (A whole training step through them: test/models/forward.test.ts.)
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchNormInTraining,
  hasBatchNormTraining,
  registerBatchNormTraining,
} from '../../src/backend/batch-norm-training.js';
import { prepareWasm } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';

const EPSILON = 1e-3;

beforeAll(async () => {
  tf.env().set('PROD', true);
  await prepareWasm();
  registerBatchNormTraining();
});

/** Σ w·y + Σ u·mean + Σ v·variance, so that every output of the op carries a gradient. */
type Normalize = (
  x: tf.Tensor,
  scale: tf.Tensor,
  offset: tf.Tensor,
) => { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor };

const fused: Normalize = (x, scale, offset) => {
  const { normalized, mean, variance } = batchNormInTraining(x, scale, offset, EPSILON);
  return { y: normalized, mean, variance };
};

/** What tfjs-layers does in training: moments of the batch, then batchNorm; autodiff through both. */
const stock: Normalize = (x, scale, offset) => {
  const { mean, variance } = tf.moments(
    x,
    x.shape.slice(0, -1).map((_, axis) => axis),
  );
  return { y: tf.batchNorm(x, mean, variance, offset, scale, EPSILON), mean, variance };
};

function valuesAndGradients(
  normalize: Normalize,
  shape: number[],
  seed: number,
  statisticsWeight: number,
): Float32Array[] {
  return tf.tidy(() => {
    const channels = shape.at(-1) as number;
    const x = tf.randomNormal(shape, 0.7, 2, 'float32', seed);
    const scale = tf.randomUniform([channels], 0.5, 1.5, 'float32', seed + 1);
    const offset = tf.randomUniform([channels], -1, 1, 'float32', seed + 2);
    const w = tf.randomNormal(shape, 0, 1, 'float32', seed + 3);
    const u = tf.randomNormal([channels], 0, statisticsWeight, 'float32', seed + 4);
    const v = tf.randomNormal([channels], 0, statisticsWeight, 'float32', seed + 5);
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const { y, mean, variance } = normalize(a, b, c);
      return tf.addN([tf.sum(tf.mul(y, w)), tf.sum(tf.mul(mean, u)), tf.sum(tf.mul(variance, v))]) as tf.Scalar;
    };
    const { y, mean, variance } = normalize(x, scale, offset);
    const grads = tf.grads(loss)([x, scale, offset]);
    return [y, mean, variance, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

function largestMagnitude(values: Float32Array): number {
  return values.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
}

describe('fused training-mode batch norm', () => {
  it.each(['cpu', 'wasm'])('normalizes a hand-computed channel on %s', async (backend) => {
    await tf.setBackend(backend);
    // Channel 0: 1, 2, 3, 4 → mean 2.5, variance 1.25. Channel 1: constant 5 → mean 5, variance 0.
    const x = tf.tensor4d([1, 5, 2, 5, 3, 5, 4, 5], [1, 2, 2, 2]);
    const { normalized, mean, variance } = batchNormInTraining(x, tf.tensor1d([2, 3]), tf.tensor1d([1, -1]), EPSILON);
    const s = 2 / Math.sqrt(1.25 + EPSILON);
    expectClose(normalized.dataSync(), [1 - 1.5 * s, -1, 1 - 0.5 * s, -1, 1 + 0.5 * s, -1, 1 + 1.5 * s, -1], 1e-6);
    expectClose(mean.dataSync(), [2.5, 5], 1e-7);
    expectClose(variance.dataSync(), [1.25, 0], 1e-7);
  });

  it.each([
    { backend: 'cpu', shape: [4, 5, 6, 3], statisticsWeight: 0 },
    { backend: 'cpu', shape: [4, 5, 6, 3], statisticsWeight: 1 },
    { backend: 'cpu', shape: [7, 9], statisticsWeight: 1 },
    { backend: 'wasm', shape: [8, 6, 6, 16], statisticsWeight: 0 },
    { backend: 'wasm', shape: [3, 4, 4, 5], statisticsWeight: 1 },
  ])(
    'equals tfjs moments + batchNorm and their gradients on $backend for $shape (statistics weighted $statisticsWeight)',
    async (c) => {
      await tf.setBackend(c.backend);
      expect(hasBatchNormTraining()).toBe(true);
      const expected = valuesAndGradients(stock, c.shape, 3, c.statisticsWeight);
      const actual = valuesAndGradients(fused, c.shape, 3, c.statisticsWeight);
      // y, mean, variance, dx, dScale, dOffset; relative to each one's largest magnitude.
      expect(actual).toHaveLength(6);
      actual.forEach((values, i) =>
        expectClose(values, expected[i], 2e-5 * Math.max(1, largestMagnitude(expected[i]))),
      );
    },
  );

  it('is not registered for a backend it does not know', async () => {
    await tf.setBackend('cpu');
    expect(hasBatchNormTraining()).toBe(true);
    expect(tf.getKernel('GradcamBatchNormTraining', 'webgl')).toBeUndefined();
  });
});
