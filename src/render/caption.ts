/**
 * Captions that say what a picture shows: the true class when known, the predicted class and its
 * probability, the class the map explains, and the method. Wrong predictions are marked twice,
 * by a red band and by the word WRONG, so the mark survives grayscale printing and colour blindness.
 *
 * `captionText` decides the words (shared with the HTML gallery); `drawCaption` draws them as a
 * band of a given width with the bitmap font; `stackCaption` puts a band on top of a picture.
 */
import { fitText, GLYPH_ADVANCE, LINE_HEIGHT, drawText, textWidth } from './bitmap-font.js';
import type { ManifestEntry } from '../cam-output/manifest.js';
import type { RgbImage } from './compose.js';

/** What a caption states about one explained image. */
export interface CaptionFacts {
  /** The true class name, when the image came with a label. */
  label?: string;
  predicted: { name: string; probability: number };
  /** The class the map explains. */
  target: { name: string };
  /** The CAM method's name, e.g. `gradcam`. */
  method: string;
  /** true/false when the label is known: whether the prediction equals it. */
  correct?: boolean;
}

export type Verdict = 'right' | 'wrong' | 'unknown';

export function verdictOf(facts: Pick<CaptionFacts, 'correct'>): Verdict {
  if (facts.correct === undefined) return 'unknown';
  return facts.correct ? 'right' : 'wrong';
}

/** A probability as a percentage with one decimal: 0.8734 → "87.3%". */
export function formatProbability(probability: number): string {
  return `${(100 * probability).toFixed(1)}%`;
}

/** One part of a caption line: fixed words, or a class name that may be shortened to fit. */
type Part = { text: string } | { name: string };

/**
 * The caption's two lines, as parts: what the model said (with the truth when known) and what
 * the map shows. E.g. ["WRONG true cat", " predicted dog 87.3%"] and ["map: dog, gradcam"].
 */
function captionParts(facts: CaptionFacts): Part[][] {
  const verdict = verdictOf(facts);
  const first: Part[] = [];
  if (verdict === 'wrong') first.push({ text: 'WRONG ' });
  if (facts.label !== undefined) first.push({ text: 'true ' }, { name: facts.label }, { text: ', ' });
  first.push(
    { text: 'predicted ' },
    { name: facts.predicted.name },
    { text: ` ${formatProbability(facts.predicted.probability)}` },
  );
  const second: Part[] = [{ text: 'map: ' }, { name: facts.target.name }, { text: `, ${facts.method}` }];
  return [first, second];
}

/** The caption's lines as plain text, nothing shortened (for HTML, logs and alt text). */
export function captionText(facts: CaptionFacts): string[] {
  return captionParts(facts).map((parts) => parts.map((part) => ('text' in part ? part.text : part.name)).join(''));
}

/**
 * Joins parts into at most `maxWidth` pixels at `scale`: class names are shortened (with an
 * ellipsis) before anything else, evenly, so "87.3%" and the method stay readable; if the fixed
 * words alone are too long the line itself is cut.
 */
function fitLine(parts: Part[], maxWidth: number, scale: number): string {
  const join = (limit: number) =>
    parts.map((part) => ('text' in part ? part.text : fitText(part.name, limit, scale))).join('');
  const longestName = Math.max(0, ...parts.map((part) => ('name' in part ? textWidth(part.name, scale) : 0)));
  for (let limit = longestName; limit > 0; limit -= GLYPH_ADVANCE * scale) {
    const line = join(limit);
    if (textWidth(line, scale) <= maxWidth) return line;
  }
  return fitText(join(0), maxWidth, scale);
}

const BAND_COLORS: Record<Verdict, { background: [number, number, number]; text: [number, number, number] }> = {
  right: { background: [220, 237, 220], text: [20, 20, 20] },
  wrong: { background: [198, 40, 40], text: [255, 255, 255] },
  unknown: { background: [235, 235, 235], text: [20, 20, 20] },
};

/** Pixels of band colour left of the text and above/below the lines, at scale 1. */
const PADDING = 2;

/** Text scale for a band: twice the font size once the band is wide enough for ~50 characters. */
export function captionScale(width: number): number {
  return width >= 600 ? 2 : 1;
}

/** Height in pixels of the band drawCaption draws `width` pixels wide. */
export function captionHeight(width: number, scale = captionScale(width)): number {
  return (CAPTION_LINES * LINE_HEIGHT + 2 * PADDING) * scale;
}

/** Every caption has two lines: what was predicted, and what the map shows. */
const CAPTION_LINES = 2;

/**
 * The caption as a band `width` pixels wide: two lines of text (shortened to fit) on a
 * background that says right (light green), wrong (red, white text) or unknown (light gray).
 *
 * @returns an RgbImage `width` × (2·LINE_HEIGHT + 2·PADDING)·scale
 */
export function drawCaption(facts: CaptionFacts, width: number, scale = captionScale(width)): RgbImage {
  if (!Number.isSafeInteger(width) || width < 1)
    throw new RangeError(`drawCaption: width must be a positive integer, got ${width}`);
  const lines = captionParts(facts);
  const height = captionHeight(width, scale);
  const colors = BAND_COLORS[verdictOf(facts)];
  const data = new Uint8Array(width * height * 3);
  for (let offset = 0; offset < data.length; offset += 3) data.set(colors.background, offset);
  const band: RgbImage = { data, width, height };
  const textLeft = PADDING * scale;
  lines.forEach((parts, row) => {
    const text = fitLine(parts, width - 2 * textLeft, scale);
    // LINE_HEIGHT includes one blank row above the glyphs.
    drawText(band, text, textLeft, (PADDING + row * LINE_HEIGHT + 1) * scale, colors.text, scale);
  });
  return band;
}

/** `caption` on top of `picture` (same width): a new picture caption.height + picture.height high. */
export function stackCaption(caption: RgbImage, picture: RgbImage): RgbImage {
  if (caption.width !== picture.width) {
    throw new RangeError(
      `stackCaption: caption is ${caption.width} px wide but the picture ${picture.width}; expected equal widths`,
    );
  }
  const data = new Uint8Array(caption.data.length + picture.data.length);
  data.set(caption.data, 0);
  data.set(picture.data, caption.data.length);
  return { data, width: picture.width, height: caption.height + picture.height };
}

/** The facts of a cam.json entry; `correct` only when the entry has a true label. */
export function captionFactsOf(
  entry: Pick<ManifestEntry, 'predicted' | 'target' | 'label'>,
  method: string,
): CaptionFacts {
  return {
    ...(entry.label ? { label: entry.label.name, correct: entry.label.index === entry.predicted.index } : {}),
    predicted: { name: entry.predicted.name, probability: entry.predicted.probability },
    target: { name: entry.target.name },
    method,
  };
}
