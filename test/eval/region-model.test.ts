/**
 * A model whose output depends on one 3×3 pixel region only: a map concentrated on that region
 * must beat the random map on deletion, insertion and average drop, and its deletion curve can be
 * written down by hand.
 *
 * Input 8×8×1, normalized so that the model sees the uint8 value itself (mean 0, std 1/255).
 * conv: 1×1, one filter of weight 1 (A = x, the layer the maps live on). logits: class 0 =
 * 0.5·Σ_R x − 30, class 1 = 0. With R at 10 and everything else anything, class 0 wins with
 * d = 0.5·90 − 30 = 15, and p(class 0) = σ(d).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cutModelAt } from '../../src/surgery/layers-cut.js';
import type { ImageSet } from '../../src/datasets/image-set.js';
import { evaluateMethods, RANDOM_BASELINE, type EvalWork } from '../../src/eval/evaluate.js';
import type { MapSource } from '../../src/eval/map-sources.js';
import { layersCascade } from '../../src/eval/randomize.js';

const SIDE = 8;
const REGION = { top: 2, left: 3, size: 3 };
const inRegion = (pixel: number) => {
  const y = Math.floor(pixel / SIDE);
  const x = pixel % SIDE;
  return y >= REGION.top && y < REGION.top + REGION.size && x >= REGION.left && x < REGION.left + REGION.size;
};

function regionModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: 'conv', inputShape: [SIDE, SIDE, 1], filters: 1, kernelSize: 1, useBias: false }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'logits', units: 2 }));
  const kernel = Array.from({ length: SIDE * SIDE }, (_, pixel) => [inRegion(pixel) ? 0.5 : 0, 0]).flat();
  tf.tidy(() => {
    model.getLayer('conv').setWeights([tf.ones([1, 1, 1, 1])]);
    model.getLayer('logits').setWeights([tf.tensor2d(kernel, [SIDE * SIDE, 2]), tf.tensor1d([-30, 0])]);
  });
  return model;
}

/** Three images: the region at 10, the rest varied clutter the model ignores. */
function regionImages(): ImageSet {
  const count = 3;
  const images = new Uint8Array(count * SIDE * SIDE);
  for (let n = 0; n < count; n++) {
    for (let pixel = 0; pixel < SIDE * SIDE; pixel++)
      images[n * SIDE * SIDE + pixel] = inRegion(pixel) ? 10 : (n * 7 + pixel * 3) % 6;
  }
  return { images, labels: new Uint8Array(count), count, height: SIDE, width: SIDE, channels: 1 };
}

/** The ideal map: 1 on the region, 0 elsewhere, whatever the image or the model. */
const oracle: MapSource = {
  name: 'oracle',
  reference: 'test',
  mapShape: [SIDE, SIDE],
  explain: (_images, classes) =>
    classes.map(() => ({
      map: Float32Array.from({ length: SIDE * SIDE }, (_, p) => (inRegion(p) ? 1 : 0)),
      empty: false,
    })),
};

const sigmoid = (d: number) => 1 / (1 + Math.exp(-d));

