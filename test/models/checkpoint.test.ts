/**
 * Exact resume: a run stopped mid-epoch, checkpointed, and continued in fresh objects ends with
 * the same weights as the uninterrupted run. Also: a failed checkpoint write keeps the previous.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelMeanStd } from '../../src/datasets/batches.js';
import type { ImageSet } from '../../src/datasets/image-set.js';
import { readLatestCheckpoint, writeCheckpoint, type TrainingProgress } from '../../src/models/checkpoint.js';
import { createOptimizer, initialProgress, trainModel, type OptimizerName } from '../../src/models/training.js';
import { buildVgg } from '../../src/models/vgg.js';
import { registerWasmTrainingKernels } from '../../src/backend/wasm/kernels.js';

let root: string;
beforeAll(async () => {
  tf.env().set('PROD', true);
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'gradcam-checkpoint-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

function noiseSet(count: number, seed: number): ImageSet {
  const images = new Uint8Array(count * 12 * 12 * 3);
  for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761 + seed * 97) % 251;
  const labels = Uint8Array.from({ length: count }, (_, n) => (n * 7 + seed) % 3);
  return { images, labels, count, height: 12, width: 12, channels: 3 };
}

const train = noiseSet(40, 1);
const test = noiseSet(12, 2);
const architecture = {
  inputShape: [12, 12, 3] as [number, number, number],
  classes: 3,
  width: 0.125,
  batchNorm: true,
  poolAfter: [1, 2, 8],
  seed: 4,
};

describe.each(['adam', 'sgd'] as OptimizerName[])(
  'exact resume (%s, batch norm, augmentation, dropout)',
  (optimizerName) => {
    const options = {
      epochs: 3,
      batchSize: 8,
      learningRate: 0.01,
      optimizer: optimizerName,
      schedule: 'cosine' as const,
      warmupEpochs: 0.5,
      labelSmoothing: 0.1,
      weightDecay: 5e-4,
      augment: true,
      normalization: channelMeanStd(train),
      seed: 9,
    };

    it('stopping after step 7 and resuming in fresh objects gives the uninterrupted weights', async () => {
      const reference = buildVgg(architecture);
      await trainModel({
        model: reference,
        optimizer: createOptimizer(optimizerName, 0.01),
        train,
        test,
        options,
        start: initialProgress(train.count, 9),
      });
      const expected = reference.getWeights().map((w) => Array.from(w.dataSync()));

      const directory = join(root, `resume-${optimizerName}`);
      const first = buildVgg(architecture);
      const firstOptimizer = createOptimizer(optimizerName, 0.01);
      let steps = 0;
      const stopped = await trainModel({
        model: first,
        optimizer: firstOptimizer,
        train,
        test,
        options,
        start: initialProgress(train.count, 9),
        events: {
          onStep: () => steps++,
          shouldStop: () => steps === 7, // epoch 2, step 2 of 5
          onCheckpoint: async (progress) => {
            await writeCheckpoint(directory, first, firstOptimizer, progress, { note: 'settings' }, 'wasm');
          },
        },
      });
      expect(stopped.finished).toBe(false);
      expect(stopped.history).toHaveLength(1);

      const checkpoint = await readLatestCheckpoint<{ note: string }>(directory);
      expect(checkpoint?.progress).toMatchObject({ completedEpochs: 1, stepInEpoch: 2, globalStep: 7 });
      expect(checkpoint?.settings).toEqual({ note: 'settings' });
      const resumed = buildVgg({ ...architecture, seed: 123 }); // different init: the checkpoint must overwrite it
      const resumedOptimizer = createOptimizer(optimizerName, 0.01);
      await checkpoint!.restore(resumed, resumedOptimizer);
      const finished = await trainModel({
        model: resumed,
        optimizer: resumedOptimizer,
        train,
        test,
        options,
        start: checkpoint!.progress,
      });
      expect(finished.finished).toBe(true);
      expect(finished.history).toHaveLength(3);

      const actual = resumed.getWeights().map((w) => Array.from(w.dataSync()));
      expect(actual.length).toBe(expected.length);
      let maxDifference = 0;
      actual.forEach((values, i) =>
        values.forEach((v, j) => (maxDifference = Math.max(maxDifference, Math.abs(v - expected[i][j])))),
      );
      expect(maxDifference).toBeLessThanOrEqual(1e-6);
      // Batch-norm moving statistics are part of the weights: the comparison covers them.
      expect(resumed.getLayer('bn1').getWeights()).toHaveLength(4);
    });
  },
);

describe('checkpoint files', () => {
  it('keeps only the newest checkpoint, and a failed write leaves the previous one valid', async () => {
    const directory = join(root, 'failing');
    const model = buildVgg(architecture);
    const optimizer = createOptimizer('adam', 0.01);
    const progress = (globalStep: number): TrainingProgress => ({ ...initialProgress(train.count, 1), globalStep });
    await writeCheckpoint(directory, model, optimizer, progress(5), {}, 'wasm');
    await writeCheckpoint(directory, model, optimizer, progress(10), {}, 'wasm');
    expect((await readdir(directory)).sort()).toEqual(['checkpoint-00000010']);

    // Make the next staging directory impossible to create: replace `directory` by a file.
    const moved = join(root, 'failing-real');
    await rename(directory, moved);
    await writeFile(directory, 'not a directory');
    await expect(writeCheckpoint(directory, model, optimizer, progress(15), {}, 'wasm')).rejects.toThrow(
      /cannot write checkpoint in .*failing/,
    );
    await rm(directory);
    await rename(moved, directory);
    expect((await readLatestCheckpoint(directory))?.progress.globalStep).toBe(10);
  });
});
