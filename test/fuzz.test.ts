/**
 * Fuzzing the readers of every file a user can hand the tool. Seeded byte mutations of a valid
 * file (test/helpers/byte-mutations.ts) must each end in a valid value or an InputError: any other
 * exception, a hang (a per-case time limit enforced by node:vm, which interrupts synchronous
 * code) or an invalid value is a failure.
 *
 * In process: 200 mutants each of a PNG (a third plain byte damage, a third with the chunk CRCs
 * recomputed so the damage reaches IHDR and zlib, a third damaging the inflated scanlines), a JPEG, a .npy, an IDX image file and a cam.json (half byte damage,
 * half JSON values replaced by path tricks and wrong types); plus 100 each of an IDX label file,
 * a weights manifest (hostile values; what passes must decode in TensorFlow.js to finite values),
 * a gzip stream (through the real file reader) and a tar archive. Then 20 mutants through the
 * real launcher (16 `render`, 4 `train`), for the one-line error contract end to end.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_PIXELS, decodeImage, encodePng, type DecodedImage } from '../src/io/image-codec.js';
import { parseIdxImages, parseIdxLabels } from '../src/datasets/idx.js';
import { readDecompressed } from '../src/io/read-files.js';
import { checkManifestEntry, isPlainFileName, parseManifest, type CamManifest } from '../src/cam-output/manifest.js';
import { decodeNpy, encodeNpy, type NpyArray } from '../src/cam-output/npy.js';
import { parseRenderManifest, RENDER_MANIFEST_FILE } from '../src/cam-output/render-manifest.js';
import { readTarFiles } from '../src/datasets/tar.js';
import * as tf from '../src/tf.js';
import { checkWeightsFinite, parseWeightsManifest, type WeightsGroup } from '../src/models/weights-manifest.js';
import { InputError } from '../src/errors.js';
import { Random } from '../src/random.js';
import { fixPngCrcs, mutate, mutatePngScanlines } from './helpers/byte-mutations.js';
import {
  idxImages,
  idxLabels,
  idxPixel,
  tarGzip,
  writeCifarDirectory,
  writeIdxDirectory,
} from './datasets/fixtures.js';
import { runCli } from './helpers/run-cli.js';

const SEED = 20_241_129;
/**
 * Per case. Each decode of these few-KB files takes well under 50 ms even on a loaded machine;
 * a loop, or a small file that makes a decoder allocate and fill a huge image, hits it.
 */
const CASE_TIME_LIMIT_MS = 1_000;

type Outcome = { kind: 'value' } | { kind: 'input-error'; message: string };

/**
 * Runs `read` under a hard time limit and classifies the result. Anything but a returned value
 * that passes `check`, or an InputError with a one-line message naming `source`, throws.
 */
function classify<T>(read: () => T, check: (value: T) => void, source: string, label: string): Outcome {
  let value: T;
  try {
    value = runInNewContext('read()', { read }, { timeout: CASE_TIME_LIMIT_MS }) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new Error(`${label}: took longer than ${CASE_TIME_LIMIT_MS} ms`);
    }
    if (!(error instanceof InputError)) {
      throw new Error(
        `${label}: threw ${(error as Error)?.constructor?.name} instead of InputError: ${(error as Error)?.message}`,
      );
    }
    expect(error.message.startsWith(`${source}: `), `${label}: message names the file: ${error.message}`).toBe(true);
    expect(error.message, label).not.toMatch(/\n/);
    return { kind: 'input-error', message: error.message };
  }
  check(value);
  return { kind: 'value' };
}

