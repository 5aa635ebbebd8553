import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CIFAR10_CLASS_NAMES, readCifar10 } from '../../src/datasets/cifar10.js';
import type { ImageSet } from '../../src/datasets/image-set.js';
import {
  CIFAR_META,
  FIXTURE_TEST_COUNT,
  cifarBatch,
  cifarPixel,
  fixtureTestLabel,
  fixtureTrainLabel,
  makeTempDir,
  removeDir,
  tarGzip,
  writeCifarDirectory,
} from './fixtures.js';
import { expectInputError } from '../helpers/input-errors.js';

let temp: string;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await removeDir(temp);
});

/** Every byte of the set against the fixture's generator: NHWC index of (n, y, x, c). */
function expectFixtureImages(set: ImageSet, firstPixelImage: number, label: (n: number) => number) {
  expect([set.height, set.width, set.channels]).toEqual([32, 32, 3]);
  expect(set.images.length).toBe(set.count * 3072);
  let mismatches = 0;
  for (let n = 0; n < set.count; n++) {
    expect(set.labels[n]).toBe(label(n));
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        for (let c = 0; c < 3; c++) {
          if (set.images[((n * 32 + y) * 32 + x) * 3 + c] !== cifarPixel(firstPixelImage + n, c, y, x)) mismatches++;
        }
      }
    }
  }
  expect(mismatches).toBe(0);
}

describe('readCifar10 on the three accepted forms', () => {
  it('reads the batches directory: counts, labels, class names and NHWC layout', async () => {
    const directory = await writeCifarDirectory(temp);
    const cifar = await readCifar10(directory, ['train', 'test']);
    expect(cifar.train.count).toBe(20);
    expect(cifar.test.count).toBe(FIXTURE_TEST_COUNT);
    expectFixtureImages(cifar.train, 0, fixtureTrainLabel);
    expectFixtureImages(cifar.test, 1000, fixtureTestLabel);
    expect(cifar.classNames).toEqual(CIFAR10_CLASS_NAMES);
    expect(cifar.source).toBe(directory);
  });

  it('puts one known planar byte at its NHWC index', async () => {
    // Image 2 of a one-batch directory: green plane (offset 1 + 1024), row 5, column 9.
    const directory = join(temp, 'cifar-10-batches-bin');
    await mkdir(directory);
    const test = new Uint8Array(3 * 3073);
    test[0] = 4;
    test[2 * 3073] = 9;
    test[2 * 3073 + 1 + 1024 + 5 * 32 + 9] = 222;
    await writeFile(join(directory, 'test_batch.bin'), test);
    const { test: set } = await readCifar10(directory, ['test']);
    expect(Array.from(set.labels)).toEqual([4, 0, 9]);
    const index = ((2 * 32 + 5) * 32 + 9) * 3 + 1;
    expect(set.images[index]).toBe(222);
    expect(set.images.reduce((sum, value) => sum + value, 0)).toBe(222);
  });

  it('accepts the parent of cifar-10-batches-bin', async () => {
    await writeCifarDirectory(temp);
    const cifar = await readCifar10(temp, ['train', 'test']);
    expectFixtureImages(cifar.train, 0, fixtureTrainLabel);
    expect(cifar.source).toBe(join(temp, 'cifar-10-batches-bin'));
  });

  it.each(['gnu', 'ustar', 'pax'] as const)(
    'reads cifar-10-binary.tar.gz written by GNU tar (%s format)',
    async (format) => {
      await writeCifarDirectory(temp);
      const archive = join(temp, 'cifar-10-binary.tar.gz');
      await writeFile(archive, tarGzip(temp, 'cifar-10-batches-bin', format));
      await rm(join(temp, 'cifar-10-batches-bin'), { recursive: true });
      const cifar = await readCifar10(archive, ['train', 'test']);
      expectFixtureImages(cifar.train, 0, fixtureTrainLabel);
      expectFixtureImages(cifar.test, 1000, fixtureTestLabel);
      expect(cifar.classNames).toEqual(CIFAR10_CLASS_NAMES);
      // A directory holding only the archive (the download cache) works too.
      const viaDirectory = await readCifar10(temp, ['test']);
      expect(viaDirectory.source).toBe(archive);
      expectFixtureImages(viaDirectory.test, 1000, fixtureTestLabel);
    },
  );

  it('reads only the splits asked for and does not need the other files', async () => {
    const directory = await writeCifarDirectory(temp);
    await rm(join(directory, 'data_batch_4.bin'));
    const cifar = await readCifar10(directory, ['test']);
    expect(cifar.train.count).toBe(0);
    expect(cifar.train.images.length).toBe(0);
    expect([cifar.train.height, cifar.train.width, cifar.train.channels]).toEqual([32, 32, 3]);
    expectFixtureImages(cifar.test, 1000, fixtureTestLabel);
  });

  it('uses class names from batches.meta.txt, and the standard ones when it is absent', async () => {
    const directory = await writeCifarDirectory(temp);
    const renamed = CIFAR_META.replace('airplane', 'plane').replace('truck', 'lorry');
    await writeFile(join(directory, 'batches.meta.txt'), renamed.replaceAll('\n', '\r\n'));
    const custom = await readCifar10(directory, ['test']);
    expect(custom.classNames[0]).toBe('plane');
    expect(custom.classNames[9]).toBe('lorry');
    expect(custom.classNames).toHaveLength(10);

    await rm(join(directory, 'batches.meta.txt'));
    const fallback = await readCifar10(directory, ['test']);
    expect(fallback.classNames).toEqual(CIFAR10_CLASS_NAMES);
    expect(fallback.source).toContain('no batches.meta.txt');
  });
});

