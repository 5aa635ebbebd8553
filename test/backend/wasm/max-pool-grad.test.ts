/**
 * The replacement MaxPoolGrad for wasm against the cpu backend (which routes each window's
 * gradient to its first maximum, as TensorFlow and PyTorch do), including the cases where
 * tfjs-backend-wasm 4.22's own kernel drops the gradient: windows whose maximum is 0 or negative.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../../src/backend/wasm/kernels.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

async function gradientOn(
  backend: string,
  x: number[],
  shape: [number, number, number, number],
  filter: number,
  stride: number,
  pad: 'same' | 'valid',
  dySeed: number,
) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const input = tf.tensor4d(x, shape);
    const outShape = tf.maxPool(input, filter, stride, pad).shape;
    const dy = tf.randomUniform(outShape, -1, 1, 'float32', dySeed);
    return Array.from(
      tf
        .grad((a: tf.Tensor4D) => tf.maxPool(a, filter, stride, pad))(input, dy)
        .dataSync(),
    );
  });
}

function values(count: number, seed: number, kind: 'signed' | 'relu' | 'ties'): number[] {
  const out: number[] = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const u = state / 2 ** 32;
    if (kind === 'signed') out.push(2 * u - 1);
    else if (kind === 'relu')
      out.push(Math.max(0, 2 * u - 1.2)); // ~60% zeros: many all-zero windows
    else out.push(Math.floor(u * 3)); // 0, 1, 2: ties everywhere
  }
  return out;
}

describe('wasm MaxPoolGrad', () => {
  it.each([
    { shape: [2, 8, 8, 3], filter: 2, stride: 2, pad: 'valid' },
    { shape: [2, 7, 7, 3], filter: 2, stride: 2, pad: 'same' },
    { shape: [1, 9, 6, 2], filter: 3, stride: 1, pad: 'same' },
    { shape: [3, 9, 9, 4], filter: 3, stride: 2, pad: 'valid' },
    { shape: [1, 5, 5, 1], filter: 2, stride: 1, pad: 'valid' },
  ] as const)(
    'matches cpu for $shape, filter $filter, stride $stride, $pad',
    async ({ shape, filter, stride, pad }) => {
      const size = shape.reduce((a, b) => a * b, 1);
      for (const [kind, seed] of [
        ['signed', 1],
        ['relu', 2],
        ['ties', 3],
      ] as const) {
        const x = values(size, seed, kind);
        const expected = await gradientOn('cpu', x, [...shape], filter, stride, pad, seed);
        const actual = await gradientOn('wasm', x, [...shape], filter, stride, pad, seed);
        expect(actual.length).toBe(expected.length);
        for (let i = 0; i < expected.length; i++) expect(actual[i], `${kind} [${i}]`).toBeCloseTo(expected[i], 6);
      }
    },
  );

  it('an all-negative window still passes its gradient to its maximum', async () => {
    const x = [-3, -1, -2, -4];
    expect(await gradientOn('wasm', x, [1, 2, 2, 1], 2, 2, 'valid', 1)).toEqual(
      await gradientOn('cpu', x, [1, 2, 2, 1], 2, 2, 'valid', 1),
    );
    const gradient = await gradientOn('wasm', x, [1, 2, 2, 1], 2, 2, 'valid', 1);
    expect(gradient[1]).not.toBe(0);
    expect([gradient[0], gradient[2], gradient[3]]).toEqual([0, 0, 0]);
  });

  it('leaks no tensors', async () => {
    await tf.setBackend('wasm');
    const input = tf.randomUniform([2, 8, 8, 3]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++)
      tf.tidy(() => {
        tf.grad((a: tf.Tensor4D) => tf.maxPool(a, 2, 2, 'valid'))(input as tf.Tensor4D);
      });
    expect(tf.memory().numTensors).toBe(before);
  });
});
