/**
 * `gradcam eval` through the real launcher on models gradcam did not train: a Keras-style layers
 * model and a graph model, both uint8-quantized as the converter writes them, fed with Keras
 * 'caffe' preprocessing (BGR, ImageNet means subtracted) and named by --labels.
 *
 * Both networks compute the same thing: a 1×1 convolution with the identity kernel (the layer
 * explained), a spatial mean, and logits 0.01 · (model channel 0, model channel 2), i.e.
 * 0.01 · (B − 103.939) for "blueish" and 0.01 · (R − 123.68) for "reddish". On one-colour
 * photos the probabilities follow by hand, so the BGR order, the means and the "removed pixel"
 * of deletion (the mean pixel: input 0, both logits 0, probability ½) are checked against
 * arithmetic, not against our own preprocessing code.
 */
import * as tf from '@tensorflow/tfjs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/io/image-codec.js';
import { writeConvertedModel } from '../helpers/converter-weights.js';
import { GraphBuilder, writeGraphModel } from '../helpers/graph-models.js';
import { runCli } from '../helpers/run-cli.js';

let root: string;
let photos: string;
let labels: string;
let layersModel: string;
let graphModel: string;

const IDENTITY_KERNEL = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
/** [3 model channels, 2 classes]: class 0 reads channel 0 (B under caffe), class 1 channel 2 (R). */
const DENSE_KERNEL = Float32Array.from([0.01, 0, 0, 0, 0, 0.01]);

const sigmoid = (d: number) => 1 / (1 + Math.exp(-d));
// A red photo (255, 0, 0): B − 103.939 = −103.939, R − 123.68 = 131.32; "reddish" wins.
const RED_PROBABILITY = sigmoid(0.01 * (255 - 123.68) - 0.01 * (0 - 103.939));
// A blue photo (0, 0, 255): B − 103.939 = 151.061, R − 123.68 = −123.68; "blueish" wins.
const BLUE_PROBABILITY = sigmoid(0.01 * (255 - 103.939) - 0.01 * (0 - 123.68));

function uniformPng(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const data = Uint8Array.from({ length: width * height * 3 }, (_, i) => rgb[i % 3]);
  return encodePng({ data, width, height, channels: 3 });
}

async function writeLayersModel(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true });
  const input = tf.input({ shape: [8, 8, 3] });
  const conv = tf.layers.conv2d({ name: 'conv', filters: 3, kernelSize: 1, useBias: false });
  const dense = tf.layers.dense({ name: 'predictions', units: 2, activation: 'softmax' });
  let x = conv.apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: dense.apply(x) as tf.SymbolicTensor });
  conv.setWeights([tf.tensor4d(IDENTITY_KERNEL, [1, 1, 3, 3])]);
  dense.setWeights([tf.tensor2d(DENSE_KERNEL, [3, 2]), tf.zeros([2])]);
  await writeConvertedModel(directory, model, { quantization: 'uint8' });
  model.dispose();
}

async function writeGraph(directory: string): Promise<void> {
  const g = new GraphBuilder(1);
  const conv = g.fusedConv('conv/BiasAdd', g.placeholder('images', [-1, 8, 8, 3]), [1, 1, 3, 3]);
  const logits = g.dense('logits', g.spatialMean('gap/Mean', conv), 3, 2);
  g.unary('Identity', 'Identity', g.unary('Softmax', 'probabilities', logits));
  const values: Record<string, Float32Array> = {
    'conv/BiasAdd/weights': IDENTITY_KERNEL,
    'conv/BiasAdd/bias': new Float32Array(3),
    'logits/kernel': DENSE_KERNEL,
    'logits/bias': new Float32Array(2),
  };
  for (const weight of g.weights) if (weight.name in values) weight.values = values[weight.name];
  await writeGraphModel(directory, g, { quantization: 'uint8' });
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-eval-foreign-'));
  photos = join(root, 'photos');
  for (const split of ['train', 'test']) {
    await mkdir(join(photos, split, 'blueish'), { recursive: true });
    await mkdir(join(photos, split, 'reddish'), { recursive: true });
    await writeFile(join(photos, split, 'reddish', 'red.png'), uniformPng(8, 8, [255, 0, 0]));
    // An odd size: resized to the model's 8×8, still one colour.
    await writeFile(join(photos, split, 'blueish', 'blue.png'), uniformPng(13, 7, [0, 0, 255]));
  }
  labels = join(root, 'labels.txt');
  await writeFile(labels, 'blueish\nreddish\n');
  layersModel = join(root, 'layers');
  await writeLayersModel(layersModel);
  graphModel = join(root, 'graph');
  await writeGraph(graphModel);
});
afterAll(() => rm(root, { recursive: true, force: true }));

