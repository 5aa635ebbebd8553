/**
 * A training step through computeLogits, which routes batch norm through the fused kernels
 * (backend/batch-norm-training.ts) and convolutions through tf.conv2d (models/conv-layer.ts),
 * against the same step through every layer's own tfjs-layers call: same loss, gradients and
 * moving statistics, with and without batch norm, on cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBatchNormTraining } from '../../src/backend/batch-norm-training.js';
import { computeLogits } from '../../src/models/forward.js';
import { buildVgg } from '../../src/models/vgg.js';
import { prepareWasm } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await prepareWasm();
  registerBatchNormTraining();
});

function largestMagnitude(values: Float32Array): number {
  return values.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
}

describe('a VGG training step through computeLogits', () => {
  const tinyVgg = (batchNorm = true) =>
    buildVgg({ inputShape: [8, 8, 3], classes: 4, width: 0.125, batchNorm, poolAfter: [1, 8], seed: 7 });

  /** tfjs-layers' own path: every layer's call in training mode (dropout drawn as computeLogits draws it). */
  function stockLogits(model: tf.LayersModel, images: tf.Tensor4D): tf.Tensor2D {
    let x: tf.Tensor = images;
    let dropoutIndex = 0;
    for (const layer of model.layers) {
      if (layer.getClassName() === 'Dropout') {
        x = tf.dropout(x, (layer.getConfig() as { rate: number }).rate, undefined, 1 + dropoutIndex++);
        continue;
      }
      x = layer.apply(x, { training: true }) as tf.Tensor;
      if (layer.name === 'logits') return x as tf.Tensor2D;
    }
    throw new Error('no logits');
  }

  /** The loss, its gradient for every trainable weight, and the moving statistics after the step. */
  function oneStep(
    fusedPath: boolean,
    batchNorm: boolean,
  ): { loss: number; gradients: Float32Array[]; moving: Float32Array[] } {
    const model = tinyVgg(batchNorm);
    const images = tf.randomNormal([6, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32'), 4);
    const logitsOf = () =>
      fusedPath ? computeLogits(model, images, { training: true, dropoutSeed: 1 }) : stockLogits(model, images);
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, logitsOf()) as tf.Scalar);
    const result = {
      loss: value.dataSync()[0],
      gradients: model.trainableWeights.map((w) => grads[w.read().name].dataSync() as Float32Array),
      moving: model.weights.filter((w) => w.name.includes('moving')).map((w) => w.read().dataSync() as Float32Array),
    };
    model.dispose();
    return result;
  }

  it.each([
    { backend: 'cpu', batchNorm: true },
    { backend: 'wasm', batchNorm: true },
    { backend: 'wasm', batchNorm: false },
  ])(
    'gives the loss, gradients and moving statistics of the layers own calls on $backend (batch norm: $batchNorm)',
    async ({ backend, batchNorm }) => {
      await tf.setBackend(backend);
      const stockStep = oneStep(false, batchNorm);
      const fusedStep = oneStep(true, batchNorm);
      expect(fusedStep.loss).toBeCloseTo(stockStep.loss, 5);
      expect(fusedStep.gradients.length).toBeGreaterThan(batchNorm ? 20 : 10);
      expect(fusedStep.moving).toHaveLength(batchNorm ? 16 : 0);
      fusedStep.gradients.forEach((values, i) =>
        expectClose(values, stockStep.gradients[i], 1e-4 * largestMagnitude(stockStep.gradients[i])),
      );
      fusedStep.moving.forEach((values, i) => expectClose(values, stockStep.moving[i], 1e-5));
    },
  );

  it('runs two kernels per batch-norm layer instead of the moments and their gradients', async () => {
    await tf.setBackend('wasm');
    const model = tinyVgg();
    const images = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    // Gradients for the weights, as training asks for them (none for the image).
    const profile = await tf.profile(
      () =>
        tf.variableGrads(() => tf.sum(computeLogits(model, images, { training: true, dropoutSeed: 1 })) as tf.Scalar)
          .grads,
    );
    const names = profile.kernels.map((k) => k.name);
    expect(names.filter((name) => name === 'GradcamBatchNormTraining')).toHaveLength(8);
    expect(names.filter((name) => name === 'GradcamBatchNormTrainingGrad')).toHaveLength(8);
    expect(names).not.toContain('FusedBatchNorm');
    // Eight convolutions, but no input gradient for the first: its input is the image.
    expect(names.filter((name) => name === 'Conv2DBackpropFilter')).toHaveLength(8);
    expect(names.filter((name) => name === 'Conv2DBackpropInput')).toHaveLength(7);
    model.dispose();
  });
});
