/**
 * The image series behind the deletion and insertion metrics (Petsiuk et al. 2018, RISE, §4.1):
 * S + 1 copies of an image in which the first k/S of the pixels, in order of decreasing saliency,
 * are replaced. Deletion replaces them with the dataset mean pixel (0 after normalization), so a
 * faithful map makes the class probability fall fast; insertion starts from a blurred copy and
 * puts original pixels back, so a faithful map makes it rise fast.
 *
 * A pixel is replaced with all its channels, as in RISE.
 */

/**
 * Builds the series: copy k (k = 0 … steps) equals `start`, except that the pixels
 * order[0 … round(k · pixels / steps)) hold their value from `finish`. Copy 0 is `start` and copy
 * `steps` is `finish`.
 *
 * @param start, finish float32 [height × width × channels] HWC, same length, any range
 * @param order Int32Array [height × width]: pixel indices (y · width + x), a permutation
 * @param steps S ≥ 1
 * @returns float32 [(S + 1) × height × width × channels], the copies one after another
 */
export function perturbationSeries(
  start: Float32Array,
  finish: Float32Array,
  order: Int32Array,
  steps: number,
  channels: number,
): Float32Array {
  const size = start.length;
  const pixels = order.length;
  if (finish.length !== size || pixels * channels !== size) {
    throw new RangeError(
      `perturbationSeries: start ${start.length}, finish ${finish.length} and ${pixels} pixels × ${channels} channels disagree`,
    );
  }
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`perturbationSeries: steps must be a positive integer, got ${steps}`);
  const series = new Float32Array((steps + 1) * size);
  series.set(start, 0);
  let changed = 0;
  for (let k = 1; k <= steps; k++) {
    const copy = k * size;
    // Each copy continues from the previous one: only the pixels newly due are written.
    series.copyWithin(copy, copy - size, copy);
    const due = Math.round((k * pixels) / steps);
    for (; changed < due; changed++) {
      const at = order[changed] * channels;
      for (let c = 0; c < channels; c++) series[copy + at + c] = finish[at + c];
    }
  }
  return series;
}

/**
 * Deletion: from the image to an image of `removedValue` pixels (per channel; 0 for a
 * normalized image, i.e. the dataset mean).
 *
 * @param image float32 [height × width × channels] HWC
 * @returns float32 [(S + 1) × height × width × channels]
 */
export function deletionSeries(
  image: Float32Array,
  order: Int32Array,
  steps: number,
  channels: number,
  removedValue: readonly number[],
): Float32Array {
  const removed = Float32Array.from({ length: image.length }, (_, i) => removedValue[i % channels]);
  return perturbationSeries(image, removed, order, steps, channels);
}

/**
 * Insertion: from `blurred` (see blur.ts) back to the image.
 *
 * @param image, blurred float32 [height × width × channels] HWC
 * @returns float32 [(S + 1) × height × width × channels]
 */
export function insertionSeries(
  image: Float32Array,
  blurred: Float32Array,
  order: Int32Array,
  steps: number,
  channels: number,
): Float32Array {
  return perturbationSeries(blurred, image, order, steps, channels);
}
