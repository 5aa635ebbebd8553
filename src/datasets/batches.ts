/**
 * Builds training and evaluation batches from a uint8 ImageSet, one batch at a time, so a float
 * copy of the whole set never exists (CIFAR-10 as float32 would be 614 MB). Runs every step, so
 * normalization is a table lookup per value and augmentation is index arithmetic, no copies.
 */
import type { Random } from '../random.js';
import { sourceChannels } from '../model-input/preprocessing.js';
import type { ImageSet } from './image-set.js';

/** Per-channel statistics of pixel values scaled to [0, 1]; one entry per model channel. */
export interface Normalization {
  mean: number[];
  std: number[];
  /**
   * 'bgr': model channel c reads pixel channel 2 − c (Keras 'caffe', see preprocessing.ts), and
   * mean and std are in B, G, R order. Default 'rgb'.
   */
  channelOrder?: 'rgb' | 'bgr';
}

/**
 * Random crop after zero padding by `pad` pixels on every side, and a horizontal flip with
 * probability 0.5: the standard CIFAR-10 augmentation (He et al. 2016, "Deep Residual Learning
 * for Image Recognition", section 4.2).
 */
export interface Augmentation {
  pad: number;
  flip: boolean;
}

export const STANDARD_AUGMENTATION: Augmentation = { pad: 4, flip: true };

export interface WriteImagesOptions extends Normalization {
  augment?: Augmentation;
  /** Required with `augment`; per image it draws the row shift, the column shift, then the flip. */
  random?: Random;
}

/** A ready batch: float32 NHWC images with `shape` [n, height, width, channels], int32 labels [n]. */
export interface Batch {
  images: Float32Array;
  labels: Int32Array;
  shape: [number, number, number, number];
}

const LEVELS = 256;

/**
 * Allocates and fills a batch of the images `indices` of `set`: `(x / 255 - mean[c]) / std[c]`,
 * float32 NHWC [indices.length, height, width, channels], with STANDARD_AUGMENTATION drawn from
 * `random` when it is given (training) and none without it (evaluation); labels int32 [n], 0-9.
 */
export function fillBatch(
  set: ImageSet,
  indices: ArrayLike<number>,
  normalization: Normalization,
  random?: Random,
): Batch {
  const shape: Batch['shape'] = [indices.length, set.height, set.width, set.channels];
  const images = new Float32Array(indices.length * set.height * set.width * set.channels);
  const augment = random ? STANDARD_AUGMENTATION : undefined;
  writeNormalizedImages(set, indices, images, { ...normalization, augment, random });
  const labels = new Int32Array(indices.length);
  writeLabels(set, indices, labels);
  return { images, labels, shape };
}

/**
 * Writes the images `indices` of `set` into `out` (float32 NHWC, image b at offset
 * b x height x width x channels; `out` may be longer) as `(x / 255 - mean[c]) / std[c]`.
 *
 * With `augment`, each image is shifted by (dy, dx), each uniform in [-pad, pad], then mirrored
 * left-right with probability 0.5, like torchvision's RandomCrop(padding) followed by
 * RandomHorizontalFlip: out(y, x) = in(y + dy, x' + dx) with x' = width - 1 - x if mirrored,
 * else x. Pixels shifted in from outside the image are black (value 0 before normalization,
 * -mean[c] / std[c] after), because that recipe pads the uint8 image before normalizing; padding
 * with 0 after normalization would paint mean-gray borders the reference models never saw.
 */
export function writeNormalizedImages(
  set: ImageSet,
  indices: ArrayLike<number>,
  out: Float32Array,
  options: WriteImagesOptions,
): void {
  const { images, height, width, channels } = set;
  const imageSize = height * width * channels;
  if (out.length < indices.length * imageSize) {
    const needed = indices.length * imageSize;
    throw new RangeError(`batch buffer holds ${out.length} values, ${indices.length} images need ${needed}`);
  }
  const { augment, random } = options;
  if (augment && !random) throw new TypeError('augmentation needs a Random');
  const table = normalizationTable(options, channels);
  if (options.channelOrder === 'bgr' && channels !== 3)
    throw new RangeError(`BGR order needs 3 channels, not ${channels}`);
  const sources = sourceChannels(options, channels);
  const rowSize = width * channels;
  const pixels = height * width;

  for (let b = 0; b < indices.length; b++) {
    const source = checkedIndex(set, indices[b]) * imageSize;
    const target = b * imageSize;
    if (!augment || !random) {
      normalizePixels(images, source, channels, out, target, pixels, sources, table);
      continue;
    }
    const dy = random.nextInt(2 * augment.pad + 1) - augment.pad;
    const dx = random.nextInt(2 * augment.pad + 1) - augment.pad;
    const mirrored = augment.flip && random.nextFloat() < 0.5;
    // Output columns [first, end) read inside the image; those left and right of it are padding.
    // Unmirrored source column x + dx; mirrored width - 1 - x + dx.
    const first = Math.max(0, mirrored ? dx : -dx);
    const end = Math.min(width, mirrored ? width + dx : width - dx);
    const firstSourceX = mirrored ? width - 1 - first + dx : first + dx;
    const sourceStep = mirrored ? -channels : channels;
    for (let y = 0; y < height; y++) {
      const sourceY = y + dy;
      const rowTarget = target + y * rowSize;
      if (sourceY < 0 || sourceY >= height || end <= first) {
        fillBlack(out, rowTarget, width, channels, table);
        continue;
      }
      fillBlack(out, rowTarget, first, channels, table);
      const rowSource = source + sourceY * rowSize + firstSourceX * channels;
      normalizePixels(images, rowSource, sourceStep, out, rowTarget + first * channels, end - first, sources, table);
      fillBlack(out, rowTarget + end * channels, width - end, channels, table);
    }
  }
}

