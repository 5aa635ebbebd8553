/**
 * Reader for the CIFAR-10 "binary version" (https://www.cs.toronto.edu/~kriz/cifar.html): each
 * record is 1 label byte followed by 3072 pixel bytes, the 1024 red values of the 32x32 image in
 * row-major order, then the 1024 green, then the 1024 blue. We convert to NHWC once at load, so
 * batches and tensors never need a transpose.
 *
 * `--data` may name the `cifar-10-batches-bin` directory, its parent, or the official
 * `cifar-10-binary.tar.gz` (also a directory holding that archive, such as the download cache).
 */
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import type { ImageSet, SplitName } from './image-set.js';
import { readDecompressed, readUserFile, statIfExists } from '../io/read-files.js';
import { readTarFiles, type TarFile } from './tar.js';

export const CIFAR10_TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_META_FILE = 'batches.meta.txt';
export const CIFAR10_DIRECTORY = 'cifar-10-batches-bin';
export const CIFAR10_ARCHIVE = 'cifar-10-binary.tar.gz';

/**
 * The names batches.meta.txt lists, in label order. Used only when that file is absent: people
 * often copy just the .bin files, and the label meaning is fixed by the dataset, so refusing to
 * load would help no one. A meta file that is present but malformed is still an error.
 */
export const CIFAR10_CLASS_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

const SIDE = 32;
const PLANE = SIDE * SIDE;
const IMAGE_BYTES = 3 * PLANE;
const RECORD_BYTES = 1 + IMAGE_BYTES;
const CLASS_COUNT = 10;

const EXPECTED =
  `expected ${CIFAR10_DIRECTORY}/ (data_batch_1.bin … data_batch_5.bin, ${CIFAR10_TEST_FILE}, ` +
  `${CIFAR10_META_FILE}), its parent directory, or ${CIFAR10_ARCHIVE}`;

export interface Cifar10Contents {
  /** 32x32x3 each; a split not asked for is empty (count 0). */
  train: ImageSet;
  test: ImageSet;
  /** 10 names, index = label. */
  classNames: string[];
  /** What was read, for logs. */
  source: string;
}

/** One batch file: its record bytes and a name for messages. */
interface BatchBytes {
  name: string;
  bytes: Uint8Array;
}

/**
 * Reads the requested splits from `path` (see the module comment for the accepted forms).
 * Throws InputError naming the file for anything that is not well-formed CIFAR-10 binary data.
 */
export async function readCifar10(path: string, splits: readonly SplitName[]): Promise<Cifar10Contents> {
  const location = await locateCifar10(path);
  return location.kind === 'archive'
    ? readCifar10Archive(location.path, splits)
    : readCifar10Directory(location.path, splits);
}

async function locateCifar10(path: string): Promise<{ kind: 'directory' | 'archive'; path: string }> {
  const stats = await statIfExists(path);
  if (!stats) throw new InputError(`${path}: does not exist; ${EXPECTED}`);
  if (stats.isFile()) return { kind: 'archive', path };
  if (!stats.isDirectory()) throw new InputError(`${path}: not a file or directory; ${EXPECTED}`);

  const knownNames = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE, CIFAR10_META_FILE];
  for (const name of knownNames) {
    if (await statIfExists(join(path, name))) return { kind: 'directory', path };
  }
  const nested = join(path, CIFAR10_DIRECTORY);
  if ((await statIfExists(nested))?.isDirectory()) return { kind: 'directory', path: nested };
  const archive = join(path, CIFAR10_ARCHIVE);
  if ((await statIfExists(archive))?.isFile()) return { kind: 'archive', path: archive };
  throw new InputError(`${path}: no CIFAR-10 files found; ${EXPECTED}`);
}

function batchFilesFor(split: SplitName): readonly string[] {
  return split === 'train' ? CIFAR10_TRAIN_FILES : [CIFAR10_TEST_FILE];
}

async function readCifar10Directory(directory: string, splits: readonly SplitName[]): Promise<Cifar10Contents> {
  const readSplit = async (split: SplitName): Promise<ImageSet> => {
    if (!splits.includes(split)) return allocateCifarSet(0);
    const paths = batchFilesFor(split).map((name) => join(directory, name));
    // Check every file and size before reading any, so a missing batch 5 fails in milliseconds.
    const sizes: number[] = [];
    for (const path of paths) {
      const stats = await statIfExists(path);
      if (!stats?.isFile()) throw new InputError(`${path}: missing; ${EXPECTED}`);
      recordCount(stats.size, path);
      sizes.push(stats.size);
    }
    // Read one file at a time into the final arrays: peak memory is the set plus one batch.
    const set = allocateCifarSet(sizes.reduce((sum, size) => sum + size / RECORD_BYTES, 0));
    let first = 0;
    for (const [i, path] of paths.entries()) {
      const bytes = await readUserFile(path);
      if (bytes.length !== sizes[i]) throw new InputError(`${path}: changed size while being read`);
      first += decodeRecordsInto(set, first, { name: path, bytes });
    }
    return set;
  };
  const train = await readSplit('train');
  const test = await readSplit('test');
  const metaPath = join(directory, CIFAR10_META_FILE);
  const hasMeta = (await statIfExists(metaPath)) !== undefined;
  const classNames = hasMeta ? parseCifar10ClassNames(await readUserFile(metaPath), metaPath) : CIFAR10_CLASS_NAMES;
  return { train, test, classNames: [...classNames], source: describeSource(directory, hasMeta) };
}