/** Runs `cases` mutants of `valid` through `read`; returns how many gave values and errors. */
function fuzz<T>(options: {
  name: string;
  valid: Uint8Array;
  cases: number;
  seed: number;
  read: (bytes: Uint8Array, source: string) => T;
  check: (value: T) => void;
  /** Post-processing of some mutants (e.g. PNG CRC repair); gets the case number. */
  repair?: (bytes: Uint8Array, caseNumber: number) => Uint8Array;
  /** Replaces byte mutation for some cases (e.g. JSON value replacement). */
  mutateCase?: (
    valid: Uint8Array,
    random: Random,
    caseNumber: number,
  ) => { bytes: Uint8Array; kinds: string[] } | undefined;
}): { values: number; errors: number; messages: Set<string> } {
  const random = new Random(options.seed);
  let values = 0;
  let errors = 0;
  const messages = new Set<string>();
  for (let n = 0; n < options.cases; n++) {
    const mutant = options.mutateCase?.(options.valid, random, n) ?? mutate(options.valid, random);
    const bytes = options.repair ? options.repair(mutant.bytes, n) : mutant.bytes;
    const source = `${options.name}-${n}`;
    const label = `${options.name} case ${n} (${mutant.kinds.join('+')}, ${bytes.length} bytes)`;
    const outcome = classify(() => options.read(bytes, source), options.check, source, label);
    if (outcome.kind === 'value') values++;
    else {
      errors++;
      messages.add(outcome.message.slice(source.length + 2).replace(/\d+/g, 'N'));
    }
  }
  return { values, errors, messages };
}

function checkImage(image: DecodedImage): void {
  expect(image.data).toBeInstanceOf(Uint8Array);
  expect([1, 3]).toContain(image.channels);
  expect(Number.isInteger(image.width) && image.width >= 1).toBe(true);
  expect(Number.isInteger(image.height) && image.height >= 1).toBe(true);
  expect(image.width * image.height).toBeLessThanOrEqual(MAX_IMAGE_PIXELS);
  expect(image.data.length).toBe(image.width * image.height * image.channels);
}

function checkNpy(array: NpyArray): void {
  expect(array.data).toBeInstanceOf(Float32Array);
  expect(array.shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)).toBe(true);
  expect(array.data.length).toBe(array.shape.reduce((product, dim) => product * dim, 1));
}

// ---- the valid originals

/** 16×12 RGB with a gradient, so every filter byte and IDAT bit matters. */
const PNG_FILE = encodePng({
  data: Uint8Array.from({ length: 16 * 12 * 3 }, (_, i) => (i * 37) % 256),
  width: 16,
  height: 12,
  channels: 3,
});

const JPEG_FILE = (() => {
  const rgba = Uint8Array.from({ length: 16 * 16 * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 29) % 256));
  return new Uint8Array(jpeg.encode({ data: rgba, width: 16, height: 16 }, 90).data);
})();

const NPY_FILE = encodeNpy(
  Float32Array.from({ length: 49 }, (_, i) => i / 48),
  [7, 7],
);
const IDX_IMAGES_FILE = idxImages(3, 6, 5, idxPixel);
const IDX_LABELS_FILE = idxLabels([3, 1, 4, 1, 5, 9, 2, 6]);

function manifestText(): string {
  const entry = (id: string) => ({
    id,
    source: `${id}.png`,
    input: `${id}.input.png`,
    heatmap: `${id}.npy`,
    predicted: { index: 3, name: '3', probability: 0.9 },
    target: { index: 3, name: '3', logit: 4.2 },
    rawMax: 0.7,
    empty: false,
  });
  const manifest: CamManifest = {
    format: 'gradcam-cam',
    formatVersion: 1,
    toolVersion: '0.1.0',
    createdAt: '2024-11-29T00:00:00.000Z',
    model: '/models/mnist',
    layer: { name: 'conv8', shape: [7, 7, 64] },
    method: 'gradcam',
    counterfactual: false,
    backend: 'wasm',
    entries: [entry('three'), entry('five'), { ...entry('seven'), guided: 'seven.guided.npy' }],
    failures: [{ source: 'bad.png', error: 'bad.png: empty file' }],
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
const MANIFEST_FILE_BYTES = new TextEncoder().encode(manifestText());

/** Values a hostile or careless cam.json might hold where a file name belongs. */
const HOSTILE_VALUES: unknown[] = [
  '..',
  '../x',
  '../../etc/passwd',
  '/etc/passwd',
  '',
  '.',
  '.hidden',
  'a/b',
  'a\\b',
  'a\u0000b',
  'C:\\x',
  null,
  0,
  -1,
  // biome-ignore lint/correctness/noPrecisionLoss: a literal that overflows to Infinity, on purpose
  1e309,
  true,
  [],
  {},
  ['x'],
  'x'.repeat(300),
];

/** Replaces one random value anywhere in the manifest JSON with a hostile one. */
function mutateManifestValue(valid: Uint8Array, random: Random): { bytes: Uint8Array; kinds: string[] } {
  const manifest = JSON.parse(new TextDecoder().decode(valid));
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      slots.push({ parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(key) : key });
      walk(child);
    }
  };
  walk(manifest);
  const slot = slots[random.nextInt(slots.length)];
  const value = HOSTILE_VALUES[random.nextInt(HOSTILE_VALUES.length)];
  (slot.parent as Record<string | number, unknown>)[slot.key] = value;
  return {
    bytes: new TextEncoder().encode(JSON.stringify(manifest)),
    kinds: [`set ${String(slot.key)}=${JSON.stringify(value)}`],
  };
}

