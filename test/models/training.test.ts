import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelMeanStd } from '../../src/datasets/batches.js';
import type { ImageSet } from '../../src/datasets/image-set.js';
import type { EpochRecord } from '../../src/models/metadata.js';
import { createOptimizer, initialProgress, trainModel } from '../../src/models/training.js';
import { buildVgg } from '../../src/models/vgg.js';
import { computeLogits } from '../../src/models/forward.js';
import { fillBatch } from '../../src/datasets/batches.js';
import { expectClose } from '../helpers/compare.js';
import { registerWasmTrainingKernels } from '../../src/backend/wasm/kernels.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

/** Class k = a bright 6×6 square in cell k of a 16×16 image with noise: learnable in a few steps. */
function squares(count: number, offset: number, channels = 1): ImageSet {
  const side = 16;
  const images = new Uint8Array(count * side * side * channels);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = (n + offset) % 4;
    labels[n] = label;
    const top = label < 2 ? 1 : 9;
    const left = label % 2 === 0 ? 1 : 9;
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++)
        for (let c = 0; c < channels; c++) {
          const inside = y >= top && y < top + 6 && x >= left && x < left + 6;
          images[((n * side + y) * side + x) * channels + c] = inside ? 220 : ((n + offset) * 37 + y * 11 + x * 7) % 50;
        }
  }
  return { images, labels, count, height: side, width: side, channels };
}

const train = squares(96, 0);
const test = squares(32, 1);
const architecture = {
  inputShape: [16, 16, 1] as [number, number, number],
  classes: 4,
  width: 0.125,
  batchNorm: false,
  poolAfter: [1, 2, 8],
};

function options(seed: number, epochs: number) {
  return {
    epochs,
    batchSize: 16,
    learningRate: 0.003,
    optimizer: 'adam' as const,
    schedule: 'cosine' as const,
    labelSmoothing: 0,
    warmupEpochs: 0,
    weightDecay: 0,
    augment: false,
    normalization: channelMeanStd(train),
    seed,
  };
}

describe('training loop', () => {
  it('learns, with no tensor growth from one epoch to the next', async () => {
    const model = buildVgg({ ...architecture, seed: 1 });
    const tensorCounts: number[] = [];
    const { history }: { history: EpochRecord[] } = await trainModel({
      model,
      optimizer: createOptimizer('adam', 0.003),
      train,
      test,
      options: options(1, 4),
      start: initialProgress(train.count, 1),
      events: { onEpoch: () => tensorCounts.push(tf.memory().numTensors) },
    });
    expect(history).toHaveLength(4);
    expect(new Set(tensorCounts).size).toBe(1);
    expect(history[3].testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(history[3].loss).toBeLessThan(history[0].loss);
    for (const record of history) {
      expect(record.imagesPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(record.testLoss)).toBe(true);
    }
  });

  it('is reproducible with a seed (data order, dropout, initialization)', async () => {
    const run = async (seed: number) => {
      const model = buildVgg({ ...architecture, seed });
      await trainModel({
        model,
        optimizer: createOptimizer('adam', 0.003),
        train,
        test,
        options: options(seed, 1),
        start: initialProgress(train.count, seed),
      });
      return Array.from(model.getLayer('fc1').getWeights()[0].dataSync());
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });

  it('minimizes the cross-entropy against smoothed labels: (1 − x) on the true class plus x / classes on each', async () => {
    // One step over the whole set at learning rate 0, without dropout: the loss it reports is that of
    // the initial weights, which a hand-written softmax cross-entropy of the logits gives independently.
    const labelSmoothing = 0.2;
    const model = buildVgg({ ...architecture, dropout: 0, seed: 5 });
    const normalization = channelMeanStd(train);
    const everyImage = Int32Array.from({ length: train.count }, (_, i) => i);
    const logits = tf.tidy(() => {
      const batch = fillBatch(train, everyImage, normalization);
      return computeLogits(model, tf.tensor4d(batch.images, batch.shape), { training: false }).arraySync();
    });
    const classes = architecture.classes;
    const expectedLoss = (smoothing: number) =>
      logits.reduce((sum, row, n) => {
        const top = Math.max(...row);
        const logSum = top + Math.log(row.reduce((total, z) => total + Math.exp(z - top), 0));
        return (
          sum -
          row.reduce(
            (total, z, k) => total + ((k === train.labels[n] ? 1 - smoothing : 0) + smoothing / classes) * (z - logSum),
            0,
          )
        );
      }, 0) / train.count;
    const run = (smoothing: number) =>
      trainModel({
        model,
        optimizer: createOptimizer('sgd', 0),
        train,
        test,
        options: { ...options(5, 1), batchSize: train.count, learningRate: 0, labelSmoothing: smoothing },
        start: initialProgress(train.count, 5),
      });
    expect(expectedLoss(labelSmoothing) - expectedLoss(0)).toBeGreaterThan(1e-3);
    expect((await run(labelSmoothing)).history[0].loss).toBeCloseTo(expectedLoss(labelSmoothing), 5);
    expect((await run(0)).history[0].loss).toBeCloseTo(expectedLoss(0), 5);
  });

  it('adds weight decay · w to every gradient and reports the cross-entropy alone', async () => {
    // One plain-momentum step (the first step of momentum SGD moves by lr · gradient) from the same
    // weights with and without decay: the runs differ by exactly −lr · wd · w0 in every weight.
    const learningRate = 0.05;
    const weightDecay = 0.01;
    const step = async (decay: number) => {
      const model = buildVgg({ ...architecture, seed: 9 });
      const before = model.trainableWeights.map((w) => Float32Array.from(w.read().dataSync()));
      const { history } = await trainModel({
        model,
        optimizer: createOptimizer('sgd', learningRate),
        train,
        test,
        options: {
          ...options(9, 1),
          optimizer: 'sgd' as const,
          batchSize: train.count,
          learningRate,
          schedule: 'constant' as const,
          weightDecay: decay,
        },
        start: initialProgress(train.count, 9),
      });
      const after = model.trainableWeights.map((w) => Float32Array.from(w.read().dataSync()));
      model.dispose();
      return { before, after, loss: history[0].loss };
    };
    const plain = await step(0);
    const decayed = await step(weightDecay);
    expect(decayed.loss).toBeCloseTo(plain.loss, 6);
    plain.before.forEach((initial, i) => {
      const expected = initial.map((w0, k) => plain.after[i][k] - learningRate * weightDecay * w0);
      expectClose(decayed.after[i], expected, 1e-6);
    });
  });
});
