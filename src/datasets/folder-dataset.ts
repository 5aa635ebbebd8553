/**
 * An ImageFolder tree (folder-listing.ts) as a Dataset: every image decoded once (io/image-codec.ts,
 * with its size guards), converted to RGB, resized to one input size (resize.ts: area averaging
 * where it shrinks, bilinear where it grows) and kept as uint8, like the other datasets. The
 * memory this takes is estimated from the listing and refused before anything is decoded.
 *
 * Files that cannot be decoded are skipped, with one warning each and a count: one bad photo
 * among thousands should not cost a training run.
 */
import { freemem, totalmem } from 'node:os';
import { InputError, InvalidValueError, escapeControlCharacters } from '../errors.js';
import type { Log } from '../log.js';
import { listImageFolder, type FolderFile } from './folder-listing.js';
import { interleaveByClass, splitForValidation } from './folder-split.js';
import { decodeImage, toChannels, type DecodedImage } from '../io/image-codec.js';
import type { ImageSet, SplitName } from './image-set.js';
import { readUserFile } from '../io/read-files.js';
import { resizeImage, roundToBytes } from '../io/resize.js';

/**
 * RGB, whatever the files hold: what torchvision's default loader (`convert('RGB')`) and Keras'
 * `color_mode='rgb'` do. A gray photo becomes three equal channels.
 */
export const FOLDER_CHANNELS = 3;

/** Memory kept free for TensorFlow.js, the model and the batches (training MNIST peaks at 371 MB in all). */
export const MEMORY_RESERVE_BYTES = 512 * 2 ** 20;

/** One typed array holds at most 2^32 − 1 bytes in Node 20. */
const MAX_SET_BYTES = 2 ** 32 - 1;

/** Files read ahead of the decoder, so that disk reads overlap decoding. */
const READ_AHEAD = 32;

export interface FolderDatasetOptions {
  /** Every image is resized to this many pixels. */
  inputSize: { height: number; width: number };
  /** Fraction of train/ held out as the test split (stratified, seeded); only for trees without test/. */
  validationFraction?: number;
  /** Seed of the validation split. */
  seed: number;
  /**
   * With a test/ folder, use it and ignore `validationFraction` (rather than refusing both): how
   * cam and eval find the test images of a model trained with a validation split.
   */
  preferTestFolder?: boolean;
  /** Only test images are read (cam, eval): a tree may lack train/ (folder-listing.ts). */
  testOnly?: boolean;
  /** Splits to decode; the others come back empty (count 0). */
  splits: readonly SplitName[];
  /** Decode only the first N images of a split (they cover the classes evenly, see interleaveByClass). */
  limits?: Partial<Record<SplitName, number>>;
  log: Log;
  /** Bytes the decoded images may take; default availableMemoryBytes() − MEMORY_RESERVE_BYTES. */
  memoryBudget?: number;
}

export interface FolderDataset {
  classNames: string[];
  train: ImageSet;
  test: ImageSet;
  /**
   * The file of each image of `train` / `test`, by index (skipped files are not listed). Images
   * are in interleaveByClass order: the first of each class, then the second of each, ….
   */
  trainFiles: string[];
  testFiles: string[];
  /** Where the test split came from: `test/`, or a validation split held out of `train/`. */
  testSplit: 'test' | 'validation';
  /** Files that could not be decoded, in all decoded splits. */
  skippedFiles: number;
}

/**
 * Lists, splits, checks the memory estimate, then decodes the requested splits of `root`.
 *
 * @returns uint8 NHWC sets of inputSize × 3 channels; labels index `classNames`.
 * @throws InvalidValueError when the tree has no images or one class, when it has test/ and a validation
 *         fraction is given or neither, or when the images would not fit in memory;
 *         InputError for unreadable folders, or when no image of a split can be decoded.
 */
