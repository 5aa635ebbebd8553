import { rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseIdxImages, parseIdxLabels, readIdxDirectory } from '../../src/datasets/idx.js';
import type { ImageSet } from '../../src/datasets/image-set.js';
import { idxImages, idxLabels, idxPixel, makeTempDir, removeDir, writeIdxDirectory } from './fixtures.js';
import { expectInputError } from '../helpers/input-errors.js';

let temp: string;
beforeEach(async () => {
  temp = await makeTempDir('gradcam-idx-');
});
afterEach(async () => {
  await removeDir(temp);
});

function expectFixtureImages(set: ImageSet, firstPixelImage: number) {
  expect([set.height, set.width, set.channels]).toEqual([28, 28, 1]);
  expect(set.images.length).toBe(set.count * 784);
  let mismatches = 0;
  for (let n = 0; n < set.count; n++) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        if (set.images[(n * 28 + y) * 28 + x] !== idxPixel(firstPixelImage + n, y, x)) mismatches++;
      }
    }
  }
  expect(mismatches).toBe(0);
}

describe('readIdxDirectory', () => {
  it.each([
    ['raw files', {}],
    ['.gz files', { gzip: true }],
    ['dotted spelling', { dotted: true }],
    ['dotted spelling, .gz', { dotted: true, gzip: true }],
  ])('reads %s: counts, labels and pixel layout', async (_, options) => {
    const { trainLabels, testLabels } = await writeIdxDirectory(temp, options);
    const { train, test, source } = await readIdxDirectory(temp, ['train', 'test']);
    expect(train.count).toBe(20);
    expect(test.count).toBe(6);
    expect(Array.from(train.labels)).toEqual(trainLabels);
    expect(Array.from(test.labels)).toEqual(testLabels);
    expectFixtureImages(train, 0);
    expectFixtureImages(test, 100);
    expect(source).toBe(temp);
  });

  it('puts a known pixel at (n, y, x) = images[(n * rows + y) * cols + x] for non-square images', async () => {
    const images = idxImages(3, 4, 6, () => 0);
    images[16 + (2 * 4 + 3) * 6 + 1] = 199; // image 2, row 3, column 1
    await writeFile(join(temp, 't10k-images-idx3-ubyte'), images);
    await writeFile(join(temp, 't10k-labels-idx1-ubyte'), idxLabels([0, 1, 2]));
    const { test, train } = await readIdxDirectory(temp, ['test']);
    expect([test.count, test.height, test.width, test.channels]).toEqual([3, 4, 6, 1]);
    expect(test.images[(2 * 4 + 3) * 6 + 1]).toBe(199);
    expect(test.images.reduce((sum, value) => sum + value, 0)).toBe(199);
    // The split not asked for is empty but describes the same image size.
    expect([train.count, train.height, train.width, train.channels]).toEqual([0, 4, 6, 1]);
  });

  it('reads a multi-member .gz (concatenated streams), whose trailer records only the last member', async () => {
    await writeIdxDirectory(temp);
    const bytes = idxImages(20, 28, 28, idxPixel);
    const split = 16 + 7 * 784 + 5;
    const twoMembers = Buffer.concat([gzipSync(bytes.subarray(0, split)), gzipSync(bytes.subarray(split))]);
    await rm(join(temp, 'train-images-idx3-ubyte'));
    await writeFile(join(temp, 'train-images-idx3-ubyte.gz'), twoMembers);
    const { train } = await readIdxDirectory(temp, ['train']);
    expectFixtureImages(train, 0);
  });

  it('prefers the raw file over .gz when both exist', async () => {
    await writeIdxDirectory(temp);
    await writeFile(join(temp, 't10k-labels-idx1-ubyte.gz'), gzipSync(idxLabels([9, 9, 9, 9, 9, 9])));
    const { test } = await readIdxDirectory(temp, ['test']);
    expect(test.labels[0]).toBe(7);
  });
});

