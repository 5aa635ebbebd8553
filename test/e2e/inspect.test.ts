/**
 * `gradcam inspect` through bin/gradcam.js, on a branching layers model, a graph model of any input
 * size written in the converter's format, and a model with gradcam.json; and its bad inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/io/image-codec.js';
import { writeModelFiles } from '../../src/models/model-dir.js';
import { GraphBuilder, writeGraphModel } from '../helpers/graph-models.js';
import { runCli } from '../helpers/run-cli.js';

let root: string;
let branching: string;
let graph: string;
let withMetadata: string;

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-inspect-'));
  branching = join(root, 'branching');
  graph = join(root, 'graph');
  withMetadata = join(root, 'with-metadata');
  await mkdir(branching);
  await mkdir(withMetadata);

  // stem → (left | right) → concat → pool → dense softmax: an Inception-style join.
  const conv = (name: string, filters: number, strides = 1) =>
    tf.layers.conv2d({ name, filters, kernelSize: 3, strides, padding: 'same', activation: 'relu' });
  const input = tf.input({ shape: [12, 10, 3], name: 'image' });
  const stem = conv('stem', 4).apply(input) as tf.SymbolicTensor;
  const left = conv('left', 2, 2).apply(stem) as tf.SymbolicTensor;
  const right = conv('right', 3, 2).apply(stem) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate({ name: 'mixed' }).apply([left, right]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(joined) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ name: 'predictions', units: 2, activation: 'softmax' })
    .apply(pooled) as tf.SymbolicTensor;
  await writeModelFiles(branching, tf.model({ inputs: input, outputs: output }));

  // A converter-format graph model that accepts any size: fused conv + Relu6, mean, dense, softmax.
  const g = new GraphBuilder(7);
  const features = g.fusedConv('features/Relu6', g.placeholder('input', [-1, -1, -1, 3]), [3, 3, 3, 4], {
    activation: 'Relu6',
  });
  g.unary(
    'Identity',
    'Identity',
    g.unary('Softmax', 'probabilities', g.fusedDense('logits', g.spatialMean('pool', features), 4, 3)),
  );
  await writeGraphModel(graph, g, { quantization: 'none' });

  await writeModelFiles(withMetadata, tf.model({ inputs: input, outputs: output }));
  const metadata = {
    format: 'gradcam-model',
    formatVersion: 1,
    classNames: ['cat', 'dog'],
    inputShape: [12, 10, 3],
    normalization: { mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] },
    targetLayer: 'stem',
  };
  await writeFile(join(withMetadata, 'gradcam.json'), JSON.stringify(metadata));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('inspect', () => {
  it('--json: every layer in order with its shape, the explainable ones, the branches, and the default', async () => {
    const result = await runCli(['inspect', '--model', branching, '--json', '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      format: 'gradcam-inspect',
      formatVersion: 1,
      model: branching,
      modelFormat: 'layers-model',
      gradcamJson: false,
      input: { height: 12, width: 10, channels: 3 },
      classes: 2,
      classNames: null,
      preprocessing: null,
      // The last convolution (right) is inside a branch: the default is where the branches meet.
      defaultTarget: 'mixed',
    });
    expect(report.layers).toEqual([
      { name: 'image', type: 'InputLayer', outputShape: [12, 10, 3], explainable: false, onEveryPath: true },
      { name: 'stem', type: 'Conv2D', outputShape: [12, 10, 4], explainable: true, onEveryPath: true },
      { name: 'left', type: 'Conv2D', outputShape: [6, 5, 2], explainable: true, onEveryPath: false },
      { name: 'right', type: 'Conv2D', outputShape: [6, 5, 3], explainable: true, onEveryPath: false },
      { name: 'mixed', type: 'Concatenate', outputShape: [6, 5, 5], explainable: true, onEveryPath: true },
      { name: 'pool', type: 'GlobalAveragePooling2D', outputShape: [5], explainable: false, onEveryPath: true },
      { name: 'predictions', type: 'Dense', outputShape: [2], explainable: false, onEveryPath: true },
    ]);
    // cam explains what inspect calls the default.
    const image = join(root, 'image.png');
    await writeFile(
      image,
      encodePng({ data: new Uint8Array(12 * 10 * 3).fill(90), width: 10, height: 12, channels: 3 }),
    );
    const cam = await runCli([
      'cam',
      '--model',
      branching,
      '--image',
      image,
      '--out',
      join(root, 'cam'),
      '--json',
      '--quiet',
    ]);
    expect(cam.code).toBe(0);
    expect(JSON.parse(cam.stdout).layer.name).toBe('mixed');
  });

  it('prints one aligned line per layer after the summary', async () => {
    const result = await runCli(['inspect', '--model', branching]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `model          ${branching} (layers-model)`,
        'input          10x12 (width x height), 3 channels (RGB)',
        'classes        2 (names not stated)',
        'preprocessing  not stated',
        'default layer  mixed',
        'layers         7, 4 explainable',
        '',
        'layer        type                    output   Grad-CAM',
        'image        InputLayer              12×10×3',
        'stem         Conv2D                  12×10×4  yes',
        'left         Conv2D                  6×5×2    yes, one branch',
        'right        Conv2D                  6×5×3    yes, one branch',
        'mixed        Concatenate             6×5×5    yes, default',
        'pool         GlobalAveragePooling2D  5',
        'predictions  Dense                   2',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toMatch(/^gradcam: backend /);
  });

  it('a graph model of any size: nodes with their shapes at --input-size, the default node by the same rule', async () => {
    const result = await runCli(['inspect', '--model', graph, '--input-size', '7x5', '--json', '--quiet']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      modelFormat: 'graph-model',
      input: { height: null, width: null, channels: 3 },
      classes: 3,
      defaultTarget: 'features/Relu6',
    });
    const rows = report.layers.map(
      (layer: { name: string; type: string; outputShape: number[]; explainable: boolean }) => [
        layer.name,
        layer.type,
        layer.outputShape,
        layer.explainable,
      ],
    );
    expect(rows.slice(0, 2)).toEqual([
      ['input', 'Placeholder', [5, 7, 3], false],
      ['features/Relu6', '_FusedConv2D', [5, 7, 4], true],
    ]);
    expect(rows.filter((row: unknown[]) => row[3]).length).toBe(1);
  });

  it('a model with gradcam.json: its class names, normalization and target layer', async () => {
    const result = await runCli(['inspect', '--model', withMetadata, '--json', '--quiet']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      gradcamJson: true,
      classNames: ['cat', 'dog'],
      preprocessing: { channelOrder: 'rgb', mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3] },
      defaultTarget: 'stem',
    });
    const text = await runCli(['inspect', '--model', withMetadata, '--quiet']);
    expect(text.stdout.split('\n').slice(2, 5)).toEqual([
      'classes        2: cat, dog',
      'preprocessing  (x/255 − [0.5, 0.4, 0.3]) / [0.2, 0.25, 0.3] (gradcam.json)',
      'default layer  stem',
    ]);
  });

  it.each([
    {
      name: 'a graph model of any size without --input-size',
      args: () => ['--model', graph],
      code: 2,
      line: /model\.json: the model accepts images of any size; give --input-size WxH$/,
    },
    { name: 'a missing directory', args: () => ['--model', join(root, 'nope')], code: 1, line: /nope/ },
    {
      name: '--input-size with gradcam.json',
      args: () => ['--model', withMetadata, '--input-size', '10x12'],
      code: 2,
      line: /--input-size: .* has gradcam\.json, whose input size is used/,
    },
    {
      name: '--input-size against a fixed size',
      args: () => ['--model', branching, '--input-size', '12x10'],
      code: 2,
      line: /--input-size 12x10: the model takes 10x12$/,
    },
    { name: 'no --model', args: () => [], code: 2, line: /required option '--model <dir>' not specified/ },
  ])('refuses $name with one line', async ({ args, code, line }) => {
    const result = await runCli(['inspect', ...args(), '--quiet']);
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gradcam: (error: )?/);
    expect(lines[0]).toMatch(line);
  });
});
