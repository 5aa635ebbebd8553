/**
 * Putting pictures together for `gradcam render`: a heatmap blended over its image, gray images
 * widened to RGB, and a contact sheet with one row per explained image.
 * All pictures are row-major H×W×3 RGB bytes.
 */

/**
 * Blends a colored heatmap over an image: `(1 − alpha) · image + alpha · heatmap` per channel,
 * rounded half to even and clamped to 0..255 (a Uint8ClampedArray store does both), the
 * rounding OpenCV's `saturate_cast` uses.
 *
 * Agreement with `cv2.addWeighted(image, 1 - alpha, heatmap, alpha, 0)`: exact for alpha 0,
 * 0.25, 0.4, 0.5, 0.6, 0.75, 1 over all 256×256 byte pairs; for alpha 0.1, 0.3, 0.7, 0.9 up to
 * 1.7% of pairs differ by 1. Those pairs sit exactly on a .5 tie in exact arithmetic, and OpenCV
 * breaks it by its float32 rounding error while we break it by float64's.
 *
 * @param image Uint8Array H×W×3, 0–255
 * @param heatmap Uint8Array H×W×3 (same length as `image`), 0–255
 * @param alpha heatmap weight in [0, 1]: 0 returns the image, 1 the heatmap
 * @returns a new Uint8Array H×W×3, 0–255
 * @throws RangeError if the lengths differ or alpha is outside [0, 1]
 */
export function blend(image: Uint8Array, heatmap: Uint8Array, alpha: number): Uint8Array {
  if (image.length !== heatmap.length) {
    throw new RangeError(
      `blend: image has ${image.length} bytes but heatmap has ${heatmap.length}; expected equal sizes`,
    );
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`blend: alpha must be in [0, 1], got ${alpha}`);
  const blended = new Uint8ClampedArray(image.length);
  for (let index = 0; index < image.length; index++) {
    blended[index] = (1 - alpha) * image[index] + alpha * heatmap[index];
  }
  return new Uint8Array(blended.buffer);
}

/**
 * Widens a one-channel image to RGB by repeating each value, so MNIST digits can be blended and
 * tiled like color photos.
 *
 * @param gray Uint8Array H×W, 0–255
 * @returns a new Uint8Array H×W×3 with R = G = B = the gray value
 */
export function grayToRgb(gray: Uint8Array): Uint8Array {
  const rgb = new Uint8Array(gray.length * 3);
  for (let index = 0; index < gray.length; index++) rgb.fill(gray[index], index * 3, index * 3 + 3);
  return rgb;
}

/** One row of a contact sheet: three RGB tiles of the sheet's tile size, and maybe a caption. */
export interface ContactSheetRow {
  original: Uint8Array;
  heatmap: Uint8Array;
  blend: Uint8Array;
  /** A band drawn right above the tiles, as wide as the three tiles and the two gaps between them. */
  caption?: RgbImage;
}

/** An RGB picture: `data` is height×width×3 bytes, row-major. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Color of the gaps between tiles: white, so dark tiles stay distinguishable. */
const GAP_VALUE = 255;

/** Default pixels between and around the tiles of a contact sheet. */
export const CONTACT_SHEET_GAP = 2;

/** Width of a row caption on a contact sheet: the three tiles and the two gaps between them. */
export function sheetCaptionWidth(tileWidth: number, gap = CONTACT_SHEET_GAP): number {
  return 3 * tileWidth + 2 * gap;
}

/**
 * Lays rows of (original | heatmap | blend) tiles out in one picture, separated and framed by
 * `gap` pixels of white, each row under its caption band if it has one. With R rows the result is
 * width = 3·tileWidth + 4·gap, height = R·tileHeight + (R + 1)·gap + the captions' heights.
 *
 * @param rows each tile a Uint8Array tileHeight×tileWidth×3, 0–255; at least one row
 * @param tileWidth, tileHeight tile size in pixels, positive integers
 * @param gap pixels between and around tiles, a non-negative integer (default CONTACT_SHEET_GAP, 2)
 * @returns the sheet as an RgbImage
 * @throws RangeError for no rows, bad sizes, or a tile whose length is not tileHeight×tileWidth×3
 */
export function contactSheet(
  rows: readonly ContactSheetRow[],
  tileWidth: number,
  tileHeight: number,
  gap = CONTACT_SHEET_GAP,
): RgbImage {
  if (rows.length === 0) throw new RangeError('contactSheet: no rows given; expected at least one');
  if (!Number.isSafeInteger(tileWidth) || tileWidth < 1 || !Number.isSafeInteger(tileHeight) || tileHeight < 1) {
    throw new RangeError(`contactSheet: tile size must be positive integers, got ${tileWidth}×${tileHeight}`);
  }
  if (!Number.isSafeInteger(gap) || gap < 0)
    throw new RangeError(`contactSheet: gap must be a non-negative integer, got ${gap}`);

  const width = 3 * tileWidth + 4 * gap;
  const captionWidth = sheetCaptionWidth(tileWidth, gap);
  const captionsHeight = rows.reduce((sum, row) => sum + (row.caption?.height ?? 0), 0);
  const height = rows.length * tileHeight + (rows.length + 1) * gap + captionsHeight;
  const data = new Uint8Array(width * height * 3).fill(GAP_VALUE);
  const tileBytes = tileWidth * tileHeight * 3;

  let rowTop = gap;
  rows.forEach((row, rowIndex) => {
    if (row.caption) {
      const { caption } = row;
      if (caption.width !== captionWidth || caption.data.length !== caption.width * caption.height * 3) {
        throw new RangeError(
          `contactSheet: row ${rowIndex} caption is ${caption.width} px wide, expected ${captionWidth}`,
        );
      }
      for (let y = 0; y < caption.height; y++) {
        data.set(
          caption.data.subarray(y * captionWidth * 3, (y + 1) * captionWidth * 3),
          ((rowTop + y) * width + gap) * 3,
        );
      }
      rowTop += caption.height;
    }
    const top = rowTop;
    rowTop += tileHeight + gap;
    const tiles = [row.original, row.heatmap, row.blend];
    tiles.forEach((tile, column) => {
      if (tile.length !== tileBytes) {
        const name = (['original', 'heatmap', 'blend'] as const)[column];
        throw new RangeError(
          `contactSheet: row ${rowIndex} ${name} has ${tile.length} bytes, expected ${tileHeight}×${tileWidth}×3 = ${tileBytes}`,
        );
      }
      const left = gap + column * (tileWidth + gap);
      for (let y = 0; y < tileHeight; y++) {
        const from = y * tileWidth * 3;
        data.set(tile.subarray(from, from + tileWidth * 3), ((top + y) * width + left) * 3);
      }
    });
  });
  return { data, width, height };
}
