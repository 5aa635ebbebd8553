/**
 * Full-size Keras MobileNetV2 and InceptionV3 topologies (test/helpers/keras-applications.ts, at
 * the smallest input sizes where their last blocks are larger than 1×1: 96×96 and 107×107), saved
 * uint8-quantized exactly as tensorflowjs_converter writes them (InceptionV3 in several 4 MiB
 * shards). `gradcam cam` with nothing but the model and an image of another size explains them at
 * the default layer (out_relu, mixed10), and the map equals an independent computation on the
 * dequantized weights: the layers after the target applied eagerly and differentiated with
 * tf.grad on the cpu backend, while the CLI ran on wasm. Also InceptionV3's activation_94, the
 * branch-internal layer that used to crash.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainBatch } from '../../src/cam/explain.js';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { cutModelAt } from '../../src/surgery/layers-cut.js';
import { decodeImage, encodePng } from '../../src/io/image-codec.js';
import { toModelInput } from '../../src/model-input/image-to-input.js';
import { resolvePreprocessing } from '../../src/model-input/preprocessing.js';
import { decodeNpy } from '../../src/cam-output/npy.js';
import { loadModelDirectory } from '../../src/models/model-dir.js';
import { maxDifference } from '../helpers/compare.js';
import { writeConvertedModel } from '../helpers/converter-weights.js';
import { calibrateBatchNorms, inceptionV3, mobileNetV2 } from '../helpers/keras-applications.js';
import { referenceGradcam, volumeFrom } from '../helpers/reference-net.js';
import { runCli } from '../helpers/run-cli.js';

/** About 5 and 18 s each on an idle two-core machine; a machine shared with other jobs stretches that. */
const FULL_SIZE_TIMEOUT = 600_000;

let root: string;
let photo: string;
beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-keras-apps-'));
  // 131×97 RGB: smooth gradients and a bright square, so the maps have something to find.
  const [width, height] = [131, 97];
  const pixels = new Uint8Array(width * height * 3).map((_, i) => {
    const p = Math.floor(i / 3);
    const [x, y, c] = [p % width, Math.floor(p / width), i % 3];
    const square = x > 70 && x < 110 && y > 20 && y < 60 ? 120 : 0;
    return Math.min(255, ((x * (c + 1) * 7 + y * 3) % 200) + square);
  });
  photo = join(root, 'photo.png');
  await writeFile(photo, encodePng({ data: pixels, width, height, channels: 3 }));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Writes the model as the converter would (uint8) and returns its directory. */
async function publish(name: string, model: tf.LayersModel, size: number): Promise<string> {
  calibrateBatchNorms(model, tf.randomUniform([2, size, size, 3], 0, 1, 'float32', 5) as tf.Tensor4D);
  const dir = join(root, name);
  await mkdir(dir);
  await writeConvertedModel(dir, model, { quantization: 'uint8' });
  model.dispose();
  return dir;
}

/** The photo as the CLI feeds it to a model without gradcam.json (resized, pixels / 255). */
async function photoInput(size: number): Promise<tf.Tensor4D> {
  const image = decodeImage(await readFile(photo), photo);
  return tf.tensor4d(toModelInput(image, [size, size, 3], resolvePreprocessing({ kind: 'range', range: '0-1' }, 3)), [
    1,
    size,
    size,
    3,
  ]);
}

/** Reference Grad-CAM for image 0 and `classIndex`: tf.grad of `head` (eager layers) at `layer`. */
function referenceMap(
  model: tf.LayersModel,
  input: tf.Tensor4D,
  layer: string,
  bypass: string[],
  head: (a: tf.Tensor, values: tf.Tensor[]) => tf.Tensor,
  classIndex: number,
): number[] {
  return tf.tidy(() => {
    const names = [layer, ...bypass];
    const probe = tf.model({
      inputs: model.inputs,
      outputs: names.map((name) => model.getLayer(name).output as tf.SymbolicTensor),
    });
    const [activations, ...values] = [probe.predict(input)].flat() as tf.Tensor[];
    const dy = tf.oneHot(tf.tensor1d([classIndex], 'int32'), 5);
    const gradient = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(head(a, values), dy)))(activations);
    const [, h, w, c] = activations.shape;
    return referenceGradcam(volumeFrom(activations.dataSync(), h, w, c), Float64Array.from(gradient.dataSync()));
  });
}

