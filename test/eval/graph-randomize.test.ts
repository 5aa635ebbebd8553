/**
 * The sanity check's cascade on a graph model (src/eval/graph-randomize.ts): which nodes it
 * randomizes and in what order, that each weight keeps its values in a new order, that both copies of the model (converted and unfused) compute
 * with the re-drawn weights, checked against the network written with TensorFlow.js ops from
 * those weights, and that restoring gives the trained model back with no tensor leaked.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutGraphModelAt } from '../../src/surgery/graph-cut.js';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { graphCascade, permutedLike } from '../../src/eval/graph-randomize.js';
import { camMapSource } from '../../src/eval/map-sources.js';
import { redrawLike } from '../../src/eval/randomize.js';
import { cascadingRandomization } from '../../src/eval/sanity.js';
import { buildGraphModelFromFiles, disposeGraphModel, type LoadedGraphModel } from '../../src/models/graph-model.js';
import { readModelDirectory } from '../../src/models/model-dir.js';
import { maxDifference } from '../helpers/compare.js';
import { writeGraphModel } from '../helpers/graph-models.js';
import { residualGraph, residualReference, type Weights } from '../helpers/graph-networks.js';

let root: string;
let loaded: LoadedGraphModel;

const images = () =>
  tf.tensor4d(
    Float32Array.from({ length: 2 * 9 * 9 * 3 }, (_, i) => ((i * 37) % 255) / 255),
    [2, 9, 9, 3],
  );

/** The current weights of the converted model, as the reference network reads them. */
function currentWeights(): Weights {
  return new Map(
    Object.entries(loaded.model.weights).map(([name, [tensor]]) => [
      name,
      tensor.dataSync() as Float32Array | Int32Array,
    ]),
  );
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-graph-randomize-'));
  await writeGraphModel(join(root, 'graph'), residualGraph(), { quantization: 'float16' });
  loaded = buildGraphModelFromFiles(await readModelDirectory(join(root, 'graph')));
});
afterAll(async () => {
  disposeGraphModel(loaded);
  await rm(root, { recursive: true, force: true });
});

describe('graphCascade', () => {
  it('steps through the nodes that read float weights, output side first; integer constants are left alone', () => {
    expect(graphCascade(loaded).steps).toEqual([
      'logits/BiasAdd',
      'logits/MatMul',
      'head/Relu6',
      'block/project/BiasAdd',
      'block/depthwise/Relu6',
      'stem/Relu',
    ]);
  });

  it('makes both copies of the model compute with the re-drawn weights, and restores the trained ones', () => {
    const cut = cutGraphModelAt(loaded, 'head/Relu6');
    const cascade = graphCascade(loaded);
    const before = tf.memory().numTensors;
    const trainedLogits = tf.tidy(() => cut.logits(images()).arraySync());
    const restore = cascade.save();
    cascade.randomize(0, 1);
    cascade.randomize(2, 2);
    const randomized = currentWeights();
    // The reduction axes of head/Mean are int32: untouched.
    expect(Array.from(randomized.get('head/Mean/reduction_indices') as Int32Array)).toEqual([1, 2]);
    tf.tidy(() => {
      const input = images();
      const reference = residualReference(randomized, input).get('logits/BiasAdd') as tf.Tensor;
      // The converted model (forward passes) ...
      expect(
        maxDifference(cut.logits(input).dataSync() as Float32Array, Array.from(reference.dataSync())),
      ).toBeLessThan(1e-4);
      // ... and the unfused one (the passes whose gradient is taken).
      const { activations, logitsFrom } = cut.forward(input);
      expect(
        maxDifference(logitsFrom(activations).dataSync() as Float32Array, Array.from(reference.dataSync())),
      ).toBeLessThan(1e-4);
      expect(maxDifference(reference.dataSync() as Float32Array, trainedLogits.flat())).toBeGreaterThan(1e-2);
    });
    restore();
    expect(tf.tidy(() => cut.logits(images()).arraySync())).toEqual(trainedLogits);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws the same weights for the same seed', () => {
    const cascade = graphCascade(loaded);
    const draw = (seed: number) => {
      const restore = cascade.save();
      cascade.randomize(2, seed);
      const values = Array.from(loaded.model.weights['head/Relu6/weights'][0].dataSync());
      restore();
      return values;
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it("runs the sanity check: Grad-CAM's maps decorrelate, the model is trained again afterwards", () => {
    const cut = cutGraphModelAt(loaded, 'head/Relu6');
    const source = camMapSource(cut, [9, 9, 3], gradcam);
    const pixels = tf.tidy(() => images().dataSync() as Float32Array);
    const classes = [0, 1];
    const trainedMaps = new Map([[source.name, source.explain(pixels, classes).map((entry) => entry.map)]]);
    const result = cascadingRandomization({
      cascade: graphCascade(loaded),
      images: pixels,
      classes,
      sources: [source],
      trainedMaps,
      seed: 0,
    });
    expect(result.layers).toHaveLength(6);
    expect(result.curves[0].correlation.at(-1)).toBeLessThan(0.9);
    const again = source.explain(pixels, classes).map((entry) => Array.from(entry.map));
    expect(again).toEqual((trainedMaps.get(source.name) as Float32Array[]).map((map) => Array.from(map)));
  });
});

describe('permutedLike', () => {
  it('holds exactly the same values in another, seeded order', () => {
    tf.tidy(() => {
      const weights = tf.tensor3d(
        Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3),
        [2, 3, 4],
      );
      const permuted = permutedLike(weights, 5);
      expect(permuted.shape).toEqual([2, 3, 4]);
      const values = Array.from(permuted.dataSync());
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from(weights.dataSync()));
      expect(values).not.toEqual(Array.from(weights.dataSync()));
      expect(Array.from(permutedLike(weights, 5).dataSync())).toEqual(values);
    });
  });
});

describe('redrawLike (layers weights without a known initializer)', () => {
  it('keeps the mean and standard deviation of the weights it replaces', () => {
    tf.tidy(() => {
      const weights = tf.add(tf.mul(tf.randomUniform([100, 100], -1, 1, 'float32', 3), 0.3), 0.2); // mean 0.2, std 0.3/√3
      const drawn = redrawLike(weights, 11);
      expect(drawn.shape).toEqual([100, 100]);
      const { mean, variance } = tf.moments(drawn);
      expect(mean.dataSync()[0]).toBeCloseTo(0.2, 2);
      expect(Math.sqrt(variance.dataSync()[0])).toBeCloseTo(0.3 / Math.sqrt(3), 2);
    });
  });
});
