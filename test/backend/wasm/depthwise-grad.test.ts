/**
 * The wasm backend's DepthwiseConv2dNativeBackpropInput (src/backend/wasm/depthwise-grad.ts)
 * against the cpu backend's, through tf.grad of a depthwise convolution: strides, padding,
 * channel multipliers as MobileNet, EfficientNet and SeparableConv2D use them.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareWasm } from '../../helpers/backends.js';
import { maxDifference } from '../../helpers/compare.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await prepareWasm();
});

async function inputGradient(
  backend: string,
  c: { shape: number[]; filter: number[]; strides: number; pad: 'same' | 'valid'; dilation: number },
): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.randomNormal(c.shape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const filter = tf.randomNormal(c.filter, 0, 1, 'float32', 2) as tf.Tensor4D;
    const probe = tf.depthwiseConv2d(x, filter, c.strides, c.pad, 'NHWC', c.dilation);
    const dy = tf.randomNormal(probe.shape, 0, 1, 'float32', 3);
    const gradient = tf.grad((input: tf.Tensor4D) =>
      tf.sum(tf.mul(tf.depthwiseConv2d(input, filter, c.strides, c.pad, 'NHWC', c.dilation), dy)),
    )(x);
    return gradient.dataSync() as Float32Array;
  });
}

describe('wasm DepthwiseConv2dNativeBackpropInput', () => {
  it.each([
    { shape: [2, 7, 6, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same' as const, dilation: 1 },
    { shape: [1, 9, 8, 4], filter: [3, 3, 4, 1], strides: 2, pad: 'same' as const, dilation: 1 },
    { shape: [1, 8, 8, 2], filter: [5, 5, 2, 3], strides: 2, pad: 'valid' as const, dilation: 1 },
  ])('equals the cpu backend: $shape, filter $filter, stride $strides, $pad, dilation $dilation', async (c) => {
    const cpu = await inputGradient('cpu', c);
    const wasm = await inputGradient('wasm', c);
    expect(Math.max(...cpu.map(Math.abs))).toBeGreaterThan(0.5);
    expect(maxDifference(wasm, cpu)).toBeLessThan(1e-4);
  });
});
