import { describe, expect, it } from 'vitest';
import {
  STANDARD_AUGMENTATION,
  channelMeanStd,
  fillBatch,
  writeLabels,
  writeNormalizedImages,
  type Normalization,
} from '../../src/datasets/batches.js';
import type { ImageSet } from '../../src/datasets/image-set.js';
import { Random } from '../../src/random.js';

function imageSet(
  count: number,
  height: number,
  width: number,
  channels: number,
  pixel: (i: number) => number,
): ImageSet {
  const images = Uint8Array.from({ length: count * height * width * channels }, (_, i) => pixel(i));
  const labels = Uint8Array.from({ length: count }, (_, n) => (n * 3) % 10);
  return { images, labels, count, height, width, channels };
}

function randomSet(count: number, height: number, width: number, channels: number, seed: number): ImageSet {
  const random = new Random(seed);
  return imageSet(count, height, width, channels, () => random.nextInt(256));
}

/** Feeds writeNormalizedImages chosen draws: nextInt for the row then column shift, nextFloat for the flip. */
function scripted(ints: number[], floats: number[]): Random {
  return {
    nextInt: (n: number) => {
      const value = ints.shift()!;
      expect(value).toBeLessThan(n);
      return value;
    },
    nextFloat: () => floats.shift()!,
  } as unknown as Random;
}

const IDENTITY: Normalization = { mean: [0], std: [1] };

/**
 * The augmentation spelled out as torchvision does it: zero-pad the uint8 image by `pad`, take
 * the window at (pad + dy, pad + dx), mirror it if asked, then normalize.
 */
function referenceAugment(
  set: ImageSet,
  index: number,
  { mean, std }: Normalization,
  pad: number,
  dy: number,
  dx: number,
  mirrored: boolean,
): Float32Array {
  const { height, width, channels } = set;
  const paddedWidth = width + 2 * pad;
  const padded = new Uint8Array((height + 2 * pad) * paddedWidth * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        padded[((y + pad) * paddedWidth + x + pad) * channels + c] =
          set.images[((index * height + y) * width + x) * channels + c];
      }
    }
  }
  const out = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const windowX = mirrored ? width - 1 - x : x;
      for (let c = 0; c < channels; c++) {
        const value = padded[((y + pad + dy) * paddedWidth + windowX + pad + dx) * channels + c];
        out[(y * width + x) * channels + c] = (value / 255 - mean[c]) / std[c];
      }
    }
  }
  return out;
}

