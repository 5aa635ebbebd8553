/**
 * Every CAM method on hand-built networks whose activations and gradients can be written down,
 * each compared with its paper's formula evaluated in plain float64 JavaScript; then the checks
 * every method must pass on a real VGG (shape, range, inputs untouched, batching, no tensor leaks).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainBatch, type ExplainOptions } from '../../src/cam/explain.js';
import { CAM_METHOD_NAMES, CAM_METHODS, type CamMethodName } from '../../src/cam/methods/index.js';
import { cutModelAt } from '../../src/surgery/layers-cut.js';
import { resizeBilinear } from '../../src/io/resize.js';
import { buildVgg } from '../../src/models/vgg.js';
import { prepareWasm } from '../helpers/backends.js';
import { expectClose, maxDifference } from '../helpers/compare.js';

type GradientMethodName = 'gradcam' | 'gradcam++' | 'hirescam' | 'xgradcam' | 'layercam';
const GRADIENT_METHODS: GradientMethodName[] = ['gradcam', 'gradcam++', 'hirescam', 'xgradcam', 'layercam'];

const plain = (name: CamMethodName, extra: Partial<ExplainOptions> = {}): ExplainOptions => ({
  method: CAM_METHODS[name],
  counterfactual: false,
  ...extra,
});

/**
 * Input x: 3×3×1, all ≥ 0. Target `conv`: 1×1 convolution, kernel (1, 0.5), bias (0, 1), linear,
 * so A⁰ = x and A¹ = 0.5·x + 1 (non-negative, like post-ReLU activations). Then flatten and a
 * dense layer with a *different* weight per position and channel: y^c = Σ_p Σ_k W[p, k, c]·A^k_p,
 * so ∂y^c/∂A^k_p = W[p, k, c] varies over space and every method gives another map.
 */
const X = [1, 0, 3, 2, 4, 1, 0, 2, 3];
// W[p][k][c]; W[4][0][0] = 0 exercises Grad-CAM++'s 0/0 rule.
const W = [
  [
    [0.5, -0.3],
    [-0.5, 0.8],
  ],
  [
    [-1, 0.2],
    [0.2, -0.4],
  ],
  [
    [0.25, 1],
    [0.3, 0.1],
  ],
  [
    [1, -0.6],
    [-1, 0.5],
  ],
  [
    [0, 0.7],
    [0.6, -0.2],
  ],
  [
    [0.75, -1],
    [0.4, 0.3],
  ],
  [
    [2, 0.4],
    [-0.2, -0.9],
  ],
  [
    [-0.25, 0.6],
    [0.9, 0.2],
  ],
  [
    [0.1, -0.5],
    [-0.7, 1.2],
  ],
];

function positionWeightedNet(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: 'conv', inputShape: [3, 3, 1], filters: 2, kernelSize: 1 }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'logits', units: 2 }));
  model.getLayer('conv').setWeights([tf.tensor4d([1, 0.5], [1, 1, 1, 2]), tf.tensor1d([0, 1])]);
  // Flatten order is (position, channel): row p·2 + k of the kernel.
  model.getLayer('logits').setWeights([tf.tensor2d(W.flat(2), [18, 2]), tf.zeros([2])]);
  return model;
}