async function readCifar10Archive(archivePath: string, splits: readonly SplitName[]): Promise<Cifar10Contents> {
  const files = listArchive(await readArchive(archivePath), archivePath);
  // Members are matched by file name, whatever folder the archive keeps them in.
  const member = (name: string) => files.find((file) => basename(file.name) === name);
  const batch = (name: string): BatchBytes => {
    const file = member(name);
    if (!file) throw new InputError(`${archivePath}: has no ${name}; ${EXPECTED}`);
    return { name: `${archivePath} (${file.name})`, bytes: file.data };
  };
  const readSplit = (split: SplitName): ImageSet => {
    if (!splits.includes(split)) return allocateCifarSet(0);
    const batches = batchFilesFor(split).map(batch);
    const set = allocateCifarSet(batches.reduce((sum, { name, bytes }) => sum + recordCount(bytes.length, name), 0));
    let first = 0;
    for (const source of batches) first += decodeRecordsInto(set, first, source);
    return set;
  };
  const train = readSplit('train');
  const test = readSplit('test');
  const meta = member(CIFAR10_META_FILE);
  const classNames = meta ? parseCifar10ClassNames(meta.data, `${archivePath} (${meta.name})`) : CIFAR10_CLASS_NAMES;
  return { train, test, classNames: [...classNames], source: describeSource(archivePath, meta !== undefined) };
}

async function readArchive(archivePath: string): Promise<Uint8Array> {
  const bytes = await readDecompressed(archivePath);
  if (bytes.length === 0) throw new InputError(`${archivePath}: empty file; ${EXPECTED}`);
  return bytes;
}

function listArchive(archive: Uint8Array, archivePath: string): TarFile[] {
  let files: TarFile[];
  try {
    files = readTarFiles(archive, archivePath);
  } catch (error) {
    // A file that is not a tar at all is most likely the wrong --data: say what was expected.
    if (error instanceof InputError) throw new InputError(`${error.message}; ${EXPECTED}`);
    throw error;
  }
  if (files.length === 0) throw new InputError(`${archivePath}: not a valid tar archive (no files in it); ${EXPECTED}`);
  return files;
}

function describeSource(path: string, hasMeta: boolean): string {
  return hasMeta ? path : `${path} (no ${CIFAR10_META_FILE}: standard class names)`;
}

/**
 * Class names from batches.meta.txt: one per line, label order. The official file ends with
 * blank lines, so blank lines are ignored; exactly 10 names must remain.
 */
export function parseCifar10ClassNames(bytes: Uint8Array, name: string): string[] {
  const names = new TextDecoder('utf-8')
    .decode(bytes)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (names.length !== CLASS_COUNT) {
    throw new InputError(`${name}: expected ${CLASS_COUNT} class names, one per line, found ${names.length}`);
  }
  return names;
}

/** Number of records in a batch file of `byteLength` bytes; InputError unless a non-zero multiple of 3073. */
function recordCount(byteLength: number, name: string): number {
  if (byteLength === 0 || byteLength % RECORD_BYTES !== 0) {
    throw new InputError(
      `${name}: ${byteLength} bytes is not a non-zero multiple of ${RECORD_BYTES} ` +
        `(CIFAR-10 binary records: 1 label byte + ${IMAGE_BYTES} pixel bytes)`,
    );
  }
  return byteLength / RECORD_BYTES;
}

/**
 * Decodes every record of `source` into `set` starting at image `first`, planar RGB to NHWC;
 * returns the number of records. InputError on a label outside 0-9.
 */
function decodeRecordsInto(set: ImageSet, first: number, source: BatchBytes): number {
  const { bytes, name } = source;
  const count = recordCount(bytes.length, name);
  const { images, labels } = set;
  for (let record = 0; record < count; record++) {
    const start = record * RECORD_BYTES;
    const label = bytes[start];
    if (label >= CLASS_COUNT) {
      throw new InputError(`${name}: record ${record} has label ${label}; expected 0-${CLASS_COUNT - 1}`);
    }
    labels[first + record] = label;
    const red = start + 1;
    const green = red + PLANE;
    const blue = green + PLANE;
    let target = (first + record) * IMAGE_BYTES;
    for (let pixel = 0; pixel < PLANE; pixel++) {
      images[target++] = bytes[red + pixel];
      images[target++] = bytes[green + pixel];
      images[target++] = bytes[blue + pixel];
    }
  }
  return count;
}

function allocateCifarSet(count: number): ImageSet {
  return {
    images: new Uint8Array(count * IMAGE_BYTES),
    labels: new Uint8Array(count),
    count,
    height: SIDE,
    width: SIDE,
    channels: 3,
  };
}