describe('writeNormalizedImages', () => {
  it('computes (x / 255 - mean[c]) / std[c] per channel on a hand-made image', () => {
    // One 1x2 RGB image: pixel 0 = (0, 255, 128), pixel 1 = (51, 102, 204).
    const images = Uint8Array.from([0, 255, 128, 51, 102, 204]);
    const set: ImageSet = { images, labels: Uint8Array.from([4]), count: 1, height: 1, width: 2, channels: 3 };
    const out = new Float32Array(6);
    writeNormalizedImages(set, [0], out, { mean: [0.5, 0.4, 0.25], std: [0.25, 0.2, 0.5] });
    const expected = [
      [(0 - 0.5) / 0.25, (1 - 0.4) / 0.2, (128 / 255 - 0.25) / 0.5],
      [(0.2 - 0.5) / 0.25, (0.4 - 0.4) / 0.2, (0.8 - 0.25) / 0.5],
    ].flat();
    expected.forEach((value, i) => expect(out[i]).toBeCloseTo(value, 6));
    expect(out[0]).toBe(-2);
    expect(out[1]).toBeCloseTo(3, 6);
  });

  it('crops with black padding and flips: a marker pixel lands where torchvision would put it', () => {
    // 5x5 gray (10) single-channel image with a bright (200) marker at row 1, column 3.
    const set = imageSet(1, 5, 5, 1, (i) => (i === 1 * 5 + 3 ? 200 : 10));
    const out = new Float32Array(25);
    const gray = 10 / 255;
    const marker = 200 / 255;
    const augment = { pad: 2, flip: true };

    // Shift dy = +1, dx = +1 (draws pad + 1 = 3 twice), mirrored (0.2 < 0.5):
    // out(y, x) = in(y + 1, (4 - x) + 1). Marker: y = 0, 4 - x + 1 = 3 -> x = 2.
    // Row 4 reads row 5 and column 0 reads column 5: both outside, so black (0).
    writeNormalizedImages(set, [0], out, { ...IDENTITY, augment, random: scripted([3, 3], [0.2]) });
    const expectedMirrored = Array.from({ length: 25 }, (_, i) => {
      const [y, x] = [Math.floor(i / 5), i % 5];
      if (y === 4 || x === 0) return 0;
      return y === 0 && x === 2 ? marker : gray;
    });
    expect(Array.from(out)).toEqual(expectedMirrored.map(Math.fround));

    // Shift dy = -2, dx = -1 (draws 0 and 1), not mirrored (0.7): out(y, x) = in(y - 2, x - 1).
    // Marker at y = 3, x = 4; rows 0-1 and column 0 are black.
    writeNormalizedImages(set, [0], out, { ...IDENTITY, augment, random: scripted([0, 1], [0.7]) });
    const expectedShifted = Array.from({ length: 25 }, (_, i) => {
      const [y, x] = [Math.floor(i / 5), i % 5];
      if (y < 2 || x === 0) return 0;
      return y === 3 && x === 4 ? marker : gray;
    });
    expect(Array.from(out)).toEqual(expectedShifted.map(Math.fround));
  });

  it('pads with the normalized value of a black pixel, -mean / std', () => {
    const set = imageSet(1, 4, 4, 3, () => 255);
    const normalization = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };
    const out = new Float32Array(48);
    // dy = -4: every row comes from outside.
    const random = scripted([0, 4], [0.9]);
    writeNormalizedImages(set, [0], out, { ...normalization, augment: STANDARD_AUGMENTATION, random });
    for (let i = 0; i < 48; i++) expect(out[i]).toBeCloseTo(-normalization.mean[i % 3] / normalization.std[i % 3], 6);
  });

  it('matches a literal pad-crop-flip reference for every shift the generator draws', () => {
    const set = randomSet(12, 8, 6, 3, 11);
    const normalization = { mean: [0.3, 0.5, 0.7], std: [0.2, 0.3, 0.25] };
    const random = new Random(2024);
    const indices = Int32Array.from({ length: 200 }, (_, b) => (b * 5) % set.count);
    const out = new Float32Array(indices.length * 8 * 6 * 3);
    // Replay the draws from a copy of the generator, in the documented order.
    const probe = Random.fromState(random.getState());
    writeNormalizedImages(set, indices, out, { ...normalization, augment: STANDARD_AUGMENTATION, random });
    const seen = new Set<string>();
    let worst = 0;
    for (let b = 0; b < indices.length; b++) {
      const dy = probe.nextInt(9) - 4;
      const dx = probe.nextInt(9) - 4;
      const mirrored = probe.nextFloat() < 0.5;
      seen.add(`${dy},${dx},${mirrored}`);
      const expected = referenceAugment(set, indices[b], normalization, 4, dy, dx, mirrored);
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(out[b * 144 + i] - expected[i]));
    }
    expect(worst).toBeLessThan(1e-6);
    // The generator state advanced exactly as the replay did.
    expect(random.getState()).toEqual(probe.getState());
    expect(seen.size).toBeGreaterThan(100);
    expect([...seen].some((key) => key.endsWith('true'))).toBe(true);
    expect([...seen].some((key) => key.endsWith('false'))).toBe(true);
  });

  it('rejects a short buffer, a bad index, a mismatched normalization and augmentation without a Random', () => {
    const set = randomSet(3, 2, 2, 3, 1);
    const normalization = { mean: [0, 0, 0], std: [1, 1, 1] };
    expect(() => writeNormalizedImages(set, [0, 1], new Float32Array(23), normalization)).toThrow(RangeError);
    expect(() => writeNormalizedImages(set, [3], new Float32Array(12), normalization)).toThrow(/outside 0\.\.2/);
    expect(() => writeNormalizedImages(set, [0], new Float32Array(12), { mean: [0], std: [1] })).toThrow(/3 channels/);
    const zeroStd = { mean: [0, 0, 0], std: [1, 0, 1] };
    expect(() => writeNormalizedImages(set, [0], new Float32Array(12), zeroStd)).toThrow(/std\[1\]/);
    const unseeded = { ...normalization, augment: STANDARD_AUGMENTATION };
    expect(() => writeNormalizedImages(set, [0], new Float32Array(12), unseeded)).toThrow(/needs a Random/);
  });
});

describe('fillBatch', () => {
  const set = randomSet(30, 32, 32, 3, 5);
  const normalization = { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] };
  const indices = Int32Array.from([4, 17, 0, 29, 4]);

  it('without a Random: plain normalized images, int32 labels and the NHWC shape', () => {
    const batch = fillBatch(set, indices, normalization);
    expect(batch.shape).toEqual([5, 32, 32, 3]);
    expect(Array.from(batch.labels)).toEqual(Array.from(indices, (i) => set.labels[i]));
    const image = 3; // set image 29, row 7, column 30, blue
    const offset = ((image * 32 + 7) * 32 + 30) * 3 + 2;
    const pixel = set.images[((29 * 32 + 7) * 32 + 30) * 3 + 2];
    expect(batch.images[offset]).toBeCloseTo((pixel / 255 - 0.45) / 0.26, 6);
    // Images 0 and 4 are both set image 4.
    expect(batch.images.subarray(0, 3072)).toEqual(batch.images.subarray(4 * 3072, 5 * 3072));
  });

  it('with a Random: deterministic for a seed, different for another', () => {
    const first = fillBatch(set, indices, normalization, new Random(3));
    const again = fillBatch(set, indices, normalization, new Random(3));
    const other = fillBatch(set, indices, normalization, new Random(4));
    expect(again.images).toEqual(first.images);
    expect(other.images).not.toEqual(first.images);
    expect(first.images).not.toEqual(fillBatch(set, indices, normalization).images);
    expect(first.labels).toEqual(other.labels);
  });
});