export async function readImageFolder(root: string, options: FolderDatasetOptions): Promise<FolderDataset> {
  const splits = await folderSplits(root, options);
  const { classNames, testSplit, ignoredFiles } = splits;
  const trainFiles = splits.trainFiles.slice(0, options.limits?.train);
  const testFiles = splits.testFiles.slice(0, options.limits?.test);
  if (ignoredFiles > 0) {
    options.log.info(`${ignoredFiles} file(s) in ${root} are not .png/.jpg/.jpeg inside a class folder; ignored`);
  }

  const wanted = (split: SplitName) => options.splits.includes(split);
  const shape: [number, number, number] = [options.inputSize.height, options.inputSize.width, FOLDER_CHANNELS];
  const counts = { train: wanted('train') ? trainFiles.length : 0, test: wanted('test') ? testFiles.length : 0 };
  checkMemory(
    root,
    [counts.train, counts.test],
    shape,
    options.memoryBudget ?? availableMemoryBytes() - MEMORY_RESERVE_BYTES,
  );

  const started = performance.now();
  options.log.info(
    `decoding ${counts.train + counts.test} images of ${root} at ${shape[1]}×${shape[0]} (${counts.train} training, ${counts.test} ${testSplit})`,
  );
  let skippedFiles = 0;
  const decodeSplit = async (split: SplitName, files: FolderFile[], name: string) => {
    if (!wanted(split)) return { set: emptySet(shape), files: [] };
    const decoded = await decodeImages(files, shape, options.log);
    skippedFiles += files.length - decoded.set.count;
    if (decoded.set.count === 0)
      throw new InputError(`${root}: none of the ${files.length} ${name} images could be decoded`);
    warnAboutLostClasses(files, decoded.set, classNames, name, options.log);
    return decoded;
  };
  const train = await decodeSplit('train', trainFiles, 'training');
  const test = await decodeSplit('test', testFiles, testSplit === 'test' ? 'test' : 'validation');
  if (skippedFiles > 0) options.log.warn(`${skippedFiles} file(s) could not be decoded and were skipped`);
  const seconds = (performance.now() - started) / 1000;
  options.log.info(
    `decoded ${train.set.count + test.set.count} images in ${seconds.toFixed(1)} s (${((train.set.count + test.set.count) / seconds).toFixed(0)} images/s)`,
  );
  return {
    classNames,
    train: train.set,
    test: test.set,
    trainFiles: train.files,
    testFiles: test.files,
    testSplit,
    skippedFiles,
  };
}

export interface FolderSplits {
  classNames: string[];
  trainFiles: FolderFile[];
  testFiles: FolderFile[];
  testSplit: 'test' | 'validation';
  /** Files in the tree that are not images in a class folder. */
  ignoredFiles: number;
}

/**
 * The files of each split, without decoding anything: `test/`, or a validation split held out of
 * `train/` (splitForValidation), each interleaved across classes (interleaveByClass). `cam` uses
 * this to decode only the images it explains.
 *
 * @throws InvalidValueError when the tree has a test/ folder and a validation fraction is given, or neither.
 */
export async function folderSplits(
  root: string,
  options: Pick<FolderDatasetOptions, 'validationFraction' | 'seed' | 'preferTestFolder' | 'testOnly'>,
): Promise<FolderSplits> {
  const listing = await listImageFolder(root, { testOnly: options.testOnly });
  const { validationFraction } = options;
  const classCount = listing.classNames.length;
  const splits = (train: FolderFile[], test: FolderFile[], testSplit: FolderSplits['testSplit']): FolderSplits => ({
    classNames: listing.classNames,
    trainFiles: interleaveByClass(train, classCount),
    testFiles: interleaveByClass(test, classCount),
    testSplit,
    ignoredFiles: listing.ignoredFiles,
  });
  if (listing.test) {
    if (validationFraction !== undefined && !options.preferTestFolder) {
      throw new InvalidValueError(
        `${root}: has a test/ folder, so no validation split is held out of train/; remove the validation fraction`,
      );
    }
    return splits(listing.train, listing.test, 'test');
  }
  if (validationFraction === undefined) {
    throw new InvalidValueError(
      `${root}: no test/ folder, and no validation fraction to hold out part of train/ for testing`,
    );
  }
  const { train, validation } = splitForValidation(listing.train, classCount, validationFraction, options.seed);
  return splits(train, validation, 'validation');
}

/**
 * What the operating system reports as available to this process: the smaller of the memory
 * available now (Linux: MemAvailable, which counts reclaimable caches) and a cgroup limit.
 */
export function availableMemoryBytes(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  const available = freemem();
  // constrainedMemory() is a huge number when there is no limit, 0 when it cannot tell.
  return constrained > 0 && constrained < totalmem()
    ? Math.min(available, constrained - process.memoryUsage().rss)
    : available;
}

/** Bytes `count` uint8 images of `shape` take. */
export function imageSetBytes(count: number, [height, width, channels]: readonly [number, number, number]): number {
  return count * height * width * channels;
}

