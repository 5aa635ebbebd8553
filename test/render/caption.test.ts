import { describe, expect, it } from 'vitest';
import { drawText, ELLIPSIS, LINE_HEIGHT } from '../../src/render/bitmap-font.js';
import {
  captionFactsOf,
  captionScale,
  captionText,
  drawCaption,
  stackCaption,
  type CaptionFacts,
} from '../../src/render/caption.js';
import { contactSheet, type RgbImage } from '../../src/render/compose.js';
import { maxDifference } from '../helpers/compare.js';

const RIGHT: CaptionFacts = {
  label: 'cat',
  correct: true,
  predicted: { name: 'cat', probability: 0.8734 },
  target: { name: 'cat' },
  method: 'gradcam',
};
const WRONG: CaptionFacts = {
  label: 'cat',
  correct: false,
  predicted: { name: 'dog', probability: 0.51 },
  target: { name: 'dog' },
  method: 'hirescam',
};
const UNKNOWN: CaptionFacts = {
  predicted: { name: '7', probability: 0.99 },
  target: { name: '3' },
  method: 'gradcam++',
};

/** A band of one colour with `lines` drawn where drawCaption promises: x = 2·scale, y = (2 + 10·row + 1)·scale. */
function expectedBand(
  width: number,
  scale: number,
  background: number[],
  text: [number, number, number],
  lines: string[],
): RgbImage {
  const height = (2 * LINE_HEIGHT + 4) * scale;
  const data = new Uint8Array(width * height * 3);
  for (let offset = 0; offset < data.length; offset += 3) data.set(background, offset);
  const band = { data, width, height };
  lines.forEach((line, row) => drawText(band, line, 2 * scale, (2 + row * LINE_HEIGHT + 1) * scale, text, scale));
  return band;
}

/** Same size and exactly the same bytes (maxDifference 0; toEqual on big typed arrays is slow). */
function expectSameImage(actual: RgbImage, expected: RgbImage): void {
  expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
  expect(maxDifference(actual.data, expected.data)).toBe(0);
}

describe('captionText', () => {
  it('says the truth, the prediction with its probability, what the map explains and the method', () => {
    expect(captionText(RIGHT)).toEqual(['true cat, predicted cat 87.3%', 'map: cat, gradcam']);
    expect(captionText(WRONG)).toEqual(['WRONG true cat, predicted dog 51.0%', 'map: dog, hirescam']);
    expect(captionText(UNKNOWN)).toEqual(['predicted 7 99.0%', 'map: 3, gradcam++']);
  });

  it('takes the facts from a cam.json entry, judging right or wrong only with a label', () => {
    const entry = {
      predicted: { index: 5, name: 'dog', probability: 0.51 },
      target: { index: 5, name: 'dog', logit: 2 },
    };
    expect(captionFactsOf({ ...entry, label: { index: 3, name: 'cat' } }, 'hirescam')).toEqual(WRONG);
    expect(captionFactsOf({ ...entry, label: { index: 5, name: 'dog' } }, 'hirescam').correct).toBe(true);
    const unlabelled = captionFactsOf(entry, 'hirescam');
    expect(unlabelled.correct).toBeUndefined();
    expect(unlabelled.label).toBeUndefined();
  });
});

describe('drawCaption', () => {
  it('draws a right prediction as dark text on light green, pixel for pixel', () => {
    const band = drawCaption(RIGHT, 200);
    expect([band.width, band.height]).toEqual([200, 24]);
    expectSameImage(band, expectedBand(200, 1, [220, 237, 220], [20, 20, 20], captionText(RIGHT)));
  });

  it('marks a wrong prediction with a red band, white text and the word WRONG', () => {
    const band = drawCaption(WRONG, 300);
    expect(Array.from(band.data.subarray(0, 3))).toEqual([198, 40, 40]);
    expectSameImage(
      band,
      expectedBand(
        300,
        1,
        [198, 40, 40],
        [255, 255, 255],
        ['WRONG true cat, predicted dog 51.0%', 'map: dog, hirescam'],
      ),
    );
  });

  it('uses gray when the truth is unknown, and doubles the text on wide bands', () => {
    expect(captionScale(599)).toBe(1);
    expect(captionScale(600)).toBe(2);
    const band = drawCaption(UNKNOWN, 680);
    expect([band.width, band.height]).toEqual([680, 48]);
    expectSameImage(band, expectedBand(680, 2, [235, 235, 235], [20, 20, 20], captionText(UNKNOWN)));
  });

  it('shortens long class names with an ellipsis before the probability and method', () => {
    const long: CaptionFacts = {
      ...UNKNOWN,
      predicted: { name: 'a'.repeat(60), probability: 0.873 },
      target: { name: 'b'.repeat(60) },
    };
    // 200 px hold 32 cells after the 2 px margins: "predicted " (10) + name + " 87.3%" (6) leaves 16 for the name.
    const band = drawCaption(long, 200);
    expectSameImage(
      band,
      expectedBand(
        200,
        1,
        [235, 235, 235],
        [20, 20, 20],
        [`predicted ${'a'.repeat(15)}${ELLIPSIS} 87.3%`, `map: ${'b'.repeat(15)}${ELLIPSIS}, gradcam++`],
      ),
    );
  });

  it('refuses a width that is not a positive integer', () => {
    expect(() => drawCaption(RIGHT, 0)).toThrow(RangeError);
  });
});

describe('captions on pictures and contact sheets', () => {
  it('stacks a caption on top of a picture of the same width', () => {
    const caption: RgbImage = { data: new Uint8Array(2 * 1 * 3).fill(9), width: 2, height: 1 };
    const picture: RgbImage = { data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), width: 2, height: 2 };
    expect(stackCaption(caption, picture)).toEqual({
      data: Uint8Array.from([9, 9, 9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
      width: 2,
      height: 3,
    });
    expect(() => stackCaption({ ...caption, width: 3 }, picture)).toThrow(/3 px wide/);
  });

  it('puts each row caption right above its tiles, spanning the three tiles', () => {
    // Tiles 1×1, gap 1: sheet 7 wide; caption 5 wide; rows: captioned (2 high) and not.
    const tile = (value: number) => Uint8Array.from([value, value, value]);
    const caption: RgbImage = { data: new Uint8Array(5 * 2 * 3).fill(50), width: 5, height: 2 };
    const sheet = contactSheet(
      [
        { original: tile(1), heatmap: tile(2), blend: tile(3), caption },
        { original: tile(4), heatmap: tile(5), blend: tile(6) },
      ],
      1,
      1,
      1,
    );
    expect([sheet.width, sheet.height]).toEqual([7, 2 + 2 + 3]);
    const rows = Array.from({ length: sheet.height }, (_, y) =>
      Array.from({ length: 7 }, (_, x) => sheet.data[(y * 7 + x) * 3]),
    );
    const W = 255;
    expect(rows).toEqual([
      [W, W, W, W, W, W, W],
      [W, 50, 50, 50, 50, 50, W],
      [W, 50, 50, 50, 50, 50, W],
      [W, 1, W, 2, W, 3, W],
      [W, W, W, W, W, W, W],
      [W, 4, W, 5, W, 6, W],
      [W, W, W, W, W, W, W],
    ]);
    expect(() =>
      contactSheet(
        [{ original: tile(1), heatmap: tile(2), blend: tile(3), caption: { ...caption, width: 4 } }],
        1,
        1,
        1,
      ),
    ).toThrow(/caption/);
  });
});
