/**
 * The wasm backend's DepthwiseConv2dNativeBackpropInput (src/models/wasm-depthwise-gradients.ts):
 * it is the adjoint of the forward depthwise convolution, ⟨dy, conv(x)⟩ = ⟨dx, x⟩ for every x
 * (checked with the cpu backend's forward op), and equals the cpu backend's own kernel where that
 * one applies (no dilation: the cpu kernel ignores it). Strides 1 and 2, 'same' and 'valid'
 * padding, channel multipliers 1 and 2, odd sizes, a dilated filter, batches.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareWasm } from '../helpers/backends.js';
import { maxDifference } from '../helpers/compare.js';

interface Case {
  input: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
  dilation: number;
}

const CASES: Case[] = [
  { input: [1, 5, 5, 3], filter: [3, 3, 3, 1], stride: 1, pad: 'same', dilation: 1 },
  { input: [2, 7, 6, 4], filter: [3, 3, 4, 2], stride: 2, pad: 'same', dilation: 1 },
  { input: [3, 9, 8, 2], filter: [5, 3, 2, 1], stride: 2, pad: 'valid', dilation: 1 },
  { input: [1, 8, 8, 3], filter: [3, 3, 3, 2], stride: 1, pad: 'same', dilation: 2 },
];

/** dx = DepthwiseConv2dNativeBackpropInput(dy, filter) on the given backend. */
async function inputGradient(backend: string, testCase: Case, dyValues: Float32Array, filterValues: Float32Array, dyShape: number[]): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const dy = tf.tensor(dyValues, dyShape);
    const filter = tf.tensor(filterValues, testCase.filter);
    const attrs = { strides: testCase.stride, pad: testCase.pad, dilations: testCase.dilation, inputShape: testCase.input };
    return tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }).data() as Promise<Float32Array>;
}

describe('wasm DepthwiseConv2dNativeBackpropInput', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await prepareWasm();
  });

  it.each(CASES)('equals the cpu kernel: input $input, filter $filter, stride $stride, $pad, dilation $dilation', async (testCase) => {
    await tf.setBackend('cpu');
    const dyShape = tf.tidy(() => tf.depthwiseConv2d(tf.zeros(testCase.input), tf.zeros(testCase.filter), testCase.stride, testCase.pad, 'NHWC', testCase.dilation).shape);
    const dyValues = Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.91 + 0.2));
    const filterValues = Float32Array.from({ length: testCase.filter.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i * 1.37));
    const expected = await inputGradient('cpu', testCase, dyValues, filterValues, dyShape);
    const actual = await inputGradient('wasm', testCase, dyValues, filterValues, dyShape);
    expect(expected.some((value) => Math.abs(value) > 0.5)).toBe(true);
    if (testCase.dilation === 1) expect(maxDifference(actual, expected)).toBeLessThan(1e-5);

    await tf.setBackend('cpu');
    const [forwardProduct, adjointProduct] = tf.tidy(() => {
      const x = tf.randomNormal(testCase.input, 0, 1, 'float32', 3);
      const y = tf.depthwiseConv2d(x as tf.Tensor4D, tf.tensor4d(filterValues, testCase.filter), testCase.stride, testCase.pad, 'NHWC', testCase.dilation);
      return [tf.sum(tf.mul(y, tf.tensor(dyValues, dyShape))).dataSync()[0], tf.sum(tf.mul(x, tf.tensor(actual, testCase.input))).dataSync()[0]];
    });
    expect(Math.abs(forwardProduct - adjointProduct)).toBeLessThan(1e-3 * Math.max(1, Math.abs(forwardProduct)));
  });
});
