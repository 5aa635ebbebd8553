/**
 * A small bitmap font for captions drawn into pictures, so render needs no font file, no
 * rasterizer and no external binary: printable ASCII (32–126) plus an ellipsis, each glyph 5
 * pixels wide and 8 high (rows 0–6 stand on the baseline, row 7 holds descenders: g j p q y , ;).
 * Characters outside the table are drawn as `?`.
 *
 * Text is laid out on a grid of cells GLYPH_ADVANCE wide (one blank column between glyphs) and
 * LINE_HEIGHT high (one blank row above and below); `scale` enlarges every pixel to scale×scale.
 */
import type { RgbImage } from './compose.js';

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 8;
/** Horizontal distance between the left edges of neighbouring glyphs, at scale 1. */
export const GLYPH_ADVANCE = 6;
/** Height of one line of text including a blank row above and below, at scale 1. */
export const LINE_HEIGHT = 10;

export const ELLIPSIS = '\u2026';

/*
 * The glyphs of characters 32 (space) to 126 (~), in order, 8 bytes each: one byte per row from
 * the top, bit 4 the leftmost pixel and bit 0 the rightmost. Drawn by hand for this project; e.g.
 * 'A' is 0e 11 11 1f 11 11 11 00:
 *   .###.
 *   #...#
 *   #...#
 *   #####
 *   #...#
 *   #...#
 *   #...#
 *   .....
 */
const ASCII_GLYPHS_HEX =
  '000000000000000004040404040004000a0a0a00000000000a0a1f0a1f0a0a00040f140e051e04001819020408130300' +
  '0c12140815120d000404040000000000020408080804020008040202020408000004150e150400000004041f04040000' +
  '00000000000404080000001f00000000000000000000040000010204081000000e11131519110e00040c040404040e00' +
  '0e11010204081f001f02040201110e0002060a121f0202001f101e0101110e000608101e11110e001f01020408080800' +
  '0e11110e11110e000e11110f01020c0000000400000400000000040000040408020408100804020000001f001f000000' +
  '08040201020408000e110102040004000e11010d15150e000e11111f111111001e11111e11111e000e11101010110e00' +
  '1c12111111121c001f10101e10101f001f10101e101010000e11101711110f001111111f111111000e04040404040e00' +
  '0702020202120c0011121418141211001010101010101f00111b15151111110011111915131111000e11111111110e00' +
  '1e11111e101010000e11111115120d001e11111e141211000f10100e01011e001f040404040404001111111111110e00' +
  '11111111110a04001111111515150a0011110a040a11110011110a04040404001f01020408101f000e08080808080e00' +
  '00100804020100000e02020202020e00040a1100000000000000000000001f00080402000000000000000e010f110f00' +
  '1010161911111e0000000e1010110e0001010d1311110f0000000e111f100e000609081c0808080000000f11110f010e' +
  '101016191111110004000c0404040e00020006020202120c10101214181412000c04040404040e0000001a1515111100' +
  '000016191111110000000e1111110e0000001e11111e101000000f11110f0101000016191010100000000e100e011e00' +
  '08081c08080906000000111111130d0000001111110a04000000111115150a000000110a040a110000001111110f010e' +
  '00001f0204081f000304040804040300040404040404040018040402040418000000081502000000';

/** '…': three dots on the baseline, one cell wide (truncated names cost one cell, not three). */
const ELLIPSIS_GLYPH_HEX = '0000000000001500';

const FIRST_CODE = 32;
const LAST_CODE = 126;

/** The ellipsis sits right after the ASCII glyphs. */
const ELLIPSIS_SLOT = LAST_CODE - FIRST_CODE + 1;
const glyphs: Uint8Array = decodeHex(ASCII_GLYPHS_HEX + ELLIPSIS_GLYPH_HEX);

function decodeHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++)
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  if (bytes.length !== (ELLIPSIS_SLOT + 1) * GLYPH_HEIGHT)
    throw new Error(`font table has ${bytes.length} bytes, expected ${(ELLIPSIS_SLOT + 1) * GLYPH_HEIGHT}`);
  return bytes;
}

/** The table slot of one character (a code point): its ASCII glyph, the ellipsis, or '?'. */
function slotOf(character: string): number {
  if (character === ELLIPSIS) return ELLIPSIS_SLOT;
  const code = character.codePointAt(0) ?? 0;
  return code >= FIRST_CODE && code <= LAST_CODE ? code - FIRST_CODE : '?'.charCodeAt(0) - FIRST_CODE;
}

/**
 * Whether the glyph of `character` has a pixel at column `x` (0 = left, < GLYPH_WIDTH) and row `y`
 * (0 = top, < GLYPH_HEIGHT).
 */
export function glyphPixel(character: string, x: number, y: number): boolean {
  const row = glyphs[slotOf(character) * GLYPH_HEIGHT + y];
  return ((row >> (GLYPH_WIDTH - 1 - x)) & 1) === 1;
}

/**
 * Width in pixels of `text` drawn at `scale`: one cell per character (a code point), without the
 * blank column after the last one. 0 for ''.
 */
export function textWidth(text: string, scale = 1): number {
  const characters = [...text].length;
  return characters === 0 ? 0 : (characters * GLYPH_ADVANCE - 1) * scale;
}

/**
 * `text` if it fits in `maxWidth` pixels at `scale`; otherwise its longest prefix that fits with
 * an ellipsis after it ('' when not even the ellipsis fits). Trailing spaces of the prefix are
 * dropped, so "truck driver" cut after "truck " reads "truck…".
 */
export function fitText(text: string, maxWidth: number, scale = 1): string {
  if (textWidth(text, scale) <= maxWidth) return text;
  const characters = [...text];
  for (let keep = characters.length - 1; keep >= 0; keep--) {
    const candidate = `${characters.slice(0, keep).join('').trimEnd()}${ELLIPSIS}`;
    if (textWidth(candidate, scale) <= maxWidth) return candidate;
  }
  return '';
}

/**
 * Draws `text` into `image` in place, glyph pixels only (the background is left alone), with the
 * top-left corner of the first glyph at (`left`, `top`); pixels outside the image are clipped.
 *
 * @param image RGB picture, height×width×3 bytes, modified in place
 * @param color [R, G, B], 0–255
 * @param scale positive integer: each font pixel becomes scale×scale image pixels
 */
export function drawText(
  image: RgbImage,
  text: string,
  left: number,
  top: number,
  color: readonly [number, number, number],
  scale = 1,
): void {
  if (!Number.isSafeInteger(scale) || scale < 1)
    throw new RangeError(`drawText: scale must be a positive integer, got ${scale}`);
  let cellLeft = left;
  for (const character of text) {
    for (let y = 0; y < GLYPH_HEIGHT; y++) {
      for (let x = 0; x < GLYPH_WIDTH; x++) {
        if (glyphPixel(character, x, y)) fillSquare(image, cellLeft + x * scale, top + y * scale, scale, color);
      }
    }
    cellLeft += GLYPH_ADVANCE * scale;
  }
}

function fillSquare(
  image: RgbImage,
  left: number,
  top: number,
  size: number,
  color: readonly [number, number, number],
): void {
  for (let y = Math.max(0, top); y < Math.min(image.height, top + size); y++) {
    for (let x = Math.max(0, left); x < Math.min(image.width, left + size); x++) {
      const offset = (y * image.width + x) * 3;
      image.data[offset] = color[0];
      image.data[offset + 1] = color[1];
      image.data[offset + 2] = color[2];
    }
  }
}
