/**
 * The bad-input suite: every kind of unusable file and option value the commands take, each run
 * through the real launcher (bin/gradcam.js). Every case asserts
 *   - the exit code (2 for a usage error, 1 for an unusable file) and no crash by a signal;
 *   - stderr is exactly the expected number of lines (one, unless a case says otherwise), each
 *     `gradcam: error: …`, naming the offending file or option;
 *   - no stack trace (`    at …`), no error class name (`TypeError`, `InputError`, `Error:`), and
 *     not the "unexpected" fallback of cli.ts;
 *   - nothing was created, changed or removed anywhere in the test's temporary tree (names, types,
 *     sizes, mtimes, inodes), except the exact outputs the case lists (the good inputs' outputs
 *     after a partial failure); and nothing on stdout when there are none.
 * Cases run under --quiet (so stderr holds errors only), except a few marked `progress`, which
 * check that the one error line stands among progress lines. They run two at a time: each is a
 * process that loads TensorFlow.js, and the machine has two cores.
 *
 * Unwritable outputs: tests may run as root, where a chmod-ed directory stays writable, so the
 * cases use a path below a regular file (`notes.txt/out`), which no user can create.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, encodePng } from '../src/io/image-codec.js';
import { encodeNpy } from '../src/cam-output/npy.js';
import { InputError } from '../src/errors.js';
import { Random } from '../src/random.js';
import {
  idxImages,
  idxLabels,
  idxPixel,
  tarGzip,
  writeCifarDirectory,
  writeIdxDirectory,
} from './datasets/fixtures.js';
import type { Quantization } from './helpers/converter-weights.js';
import { writeSyntheticFolder } from './helpers/synthetic-data.js';
import { CAM_OPTIONS } from '../src/commands/cam-options.js';
import { DEMO_OPTIONS } from '../src/commands/demo-options.js';
import { EVAL_OPTIONS } from '../src/commands/eval-options.js';
import { INSPECT_OPTIONS } from '../src/commands/inspect-options.js';
import { MERGE_MANIFESTS_OPTIONS } from '../src/commands/merge-manifests-options.js';
import { flagOf, GLOBAL_OPTIONS, type OptionTable } from '../src/commands/option-table.js';
import { RENDER_OPTIONS } from '../src/commands/render-options.js';
import { TRAIN_OPTIONS } from '../src/commands/train-options.js';
import { GraphBuilder, writeGraphModel } from './helpers/graph-models.js';
import { LAUNCHER, runCli, type CliResult } from './helpers/run-cli.js';
import { diffTrees, snapshotTree, type TreeSnapshot } from './helpers/tree-snapshot.js';

// ---- shared fixtures, built once: read by every case, never written

let root: string;
/** Paths of the shared, read-only fixtures. */
const shared = {
  dir: '',
  png: '',
  jpg: '',
  npy: '',
  model: '',
  wideModel: '',
  cam: '',
  mnistRaw: '',
  mnistGz: '',
  cifar: '',
  cifarTar: '',
};

async function mustRun(args: string[]): Promise<void> {
  const result = await runCli([...args, '--quiet']);
  if (result.code !== 0) throw new Error(`fixture: gradcam ${args.join(' ')} failed: ${result.stderr}`);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-bad-input-'));
  const dir = join(root, 'shared');
  Object.assign(shared, {
    dir,
    png: join(dir, 'digit.png'),
    jpg: join(dir, 'photo.jpg'),
    npy: join(dir, 'map.npy'),
    model: join(dir, 'model'),
    wideModel: join(dir, 'model-wide'),
    cam: join(dir, 'cam'),
    mnistRaw: join(dir, 'mnist-raw'),
    mnistGz: join(dir, 'mnist-gz'),
    cifar: join(dir, 'cifar', 'cifar-10-batches-bin'),
    cifarTar: join(dir, 'cifar-10-binary.tar.gz'),
  });
  await mkdir(dir);
  await writeFile(
    shared.png,
    encodePng({
      data: Uint8Array.from({ length: 28 * 28 }, (_, i) => (i * 13) % 256),
      width: 28,
      height: 28,
      channels: 1,
    }),
  );
  await writeFile(shared.jpg, jpegFile(28, 28));
  await writeFile(
    shared.npy,
    encodeNpy(
      Float32Array.from({ length: 49 }, (_, i) => i / 48),
      [7, 7],
    ),
  );
  await writeIdxDirectory(shared.mnistRaw);
  await writeIdxDirectory(shared.mnistGz, { gzip: true });
  await writeCifarDirectory(join(dir, 'cifar'));
  await writeFile(shared.cifarTar, tarGzip(join(dir, 'cifar'), 'cifar-10-batches-bin'));
  // Two tiny models of different widths (the same layers, other weight shapes), trained at once.
  const train = (out: string, width: string) =>
    mustRun([
      'train',
      '--dataset',
      'mnist',
      '--data',
      shared.mnistGz,
      '--out',
      out,
      '--width',
      width,
      '--epochs',
      '1',
      '--batch-size',
      '10',
    ]);
  await Promise.all([train(shared.model, '0.125'), train(shared.wideModel, '0.25')]);
  await mustRun(['cam', '--model', shared.model, '--image', shared.png, '--image', shared.jpg, '--out', shared.cam]);
}, 120_000);
afterAll(() => rm(root, { recursive: true, force: true }));

// ---- small builders of bad files

function jpegFile(width: number, height: number): Uint8Array {
  const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 29) % 256));
  return new Uint8Array(jpeg.encode({ data: rgba, width, height }, 90).data);
}

/** Deterministic noise: every "garbage" file is the same on every run. */
function garbage(length: number, seed = 7): Uint8Array {
  const random = new Random(seed);
  return Uint8Array.from({ length }, () => random.nextInt(256));
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A well-formed PNG (valid CRCs) whose IHDR claims width × height gray pixels, with a tiny IDAT. */
function pngClaiming(width: number, height: number): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth; colour type 0 (gray)
  return concat(
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', new Uint8Array(0)),
  );
}

/** A real 28×28 JPEG whose frame header (SOF0) is rewritten to claim width × height. */
function jpegClaiming(width: number, height: number): Uint8Array {
  const bytes = Buffer.from(jpegFile(28, 28));
  for (let offset = 2; offset < bytes.length; ) {
    const marker = bytes[offset + 1];
    if (marker === 0xc0) {
      bytes.writeUInt16BE(height, offset + 5);
      bytes.writeUInt16BE(width, offset + 7);
      return bytes;
    }
    offset += 2 + bytes.readUInt16BE(offset + 2);
  }
  throw new Error('no SOF0 in the jpeg-js output');
}

/**
 * A valid 7×7 float32 .npy with `from` replaced by `to` in its header; the padding is adjusted so
 * the header keeps its length and the file stays well-formed apart from what `to` says.
 */
function npyWithHeader(from: string, to: string): Uint8Array {
  const file = Buffer.from(
    encodeNpy(
      Float32Array.from({ length: 49 }, (_, i) => i / 48),
      [7, 7],
    ),
  );
  const headerLength = file.readUInt16LE(8);
  const header = file.subarray(10, 10 + headerLength).toString('latin1');
  if (!header.includes(from)) throw new Error(`npy header has no ${from}`);
  const body = header.replace(from, to).trimEnd();
  const rewritten = Buffer.from(`${body}${' '.repeat(headerLength - 1 - body.length)}\n`, 'latin1');
  return concat(file.subarray(0, 10), rewritten, file.subarray(10 + headerLength));
}