/**
 * Refuses, before decoding, a dataset whose images would not fit in `budget` bytes, or a split
 * larger than what one typed array holds.
 *
 * @param splitCounts images of each split that will be decoded.
 */
export function checkMemory(
  root: string,
  splitCounts: readonly number[],
  shape: readonly [number, number, number],
  budget: number,
): void {
  const count = splitCounts.reduce((sum, n) => sum + n, 0);
  const bytes = imageSetBytes(count, shape);
  if (bytes > budget) {
    throw new InvalidValueError(
      `${root}: ${count} images of ${shape.join('×')} need ${formatBytes(bytes)} of memory as bytes, more than the ` +
        `${formatBytes(Math.max(0, budget))} available (after ${formatBytes(MEMORY_RESERVE_BYTES)} kept for the model); use a smaller input size`,
    );
  }
  const largest = Math.max(...splitCounts);
  if (imageSetBytes(largest, shape) > MAX_SET_BYTES) {
    throw new InvalidValueError(
      `${root}: a split of ${largest} images of ${shape.join('×')} needs ${formatBytes(imageSetBytes(largest, shape))}, ` +
        'more than the 4 GiB one array can hold; use a smaller input size',
    );
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 2 ** 10).toFixed(1)} KiB`;
}

function emptySet([height, width, channels]: readonly [number, number, number]): ImageSet {
  return { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0, height, width, channels };
}

/**
 * Decodes `files` in order into one uint8 set of `shape` (one allocation of the full size up
 * front; a skipped file leaves the set shorter). Reads run up to READ_AHEAD files ahead.
 */
async function decodeImages(
  files: readonly FolderFile[],
  shape: readonly [number, number, number],
  log: Log,
): Promise<{ set: ImageSet; files: string[] }> {
  const [height, width, channels] = shape;
  const imageSize = height * width * channels;
  const images = new Uint8Array(files.length * imageSize);
  const labels = new Uint8Array(files.length);
  const decodedFiles: string[] = [];
  const reads: Promise<Uint8Array | InputError>[] = [];
  // Settled to a value, never rejected: a read-ahead failure must not surface as an unhandled rejection.
  const startRead = (index: number) => {
    if (index < files.length) reads[index] = readImageBytes(files[index].path);
  };
  for (let index = 0; index < Math.min(READ_AHEAD, files.length); index++) startRead(index);
  let count = 0;
  for (let index = 0; index < files.length; index++) {
    const bytes = await reads[index];
    delete reads[index];
    startRead(index + READ_AHEAD);
    const { path, label } = files[index];
    try {
      if (bytes instanceof InputError) throw bytes;
      images.set(fitImage(decodeImage(bytes, path), height, width), count * imageSize);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      log.warn(`${escapeControlCharacters(error.message)}; skipped`);
      continue;
    }
    labels[count] = label;
    decodedFiles.push(path);
    count++;
  }
  return {
    set: {
      images: images.subarray(0, count * imageSize),
      labels: labels.subarray(0, count),
      count,
      height,
      width,
      channels,
    },
    files: decodedFiles,
  };
}

/** The file's bytes, or the InputError that names why it cannot be read (never a rejection). */
async function readImageBytes(path: string): Promise<Uint8Array | InputError> {
  return readUserFile(path, 'a PNG or JPEG image').catch((error: unknown) => {
    if (error instanceof InputError) return error;
    throw error;
  });
}

/** RGB at height × width: converted, then resized unless it already has that size. */
export function fitImage(image: DecodedImage, height: number, width: number): Uint8Array {
  const rgb = toChannels(image, FOLDER_CHANNELS);
  if (rgb.height === height && rgb.width === width) return rgb.data;
  return roundToBytes(resizeImage(rgb.data, rgb.height, rgb.width, FOLDER_CHANNELS, height, width));
}

/** A class whose every image of a split was skipped has no examples there: say so once. */
function warnAboutLostClasses(
  files: readonly FolderFile[],
  set: ImageSet,
  classNames: readonly string[],
  split: string,
  log: Log,
): void {
  const listed = new Set(files.map((file) => file.label));
  const kept = new Set(set.labels);
  for (const label of listed) {
    if (!kept.has(label)) log.warn(`class ${classNames[label]} has no ${split} image left after skipping bad files`);
  }
}
