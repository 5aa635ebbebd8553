/**
 * How decoded pixels (uint8 0–255, R, G, B or gray) become the numbers a model takes. One
 * description for every model and every path: gradcam.json's normalization, the Keras presets,
 * `--mean/--std` and `--scale` all become a `Preprocessing`, and toModelInput (cam) and the
 * eval batches apply it the same way:
 *
 *     input[y, x, c] = (pixel[y, x, source(c)] / 255 − mean[c]) / std[c]
 *
 * with mean and std stated on pixels scaled to [0, 1] (as gradcam.json, torchvision's Normalize
 * and Keras's 'torch' mode state them) and source(c) = c for RGB models, 2 − c for BGR ones.
 *
 * The presets are exactly those of keras.applications.imagenet_utils.preprocess_input:
 * - 'tf':    x / 127.5 − 1                                      (MobileNet, Inception, Xception…)
 * - 'torch': (x / 255 − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225] per R, G, B (DenseNet…)
 * - 'caffe': RGB → BGR, then x − [103.939, 116.779, 123.68] per B, G, R, no scaling (VGG, ResNet50)
 *
 * Pure math: no TensorFlow.js, no files.
 */
import { InvalidValueError } from '../errors.js';
import type { PixelRange, PreprocessPreset } from '../choices.js';

export interface Preprocessing {
  /** 'bgr': the model's channel 0 is blue (Keras 'caffe'). Only for 3-channel models. */
  channelOrder: 'rgb' | 'bgr';
  /** Per model channel, on pixels scaled to [0, 1]. */
  mean: number[];
  /** Per model channel, on pixels scaled to [0, 1]; positive. */
  std: number[];
}

/** What the user asked for; resolved against the model's channel count by `resolvePreprocessing`. */
export type PreprocessingRequest =
  | { kind: 'preset'; preset: PreprocessPreset }
  | { kind: 'range'; range: PixelRange }
  /** Either may be missing: mean 0, std 1 per channel. One value applies to every channel. */
  | { kind: 'statistics'; mean?: number[]; std?: number[] };

/** ImageNet statistics (torchvision, Keras 'torch'), R, G, B on pixels in [0, 1]. */
const IMAGENET_MEAN_RGB = [0.485, 0.456, 0.406];
const IMAGENET_STD_RGB = [0.229, 0.224, 0.225];
/** Keras 'caffe': the ImageNet mean pixel in B, G, R order, on 0–255. */
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];

/**
 * The preprocessing a request means for a model with `channels` (1 or 3) input channels.
 * Throws InvalidValueError (naming the values, not an option) when the request does not fit the model:
 * 'torch' and 'caffe' are defined per RGB channel, so a grayscale model cannot use them.
 */
export function resolvePreprocessing(request: PreprocessingRequest, channels: 1 | 3): Preprocessing {
  switch (request.kind) {
    case 'preset':
      return presetPreprocessing(request.preset, channels);
    case 'range':
      return rangePreprocessing(request.range, channels);
    case 'statistics':
      return {
        channelOrder: 'rgb',
        mean: perChannel(request.mean ?? [0], channels, 'mean'),
        std: perChannel(request.std ?? [1], channels, 'std'),
      };
  }
}

function presetPreprocessing(preset: PreprocessPreset, channels: 1 | 3): Preprocessing {
  if (preset === 'tf') return uniform(0.5, 0.5, channels);
  if (channels !== 3) {
    throw new InvalidValueError(
      `'${preset}' is defined per R, G, B channel and the model takes ${channels}; give its mean and std instead`,
    );
  }
  if (preset === 'torch') return { channelOrder: 'rgb', mean: [...IMAGENET_MEAN_RGB], std: [...IMAGENET_STD_RGB] };
  // x − m on 0–255 = (x/255 − m/255) / (1/255).
  return { channelOrder: 'bgr', mean: CAFFE_MEAN_BGR.map((m) => m / 255), std: [1 / 255, 1 / 255, 1 / 255] };
}

/** `--scale`: a fixed range, the same for every channel. */
function rangePreprocessing(range: PixelRange, channels: 1 | 3): Preprocessing {
  switch (range) {
    case '0-1':
      return uniform(0, 1, channels);
    case '0-255':
      return uniform(0, 1 / 255, channels);
    case '-1-1':
      return uniform(0.5, 0.5, channels);
  }
}

function uniform(mean: number, std: number, channels: number): Preprocessing {
  return { channelOrder: 'rgb', mean: Array<number>(channels).fill(mean), std: Array<number>(channels).fill(std) };
}

/** One value for every channel, or one per channel. */
function perChannel(values: number[], channels: number, what: 'mean' | 'std'): number[] {
  if (values.length === channels) return [...values];
  if (values.length === 1) return Array<number>(channels).fill(values[0]);
  const allowed = channels === 1 ? '1' : `1 or ${channels}`;
  throw new InvalidValueError(
    `${values.length} ${what} values for a model with ${channels} input channel${channels === 1 ? '' : 's'}; give ${allowed}`,
  );
}

