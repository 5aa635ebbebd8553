/**
 * Small dataset files in the real on-disk formats, written from their specifications (not with
 * the readers under test), plus temp-directory helpers. The one set of IDX and CIFAR-10 byte
 * writers of the tests (helpers/synthetic-data.ts uses them too).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export async function makeTempDir(prefix = 'gradcam-data-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** A deterministic, position-dependent pixel value, so a misplaced byte shows. */
export function cifarPixel(image: number, channel: number, y: number, x: number): number {
  return (image * 37 + channel * 101 + y * 13 + x * 7) % 256;
}

/**
 * CIFAR-10 binary records: per image 1 label byte, then the red plane, green plane, blue plane,
 * each 32x32 row-major; `pixel(record, channel, y, x)` gives the values.
 */
export function cifarRecords(
  labels: readonly number[],
  pixel: (record: number, channel: number, y: number, x: number) => number,
): Uint8Array {
  const bytes = new Uint8Array(labels.length * 3073);
  labels.forEach((label, record) => {
    const start = record * 3073;
    bytes[start] = label;
    for (let channel = 0; channel < 3; channel++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) bytes[start + 1 + channel * 1024 + y * 32 + x] = pixel(record, channel, y, x);
      }
    }
  });
  return bytes;
}

/** CIFAR-10 records of cifarPixel; `firstImage` offsets it so every batch has distinct content. */
export function cifarBatch(labels: number[], firstImage: number): Uint8Array {
  return cifarRecords(labels, (record, channel, y, x) => cifarPixel(firstImage + record, channel, y, x));
}

export const CIFAR_META = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';

/** Records per train batch and in the test batch of the fixture: 5 x 4 = 20 train, 3 test. */
export const FIXTURE_TRAIN_PER_BATCH = 4;
export const FIXTURE_TEST_COUNT = 3;

/** Labels of train image n (n = 0..19) and test image n. */
export const fixtureTrainLabel = (image: number) => (image * 3) % 10;
export const fixtureTestLabel = (image: number) => (image * 7 + 1) % 10;

/**
 * Writes a complete CIFAR-10 batches directory (`cifar-10-batches-bin`) under `parent`: train
 * images 0-19 (cifarPixel image index 0-19), test images with cifarPixel index 1000+n.
 */
export async function writeCifarDirectory(parent: string, options: { meta?: boolean } = {}): Promise<string> {
  const directory = join(parent, 'cifar-10-batches-bin');
  await mkdir(directory, { recursive: true });
  for (let batch = 0; batch < 5; batch++) {
    const first = batch * FIXTURE_TRAIN_PER_BATCH;
    const labels = Array.from({ length: FIXTURE_TRAIN_PER_BATCH }, (_, i) => fixtureTrainLabel(first + i));
    await writeFile(join(directory, `data_batch_${batch + 1}.bin`), cifarBatch(labels, first));
  }
  const testLabels = Array.from({ length: FIXTURE_TEST_COUNT }, (_, i) => fixtureTestLabel(i));
  await writeFile(join(directory, 'test_batch.bin'), cifarBatch(testLabels, 1000));
  if (options.meta ?? true) await writeFile(join(directory, 'batches.meta.txt'), CIFAR_META);
  return directory;
}

/**
 * `cifar-10-binary.tar.gz` as the official one is laid out (members under cifar-10-batches-bin/),
 * built by the system's GNU tar in `format` (gnu, ustar or pax) and gzipped by zlib.
 */
export function tarGzip(parent: string, member: string, format: 'gnu' | 'ustar' | 'pax' = 'gnu'): Uint8Array {
  const tar = execFileSync('tar', [`--format=${format}`, '-cf', '-', '-C', parent, member]);
  return gzipSync(tar);
}

/** IDX images (magic 0x00000803): big-endian count, rows, cols, then the pixels row-major. */
export function idxImages(
  count: number,
  rows: number,
  cols: number,
  pixel: (n: number, y: number, x: number) => number,
): Uint8Array {
  const bytes = new Uint8Array(16 + count * rows * cols);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x00000803);
  view.setUint32(4, count);
  view.setUint32(8, rows);
  view.setUint32(12, cols);
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) bytes[16 + (n * rows + y) * cols + x] = pixel(n, y, x);
    }
  }
  return bytes;
}

/** IDX labels (magic 0x00000801): big-endian count, then one byte per label. */
export function idxLabels(labels: number[]): Uint8Array {
  const bytes = new Uint8Array(8 + labels.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x00000801);
  view.setUint32(4, labels.length);
  bytes.set(labels, 8);
  return bytes;
}

export const idxPixel = (n: number, y: number, x: number) => (n * 31 + y * 5 + x * 3) % 256;

/** Writes a small MNIST-style directory: 20 train and 6 test images of 28x28; `gzip` adds .gz. */
export async function writeIdxDirectory(directory: string, options: { gzip?: boolean; dotted?: boolean } = {}) {
  await mkdir(directory, { recursive: true });
  const name = (canonical: string) => {
    const spelled = options.dotted ? canonical.replace('-idx', '.idx') : canonical;
    return join(directory, options.gzip ? `${spelled}.gz` : spelled);
  };
  const encode = (bytes: Uint8Array) => (options.gzip ? gzipSync(bytes) : bytes);
  const trainLabels = Array.from({ length: 20 }, (_, n) => (n * 3) % 10);
  const testLabels = Array.from({ length: 6 }, (_, n) => (n + 7) % 10);
  await writeFile(name('train-images-idx3-ubyte'), encode(idxImages(20, 28, 28, idxPixel)));
  await writeFile(name('train-labels-idx1-ubyte'), encode(idxLabels(trainLabels)));
  await writeFile(name('t10k-images-idx3-ubyte'), encode(idxImages(6, 28, 28, (n, y, x) => idxPixel(n + 100, y, x))));
  await writeFile(name('t10k-labels-idx1-ubyte'), encode(idxLabels(testLabels)));
  return { trainLabels, testLabels };
}