describe('faithfulness metrics on a model that looks at one region only', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
  });

  function run(steps: number, seed = 0, model = regionModel()) {
    const cut = cutModelAt(model, 'conv');
    return evaluateMethods(
      { cascade: layersCascade(model), cut, set: regionImages(), indices: [0, 1, 2], modelClassOfLabel: [0, 1] },
      {
        sources: [oracle],
        steps,
        seed,
        normalization: { mean: [0], std: [1 / 255] },
        batchSize: 2,
        sanityImages: 0,
        exampleImages: 1,
      },
    );
  }

  it('reports every piece of work once, in order, with the forward passes between (progress lines)', () => {
    const model = regionModel();
    const cut = cutModelAt(model, 'conv');
    const cascade = layersCascade(model);
    const events: EvalWork[] = [];
    evaluateMethods(
      { cascade, cut, set: regionImages(), indices: [0, 1, 2], modelClassOfLabel: [0, 1] },
      {
        sources: [oracle],
        steps: 4,
        seed: 0,
        normalization: { mean: [0], std: [1 / 255] },
        batchSize: 2,
        sanityImages: 2,
        exampleImages: 0,
      },
      { onWork: (work) => events.push(work) },
    );
    // 3 images × (the oracle + the random map), then the cascade's steps × 1 source.
    const total = 3 * 2 + cascade.steps.length;
    const pieces = events.filter((work, i) => work.done > (events[i - 1]?.done ?? 0));
    expect(pieces.map((work) => work.done)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(events.every((work) => work.total === total)).toBe(true);
    expect(pieces.slice(0, 6).map((work) => `${work.method} ${work.image}/${work.images}`)).toEqual([
      'random 1/3',
      'random 2/3',
      'oracle 1/3',
      'oracle 2/3',
      'random 3/3',
      'oracle 3/3',
    ]);
    expect(pieces.slice(6).map((work) => `${work.phase} ${work.image}/${work.images}`)).toEqual(
      cascade.steps.map((_, step) => `sanity check ${step + 1}/${cascade.steps.length}`),
    );
    // Forward passes in between: each piece of scoring is preceded by at least one tick.
    expect(events.length).toBeGreaterThan(pieces.length);
  });

  it('gives the region map the hand-computed deletion curve', () => {
    const result = run(8);
    const [scores] = result.methods;
    // 64 pixels in 8 steps of 8: step 1 removes 8 of the 9 region pixels (they lead the order),
    // leaving d = 0.5·10 − 30 = −25; from step 2 on the region is gone, d = −30.
    const expected = [sigmoid(15), sigmoid(-25), ...Array.from({ length: 7 }, () => sigmoid(-30))];
    scores.deletion.curve.forEach((value, k) => expect(value).toBeCloseTo(expected[k], 6));
    const auc = (expected.reduce((a, b) => a + b, 0) - expected[0] / 2 - expected[8] / 2) / 8;
    expect(scores.deletion.auc).toBeCloseTo(auc, 6);
    expect(result.accuracy).toBe(1);
    expect(result.meanProbability).toBeCloseTo(sigmoid(15), 6);
    // Image × map keeps the region exactly and blacks out what the model ignores: no drop.
    expect(scores.averageDrop).toBeCloseTo(0, 4);
    expect(scores.emptyMaps).toBe(0);
  });

  it('beats the random map on deletion, insertion and average drop', () => {
    for (const seed of [0, 1, 2]) {
      const result = run(16, seed);
      const [scores] = result.methods;
      expect(result.random.method).toBe(RANDOM_BASELINE);
      expect(scores.deletion.auc).toBeLessThan(result.random.deletion.auc - 0.3);
      expect(scores.insertion.auc).toBeGreaterThan(result.random.insertion.auc + 0.3);
      expect(scores.averageDrop).toBeLessThan(result.random.averageDrop - 50);
      // Insertion starts from the blurred image, which the model does not recognize, and ends
      // at the full image.
      expect(scores.insertion.curve[0]).toBeLessThan(0.01);
      expect(scores.insertion.curve[16]).toBeCloseTo(sigmoid(15), 6);
      // Both maps see the same images: equal first deletion and last insertion points.
      expect(result.random.deletion.curve[0]).toBeCloseTo(scores.deletion.curve[0], 6);
      expect(result.random.insertion.curve[0]).toBeCloseTo(scores.insertion.curve[0], 6);
    }
  });

  it('scores images with many perturbed copies a few at a time, with the same results', () => {
    // 64 steps: 2 · 65 + 1 = 131 copies per image, so the two images of a batch are classified
    // in separate passes; per-image results must not depend on that.
    const together = run(64);
    const steps = 64;
    const model = regionModel();
    const oneByOne = evaluateMethods(
      {
        cascade: layersCascade(model),
        cut: cutModelAt(model, 'conv'),
        set: regionImages(),
        indices: [0, 1, 2],
        modelClassOfLabel: [0, 1],
      },
      {
        sources: [oracle],
        steps,
        seed: 0,
        normalization: { mean: [0], std: [1 / 255] },
        batchSize: 1,
        sanityImages: 0,
        exampleImages: 0,
      },
    );
    expect(together.methods[0].deletion.curve).toHaveLength(65);
    together.methods[0].deletion.curve.forEach((value, k) =>
      expect(value).toBeCloseTo(oneByOne.methods[0].deletion.curve[k], 6),
    );
    expect(together.methods[0].insertion.auc).toBeCloseTo(oneByOne.methods[0].insertion.auc, 6);
    expect(together.random.averageDrop).toBeCloseTo(oneByOne.random.averageDrop, 6);
  });

  it('keeps example maps and leaves no tensors behind', () => {
    const model = regionModel();
    const before = tf.memory().numTensors;
    const result = run(4, 0, model);
    expect(tf.memory().numTensors).toBe(before);
    expect(result.examples).toHaveLength(1);
    expect(result.examples[0].maps.get('oracle')?.shape).toEqual([SIDE, SIDE]);
    expect(result.examples[0].maps.get(RANDOM_BASELINE)?.map).toHaveLength(SIDE * SIDE);
  });
});
