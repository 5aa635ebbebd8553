/**
 * The blurred starting image of the insertion metric (Petsiuk et al. 2018, RISE, §4.1: "we start
 * with a highly blurred image"). RISE's code blurs with an 11 × 11 Gaussian kernel of σ = 5
 * pixels (`gkern(klen=11, nsig=5)`), convolved with zero padding on the *normalized* image, so
 * the border fades towards the dataset mean. We use the same kernel size, σ and padding.
 *
 * Difference from RISE: its kernel is `scipy.ndimage.gaussian_filter` of a unit impulse, whose
 * tails beyond the 11 × 11 window are folded back in by reflection; ours is the Gaussian sampled
 * on the window and divided by its sum. Both sum to 1 and differ by a few percent at the corners.
 */

export const RISE_BLUR = { size: 11, sigma: 5 } as const;

/**
 * A 1-D Gaussian sampled at integer offsets −(size−1)/2 … (size−1)/2, divided by its sum.
 *
 * @param size odd positive integer
 * @param sigma standard deviation in pixels, > 0
 * @returns Float64Array [size], positive, symmetric, summing to 1
 */
export function gaussianKernel(size: number, sigma: number): Float64Array {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0)
    throw new RangeError(`gaussianKernel: size must be an odd positive integer, got ${size}`);
  if (!(sigma > 0)) throw new RangeError(`gaussianKernel: sigma must be positive, got ${sigma}`);
  const radius = (size - 1) / 2;
  const kernel = Float64Array.from({ length: size }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((sum, value) => sum + value, 0);
  return kernel.map((value) => value / total);
}

/**
 * Separable Gaussian blur of each channel with zero padding: out = K ⋆ (K ⋆ image) along rows
 * then columns, where K = gaussianKernel(size, sigma). On a normalized image zero is the
 * dataset mean, so the border is blurred towards the mean pixel.
 *
 * @param image float32 [height × width × channels], HWC row-major, any range
 * @returns float32 [height × width × channels], same layout
 */
export function gaussianBlur(
  image: Float32Array,
  height: number,
  width: number,
  channels: number,
  size: number = RISE_BLUR.size,
  sigma: number = RISE_BLUR.sigma,
): Float32Array {
  if (image.length !== height * width * channels) {
    throw new RangeError(`gaussianBlur: image has ${image.length} values, expected ${height}×${width}×${channels}`);
  }
  const kernel = gaussianKernel(size, sigma);
  const radius = (size - 1) / 2;
  const rows = new Float64Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < size; k++) {
          const sourceX = x + k - radius;
          if (sourceX >= 0 && sourceX < width) sum += kernel[k] * image[(y * width + sourceX) * channels + c];
        }
        rows[(y * width + x) * channels + c] = sum;
      }
    }
  }
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < size; k++) {
          const sourceY = y + k - radius;
          if (sourceY >= 0 && sourceY < height) sum += kernel[k] * rows[(sourceY * width + x) * channels + c];
        }
        out[(y * width + x) * channels + c] = sum;
      }
    }
  }
  return out;
}