const evalArgs = (model: string, ...more: string[]) => [
  'eval',
  '--model',
  model,
  '--dataset',
  'folder',
  '--data',
  photos,
  '--preprocess',
  'caffe',
  '--methods',
  'gradcam',
  '--steps',
  '4',
  '--count',
  '2',
  ...more,
];

describe.each([
  { kind: 'layers', model: () => layersModel, layer: 'conv', cascade: ['predictions', 'conv'] },
  {
    kind: 'graph',
    model: () => graphModel,
    layer: 'conv/BiasAdd',
    cascade: ['logits/BiasAdd', 'logits/MatMul', 'conv/BiasAdd'],
  },
])('eval on a foreign $kind model with --preprocess caffe and --labels', ({ kind, model, layer, cascade }) => {
  it('gives the hand-computed probabilities, accuracy and class names', async () => {
    const report = join(root, `${kind}.html`);
    const result = await runCli([...evalArgs(model(), '--labels', labels, '--report', report, '--json')]);
    expect(result.stderr).not.toMatch(/error|warning/);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.layer).toEqual({ name: layer, shape: [8, 8, 3] });
    expect(json.classes).toEqual({ model: ['blueish', 'reddish'], dataset: ['blueish', 'reddish'] });
    expect(json.accuracy).toBe(1);
    expect(json.predictions).toEqual([
      { class: 0, name: 'blueish', images: 1 },
      { class: 1, name: 'reddish', images: 1 },
    ]);
    expect(json.meanProbability).toBeCloseTo((RED_PROBABILITY + BLUE_PROBABILITY) / 2, 4);
    for (const scores of [...json.methods, json.random]) {
      expect(scores.deletion.curve[0]).toBeCloseTo(json.meanProbability, 5);
      // Every pixel removed = the mean pixel = input 0: both logits 0.
      expect(scores.deletion.curve[4]).toBeCloseTo(0.5, 5);
    }
    expect(json.protocol.deletion).toContain('R, G, B = 123.68, 116.779, 103.939 on 0..255 (0 after normalization)');
    expect(json.sanity.layers).toEqual(cascade);
    expect(json.protocol.sanity).toContain(
      kind === 'graph' ? 'randomly permuted, seeded (graph models keep no initializers' : 'their own initializers',
    );
    const html = await readFile(report, 'utf8');
    expect(html).toContain('label reddish, predicted reddish');
    expect(html).toContain('label blueish, predicted blueish');
  });

  it('reports the accuracy as unknown, with the reason, when the folder names are not the labels', async () => {
    const other = join(root, `${kind}-other.txt`);
    await writeFile(other, '["Blue", "Red"]');
    const result = await runCli(evalArgs(model(), '--labels', other, '--sanity-count', '0'));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `gradcam: accuracy unknown: the dataset's classes "blueish", "reddish" are not among the model's classes\n`,
    );
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/; accuracy —, mean confidence [\d.]+%$/);
    expect(lines[1]).toBe('predicted: Blue 1, Red 1');
  });

  it('without --labels, classes are indices and the accuracy is unknown (null in JSON)', async () => {
    const result = await runCli(evalArgs(model(), '--sanity-count', '0', '--json'));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "accuracy unknown: the model's classes have no names to match the dataset's classes to (give --labels FILE)",
    );
    const json = JSON.parse(result.stdout);
    expect(json.accuracy).toBeNull();
    expect(json.classes.model).toBeNull();
    expect(json.predictions.map((entry: { name: string }) => entry.name)).toEqual(['0', '1']);
  });
});

describe('eval on a grayscale foreign model', () => {
  it("feeds the folder's photos as BT.601 gray, by hand", async () => {
    const gray = join(root, 'gray');
    await mkdir(gray);
    const input = tf.input({ shape: [8, 8, 1] });
    const conv = tf.layers.conv2d({ name: 'conv', filters: 1, kernelSize: 1, useBias: false });
    const dense = tf.layers.dense({ name: 'logits', units: 2 });
    const pooled = tf.layers
      .globalAveragePooling2d({ name: 'pool' })
      .apply(conv.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: dense.apply(pooled) as tf.SymbolicTensor });
    conv.setWeights([tf.ones([1, 1, 1, 1])]);
    dense.setWeights([tf.tensor2d([0.01, -0.01], [1, 2]), tf.zeros([2])]);
    await writeConvertedModel(gray, model, { quantization: 'none' });
    model.dispose();
    const result = await runCli([
      'eval',
      '--model',
      gray,
      '--dataset',
      'folder',
      '--data',
      photos,
      '--scale',
      '0-255',
      '--methods',
      'gradcam',
      '--steps',
      '2',
      '--sanity-count',
      '0',
      '--json',
      '--quiet',
    ]);
    expect(result.code).toBe(0);
    // Red (255, 0, 0) is gray round(0.299 · 255) = 76, blue (0, 0, 255) round(0.114 · 255) = 29;
    // logits ±0.01 · gray, so both are class 0 with probability sigmoid(0.02 · gray).
    const json = JSON.parse(result.stdout);
    expect(json.predictions).toEqual([{ class: 0, name: '0', images: 2 }]);
    expect(json.meanProbability).toBeCloseTo((sigmoid(0.02 * 76) + sigmoid(0.02 * 29)) / 2, 5);
  });
});

