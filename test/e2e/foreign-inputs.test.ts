/**
 * Preprocessing, labels and input sizes of models without gradcam.json, through bin/gradcam.js.
 *
 * The probe model makes the preprocessing visible: a 1×1 identity convolution, a global average
 * pool and an identity Dense layer, so logit c is the mean of model-input channel c. Fed a
 * one-colour image, the logits are exactly the preprocessed pixel, and `--top-k 3` writes all three
 * into cam.json.
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

/** The one colour of the test image: R 0, G 128, B 255. */
const PIXEL = [0, 128, 255];

let root: string;
let probe: string;
let grayProbe: string;
let anySize: string;
let withMetadata: string;
let image: string;

/**
 * input → 1×1 identity conv `probe` → global average pool → identity Dense `logits`. A gray input
 * gets two classes, +x and −x (a one-class model is not what this test is about).
 */
function probeModel(inputShape: [number | null, number | null, number]): tf.LayersModel {
  const channels = inputShape[2];
  const classes = Math.max(2, channels);
  const kernel =
    channels === 1 ? tf.tensor4d([1, -1], [1, 1, 1, 2]) : tf.eye(channels).reshape([1, 1, channels, channels]);
  const input = tf.input({ shape: inputShape });
  const conv = tf.layers.conv2d({ name: 'probe', filters: classes, kernelSize: 1, useBias: false });
  let x = conv.apply(input) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const dense = tf.layers.dense({ name: 'logits', units: classes, useBias: false });
  const output = dense.apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  conv.setWeights([kernel]);
  dense.setWeights([tf.eye(classes)]);
  return model;
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-foreign-inputs-'));
  probe = join(root, 'probe');
  grayProbe = join(root, 'gray');
  anySize = join(root, 'any-size');
  withMetadata = join(root, 'with-metadata');
  for (const dir of [probe, grayProbe, anySize, withMetadata]) await mkdir(dir);
  await writeModelFiles(probe, probeModel([4, 4, 3]));
  await writeModelFiles(grayProbe, probeModel([4, 4, 1]));
  await writeModelFiles(anySize, probeModel([null, null, 3]));
  await writeModelFiles(withMetadata, probeModel([4, 4, 3]));
  const metadata = {
    format: 'gradcam-model',
    formatVersion: 1,
    classNames: ['red', 'green', 'blue'],
    inputShape: [4, 4, 3],
    normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    targetLayer: 'probe',
  };
  await writeFile(join(withMetadata, 'gradcam.json'), JSON.stringify(metadata));
  const pixels = new Uint8Array(6 * 5 * 3).map((_, i) => PIXEL[i % 3]);
  image = join(root, 'colour.png');
  await writeFile(image, encodePng({ data: pixels, width: 5, height: 6, channels: 3 }));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Runs cam --top-k 3 and returns the logits by class index, and the manifest. */
async function logitsWith(model: string, args: string[], name: string) {
  const out = join(root, name);
  const result = await runCli([
    'cam',
    '--model',
    model,
    '--image',
    image,
    '--top-k',
    '3',
    '--out',
    out,
    '--json',
    ...args,
  ]);
  expect(result.stderr).not.toMatch(/error/);
  expect(result.code).toBe(0);
  const manifest = JSON.parse(result.stdout);
  const logits: number[] = [];
  for (const entry of manifest.entries) logits[entry.target.index] = entry.target.logit;
  return { logits, manifest, stderr: result.stderr, out };
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) =>
    expect(Math.abs(value - expected[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected[i]))),
  );
}