async function truncateToHalf(path: string): Promise<void> {
  const bytes = await readFile(path);
  await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

async function editJson(path: string, edit: (value: Record<string, unknown>) => void): Promise<void> {
  const value = JSON.parse(await readFile(path, 'utf8'));
  edit(value);
  await writeFile(path, JSON.stringify(value));
}

/** Overwrites float32 value `index` of a weights file (NaN/Infinity tests). */
async function poisonWeight(path: string, index: number, value: number): Promise<void> {
  const bytes = await readFile(path);
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setFloat32(4 * index, value, true);
  await writeFile(path, bytes);
}

/**
 * A 28×28 gray foreign model (conv → global average pool → dense) written as tensorflowjs_converter
 * writes it, with the given quantization and shard size (test/helpers/converter-weights.ts).
 */
async function writeConvertedForeignModel(
  directory: string,
  quantization: Quantization,
  shardBytes?: number,
): Promise<string> {
  const tf = await import('@tensorflow/tfjs');
  tf.env().set('PROD', true);
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 2,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'conv',
    }),
  );
  model.add(tf.layers.globalAveragePooling2d({ name: 'pool' }));
  model.add(tf.layers.dense({ units: 2, name: 'logits' }));
  await mkdir(directory, { recursive: true });
  const { writeConvertedModel } = await import('./helpers/converter-weights.js');
  await writeConvertedModel(directory, model, { quantization, shardBytes });
  model.dispose();
  return directory;
}

/**
 * A small foreign layers model (conv → global average pool → dense, no gradcam.json) taking
 * side × side gray images: its weights do not grow with the input, so only the input is huge.
 */
async function writeForeignModel(directory: string, side: number): Promise<void> {
  const tf = await import('../src/tf.js');
  const { writeModelFiles } = await import('../src/models/model-dir.js');
  tf.env().set('PROD', true);
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [side, side, 1],
      filters: 2,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'conv',
    }),
  );
  model.add(tf.layers.globalAveragePooling2d({ name: 'pool' }));
  model.add(tf.layers.dense({ units: 2, name: 'logits' }));
  await mkdir(directory, { recursive: true });
  await writeModelFiles(directory, model);
  model.dispose();
}

/** A copy of a shared fixture inside the case's directory, to damage. */
async function copyOf(source: string, dir: string, name: string): Promise<string> {
  const target = join(dir, name);
  await cp(source, target, { recursive: true });
  return target;
}

// ---- the cases

interface Setup {
  args: string[];
  /** Each must appear in the (first) error line: the offending file or option. */
  mentions: string[];
  /** With several error lines: line i must contain lineMentions[i] (inputs fail in order). */
  lineMentions?: string[];
  /** Paths relative to the case directory that the run must create: the allowed outputs, exactly. */
  outputs?: string[];
}

interface BadInputCase {
  name: string;
  code: 1 | 2;
  setup: (dir: string) => Promise<Setup> | Setup;
  /** Error lines expected (several bad inputs each get one); default 1. */
  errorLines?: number;
  /** Run without --quiet: progress lines may surround the error line. */
  progress?: boolean;
  /**
   * Upper bound on the run's wall time for inputs that must be refused before any real work. Only
   * a coarse guard (a loaded CI machine stretches wall time): the millisecond and memory bounds
   * are checked in process, in "oversized headers are refused before decoding" below.
   */
  maxSeconds?: number;
}

const trainArgs = (data: string, dir: string, dataset = 'mnist') => [
  'train',
  '--dataset',
  dataset,
  '--data',
  data,
  '--out',
  join(dir, 'model'),
  '--epochs',
  '1',
  '--width',
  '0.125',
  '--batch-size',
  '8',
];

/** An MNIST directory copy (raw or gzipped) with one file replaced by `bytes` or edited. */
async function mnistWith(
  dir: string,
  gz: boolean,
  file: string,
  damage: (path: string) => Promise<void>,
): Promise<Setup> {
  const data = await copyOf(gz ? shared.mnistGz : shared.mnistRaw, dir, 'mnist');
  const path = join(data, gz ? `${file}.gz` : file);
  await damage(path);
  return { args: trainArgs(data, dir), mentions: [path] };
}

async function cifarWith(dir: string, file: string, damage: (path: string) => Promise<void>): Promise<Setup> {
  const data = await copyOf(shared.cifar, dir, 'cifar-10-batches-bin');
  const path = join(data, file);
  await damage(path);
  return { args: trainArgs(data, dir, 'cifar10'), mentions: [path] };
}

async function tarWith(dir: string, bytes: Uint8Array): Promise<Setup> {
  const path = join(dir, 'cifar-10-binary.tar.gz');
  await writeFile(path, bytes);
  return { args: trainArgs(path, dir, 'cifar10'), mentions: [path] };
}

/** `cam` on one image file written from `bytes`. */
async function camOnImage(dir: string, name: string, bytes: Uint8Array): Promise<Setup> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { args: ['cam', '--model', shared.model, '--image', path, '--out', join(dir, 'out')], mentions: [path] };
}

/** `cam` with a damaged copy of the model directory. */
async function camOnModel(
  dir: string,
  file: string,
  damage: (path: string, model: string) => Promise<void>,
): Promise<Setup> {
  const model = await copyOf(shared.model, dir, 'model');
  const path = join(model, file);
  await damage(path, model);
  return { args: ['cam', '--model', model, '--image', shared.png, '--out', join(dir, 'out')], mentions: [path] };
}

/** `render --cam` on a copy of the cam directory whose cam.json is damaged. */
async function renderOnManifest(
  dir: string,
  damage: (path: string) => Promise<void>,
): Promise<Setup & { cam: string }> {
  const cam = await copyOf(shared.cam, dir, 'cam');
  const path = join(cam, 'cam.json');
  await damage(path);
  return { cam, args: ['render', '--cam', cam, '--out', join(dir, 'out')], mentions: [path] };
}

/** `render --heatmap` on a map written from `bytes`. */
async function renderOnMap(dir: string, bytes: Uint8Array): Promise<Setup> {
  const path = join(dir, 'map.npy');
  await writeFile(path, bytes);
  return { args: ['render', '--heatmap', path, '--image', shared.png, '--out', join(dir, 'out')], mentions: [path] };
}

/** A directory of two shard manifests over the shared cam output (one entry each). */
async function shardDirectory(dir: string): Promise<string> {
  const sharded = await copyOf(shared.cam, dir, 'sharded');
  const manifest = JSON.parse(await readFile(join(sharded, 'cam.json'), 'utf8'));
  await rm(join(sharded, 'cam.json'));
  for (const [k, entries] of [
    [1, manifest.entries.slice(0, 1)],
    [2, manifest.entries.slice(1)],
  ] as const) {
    await writeFile(
      join(sharded, `cam.shard-${k}-of-2.json`),
      JSON.stringify({ ...manifest, shard: `${k}/2`, entries }),
    );
  }
  return sharded;
}

/** A small ImageFolder tree `dir/folder` (8×8 images) with `perClass` train (and test) images per class. */
async function folderTree(
  dir: string,
  classes: readonly string[],
  perClass: { train?: number; test?: number },
): Promise<string> {
  const data = join(dir, 'folder');
  await writeSyntheticFolder(data, classes, perClass, 8);
  return data;
}

const RENDERED = (out: string, id: string) => [
  `${out}/heatmap_${id}.png`,
  `${out}/blend_${id}.png`,
  `${out}/original_${id}.png`,
];