describe('readCifar10 on malformed input names the file', () => {
  it('zero-byte batch', async () => {
    const directory = await writeCifarDirectory(temp);
    await writeFile(join(directory, 'data_batch_2.bin'), new Uint8Array(0));
    await expectInputError(readCifar10(directory, ['train']), join(directory, 'data_batch_2.bin'), '0 bytes', '3073');
  });

  it('truncated batch (size not a multiple of 3073)', async () => {
    const directory = await writeCifarDirectory(temp);
    await truncate(join(directory, 'test_batch.bin'), 3 * 3073 - 1);
    await expectInputError(
      readCifar10(directory, ['test']),
      join(directory, 'test_batch.bin'),
      '9218 bytes',
      'multiple of 3073',
    );
  });

  it('label 10', async () => {
    const directory = await writeCifarDirectory(temp);
    await writeFile(join(directory, 'data_batch_5.bin'), cifarBatch([1, 2, 10], 0));
    await expectInputError(
      readCifar10(directory, ['train']),
      join(directory, 'data_batch_5.bin'),
      'record 2',
      'label 10',
    );
  });

  it('missing train batch', async () => {
    const directory = await writeCifarDirectory(temp);
    await rm(join(directory, 'data_batch_3.bin'));
    await expectInputError(readCifar10(directory, ['train', 'test']), join(directory, 'data_batch_3.bin'), 'missing');
  });

  it('missing test batch', async () => {
    const directory = await writeCifarDirectory(temp);
    await rm(join(directory, 'test_batch.bin'));
    await expectInputError(readCifar10(directory, ['test']), join(directory, 'test_batch.bin'), 'missing');
  });

  it('batches.meta.txt without 10 names', async () => {
    const directory = await writeCifarDirectory(temp);
    await writeFile(join(directory, 'batches.meta.txt'), 'cat\ndog\n');
    await expectInputError(
      readCifar10(directory, ['test']),
      join(directory, 'batches.meta.txt'),
      'expected 10 class names',
      'found 2',
    );
  });

  it('a directory with no CIFAR-10 files, and a path that does not exist', async () => {
    await writeFile(join(temp, 'notes.txt'), 'hello');
    await expectInputError(readCifar10(temp, ['train']), temp, 'data_batch_1.bin', 'cifar-10-binary.tar.gz');
    const absent = join(temp, 'nope');
    await expectInputError(readCifar10(absent, ['train']), absent, 'does not exist');
  });

  it('archive missing a member, truncated archive, and a file that is no archive', async () => {
    const directory = await writeCifarDirectory(temp);
    await rm(join(directory, 'data_batch_1.bin'));
    const archive = join(temp, 'cifar-10-binary.tar.gz');
    const bytes = tarGzip(temp, 'cifar-10-batches-bin');
    await writeFile(archive, bytes);
    await expectInputError(readCifar10(archive, ['train']), archive, 'has no data_batch_1.bin');

    await writeFile(archive, bytes.subarray(0, bytes.length >> 1));
    await expectInputError(readCifar10(archive, ['train']), archive, 'gzip');

    const text = join(temp, 'labels.csv');
    await writeFile(text, 'a,b,c\n'.repeat(200));
    await expectInputError(readCifar10(text, ['train']), text, 'not a valid tar archive', 'cifar-10-binary.tar.gz');

    const tiny = join(temp, 'tiny.bin');
    await writeFile(tiny, 'x');
    await expectInputError(readCifar10(tiny, ['train']), tiny, 'not a valid tar archive (no files in it)');

    const empty = join(temp, 'empty.tar.gz');
    await writeFile(empty, new Uint8Array(0));
    await expectInputError(readCifar10(empty, ['train']), empty, 'empty');
  });

  it('a batch in the archive with a bad size names the archive and the member', async () => {
    const directory = await writeCifarDirectory(temp);
    await writeFile(join(directory, 'data_batch_4.bin'), new Uint8Array(3073 + 5));
    const archive = join(temp, 'cifar-10-binary.tar.gz');
    await writeFile(archive, tarGzip(temp, 'cifar-10-batches-bin'));
    await expectInputError(
      readCifar10(archive, ['train']),
      archive,
      'cifar-10-batches-bin/data_batch_4.bin',
      '3078 bytes',
    );
  });
});