describe('cam: preprocessing of models without gradcam.json', () => {
  it("--preprocess tf, torch and caffe give Keras's inputs", async () => {
    const tfMode = await logitsWith(probe, ['--preprocess', 'tf'], 'tf');
    expectClose(tfMode.logits, [-1, 128 / 127.5 - 1, 1]);
    const torch = await logitsWith(probe, ['--preprocess', 'torch'], 'torch');
    expectClose(torch.logits, [(0 - 0.485) / 0.229, (128 / 255 - 0.456) / 0.224, (1 - 0.406) / 0.225]);
    // caffe: model channel 0 is blue.
    const caffe = await logitsWith(probe, ['--preprocess', 'caffe'], 'caffe');
    expectClose(caffe.logits, [255 - 103.939, 128 - 116.779, 0 - 123.68]);
    expect(caffe.manifest.preprocessing.channelOrder).toBe('bgr');
    expect(caffe.stderr).toContain('gradcam: model input = x − [103.939, 116.779, 123.68], BGR\n');
  });

  it('--mean/--std on 0..1 pixels, --scale, and the default 0..1 (said on stderr)', async () => {
    const statistics = await logitsWith(probe, ['--mean', '0.5,0.25,0', '--std', '0.5'], 'statistics');
    expectClose(statistics.logits, [(0 - 0.5) / 0.5, (128 / 255 - 0.25) / 0.5, 1 / 0.5]);
    expect(statistics.manifest.preprocessing).toEqual({
      channelOrder: 'rgb',
      mean: [0.5, 0.25, 0],
      std: [0.5, 0.5, 0.5],
    });
    expectClose((await logitsWith(probe, ['--scale', '0-255'], 'scale')).logits, PIXEL);
    const plain = await logitsWith(probe, [], 'default');
    expectClose(
      plain.logits,
      PIXEL.map((v) => v / 255),
    );
    expect(plain.stderr).toContain('pixels scaled to 0..1');
  });

  it('a grayscale model gets the BT.601 gray of the image, preprocessed with one mean and std', async () => {
    const gray = 0.299 * 0 + 0.587 * 128 + 0.114 * 255;
    const out = join(root, 'gray-out');
    const result = await runCli([
      'cam',
      '--model',
      grayProbe,
      '--image',
      image,
      '--preprocess',
      'tf',
      '--class',
      '0',
      '--out',
      out,
      '--json',
    ]);
    if (result.code !== 0) throw new Error(result.stderr);
    // Class 0's logit is the gray value (rounded to uint8 by the conversion), preprocessed.
    expectClose([JSON.parse(result.stdout).entries[0].target.logit], [Math.round(gray) / 127.5 - 1]);
  });

  it('--guided writes the gradient with respect to the input in R, G, B order, also for a BGR model', async () => {
    const out = join(root, 'guided');
    const result = await runCli([
      'cam',
      '--model',
      probe,
      '--image',
      image,
      '--preprocess',
      'caffe',
      '--class',
      '0',
      '--guided',
      '--out',
      out,
    ]);
    expect(result.code).toBe(0);
    // Class 0 is model channel 0 = blue: ∂y0/∂input is 1/16 on blue (4×4 pixels averaged), 0
    // elsewhere; the map is uniform (normalized to 1). Blue is the third channel of the file.
    const guided = decodeNpy(await readFile(join(out, 'colour.guided.npy')), 'guided');
    expect(guided.shape).toEqual([4, 4, 3]);
    for (let i = 0; i < guided.data.length; i += 3) expect([...guided.data.slice(i, i + 3)]).toEqual([0, 0, 0.0625]);
  });
});

describe('cam: labels', () => {
  it('--labels names the classes in cam.json, and --class takes a name', async () => {
    const labels = join(root, 'labels.txt');
    await writeFile(labels, 'red\ngreen\nblue\n');
    const { manifest } = await logitsWith(probe, ['--labels', labels], 'labels');
    expect(manifest.entries.map((entry: { target: { name: string } }) => entry.target.name)).toEqual([
      'blue',
      'green',
      'red',
    ]);
    expect(manifest.entries[0].predicted).toMatchObject({ index: 2, name: 'blue' });
    const json = join(root, 'labels.json');
    await writeFile(json, '["rouge", "vert", "bleu"]');
    const out = join(root, 'by-name');
    const byName = await runCli([
      'cam',
      '--model',
      probe,
      '--image',
      image,
      '--labels',
      json,
      '--class',
      'vert',
      '--out',
      out,
      '--json',
    ]);
    expect(byName.code).toBe(0);
    expect(JSON.parse(byName.stdout).entries[0].target).toMatchObject({ index: 1, name: 'vert' });
  });
});

describe('cam: input size', () => {
  it('a model of any size takes --input-size WxH; without it the error names the model and the option', async () => {
    const out = join(root, 'any');
    const result = await runCli([
      'cam',
      '--model',
      anySize,
      '--image',
      image,
      '--input-size',
      '7x3',
      '--layer',
      'probe',
      '--out',
      out,
      '--json',
    ]);
    if (result.code !== 0) throw new Error(result.stderr);
    expect(JSON.parse(result.stdout).layer).toEqual({ name: 'probe', shape: [3, 7, 3] });
    expect((await readFile(join(out, 'colour.npy'))).length).toBeGreaterThan(0);
    const missing = await runCli(['cam', '--model', anySize, '--image', image, '--out', join(root, 'any-missing')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n').filter((line) => line.includes('error'))).toEqual([
      `gradcam: error: ${join(anySize, 'model.json')}: the model accepts images of any size; give --input-size WxH`,
    ]);
  });
});

