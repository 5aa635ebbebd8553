import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidValueError } from '../../src/errors.js';
import { memoryLog } from '../../src/log.js';
import { checkMemory, imageSetBytes, readImageFolder } from '../../src/datasets/folder-dataset.js';
import { compareCodePoints, listImageFolder } from '../../src/datasets/folder-listing.js';
import { interleaveByClass, splitForValidation } from '../../src/datasets/folder-split.js';
import { encodePng, type DecodedImage } from '../../src/io/image-codec.js';
import { expectInputError } from '../helpers/input-errors.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-folder-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A width × height image of one colour (1 or 3 channels). */
function solid(width: number, height: number, color: readonly number[]): DecodedImage {
  const channels = color.length as 1 | 3;
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = color[i % channels];
  return { data, width, height, channels };
}

function jpegOf(image: DecodedImage, quality = 100): Uint8Array {
  const rgba = new Uint8Array(image.width * image.height * 4);
  for (let p = 0; p < image.width * image.height; p++) {
    for (let c = 0; c < 3; c++) rgba[4 * p + c] = image.data[p * image.channels + (image.channels === 3 ? c : 0)];
    rgba[4 * p + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width: image.width, height: image.height }, quality).data;
}

async function put(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, bytes);
}

/** train/<class>/ with `perClass` 8×8 PNGs each, coloured by class (class k: red = 40·k). */
async function writeTree(split: string, classes: readonly string[], perClass: number): Promise<void> {
  for (const [k, name] of classes.entries()) {
    for (let n = 0; n < perClass; n++)
      await put(join(root, split, name, `${String(n).padStart(3, '0')}.png`), encodePng(solid(8, 8, [40 * k, n, 7])));
  }
}

const log = () => memoryLog();

describe('listImageFolder', () => {
  it('names classes by their sorted folder names and lists files as torchvision does', async () => {
    for (const name of ['b', 'a', 'B']) await put(join(root, 'train', name, 'x.png'), encodePng(solid(2, 2, [1])));
    await put(join(root, 'train', 'a', 'sub', '0.jpg'), 'x');
    await put(join(root, 'train', 'a', 'z.JPEG'), 'x');
    await put(join(root, 'train', 'a', 'm.jpg'), 'x');
    await put(join(root, 'train', 'a', 'notes.txt'), 'x');
    await put(join(root, 'train', 'a', '._x.png'), 'x');
    await put(join(root, 'train', '.hidden', 'x.png'), 'x');
    await put(join(root, 'train', 'README'), 'x');
    const listing = await listImageFolder(root);
    expect(listing.classNames).toEqual(['B', 'a', 'b']);
    // Files of a directory (sorted), then its sub-directories' files: os.walk order, sorted.
    expect(listing.train.map((file) => [file.path.slice(root.length + 1), file.label])).toEqual([
      ['train/B/x.png', 0],
      ['train/a/m.jpg', 1],
      ['train/a/x.png', 1],
      ['train/a/z.JPEG', 1],
      ['train/a/sub/0.jpg', 1],
      ['train/b/x.png', 2],
    ]);
    expect(listing.test).toBeUndefined();
    expect(listing.ignoredFiles).toBe(2); // notes.txt, README (dot-files are not counted)
  });

  it('sorts by code point like Python, not by UTF-16 unit', () => {
    // U+FF5E is one UTF-16 unit above the surrogates of U+1F600; by code point it is smaller.
    expect(['\u{1F600}', '\uFF5E', 'a'].sort(compareCodePoints)).toEqual(['a', '\uFF5E', '\u{1F600}']);
    expect(['\u{1F600}', '\uFF5E'].sort()).toEqual(['\u{1F600}', '\uFF5E']);
  });

  it('labels test/ by the training class names, even when test/ lacks a class', async () => {
    await writeTree('train', ['cat', 'dog', 'eel'], 1);
    await writeTree('test', ['dog', 'eel'], 1);
    const listing = await listImageFolder(root);
    expect(listing.test?.map((file) => file.label)).toEqual([1, 2]);
  });

  it('follows symbolic links and survives a loop', async () => {
    await writeTree('train', ['cat', 'dog'], 1);
    // cat/loop → train/: its dog/ is walked once as part of cat, its cat/ (already walked) not again.
    await symlink(join(root, 'train'), join(root, 'train', 'cat', 'loop'));
    const listing = await listImageFolder(root);
    expect(listing.train.map((file) => [file.path.slice(root.length + 1), file.label])).toEqual([
      ['train/cat/000.png', 0],
      ['train/cat/loop/dog/000.png', 0],
      ['train/dog/000.png', 1],
    ]);
  });

  it('refuses trees that cannot be a dataset, naming the folder', async () => {
    await expectInputError(listImageFolder(join(root, 'missing')), 'missing: no such directory', 'train/<class>/');
    await expectInputError(listImageFolder(root), `${join(root, 'train')}: no such directory`);
    await put(join(root, 'train', 'only', 'x.png'), encodePng(solid(2, 2, [1])));
    await expect(listImageFolder(root)).rejects.toThrow(
      new InvalidValueError(
        `${join(root, 'train')}: only one class folder (only); expected one folder of images per class, at least two classes`,
      ),
    );
    await mkdir(join(root, 'train', 'empty'));
    await expect(listImageFolder(root)).rejects.toThrow(
      `${join(root, 'train', 'empty')}: no PNG or JPEG images; every class folder needs some`,
    );
    await expect(listImageFolder(root)).rejects.toBeInstanceOf(InvalidValueError);
    await put(join(root, 'train', 'empty', 'x.png'), encodePng(solid(2, 2, [1])));
    await put(join(root, 'test', 'zebra', 'x.png'), encodePng(solid(2, 2, [1])));
    await expectInputError(
      listImageFolder(root),
      `${join(root, 'test', 'zebra')}: class folder not in`,
      'classes: empty, only',
    );
  });

  it('calls a tree without any image a usage error', async () => {
    await mkdir(join(root, 'train', 'a'), { recursive: true });
    await mkdir(join(root, 'train', 'b'), { recursive: true });
    await put(join(root, 'train', 'a', 'notes.txt'), 'x');
    await expect(listImageFolder(root)).rejects.toBeInstanceOf(InvalidValueError);
  });
});

