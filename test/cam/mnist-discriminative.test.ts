/**
 * Grad-CAM on a model trained on the real (embedded) MNIST: the maps are class-discriminative
 * (two target classes of the same digit give different maps) and sit on the digit: the mean map
 * value on ink pixels exceeds the mean on background pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainBatch } from '../../src/cam/explain.js';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { cutModelAt } from '../../src/surgery/layers-cut.js';
import { runTrain, resolveTrainSettings } from '../../src/commands/train.js';
import { TRAIN_OPTIONS } from '../../src/commands/train-options.js';
import { defaultsOf } from '../../src/commands/option-table.js';
import { fillBatch } from '../../src/datasets/batches.js';
import { loadDataset } from '../../src/datasets/load-dataset.js';
import type { ImageSet } from '../../src/datasets/image-set.js';
import { resizeBilinear } from '../../src/io/resize.js';
import { memoryLog } from '../../src/log.js';
import { loadModelDirectory } from '../../src/models/model-dir.js';

const COUNT = 40;
const INK = 128;
let root: string;
let test: ImageSet;
let modelDirectory: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-mnist-'));
  modelDirectory = join(root, 'model');
  const settings = resolveTrainSettings({
    ...defaultsOf(TRAIN_OPTIONS),
    dataset: 'mnist',
    out: modelDirectory,
    width: 0.125,
    limit: 6000,
    testLimit: 500,
    epochs: 1,
    augment: false,
    seed: 1,
    quiet: true,
  });
  const result = await runTrain(settings, { backend: 'wasm', threads: 1 }, memoryLog());
  expect(result.testAccuracy).toBeGreaterThan(0.8); // a briefly trained model (measured 88.6%)
  test = (await loadDataset('mnist', { splits: ['test'] })).test;
}, 300_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe('Grad-CAM on a trained MNIST model', () => {
  it('is concentrated on the ink and differs between target classes', async () => {
    const { model, metadata } = await loadModelDirectory(modelDirectory);
    const cut = cutModelAt(model, metadata!.targetLayer);
    const indices = Int32Array.from({ length: COUNT }, (_, i) => i);
    const batch = fillBatch(test, indices, metadata!.normalization);
    const images = tf.tensor4d(batch.images, batch.shape);
    const top = explainBatch(cut, images, { kind: 'top' }, { method: gradcam, counterfactual: false });
    const second = explainBatch(
      cut,
      images,
      { kind: 'top-k', k: 2 },
      { method: gradcam, counterfactual: false },
    ).filter((_, i) => i % 2 === 1);
    images.dispose();

    let inkWins = 0;
    let differing = 0;
    let inkMean = 0;
    let backgroundMean = 0;
    for (let n = 0; n < COUNT; n++) {
      const map = resizeBilinear(top[n].map, 7, 7, 1, 28, 28);
      let ink = 0;
      let inkPixels = 0;
      let background = 0;
      for (let p = 0; p < 784; p++) {
        if (test.images[n * 784 + p] >= INK) {
          ink += map[p];
          inkPixels++;
        } else background += map[p];
      }
      const inkValue = ink / inkPixels;
      const backgroundValue = background / (784 - inkPixels);
      inkMean += inkValue / COUNT;
      backgroundMean += backgroundValue / COUNT;
      if (inkValue > backgroundValue) inkWins++;
      const difference = Math.max(...top[n].map.map((v, i) => Math.abs(v - second[n].map[i])));
      if (second[n].target.index !== top[n].target.index && difference > 0.1) differing++;
    }
    // Measured with seed 1: ink 0.57 vs background 0.40 (ratio 1.42). The bounds leave room for
    // other backends' rounding, and still fail for a map unrelated to the digit (ratio ≈ 1).
    expect(inkMean).toBeGreaterThan(1.2 * backgroundMean);
    expect(inkWins).toBeGreaterThanOrEqual(0.65 * COUNT);
    expect(differing).toBeGreaterThanOrEqual(0.9 * COUNT);
    model.dispose();
    console.info(
      `ink ${inkMean.toFixed(3)}, background ${backgroundMean.toFixed(3)}, ink wins ${inkWins}/${COUNT}, class maps differ ${differing}/${COUNT}`,
    );
  });
});
