/**
 * Grad-CAM on a hand-built network whose gradients are constant, so the map can be written down.
 *
 * Input x: 3×3×1. Target layer `conv`: a 1×1 convolution with two filters (+1 and −1, no bias,
 * linear), so A¹ = x and A² = −x. Then flatten and a dense layer to two classes whose weights are
 * a constant per channel: y⁰ = Σ (a·A¹ + b·A²), y¹ = Σ (c·A¹ + d·A²). Hence ∂y⁰/∂A¹ = a and
 * ∂y⁰/∂A² = b everywhere, α⁰ = (a, b), and the Grad-CAM map of class 0 is
 * ReLU(a·x − b·x) = ReLU((a − b)·x), normalized by its maximum.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainBatch } from '../../src/cam/explain.js';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { cutModelAt } from '../../src/surgery/layers-cut.js';
import { prepareWasm } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';

const [a, b, c, d] = [0.5, -0.25, -1, 2];
const x = [1, -2, 3, 0, 4, -1, 2, 2, -3];

function handBuiltModel(outputActivation: 'softmax' | 'linear' | 'separate-softmax'): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: 'conv', inputShape: [3, 3, 1], filters: 2, kernelSize: 1, useBias: false }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({ name: 'logits', units: 2, activation: outputActivation === 'softmax' ? 'softmax' : 'linear' }),
  );
  if (outputActivation === 'separate-softmax')
    model.add(tf.layers.activation({ name: 'probabilities', activation: 'softmax' }));
  model.getLayer('conv').setWeights([tf.tensor4d([1, -1], [1, 1, 1, 2])]);
  // Flattened index (i·3 + j)·2 + k: channel k of every position gets the same weight.
  const kernel = Array.from({ length: 18 }, (_, index) => (index % 2 === 0 ? [a, c] : [b, d])).flat();
  model.getLayer('logits').setWeights([tf.tensor2d(kernel, [18, 2]), tf.zeros([2])]);
  return model;
}

function expectedMap(weightDifference: number): { map: number[]; rawMax: number } {
  const raw = x.map((value) => Math.max(0, weightDifference * value));
  const rawMax = Math.max(...raw);
  return { map: raw.map((value) => value / rawMax), rawMax };
}

describe.each(['cpu', 'wasm'])('Grad-CAM on a hand-built net (%s backend)', (backend) => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    if (backend === 'wasm') await prepareWasm();
    await tf.setBackend(backend);
  });

  it.each(['linear', 'softmax', 'separate-softmax'] as const)('matches the hand-computed map (output %s)', (output) => {
    const cut = cutModelAt(handBuiltModel(output), 'conv');
    const images = tf.tensor4d(x, [1, 3, 3, 1]);
    const [class0] = explainBatch(cut, images, { kind: 'class', index: 0 }, { method: gradcam, counterfactual: false });
    const [class1] = explainBatch(cut, images, { kind: 'class', index: 1 }, { method: gradcam, counterfactual: false });
    images.dispose();

    const expected0 = expectedMap(a - b);
    expectClose(class0.map, expected0.map, 1e-5);
    expect(class0.rawMax).toBeCloseTo(expected0.rawMax, 5);
    // Class 1: ReLU((c − d)·x); differs from class 0 because the weights have the other sign.
    const expected1 = expectedMap(c - d);
    expectClose(class1.map, expected1.map, 1e-5);
    // The logit, not the probability, is reported and differentiated (y⁰ = Σ (a − b)·x).
    const sum = x.reduce((s, v) => s + v, 0);
    expect(class0.target.logit).toBeCloseTo((a - b) * sum, 4);
  });

  it('weights the channels by α; adding α to A (the tutorial mistake) would give another map', () => {
    const cut = cutModelAt(handBuiltModel('linear'), 'conv');
    const images = tf.tensor4d(x, [1, 3, 3, 1]);
    const [explanation] = explainBatch(
      cut,
      images,
      { kind: 'class', index: 0 },
      { method: gradcam, counterfactual: false },
    );
    images.dispose();
    const added = x.map((value) => Math.max(0, value + a + (-value + b)));
    const addedMax = Math.max(...added);
    const addedMap = added.map((v) => (addedMax > 0 ? v / addedMax : 0));
    const distance = Math.max(...addedMap.map((v, i) => Math.abs(v - explanation.map[i])));
    expect(distance).toBeGreaterThan(0.1);
  });

  it('counterfactual: negated gradients give ReLU(−(a − b)·x)', () => {
    const cut = cutModelAt(handBuiltModel('linear'), 'conv');
    const images = tf.tensor4d(x, [1, 3, 3, 1]);
    const [explanation] = explainBatch(
      cut,
      images,
      { kind: 'class', index: 0 },
      { method: gradcam, counterfactual: true },
    );
    images.dispose();
    expectClose(explanation.map, expectedMap(-(a - b)).map, 1e-5);
  });

  it('a map with no positive value is written as zeros and marked empty', () => {
    const cut = cutModelAt(handBuiltModel('linear'), 'conv');
    const images = tf.tensor4d(
      x.map(() => 0),
      [1, 3, 3, 1],
    );
    const [explanation] = explainBatch(
      cut,
      images,
      { kind: 'class', index: 0 },
      { method: gradcam, counterfactual: false },
    );
    images.dispose();
    expect(explanation.empty).toBe(true);
    expect(explanation.rawMax).toBe(0);
    expect(Array.from(explanation.map)).toEqual(x.map(() => 0));
  });

  it('top-k gives one map per class, ranked by logit', () => {
    const cut = cutModelAt(handBuiltModel('linear'), 'conv');
    const images = tf.tensor4d(x, [1, 3, 3, 1]);
    const explanations = explainBatch(cut, images, { kind: 'top-k', k: 2 }, { method: gradcam, counterfactual: false });
    images.dispose();
    const sum = x.reduce((s, v) => s + v, 0);
    const logits = [(a - b) * sum, (c - d) * sum];
    const top = logits[0] > logits[1] ? 0 : 1;
    expect(explanations.map((e) => e.target.index)).toEqual([top, 1 - top]);
    expect(explanations.every((e) => e.predicted.index === top)).toBe(true);
  });
});