/** Bad option values and files: exit code, one line on stderr naming the option or file, nothing written. */
describe('cam: bad preprocessing, labels and sizes', () => {
  const cases: {
    name: string;
    args: () => string[];
    files?: Record<string, string | Uint8Array>;
    code: number;
    line: RegExp;
  }[] = [
    {
      name: '--mean on 0..255',
      args: () => ['--mean', '103.939,116.779,123.68'],
      code: 2,
      line: /option '--mean <r,g,b>' argument '103\.939,116\.779,123\.68' is invalid\. Mean 103\.939 is not from 0 to 1: values are on pixels scaled to 0\.\.1 \(divide 0\.\.255 statistics by 255\)/,
    },
    {
      name: '--std 0',
      args: () => ['--std', '0'],
      code: 2,
      line: /'--std <r,g,b>' argument '0' is invalid\. Std 0 is not greater than 0/,
    },
    {
      name: '--mean with 2 values',
      args: () => ['--mean', '0.1,0.2'],
      code: 2,
      line: /--mean\/--std: 2 mean values for a model with 3 input channels; give 1 or 3$/,
    },
    {
      name: '--mean not numbers',
      args: () => ['--mean', 'r,g,b'],
      code: 2,
      line: /Expected 1 or 3 comma-separated numbers/,
    },
    {
      name: '--preprocess and --scale',
      args: () => ['--preprocess', 'tf', '--scale', '0-1'],
      code: 2,
      line: /--preprocess and --scale: give one of --preprocess, --mean\/--std or --scale$/,
    },
    {
      name: '--preprocess and --mean',
      args: () => ['--preprocess', 'torch', '--mean', '0.5'],
      code: 2,
      line: /--preprocess and --mean: give one of/,
    },
    {
      name: '--preprocess unknown',
      args: () => ['--preprocess', 'keras'],
      code: 2,
      line: /argument 'keras' is invalid\. Allowed choices are tf, torch, caffe/,
    },
    {
      name: '--preprocess torch on a grayscale model',
      args: () => ['--model', grayProbe, '--preprocess', 'torch'],
      code: 2,
      line: /--preprocess torch: 'torch' is defined per R, G, B channel and the model takes 1; give its mean and std instead$/,
    },
    {
      name: '--labels missing',
      args: () => ['--labels', join(root, 'nope.txt')],
      code: 1,
      line: /nope\.txt: no such file$/,
    },
    {
      name: '--labels with the wrong count',
      files: { 'two.txt': 'a\nb\n' },
      args: () => ['--labels', join(root, 'two.txt')],
      code: 1,
      line: /two\.txt: 2 class names, but the model has 3 output classes$/,
    },
    {
      name: '--labels with a duplicate',
      files: { 'dup.txt': 'a\nb\na\n' },
      args: () => ['--labels', join(root, 'dup.txt')],
      code: 1,
      line: /dup\.txt: line 3 repeats the name of line 1 \("a"\); class names must differ$/,
    },
    {
      name: '--labels not UTF-8',
      files: { 'latin1.txt': new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a, 0x62, 0x0a, 0x63, 0x0a]) },
      args: () => ['--labels', join(root, 'latin1.txt')],
      code: 1,
      line: /latin1\.txt: not UTF-8 text/,
    },
    {
      name: '--labels with an escape sequence',
      files: { 'esc.txt': 'a\n\u001b[2Jb\nc\n' },
      args: () => ['--labels', join(root, 'esc.txt')],
      code: 1,
      line: /esc\.txt: line 2 contains the control character U\+001B$/,
    },
    {
      name: '--labels of a model with gradcam.json',
      files: { 'three.txt': 'a\nb\nc\n' },
      args: () => ['--model', withMetadata, '--labels', join(root, 'three.txt')],
      code: 2,
      line: /--labels: .*with-metadata has gradcam\.json, whose class names are used; --labels is for models without it$/,
    },
    {
      name: '--preprocess with gradcam.json',
      args: () => ['--model', withMetadata, '--preprocess', 'tf'],
      code: 2,
      line: /--preprocess: .* has gradcam\.json, whose normalization is used/,
    },
    {
      name: '--input-size against a fixed size',
      args: () => ['--input-size', '5x4'],
      code: 2,
      line: /--input-size 5x4: the model takes 4x4$/,
    },
    {
      name: '--input-size 0x4',
      args: () => ['--input-size', '0x4'],
      code: 2,
      line: /'--input-size <WxH>' argument '0x4' is invalid\. Expected WIDTHxHEIGHT with sides from 1 to 4096/,
    },
    {
      name: '--input-size 5000x5000',
      args: () => ['--model', anySize, '--input-size', '5000x5000'],
      code: 2,
      line: /Expected WIDTHxHEIGHT with sides from 1 to 4096/,
    },
  ];

  it.each(cases)('$name', async ({ args, files, code, line }) => {
    for (const [name, content] of Object.entries(files ?? {})) await writeFile(join(root, name), content);
    const given = args();
    const out = join(root, `bad-${Math.random().toString(36).slice(2)}`);
    const modelArgs = given.includes('--model') ? [] : ['--model', probe];
    const result = await runCli(['cam', ...modelArgs, '--image', image, '--out', out, ...given]);
    expect(result.code).toBe(code);
    const lines = result.stderr
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('gradcam: backend') && !l.startsWith('gradcam: model input'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gradcam: error: /);
    expect(lines[0]).toMatch(line);
    expect(lines[0]).not.toMatch(/\bat .*\.js:\d+/);
    await expect(readFile(join(out, 'cam.json'))).rejects.toThrow(/ENOENT/);
  });
});
