/**
 * The in-memory form every dataset reader produces. Pixels stay uint8 (a quarter of the memory
 * of float32); batches are normalized on the fly by batches.ts.
 */

import type { DatasetName } from '../choices.js';

export type { DatasetName };

export type SplitName = 'train' | 'test';

/**
 * `count` images of `height` x `width` x `channels`, uint8 NHWC, row-major:
 * pixel (n, y, x, c) is `images[((n * height + y) * width + x) * channels + c]`, 0-255.
 * `labels[n]` is the class index of image n, 0 to classNames.length - 1.
 */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

export interface Dataset {
  name: DatasetName;
  /** Index = label: 10 entries for the built-in datasets, the class folders' names for `folder`. */
  classNames: string[];
  /** Either split may be empty (count 0) when it was not asked for. */
  train: ImageSet;
  test: ImageSet;
  /** What was read, for logs, e.g. `/data/cifar-10-binary.tar.gz`. */
  source: string;
  /** 'validation' when the test split was held out of the training images (folder --val-split). */
  testSplit?: 'test' | 'validation';
  /** Folder datasets: the file each image was decoded from, by index. */
  files?: { train: string[]; test: string[] };
}