describe('labels', () => {
  it('writes class indices', () => {
    const set = imageSet(4, 1, 1, 1, () => 0); // labels 0, 3, 6, 9
    const labels = new Int32Array(3);
    writeLabels(set, [3, 1, 2], labels);
    expect(Array.from(labels)).toEqual([9, 3, 6]);
  });
});

describe('channelMeanStd', () => {
  it('gives mean 0.5 and std 0.5 for half black, half white', () => {
    const set = imageSet(2, 1, 2, 1, (i) => (i % 2 === 0 ? 0 : 255));
    expect(channelMeanStd(set)).toEqual({ mean: [0.5], std: [0.5] });
  });

  it('agrees with a direct float64 two-pass computation per channel', () => {
    const set = randomSet(40, 9, 7, 3, 17);
    // Skew channel 2 so the channels differ.
    for (let i = 2; i < set.images.length; i += 3) set.images[i] = set.images[i] >> 2;
    const { mean, std } = channelMeanStd(set);
    for (let c = 0; c < 3; c++) {
      const values: number[] = [];
      for (let i = c; i < set.images.length; i += 3) values.push(set.images[i] / 255);
      const expectedMean = values.reduce((sum, v) => sum + v, 0) / values.length;
      const expectedStd = Math.sqrt(values.reduce((sum, v) => sum + (v - expectedMean) ** 2, 0) / values.length);
      expect(mean[c]).toBeCloseTo(expectedMean, 12);
      expect(std[c]).toBeCloseTo(expectedStd, 12);
    }
    expect(mean[2]).toBeLessThan(0.2);
  });

  it('ignores bytes past count (a set that is a prefix view of a larger buffer)', () => {
    const set = imageSet(2, 1, 1, 1, (i) => (i === 0 ? 51 : 255));
    expect(channelMeanStd({ ...set, count: 1 })).toEqual({ mean: [0.2], std: [0] });
    expect(() => channelMeanStd({ ...set, count: 0 })).toThrow(/empty/);
  });
});

describe('eval batches of a BGR model (Keras caffe preprocessing)', () => {
  // Keras 'caffe', as preprocessing.ts resolves it: BGR order, x − [103.939, 116.779, 123.68] on 0–255.
  const caffe: Normalization = {
    channelOrder: 'bgr',
    mean: [103.939 / 255, 116.779 / 255, 123.68 / 255],
    std: [1 / 255, 1 / 255, 1 / 255],
  };
  // Two pixels, R, G, B: (10, 20, 30) and (200, 100, 0).
  const set = imageSet(1, 1, 2, 3, (i) => [10, 20, 30, 200, 100, 0][i]);

  it('reverses the channels and subtracts the B, G, R means, by hand', () => {
    const { images } = fillBatch(set, [0], caffe);
    const expected = [30 - 103.939, 20 - 116.779, 10 - 123.68, 0 - 103.939, 100 - 116.779, 200 - 123.68];
    Array.from(images).forEach((value, i) => expect(value).toBeCloseTo(expected[i], 4));
  });

  it('pads an augmented batch with black in every channel (−mean after normalization), whatever the order', () => {
    // dy = −1 (draw 0 − pad), dx = 0: the top row comes from outside the image.
    const tall = imageSet(1, 2, 1, 3, (i) => [10, 20, 30, 200, 100, 0][i]);
    const out = new Float32Array(6);
    writeNormalizedImages(tall, [0], out, { ...caffe, augment: { pad: 1, flip: false }, random: scripted([0, 1], []) });
    const expected = [-103.939, -116.779, -123.68, 30 - 103.939, 20 - 116.779, 10 - 123.68];
    Array.from(out).forEach((value, i) => expect(value).toBeCloseTo(expected[i], 4));
  });

  it('refuses BGR order for a grayscale set', () => {
    const gray = imageSet(1, 1, 1, 1, () => 9);
    expect(() => fillBatch(gray, [0], { channelOrder: 'bgr', mean: [0], std: [1] })).toThrow(RangeError);
  });
});
