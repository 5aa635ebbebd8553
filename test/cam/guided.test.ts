/**
 * Guided backpropagation against an independent float64 computation: a tiny net with every form
 * of ReLU (fused into Conv2D and Dense, a standalone ReLU layer, an Activation('relu') layer),
 * whose backward pass is done by hand: the vector-Jacobian product of each linear piece by finite
 * differences through test/helpers/reference-net.ts, and the guided rule applied at each ReLU.
 * Then Guided Grad-CAM = guided backprop ⊙ upsampled map, and the upsampling convention.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainBatch } from '../../src/cam/explain.js';
import { guidedBackprop } from '../../src/cam/guided-backprop.js';
import { withGuidedRelu } from '../../src/surgery/guided-relu.js';
import { CAM_METHODS } from '../../src/cam/methods/index.js';
import { cutModelAt } from '../../src/surgery/layers-cut.js';
import { resizeBilinear } from '../../src/io/resize.js';
import { registerWasmTrainingKernels } from '../../src/backend/wasm/kernels.js';
import { conv2dSame, dense, volumeFrom, type Volume } from '../helpers/reference-net.js';
import { maxDifference } from '../helpers/compare.js';

const [H, W, C] = [4, 4, 2];

function tinyNet(): tf.LayersModel {
  const init = (seed: number) => ({
    kernelInitializer: tf.initializers.heNormal({ seed }),
    biasInitializer: tf.initializers.randomNormal({ mean: 0.2, stddev: 0.3, seed: seed + 100 }),
  });
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      name: 'c1',
      inputShape: [H, W, C],
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      ...init(1),
    }),
  );
  model.add(tf.layers.conv2d({ name: 'c2', filters: 3, kernelSize: 3, padding: 'same', ...init(2) }));
  model.add(tf.layers.reLU({ name: 'r2' }));
  model.add(tf.layers.conv2d({ name: 'c3', filters: 3, kernelSize: 1, padding: 'same', ...init(3) }));
  model.add(tf.layers.activation({ name: 'a3', activation: 'relu' }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ name: 'd4', units: 8, activation: 'relu', ...init(4) }));
  model.add(tf.layers.dense({ name: 'logits', units: 3, ...init(5) }));
  model.add(tf.layers.activation({ activation: 'softmax' }));
  return model;
}

/** The layer with a linear activation: the reference helpers then compute its pre-activation. */
function linear(layer: tf.layers.Layer): tf.layers.Layer {
  return {
    getWeights: () => layer.getWeights(),
    getConfig: () => ({ ...layer.getConfig(), activation: 'linear' }),
  } as unknown as tf.layers.Layer;
}

/**
 * The input gradient of logit `classIndex` in float64, backward by hand. `rule` decides what a
 * ReLU passes back given its forward input z and the gradient r from above.
 */
