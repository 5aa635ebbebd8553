/**
 * Turns a decoded image of any size and colour type into the float32 input a model expects:
 * channels converted (gray ↔ RGB, see io/image-codec.ts), resized to the model's input size (area
 * averaging where it shrinks, bilinear with half-pixel centres where it grows: resize.ts), then
 * preprocessed (channel order, mean and std: preprocessing.ts).
 */
import type { DecodedImage } from '../io/image-codec.js';
import { toChannels } from '../io/image-codec.js';
import { applyPreprocessing, type Preprocessing } from './preprocessing.js';
import { resizeImage } from '../io/resize.js';

/**
 * image: HWC uint8, 1 or 3 channels, any size. inputShape: the model's [h, w, c].
 * Returns float32 HWC of exactly h × w × c values, as `preprocessing` says.
 */
export function toModelInput(
  image: DecodedImage,
  inputShape: readonly [number, number, number],
  preprocessing: Preprocessing,
): Float32Array {
  const [height, width, channels] = inputShape;
  const converted = toChannels(image, channels as 1 | 3);
  const resized = resizeImage(converted.data, converted.height, converted.width, channels, height, width);
  return applyPreprocessing(resized, channels, preprocessing);
}
