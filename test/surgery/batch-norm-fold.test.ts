import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldsOf } from '../../src/surgery/batch-norm-fold.js';
import { cutModelAt } from '../../src/surgery/layers-cut.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

/**
 * conv → BN → ReLU6 → pad → depthwise (×2, stride 2) → BN without γ → ReLU → 1×1 conv → BN →
 * pooling → softmax dense: every pair kind the folder handles, with batch-norm statistics far
 * from the identity so that a wrong fold shows.
 */
function mobileNetLike({ secondScale = false, size = 8 } = {}): tf.LayersModel {
  let seed = 0;
  const seeded = () => tf.initializers.randomNormal({ stddev: 0.5, seed: ++seed });
  const input = tf.input({ shape: [size, size, 3] });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: seeded(), name: 'conv1' })
    .apply(input);
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x);
  x = tf.layers.reLU({ maxValue: 6, name: 'relu1' }).apply(x);
  x = tf.layers
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
    })
    .apply(x);
  x = tf.layers
    .depthwiseConv2d({
      kernelSize: 3,
      strides: 2,
      depthMultiplier: 2,
      useBias: false,
      depthwiseInitializer: seeded(),
      name: 'dw',
    })
    .apply(x);
  x = tf.layers.batchNormalization({ scale: secondScale, name: 'bn2' }).apply(x);
  x = tf.layers.activation({ activation: 'relu', name: 'relu2' }).apply(x);
  x = tf.layers
    .conv2d({ filters: 5, kernelSize: 1, useBias: false, kernelInitializer: seeded(), name: 'conv3' })
    .apply(x);
  x = tf.layers.batchNormalization({ name: 'bn3' }).apply(x);
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  const output = tf.layers
    .dense({ units: 3, activation: 'softmax', kernelInitializer: seeded(), name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  randomizeBatchNorms(model, 1);
  return model;
}

/** Batch-norm weights far from γ = 1, β = 0, μ = 0, σ² = 1, seeded. */
function randomizeBatchNorms(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    layer.setWeights(
      layer.getWeights().map((weight, index) => {
        const isVariance = index === layer.getWeights().length - 1;
        return isVariance
          ? tf.randomUniform(weight.shape, 0.2, 3, 'float32', seed + index)
          : tf.randomUniform(weight.shape, -1.5, 1.5, 'float32', seed + index);
      }),
    );
  }
}