/** The papers' formulas in float64. activations, gradients: [position][channel]. Returns the raw map. */
function referenceRawMap(method: GradientMethodName, activations: number[][], gradients: number[][]): number[] {
  const positions = activations.length;
  const channels = activations[0].length;
  const channelSum = (f: (p: number) => number) =>
    Array.from({ length: positions }, (_, p) => f(p)).reduce((s, v) => s + v, 0);
  const relu = (v: number) => Math.max(0, v);
  const weighted = (weights: number[]) =>
    activations.map((a) => relu(a.reduce((sum, value, k) => sum + weights[k] * value, 0)));
  const weights = Array.from({ length: channels }, (_, k) => {
    const g = (p: number) => gradients[p][k];
    const a = (p: number) => activations[p][k];
    const activationSum = channelSum(a);
    switch (method) {
      case 'gradcam': // Selvaraju Eq. 1
        return channelSum(g) / positions;
      case 'gradcam++': // Chattopadhay Eq. 19 (α) and Eq. 7 (weights)
        return channelSum((p) => {
          const denominator = 2 * g(p) ** 2 + activationSum * g(p) ** 3;
          return (denominator === 0 ? 0 : g(p) ** 2 / denominator) * relu(g(p));
        });
      case 'xgradcam': // Fu et al.: activation-weighted gradient average
        return channelSum((p) => (a(p) / activationSum) * g(p));
      default:
        return NaN;
    }
  });
  if (method === 'hirescam') return activations.map((a, p) => relu(a.reduce((s, v, k) => s + gradients[p][k] * v, 0)));
  if (method === 'layercam')
    return activations.map((a, p) => relu(a.reduce((s, v, k) => s + relu(gradients[p][k]) * v, 0)));
  return weighted(weights);
}

function normalized(raw: number[]): number[] {
  const max = Math.max(...raw);
  return raw.map((v) => (max > 0 ? v / max : 0));
}

