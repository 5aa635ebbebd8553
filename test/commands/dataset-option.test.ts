import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDatasetOption } from '../../src/commands/dataset-option.js';
import { UsageError } from '../../src/errors.js';
import { makeTempDir } from '../datasets/fixtures.js';

let temp: string;

beforeAll(async () => {
  temp = await makeTempDir('gradcam-dataset-option-');
});

afterAll(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** The UsageError `work` rejects with; fails the test if it resolves or rejects with anything else. */
async function usageErrorOf(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe('loadDatasetOption', () => {
  it('refuses --data with --download before reading anything', async () => {
    const missing = join(temp, 'not-there');
    expect(await usageErrorOf(loadDatasetOption('cifar10', { data: missing, download: true }))).toBe(
      '--data and --download cannot be combined: --download reads what it fetched from the cache directory',
    );
  });

  it('says a folder dataset has nothing to download and needs --data', async () => {
    expect(await usageErrorOf(loadDatasetOption('folder', { download: true }))).toBe(
      '--dataset folder reads your own images from --data DIR; there is nothing to download',
    );
    expect(await usageErrorOf(loadDatasetOption('folder', {}))).toBe(
      '--dataset folder needs --data DIR, a folder holding train/<class>/ (and optionally test/<class>/) images',
    );
  });

  it('asks for --data or --download when nothing was downloaded', async () => {
    const cacheDir = join(temp, 'cache');
    await mkdir(cacheDir, { recursive: true });
    expect(await usageErrorOf(loadDatasetOption('cifar10', { cacheDir }))).toBe(
      `--dataset cifar10 needs --data <path> or --download (nothing downloaded yet in ${join(cacheDir, 'cifar10')})`,
    );
  });

  it("says a folder's problem as the library words it, as a usage error", async () => {
    const data = join(temp, 'one-class');
    await mkdir(join(data, 'train', 'cats'), { recursive: true });
    expect(await usageErrorOf(loadDatasetOption('folder', { data }))).toBe(
      `${join(data, 'train')}: only one class folder (cats); expected one folder of images per class, at least two classes`,
    );
  });
});