function handBackprop(model: tf.LayersModel, x: Volume, classIndex: number, rule: (z: number, r: number) => number) {
  const c1 = linear(model.getLayer('c1'));
  const c2 = linear(model.getLayer('c2'));
  const c3 = linear(model.getLayer('c3'));
  const d4 = linear(model.getLayer('d4'));
  const out = linear(model.getLayer('logits'));
  const relu = (v: Volume): Volume => ({ ...v, data: v.data.map((value) => Math.max(0, value)) });
  const z1 = conv2dSame(c1, x);
  const z2 = conv2dSame(c2, relu(z1));
  const z3 = conv2dSame(c3, relu(z2));
  const z4 = dense(d4, relu(z3).data);
  const h4 = z4.map((value) => Math.max(0, value));

  // Vector-Jacobian products of the affine pieces, v·∂L/∂z, by central differences of z ↦ v·L(z)
  // (affine, so exact up to rounding).
  const vjp = (apply: (z: Float64Array) => Float64Array, at: Float64Array, v: ArrayLike<number>): Float64Array =>
    at.map((_, i) => {
      const step = 1e-4;
      const plus = at.slice();
      const minus = at.slice();
      plus[i] += step;
      minus[i] -= step;
      const dot = (values: Float64Array) => values.reduce((sum, value, j) => sum + value * v[j], 0);
      return (dot(apply(plus)) - dot(apply(minus))) / (2 * step);
    });
  const guided = (z: ArrayLike<number>, r: ArrayLike<number>) => Float64Array.from(r, (value, i) => rule(z[i], value));
  const asVolume = (like: Volume) => (data: Float64Array) => ({ ...like, data });

  // Per ReLU: how many units had a positive input but a negative incoming gradient (the guided
  // rule blocks those, the plain gradient passes them).
  const blocked: Record<string, number> = {};
  const count = (relu: string, z: ArrayLike<number>, r: ArrayLike<number>) => {
    blocked[relu] = Array.from(z).filter((value, i) => value > 0 && r[i] < 0).length;
  };
  const rY = Float64Array.from({ length: 3 }, (_, c) => (c === classIndex ? 1 : 0));
  const rH4 = vjp((h) => dense(out, h), h4, rY);
  count('d4 (fused in Dense)', z4, rH4);
  const rH3 = vjp((h) => dense(d4, h), relu(z3).data, guided(z4, rH4));
  count('a3 (Activation layer)', z3.data, rH3);
  const rH2 = vjp((h) => conv2dSame(c3, asVolume(z2)(h)).data, relu(z2).data, guided(z3.data, rH3));
  count('r2 (ReLU layer)', z2.data, rH2);
  const rH1 = vjp((h) => conv2dSame(c2, asVolume(z1)(h)).data, relu(z1).data, guided(z2.data, rH2));
  count('c1 (fused in Conv2D)', z1.data, rH1);
  const rX = vjp((input) => conv2dSame(c1, asVolume(x)(input)).data, x.data, guided(z1.data, rH1));
  return { gradient: rX, blocked };
}

const GUIDED = (z: number, r: number) => (z > 0 && r > 0 ? r : 0);
const PLAIN = (z: number, r: number) => (z > 0 ? r : 0);

