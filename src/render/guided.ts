/**
 * Guided Grad-CAM (signed gradients at the input size) as a picture, normalized the way
 * pytorch-grad-cam's `deprocess_image` does it (after keras-grad-cam): centre on the mean, divide
 * by the standard deviation + 1e-5, scale by 0.1 and shift to 0.5, clip to [0, 1], then ×255
 * truncated to a byte. So the mean is mid-gray (127), ±1 standard deviation is ±25 levels, and
 * anything beyond ±5 standard deviations saturates; the sign stays visible as darker / brighter.
 */
import { resizeImage, roundToBytes } from '../io/resize.js';
import type { RgbImage } from './compose.js';

/**
 * @param values float32 [height × width × channels] row-major, any finite values (signed)
 * @param channels 1 (repeated to gray RGB) or 3
 * @returns Uint8Array [height × width × 3], RGB bytes 0–255
 *
 * Mean and standard deviation are over all values of the picture, every channel (numpy's `np.mean`
 * / `np.std`, population std). Computed in float64; numpy on a float32 array computes in float32,
 * so a value that lands exactly on a byte boundary may come out one level apart.
 */
export function guidedToRgb(values: Float32Array, channels: 1 | 3): Uint8Array {
  let mean = 0;
  for (const value of values) mean += value;
  mean /= values.length;
  let variance = 0;
  for (const value of values) variance += (value - mean) ** 2;
  const std = Math.sqrt(variance / values.length);
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const unit = Math.min(1, Math.max(0, ((values[i] - mean) / (std + 1e-5)) * 0.1 + 0.5));
    bytes[i] = Math.trunc(unit * 255);
  }
  if (channels === 3) return bytes;
  const rgb = new Uint8Array(values.length * 3);
  for (let i = 0; i < values.length; i++) rgb.fill(bytes[i], i * 3, i * 3 + 3);
  return rgb;
}

/**
 * Guided Grad-CAM values (float32 [rows × columns × channels], the model's input size) as an RGB
 * picture of width × height: normalized by guidedToRgb, then resized (bilinear, rounded to bytes)
 * like the original image when the sizes differ.
 */
export function guidedPicture(
  values: Float32Array,
  [rows, columns, channels]: [number, number, 1 | 3],
  width: number,
  height: number,
): RgbImage {
  const picture = guidedToRgb(values, channels);
  const data =
    rows === height && columns === width
      ? picture
      : roundToBytes(resizeImage(picture, rows, columns, 3, height, width));
  return { data, width, height };
}