describe('IDX malformed input names the file', () => {
  it('zero-byte file', async () => {
    await writeIdxDirectory(temp);
    const path = join(temp, 'train-images-idx3-ubyte');
    await writeFile(path, new Uint8Array(0));
    await expectInputError(readIdxDirectory(temp, ['train']), path, '0 bytes', 'too short', '0x00000803');
  });

  it('bad magic (a label file where images belong)', async () => {
    await writeIdxDirectory(temp);
    const path = join(temp, 't10k-images-idx3-ubyte');
    await writeFile(path, idxLabels([1, 2, 3, 4, 5, 6]));
    await expectInputError(readIdxDirectory(temp, ['test']), path, 'magic number 0x00000801, expected 0x00000803');
  });

  it('truncated images and extra bytes', async () => {
    await writeIdxDirectory(temp);
    const path = join(temp, 'train-images-idx3-ubyte');
    await truncate(path, 16 + 20 * 784 - 1);
    const size = 16 + 20 * 784;
    await expectInputError(
      readIdxDirectory(temp, ['train']),
      path,
      `${size - 1} bytes`,
      `expected ${size}`,
      'truncated',
    );
    await writeFile(path, new Uint8Array([...idxImages(20, 28, 28, idxPixel), 0]));
    await expectInputError(readIdxDirectory(temp, ['train']), path, 'extra bytes');
  });

  it('truncated .gz stream', async () => {
    await writeIdxDirectory(temp, { gzip: true });
    const path = join(temp, 'train-images-idx3-ubyte.gz');
    const compressed = gzipSync(idxImages(20, 28, 28, idxPixel));
    await writeFile(path, compressed.subarray(0, compressed.length - 20));
    await expectInputError(readIdxDirectory(temp, ['train']), path, 'gzip');
  });

  it('gzip trailer with a wrong size', async () => {
    await writeIdxDirectory(temp, { gzip: true });
    const path = join(temp, 'train-labels-idx1-ubyte.gz');
    const compressed = gzipSync(idxLabels(new Array<number>(20).fill(3)));
    new DataView(compressed.buffer, compressed.byteOffset).setUint32(compressed.length - 4, 0xfffffff0, true);
    await writeFile(path, compressed);
    await expectInputError(readIdxDirectory(temp, ['train']), path, 'corrupt or truncated gzip data');
  });

  it('label 10', async () => {
    await writeIdxDirectory(temp);
    const path = join(temp, 't10k-labels-idx1-ubyte');
    await writeFile(path, idxLabels([0, 1, 2, 10, 4, 5]));
    await expectInputError(readIdxDirectory(temp, ['test']), path, 'label 10 at index 3', 'expected 0-9');
  });

  it('image and label counts differ', async () => {
    await writeIdxDirectory(temp);
    const labels = join(temp, 'train-labels-idx1-ubyte');
    await writeFile(labels, idxLabels(new Array<number>(19).fill(1)));
    await expectInputError(
      readIdxDirectory(temp, ['train']),
      labels,
      '19 labels',
      join(temp, 'train-images-idx3-ubyte'),
      '20 images',
    );
  });

  it('train and test image sizes differ', async () => {
    await writeIdxDirectory(temp);
    await writeFile(
      join(temp, 't10k-images-idx3-ubyte'),
      idxImages(6, 32, 32, () => 1),
    );
    await expectInputError(readIdxDirectory(temp, ['train', 'test']), temp, '32x32', '28x28');
  });

  it('missing file, a file instead of a directory, and a path that does not exist', async () => {
    await writeIdxDirectory(temp);
    await rm(join(temp, 't10k-labels-idx1-ubyte'));
    await expectInputError(readIdxDirectory(temp, ['test']), join(temp, 't10k-labels-idx1-ubyte'), 'missing');
    const file = join(temp, 'train-images-idx3-ubyte');
    await expectInputError(readIdxDirectory(file, ['test']), file, 'not a directory');
    await expectInputError(readIdxDirectory(join(temp, 'absent'), ['test']), join(temp, 'absent'), 'does not exist');
  });

  it('parsers check the header counts on their own', () => {
    expect(() =>
      parseIdxImages(
        idxImages(0, 28, 28, () => 0),
        'zero.idx',
      ),
    ).toThrow(/^zero\.idx: declares 0 images/);
    expect(() => parseIdxLabels(idxLabels([]), 'none.idx')).toThrow(/^none\.idx: declares 0 labels/);
    const labels = idxLabels([3, 1, 4]);
    expect(() => parseIdxLabels(labels.subarray(0, 10), 'short.idx')).toThrow(
      /^short\.idx: 10 bytes, expected 11 for 3 labels \(truncated\)$/,
    );
    expect(Array.from(parseIdxLabels(labels, 'ok.idx'))).toEqual([3, 1, 4]);
  });
});
