/**
 * `cam` on a plain TensorFlow.js layers model (no gradcam.json), as a converted Keras model would
 * be: input size from model.json, the default layer is the last conv whose output is larger than
 * 1×1, pixels scaled by --scale, a Dense softmax output bypassed for the logit. A hand-built
 * model whose evidence is all negative checks how an empty map comes out of the CLI.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/io/image-codec.js';
import { decodeNpy } from '../../src/cam-output/npy.js';
import { writeModelFiles } from '../../src/models/model-dir.js';
import { runCli } from '../helpers/run-cli.js';

let root: string;
let model: string;
let image: string;

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-foreign-'));
  model = join(root, 'keras');
  await mkdir(model);
  const input = tf.input({ shape: [20, 20, 3] });
  const conv = (name: string, filters: number, seed: number) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.heUniform({ seed }),
    });
  let x = conv('block1_conv', 8, 1).apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'block1_pool' }).apply(x) as tf.SymbolicTensor;
  x = conv('block2_conv', 8, 2).apply(x) as tf.SymbolicTensor; // 10×10: the default target
  x = tf.layers.maxPooling2d({ poolSize: 10, name: 'global_pool' }).apply(x) as tf.SymbolicTensor;
  x = conv('head_conv', 6, 3).apply(x) as tf.SymbolicTensor; // 1×1: too small to explain
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({
      name: 'predictions',
      units: 4,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
    })
    .apply(x) as tf.SymbolicTensor;
  await writeModelFiles(model, tf.model({ inputs: input, outputs: output }));

  const pixels = new Uint8Array(50 * 40 * 3).map((_, i) => (i * 37) % 256);
  image = join(root, 'photo.png');
  await writeFile(image, encodePng({ data: pixels, width: 40, height: 50, channels: 3 }));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('cam on a model without gradcam.json', () => {
  it('takes the input size from model.json and explains the last conv larger than 1×1', async () => {
    const out = join(root, 'out');
    const result = await runCli([
      'cam',
      '--model',
      model,
      '--image',
      image,
      '--scale',
      '-1-1',
      '--out',
      out,
      '--json',
      '--quiet',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const manifest = JSON.parse(result.stdout);
    expect(manifest.layer).toEqual({ name: 'block2_conv', shape: [10, 10, 8] });
    expect(manifest.entries[0].predicted.name).toMatch(/^[0-3]$/);
    // The reported logit is the pre-softmax score, not a probability in [0, 1] … unless by chance.
    expect(typeof manifest.entries[0].target.logit).toBe('number');
    const map = decodeNpy(await readFile(join(out, 'photo.npy')), 'photo.npy');
    expect(map.shape).toEqual([10, 10]);
  });

  it('--layer can pick another spatial layer; a 1×1 or non-spatial one is explained as such or refused', async () => {
    const out = join(root, 'layer');
    const pool = await runCli([
      'cam',
      '--model',
      model,
      '--image',
      image,
      '--layer',
      'block1_pool',
      '--out',
      out,
      '--json',
      '--quiet',
    ]);
    expect(pool.code).toBe(0);
    expect(JSON.parse(pool.stdout).layer.shape).toEqual([10, 10, 8]);
    const dense = await runCli([
      'cam',
      '--model',
      model,
      '--image',
      image,
      '--layer',
      'flatten',
      '--out',
      out,
      '--quiet',
    ]);
    expect(dense.code).toBe(2);
    expect(dense.stderr).toMatch(/--layer flatten: .*not spatial/);
  });

  it('--layer naming a layer the output does not depend on is a usage error naming the option', async () => {
    const spatial = join(root, 'spatial-softmax');
    await mkdir(spatial);
    const input = tf.input({ shape: [6, 6, 3] });
    const conv = tf.layers.conv2d({ name: 'conv', filters: 3, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const probabilities = tf.layers
      .activation({ name: 'probabilities', activation: 'softmax' })
      .apply(conv) as tf.SymbolicTensor;
    await writeModelFiles(spatial, tf.model({ inputs: input, outputs: probabilities }));
    const result = await runCli([
      'cam',
      '--model',
      spatial,
      '--image',
      image,
      '--layer',
      'probabilities',
      '--out',
      join(root, 'no-path'),
      '--quiet',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "gradcam: error: --layer probabilities: the model's output does not depend on this layer (no path from it to the output)\n",
    );
  });

  it('scales pixels as --scale says (different scalings give different maps)', async () => {
    // 0-1 against -1-1: an offset, since a ReLU net without biases is blind to a pure rescaling.
    const runs = await Promise.all(
      ['0-1', '-1-1'].map(async (scale) => {
        const out = join(root, `scale-${scale}`);
        expect(
          (await runCli(['cam', '--model', model, '--image', image, '--scale', scale, '--out', out, '--quiet'])).code,
        ).toBe(0);
        return decodeNpy(await readFile(join(out, 'photo.npy')), 'photo.npy').data;
      }),
    );
    expect(Math.max(...runs[0].map((v, i) => Math.abs(v - runs[1][i])))).toBeGreaterThan(1e-3);
  });
});

describe('an empty map through the CLI', () => {
  // Every activation is ≥ 0 and every path to the logits has weight −1: the class gradient is
  // negative everywhere, so ReLU(Σ_k α_k A^k) has no positive value, and the negated gradient of
  // --counterfactual has nothing but.
  let negative: string;
  beforeAll(async () => {
    negative = join(root, 'negative');
    await mkdir(negative);
    const input = tf.input({ shape: [8, 8, 1] });
    let x = tf.layers
      .conv2d({ name: 'conv', filters: 2, kernelSize: 1, activation: 'relu', kernelInitializer: 'ones' })
      .apply(input) as tf.SymbolicTensor;
    x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
    const output = tf.layers
      .dense({ name: 'logits', units: 2, kernelInitializer: tf.initializers.constant({ value: -1 }) })
      .apply(x) as tf.SymbolicTensor;
    await writeModelFiles(negative, tf.model({ inputs: input, outputs: output }));
  });

  it('is written as zeros, marked empty, and named in one warning with a hint for Grad-CAM', async () => {
    const out = join(root, 'empty');
    const result = await runCli(['cam', '--model', negative, '--image', image, '--out', out, '--json']);
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.includes('warning'));
    expect(warnings).toEqual([
      'gradcam: warning: 1 map(s) had no positive value and were written as zeros (--method hirescam or gradcam++ may show where the evidence is): photo',
    ]);
    const manifest = JSON.parse(result.stdout);
    expect(manifest.entries[0]).toMatchObject({ empty: true, rawMax: 0 });
    const map = decodeNpy(await readFile(join(out, 'photo.npy')), 'photo.npy');
    expect(map.shape).toEqual([8, 8]);
    expect(map.data.every((value) => value === 0)).toBe(true);
  });

  it('gives no Grad-CAM hint for other methods, and --counterfactual finds the negative evidence', async () => {
    const hires = await runCli([
      'cam',
      '--model',
      negative,
      '--image',
      image,
      '--method',
      'hirescam',
      '--out',
      join(root, 'empty-hires'),
    ]);
    expect(hires.code).toBe(0);
    expect(hires.stderr).toMatch(/warning: 1 map\(s\) had no positive value and were written as zeros: photo\n/);
    const counter = await runCli([
      'cam',
      '--model',
      negative,
      '--image',
      image,
      '--counterfactual',
      '--out',
      join(root, 'counter'),
      '--json',
    ]);
    expect(counter.code).toBe(0);
    expect(counter.stderr).not.toMatch(/warning/);
    expect(JSON.parse(counter.stdout).entries[0]).toMatchObject({ empty: false });
  });
});

describe('dilated convolutions (TensorFlow.js has no gradient for them)', () => {
  let atrous: string;
  beforeAll(async () => {
    atrous = join(root, 'atrous');
    await mkdir(atrous);
    const input = tf.input({ shape: [12, 12, 3] });
    let x = tf.layers
      .conv2d({ name: 'early', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })
      .apply(input) as tf.SymbolicTensor;
    x = tf.layers
      .conv2d({ name: 'atrous', filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'relu' })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
    const output = tf.layers.dense({ name: 'logits', units: 2 }).apply(x) as tf.SymbolicTensor;
    await writeModelFiles(atrous, tf.model({ inputs: input, outputs: output }));
  });

  it('explains the layer after them with a gradient method', async () => {
    const result = await runCli([
      'cam',
      '--model',
      atrous,
      '--image',
      image,
      '--out',
      join(root, 'atrous-default'),
      '--json',
      '--quiet',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).layer.name).toBe('atrous');
  });

  it('refuses a gradient through one in one line naming both layers (exit 2); Score-CAM still works', async () => {
    const out = join(root, 'atrous-early');
    const early = await runCli([
      'cam',
      '--model',
      atrous,
      '--image',
      image,
      '--layer',
      'early',
      '--out',
      out,
      '--quiet',
    ]);
    expect(early.code).toBe(2);
    expect(early.stderr).toBe(
      'gradcam: error: --method gradcam: the gradient from the class score to layer early passes the dilated convolution atrous, ' +
        'which TensorFlow.js cannot differentiate; explain a layer after it with --layer, or use --method scorecam or eigencam\n',
    );
    await expect(readFile(join(out, 'cam.json'))).rejects.toThrow();
    const guided = await runCli(['cam', '--model', atrous, '--image', image, '--guided', '--out', out, '--quiet']);
    expect(guided.code).toBe(2);
    expect(guided.stderr).toMatch(
      /^gradcam: error: --guided: the gradient from the class score to the image passes the dilated convolution atrous, .*; leave out --guided\n$/,
    );
    const scorecam = await runCli([
      'cam',
      '--model',
      atrous,
      '--image',
      image,
      '--layer',
      'early',
      '--method',
      'scorecam',
      '--out',
      out,
      '--json',
      '--quiet',
    ]);
    expect(scorecam.code).toBe(0);
    expect(JSON.parse(scorecam.stdout).layer.name).toBe('early');
  });
});