describe('splitForValidation', () => {
  const files = [
    ...Array.from({ length: 10 }, (_, n) => ({ path: `a/${n}`, label: 0 })),
    ...Array.from({ length: 5 }, (_, n) => ({ path: `b/${n}`, label: 1 })),
    { path: 'c/0', label: 2 },
    ...Array.from({ length: 2 }, (_, n) => ({ path: `d/${n}`, label: 3 })),
  ];

  it('holds out round(fraction · n) of each class, at least one and never the last', () => {
    const { train, validation } = splitForValidation(files, 4, 0.2, 0);
    const perClass = (set: typeof files) =>
      [0, 1, 2, 3].map((label) => set.filter((file) => file.label === label).length);
    expect(perClass(validation)).toEqual([2, 1, 0, 1]);
    expect(perClass(train)).toEqual([8, 4, 1, 1]);
    expect([...train, ...validation].map((file) => file.path).sort()).toEqual(files.map((file) => file.path).sort());
    // Both keep the listing order.
    expect(validation).toEqual(files.filter((file) => validation.includes(file)));
    expect(train).toEqual(files.filter((file) => train.includes(file)));
  });

  it('is the same for the same seed and differs for another', () => {
    const paths = (seed: number) => splitForValidation(files, 4, 0.5, seed).validation.map((file) => file.path);
    expect(paths(7)).toEqual(paths(7));
    const seeds = [1, 2, 3, 4, 5].map((seed) => paths(seed).join());
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });
});

describe('interleaveByClass', () => {
  it('takes one file of each class in turn, each class in its own order', () => {
    const files = [
      { path: 'a0', label: 0 },
      { path: 'a1', label: 0 },
      { path: 'a2', label: 0 },
      { path: 'c0', label: 2 },
      { path: 'b0', label: 1 },
      { path: 'c1', label: 2 },
    ];
    expect(interleaveByClass(files, 3).map((file) => file.path)).toEqual(['a0', 'b0', 'c0', 'a1', 'c1', 'a2']);
    expect(interleaveByClass([], 3)).toEqual([]);
  });
});

