/**
 * Image and heatmap resizing, with OpenCV's conventions so results can be checked against
 * `cv2.resize`: bilinear with half-pixel centres (`INTER_LINEAR`) for enlarging a Grad-CAM map
 * to the input size, and area averaging (`INTER_AREA`) for shrinking photos to a model's input
 * without aliasing.
 *
 * All images are row-major H×W×C, channels interleaved (C = 1 for a map, 3 for RGB). Every
 * resize here is separable: each output row/column is a weighted sum of a few source
 * rows/columns, described per axis by a tap table, and applied width first, then height (the
 * order OpenCV uses). Arithmetic is float64 with a float32 result; rounding to bytes is the
 * caller's last step (`roundToBytes`).
 */

/** For one axis: which source positions each output position reads, and with what weight. */
interface AxisTaps {
  /** Source index of each tap, grouped by output position. */
  readonly sourceIndex: Int32Array;
  readonly weight: Float64Array;
  /** Taps of output position d are [start[d], start[d + 1]). Length = output size + 1. */
  readonly start: Int32Array;
}

/** Grows tap lists one output position at a time. */
class TapBuilder {
  private readonly sourceIndex: number[] = [];
  private readonly weight: number[] = [];
  private readonly start: number[] = [0];

  add(sourceIndex: number, weight: number): void {
    this.sourceIndex.push(sourceIndex);
    this.weight.push(weight);
  }

  endPosition(): void {
    this.start.push(this.sourceIndex.length);
  }

  build(): AxisTaps {
    return {
      sourceIndex: Int32Array.from(this.sourceIndex),
      weight: Float64Array.from(this.weight),
      start: Int32Array.from(this.start),
    };
  }
}

/**
 * Bilinear taps in OpenCV's `INTER_LINEAR` convention: pixel centres sit at integer + 0.5, so
 * output position d samples source coordinate `(d + 0.5) * sourceSize / targetSize - 0.5`.
 * Past the first or last source centre the edge pixel is repeated (weight 1), as OpenCV does;
 * this is why a 2-pixel map enlarged ×16 has flat 8-pixel bands at both ends.
 */
function bilinearTaps(sourceSize: number, targetSize: number): AxisTaps {
  const scale = sourceSize / targetSize;
  const taps = new TapBuilder();
  for (let target = 0; target < targetSize; target++) {
    const coordinate = (target + 0.5) * scale - 0.5;
    let left = Math.floor(coordinate);
    let fraction = coordinate - left;
    if (left < 0) {
      left = 0;
      fraction = 0;
    }
    if (left >= sourceSize - 1) {
      left = sourceSize - 1;
      fraction = 0;
    }
    taps.add(left, 1 - fraction);
    if (fraction > 0) taps.add(left + 1, fraction);
    taps.endPosition();
  }
  return taps.build();
}

/**
 * Area taps (OpenCV's `INTER_AREA` when shrinking): output position d is the average of the
 * source interval [d, d + 1) × sourceSize / targetSize, each source pixel weighted by how much
 * of it lies inside. Measured in units of 1 / targetSize of a source pixel, every boundary is
 * an integer, so the overlaps are exact and no pixel is dropped or counted twice by float
 * noise (OpenCV instead ignores overlaps under 1e-3 pixel for the same reason).
 * Also defined for enlarging (each output then reads one or two source pixels, box-style), but
 * `resizeImage` uses bilinear for that, which is smoother.
 */
function areaTaps(sourceSize: number, targetSize: number): AxisTaps {
  const taps = new TapBuilder();
  for (let target = 0; target < targetSize; target++) {
    const cellStart = target * sourceSize;
    const cellEnd = cellStart + sourceSize;
    const firstSource = Math.floor(cellStart / targetSize);
    const endSource = Math.ceil(cellEnd / targetSize);
    for (let source = firstSource; source < endSource; source++) {
      const overlap = Math.min(cellEnd, (source + 1) * targetSize) - Math.max(cellStart, source * targetSize);
      if (overlap > 0) taps.add(source, overlap / sourceSize);
    }
    taps.endPosition();
  }
  return taps.build();
}

function checkImage(
  source: Float32Array | Uint8Array,
  sourceHeight: number,
  sourceWidth: number,
  channels: number,
  targetHeight: number,
  targetWidth: number,
): void {
  for (const [label, size] of [
    ['source height', sourceHeight],
    ['source width', sourceWidth],
    ['channels', channels],
    ['target height', targetHeight],
    ['target width', targetWidth],
  ] as const) {
    if (!Number.isSafeInteger(size) || size < 1)
      throw new RangeError(`resize: ${label} must be a positive integer, got ${size}`);
  }
  const expected = sourceHeight * sourceWidth * channels;
  if (source.length !== expected) {
    throw new RangeError(
      `resize: source has ${source.length} values, expected ${sourceHeight}×${sourceWidth}×${channels} = ${expected}`,
    );
  }
}