/** parseManifest, then every entry through checkManifestEntry, as render does. */
function readManifest(bytes: Uint8Array, source: string): { accepted: number; rejected: number } {
  const manifest = parseManifest(new TextDecoder().decode(bytes), source);
  let accepted = 0;
  let rejected = 0;
  manifest.entries.forEach((entry, index) => {
    try {
      const checked = checkManifestEntry(entry, index, source);
      // What a checked entry promises: names that stay inside the cam directory.
      for (const name of [checked.id, checked.input, checked.heatmap]) {
        if (!isPlainFileName(name))
          throw new Error(`checked entry ${index} has a file name that escapes: ${JSON.stringify(name)}`);
      }
      if (checked.id.startsWith('.'))
        throw new Error(`checked entry ${index} has a hidden id ${JSON.stringify(checked.id)}`);
      if (checked.guided !== undefined && !isPlainFileName(checked.guided))
        throw new Error(`entry ${index}: guided escapes`);
      accepted++;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      expect(error.message.startsWith(`${source}: entry ${index}`)).toBe(true);
      rejected++;
    }
  });
  return { accepted, rejected };
}

/** A weights manifest with every stored kind the converter writes, and bytes that fit it. */
const WEIGHTS_MANIFEST_FILE = new TextEncoder().encode(
  JSON.stringify({
    weightsManifest: [
      {
        paths: ['group1-shard1of2', 'group1-shard2of2'],
        weights: [
          {
            name: 'conv/kernel',
            shape: [3, 3, 2, 4],
            dtype: 'float32',
            quantization: { dtype: 'uint8', scale: 0.01, min: -1.2 },
          },
          { name: 'conv/bias', shape: [4], dtype: 'float32' },
          { name: 'bn/gamma', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } },
          { name: 'steps', shape: [2], dtype: 'int32', quantization: { dtype: 'uint16', scale: 1, min: 0 } },
          { name: 'mask', shape: [3], dtype: 'bool' },
        ],
      },
      { paths: ['group2-shard1of1'], weights: [{ name: 'dense/kernel', shape: [4, 3], dtype: 'float32' }] },
    ],
  }),
);
/** Every stored byte: codes, and float16/float32 values of 0.5 (0x3800, 0x3f000000). */
const WEIGHT_BYTE = (offset: number) => [0x00, 0x00, 0x00, 0x3f][offset % 4];

/** Values a hostile manifest might hold where a dtype, shape, scale or path belongs. */
const HOSTILE_WEIGHT_VALUES: unknown[] = [
  ...HOSTILE_VALUES,
  'int8',
  'float64',
  'string',
  'complex64',
  'uint8',
  'float16',
  2 ** 40,
  0.5,
  -3,
  [-1],
  [2 ** 20, 2 ** 20],
  [0],
  ['3'],
];

function mutateWeightsManifest(valid: Uint8Array, random: Random): { bytes: Uint8Array; kinds: string[] } {
  const json = JSON.parse(new TextDecoder().decode(valid));
  const slots: { parent: Record<string | number, unknown>; key: string | number }[] = [];
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      slots.push({ parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(key) : key });
      walk(child);
    }
  };
  walk(json.weightsManifest);
  const slot = slots[random.nextInt(slots.length)];
  const value = HOSTILE_WEIGHT_VALUES[random.nextInt(HOSTILE_WEIGHT_VALUES.length)];
  slot.parent[slot.key] = value;
  return {
    bytes: new TextEncoder().encode(JSON.stringify(json)),
    kinds: [`set ${String(slot.key)}=${JSON.stringify(value)}`],
  };
}

