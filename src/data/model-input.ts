/**
 * Turns a decoded image of any size and colour type into the float32 input a model expects:
 * channels converted (gray ↔ RGB, see image-io.ts), resized to the model's input size (area
 * averaging where it shrinks, bilinear with half-pixel centres where it grows: resize.ts), then
 * scaled.
 */
import type { DecodedImage } from './image-io.js';
import { toChannels } from './image-io.js';
import { resizeImage } from './resize.js';
export type { PixelRange };

/** How pixel values 0–255 become model inputs. */
export type PixelScaling =
  /** gradcam models: per-channel (x/255 − mean) / std, statistics from the training set. */
  | { kind: 'normalize'; mean: number[]; std: number[] }
  /** Foreign models (`--scale`): a fixed linear range. */
  | { kind: 'range'; range: PixelRange };

import type { PixelRange } from '../choices.js';

/**
 * image: HWC uint8, 1 or 3 channels, any size. inputShape: the model's [h, w, c].
 * Returns float32 HWC of exactly h × w × c values, scaled per `scaling`.
 */
export function toModelInput(image: DecodedImage, inputShape: readonly [number, number, number], scaling: PixelScaling): Float32Array {
  const [height, width, channels] = inputShape;
  const converted = toChannels(image, channels as 1 | 3);
  const resized = resizeImage(converted.data, converted.height, converted.width, channels, height, width);
  const [scale, offsets] = linearScaling(scaling, channels);
  for (let i = 0; i < resized.length; i++) resized[i] = resized[i] * scale[i % channels] + offsets[i % channels];
  return resized;
}

/** Per-channel (scale, offset) such that input = pixel · scale + offset. */
function linearScaling(scaling: PixelScaling, channels: number): [number[], number[]] {
  if (scaling.kind === 'normalize') {
    const scale = scaling.std.map((std) => 1 / (255 * std));
    return [scale, scaling.mean.map((mean, c) => -mean / scaling.std[c])];
  }
  const perChannel = (value: number) => Array.from({ length: channels }, () => value);
  switch (scaling.range) {
    case '0-1':
      return [perChannel(1 / 255), perChannel(0)];
    case '0-255':
      return [perChannel(1), perChannel(0)];
    case '-1-1':
      return [perChannel(2 / 255), perChannel(-1)];
  }
}