describe.each(['cpu', 'wasm'])('CAM methods on hand-built nets (%s backend)', (backend) => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    if (backend === 'wasm') await prepareWasm();
    await tf.setBackend(backend);
  });

  it.each(GRADIENT_METHODS)('%s matches its formula for both classes', (name) => {
    const cut = cutModelAt(positionWeightedNet(), 'conv');
    const images = tf.tensor4d(X, [1, 3, 3, 1]);
    const activations = X.map((x) => [x, 0.5 * x + 1]);
    for (const classIndex of [0, 1]) {
      const [explanation] = explainBatch(cut, images, { kind: 'class', index: classIndex }, plain(name));
      const gradients = W.map((position) => position.map((channel) => channel[classIndex]));
      const raw = referenceRawMap(name, activations, gradients);
      expect(Math.max(...raw)).toBeGreaterThan(0.1); // not a trivially empty case
      expectClose(explanation.map, normalized(raw), 1e-5);
      expect(explanation.rawMax).toBeCloseTo(Math.max(...raw), 4);
    }
    images.dispose();
  });

  it('the gradient methods really differ from each other on this net', () => {
    const cut = cutModelAt(positionWeightedNet(), 'conv');
    const images = tf.tensor4d(X, [1, 3, 3, 1]);
    const maps = GRADIENT_METHODS.map(
      (name) => explainBatch(cut, images, { kind: 'class', index: 0 }, plain(name))[0].map,
    );
    images.dispose();
    for (let i = 0; i < maps.length; i++)
      for (let j = i + 1; j < maps.length; j++) {
        // Far above the 1e-5 agreement with the formulas, so the test above tells the methods apart.
        expect(maxDifference(maps[i], maps[j]), `${GRADIENT_METHODS[i]} vs ${GRADIENT_METHODS[j]}`).toBeGreaterThan(
          0.02,
        );
      }
  });

  it('gradcam++ by hand: constant gradients (a, b) = (0.5, −0.25) and (c, d) = (−1, 2)', () => {
    // The net of gradcam-hand.test.ts: A¹ = x, A² = −x, y⁰ = Σ (0.5·A¹ − 0.25·A²), y¹ = Σ (−A¹ + 2·A²).
    const x = [1, -2, 3, 0, 4, -1, 2, 2, -3]; // Σ x = 6
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ name: 'conv', inputShape: [3, 3, 1], filters: 2, kernelSize: 1, useBias: false }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ name: 'logits', units: 2 }));
    model.getLayer('conv').setWeights([tf.tensor4d([1, -1], [1, 1, 1, 2])]);
    model
      .getLayer('logits')
      .setWeights([tf.tensor2d(Array.from({ length: 9 }, () => [0.5, -1, -0.25, 2]).flat(), [18, 2]), tf.zeros([2])]);
    const images = tf.tensor4d(x, [1, 3, 3, 1]);
    const cut = cutModelAt(model, 'conv');
    const [class0] = explainBatch(cut, images, { kind: 'class', index: 0 }, plain('gradcam++'));
    const [class1] = explainBatch(cut, images, { kind: 'class', index: 1 }, plain('gradcam++'));
    images.dispose();
    // Class 0, channel 1: α = 0.5² / (2·0.5² + 6·0.5³) = 0.2, w = 9 · 0.2 · 0.5 = 0.9; channel 2 has
    // g < 0, so ReLU(g) = 0 and w = 0. Map ReLU(0.9·x): maximum 0.9 · 4 = 3.6.
    expect(class0.rawMax).toBeCloseTo(3.6, 5);
    expectClose(
      class0.map,
      x.map((v) => Math.max(0, v) / 4),
      1e-6,
    );
    // Class 1, channel 2 (Σ A² = −6): α = 2² / (2·2² − 6·2³) = −0.1, w = 9 · (−0.1) · 2 = −1.8, and
    // ReLU(−1.8 · A²) = ReLU(1.8·x): maximum 7.2.
    expect(class1.rawMax).toBeCloseTo(7.2, 5);
    expectClose(
      class1.map,
      x.map((v) => Math.max(0, v) / 4),
      1e-6,
    );
  });

  it('eigencam: the first principal component, signed towards the summed activation, the same for every class', () => {
    // A¹ = f₁·x, A² = f₂·x: rank one, so the centred data is (x − x̄)·(f₁, f₂) and the projection on
    // v₁ = ±(f₁, f₂)/|f| is ±|f|·(x − x̄). For f = (1, 2), |f| = √5; x̄ = 6/9.
    const x = [1, -2, 3, 0, 4, -1, 2, 2, -3];
    const mean = 6 / 9;
    for (const [filters, expectedRaw] of [
      [[1, 2], x.map((v) => Math.max(0, Math.sqrt(5) * (v - mean)))],
      // Negated filters: the summed activation is now high where x is low, and so is the map.
      [[-1, -2], x.map((v) => Math.max(0, Math.sqrt(5) * (mean - v)))],
    ] as const) {
      const model = tf.sequential();
      model.add(tf.layers.conv2d({ name: 'conv', inputShape: [3, 3, 1], filters: 2, kernelSize: 1, useBias: false }));
      model.add(tf.layers.flatten());
      model.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
      model.getLayer('conv').setWeights([tf.tensor4d([...filters], [1, 1, 1, 2])]);
      const images = tf.tensor4d(x, [1, 3, 3, 1]);
      const explanations = explainBatch(cutModelAt(model, 'conv'), images, { kind: 'top-k', k: 3 }, plain('eigencam'));
      images.dispose();
      expect(explanations).toHaveLength(3);
      for (const explanation of explanations) {
        expect(explanation.rawMax).toBeCloseTo(Math.max(...expectedRaw), 5);
        expectClose(explanation.map, normalized([...expectedRaw]), 1e-5);
      }
    }
  });

  describe('scorecam', () => {
    /**
     * Input x: 2×2×1 = (1, 2, 3, 4). Target `conv`: 1×1, kernel (1, −1, 0), bias (0, 6, 1):
     * A⁰ = x, A¹ = 6 − x, A² = 1 (constant: no spatial information, weight 0). Dense: y^c =
     * Σ_p Σ_k V[p, k, c]·A^k_p. Masks (min-max of A^k): M⁰ = (0, 1/3, 2/3, 1), M¹ = (1, 2/3, 1/3, 0).
     */
    const x = [1, 2, 3, 4];
    const V = [
      0.9, -0.4, 0.3, -0.2, 0.5, 0.1, 0.6, 0.2, -0.3, -0.5, 0.8, 0.4, 0.2, -0.6, 0.7, 0.3, 0.1, -0.2, -0.4, 0.9, 0.5,
      0.7, -0.1, 0.2,
    ];
    const activationsOf = (input: number[]) => input.map((v) => [v, 6 - v, 1]);
    const logitsOf = (input: number[]) =>
      [0, 1].map((c) =>
        activationsOf(input).reduce((sum, a, p) => sum + a.reduce((s, v, k) => s + V[(p * 3 + k) * 2 + c] * v, 0), 0),
      );
    const softmax = (logits: number[]) => logits.map((l) => Math.exp(l) / logits.reduce((s, m) => s + Math.exp(m), 0));

    function scoreNet(): tf.LayersModel {
      const model = tf.sequential();
      model.add(tf.layers.conv2d({ name: 'conv', inputShape: [2, 2, 1], filters: 3, kernelSize: 1 }));
      model.add(tf.layers.flatten());
      model.add(tf.layers.dense({ name: 'scores', units: 2, activation: 'softmax' }));
      model.getLayer('conv').setWeights([tf.tensor4d([1, -1, 0], [1, 1, 1, 3]), tf.tensor1d([0, 6, 1])]);
      model.getLayer('scores').setWeights([tf.tensor2d(V, [12, 2]), tf.zeros([2])]);
      return model;
    }

    /** The expected raw map from the given channels: ReLU(Σ_k softmax(y(x ∘ M^k))_c · A^k). */
    function expectedScoreMap(classIndex: number, channels: number[]): number[] {
      const masks = [
        [0, 1 / 3, 2 / 3, 1],
        [1, 2 / 3, 1 / 3, 0],
      ];
      const weights = channels.map((k) => softmax(logitsOf(x.map((v, p) => v * masks[k][p])))[classIndex]);
      return activationsOf(x).map((a) =>
        Math.max(
          0,
          channels.reduce((sum, k, i) => sum + weights[i] * a[k], 0),
        ),
      );
    }

    it('weights each channel by the softmax score of the masked input; a constant channel counts 0', () => {
      const images = tf.tensor4d(x, [1, 2, 2, 1]);
      for (const classIndex of [0, 1]) {
        const [explanation] = explainBatch(
          cutModelAt(scoreNet(), 'conv'),
          images,
          { kind: 'class', index: classIndex },
          plain('scorecam'),
        );
        const expected = expectedScoreMap(classIndex, [0, 1]);
        expect(explanation.rawMax).toBeCloseTo(Math.max(...expected), 5);
        expectClose(explanation.map, normalized(expected), 1e-5);
      }
      images.dispose();
    });

    it('--max-channels keeps the channels with the highest mean activation (A¹: 3.5, then A⁰: 2.5)', () => {
      const images = tf.tensor4d(x, [1, 2, 2, 1]);
      const cut = cutModelAt(scoreNet(), 'conv');
      const run = (maxChannels: number) =>
        explainBatch(cut, images, { kind: 'class', index: 0 }, plain('scorecam', { maxChannels }))[0];
      expect(run(1).rawMax).toBeCloseTo(Math.max(...expectedScoreMap(0, [1])), 5);
      expectClose(run(1).map, normalized(expectedScoreMap(0, [1])), 1e-5);
      expectClose(run(2).map, normalized(expectedScoreMap(0, [0, 1])), 1e-5);
      expect(maxDifference(run(1).map, run(2).map)).toBeGreaterThan(0.05);
      images.dispose();
    });

    it('upsamples the channels to the input with half-pixel bilinear (as cv2 INTER_LINEAR) before masking', () => {
      // Input 4×4; `conv` is 1×1 with stride 2, kernel (1, −1), bias (0, 16): A is 2×2, the even pixels.
      const input = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3];
      const U = [0.4, -0.3, -0.2, 0.5, 0.7, 0.1, -0.6, 0.2, 0.3, -0.4, 0.5, 0.6, -0.1, 0.8, 0.2, -0.7];
      const model = tf.sequential();
      model.add(tf.layers.conv2d({ name: 'conv', inputShape: [4, 4, 1], filters: 2, kernelSize: 1, strides: 2 }));
      model.add(tf.layers.flatten());
      model.add(tf.layers.dense({ units: 2 }));
      model.getLayer('conv').setWeights([tf.tensor4d([1, -1], [1, 1, 1, 2]), tf.tensor1d([0, 16])]);
      model.layers[2].setWeights([tf.tensor2d(U, [8, 2]), tf.zeros([2])]);
      const activations = (z: number[]) => [0, 2, 8, 10].map((p) => [z[p], 16 - z[p]]);
      const logits = (z: number[]) =>
        [0, 1].map((c) =>
          activations(z).reduce((sum, a, p) => sum + a[0] * U[p * 2 * 2 + c] + a[1] * U[(p * 2 + 1) * 2 + c], 0),
        );
      const weights = [0, 1].map((k) => {
        const upsampled = Array.from(
          resizeBilinear(Float32Array.from(activations(input).map((a) => a[k])), 2, 2, 1, 4, 4),
        );
        const [low, high] = [Math.min(...upsampled), Math.max(...upsampled)];
        return softmax(logits(input.map((v, p) => (v * (upsampled[p] - low)) / (high - low))))[1];
      });
      const expected = activations(input).map((a) => Math.max(0, weights[0] * a[0] + weights[1] * a[1]));

      const images = tf.tensor4d(input, [1, 4, 4, 1]);
      const [explanation] = explainBatch(
        cutModelAt(model, 'conv'),
        images,
        { kind: 'class', index: 1 },
        plain('scorecam'),
      );
      images.dispose();
      expect(explanation.rawMax).toBeCloseTo(Math.max(...expected), 4);
      expectClose(explanation.map, normalized(expected), 1e-5);
    });
  });
});