const CASES: BadInputCase[] = [
  // -- option values and combinations (exit 2)
  {
    name: 'train --epochs 0',
    code: 2,
    setup: (dir) => ({ args: [...trainArgs(shared.mnistGz, dir), '--epochs', '0'], mentions: ['--epochs', "'0'"] }),
  },
  {
    name: 'train --batch-size -1',
    code: 2,
    setup: (dir) => ({ args: [...trainArgs(shared.mnistGz, dir), '--batch-size', '-1'], mentions: ['--batch-size'] }),
  },
  {
    name: 'train --lr abc',
    code: 2,
    setup: (dir) => ({ args: [...trainArgs(shared.mnistGz, dir), '--lr', 'abc'], mentions: ['--lr', 'abc'] }),
  },
  {
    name: 'train --width 0',
    code: 2,
    setup: (dir) => ({ args: [...trainArgs(shared.mnistGz, dir), '--width', '0'], mentions: ['--width'] }),
  },
  {
    name: 'train --label-smoothing 0.6',
    code: 2,
    setup: (dir) => ({
      args: [...trainArgs(shared.mnistGz, dir), '--label-smoothing', '0.6'],
      mentions: ['--label-smoothing', '0.6'],
    }),
  },
  {
    name: 'train --weight-decay -1',
    code: 2,
    setup: (dir) => ({
      args: [...trainArgs(shared.mnistGz, dir), '--weight-decay', '-1'],
      mentions: ['--weight-decay'],
    }),
  },
  {
    name: 'train --warmup-epochs x',
    code: 2,
    setup: (dir) => ({
      args: [...trainArgs(shared.mnistGz, dir), '--warmup-epochs', 'x'],
      mentions: ['--warmup-epochs', 'x'],
    }),
  },
  {
    name: 'train --dropout 1',
    code: 2,
    setup: (dir) => ({ args: [...trainArgs(shared.mnistGz, dir), '--dropout', '1'], mentions: ['--dropout', '1'] }),
  },
  {
    name: 'train --optimizer rmsprop',
    code: 2,
    setup: (dir) => ({
      args: [...trainArgs(shared.mnistGz, dir), '--optimizer', 'rmsprop'],
      mentions: ['--optimizer', 'rmsprop', 'nesterov'],
    }),
  },
  {
    name: 'train --dataset imagenet',
    code: 2,
    setup: (dir) => ({
      args: ['train', '--dataset', 'imagenet', '--out', join(dir, 'm')],
      mentions: ['--dataset', 'imagenet'],
    }),
  },
  {
    name: 'train --epoch 3 (a typo: commander suggests --epochs on the same line)',
    code: 2,
    setup: (dir) => ({
      args: ['train', '--dataset', 'mnist', '--epoch', '3', '--out', join(dir, 'm')],
      mentions: ["'--epoch'", 'did you mean --epochs?'],
    }),
  },
  // -- folder datasets (your own images)
  {
    name: 'train --dataset folder without --data',
    code: 2,
    setup: (dir) => ({
      args: ['train', '--dataset', 'folder', '--out', join(dir, 'm')],
      mentions: ['--dataset folder', '--data DIR'],
    }),
  },
  {
    name: 'train --dataset folder: one class folder',
    code: 2,
    setup: async (dir) => {
      const data = await folderTree(dir, ['only'], { train: 2 });
      return {
        args: [...trainArgs(data, dir, 'folder'), '--val-split', '0.5'],
        mentions: [join(data, 'train'), 'only one class folder (only)'],
      };
    },
  },
  {
    name: 'train --dataset folder: class folders without images',
    code: 2,
    setup: async (dir) => {
      const data = join(dir, 'folder');
      for (const name of ['a', 'b']) {
        await mkdir(join(data, 'train', name), { recursive: true });
        await writeFile(join(data, 'train', name, 'notes.txt'), 'not an image');
      }
      return {
        args: [...trainArgs(data, dir, 'folder'), '--val-split', '0.5'],
        mentions: [join(data, 'train', 'a'), 'no PNG or JPEG images'],
      };
    },
  },
  {
    name: 'train --dataset folder: no test/ and no --val-split',
    code: 2,
    setup: async (dir) => {
      const data = await folderTree(dir, ['a', 'b'], { train: 2 });
      return { args: trainArgs(data, dir, 'folder'), mentions: [data, 'no test/ folder', '--val-split'] };
    },
  },
  {
    name: 'train --dataset folder --val-split on a tree with test/',
    code: 2,
    setup: async (dir) => {
      const data = await folderTree(dir, ['a', 'b'], { train: 2, test: 1 });
      return {
        args: [...trainArgs(data, dir, 'folder'), '--val-split', '0.2'],
        mentions: [data, 'has a test/ folder'],
      };
    },
  },
  {
    name: 'train --dataset folder: a test/ class that train/ lacks',
    code: 1,
    setup: async (dir) => {
      const data = await folderTree(dir, ['a', 'b'], { train: 2 });
      await writeSyntheticFolder(data, ['zebra'], { test: 1 }, 8);
      return { args: trainArgs(data, dir, 'folder'), mentions: [join(data, 'test', 'zebra'), 'not in'] };
    },
  },
  {
    name: 'train --dataset folder: 1400 images at 1024x1024 (over 4 GiB), refused before decoding',
    code: 2,
    maxSeconds: 30,
    setup: async (dir) => {
      const data = await folderTree(dir, ['a', 'b'], { train: 1, test: 1 });
      const png = await readFile(join(data, 'train', 'a', '000.png'));
      for (let n = 1; n < 700; n++)
        for (const name of ['a', 'b']) await writeFile(join(data, 'train', name, `${n}.png`), png);
      return {
        args: [...trainArgs(data, dir, 'folder'), '--input-size', '1024x1024'],
        mentions: [data, '1024×1024×3', 'GiB'],
      };
    },
  },
  {
    name: 'train --dataset folder --download',
    code: 2,
    setup: (dir) => ({
      args: ['train', '--dataset', 'folder', '--download', '--out', join(dir, 'm')],
      mentions: ['nothing to download'],
    }),
  },
  {
    name: 'train --val-split 1',
    code: 2,
    setup: (dir) => ({
      args: [...trainArgs(dir, dir, 'folder'), '--val-split', '1'],
      mentions: ['--val-split', "'1'"],
    }),
  },
  {
    name: 'train --input-size 4x4',
    code: 2,
    setup: (dir) => ({
      args: [...trainArgs(dir, dir, 'folder'), '--input-size', '4x4'],
      mentions: ['--input-size', "'4x4'"],
    }),
  },
  {
    name: 'train --dataset mnist --input-size 32x32',
    code: 2,
    setup: (dir) => ({
      args: [...trainArgs(shared.mnistGz, dir), '--input-size', '32x32'],
      mentions: ['--input-size', '--dataset folder'],
    }),
  },
  {
    name: 'cam --dataset folder without --data',
    code: 2,
    setup: (dir) => ({
      args: ['cam', '--model', shared.model, '--dataset', 'folder', '--count', '2', '--out', join(dir, 'out')],
      mentions: ['--dataset folder', '--data DIR'],
    }),
  },
  {
    name: "cam --dataset folder: a tree whose classes are not the model's",
    code: 2,
    setup: async (dir) => {
      const data = await folderTree(dir, ['cat', 'dog'], { train: 1, test: 1 });
      return {
        args: [
          'cam',
          '--model',
          shared.model,
          '--dataset',
          'folder',
          '--data',
          data,
          '--count',
          '2',
          '--out',
          join(dir, 'out'),
        ],
        mentions: [data, "are not among the model's classes"],
      };
    },
  },
  {
    name: 'cam --dataset folder: no test/, and the model was not trained with --val-split',
    code: 2,
    setup: async (dir) => {
      const data = await folderTree(dir, ['cat', 'dog'], { train: 1 });
      return {
        args: [
          'cam',
          '--model',
          shared.model,
          '--dataset',
          'folder',
          '--data',
          data,
          '--count',
          '2',
          '--out',
          join(dir, 'out'),
        ],
        mentions: [data, 'no test/ folder', '--val-split'],
      };
    },
  },
  {
    name: 'cam --shard 0/2',
    code: 2,
    setup: (dir) => ({
      args: ['cam', '--model', shared.model, '--image', shared.png, '--shard', '0/2', '--out', join(dir, 'out')],
      mentions: ['--shard', '0/2'],
    }),
  },
  {
    name: 'cam --batch-size 0',
    code: 2,
    setup: (dir) => ({
      args: ['cam', '--model', shared.model, '--image', shared.png, '--batch-size', '0', '--out', join(dir, 'out')],
      mentions: ['--batch-size'],
    }),
  },
  {
    name: 'cam --class 10 on a 10-class model',
    code: 2,
    setup: (dir) => ({
      args: ['cam', '--model', shared.model, '--image', shared.png, '--class', '10', '--out', join(dir, 'out')],
      mentions: ['--class 10'],
    }),
  },
  {
    name: 'render --alpha 2',
    code: 2,
    setup: (dir) => ({
      args: ['render', '--cam', shared.cam, '--alpha', '2', '--out', join(dir, 'out')],
      mentions: ['--alpha', "'2'"],
    }),
  },
  {
    name: 'render --size 0x5',
    code: 2,
    setup: (dir) => ({
      args: ['render', '--cam', shared.cam, '--size', '0x5', '--out', join(dir, 'out')],
      mentions: ['--size', '0x5'],
    }),
  },
  {
    name: 'render --scale 0',
    code: 2,
    setup: (dir) => ({
      args: ['render', '--cam', shared.cam, '--scale', '0', '--out', join(dir, 'out')],
      mentions: ['--scale'],
    }),
  },
  {
    name: 'render --size 8192x8192 --scale 64 (a 275-gigapixel output)',
    code: 2,
    maxSeconds: 30,
    setup: (dir) => ({
      args: ['render', '--cam', shared.cam, '--size', '8192x8192', '--scale', '64', '--out', join(dir, 'out')],
      mentions: ['--size 8192x8192', '--scale 64'],
    }),
  },
  {
    name: 'eval --count 0',
    code: 2,
    setup: () => ({
      args: ['eval', '--model', shared.model, '--dataset', 'mnist', '--count', '0'],
      mentions: ['--count'],
    }),
  },
  {
    name: 'eval --sanity-steps with --sanity-count 0',
    code: 2,
    setup: () => ({
      args: ['eval', '--model', shared.model, '--dataset', 'mnist', '--sanity-count', '0', '--sanity-steps', '3'],
      mentions: ['--sanity-steps', '--sanity-count 0'],
    }),
  },
  {
    name: 'merge-manifests without its directory',
    code: 2,
    setup: () => ({ args: ['merge-manifests'], mentions: ["'dir'"] }),
  },

  // -- the same file given twice (exit 2)
  {
    name: 'cam --image a.png --image ./a.png',
    code: 2,
    setup: async (dir) => {
      const path = await copyOf(shared.png, dir, 'a.png');
      return {
        args: ['cam', '--model', shared.model, '--image', path, '--image', `${dir}/./a.png`, '--out', join(dir, 'out')],
        mentions: [`${dir}/./a.png: given twice`],
      };
    },
  },
  {
    name: 'cam --image dir/a.png --images dir',
    code: 2,
    setup: async (dir) => {
      const images = join(dir, 'images');
      await mkdir(images);
      const path = await copyOf(shared.png, images, 'a.png');
      return {
        args: ['cam', '--model', shared.model, '--image', path, '--images', images, '--out', join(dir, 'out')],
        mentions: ['a.png: given twice'],
      };
    },
  },

  // -- training data: IDX, gzip, CIFAR-10 batches, tar.gz (exit 1)
  {
    name: 'IDX .gz zero bytes',
    code: 1,
    setup: (dir) => mnistWith(dir, true, 'train-images-idx3-ubyte', (path) => writeFile(path, '')),
  },
  {
    name: 'IDX .gz truncated',
    code: 1,
    setup: (dir) => mnistWith(dir, true, 'train-images-idx3-ubyte', truncateToHalf),
  },
  {
    name: 'IDX .gz garbage after the gzip magic',
    code: 1,
    setup: (dir) =>
      mnistWith(dir, true, 't10k-labels-idx1-ubyte', (path) =>
        writeFile(path, concat([0x1f, 0x8b, 0x08, 0x00], garbage(300))),
      ),
  },
  {
    name: 'IDX raw truncated',
    code: 1,
    setup: (dir) => mnistWith(dir, false, 'train-images-idx3-ubyte', truncateToHalf),
  },
  {
    name: 'IDX raw garbage',
    code: 1,
    setup: (dir) => mnistWith(dir, false, 'train-images-idx3-ubyte', (path) => writeFile(path, garbage(16 + 20 * 784))),
  },
  {
    name: 'IDX of another dtype (magic 0x0d03: float32 images)',
    code: 1,
    setup: (dir) =>
      mnistWith(dir, false, 't10k-images-idx3-ubyte', async (path) => {
        const bytes = idxImages(6, 28, 28, idxPixel);
        bytes[2] = 0x0d;
        await writeFile(path, bytes);
      }),
  },
  {
    name: 'IDX images that never vary (nothing to normalize or learn)',
    code: 1,
    setup: async (dir) => {
      const data = join(dir, 'flat');
      await mkdir(data);
      await writeFile(
        join(data, 'train-images-idx3-ubyte'),
        idxImages(8, 28, 28, () => 77),
      );
      await writeFile(join(data, 'train-labels-idx1-ubyte'), idxLabels([0, 1, 2, 3, 4, 5, 6, 7]));
      await writeFile(
        join(data, 't10k-images-idx3-ubyte'),
        idxImages(2, 28, 28, () => 77),
      );
      await writeFile(join(data, 't10k-labels-idx1-ubyte'), idxLabels([0, 1]));
      return { args: trainArgs(data, dir), mentions: ['--data', data, 'channel 0 is 77'] };
    },
  },
  {
    name: 'CIFAR batch zero bytes',
    code: 1,
    setup: (dir) => cifarWith(dir, 'data_batch_3.bin', (path) => writeFile(path, '')),
  },
  {
    name: 'CIFAR batch truncated',
    code: 1,
    setup: (dir) => cifarWith(dir, 'test_batch.bin', (path) => truncate(path, 3073 + 1000)),
  },
  {
    name: 'CIFAR batch garbage',
    code: 1,
    setup: (dir) => cifarWith(dir, 'data_batch_1.bin', (path) => writeFile(path, garbage(4 * 3073, 11))),
  },
  { name: 'tar.gz zero bytes', code: 1, setup: (dir) => tarWith(dir, new Uint8Array(0)) },
  {
    name: 'tar.gz truncated',
    code: 1,
    setup: async (dir) => {
      const bytes = await readFile(shared.cifarTar);
      return tarWith(dir, bytes.subarray(0, bytes.length >> 1));
    },
  },
  { name: 'tar.gz garbage', code: 1, setup: (dir) => tarWith(dir, garbage(5000)) },
  {
    name: 'tar.gz whose tar is cut inside a member',
    code: 1,
    setup: async (dir) => {
      const tar = gunzipSync(await readFile(shared.cifarTar));
      return tarWith(dir, gzipSync(tar.subarray(0, 512 * 3 + 1000)));
    },
  },
  {
    name: 'train --out is a file',
    code: 1,
    setup: async (dir) => {
      const file = await copyOf(shared.png, dir, 'notes.txt');
      return { args: [...trainArgs(shared.mnistGz, dir), '--out', file], mentions: ['--out', file] };
    },
  },
  {
    name: 'train --out below a file (unwritable, even for root)',
    code: 1,
    setup: async (dir) => {
      const file = await copyOf(shared.png, dir, 'notes.txt');
      return {
        args: [...trainArgs(shared.mnistGz, dir), '--out', join(file, 'model')],
        mentions: ['--out', join(file, 'model')],
      };
    },
  },

  // -- images given to cam (exit 1: a failed input)
  { name: 'PNG zero bytes', code: 1, setup: (dir) => camOnImage(dir, 'empty.png', new Uint8Array(0)) },
  {
    name: 'PNG claiming 100000×100000 pixels (refused from the header)',
    code: 1,
    maxSeconds: 30,
    setup: async (dir) => {
      const setup = await camOnImage(dir, 'huge.png', pngClaiming(100_000, 100_000));
      return { ...setup, mentions: [...setup.mentions, '100000x100000'] };
    },
  },
  {
    name: 'JPEG of 2 KB claiming 7000×7000 pixels (under the limit, refused as truncated)',
    code: 1,
    maxSeconds: 30,
    setup: async (dir) => {
      const setup = await camOnImage(dir, 'bomb.jpg', jpegClaiming(7000, 7000));
      return { ...setup, mentions: [...setup.mentions, 'truncated JPEG'] };
    },
  },
  {
    name: 'a PNG truncated, a PNG of garbage, a JPEG of zero bytes, one truncated, one of garbage, then a good PNG: it is explained',
    code: 1,
    progress: true,
    setup: async (dir) => {
      const png = await readFile(shared.png);
      const jpg = jpegFile(28, 28);
      const bad: [string, Uint8Array][] = [
        ['cut.png', png.subarray(0, png.length - 30)],
        ['noise.png', concat(PNG_SIGNATURE, garbage(400))],
        ['empty.jpg', new Uint8Array(0)],
        ['cut.jpg', jpg.subarray(0, jpg.length >> 1)],
        ['noise.jpg', concat([0xff, 0xd8, 0xff], garbage(400))],
      ];
      for (const [name, bytes] of bad) await writeFile(join(dir, name), bytes);
      const good = await copyOf(shared.png, dir, 'good.png');
      return {
        args: [
          'cam',
          '--model',
          shared.model,
          ...bad.flatMap(([name]) => ['--image', join(dir, name)]),
          '--image',
          good,
          '--out',
          join(dir, 'out'),
        ],
        mentions: [],
        lineMentions: bad.map(([name]) => `${join(dir, name)}: `),
        outputs: ['out', 'out/cam.json', 'out/good.input.png', 'out/good.npy'],
      };
    },
    errorLines: 5,
  },
  {
    name: 'cam --shard 1/1 whose only image is garbage: the shard manifest still records the failure',
    code: 1,
    setup: async (dir) => {
      const setup = await camOnImage(dir, 'noise.png', garbage(100));
      return { ...setup, args: [...setup.args, '--shard', '1/1'], outputs: ['out', 'out/cam.shard-1-of-1.json'] };
    },
  },
  {
    name: '--images with a directory named x.png beside a good image',
    code: 1,
    setup: async (dir) => {
      const images = join(dir, 'images');
      await mkdir(join(images, 'x.png'), { recursive: true });
      await copyOf(shared.png, images, 'a.png');
      return {
        args: ['cam', '--model', shared.model, '--images', images, '--out', join(dir, 'out')],
        mentions: [join(images, 'x.png'), 'is a directory'],
        outputs: ['out', 'out/cam.json', 'out/a.input.png', 'out/a.npy'],
      };
    },
  },

  // -- model directories (exit 1)
  {
    name: 'model.json zero bytes',
    code: 1,
    setup: (dir) => camOnModel(dir, 'model.json', (path) => writeFile(path, '')),
  },
  { name: 'model.json truncated', code: 1, setup: (dir) => camOnModel(dir, 'model.json', truncateToHalf) },
  {
    name: "graph model with an op TensorFlow.js lacks (node gap/Mean: op 'FancyPool')",
    code: 1,
    setup: async (dir) => {
      const model = join(dir, 'graph');
      const g = new GraphBuilder(3);
      const conv = g.fusedConv('conv/BiasAdd', g.placeholder('images', [-1, 8, 8, 3]), [1, 1, 3, 3]);
      g.unary('Identity', 'Identity', g.dense('logits', g.spatialMean('gap/Mean', conv), 3, 2));
      await writeGraphModel(model, g, { quantization: 'uint8' });
      const modelJson = join(model, 'model.json');
      await editJson(modelJson, (json) => {
        const nodes = (json.modelTopology as { node: { name: string; op: string }[] }).node;
        (nodes.find((node) => node.name === 'gap/Mean') as { op: string }).op = 'FancyPool';
      });
      return {
        args: ['cam', '--model', model, '--image', shared.png, '--out', join(dir, 'out')],
        mentions: [`${modelJson}: node gap/Mean: op 'FancyPool' is not supported by TensorFlow.js`],
      };
    },
  },
  {
    name: 'model.json garbage',
    code: 1,
    setup: (dir) => camOnModel(dir, 'model.json', (path) => writeFile(path, garbage(2000))),
  },
  {
    name: 'weights.bin zero bytes',
    code: 1,
    setup: (dir) => camOnModel(dir, 'weights.bin', (path) => writeFile(path, '')),
  },
  { name: 'weights.bin truncated', code: 1, setup: (dir) => camOnModel(dir, 'weights.bin', truncateToHalf) },
  {
    name: 'weights.bin garbage of the right size',
    code: 1,
    setup: (dir) =>
      camOnModel(dir, 'weights.bin', async (path) => writeFile(path, garbage((await readFile(path)).length))),
  },
  {
    name: 'weights.bin with a NaN',
    code: 1,
    progress: true,
    setup: (dir) => camOnModel(dir, 'weights.bin', (path) => poisonWeight(path, 100, Number.NaN)),
  },
  {
    name: 'weights.bin with an Infinity',
    code: 1,
    setup: (dir) => camOnModel(dir, 'weights.bin', (path) => poisonWeight(path, 5, Number.NEGATIVE_INFINITY)),
  },
  {
    name: 'weights.bin of another architecture (width 0.25 beside a width-0.125 model.json)',
    code: 1,
    setup: (dir) => camOnModel(dir, 'weights.bin', (path) => cp(join(shared.wideModel, 'weights.bin'), path)),
  },
  {
    name: 'model.json naming weights outside the directory (../)',
    code: 1,
    setup: async (dir) => {
      const setup = await camOnModel(dir, 'model.json', (path) =>
        editJson(path, (json) => {
          (json.weightsManifest as { paths: string[] }[])[0].paths = ['../../shared/model/weights.bin'];
        }),
      );
      return { ...setup, mentions: [...setup.mentions, '../../shared/model/weights.bin'] };
    },
  },
  {
    name: 'gradcam.json zero bytes',
    code: 1,
    setup: (dir) => camOnModel(dir, 'gradcam.json', (path) => writeFile(path, '')),
  },
  { name: 'gradcam.json truncated', code: 1, setup: (dir) => camOnModel(dir, 'gradcam.json', truncateToHalf) },
  {
    name: 'gradcam.json garbage',
    code: 1,
    setup: (dir) => camOnModel(dir, 'gradcam.json', (path) => writeFile(path, garbage(300))),
  },
  {
    name: 'gradcam.json with an infinite normalization mean (1e999)',
    code: 1,
    setup: (dir) =>
      camOnModel(dir, 'gradcam.json', async (path) =>
        writeFile(path, (await readFile(path, 'utf8')).replace(/"mean": \[[^\]]*\]/, '"mean": [1e999]')),
      ),
  },
  {
    name: 'gradcam.json of another input shape ([32, 32, 3] for a 28×28×1 model)',
    code: 1,
    setup: (dir) =>
      camOnModel(dir, 'gradcam.json', (path) =>
        editJson(path, (json) => {
          json.inputShape = [32, 32, 3];
          json.normalization = { mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2] };
        }),
      ),
  },
  {
    name: 'gradcam.json with 3 class names for 10 outputs',
    code: 1,
    setup: (dir) =>
      camOnModel(dir, 'gradcam.json', (path) =>
        editJson(path, (json) => {
          json.classNames = ['a', 'b', 'c'];
        }),
      ),
  },
  {
    name: 'gradcam.json targetLayer that does not exist',
    code: 1,
    setup: (dir) =>
      camOnModel(dir, 'gradcam.json', (path) =>
        editJson(path, (json) => {
          json.targetLayer = 'conv99';
        }),
      ),
  },
  {
    name: 'a uint8-quantized model whose weight scale is 1e999',
    code: 1,
    setup: async (dir) => {
      const model = await writeConvertedForeignModel(join(dir, 'quantized'), 'uint8');
      const path = join(model, 'model.json');
      const json = JSON.parse(await readFile(path, 'utf8'));
      json.weightsManifest[0].weights[0].quantization.scale = 'INFINITY';
      await writeFile(path, JSON.stringify(json).replace('"INFINITY"', '1e999'));
      return {
        args: ['cam', '--model', model, '--image', shared.png, '--out', join(dir, 'out')],
        mentions: [path, 'conv/kernel', '"scale"'],
      };
    },
  },
  {
    name: 'a float16-quantized weights shard holding an Infinity',
    code: 1,
    setup: async (dir) => {
      const model = await writeConvertedForeignModel(join(dir, 'half'), 'float16');
      const shard = join(model, 'group1-shard1of1');
      const bytes = await readFile(shard);
      bytes.writeUInt16LE(0xfc00, 2);
      await writeFile(shard, bytes);
      return {
        args: ['cam', '--model', model, '--image', shared.png, '--out', join(dir, 'out')],
        mentions: [shard, 'NaN or Infinity'],
      };
    },
  },
  {
    name: 'a sharded model whose second shard is missing',
    code: 1,
    setup: async (dir) => {
      const model = await writeConvertedForeignModel(join(dir, 'sharded'), 'none', 64);
      const shard = join(model, 'group1-shard2of2');
      await rm(shard);
      return {
        args: ['cam', '--model', model, '--image', shared.png, '--out', join(dir, 'out')],
        mentions: [shard, 'missing'],
      };
    },
  },
  {
    name: 'a weights shard that is a link to /dev/zero',
    code: 1,
    maxSeconds: 30,
    setup: async (dir) => {
      const model = await writeConvertedForeignModel(join(dir, 'device'), 'uint8');
      const shard = join(model, 'group1-shard1of1');
      await rm(shard);
      await symlink('/dev/zero', shard);
      return {
        args: ['cam', '--model', model, '--image', shared.png, '--out', join(dir, 'out')],
        mentions: [shard, 'not a regular file'],
      };
    },
  },
  {
    name: 'a foreign model (no gradcam.json) whose input is 30000×30000',
    code: 1,
    maxSeconds: 30,
    setup: async (dir) => {
      const model = join(dir, 'foreign');
      await writeForeignModel(model, 30_000);
      return {
        args: ['cam', '--model', model, '--image', shared.png, '--out', join(dir, 'out')],
        mentions: [join(model, 'model.json'), '30000x30000'],
      };
    },
  },
  {
    name: 'cam --out is a file',
    code: 1,
    setup: async (dir) => {
      const file = await copyOf(shared.png, dir, 'notes.txt');
      return {
        args: ['cam', '--model', shared.model, '--image', shared.png, '--out', file],
        mentions: ['--out', file],
      };
    },
  },
  {
    name: 'cam --out below a file (unwritable, even for root)',
    code: 1,
    setup: async (dir) => {
      const file = await copyOf(shared.png, dir, 'notes.txt');
      return {
        args: ['cam', '--model', shared.model, '--image', shared.png, '--out', join(file, 'out')],
        mentions: ['--out', join(file, 'out')],
      };
    },
  },
  {
    name: 'eval on a model.json of garbage',
    code: 1,
    setup: async (dir) => {
      const model = await copyOf(shared.model, dir, 'model');
      await writeFile(join(model, 'model.json'), garbage(100));
      return {
        args: ['eval', '--model', model, '--dataset', 'mnist', '--data', shared.mnistGz, '--count', '2'],
        mentions: [join(model, 'model.json')],
      };
    },
  },

  // -- cam.json, maps and images given to render (exit 1)
  { name: 'cam.json zero bytes', code: 1, setup: (dir) => renderOnManifest(dir, (path) => writeFile(path, '')) },
  { name: 'cam.json truncated', code: 1, setup: (dir) => renderOnManifest(dir, truncateToHalf) },
  { name: 'cam.json garbage', code: 1, setup: (dir) => renderOnManifest(dir, (path) => writeFile(path, garbage(500))) },
  {
    name: 'cam.json id "../x" (escaping the output directory)',
    code: 1,
    errorLines: 2,
    setup: async (dir) => {
      const setup = await renderOnManifest(dir, (path) =>
        editJson(path, (json) => {
          for (const entry of json.entries as { id: string }[]) entry.id = `../x${entry.id}`;
        }),
      );
      return {
        ...setup,
        args: [...setup.args.slice(0, -2), '--out', setup.cam],
        mentions: [],
        lineMentions: [
          `${setup.mentions[0]}: entry 0 (id "../xdigit"): "id"`,
          `${setup.mentions[0]}: entry 1 (id "../xphoto"): "id"`,
        ],
      };
    },
  },
  {
    name: 'cam.json id "a/../../../escaped" and heatmap "../../shared/map.npy"',
    code: 1,
    errorLines: 2,
    setup: async (dir) => {
      const setup = await renderOnManifest(dir, (path) =>
        editJson(path, (json) => {
          const [first, second] = json.entries as { id: string; heatmap: string }[];
          first.id = 'a/../../../escaped';
          second.heatmap = '../../shared/map.npy';
        }),
      );
      return {
        ...setup,
        mentions: [],
        lineMentions: [
          `${setup.mentions[0]}: entry 0 (id "a/../../../escaped"): "id"`,
          `${setup.mentions[0]}: entry 1 (id "photo"): "heatmap"`,
        ],
      };
    },
  },
  {
    name: 'cam.json with one good entry and one whose input is /etc/passwd',
    code: 1,
    setup: async (dir) => {
      const setup = await renderOnManifest(dir, (path) =>
        editJson(path, (json) => {
          (json.entries as { input: string }[])[1].input = '/etc/passwd';
        }),
      );
      // The good entry is drawn, and the gallery shows it (and lists the refused one); render.json records them.
      return {
        ...setup,
        mentions: [...setup.mentions, 'entry 1', '"input"'],
        outputs: ['out', ...RENDERED('out', 'digit'), 'out/index.html', 'out/render.json'],
      };
    },
  },
  { name: '.npy zero bytes', code: 1, setup: (dir) => renderOnMap(dir, new Uint8Array(0)) },
  {
    name: '.npy truncated',
    code: 1,
    setup: (dir) => renderOnMap(dir, encodeNpy(new Float32Array(49), [7, 7]).subarray(0, 150)),
  },
  { name: '.npy garbage', code: 1, setup: (dir) => renderOnMap(dir, garbage(324)) },
  {
    name: '.npy whose header claims (70, 70) over 49 values',
    code: 1,
    setup: (dir) => renderOnMap(dir, npyWithHeader('(7, 7)', '(70, 70)')),
  },
  {
    name: '.npy whose header claims 10^16 values',
    code: 1,
    setup: (dir) => renderOnMap(dir, npyWithHeader('(7, 7)', '(100000000, 100000000)')),
  },
  { name: '.npy of int32', code: 1, setup: (dir) => renderOnMap(dir, npyWithHeader("'<f4'", "'<i4'")) },
  { name: '.npy of rank 3', code: 1, setup: (dir) => renderOnMap(dir, encodeNpy(new Float32Array(49), [7, 7, 1])) },
  {
    name: '.npy map with a NaN',
    code: 1,
    setup: (dir) =>
      renderOnMap(
        dir,
        encodeNpy(
          Float32Array.from({ length: 49 }, (_, i) => (i === 20 ? Number.NaN : 0.5)),
          [7, 7],
        ),
      ),
  },
  {
    name: '.npy map with an Infinity',
    code: 1,
    setup: (dir) =>
      renderOnMap(
        dir,
        encodeNpy(
          Float32Array.from({ length: 49 }, (_, i) => (i === 3 ? Number.POSITIVE_INFINITY : 0.5)),
          [7, 7],
        ),
      ),
  },
  {
    name: '.npy map of shape (0, 7)',
    code: 1,
    setup: (dir) => renderOnMap(dir, encodeNpy(new Float32Array(0), [0, 7])),
  },
  {
    name: 'render --image is a directory',
    code: 1,
    setup: async (dir) => {
      await mkdir(join(dir, 'pictures'));
      return {
        args: ['render', '--heatmap', shared.npy, '--image', join(dir, 'pictures'), '--out', join(dir, 'out')],
        mentions: [join(dir, 'pictures')],
      };
    },
  },
  {
    name: 'render --image /dev/zero and --heatmap /dev/urandom (devices that never end)',
    code: 1,
    maxSeconds: 30,
    setup: (dir) => ({
      args: ['render', '--heatmap', '/dev/urandom', '--image', '/dev/zero', '--out', join(dir, 'out')],
      mentions: ['/dev/urandom', 'not a file'],
    }),
  },
  {
    name: 'an image whose file name holds a newline: still one error line, the name escaped',
    code: 1,
    setup: async (dir) => {
      const path = join(dir, 'two\nlines.png');
      await writeFile(path, garbage(64));
      return {
        args: ['render', '--heatmap', shared.npy, '--image', path, '--out', join(dir, 'out')],
        mentions: [join(dir, 'two\\nlines.png')],
      };
    },
  },
  {
    name: 'merge-manifests of a directory whose name holds a newline and a terminal escape',
    code: 1,
    setup: (dir) => ({
      args: ['merge-manifests', join(dir, 'no\nsuch\u001b[31m')],
      mentions: [join(dir, 'no\\nsuch\\u001b[31m')],
    }),
  },
  {
    name: 'render --grid of two 4096×4096 rows (a 100-megapixel sheet): refused before any PNG is written',
    code: 2,
    setup: (dir) => ({
      args: [
        'render',
        '--cam',
        shared.cam,
        '--size',
        '4096x4096',
        '--out',
        join(dir, 'out'),
        '--grid',
        join(dir, 'out', 'grid.png'),
      ],
      mentions: ['--grid', '2 rows of 4096x4096 tiles'],
    }),
  },
  {
    name: 'render --grid of 60 entries at --scale 20 (a 57-megapixel sheet, known after the first drawing)',
    code: 2,
    setup: async (dir) => {
      const setup = await renderOnManifest(dir, (path) =>
        editJson(path, (json) => {
          const [first] = json.entries as { id: string }[];
          json.entries = Array.from({ length: 60 }, (_, i) => ({ ...first, id: `digit${i}` }));
        }),
      );
      return {
        ...setup,
        args: [...setup.args, '--scale', '20', '--grid', join(dir, 'out', 'grid.png')],
        mentions: ['--grid', '60 rows of 560x560 tiles'],
      };
    },
  },
  {
    name: 'render --out is a file',
    code: 1,
    setup: async (dir) => {
      const file = await copyOf(shared.png, dir, 'notes.txt');
      return { args: ['render', '--cam', shared.cam, '--out', file], mentions: ['--out', file] };
    },
  },
  {
    name: 'render --out below a file (unwritable, even for root)',
    code: 1,
    setup: async (dir) => {
      const file = await copyOf(shared.png, dir, 'notes.txt');
      return {
        args: ['render', '--cam', shared.cam, '--out', join(file, 'out')],
        mentions: ['--out', join(file, 'out')],
      };
    },
  },
  {
    name: "render --out holds another run's renders (render.json): refused, the folder untouched",
    code: 1,
    setup: async (dir) => {
      const out = join(dir, 'out');
      await mustRun(['render', '--heatmap', shared.npy, '--image', shared.png, '--out', out]);
      return {
        args: ['render', '--cam', shared.cam, '--out', out],
        mentions: [`--out ${out}: holds`, 'render.json', '--force'],
      };
    },
  },
  {
    name: 'render --out holds a file gradcam did not write: refused',
    code: 1,
    setup: async (dir) => {
      const out = join(dir, 'out');
      await mkdir(out);
      await writeFile(join(out, 'notes.txt'), 'mine');
      return {
        args: ['render', '--cam', shared.cam, '--out', out],
        mentions: [`--out ${out}: holds`, 'notes.txt', '--force'],
      };
    },
  },
  {
    name: 'render --grid below a file: refused before any PNG is drawn',
    code: 1,
    setup: async (dir) => {
      const file = await copyOf(shared.png, dir, 'notes.txt');
      return {
        args: ['render', '--cam', shared.cam, '--out', join(dir, 'out'), '--grid', join(file, 'grid.png')],
        mentions: ['--grid', join(file, 'grid.png')],
      };
    },
  },

  // -- merge-manifests (exit 1)
  {
    name: 'merge-manifests: a shard manifest of zero bytes',
    code: 1,
    setup: async (dir) => {
      const sharded = await shardDirectory(dir);
      await writeFile(join(sharded, 'cam.shard-2-of-2.json'), '');
      return { args: ['merge-manifests', sharded], mentions: [join(sharded, 'cam.shard-2-of-2.json')] };
    },
  },
  {
    name: 'merge-manifests: a shard entry whose heatmap is ../../shared/map.npy',
    code: 1,
    setup: async (dir) => {
      const sharded = await shardDirectory(dir);
      const path = join(sharded, 'cam.shard-1-of-2.json');
      await editJson(path, (json) => {
        (json.entries as { heatmap: string }[])[0].heatmap = '../../shared/map.npy';
      });
      return { args: ['merge-manifests', sharded], mentions: [path, '"heatmap"'] };
    },
  },
  {
    name: 'merge-manifests: a shard entry that is null',
    code: 1,
    setup: async (dir) => {
      const sharded = await shardDirectory(dir);
      const path = join(sharded, 'cam.shard-2-of-2.json');
      await editJson(path, (json) => {
        (json.entries as unknown[])[0] = null;
      });
      return { args: ['merge-manifests', sharded], mentions: [path, 'entry 0'] };
    },
  },
  {
    name: 'merge-manifests: cam.json exists as a directory',
    code: 1,
    setup: async (dir) => {
      const sharded = await shardDirectory(dir);
      await mkdir(join(sharded, 'cam.json'));
      return { args: ['merge-manifests', sharded], mentions: [join(sharded, 'cam.json')] };
    },
  },
  {
    name: 'merge-manifests: the same shard twice (cam.shard-01-of-2.json)',
    code: 1,
    setup: async (dir) => {
      const sharded = await shardDirectory(dir);
      await cp(join(sharded, 'cam.shard-1-of-2.json'), join(sharded, 'cam.shard-01-of-2.json'));
      return { args: ['merge-manifests', sharded], mentions: ['given twice', join(sharded, 'cam.shard-01-of-2.json')] };
    },
  },
  ...optionLikeValueCases(),
];

