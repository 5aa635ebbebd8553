import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelMeanStd } from '../../src/data/batches.js';
import type { ImageSet } from '../../src/data/image-set.js';
import type { EpochRecord } from '../../src/models/metadata.js';
import { createOptimizer, initialProgress, trainModel } from '../../src/models/training.js';
import { buildVgg } from '../../src/models/vgg.js';
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
const architecture = { inputShape: [16, 16, 1] as [number, number, number], classes: 4, width: 0.125, batchNorm: false, poolAfter: [1, 2, 8] };

function options(seed: number, epochs: number) {
  return { epochs, batchSize: 16, learningRate: 0.003, optimizer: 'adam' as const, schedule: 'cosine' as const, augment: false, normalization: channelMeanStd(train), seed };
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
      await trainModel({ model, optimizer: createOptimizer('adam', 0.003), train, test, options: options(seed, 1), start: initialProgress(train.count, seed) });
      return Array.from(model.getLayer('fc1').getWeights()[0].dataSync());
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });
});
