/**
 * The batch-norm gradient without Tile gives bitwise the gradients of tfjs-core's own, on the cpu
 * and wasm backends, through batch normalization as tfjs-layers trains it (moments of the batch,
 * then FusedBatchNorm), and runs no Tile kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchNormGradient, registerBatchNormGradient } from '../../src/backend/batch-norm-gradient.js';
import { prepareWasm } from '../helpers/backends.js';

const stockGradient = tf.getGradient('FusedBatchNorm');

beforeAll(async () => {
  tf.env().set('PROD', true);
  await prepareWasm();
});

afterAll(() => {
  if (stockGradient) tf.registerGradient(stockGradient);
});

/** Gradients of Σ w·BN(x) with respect to x, γ and β, where BN uses the batch's own statistics. */
function batchNormGradients(shape: number[], seed: number): Float32Array[] {
  return tf.tidy(() => {
    const channels = shape.at(-1) as number;
    const x = tf.randomNormal(shape, 0.5, 2, 'float32', seed);
    const gamma = tf.randomUniform([channels], 0.5, 1.5, 'float32', seed + 1);
    const beta = tf.randomUniform([channels], -1, 1, 'float32', seed + 2);
    const weights = tf.randomNormal(shape, 0, 1, 'float32', seed + 3);
    const axes = shape.slice(0, -1).map((_, axis) => axis);
    const loss = (input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
      const { mean, variance } = tf.moments(input, axes);
      return tf.sum(tf.mul(tf.batchNorm(input, mean, variance, offset, scale, 1e-3), weights));
    };
    const grads = tf.grads((a, b, c) => loss(a, b, c) as tf.Scalar)([x, gamma, beta]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

describe('FusedBatchNorm gradient without Tile', () => {
  it.each([
    { backend: 'cpu', shape: [4, 5, 6, 3] },
    { backend: 'cpu', shape: [7, 9] },
    { backend: 'wasm', shape: [8, 6, 6, 16] },
    { backend: 'wasm', shape: [3, 4, 4, 5] },
    { backend: 'wasm', shape: [16, 12] },
  ])('equals tfjs-core bit for bit on $backend for $shape', async ({ backend, shape }) => {
    await tf.setBackend(backend);
    if (stockGradient) tf.registerGradient(stockGradient);
    const expected = batchNormGradients(shape, 11);
    registerBatchNormGradient();
    const actual = batchNormGradients(shape, 11);
    expect(actual.map((g) => Array.from(g))).toEqual(expected.map((g) => Array.from(g)));
  });

  it('runs no Tile kernel on wasm, where tfjs-core runs one per layer', async () => {
    await tf.setBackend('wasm');
    const kernelsOf = async () =>
      (await tf.profile(() => batchNormGradients([8, 6, 6, 16], 5))).kernels.map((k) => k.name);
    if (stockGradient) tf.registerGradient(stockGradient);
    expect(await kernelsOf()).toContain('Tile');
    registerBatchNormGradient();
    expect(await kernelsOf()).not.toContain('Tile');
  });

  it('registers once', () => {
    registerBatchNormGradient();
    const first = tf.getGradient('FusedBatchNorm');
    registerBatchNormGradient();
    expect(tf.getGradient('FusedBatchNorm')).toBe(first);
    expect(first?.gradFunc).toBe(batchNormGradient.gradFunc);
  });
});