describe('eval on foreign models: bad input is one line, a non-zero exit, and nothing written', () => {
  it('a labels file with the wrong number of names (layers model, exit 1)', async () => {
    const three = join(root, 'three.txt');
    await writeFile(three, 'a\nb\nc\n');
    const report = join(root, 'never-layers.html');
    const result = await runCli(evalArgs(layersModel, '--labels', three, '--report', report, '--quiet'));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`gradcam: error: ${three}: 3 class names, but the model has 2 output classes\n`);
    expect(result.stdout).toBe('');
    await expect(stat(report)).rejects.toThrow();
  });

  it("an --input-size that contradicts the graph model's fixed input (exit 2)", async () => {
    const report = join(root, 'never-graph.html');
    const result = await runCli(evalArgs(graphModel, '--input-size', '16x16', '--report', report, '--quiet'));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^gradcam: error: --input-size 16x16: /);
    expect(result.stdout).toBe('');
    await expect(stat(report)).rejects.toThrow();
  });
});

describe("a folder with only test/<class>/ (someone else's model, no training set)", () => {
  it('eval scores it as it scores the same images beside a train/ folder', async () => {
    const testOnly = join(root, 'test-only');
    await cp(join(photos, 'test'), join(testOnly, 'test'), { recursive: true });
    const args = (data: string) => [...evalArgs(layersModel, '--labels', labels, '--json'), '--data', data];
    const [alone, beside] = await Promise.all([runCli(args(testOnly)), runCli(args(photos))]);
    expect(alone.code, alone.stderr).toBe(0);
    expect(beside.code, beside.stderr).toBe(0);
    const withoutTime = (stdout: string) => ({ ...JSON.parse(stdout), createdAt: undefined });
    const scores = withoutTime(alone.stdout);
    expect(scores.accuracy).toBe(1);
    expect(scores.classes.dataset).toEqual(['blueish', 'reddish']);
    expect(scores).toEqual(withoutTime(beside.stdout));
  });

  it('cam explains its images, labelled by their class folders', async () => {
    const testOnly = join(root, 'test-only-cam');
    await cp(join(photos, 'test'), join(testOnly, 'test'), { recursive: true });
    const out = join(root, 'test-only-maps');
    const result = await runCli([
      'cam',
      '--model',
      layersModel,
      '--preprocess',
      'caffe',
      '--labels',
      labels,
      '--dataset',
      'folder',
      '--data',
      testOnly,
      '--count',
      '2',
      '--out',
      out,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const entries = JSON.parse(result.stdout).entries as { source: string; label: { name: string; index: number } }[];
    expect(entries.map((entry) => [entry.source, entry.label])).toEqual([
      [join(testOnly, 'test', 'blueish', 'blue.png'), { index: 0, name: 'blueish' }],
      [join(testOnly, 'test', 'reddish', 'red.png'), { index: 1, name: 'reddish' }],
    ]);
  });

  it("cam takes a folder of a few of the model's classes, matched to --labels by name", async () => {
    const some = join(root, 'test-only-reddish');
    await cp(join(photos, 'test', 'reddish'), join(some, 'test', 'reddish'), { recursive: true });
    const args = (more: string[]) => [
      'cam',
      '--model',
      layersModel,
      '--preprocess',
      'caffe',
      '--dataset',
      'folder',
      '--data',
      some,
      '--count',
      '1',
      ...more,
    ];
    const result = await runCli(args(['--labels', labels, '--out', join(root, 'reddish-maps'), '--json']));
    expect(result.code, result.stderr).toBe(0);
    const entries = JSON.parse(result.stdout).entries as { label: { name: string; index: number } }[];
    expect(entries.map((entry) => entry.label)).toEqual([{ index: 1, name: 'reddish' }]);
    // Without names, one class folder against two outputs cannot be matched.
    const unnamed = await runCli(args(['--out', join(root, 'unnamed-maps'), '--quiet']));
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toBe(
      `gradcam: error: --data ${some}: its 1 classes (reddish) are not the model's 2 (give --labels FILE to match them by name)\n`,
    );
  });
});
