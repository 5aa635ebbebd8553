/**
 * Grad-CAM on graph models written by hand in the converter's format (helpers/graph-models.ts),
 * against an independent computation: the same network written with TensorFlow.js ops on the cpu
 * backend from the dequantized weights (no graph executor, no cutting code), whose gradient
 * ∂y^c/∂A gives the reference map (Eq. 1–2, helpers/reference-net.ts), to 1e-3, on the cpu and
 * wasm backends.
 *
 * Two networks: a MobileNet-style residual one (fused conv + Relu, MaxPool, fused depthwise +
 * Relu6, linear 1×1 projection, AddV2 skip, fused conv + Relu6, AvgPool, Mean, MatMul + BiasAdd,
 * Softmax; uint8 weights in two groups) and an Inception-style one (fused conv + LeakyRelu,
 * three branches: 1×1 conv + Relu, depthwise ×2 + Relu6 then 1×1 + Relu6, MaxPool; ConcatV2,
 * Mean, _FusedMatMul; float16 weights).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainBatch } from '../../src/cam/explain.js';
import {
  defaultGraphTarget,
  explainableNodeNames,
  genericGraphOf,
  graphNodeSummaries,
  isConvolutionOp,
  cutGraphModelAt,
} from '../../src/surgery/graph-cut.js';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { LayerChoiceError } from '../../src/surgery/layers-cut.js';
import { buildGraphModelFromFiles, disposeGraphModel, type LoadedGraphModel } from '../../src/models/graph-model.js';
import { readModelDirectory } from '../../src/models/model-dir.js';
import { prepareWasm } from '../helpers/backends.js';
import { maxDifference } from '../helpers/compare.js';
import { GraphBuilder, writeGraphModel } from '../helpers/graph-models.js';
import {
  inceptionGraph,
  inceptionReference,
  residualGraph,
  residualReference,
  type Reference,
  type Weights,
} from '../helpers/graph-networks.js';
import { referenceGradcam, volumeFrom } from '../helpers/reference-net.js';

const TOLERANCE = 1e-3;

interface Case {
  name: string;
  graph: () => GraphBuilder;
  reference: Reference;
  logits: string;
  write: Parameters<typeof writeGraphModel>[2];
  defaultNode: string;
  /** Nodes to explain besides the default: inside a branch, before a skip connection, … */
  nodes: string[];
}

const CASES: Case[] = [
  {
    name: 'residual, uint8 weights in two groups',
    graph: residualGraph,
    reference: residualReference,
    logits: 'logits/BiasAdd',
    write: { quantization: 'uint8', weightsPerGroup: 6, shardBytes: 64 },
    defaultNode: 'head/Relu6',
    nodes: ['stem/Relu', 'stem/MaxPool', 'block/depthwise/Relu6', 'block/project/BiasAdd', 'block/add'],
  },
  {
    name: 'inception, float16 weights',
    graph: inceptionGraph,
    reference: inceptionReference,
    logits: 'logits/BiasAdd',
    write: { quantization: 'float16' },
    defaultNode: 'mixed/concat',
    nodes: ['stem/LeakyRelu', 'mixed/branch3x3/depthwise/Relu6', 'mixed/branch3x3/Relu6', 'mixed/branch_pool/MaxPool'],
  },
];

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'gradcam-graph-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** The reference map of each image for its top class, computed on the cpu backend. */
async function referenceMaps(
  testCase: Case,
  weights: Weights,
  imageValues: Float32Array,
  shape: number[],
  node: string,
): Promise<{ maps: number[][]; classes: number[]; logits: number[] }> {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    return tf.tidy(() => {
      const images = tf.tensor4d(imageValues, shape as [number, number, number, number]);
      const clean = testCase.reference(weights, images);
      const activations = clean.get(node) as tf.Tensor4D;
      const logits = clean.get(testCase.logits) as tf.Tensor2D;
      const classes = Array.from(tf.argMax(logits, 1).dataSync());
      const scores = logits.arraySync().map((row, i) => row[classes[i]]);
      const selector = tf.oneHot(tf.tensor1d(classes, 'int32'), logits.shape[1]);
      const score = (a: tf.Tensor) =>
        tf.sum(
          tf.mul(testCase.reference(weights, images, { node, value: a }).get(testCase.logits) as tf.Tensor, selector),
        );
      const gradient = tf.grad(score)(activations);
      const [batch, h, w, c] = activations.shape;
      const size = h * w * c;
      const a = activations.dataSync();
      const g = gradient.dataSync();
      const maps = Array.from({ length: batch }, (_, i) =>
        referenceGradcam(
          volumeFrom(a.slice(i * size, (i + 1) * size), h, w, c),
          Float64Array.from(g.slice(i * size, (i + 1) * size)),
        ),
      );
      return { maps, classes, logits: scores };
    });
  } finally {
    await tf.setBackend(previous);
  }
}