describe.each(['cpu', 'wasm'])('guided backpropagation (%s backend)', (backend) => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    if (backend === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      // As `gradcam` does at startup (backend/index.ts): linear convolutions take tfjs's fused
      // path, whose gradient needs Conv2DBackpropFilter, which wasm 4.22 lacks.
      registerWasmTrainingKernels();
    }
    await tf.setBackend(backend);
  });

  it('matches the guided rule applied by hand, for every form of ReLU, and differs from the plain gradient', () => {
    const model = tinyNet();
    const cut = cutModelAt(model, 'a3');
    const image = tf.randomUniform([1, H, W, C], -1, 1, 'float32', 24) as tf.Tensor4D;
    const x = volumeFrom(image.dataSync(), H, W, C);
    const blockedSomewhere: Record<string, number> = {};
    for (let classIndex = 0; classIndex < 3; classIndex++) {
      const expected = handBackprop(model, x, classIndex, GUIDED);
      const reference = handBackprop(model, x, classIndex, PLAIN);
      for (const [relu, count] of Object.entries(expected.blocked))
        blockedSomewhere[relu] = (blockedSomewhere[relu] ?? 0) + count;
      expect(Math.max(...expected.gradient.map(Math.abs))).toBeGreaterThan(1e-2);

      const dy = tf.oneHot(tf.tensor1d([classIndex], 'int32'), 3).toFloat() as tf.Tensor2D;
      const guided = guidedBackprop(cut, image, dy);
      const plain = tf.grad((input: tf.Tensor) => cut.logits(input as tf.Tensor4D))(image, dy);
      expect(maxDifference(guided.dataSync(), expected.gradient)).toBeLessThan(1e-5);
      expect(maxDifference(plain.dataSync(), reference.gradient)).toBeLessThan(1e-5);
      // Where a ReLU got a negative gradient, guided backprop blocks what the gradient lets through.
      expect(maxDifference(guided.dataSync(), plain.dataSync())).toBeGreaterThan(1e-2);
      tf.dispose([dy, guided, plain]);
    }
    // Every form of ReLU was exercised: each blocked a negative gradient for some class.
    expect(Object.keys(blockedSomewhere)).toHaveLength(4);
    for (const [relu, count] of Object.entries(blockedSomewhere)) expect(count, relu).toBeGreaterThan(0);
    image.dispose();
  });

  it('restores the ordinary ReLU gradient afterwards, also when the forward pass throws', () => {
    const x = tf.tensor1d([-1, 2, 3]);
    const dy = tf.tensor1d([5, -4, 6]);
    const reluGradient = () =>
      Array.from(
        tf
          .grad((v: tf.Tensor) => tf.relu(v))(x, dy)
          .dataSync(),
        (value) => value + 0,
      ); // + 0: −0 → 0
    expect(withGuidedRelu(reluGradient)).toEqual([0, 0, 6]); // the negative −4 is blocked
    expect(reluGradient()).toEqual([0, -4, 6]);
    expect(() =>
      withGuidedRelu(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(reluGradient()).toEqual([0, -4, 6]);
    tf.dispose([x, dy]);
  });

  it('Guided Grad-CAM is guided backprop times the map upsampled bilinearly with half-pixel centres', () => {
    // Target c1's ReLU output at 4×4 would need no upsampling: explain a 2×2 pooled layer instead.
    const input = tf.input({ shape: [H, W, C] });
    const conv = tf.layers
      .conv2d({
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: 7 }),
      })
      .apply(input) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }).apply(conv) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(pooled) as tf.SymbolicTensor;
    const scores = tf.layers
      .dense({ units: 2, kernelInitializer: tf.initializers.glorotNormal({ seed: 8 }) })
      .apply(flat) as tf.SymbolicTensor;
    const cut = cutModelAt(tf.model({ inputs: input, outputs: scores }), 'pool');
    const images = tf.randomUniform([2, H, W, C], 0, 1, 'float32', 9) as tf.Tensor4D;
    const explanations = explainBatch(
      cut,
      images,
      { kind: 'class', index: 1 },
      { method: CAM_METHODS.gradcam, counterfactual: false, guided: true },
    );
    const dy = tf.oneHot(tf.tensor1d([1, 1], 'int32'), 2).toFloat() as tf.Tensor2D;
    const direct = guidedBackprop(cut, images, dy).dataSync();
    tf.dispose([images, dy]);
    for (const explanation of explanations) {
      const size = H * W * C;
      const guidedBackpropValues = explanation.guidedBackprop as Float32Array;
      expect(
        maxDifference(guidedBackpropValues, direct.subarray(explanation.image * size, (explanation.image + 1) * size)),
      ).toBeLessThan(1e-6);
      const upsampled = resizeBilinear(explanation.map, 2, 2, 1, H, W);
      const expected = Array.from(guidedBackpropValues, (value, i) => value * upsampled[Math.floor(i / C)]);
      expect(maxDifference(explanation.guided as Float32Array, expected)).toBeLessThan(1e-6);
      expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-3);
    }
  });

  it('tf.image.resizeBilinear with halfPixelCenters equals resize.ts (cv2 INTER_LINEAR) when enlarging', () => {
    for (const [h, w, targetH, targetW] of [
      [7, 7, 28, 28],
      [4, 4, 32, 32],
      [3, 5, 10, 7],
      [2, 2, 5, 5],
    ]) {
      const map = tf.randomUniform([1, h, w, 1], 0, 1, 'float32', h * 10 + w) as tf.Tensor4D;
      const resized = tf.image.resizeBilinear(map, [targetH, targetW], false, true);
      const expected = resizeBilinear(map.dataSync() as Float32Array, h, w, 1, targetH, targetW);
      expect(maxDifference(resized.dataSync(), expected), `${h}×${w} → ${targetH}×${targetW}`).toBeLessThan(1e-6);
      tf.dispose([map, resized]);
    }
  });
});