/**
 * Parses `R,G,B` (or one value) as given for mean or std, on pixels scaled to [0, 1]: a mean in
 * [0, 1], a std in (0, 1]. Values outside say the user gave 0–255 statistics (caffe's 103.939,
 * torchvision's std × 255 = 58.4), which would silently wreck every input, so they are refused
 * with the conversion to make. Throws InvalidValueError saying what is wrong (the caller names the option).
 */
export function parseChannelStatistics(text: string, what: 'mean' | 'std'): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const values = parts.map(Number);
  if (parts.length > 3 || parts.some((part) => part === '') || values.some((v) => !Number.isFinite(v))) {
    throw new InvalidValueError('expected 1 or 3 comma-separated numbers, e.g. 0.485,0.456,0.406');
  }
  const outside = what === 'mean' ? values.find((v) => v < 0 || v > 1) : values.find((v) => v <= 0 || v > 1);
  if (outside !== undefined) {
    const range = what === 'mean' ? 'from 0 to 1' : 'greater than 0 and at most 1';
    throw new InvalidValueError(
      `${what} ${outside} is not ${range}: values are on pixels scaled to 0..1 (divide 0..255 statistics by 255)`,
    );
  }
  return values;
}

/**
 * Per model channel, input = pixel · scale + offset for pixels on 0–255: the same numbers as the
 * formula at the top, folded into one multiply-add.
 */
export function channelAffine(preprocessing: Preprocessing): { scale: number[]; offset: number[] } {
  return {
    scale: preprocessing.std.map((std) => 1 / (255 * std)),
    offset: preprocessing.mean.map((mean, c) => -mean / preprocessing.std[c]),
  };
}

/** sources[c] = the pixel channel (0 = R) that model channel c reads; no order given means RGB. */
export function sourceChannels(
  { channelOrder }: { channelOrder?: Preprocessing['channelOrder'] },
  channels: number,
): number[] {
  const order = Array.from({ length: channels }, (_, c) => c);
  return channelOrder === 'bgr' ? order.reverse() : order;
}

/**
 * pixels: HWC values on 0–255 in R, G, B (or gray) order, `channels` per pixel, e.g. a resized
 * image. Returns a new float32 array of the same length, in the model's channel order and scale.
 */
export function applyPreprocessing(
  pixels: ArrayLike<number>,
  channels: number,
  preprocessing: Preprocessing,
): Float32Array {
  checkChannels(preprocessing, channels);
  const { scale, offset } = channelAffine(preprocessing);
  const sources = sourceChannels(preprocessing, channels);
  const input = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i += channels) {
    for (let c = 0; c < channels; c++) input[i + c] = pixels[i + sources[c]] * scale[c] + offset[c];
  }
  return input;
}

/**
 * values: HWC, `channels` per pixel, in the model's channel order (e.g. guided backpropagation's
 * ∂y/∂input). Returns them in R, G, B order, so a picture of them has the image's colours;
 * the values themselves are unchanged.
 */
export function toRgbOrder(values: Float32Array, channels: number, preprocessing: Preprocessing): Float32Array {
  checkChannels(preprocessing, channels);
  if (preprocessing.channelOrder === 'rgb') return values;
  const sources = sourceChannels(preprocessing, channels);
  const rgb = new Float32Array(values.length);
  for (let i = 0; i < values.length; i += channels) {
    for (let c = 0; c < channels; c++) rgb[i + sources[c]] = values[i + c];
  }
  return rgb;
}

/**
 * The pixel that becomes 0 in every model channel, on 0–255 in R, G, B (or gray) order: the mean
 * pixel the preprocessing subtracts (Keras 'tf': 127.5 gray; 'caffe' and 'torch': the ImageNet mean).
 */
export function zeroPixel(preprocessing: Preprocessing): number[] {
  const sources = sourceChannels(preprocessing, preprocessing.mean.length);
  const pixel = preprocessing.mean.map(() => 0);
  preprocessing.mean.forEach((mean, c) => (pixel[sources[c]] = mean * 255));
  return pixel;
}

function checkChannels(preprocessing: Preprocessing, channels: number): void {
  if (preprocessing.mean.length !== channels || preprocessing.std.length !== channels) {
    throw new RangeError(
      `preprocessing has ${preprocessing.mean.length} means and ${preprocessing.std.length} stds for ${channels} channels`,
    );
  }
  if (preprocessing.channelOrder === 'bgr' && channels !== 3)
    throw new RangeError(`BGR order needs 3 channels, not ${channels}`);
}

/**
 * One line for logs: `(x/255 − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225], RGB`, or, when
 * nothing is scaled (Keras 'caffe'), `x − [103.939, 116.779, 123.68], BGR`; x is the pixel on 0–255.
 */
export function describePreprocessing(preprocessing: Preprocessing): string {
  const list = (values: number[]) =>
    values.every((v) => v === values[0]) ? format(values[0]) : `[${values.map(format).join(', ')}]`;
  const order = preprocessing.channelOrder.toUpperCase();
  const { scale, offset } = channelAffine(preprocessing);
  if (scale.every((s) => Math.abs(s - 1) < 1e-9)) return `x − ${list(offset.map((o) => -o))}, ${order}`;
  return `(x/255 − ${list(preprocessing.mean)}) / ${list(preprocessing.std)}, ${order}`;
}

function format(value: number): string {
  return String(Number(value.toPrecision(6)));
}
