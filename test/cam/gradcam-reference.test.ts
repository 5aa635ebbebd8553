/**
 * Grad-CAM against an independent computation: the gradient ∂y^c/∂A is recomputed by finite
 * differences through a float64 plain-JavaScript copy of the layers after the target
 * (test/helpers/reference-net.ts), for a random VGG-like Sequential model and for a branching
 * functional model with a skip connection that bypasses the target layer.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainBatch } from '../../src/cam/explain.js';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { cutModelAt } from '../../src/surgery/layers-cut.js';
import {
  add,
  conv2dSame,
  dense,
  finiteDifferenceGradient,
  maxPool2,
  referenceGradcam,
  volumeFrom,
  type Volume,
} from '../helpers/reference-net.js';
import { prepareWasm } from '../helpers/backends.js';
import { maxDifference } from '../helpers/compare.js';

const TOLERANCE = 1e-4;

function vggLike(): tf.Sequential {
  const model = tf.sequential();
  const init = (seed: number) => tf.initializers.heNormal({ seed });
  model.add(
    tf.layers.conv2d({
      name: 'conv1',
      inputShape: [8, 8, 3],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
      biasInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: 11 }),
    }),
  );
  // A positive bias keeps conv2's outputs above 0: zeros would tie inside the max-pool windows,
  // where the max has no unique derivative (finite differences split it, tfjs picks one input).
  model.add(
    tf.layers.conv2d({
      name: 'conv2',
      filters: 6,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(2),
      biasInitializer: tf.initializers.constant({ value: 3 }),
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: 'pool', poolSize: 2, strides: 2 }));
  model.add(
    tf.layers.conv2d({
      name: 'conv3',
      filters: 5,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(3),
      biasInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: 13 }),
    }),
  );
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({
      name: 'fc',
      units: 8,
      activation: 'relu',
      kernelInitializer: init(4),
      biasInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: 14 }),
    }),
  );
  model.add(tf.layers.dropout({ name: 'dropout', rate: 0.5 }));
  model.add(tf.layers.dense({ name: 'logits', units: 3, kernelInitializer: init(5) }));
  model.add(tf.layers.activation({ name: 'probabilities', activation: 'softmax' }));
  return model;
}

function activationsOf(model: tf.LayersModel, layer: string, image: tf.Tensor4D): Float32Array {
  const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tf.SymbolicTensor });
  const result = probe.predict(image) as tf.Tensor;
  const values = result.dataSync() as Float32Array;
  result.dispose();
  return values;
}

describe.each(['cpu', 'wasm'])('Grad-CAM vs finite differences (%s backend)', (backend) => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    if (backend === 'wasm') await prepareWasm();
    await tf.setBackend(backend);
  });

  it('Sequential VGG-like model, target conv2, every class', () => {
    const model = vggLike();
    const image = tf.randomUniform([1, 8, 8, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const activations = volumeFrom(activationsOf(model, 'conv2', image), 8, 8, 6);
    expect(Math.min(...activations.data)).toBeGreaterThan(0);
    const logitsOf = (a: Volume) => {
      const pooled = maxPool2(a);
      const features = conv2dSame(model.getLayer('conv3'), pooled);
      return dense(model.getLayer('logits'), dense(model.getLayer('fc'), features.data));
    };
    const cut = cutModelAt(model, 'conv2');
    for (let classIndex = 0; classIndex < 3; classIndex++) {
      const [explanation] = explainBatch(
        cut,
        image,
        { kind: 'class', index: classIndex },
        { method: gradcam, counterfactual: false },
      );
      const gradient = finiteDifferenceGradient((a) => logitsOf(a)[classIndex], activations);
      expect(Math.max(...gradient.map(Math.abs))).toBeGreaterThan(1e-3); // a non-trivial case
      const expected = referenceGradcam(activations, gradient);
      expect(maxDifference(explanation.map, expected)).toBeLessThan(TOLERANCE);
      expect(explanation.target.logit).toBeCloseTo(logitsOf(activations)[classIndex], 4);
    }
    image.dispose();
  });

  it('branching model: the gradient is taken w.r.t. the target output, the skip path held fixed', () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const conv = (name: string, filters: number, seed: number) =>
      tf.layers.conv2d({
        name,
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed }),
        biasInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: seed + 10 }),
      });
    const early = conv('early', 4, 1).apply(input) as tf.SymbolicTensor;
    const target = conv('target', 4, 2).apply(early) as tf.SymbolicTensor;
    const skip = conv('skip', 4, 3).apply(early) as tf.SymbolicTensor;
    const merged = tf.layers.add({ name: 'merge' }).apply([target, skip]) as tf.SymbolicTensor;
    const after = conv('after', 3, 4).apply(merged) as tf.SymbolicTensor;
    const flat = tf.layers.flatten({ name: 'flatten' }).apply(after) as tf.SymbolicTensor;
    const output = tf.layers
      .dense({
        name: 'scores',
        units: 4,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
      })
      .apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });

    const image = tf.randomUniform([1, 6, 6, 2], -1, 1, 'float32', 3) as tf.Tensor4D;
    const activations = volumeFrom(activationsOf(model, 'target', image), 6, 6, 4);
    const skipValues = volumeFrom(activationsOf(model, 'skip', image), 6, 6, 4);
    // 'scores' has a built-in softmax: y^c is its pre-activation, computed here as a linear dense.
    const scores = model.getLayer('scores');
    const linearScores = (features: Float64Array) => {
      const [kernel, bias] = scores.getWeights().map((w) => Float64Array.from(w.dataSync()));
      return Array.from(bias, (b, u) => features.reduce((sum, v, i) => sum + v * kernel[i * bias.length + u], b));
    };
    const logitsOf = (a: Volume) => linearScores(conv2dSame(model.getLayer('after'), add(a, skipValues)).data);

    const cut = cutModelAt(model, 'target');
    const [explanation] = explainBatch(cut, image, { kind: 'top' }, { method: gradcam, counterfactual: false });
    const classIndex = explanation.target.index;
    const gradient = finiteDifferenceGradient((a) => logitsOf(a)[classIndex], activations);
    expect(maxDifference(explanation.map, referenceGradcam(activations, gradient))).toBeLessThan(TOLERANCE);
    image.dispose();
  });
});