/** The checks model-dir.ts runs on a manifest and on group files of the size it describes. */
function readWeightsManifest(bytes: Uint8Array, source: string): { groups: WeightsGroup[]; data: Uint8Array[] } {
  const groups = parseWeightsManifest(JSON.parse(new TextDecoder().decode(bytes)).weightsManifest, source);
  if (groups.some((group) => group.byteLength > 1 << 20)) return { groups: [], data: [] }; // valid but too big to fill here
  const data = groups.map((group) => Uint8Array.from({ length: group.byteLength }, (_, i) => WEIGHT_BYTE(i)));
  groups.forEach((group, index) => checkWeightsFinite(data[index], group.weights, source));
  return { groups, data };
}

/** What an accepted manifest promises: TensorFlow.js decodes every weight to its shape, finite. */
function checkDecodes({ groups, data }: { groups: WeightsGroup[]; data: Uint8Array[] }): void {
  groups.forEach((group, index) => {
    const tensors = tf.io.decodeWeights(data[index].buffer as ArrayBuffer, group.weights);
    for (const spec of group.weights) {
      const tensor = tensors[spec.name];
      expect(tensor.shape).toEqual(spec.shape);
      expect(Array.from(tensor.dataSync() as Float32Array).every(Number.isFinite)).toBe(true);
      tensor.dispose();
    }
  });
}

describe('fuzzing the readers in process', () => {
  it('200 PNG mutants (file bytes, file bytes with repaired CRCs, scanlines behind zlib): a valid image or an InputError', () => {
    const result = fuzz({
      name: 'png',
      valid: PNG_FILE,
      cases: 200,
      seed: SEED + 1,
      read: decodeImage,
      check: checkImage,
      mutateCase: (valid, random, n) => (n % 3 === 2 ? mutatePngScanlines(valid, random) : undefined),
      repair: (bytes, n) => (n % 3 === 1 ? fixPngCrcs(bytes) : bytes),
    });
    // Each mode must get past the layer before it: CRCs, then zlib, then the scanline decoder.
    expect([...result.messages].some((message) => /IHDR|inflates to/.test(message))).toBe(true);
    expect(result.values).toBeGreaterThan(0);
  });

  it('200 JPEG mutants: a valid image or an InputError', () => {
    const result = fuzz({
      name: 'jpeg',
      valid: JPEG_FILE,
      cases: 200,
      seed: SEED + 2,
      read: decodeImage,
      check: checkImage,
    });
    // Flips inside the entropy-coded data decode to other pixels: some mutants stay valid images.
    expect(result.values).toBeGreaterThan(0);
    expect(result.errors).toBeGreaterThan(0);
  });

  it('200 .npy mutants: a consistent float32 array or an InputError', () => {
    const result = fuzz({ name: 'npy', valid: NPY_FILE, cases: 200, seed: SEED + 3, read: decodeNpy, check: checkNpy });
    expect(result.values).toBeGreaterThan(0);
    expect(result.errors).toBeGreaterThan(0);
  });

  it('200 IDX image mutants: consistent images or an InputError', () => {
    const result = fuzz({
      name: 'idx-images',
      valid: IDX_IMAGES_FILE,
      cases: 200,
      seed: SEED + 4,
      read: parseIdxImages,
      check: (value) => {
        expect(value.count * value.height * value.width).toBe(value.images.length);
        expect(Math.min(value.count, value.height, value.width)).toBeGreaterThanOrEqual(1);
      },
    });
    expect(result.values).toBeGreaterThan(0);
    expect(result.errors).toBeGreaterThan(0);
  });

  it('100 IDX label mutants: labels 0-9 or an InputError', () => {
    const result = fuzz({
      name: 'idx-labels',
      valid: IDX_LABELS_FILE,
      cases: 100,
      seed: SEED + 5,
      read: parseIdxLabels,
      check: (labels) => {
        expect(labels.length).toBeGreaterThan(0);
        expect(labels.every((label) => label <= 9)).toBe(true);
      },
    });
    expect(result.values).toBeGreaterThan(0);
    expect(result.errors).toBeGreaterThan(0);
  });

  it('200 cam.json mutants (100 byte-level, 100 hostile values): checked entries or InputErrors', () => {
    let accepted = 0;
    let rejected = 0;
    const result = fuzz({
      name: 'cam.json',
      valid: MANIFEST_FILE_BYTES,
      cases: 200,
      seed: SEED + 6,
      read: readManifest,
      check: (value) => {
        accepted += value.accepted;
        rejected += value.rejected;
      },
      mutateCase: (valid, random, n) => (n % 2 === 1 ? mutateManifestValue(valid, random) : undefined),
    });
    expect(result.errors).toBeGreaterThan(0);
    // Both ways out of checkManifestEntry are exercised.
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });

  it('100 weights-manifest mutants (hostile values): groups TensorFlow.js decodes to finite values, or an InputError', () => {
    tf.env().set('PROD', true);
    const result = fuzz({
      name: 'model.json',
      valid: WEIGHTS_MANIFEST_FILE,
      cases: 100,
      seed: SEED + 9,
      read: readWeightsManifest,
      check: checkDecodes,
      mutateCase: (valid, random) => mutateWeightsManifest(valid, random),
    });
    expect(result.values).toBeGreaterThan(0);
    expect(result.errors).toBeGreaterThan(0);
  });

  it('100 tar archive mutants: members inside the archive or an InputError', () => {
    const tar = gunzipSync(TAR_GZ);
    const result = fuzz({
      name: 'tar',
      valid: new Uint8Array(tar.buffer, tar.byteOffset, tar.byteLength),
      cases: 100,
      seed: SEED + 7,
      read: readTarFiles,
      check: (files) => {
        for (const file of files) {
          expect(typeof file.name).toBe('string');
          expect(file.data.byteLength).toBeLessThanOrEqual(tar.byteLength);
        }
      },
    });
    expect(result.values).toBeGreaterThan(0);
    expect(result.errors).toBeGreaterThan(0);
  });

  it('100 gzip mutants through the file reader: bytes or an InputError, each within the time limit', async () => {
    const gz = gzipSync(IDX_LABELS_FILE);
    const random = new Random(SEED + 8);
    let errors = 0;
    for (let n = 0; n < 100; n++) {
      const mutant = mutate(new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength), random);
      const path = join(root, `labels-${n}.gz`);
      await writeFile(path, mutant.bytes);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`gzip case ${n} (${mutant.kinds.join('+')}): over ${CASE_TIME_LIMIT_MS} ms`)),
          CASE_TIME_LIMIT_MS,
        );
      });
      try {
        const bytes = await Promise.race([readDecompressed(path), timeout]);
        expect(bytes).toBeInstanceOf(Uint8Array);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        expect(error.message.startsWith(`${path}: `)).toBe(true);
        errors++;
      } finally {
        clearTimeout(timer);
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});