describe.each(CAM_METHOD_NAMES.map((name) => [name]))('%s on a VGG (wasm backend)', (name) => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await prepareWasm();
    await tf.setBackend('wasm');
  });

  const vgg = () =>
    buildVgg({ inputShape: [28, 28, 1], classes: 10, width: 0.125, batchNorm: false, poolAfter: [1, 2, 8], seed: 3 });
  const randomImages = (count: number, seed: number) =>
    tf.randomUniform([count, 28, 28, 1], -0.5, 2.5, 'float32', seed) as tf.Tensor4D;

  it('gives [batch, h, w] maps in [0, 1], the maximum exactly 1, and leaves the input as it was', () => {
    const cut = cutModelAt(vgg(), 'conv8');
    const images = randomImages(3, 11);
    const before = images.dataSync().slice();
    const explanations = explainBatch(cut, images, { kind: 'top-k', k: 2 }, plain(name));
    expect(explanations.map((e) => [e.image, e.map.length])).toEqual([
      [0, 49],
      [0, 49],
      [1, 49],
      [1, 49],
      [2, 49],
      [2, 49],
    ]);
    for (const explanation of explanations) {
      expect(explanation.empty).toBe(false);
      expect(Math.min(...explanation.map)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...explanation.map)).toBe(1);
      expect(explanation.rawMax).toBeGreaterThan(0);
    }
    expect(images.dataSync()).toEqual(before);
    images.dispose();
  });

  it('explains each image of a batch as if it were alone', () => {
    const cut = cutModelAt(vgg(), 'conv8');
    const images = randomImages(2, 12);
    const batched = explainBatch(cut, images, { kind: 'class', index: 4 }, plain(name));
    for (let i = 0; i < 2; i++) {
      const single = images.slice([i, 0, 0, 0], [1, 28, 28, 1]);
      const [alone] = explainBatch(cut, single, { kind: 'class', index: 4 }, plain(name));
      single.dispose();
      expect(maxDifference(batched[i].map, alone.map)).toBeLessThan(1e-4);
    }
    expect(maxDifference(batched[0].map, batched[1].map)).toBeGreaterThan(0.02);
    images.dispose();
  });

  it('leaves no tensors behind over repeated calls, also with guided backprop and SmoothGrad', () => {
    const cut = cutModelAt(vgg(), 'conv8');
    const images = randomImages(2, 13);
    const variants = [plain(name), plain(name, { guided: true, smooth: { samples: 2, noise: 0.1, seed: 5 } })];
    for (const options of variants) {
      explainBatch(cut, images, { kind: 'top' }, options); // warm-up allocations
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) explainBatch(cut, images, { kind: 'top' }, options);
      expect(tf.memory().numTensors).toBe(before);
    }
    images.dispose();
  });
});