describe('readImageFolder', () => {
  it('decodes, converts to RGB and resizes every image to the input size as uint8', async () => {
    // 4×4 PNG of four 2×2 blocks → 2×2 by area averaging: the block colours exactly.
    const blocks = new Uint8Array(4 * 4 * 3);
    const colors = [
      [10, 20, 30],
      [200, 100, 0],
      [0, 255, 60],
      [90, 90, 90],
    ];
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) blocks.set(colors[2 * (y >> 1) + (x >> 1)], (y * 4 + x) * 3);
    await put(join(root, 'train', 'a', '0.png'), encodePng({ data: blocks, width: 4, height: 4, channels: 3 }));
    // A gray 1×1 PNG grows to 2×2, replicated into three channels.
    await put(join(root, 'train', 'b', '0.png'), encodePng(solid(1, 1, [77])));
    // A flat-colour JPEG at quality 100 decodes to within 1 of its colour.
    await put(join(root, 'test', 'b', '0.jpg'), jpegOf(solid(16, 16, [250, 128, 3])));
    const lines = log();
    const dataset = await readImageFolder(root, {
      inputSize: { height: 2, width: 2 },
      seed: 0,
      splits: ['train', 'test'],
      log: lines,
    });
    expect(dataset.classNames).toEqual(['a', 'b']);
    expect(dataset.testSplit).toBe('test');
    expect({ ...dataset.train, images: undefined, labels: [...dataset.train.labels] }).toEqual({
      images: undefined,
      labels: [0, 1],
      count: 2,
      height: 2,
      width: 2,
      channels: 3,
    });
    expect([...dataset.train.images]).toEqual([...colors.flat(), ...Array(12).fill(77)]);
    expect(dataset.test.count).toBe(1);
    for (const [i, value] of [...dataset.test.images].entries())
      expect(Math.abs(value - [250, 128, 3][i % 3])).toBeLessThanOrEqual(1);
    expect(dataset.trainFiles).toEqual([join(root, 'train', 'a', '0.png'), join(root, 'train', 'b', '0.png')]);
    expect(dataset.skippedFiles).toBe(0);
    expect(lines.lines).toEqual([
      `decoding 3 images of ${root} at 2×2 (2 training, 1 test)`,
      expect.stringMatching(/^decoded 3 images in [\d.]+ s \(\d+ images\/s\)$/),
    ]);
  });

  it('skips bad files with one warning each and a count, and keeps the rest in order', async () => {
    await writeTree('train', ['a', 'b'], 2);
    await writeTree('test', ['a', 'b'], 1);
    const truncated = jpegOf(solid(16, 16, [1, 2, 3]));
    await put(join(root, 'train', 'a', '001b.jpg'), truncated.subarray(0, 200));
    await put(join(root, 'train', 'b', 'notes.png'), 'these are not pixels');
    await put(join(root, 'train', 'b', 'empty.jpeg'), '');
    const lines = log();
    const dataset = await readImageFolder(root, {
      inputSize: { height: 8, width: 8 },
      seed: 0,
      splits: ['train', 'test'],
      log: lines,
    });
    expect(dataset.train.count).toBe(4);
    // Interleaved across classes.
    expect(dataset.trainFiles.map((path) => path.slice(root.length + 1))).toEqual([
      'train/a/000.png',
      'train/b/000.png',
      'train/a/001.png',
      'train/b/001.png',
    ]);
    expect([...dataset.train.labels]).toEqual([0, 1, 0, 1]);
    // Image 3 is class b's second PNG: red 40, green 1 (its number), blue 7.
    expect([...dataset.train.images.subarray(3 * 192, 3 * 192 + 3)]).toEqual([40, 1, 7]);
    expect(dataset.skippedFiles).toBe(3);
    const warnings = lines.lines.filter((line) => line.startsWith('warning: '));
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(
      new RegExp(`^warning: ${join(root, 'train', 'a', '001b.jpg')}: corrupt or truncated JPEG file .*; skipped$`),
    );
    expect(warnings[1]).toBe(
      `warning: ${join(root, 'train', 'b', 'empty.jpeg')}: empty file; expected a PNG or JPEG image; skipped`,
    );
    expect(warnings[2]).toMatch(
      /notes\.png: not a PNG or JPEG image \(it starts with the bytes 74 68 65 73 65 20 61 72\); skipped$/,
    );
    expect(warnings[3]).toBe('warning: 3 file(s) could not be decoded and were skipped');
  });

  it('holds out a stratified validation split of train/ when there is no test/', async () => {
    await writeTree('train', ['a', 'b'], 10);
    const options = {
      inputSize: { height: 8, width: 8 },
      validationFraction: 0.3,
      seed: 3,
      splits: ['train', 'test'] as const,
      log: log(),
    };
    const dataset = await readImageFolder(root, options);
    expect(dataset.testSplit).toBe('validation');
    expect([...dataset.test.labels]).toEqual([0, 1, 0, 1, 0, 1]);
    expect(dataset.train.count).toBe(14);
    expect(new Set([...dataset.trainFiles, ...dataset.testFiles]).size).toBe(20);
    // The same split when only the validation images are decoded (what `cam` does).
    const again = await readImageFolder(root, { ...options, splits: ['test'] });
    expect(again.testFiles).toEqual(dataset.testFiles);
    expect(again.train.count).toBe(0);
  });

  it('decodes only the first N images of a split, spread over the classes', async () => {
    await writeTree('train', ['a', 'b', 'c'], 4);
    await writeTree('test', ['a', 'b', 'c'], 2);
    await put(join(root, 'train', 'c', '003.png'), 'bad, but past the limit');
    const lines = log();
    const options = {
      inputSize: { height: 8, width: 8 },
      seed: 0,
      splits: ['train', 'test'] as const,
      log: lines,
      limits: { train: 5, test: 4 },
    };
    const dataset = await readImageFolder(root, options);
    expect([...dataset.train.labels]).toEqual([0, 1, 2, 0, 1]);
    expect([...dataset.test.labels]).toEqual([0, 1, 2, 0]);
    expect(lines.lines.filter((line) => line.startsWith('warning: '))).toEqual([]);
  });

  it('wants a validation fraction without test/, and none with it', async () => {
    await writeTree('train', ['a', 'b'], 2);
    const options = { inputSize: { height: 8, width: 8 }, seed: 0, splits: ['train', 'test'] as const, log: log() };
    await expect(readImageFolder(root, options)).rejects.toThrow(
      new InvalidValueError(
        `${root}: no test/ folder, and no validation fraction to hold out part of train/ for testing`,
      ),
    );
    await writeTree('test', ['a'], 1);
    await expect(readImageFolder(root, { ...options, validationFraction: 0.5 })).rejects.toBeInstanceOf(
      InvalidValueError,
    );
    // cam and eval of a model trained with a validation split use test/ once there is one.
    const preferred = await readImageFolder(root, { ...options, validationFraction: 0.5, preferTestFolder: true });
    expect([preferred.testSplit, preferred.test.count, preferred.train.count]).toEqual(['test', 1, 4]);
  });

  it('refuses, before decoding anything, images that would not fit in memory', async () => {
    await writeTree('train', ['a', 'b'], 3);
    await writeTree('test', ['a'], 1);
    await put(join(root, 'train', 'a', 'bad.png'), 'x');
    const lines = log();
    // 7 listed training files (the test split is not asked for) × 10×10×3 = 2100 bytes.
    const options = { inputSize: { height: 10, width: 10 }, seed: 0, splits: ['train'] as const, log: lines };
    await expect(readImageFolder(root, { ...options, memoryBudget: 2099 })).rejects.toThrow(
      new InvalidValueError(
        `${root}: 7 images of 10×10×3 need 2.1 KiB of memory as bytes, more than the 2.0 KiB available (after 512.0 MiB kept for the model); use a smaller input size`,
      ),
    );
    expect(lines.lines).toEqual([]); // the bad file was never read
    await expect(readImageFolder(root, { ...options, memoryBudget: 2100 })).resolves.toMatchObject({ skippedFiles: 1 });
  });

  it('refuses a split larger than one typed array, whatever the budget', () => {
    expect(imageSetBytes(20_000, [224, 224, 3])).toBe(3_010_560_000);
    expect(() => checkMemory('/d', [20_000, 20_000], [224, 224, 3], 2 ** 40)).not.toThrow();
    expect(() => checkMemory('/d', [30_000, 100], [224, 224, 3], 2 ** 40)).toThrow(
      new InvalidValueError(
        '/d: a split of 30000 images of 224×224×3 needs 4.2 GiB, more than the 4 GiB one array can hold; use a smaller input size',
      ),
    );
  });

  it('reports a split whose every file is bad', async () => {
    await writeTree('train', ['a', 'b'], 1);
    await put(join(root, 'test', 'a', 'x.png'), 'x');
    const lines = log();
    await expectInputError(
      readImageFolder(root, { inputSize: { height: 8, width: 8 }, seed: 0, splits: ['train', 'test'], log: lines }),
      `${root}: none of the 1 test images could be decoded`,
    );
  });
});