const images = (size = 8) => tf.randomUniform([3, size, size, 3], -1, 1, 'float32', 7) as tf.Tensor4D;

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('batch norm folded into its convolution', () => {
  const model = mobileNetLike();
  const sharedModel = model;
  afterAll(() => model.dispose());

  it('folds each conv + BN pair, and the ReLU after it, but never the explained layer', () => {
    const all = foldsOf(model, new Set());
    expect([...all.pairs.keys()].sort()).toEqual(['bn1', 'bn2', 'bn3']);
    // On an even size the (0, 1) padding before the stride-2 depthwise is what 'same' adds.
    expect(all.pairs.get('bn2')?.pad).toBe('same');
    expect(all.pairs.get('bn2')?.input.sourceLayer.name).toBe('relu1');
    const odd = mobileNetLike({ size: 9 });
    expect(foldsOf(odd, new Set()).pairs.get('bn2')?.pad).toBe('valid');
    odd.dispose();
    expect([...all.activations].map(([name, fold]) => [name, fold.activation])).toEqual([
      ['relu1', 'relu6'],
      ['relu2', 'relu'],
    ]);
    const dw = model.getLayer('dw') as unknown as { inboundNodes: { outputTensors: { id: number }[] }[] };
    const bn2 = model.getLayer('bn2') as unknown as { inboundNodes: { outputTensors: { id: number }[] }[] };
    const keepingDw = foldsOf(model, new Set([dw.inboundNodes[0].outputTensors[0].id]));
    expect(keepingDw.pairs.has('bn2')).toBe(false);
    const keepingBn2 = foldsOf(model, new Set([bn2.inboundNodes[0].outputTensors[0].id]));
    expect(keepingBn2.pairs.has('bn2')).toBe(true);
    expect(keepingBn2.activations.has('relu2')).toBe(false);
  });

  it.each([8, 9])(
    "gives TensorFlow.js's own probabilities on %i-pixel squares, from the input and from the explained layer",
    (size) => {
      const model = size === 8 ? sharedModel : mobileNetLike({ size });
      const x = images(size);
      const expected = model.predict(x) as tf.Tensor;
      const cut = cutModelAt(model, 'relu2');
      const whole = tf.tidy(() => tf.softmax(cut.logits(x)));
      const fromLayer = tf.tidy(() => {
        const { activations, logitsFrom } = cut.forward(x);
        return tf.softmax(logitsFrom(activations));
      });
      expect(maxDifference(whole, expected)).toBeLessThan(1e-6);
      expect(maxDifference(fromLayer, expected)).toBeLessThan(1e-6);
      tf.dispose([x, expected, whole, fromLayer]);
      if (model !== sharedModel) model.dispose();
    },
  );

  it('keeps the explained convolution unfolded: A is its own output', () => {
    const x = images();
    const dwOutput = tf.model({ inputs: model.inputs, outputs: model.getLayer('dw').output as tf.SymbolicTensor });
    const expected = dwOutput.predict(x) as tf.Tensor;
    const activations = tf.tidy(() => cutModelAt(model, 'dw').forward(x).activations);
    const scale = tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0]);
    expect(maxDifference(activations, expected)).toBeLessThan(1e-6 * scale);
    tf.dispose([x, expected, activations]);
  });

  it('has the gradient of the unfolded model with respect to the input', () => {
    // tfjs-layers' own batch norm without γ has no gradient (layers-cut.ts): the reference has γ.
    const model = mobileNetLike({ secondScale: true });
    const x = images();
    const cut = cutModelAt(model, 'relu1');
    const probability = (logits: tf.Tensor2D) => tf.sum(tf.slice(tf.softmax(logits), [0, 1], [-1, 1]));
    const folded = tf.grad((input: tf.Tensor4D) => probability(cut.logits(input)))(x);
    const reference = tf.grad((input: tf.Tensor4D) =>
      tf.sum(tf.slice(model.apply(input, { training: false }) as tf.Tensor2D, [0, 1], [-1, 1])),
    )(x);
    const scale = tf.tidy(() => tf.max(tf.abs(reference)).dataSync()[0]);
    expect(scale).toBeGreaterThan(1e-3);
    expect(maxDifference(folded, reference)).toBeLessThan(1e-5 * scale);
    tf.dispose([x, folded, reference]);
    model.dispose();
  });

  it('follows weights that change after the cut is made (the sanity check re-draws them)', () => {
    const x = images();
    const cut = cutModelAt(model, 'relu2');
    const before = tf.tidy(() => tf.softmax(cut.logits(x)));
    randomizeBatchNorms(model, 50);
    const expected = model.predict(x) as tf.Tensor;
    const after = tf.tidy(() => tf.softmax(cut.logits(x)));
    expect(maxDifference(before, after)).toBeGreaterThan(1e-3);
    expect(maxDifference(after, expected)).toBeLessThan(1e-6);
    tf.dispose([x, before, expected, after]);
  });
});

describe('the folded weights a cut keeps', () => {
  it('are made once for many passes and freed by dispose', () => {
    const model = mobileNetLike();
    const x = images();
    const before = tf.memory().numTensors;
    const cut = cutModelAt(model, 'relu2');
    tf.tidy(() => {
      cut.logits(x);
    });
    const kept = tf.memory().numTensors - before;
    expect(kept).toBe(6); // a filter and a bias for each of the three pairs
    tf.tidy(() => {
      cut.logits(x);
    });
    expect(tf.memory().numTensors - before).toBe(kept);
    cut.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});
