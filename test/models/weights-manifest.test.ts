/**
 * Weights manifests as tensorflowjs_converter writes them (test/helpers/converter-weights.ts):
 * float32, float16 and uint8/uint16 quantization, several shards and groups, decoded by
 * TensorFlow.js to exactly the converter's dequantized values; and each check that turns a
 * hostile manifest or weight file into a one-line InputError naming the file.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadModelDirectory } from '../../src/models/model-dir.js';
import { checkWeightsFinite, parseWeightsManifest, storedByteLength } from '../../src/models/weights-manifest.js';
import {
  float16Bits,
  float16Value,
  quantize,
  writeConvertedModel,
  type Quantization,
} from '../helpers/converter-weights.js';

let root: string;
beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-weights-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** conv (with bias) → batch norm → ReLU → global average pool → dense: 6 weights of 4 kinds. */
function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2] });
  let x = tf.layers
    .conv2d({
      name: 'conv',
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
      biasInitializer: tf.initializers.randomNormal({ seed: 2, stddev: 0.1 }),
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({
      name: 'bn',
      movingVarianceInitializer: tf.initializers.constant({ value: 0.7 }),
      movingMeanInitializer: tf.initializers.constant({ value: 0.1 }),
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ name: 'logits', units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

async function converted(
  name: string,
  quantization: Quantization,
  shardBytes?: number,
): Promise<{ dir: string; decoded: Map<string, Float32Array> }> {
  const dir = join(root, name);
  await mkdir(dir);
  return { dir, decoded: await writeConvertedModel(dir, smallModel(), { quantization, shardBytes }) };
}

/** Edits model.json; an Infinity is written as the literal 1e999 (JSON.stringify would write null). */
async function editManifest(
  dir: string,
  edit: (json: { weightsManifest: { paths: string[]; weights: Record<string, unknown>[] }[] }) => void,
): Promise<void> {
  const path = join(dir, 'model.json');
  const json = JSON.parse(await readFile(path, 'utf8'));
  edit(json);
  await writeFile(
    path,
    JSON.stringify(json, (_, value) => (value === Number.POSITIVE_INFINITY ? 'INFINITY' : value)).replaceAll(
      '"INFINITY"',
      '1e999',
    ),
  );
}

async function expectInputError(dir: string, file: string, message: RegExp): Promise<void> {
  const error = await loadModelDirectory(dir).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  const text = (error as Error).message;
  expect(text.startsWith(`${join(dir, file)}`), text).toBe(true);
  expect(text).toMatch(message);
  expect(text).not.toContain('\n');
}

describe('the converter helper', () => {
  it('rounds to half precision as numpy does', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65520, 0x7c00], // halfway to the next binade of 65504: ties to even, which is Infinity
      [2 ** -24, 0x0001],
      [1e-8, 0x0000],
      [1 + 2 ** -11, 0x3c00], // a tie: the even mantissa
      [1 + 3 * 2 ** -11, 0x3c02],
    ];
    for (const [value, bits] of cases) expect(float16Bits(value), String(value)).toBe(bits);
    expect(float16Value(0x2e66)).toBeCloseTo(0.0999755859375, 12);
  });

  it('quantizes to uint8 with a zero that is exactly a code, as the converter does', () => {
    const { quantization, dequantized, bytes } = quantize(Float32Array.from([-1, 0, 0.5, 1.02]), 'uint8');
    const scale = (Math.fround(1.02) + 1) / 255; // the stored values are float32
    const zeroCode = Math.round(1 / scale); // 126.2… → 126
    expect(quantization).toEqual({ dtype: 'uint8', scale, min: -zeroCode * scale });
    expect(Array.from(bytes)).toEqual([0, zeroCode, zeroCode + Math.round(0.5 / scale), 255]);
    expect(dequantized[1]).toBe(0);
    // Constant weights: all codes 0, scale 1, min the value.
    expect(quantize(Float32Array.from([0.25, 0.25]), 'uint8').quantization).toEqual({
      dtype: 'uint8',
      scale: 1,
      min: 0.25,
    });
  });
});

describe('reading every manifest the converter writes', () => {
  it.each(['none', 'float16', 'uint8', 'uint16'] as const)(
    "%s, in shards of 100 bytes: TensorFlow.js decodes exactly the converter's values",
    async (quantization) => {
      const { dir, decoded } = await converted(`round-${quantization}`, quantization, 100);
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      expect(json.weightsManifest[0].paths.length).toBeGreaterThan(1);
      const { model } = await loadModelDirectory(dir);
      for (const weight of model.weights) {
        expect(Array.from(weight.read().dataSync()), weight.originalName).toEqual(
          Array.from(decoded.get(weight.originalName) as Float32Array),
        );
      }
      // The quantized model still computes nearly what the float32 one does.
      const image = tf.randomUniform([2, 6, 6, 2], -1, 1, 'float32', 4);
      const original = (smallModel().predict(image) as tf.Tensor).dataSync();
      const loaded = (model.predict(image) as tf.Tensor).dataSync();
      const tolerance = { none: 0, float16: 1e-2, uint16: 1e-3, uint8: 0.1 }[quantization];
      original.forEach((value, i) => expect(Math.abs(loaded[i] - value)).toBeLessThanOrEqual(tolerance));
    },
  );

  it('reads several groups, each with its own shards, in manifest order', async () => {
    const { dir, decoded } = await converted('groups', 'uint8');
    const shard = await readFile(join(dir, 'group1-shard1of1'));
    let firstBytes = 0;
    await editManifest(dir, (json) => {
      // Split the one group in two at a weight boundary, as the converter does per Keras layer group.
      const [group] = json.weightsManifest;
      firstBytes = storedByteLength(group.weights[0] as unknown as tf.io.WeightsManifestEntry);
      json.weightsManifest = [
        { paths: ['first.bin'], weights: group.weights.slice(0, 1) },
        { paths: ['second-a.bin', 'second-b.bin'], weights: group.weights.slice(1) },
      ];
    });
    await writeFile(join(dir, 'first.bin'), shard.subarray(0, firstBytes));
    await writeFile(join(dir, 'second-a.bin'), shard.subarray(firstBytes, firstBytes + 7));
    await writeFile(join(dir, 'second-b.bin'), shard.subarray(firstBytes + 7));
    const { model } = await loadModelDirectory(dir);
    for (const weight of model.weights) {
      expect(Array.from(weight.read().dataSync())).toEqual(
        Array.from(decoded.get(weight.originalName) as Float32Array),
      );
    }
  });

  it('knows the stored size of every dtype TensorFlow.js decodes, int32 and bool included', () => {
    const manifest = [
      {
        paths: ['w.bin'],
        weights: [
          { name: 'a', shape: [2, 3], dtype: 'float32' },
          { name: 'b', shape: [3], dtype: 'int32' },
          { name: 'c', shape: [5], dtype: 'bool' },
          { name: 'd', shape: [4], dtype: 'int32', quantization: { dtype: 'uint8', scale: 2, min: -4 } },
          { name: 'e', shape: [4], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.5, min: 0 } },
          { name: 'f', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
        ],
      },
    ];
    const [group] = parseWeightsManifest(manifest, 'm.json');
    expect(group.weights.map(storedByteLength)).toEqual([24, 12, 5, 4, 8, 6]);
    expect(group.byteLength).toBe(59);
    // The checked entries are exactly what tf.io.decodeWeights reads.
    const bytes = new Uint8Array(59);
    bytes.set([1, 2, 3, 4], 41); // int32 codes 1..4 → 2·code − 4
    const values = tf.io.decodeWeights(bytes.buffer, group.weights);
    expect(Array.from(values.d.dataSync())).toEqual([-2, 0, 2, 4]);
    expect(values.d.dtype).toBe('int32');
    expect(values.f.shape).toEqual([3]);
  });
});

describe('hostile weight files and manifests', () => {
  it('refuses a float16 weight holding Infinity or NaN', async () => {
    const { dir } = await converted('f16-inf', 'float16');
    const shard = join(dir, 'group1-shard1of1');
    const bytes = await readFile(shard);
    bytes.writeUInt16LE(0x7c00, 10);
    await writeFile(shard, bytes);
    await expectInputError(dir, 'group1-shard1of1', /weight "conv\/kernel" contains NaN or Infinity/);
    bytes.writeUInt16LE(0x3c00, 10);
    bytes.writeUInt16LE(0xfe00, bytes.length - 2); // a NaN in the last weight (non-trainable ones come last)
    await writeFile(shard, bytes);
    await expectInputError(dir, 'group1-shard1of1', /weight "bn\/moving_variance" contains NaN or Infinity/);
  });

  it('refuses a NaN in a float32 weight that starts at an offset not divisible by 4', async () => {
    const manifest = [
      {
        paths: ['w'],
        weights: [
          { name: 'codes', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } },
          { name: 'plain', shape: [2], dtype: 'float32' },
        ],
      },
    ];
    const [group] = parseWeightsManifest(manifest, 'm.json');
    const bytes = new Uint8Array(11);
    new DataView(bytes.buffer).setFloat32(7, Number.NaN, true);
    expect(() => checkWeightsFinite(bytes, group.weights, 'w')).toThrow('w: weight "plain" contains NaN or Infinity');
    new DataView(bytes.buffer).setFloat32(7, 1.5, true);
    expect(() => checkWeightsFinite(bytes, group.weights, 'w')).not.toThrow();
  });

  it.each([
    [
      'a scale of 1e999 (Infinity)',
      // biome-ignore lint/correctness/noPrecisionLoss: a literal that overflows to Infinity, on purpose
      { scale: 1e999 },
      /weight "conv\/kernel": uint8 quantization needs finite numbers "scale" and "min"/,
    ],
    ['a scale that overflows at the largest code', { scale: 1e307 }, /needs finite numbers/],
    ['a min given as a string', { min: '0.5' }, /needs finite numbers/],
    ['no min', { min: undefined }, /needs finite numbers/],
    ['quantization dtype int8', { dtype: 'int8' }, /float32 quantized as "int8" is not a format TensorFlow\.js reads/],
  ])('refuses uint8 quantization with %s', async (label, change, message) => {
    const { dir } = await converted(`q-${label.replace(/\W+/g, '-')}`, 'uint8');
    await editManifest(dir, (json) => {
      const quantization = json.weightsManifest[0].weights[0].quantization as Record<string, unknown>;
      Object.assign(quantization, change);
    });
    await expectInputError(dir, 'model.json', message);
  });

  it.each([
    ['string', undefined, /weight "conv\/kernel" has dtype "string"; expected float32, int32 or bool/],
    ['complex64', undefined, /has dtype "complex64"/],
    ['int32', { dtype: 'float16' }, /int32 quantized as "float16" is not a format/],
  ])('refuses dtype %s (quantization %j)', async (dtype, quantization, message) => {
    const { dir } = await converted(`dtype-${dtype}`, quantization ? 'float16' : 'none');
    await editManifest(dir, (json) => Object.assign(json.weightsManifest[0].weights[0], { dtype, quantization }));
    await expectInputError(dir, 'model.json', message);
  });

  it("checks each group's shards against the bytes its weights take, before reading them", async () => {
    const { dir } = await converted('shards', 'uint8', 100);
    const last = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths.at(-1);
    const original = await readFile(join(dir, last));
    await truncate(join(dir, last), original.length - 1);
    await expectInputError(
      dir,
      'group1-shard1of',
      /\(and the \d+ other shards of its group\): \d+ bytes of weights, model\.json describes \d+/,
    );
    await writeFile(join(dir, last), Buffer.concat([original, Buffer.from([0])]));
    await expectInputError(dir, 'group1-shard1of', /bytes of weights, model\.json describes/);
    await rm(join(dir, last));
    await expectInputError(dir, last, /missing \(named in model\.json\)/);
    await mkdir(join(dir, last));
    await expectInputError(dir, last, /not a regular file/);
    await rm(join(dir, last), { recursive: true });
    await symlink('/dev/zero', join(dir, last));
    await expectInputError(dir, last, /not a regular file/);
  });

  it.each(['../group1-shard1of1', 'sub/group1-shard1of1', '/etc/passwd', '', 7])(
    'refuses the shard path %j',
    async (path) => {
      const { dir } = await converted(`path-${String(path).replace(/\W+/g, '-')}`, 'none');
      await editManifest(dir, (json) => {
        json.weightsManifest[0].paths = [path as string];
      });
      await expectInputError(dir, 'model.json', /weights path .* must be a file name inside the model directory/);
    },
  );

  it('caps the values of one weight and the bytes of all of them, from the manifest alone', () => {
    const big = (name: string) => ({ name, shape: [2 ** 14, 2 ** 14], dtype: 'float32' });
    expect(() =>
      parseWeightsManifest(
        [{ paths: ['w'], weights: [{ name: 'huge', shape: [2 ** 15, 2 ** 14], dtype: 'float32' }] }],
        'm.json',
      ),
    ).toThrow(/^m\.json: malformed weight entry/);
    expect(() => parseWeightsManifest([{ paths: ['w'], weights: [big('a'), big('b'), big('c')] }], 'm.json')).toThrow(
      'm.json: the weights take more than 2 GiB; refused',
    );
    expect(() => parseWeightsManifest({}, 'm.json')).toThrow('m.json: no "weightsManifest"');
    expect(() => parseWeightsManifest([{ paths: ['w'] }], 'm.json')).toThrow(
      'each weightsManifest entry needs "paths" and "weights"',
    );
    expect(() => parseWeightsManifest([{ paths: ['w'], weights: [{ name: 'n', shape: [-1] }] }], 'm.json')).toThrow(
      /malformed weight entry/,
    );
  });
});
