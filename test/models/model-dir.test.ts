import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../src/models/metadata.js';
import { loadModelDirectory, saveModelDirectory } from '../../src/models/model-dir.js';
import { buildVgg } from '../../src/models/vgg.js';

let root: string;
beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-model-dir-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const architecture = {
  inputShape: [28, 28, 1] as [number, number, number],
  classes: 10,
  width: 0.125,
  batchNorm: true,
  poolAfter: [1, 2, 8],
  seed: 1,
};
const metadata: ModelMetadata = {
  format: METADATA_FORMAT,
  formatVersion: METADATA_VERSION,
  toolVersion: 'test',
  dataset: 'mnist',
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  inputShape: [28, 28, 1],
  normalization: { mean: [0.13], std: [0.31] },
  targetLayer: 'relu8',
  architecture: { name: 'vgg11', width: 0.125, batchNorm: true, poolAfter: [1, 2, 8] },
  training: {},
  testAccuracy: 0.5,
  backend: 'cpu',
  history: [],
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('model directory', () => {
  it('save → load gives identical predictions and metadata', async () => {
    const model = buildVgg(architecture);
    // Non-trivial batch-norm statistics, so that they are proven to round-trip too.
    const bn = model.getLayer('bn3');
    bn.setWeights(bn.getWeights().map((w, i) => tf.add(w, tf.randomUniform(w.shape, 0.1, 0.5, 'float32', i))));
    const out = join(root, 'roundtrip');
    await saveModelDirectory(out, model, metadata, false);
    expect((await readdir(out)).sort()).toEqual(['gradcam.json', 'model.json', 'weights.bin']);

    const loaded = await loadModelDirectory(out);
    const images = tf.randomUniform([3, 28, 28, 1], -1, 2, 'float32', 9);
    const before = (model.predict(images) as tf.Tensor).dataSync();
    const after = (loaded.model.predict(images) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(loaded.metadata).toEqual(metadata);
  });

  it("model.json has the layout tfjs-node's file:// handler reads", async () => {
    const out = join(root, 'layout');
    await saveModelDirectory(out, buildVgg(architecture), metadata, false);
    const json = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const bytes = json.weightsManifest[0].weights.reduce(
      (sum: number, w: { shape: number[] }) => sum + 4 * w.shape.reduce((a, b) => a * b, 1),
      0,
    );
    expect((await readFile(join(out, 'weights.bin'))).byteLength).toBe(bytes);
  });

  it('refuses to replace an existing directory without force, replaces it with force', async () => {
    const out = join(root, 'existing');
    await saveModelDirectory(out, buildVgg(architecture), metadata, false);
    await expect(saveModelDirectory(out, buildVgg(architecture), metadata, false)).rejects.toThrow(/already exists/);
    await saveModelDirectory(out, buildVgg(architecture), { ...metadata, testAccuracy: 0.9 }, true);
    expect((await loadModelDirectory(out)).metadata?.testAccuracy).toBe(0.9);
    // No staging or backup directories are left beside it.
    expect((await readdir(root)).filter((name) => name.includes('existing'))).toEqual(['existing']);
  });

  it('rejects truncated weights, NaN weights and manifests that point outside the directory', async () => {
    const out = join(root, 'broken');
    await saveModelDirectory(out, buildVgg(architecture), metadata, false);
    const weights = await readFile(join(out, 'weights.bin'));
    const modelJson = await readFile(join(out, 'model.json'), 'utf8');

    await writeFile(join(out, 'weights.bin'), weights.subarray(0, weights.length - 8));
    await expect(loadModelDirectory(out)).rejects.toThrow(
      /weights\.bin: \d+ bytes of weights, model\.json describes \d+/,
    );

    const withNaN = Buffer.from(weights);
    withNaN.writeFloatLE(Number.NaN, 16);
    await writeFile(join(out, 'weights.bin'), withNaN);
    await expect(loadModelDirectory(out)).rejects.toThrow(/contains NaN or Infinity/);

    await writeFile(join(out, 'weights.bin'), weights);
    await writeFile(join(out, 'model.json'), modelJson.replace('"weights.bin"', '"../weights.bin"'));
    await expect(loadModelDirectory(out)).rejects.toThrow(InputError);
    await expect(loadModelDirectory(out)).rejects.toThrow(/must be a file name inside the model directory/);
  });
});