// ---- end to end: mutants through bin/gradcam.js render

let root: string;
let TAR_GZ: Uint8Array;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-fuzz-'));
  await writeCifarDirectory(join(root, 'cifar'));
  TAR_GZ = tarGzip(join(root, 'cifar'), 'cifar-10-batches-bin');
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** One mutant run through the launcher: what it was, and where the run may write. */
interface CliCase {
  label: string;
  args: string[];
  out: string;
}

/** A cam directory the manifest mutants point into: the three entries' maps and images. */
async function writeCamDirectory(camDir: string): Promise<void> {
  await mkdir(camDir, { recursive: true });
  for (const id of ['three', 'five', 'seven']) {
    await writeFile(join(camDir, `${id}.npy`), NPY_FILE);
    await writeFile(join(camDir, `${id}.input.png`), PNG_FILE);
  }
  await writeFile(join(camDir, 'seven.guided.npy'), encodeNpy(new Float32Array(16 * 12 * 3).fill(0.5), [12, 16, 3]));
}

/** 16 `render` runs (mutated PNG image, .npy map or cam.json) and 4 `train` runs (mutated IDX files). */
async function launcherCases(): Promise<CliCase[]> {
  const random = new Random(SEED + 9);
  const cases: CliCase[] = [];
  for (let n = 0; n < 16; n++) {
    const kind = (['png', 'npy', 'cam.json'] as const)[n % 3];
    const dir = join(root, `cli-${n}`);
    const camDir = join(dir, 'cam');
    const out = join(dir, 'out');
    await writeCamDirectory(camDir);
    const valid = kind === 'png' ? PNG_FILE : kind === 'npy' ? NPY_FILE : MANIFEST_FILE_BYTES;
    const mutant = kind === 'cam.json' && n % 2 === 0 ? mutateManifestValue(valid, random) : mutate(valid, random);
    const bytes = kind === 'png' ? fixPngCrcs(mutant.bytes) : mutant.bytes;
    const label = `render ${kind} case ${n} (${mutant.kinds.join('+')})`;
    if (kind === 'cam.json') {
      await writeFile(join(camDir, 'cam.json'), bytes);
      cases.push({ label, out, args: ['render', '--cam', camDir, '--out', out, '--quiet'] });
    } else {
      const file = join(dir, kind === 'png' ? 'image.png' : 'map.npy');
      await writeFile(file, bytes);
      const heatmap = kind === 'npy' ? file : join(camDir, 'three.npy');
      const image = kind === 'png' ? file : join(camDir, 'three.input.png');
      cases.push({ label, out, args: ['render', '--heatmap', heatmap, '--image', image, '--out', out, '--quiet'] });
    }
  }
  for (let n = 16; n < 20; n++) {
    const dir = join(root, `cli-${n}`);
    const data = join(dir, 'mnist');
    await writeIdxDirectory(data);
    const file = join(data, n % 2 === 0 ? 'train-images-idx3-ubyte' : 't10k-labels-idx1-ubyte');
    const mutant = mutate(new Uint8Array(await readFile(file)), random);
    await writeFile(file, mutant.bytes);
    const out = join(dir, 'model');
    cases.push({
      label: `train ${file} case ${n} (${mutant.kinds.join('+')})`,
      out,
      args: [
        'train',
        '--dataset',
        'mnist',
        '--data',
        data,
        '--out',
        out,
        '--epochs',
        '1',
        '--width',
        '0.125',
        '--batch-size',
        '10',
        '--quiet',
      ],
    });
  }
  return cases;
}