describe.each(['cpu', 'wasm'])(
  'graph models: Grad-CAM vs the same network in TensorFlow.js ops (%s backend)',
  (backend) => {
    beforeAll(async () => {
      tf.env().set('PROD', true);
      if (backend === 'wasm') await prepareWasm();
      await tf.setBackend(backend);
    });

    describe.each(CASES)('$name', (testCase) => {
      let loaded: LoadedGraphModel;
      let weights: Weights;
      beforeAll(async () => {
        const modelDirectory = join(directory, `${backend}-${testCase.name.split(',')[0]}`);
        weights = await writeGraphModel(modelDirectory, testCase.graph(), testCase.write);
        loaded = buildGraphModelFromFiles(await readModelDirectory(modelDirectory));
      });
      afterAll(() => disposeGraphModel(loaded));

      it('picks the default node by the rule', () => {
        expect(defaultGraphTarget(loaded)).toBe(testCase.defaultNode);
      });

      it.each([testCase.defaultNode, ...testCase.nodes])(
        '%s: maps within 1e-3 of the reference, the same logits',
        async (node) => {
          const [h, w, c] = loaded.inputShape;
          const imageValues = Float32Array.from({ length: 2 * h * w * c }, (_, i) => Math.sin(i * 1.7 + 0.3) * 1.5);
          const before = tf.memory().numTensors;
          const images = tf.tensor4d(imageValues, [2, h, w, c]);
          const explanations = explainBatch(
            cutGraphModelAt(loaded, node),
            images,
            { kind: 'top' },
            { method: gradcam, counterfactual: false },
          );
          images.dispose();
          expect(tf.memory().numTensors).toBe(before);

          const expected = await referenceMaps(testCase, weights, imageValues, [2, h, w, c], node);
          expect(explanations.map((e) => e.target.index)).toEqual(expected.classes);
          expect(
            maxDifference(
              explanations.map((e) => e.target.logit),
              expected.logits,
            ),
          ).toBeLessThan(1e-4);
          explanations.forEach((explanation, i) => {
            expect(explanation.empty).toBe(false);
            expect(maxDifference(explanation.map, expected.maps[i])).toBeLessThan(TOLERANCE);
          });
        },
      );
    });
  },
);

describe('graph models: nodes', () => {
  let loaded: LoadedGraphModel;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const modelDirectory = join(directory, 'nodes');
    await writeGraphModel(modelDirectory, residualGraph(), { quantization: 'none' });
    loaded = buildGraphModelFromFiles(await readModelDirectory(modelDirectory));
  });
  afterAll(() => disposeGraphModel(loaded));

  it('lists every non-constant node in order with its shape, which can be explained, and no part of an unfused node', () => {
    expect(graphNodeSummaries(loaded)).toEqual([
      { name: 'images', op: 'Placeholder', outputShape: [1, 9, 9, 3], explainable: false },
      { name: 'stem/Relu', op: '_FusedConv2D', outputShape: [1, 9, 9, 4], explainable: true },
      { name: 'stem/MaxPool', op: 'MaxPool', outputShape: [1, 4, 4, 4], explainable: true },
      { name: 'block/depthwise/Relu6', op: 'FusedDepthwiseConv2dNative', outputShape: [1, 4, 4, 4], explainable: true },
      { name: 'block/project/BiasAdd', op: '_FusedConv2D', outputShape: [1, 4, 4, 4], explainable: true },
      { name: 'block/add', op: 'AddV2', outputShape: [1, 4, 4, 4], explainable: true },
      { name: 'head/Relu6', op: '_FusedConv2D', outputShape: [1, 4, 4, 6], explainable: true },
      { name: 'head/AvgPool', op: 'AvgPool', outputShape: [1, 2, 2, 6], explainable: true },
      { name: 'head/Mean', op: 'Mean', outputShape: [1, 6], explainable: false },
      { name: 'logits/MatMul', op: 'MatMul', outputShape: [1, 5], explainable: false },
      { name: 'logits/BiasAdd', op: 'BiasAdd', outputShape: [1, 5], explainable: false },
      { name: 'probabilities', op: 'Softmax', outputShape: [1, 5], explainable: false },
      { name: 'Identity', op: 'Identity', outputShape: [1, 5], explainable: false },
    ]);
    expect(explainableNodeNames(loaded)).toEqual([
      'stem/Relu',
      'stem/MaxPool',
      'block/depthwise/Relu6',
      'block/project/BiasAdd',
      'block/add',
      'head/Relu6',
      'head/AvgPool',
    ]);
  });

  it('the cut reads the pre-softmax scores and knows the activation shape', () => {
    const cut = cutGraphModelAt(loaded, 'head/Relu6');
    expect(cut.activationShape).toEqual([4, 4, 6]);
    expect(cut.classes).toBe(5);
    const [logits, probabilities] = tf.tidy(() => {
      const images = tf.randomNormal([3, 9, 9, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
      const scores = cut.logits(images);
      // The guided pass runs the unfused twin of the model: the same values.
      expect(maxDifference(cut.logits(images, { guidedRelu: true }).dataSync(), scores.dataSync())).toBeLessThan(1e-5);
      const output = loaded.model.execute(images) as tf.Tensor;
      return [scores.arraySync() as number[][], output.arraySync() as number[][]];
    });
    logits.forEach((row, i) => {
      const softmax = tf.tidy(() => tf.softmax(tf.tensor1d(row)).arraySync() as number[]);
      expect(maxDifference(softmax, probabilities[i])).toBeLessThan(1e-6);
    });
  });

  it('refuses nodes that cannot be explained, naming them, as usage errors', () => {
    expect(() => cutGraphModelAt(loaded, 'nope')).toThrow(
      /^layer nope: no such node; nodes that can be explained: stem\/Relu, /,
    );
    expect(() => cutGraphModelAt(loaded, 'head/Mean')).toThrow(
      /^layer head\/Mean: output \[1, 6\] \(float32\) is not a float32 spatial output/,
    );
    expect(() => cutGraphModelAt(loaded, 'nope')).toThrow(LayerChoiceError);
    expect(() => cutGraphModelAt(loaded, 'images')).toThrow(/is the model input/);
    expect(() => cutGraphModelAt(loaded, 'stem/Relu/gradcam_unfused/Conv2D')).toThrow(/no such node/);
  });
});