/**
 * Writes `count` normalized pixels to `out` from `target` on, reading the pixel at `source`, then
 * `source + sourceStep`, ... (a negative step reads a row mirrored); model channel c reads pixel
 * channel sources[c]. Unrolled for 1 and 3 channels: this is the inner loop of every training step.
 */
function normalizePixels(
  images: Uint8Array,
  source: number,
  sourceStep: number,
  out: Float32Array,
  target: number,
  count: number,
  sources: readonly number[],
  table: Float32Array,
): void {
  const channels = sources.length;
  if (channels === 3) {
    const [red, green, blue] = sources;
    for (let p = 0; p < count; p++, source += sourceStep, target += 3) {
      out[target] = table[images[source + red]];
      out[target + 1] = table[LEVELS + images[source + green]];
      out[target + 2] = table[2 * LEVELS + images[source + blue]];
    }
  } else if (channels === 1) {
    for (let p = 0; p < count; p++, source += sourceStep) out[target + p] = table[images[source]];
  } else {
    for (let p = 0; p < count; p++, source += sourceStep, target += channels) {
      for (let c = 0; c < channels; c++) out[target + c] = table[c * LEVELS + images[source + sources[c]]];
    }
  }
}

/** Writes `count` black pixels (uint8 value 0, normalized) from `target` on. */
function fillBlack(out: Float32Array, target: number, count: number, channels: number, table: Float32Array): void {
  for (let p = 0; p < count; p++, target += channels) {
    for (let c = 0; c < channels; c++) out[target + c] = table[c * LEVELS];
  }
}

/** Labels of the images `indices` as int32 class indices, written to `out[0 .. n)`. */
export function writeLabels(set: ImageSet, indices: ArrayLike<number>, out: Int32Array): void {
  for (let b = 0; b < indices.length; b++) out[b] = set.labels[checkedIndex(set, indices[b])];
}

/**
 * Per-channel mean and population standard deviation of all pixel values of `set`, scaled to
 * [0, 1] (numpy's `x.mean(axis=(0,1,2))`, `x.std(axis=(0,1,2))` on `x = images / 255`). One pass
 * counts how often each uint8 value occurs per channel; the moments then follow from the 256
 * counts in float64, exactly and without the cancellation of a running sum of squares.
 */
export function channelMeanStd(set: ImageSet): Normalization {
  const { images, channels } = set;
  if (set.count === 0) throw new RangeError('cannot compute statistics of an empty image set');
  const counts = countLevels(images.subarray(0, set.count * set.height * set.width * channels), channels);
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let total = 0;
    let sum = 0;
    for (let level = 0; level < LEVELS; level++) {
      total += counts[c * LEVELS + level];
      sum += counts[c * LEVELS + level] * level;
    }
    const channelMean = sum / total / 255;
    let squares = 0;
    for (let level = 0; level < LEVELS; level++) {
      squares += counts[c * LEVELS + level] * (level / 255 - channelMean) ** 2;
    }
    mean.push(channelMean);
    std.push(Math.sqrt(squares / total));
  }
  return { mean, std };
}

/**
 * counts[c * 256 + v] = how many values of channel c equal v. Counted per chunk in uint32 (fast
 * increments, no overflow below 2^32) and added to float64 totals, exact for any set size.
 */
function countLevels(values: Uint8Array, channels: number): Float64Array {
  const totals = new Float64Array(channels * LEVELS);
  const chunk = new Uint32Array(channels * LEVELS);
  const chunkValues = channels * 2 ** 24;
  for (let start = 0; start < values.length; start += chunkValues) {
    const end = Math.min(values.length, start + chunkValues);
    chunk.fill(0);
    if (channels === 3) {
      for (let i = start; i < end; i += 3) {
        chunk[values[i]]++;
        chunk[LEVELS + values[i + 1]]++;
        chunk[2 * LEVELS + values[i + 2]]++;
      }
    } else if (channels === 1) {
      for (let i = start; i < end; i++) chunk[values[i]]++;
    } else {
      for (let i = start; i < end; i += channels) {
        for (let c = 0; c < channels; c++) chunk[c * LEVELS + values[i + c]]++;
      }
    }
    for (let k = 0; k < totals.length; k++) totals[k] += chunk[k];
  }
  return totals;
}

/** table[c * 256 + v] = (v / 255 - mean[c]) / std[c], as float32 like the output. */
function normalizationTable({ mean, std }: Normalization, channels: number): Float32Array {
  if (mean.length !== channels || std.length !== channels) {
    throw new RangeError(`normalization has ${mean.length} means and ${std.length} stds for ${channels} channels`);
  }
  const table = new Float32Array(channels * LEVELS);
  for (let c = 0; c < channels; c++) {
    if (!(std[c] > 0)) throw new RangeError(`normalization std[${c}] must be positive, got ${std[c]}`);
    for (let level = 0; level < LEVELS; level++) table[c * LEVELS + level] = (level / 255 - mean[c]) / std[c];
  }
  return table;
}

function checkedIndex(set: ImageSet, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= set.count) {
    throw new RangeError(`image index ${index} is outside 0..${set.count - 1}`);
  }
  return index;
}