describe('fuzzing through the launcher', () => {
  it('20 mutants given to `gradcam render` and `train`: exit 0 with valid output, or exit 1 with one-line errors only', async () => {
    const cases = await launcherCases();
    // Two at a time (2 cores); a hang is killed by the timeout and fails on its signal.
    const results = [];
    for (let i = 0; i < cases.length; i += 2) {
      results.push(...(await Promise.all(cases.slice(i, i + 2).map((c) => runCli(c.args, { timeoutMs: 60_000 })))));
    }
    let failures = 0;
    for (const [i, result] of results.entries()) {
      const { label, out, args } = cases[i];
      expect(result.signal, `${label}: killed by a signal (crash or hang)`).toBeNull();
      expect([0, 1], `${label}: exit code (stderr: ${result.stderr})`).toContain(result.code);
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      expect(result.stderr, label).not.toMatch(/^\s+at /m);
      expect(result.stderr, label).not.toMatch(/unexpected; run with --verbose|\b[A-Za-z]*Error\b/);
      for (const line of lines) expect(line, label).toMatch(/^gradcam: error: \S/);
      if (result.code === 0) expect(lines, label).toEqual([]);
      else {
        failures++;
        expect(lines.length, label).toBeGreaterThanOrEqual(1);
      }
      const written = await readdir(out).catch(() => [] as string[]);
      if (result.code === 0) expect(written.length, label).toBeGreaterThan(0);
      if (args[0] === 'train') {
        // A run either finished the whole model directory or left no --out at all.
        expect(written.sort(), label).toEqual(
          result.code === 0 ? ['gradcam.json', 'model.json', 'report.html', 'weights.bin'] : [],
        );
      } else {
        // Whatever render wrote is a readable PNG, its gallery page, or its render.json listing them.
        for (const name of written) {
          const bytes = await readFile(join(out, name));
          if (name === 'index.html') expect(bytes.toString('utf8').startsWith('<!DOCTYPE html>\n'), label).toBe(true);
          else if (name === RENDER_MANIFEST_FILE)
            expect(parseRenderManifest(bytes.toString('utf8'), name).files, label).toEqual(
              written.filter((file) => file !== RENDER_MANIFEST_FILE).sort(),
            );
          else checkImage(decodeImage(bytes, name));
        }
      }
    }
    expect(failures).toBeGreaterThan(0);
  });
});
