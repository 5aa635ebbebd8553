import { describe, expect, it } from 'vitest';
import {
  drawText,
  ELLIPSIS,
  fitText,
  glyphPixel,
  GLYPH_HEIGHT,
  GLYPH_WIDTH,
  textWidth,
} from '../../src/render/bitmap-font.js';
import type { RgbImage } from '../../src/render/compose.js';

const PRINTABLE = Array.from({ length: 95 }, (_, index) => String.fromCharCode(32 + index));

function blank(width: number, height: number, value = 0): RgbImage {
  return { data: new Uint8Array(width * height * 3).fill(value), width, height };
}

/** The picture as rows of '#' (pure white) and '.' (pure black); anything else fails. */
function art(image: RgbImage): string[] {
  const rows: string[] = [];
  for (let y = 0; y < image.height; y++) {
    let row = '';
    for (let x = 0; x < image.width; x++) {
      const pixel = Array.from(image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));
      if (pixel.every((value) => value === 255)) row += '#';
      else if (pixel.every((value) => value === 0)) row += '.';
      else throw new Error(`pixel (${x}, ${y}) is ${pixel.join(',')}`);
    }
    rows.push(row);
  }
  return rows;
}

describe('bitmap font', () => {
  it('draws a known string pixel for pixel', () => {
    const image = blank(17, 8);
    drawText(image, 'Hi!', 0, 0, [255, 255, 255]);
    expect(art(image)).toEqual([
      '#...#...#.....#..',
      '#...#.........#..',
      '#...#..##.....#..',
      '#####...#.....#..',
      '#...#...#.....#..',
      '#...#...#........',
      '#...#..###....#..',
      '.................',
    ]);
  });

  it('puts descenders on the last row and scales each pixel to a square', () => {
    const image = blank(12, 18);
    drawText(image, 'g', 1, 1, [255, 255, 255], 2);
    expect(art(image)).toEqual([
      '............',
      '............',
      '............',
      '............',
      '............',
      '...########.',
      '...########.',
      '.##......##.',
      '.##......##.',
      '.##......##.',
      '.##......##.',
      '...########.',
      '...########.',
      '.........##.',
      '.........##.',
      '...######...',
      '...######...',
      '............',
    ]);
  });

  it('clips at the picture edges and leaves the background alone', () => {
    const image = blank(4, 3, 0);
    drawText(image, 'T', -1, -1, [255, 255, 255]);
    // 'T' is ##### / ..#.. ; shifted up-left by one: row 1 of the glyph lands on row 0.
    expect(art(image)).toEqual(['.#..', '.#..', '.#..']);
    expect(() => drawText(image, 'x', 0, 0, [1, 2, 3], 0)).toThrow(/scale/);
  });

  it('has a distinct glyph for every printable ASCII character, 5 pixels wide, descenders only where they belong', () => {
    const bitmaps = PRINTABLE.map((character) => {
      let bits = '';
      for (let y = 0; y < GLYPH_HEIGHT; y++)
        for (let x = 0; x < GLYPH_WIDTH; x++) bits += glyphPixel(character, x, y) ? '1' : '0';
      return bits;
    });
    expect(new Set(bitmaps).size).toBe(95);
    expect(bitmaps.filter((bits) => !bits.includes('1'))).toEqual(['0'.repeat(40)]); // only the space is empty
    const descenders = PRINTABLE.filter((_, index) => bitmaps[index].slice(35).includes('1'));
    expect(descenders.join('')).toBe(',;gjpqy');
  });

  it('draws characters outside the table as ?', () => {
    const unknown = blank(5, 8);
    const question = blank(5, 8);
    drawText(unknown, 'é', 0, 0, [255, 255, 255]);
    drawText(question, '?', 0, 0, [255, 255, 255]);
    expect(unknown.data).toEqual(question.data);
  });
});

describe('textWidth and fitText', () => {
  it('counts cells of 6 pixels without the trailing gap', () => {
    expect(textWidth('')).toBe(0);
    expect(textWidth('a')).toBe(5);
    expect(textWidth('abc')).toBe(17);
    expect(textWidth('abc', 2)).toBe(34);
    expect(textWidth('猫🐈')).toBe(11); // code points, not UTF-16 units
  });

  it('keeps text that fits and cuts the rest with an ellipsis', () => {
    expect(fitText('truck', 29)).toBe('truck');
    expect(fitText('truck driver', 41)).toBe(`truck${ELLIPSIS}`); // 7 cells would be 41 px: "truck d…"; the space is dropped
    expect(fitText('truck driver', 47)).toBe(`truck d${ELLIPSIS}`);
    expect(fitText('airplane', 11)).toBe(`a${ELLIPSIS}`);
    expect(fitText('airplane', 10)).toBe(ELLIPSIS);
    expect(fitText('airplane', 4)).toBe('');
    expect(textWidth(fitText('automobile', 40, 2), 2)).toBeLessThanOrEqual(40);
  });
});
