/**
 * Cascading randomization: which layers change at each step, how they are re-drawn, and that the
 * trained weights come back afterwards.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { eigencam } from '../../src/cam/methods/eigencam.js';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { cutModelAt } from '../../src/surgery/layers-cut.js';
import { camMapSource, type MapSource } from '../../src/eval/map-sources.js';
import {
  layersCascade,
  layersTopDown,
  reinitializeLayer,
  restoreWeights,
  snapshotWeights,
  disposeSnapshot,
} from '../../src/eval/randomize.js';
import { cascadingRandomization } from '../../src/eval/sanity.js';

/** conv c1 → conv c2 → flatten → dense d1 → dense d2, every bias set to 0.5 ("trained"). */
function smallModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      name: 'c1',
      inputShape: [6, 6, 1],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
    }),
  );
  model.add(
    tf.layers.conv2d({
      name: 'c2',
      filters: 16,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: 2 }),
    }),
  );
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({
      name: 'd1',
      units: 40,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  model.add(tf.layers.dense({ name: 'd2', units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
  tf.tidy(() => {
    for (const layer of model.layers) {
      const weights = layer.getWeights();
      if (weights.length === 2) layer.setWeights([weights[0], tf.fill(weights[1].shape, 0.5)]);
    }
  });
  return model;
}

const valuesOf = (layer: tf.layers.Layer) => layer.getWeights().map((weight) => Array.from(weight.dataSync()));

function std(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

describe('cascading randomization', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await tf.setBackend('cpu');
  });

  it('goes from the logits down, over the layers that have weights', () => {
    expect(layersTopDown(smallModel()).map((layer) => layer.name)).toEqual(['d2', 'd1', 'c2', 'c1']);
  });

  it('re-draws one layer from its own initializer and touches no other', () => {
    const model = smallModel();
    const before = new Map(model.layers.map((layer) => [layer.name, valuesOf(layer)]));
    reinitializeLayer(model.getLayer('c2'), 5);
    const [kernel, bias] = valuesOf(model.getLayer('c2'));
    expect(kernel).not.toEqual(before.get('c2')?.[0]);
    // The bias initializer is zeros: the "trained" 0.5 is gone.
    expect(bias.every((value) => value === 0)).toBe(true);
    // He-normal in TensorFlow.js: a normal of σ = √(2 / fan_in) truncated at 2σ, whose standard
    // deviation is 0.8796·σ. fan_in = 3·3·4 = 36; 576 draws.
    expect(std(kernel) / (0.8796 * Math.sqrt(2 / 36))).toBeGreaterThan(0.88);
    expect(std(kernel) / (0.8796 * Math.sqrt(2 / 36))).toBeLessThan(1.12);
    for (const name of ['c1', 'd1', 'd2']) expect(valuesOf(model.getLayer(name))).toEqual(before.get(name));

    // Glorot-uniform: within ±√(6 / (fan_in + fan_out)), fan_in = 6·6·16 = 576, fan_out = 40.
    reinitializeLayer(model.getLayer('d1'), 5);
    const limit = Math.sqrt(6 / (576 + 40));
    const dense = valuesOf(model.getLayer('d1'))[0];
    expect(Math.max(...dense.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(std(dense) / (limit / Math.sqrt(3))).toBeGreaterThan(0.95);
    expect(std(dense) / (limit / Math.sqrt(3))).toBeLessThan(1.05);
  });

  it('is seeded: the same seed gives the same weights, another seed other weights', () => {
    const draw = (seed: number) => {
      const model = smallModel();
      reinitializeLayer(model.getLayer('d1'), seed);
      return valuesOf(model.getLayer('d1'))[0];
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('randomizes exactly the top k layers at step k, then restores every trained weight', () => {
    const model = smallModel();
    const order = layersTopDown(model).map((layer) => layer.name);
    const trained = new Map(model.layers.map((layer) => [layer.name, valuesOf(layer)]));
    const seen: string[][] = [];
    // A source that records which layers differ from the trained model when it is asked for maps.
    const probe: MapSource = {
      name: 'probe',
      reference: 'test',
      mapShape: [1, 4],
      explain: (_images, classes) => {
        seen.push(
          order.filter((name) => JSON.stringify(valuesOf(model.getLayer(name))) !== JSON.stringify(trained.get(name))),
        );
        return classes.map(() => ({ map: Float32Array.from([0, 0.25, 0.5, 1]), empty: false }));
      },
    };
    const images = Float32Array.from({ length: 2 * 36 }, (_, i) => Math.sin(i));
    const tensorsBefore = tf.memory().numTensors;
    const result = cascadingRandomization({
      cascade: layersCascade(model),
      images,
      classes: [0, 1],
      sources: [probe],
      trainedMaps: new Map([['probe', [Float32Array.from([0, 0.25, 0.5, 1]), Float32Array.from([0, 0.25, 0.5, 1])]]]),
      seed: 0,
    });
    expect(seen).toEqual([['d2'], ['d2', 'd1'], ['d2', 'd1', 'c2'], ['d2', 'd1', 'c2', 'c1']]);
    expect(result.layers).toEqual(order);
    // The probe's map never changes: ρ = 1 at every step.
    expect(result.curves[0].correlation).toEqual([1, 1, 1, 1]);
    for (const layer of model.layers) expect(valuesOf(layer)).toEqual(trained.get(layer.name));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('leaves Eigen-CAM (a function of the target layer only) unchanged until that layer is randomized', () => {
    const model = smallModel();
    const cut = cutModelAt(model, 'c2');
    const shape = [6, 6, 1] as const;
    const sources = [camMapSource(cut, shape, eigencam), camMapSource(cut, shape, gradcam)];
    const images = Float32Array.from({ length: 3 * 36 }, (_, i) => Math.abs(Math.sin(i * 0.7)) + (i % 5) / 5);
    const classes = [0, 1, 2];
    const trainedMaps = new Map(
      sources.map((source) => [source.name, source.explain(images, classes).map((entry) => entry.map)]),
    );
    const result = cascadingRandomization({
      cascade: layersCascade(model),
      images,
      classes,
      sources,
      trainedMaps,
      seed: 0,
    });
    const [eigen, grad] = result.curves;
    // d2 and d1 sit above c2: the activations at c2, hence Eigen-CAM's maps, are untouched.
    expect(eigen.correlation.slice(0, 2)).toEqual([1, 1]);
    expect(eigen.correlation[2]).toBeLessThan(0.99);
    // Grad-CAM depends on the logits' weights from the first step on.
    expect(grad.correlation[0]).toBeLessThan(0.99);
    for (const curve of result.curves)
      for (const rho of curve.correlation) expect(Math.abs(rho)).toBeLessThanOrEqual(1);
    // The model is back: its maps are the trained ones again.
    sources[0]
      .explain(images, classes)
      .forEach((entry, i) => expect(Array.from(entry.map)).toEqual(Array.from(trainedMaps.get('eigencam')?.[i] ?? [])));
  });

  it('compared at a few points, gives the curve of every step at those points, and stops after the last', () => {
    const model = smallModel();
    const cut = cutModelAt(model, 'c2');
    const shape = [6, 6, 1] as const;
    const sources = [camMapSource(cut, shape, gradcam)];
    const images = Float32Array.from({ length: 3 * 36 }, (_, i) => Math.abs(Math.sin(i * 0.7)) + (i % 5) / 5);
    const classes = [0, 1, 2];
    const trainedMaps = new Map(
      sources.map((source) => [source.name, source.explain(images, classes).map((entry) => entry.map)]),
    );
    const run = (points?: number[], onStep?: (step: number) => void) =>
      cascadingRandomization({
        cascade: layersCascade(model),
        images,
        classes,
        sources,
        trainedMaps,
        seed: 3,
        points,
        onStep,
      });
    const every = run();
    const randomized: number[] = [];
    const some = run([0, 2], (step) => randomized.push(step));
    expect(every.steps).toEqual([1, 2, 3, 4]);
    expect(some).toMatchObject({ layers: ['d2', 'c2'], steps: [1, 3], cascadeLength: 4, images: 3 });
    expect(some.curves[0].correlation).toEqual([every.curves[0].correlation[0], every.curves[0].correlation[2]]);
    expect(some.curves[0].correlation[0]).toBeLessThan(0.99);
    // Nothing is compared after step 3: step 4 is not randomized at all.
    expect(randomized).toEqual([1, 2, 3]);
  });

  it('snapshot and restore round-trip the weights', () => {
    const model = smallModel();
    const layers = layersTopDown(model);
    const original = layers.map(valuesOf);
    const snapshot = snapshotWeights(layers);
    layers.forEach((layer, i) => reinitializeLayer(layer, i));
    expect(layers.map(valuesOf)).not.toEqual(original);
    restoreWeights(layers, snapshot);
    disposeSnapshot(snapshot);
    expect(layers.map(valuesOf)).toEqual(original);
  });
});