/** global pooling → predictions without softmax. */
function logitsOf(model: tf.LayersModel, poolName: string, x: tf.Tensor): tf.Tensor {
  const [kernel, bias] = model.getLayer('predictions').getWeights();
  return tf.add(tf.matMul(model.getLayer(poolName).apply(x) as tf.Tensor, kernel), bias);
}

async function camThroughCli(
  dir: string,
  name: string,
): Promise<{ layer: { name: string; shape: number[] }; classIndex: number; map: Float32Array }> {
  const out = join(root, `${name}-cam`);
  const result = await runCli(['cam', '--model', dir, '--image', photo, '--out', out, '--json', '--quiet'], {
    timeoutMs: 300_000,
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const manifest = JSON.parse(result.stdout);
  const map = decodeNpy(await readFile(join(out, manifest.entries[0].heatmap)), 'map').data;
  return { layer: manifest.layer, classIndex: manifest.entries[0].target.index, map };
}

describe('full-size Keras application topologies, uint8-quantized as the converter writes them', () => {
  it(
    'MobileNetV2: explained at out_relu with no option but the image; the map equals tf.grad on the dequantized weights',
    async () => {
      const dir = await publish('mobilenet-v2', mobileNetV2(96, 5), 96);
      const cli = await camThroughCli(dir, 'mobilenet-v2');
      expect(cli.layer).toEqual({ name: 'out_relu', shape: [3, 3, 1280] });
      const { model } = await loadModelDirectory(dir);
      const input = await photoInput(96);
      const expected = referenceMap(
        model,
        input,
        'out_relu',
        [],
        (a) => logitsOf(model, 'global_average_pooling2d', a),
        cli.classIndex,
      );
      expect(Math.max(...cli.map)).toBe(1);
      expect(maxDifference(cli.map, expected)).toBeLessThan(1e-3);
    },
    FULL_SIZE_TIMEOUT,
  );

  it(
    'InceptionV3 in shards: explained at mixed10 with no option but the image, and at activation_94 inside one of its branches',
    async () => {
      const dir = await publish('inception-v3', inceptionV3(107, 5), 107);
      expect((await readdir(dir)).filter((file) => file.startsWith('group1-shard')).length).toBeGreaterThan(3);
      const cli = await camThroughCli(dir, 'inception-v3');
      expect(cli.layer).toEqual({ name: 'mixed10', shape: [2, 2, 2048] });
      expect(Math.max(...cli.map)).toBe(1);
      const { model } = await loadModelDirectory(dir);
      const input = await photoInput(107);
      const expected = referenceMap(model, input, 'mixed10', [], (a) => logitsOf(model, 'avg_pool', a), cli.classIndex);
      expect(maxDifference(cli.map, expected)).toBeLessThan(1e-3);

      // mixed10 = concat(activation_86, mixed9_1, concatenate_1, activation_94): the first three held
      // fixed. A class other than the CLI's, so the two checks are not of the same gradient.
      const siblings = ['activation_86', 'mixed9_1', 'concatenate_1'];
      const branchHead = (a: tf.Tensor, values: tf.Tensor[]) =>
        logitsOf(model, 'avg_pool', model.getLayer('mixed10').apply([...values, a]) as tf.Tensor);
      const classIndex = (cli.classIndex + 1) % 5;
      const [explanation] = explainBatch(
        cutModelAt(model, 'activation_94'),
        input,
        { kind: 'class', index: classIndex },
        { method: gradcam, counterfactual: false },
      );
      expect(
        maxDifference(explanation.map, referenceMap(model, input, 'activation_94', siblings, branchHead, classIndex)),
      ).toBeLessThan(1e-3);
    },
    FULL_SIZE_TIMEOUT,
  );
});
