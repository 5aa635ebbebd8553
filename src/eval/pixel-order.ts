/**
 * Which pixels the deletion and insertion metrics change first: the map upsampled to the input
 * size, its pixels in decreasing order of value.
 */
import { resizeBilinear } from '../io/resize.js';
import type { Random } from '../random.js';

/**
 * A CAM map enlarged to the input size the way `render` draws it: bilinear with half-pixel
 * centres (cv2.resize INTER_LINEAR).
 *
 * @param map float32 [mapHeight × mapWidth] row-major, values in [0, 1]
 * @returns float32 [height × width] row-major, values within the map's min…max
 */
export function upsampleMap(
  map: Float32Array,
  mapHeight: number,
  mapWidth: number,
  height: number,
  width: number,
): Float32Array {
  if (mapHeight === height && mapWidth === width) return map.slice();
  return resizeBilinear(map, mapHeight, mapWidth, 1, height, width);
}

/**
 * Pixel indices by decreasing saliency. Equal values (a ReLU-ed map is flat zero over large
 * areas, and bilinear upsampling keeps those plateaus) are ordered by `tieBreak` ascending, a
 * seeded random key per pixel: ordering ties by index instead would always remove the top rows
 * first and add a systematic, map-independent bias to the curves. Remaining ties go by index.
 *
 * @param saliency float32 [pixels], any range (NaN is not allowed)
 * @param tieBreak float32 [pixels], any values (e.g. uniform in [0, 1))
 * @returns Int32Array [pixels]: a permutation of 0 … pixels − 1, most salient first
 */
export function saliencyOrder(saliency: Float32Array, tieBreak: Float32Array): Int32Array {
  if (tieBreak.length !== saliency.length) {
    throw new RangeError(`saliencyOrder: ${saliency.length} saliency values but ${tieBreak.length} tie-break keys`);
  }
  const order = Int32Array.from({ length: saliency.length }, (_, i) => i);
  return order.sort((a, b) => saliency[b] - saliency[a] || tieBreak[a] - tieBreak[b] || a - b);
}

/**
 * `count` uniform values in [0, 1) from `random`: a random map (the baseline every method must
 * beat) or the tie-break keys of `saliencyOrder`.
 *
 * @returns float32 [count], values in [0, 1)
 */
export function uniformValues(random: Random, count: number): Float32Array {
  return Float32Array.from({ length: count }, () => random.nextFloat());
}