/** Applies column taps to every source row, then row taps to the result. */
function resample(
  source: Float32Array | Uint8Array,
  sourceHeight: number,
  sourceWidth: number,
  channels: number,
  rowTaps: AxisTaps,
  columnTaps: AxisTaps,
): Float32Array {
  const targetHeight = rowTaps.start.length - 1;
  const targetWidth = columnTaps.start.length - 1;
  const sourceRowLength = sourceWidth * channels;
  const targetRowLength = targetWidth * channels;

  // Width pass, kept in float64 so the two passes round once, at the end.
  const widthResized = new Float64Array(sourceHeight * targetRowLength);
  for (let row = 0; row < sourceHeight; row++) {
    for (let column = 0; column < targetWidth; column++) {
      for (let tap = columnTaps.start[column]; tap < columnTaps.start[column + 1]; tap++) {
        const from = row * sourceRowLength + columnTaps.sourceIndex[tap] * channels;
        const to = row * targetRowLength + column * channels;
        const weight = columnTaps.weight[tap];
        for (let channel = 0; channel < channels; channel++)
          widthResized[to + channel] += weight * source[from + channel];
      }
    }
  }

  const target = new Float64Array(targetHeight * targetRowLength);
  for (let row = 0; row < targetHeight; row++) {
    for (let tap = rowTaps.start[row]; tap < rowTaps.start[row + 1]; tap++) {
      const from = rowTaps.sourceIndex[tap] * targetRowLength;
      const to = row * targetRowLength;
      const weight = rowTaps.weight[tap];
      for (let offset = 0; offset < targetRowLength; offset++)
        target[to + offset] += weight * widthResized[from + offset];
    }
  }
  return new Float32Array(target);
}

/**
 * Bilinear resize with half-pixel centres, the convention of
 * `cv2.resize(src, (targetWidth, targetHeight), interpolation=cv2.INTER_LINEAR)`; on float32
 * input it agrees with OpenCV to float32 precision. Meant for enlarging (a Grad-CAM map to the
 * image size); shrinking by more than 2× skips source pixels and aliases — use `resizeArea`.
 *
 * @param source row-major H×W×C values (any range; Uint8Array images are read as 0–255)
 * @returns Float32Array of targetHeight×targetWidth×channels, same layout; each value is a
 *   convex combination of source values, so the range stays within the source's min..max.
 * @throws RangeError if a size is not a positive integer or `source.length` ≠ H×W×C.
 */
export function resizeBilinear(
  source: Float32Array | Uint8Array,
  sourceHeight: number,
  sourceWidth: number,
  channels: number,
  targetHeight: number,
  targetWidth: number,
): Float32Array {
  checkImage(source, sourceHeight, sourceWidth, channels, targetHeight, targetWidth);
  return resample(
    source,
    sourceHeight,
    sourceWidth,
    channels,
    bilinearTaps(sourceHeight, targetHeight),
    bilinearTaps(sourceWidth, targetWidth),
  );
}

/**
 * Area-averaging resize (box filter): each output pixel is the mean of the source area it
 * covers, partial pixels weighted by their covered fraction. When shrinking along both axes
 * this is `cv2.resize(..., interpolation=cv2.INTER_AREA)`, for integer and non-integer factors.
 *
 * @param source row-major H×W×C values (any range; Uint8Array images are read as 0–255)
 * @returns Float32Array of targetHeight×targetWidth×channels, same layout and value range.
 * @throws RangeError if a size is not a positive integer or `source.length` ≠ H×W×C.
 */
export function resizeArea(
  source: Float32Array | Uint8Array,
  sourceHeight: number,
  sourceWidth: number,
  channels: number,
  targetHeight: number,
  targetWidth: number,
): Float32Array {
  checkImage(source, sourceHeight, sourceWidth, channels, targetHeight, targetWidth);
  return resample(
    source,
    sourceHeight,
    sourceWidth,
    channels,
    areaTaps(sourceHeight, targetHeight),
    areaTaps(sourceWidth, targetWidth),
  );
}

/**
 * Resizes with the right filter per axis: area averaging along an axis that shrinks (no
 * aliasing when a photo becomes 32×32), bilinear along an axis that grows or keeps its size
 * (both are then the identity). The choice is per axis because a 20×100 strip going to 32×32
 * must lose width without aliasing while gaining height smoothly; both filters are separable,
 * so mixing them is well defined (it equals `INTER_AREA` along one axis followed by
 * `INTER_LINEAR` along the other).
 *
 * @param source row-major H×W×C values (any range; Uint8Array images are read as 0–255)
 * @returns Float32Array of targetHeight×targetWidth×channels, same layout and value range.
 * @throws RangeError if a size is not a positive integer or `source.length` ≠ H×W×C.
 */
export function resizeImage(
  source: Float32Array | Uint8Array,
  sourceHeight: number,
  sourceWidth: number,
  channels: number,
  targetHeight: number,
  targetWidth: number,
): Float32Array {
  checkImage(source, sourceHeight, sourceWidth, channels, targetHeight, targetWidth);
  const tapsFor = (sourceSize: number, targetSize: number) =>
    targetSize < sourceSize ? areaTaps(sourceSize, targetSize) : bilinearTaps(sourceSize, targetSize);
  return resample(
    source,
    sourceHeight,
    sourceWidth,
    channels,
    tapsFor(sourceHeight, targetHeight),
    tapsFor(sourceWidth, targetWidth),
  );
}

/**
 * Float pixel values to bytes: clamp to 0..255 and round half to even (NaN → 0), the rounding of
 * a Uint8ClampedArray store and of OpenCV's `saturate_cast<uchar>`.
 *
 * @param values Float32Array of pixel values, nominally 0–255
 * @returns Uint8Array of the same length, values 0–255
 */
export function roundToBytes(values: Float32Array): Uint8Array {
  const clamped = new Uint8ClampedArray(values);
  return new Uint8Array(clamped.buffer, clamped.byteOffset, clamped.length);
}