describe('graph models: one sigmoid output', () => {
  it('is explained (one class), equal to the reference map of the sigmoid score', async () => {
    await tf.setBackend('cpu');
    const g = new GraphBuilder(19);
    const conv = g.fusedConv('conv/Relu', g.placeholder('x', [-1, 4, 4, 2]), [3, 3, 2, 3], {
      activation: 'Relu',
      biasOffset: 0.2,
    });
    g.unary(
      'Identity',
      'Identity',
      g.unary('Sigmoid', 'sigmoid', g.fusedDense('dense', g.spatialMean('gap', conv), 3, 1)),
    );
    const modelDirectory = join(directory, 'sigmoid');
    const weights = await writeGraphModel(modelDirectory, g, { quantization: 'none' });
    const loaded = buildGraphModelFromFiles(await readModelDirectory(modelDirectory));
    const imageValues = Float32Array.from({ length: 32 }, (_, i) => Math.cos(i * 0.7));
    const images = tf.tensor4d(imageValues, [1, 4, 4, 2]);
    const [explanation] = explainBatch(
      cutGraphModelAt(loaded, 'conv/Relu'),
      images,
      { kind: 'top' },
      { method: gradcam, counterfactual: false },
    );
    const expected = tf.tidy(() => {
      const filter = tf.tensor4d(weights.get('conv/Relu/weights') as Float32Array, [3, 3, 2, 3]);
      const activations = tf.relu(
        tf.add(tf.conv2d(images, filter, 1, 'same'), tf.tensor1d(weights.get('conv/Relu/bias') as Float32Array)),
      );
      const score = (a: tf.Tensor) =>
        tf.sum(
          tf.sigmoid(
            tf.add(
              tf.matMul(
                tf.mean(a, [1, 2]) as tf.Tensor2D,
                tf.tensor2d(weights.get('dense/kernel') as Float32Array, [3, 1]),
              ),
              tf.tensor1d(weights.get('dense/bias') as Float32Array),
            ),
          ),
        );
      const gradient = tf.grad(score)(activations);
      return referenceGradcam(volumeFrom(activations.dataSync(), 4, 4, 3), Float64Array.from(gradient.dataSync()));
    });
    expect(explanation.target.index).toBe(0);
    expect(maxDifference(explanation.map, expected)).toBeLessThan(1e-5);
    images.dispose();
    disposeGraphModel(loaded);
  });
});

describe('graph models: the generic graph', () => {
  it('lists the nodes with their ops, the input, and the pre-softmax node as the output', async () => {
    await tf.setBackend('cpu');
    const modelDirectory = join(directory, 'generic');
    await writeGraphModel(modelDirectory, inceptionGraph(), { quantization: 'none' });
    const loaded = buildGraphModelFromFiles(await readModelDirectory(modelDirectory));
    const graph = genericGraphOf(loaded);
    expect(graph.inputs).toEqual(['input']);
    expect(graph.output).toBe('logits/BiasAdd');
    expect(graph.nodes.find((node) => node.name === 'mixed/concat')).toEqual({
      name: 'mixed/concat',
      inputs: ['mixed/branch1x1/Relu', 'mixed/branch3x3/Relu6', 'mixed/branch_pool/MaxPool'],
      outputShape: [1, 6, 6, 10],
      type: 'ConcatV2',
    });
    expect(
      ['_FusedConv2D', 'FusedDepthwiseConv2dNative', 'DepthwiseConv2dNative', 'Conv2D'].every(isConvolutionOp),
    ).toBe(true);
    expect(['MaxPool', 'MatMul', 'ConcatV2', 'AvgPool'].some(isConvolutionOp)).toBe(false);
    disposeGraphModel(loaded);
  });
});