/**
 * `gradcam <command> --out --quiet`: every value option of every command (and the global ones)
 * refuses the next option as its value, before any file is read or written.
 */
function optionLikeValueCases(): BadInputCase[] {
  const tables: [string, OptionTable][] = [
    ['train', TRAIN_OPTIONS],
    ['cam', CAM_OPTIONS],
    ['inspect', INSPECT_OPTIONS],
    ['render', RENDER_OPTIONS],
    ['merge-manifests', MERGE_MANIFESTS_OPTIONS],
    ['demo', DEMO_OPTIONS],
    ['eval', EVAL_OPTIONS],
    ['cam', GLOBAL_OPTIONS],
  ];
  return tables.flatMap(([command, table]) =>
    Object.values(table)
      .filter((spec) => spec.flags.includes('<'))
      .map(
        (spec): BadInputCase => ({
          name: `${command} ${flagOf(spec)} --quiet (an option where a value goes)`,
          code: 2,
          setup: () => ({ args: [command, flagOf(spec)], mentions: [`'${spec.flags}'`, "argument '--quiet'"] }),
          maxSeconds: 20,
        }),
      ),
  );
}

// ---- running and checking a case

/**
 * At most `limit` cases at a time: each is a CLI process that loads TensorFlow.js (about a CPU
 * second), and on 2 cores more of them would only starve the test files vitest runs beside this one.
 */
function concurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
const oneOfTwo = concurrencyLimit(2);

/** Changes to the whole temporary tree, minus those in other cases' directories (they run concurrently). */
function changesOutside(
  before: TreeSnapshot,
  after: TreeSnapshot,
  caseDir: string,
): { mine: string[]; foreign: string[] } {
  const { created, modified, removed } = diffTrees(before, after);
  const mine: string[] = [];
  const foreign: string[] = [];
  for (const path of [...created, ...modified.map((p) => `${p} (modified)`), ...removed.map((p) => `${p} (removed)`)]) {
    if (path.startsWith(`${caseDir}/`)) mine.push(path.slice(caseDir.length + 1));
    else if (!/^cases\//.test(path)) foreign.push(path);
  }
  return { mine: mine.sort(), foreign };
}

function checkErrorOutput(result: CliResult, testCase: BadInputCase, setup: Setup): void {
  expect(result.signal, 'killed by a signal').toBeNull();
  expect(result.code, `exit code; stderr: ${result.stderr}`).toBe(testCase.code);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  const errors = lines.filter((line) => line.startsWith('gradcam: error: '));
  expect(errors, `error lines in: ${result.stderr}`).toHaveLength(testCase.errorLines ?? 1);
  if (!testCase.progress) expect(lines, 'under --quiet, stderr holds the error lines only').toEqual(errors);
  for (const mention of setup.mentions) expect(errors[0], 'the error names the culprit').toContain(mention);
  setup.lineMentions?.forEach((mention, line) =>
    expect(errors[line], `error line ${line} names its culprit`).toContain(mention),
  );
  expect(result.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
  expect(result.stderr, 'no error class names').not.toMatch(/\b[A-Za-z]*Error\b/);
  expect(result.stderr, 'not the fallback for unexpected errors').not.toContain('unexpected; run with --verbose');
  if (!setup.outputs) expect(result.stdout, 'no result on stdout').toBe('');
}

describe('bad input through bin/gradcam.js', () => {
  it('has at least 30 cases with distinct names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  CASES.forEach((testCase, index) => {
    it.concurrent(`${testCase.name} → exit ${testCase.code}`, () =>
      oneOfTwo(async () => {
        const caseDir = `cases/${String(index).padStart(3, '0')}`;
        const dir = join(root, caseDir);
        await mkdir(dir, { recursive: true });
        const setup = await testCase.setup(dir);
        const before = await snapshotTree(root);
        const started = performance.now();
        const result = await runCli(testCase.progress ? setup.args : [...setup.args, '--quiet'], {
          cwd: dir,
          timeoutMs: 60_000,
        });
        const seconds = (performance.now() - started) / 1000;
        const after = await snapshotTree(root);

        checkErrorOutput(result, testCase, setup);
        if (testCase.maxSeconds !== undefined)
          expect(seconds, 'refused before any real work').toBeLessThan(testCase.maxSeconds);
        const { mine, foreign } = changesOutside(before, after, caseDir);
        expect(foreign, 'nothing outside the case directory changes').toEqual([]);
        expect(mine, 'only the allowed outputs appear').toEqual([...(setup.outputs ?? [])].sort());
      }));
  });
});

describe('oversized headers are refused before decoding', () => {
  it.each([
    ['a PNG claiming 100000×100000', () => pngClaiming(100_000, 100_000), /claims 100000x100000 pixels/],
    [
      'a 2 KB JPEG claiming 7000×7000',
      () => jpegClaiming(7000, 7000),
      /truncated JPEG file \(\d+ bytes; a 7000x7000 image needs at least \d+\)/,
    ],
  ])('%s: InputError in milliseconds, no big allocation', (_, file, message) => {
    const bytes = file();
    const memoryBefore = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    expect(() => decodeImage(bytes, 'x')).toThrow(InputError);
    expect(() => decodeImage(bytes, 'x')).toThrow(message);
    expect(performance.now() - started).toBeLessThan(200);
    expect(process.memoryUsage().arrayBuffers - memoryBefore).toBeLessThan(16 * 2 ** 20);
  });
});

describe('a reader that closes stdout early (`gradcam … --json | head`)', () => {
  it('ends the run quietly: no stack trace for the broken pipe', async () => {
    // Two shard manifests of 400 entries (all naming the same two files): ~200 KB of --json, more
    // than a pipe holds, so the writes after the reader has gone fail with EPIPE.
    const dir = join(root, 'epipe');
    const sharded = await shardDirectory(dir);
    const manifest = JSON.parse(await readFile(join(sharded, 'cam.shard-1-of-2.json'), 'utf8'));
    for (const k of [1, 2]) {
      const entries = Array.from({ length: 400 }, (_, i) => ({ ...manifest.entries[0], id: `e${k}_${i}` }));
      await writeFile(
        join(sharded, `cam.shard-${k}-of-2.json`),
        JSON.stringify({ ...manifest, shard: `${k}/2`, entries }),
      );
    }
    const child = spawn(process.execPath, [LAUNCHER, 'merge-manifests', sharded, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let received = 0;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      received += chunk.length;
      child.stdout.destroy();
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (...result) => resolve(result)),
    );
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(200_000);
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/^\s+at |EPIPE|Error/m);
  });
});
