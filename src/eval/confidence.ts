/**
 * Average drop and increase in confidence, Chattopadhay et al. 2018 ("Grad-CAM++: Improved
 * Visual Explanations for Deep Convolutional Networks", arXiv:1710.11063, §6.1.1): the model sees
 * only the explanation, E = image ∘ map, and we compare its confidence in the class with the
 * confidence on the full image.
 *
 * "image ∘ map" here: the map (upsampled to the input size, values in [0, 1]) multiplies the
 * pixel values scaled to [0, 1], *before* the per-channel normalization, i.e. the explanation is
 * the picture darkened where the map is low, as in the paper's figures. (pytorch-grad-cam's
 * `CamMultImageConfidenceChange` multiplies the normalized tensor instead, which fades
 * low-map regions to the dataset mean rather than to black.)
 */
import type { Normalization } from '../datasets/batches.js';

/**
 * x' = ((x · std + mean) · m − mean) / std per channel, where x · std + mean is the pixel in
 * [0, 1] and m the map value at that pixel.
 *
 * @param image float32 [height × width × channels] HWC, normalized with `normalization`
 * @param map float32 [height × width], values in [0, 1]
 * @returns float32 [height × width × channels], normalized the same way
 */
export function multiplyImageByMap(image: Float32Array, map: Float32Array, normalization: Normalization): Float32Array {
  const channels = normalization.mean.length;
  if (image.length !== map.length * channels) {
    throw new RangeError(
      `multiplyImageByMap: image has ${image.length} values, map ${map.length} pixels × ${channels} channels`,
    );
  }
  const out = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const c = i % channels;
    const mean = normalization.mean[c];
    const std = normalization.std[c];
    const pixel = image[i] * std + mean;
    out[i] = (pixel * map[(i - c) / channels] - mean) / std;
  }
  return out;
}

/**
 * Average Drop % = 100/N · Σ_i max(0, Y_i − O_i) / Y_i (paper eq. 19), lower is better.
 *
 * @param full Y_i: class probabilities on the full images, in (0, 1]
 * @param explained O_i: the same class's probabilities on image ∘ map, in [0, 1]
 * @returns a percentage in [0, 100]
 */
export function averageDropPercent(full: ArrayLike<number>, explained: ArrayLike<number>): number {
  checkPairs(full, explained);
  let sum = 0;
  for (let i = 0; i < full.length; i++) sum += Math.max(0, full[i] - explained[i]) / full[i];
  return (100 * sum) / full.length;
}

/**
 * Increase in Confidence % = 100/N · Σ_i 1[Y_i < O_i] (paper eq. 20), higher is better.
 *
 * @returns a percentage in [0, 100]
 */
export function increaseInConfidencePercent(full: ArrayLike<number>, explained: ArrayLike<number>): number {
  checkPairs(full, explained);
  let count = 0;
  for (let i = 0; i < full.length; i++) if (full[i] < explained[i]) count++;
  return (100 * count) / full.length;
}

function checkPairs(full: ArrayLike<number>, explained: ArrayLike<number>): void {
  if (full.length !== explained.length)
    throw new RangeError(`confidence: ${full.length} full-image and ${explained.length} explanation scores`);
  if (full.length === 0) throw new RangeError('confidence: no images');
}
