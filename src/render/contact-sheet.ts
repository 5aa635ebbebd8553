/**
 * The contact sheet `render --grid` writes: one (original | heatmap | blend) row per drawn entry,
 * each under its caption when the entry has one. Every tile takes the first drawing's size, so
 * the rows line up whatever size the later images are.
 */
import { resizeImage, roundToBytes } from '../io/resize.js';
import { type CaptionFacts, captionHeight, drawCaption } from './caption.js';
import { CONTACT_SHEET_GAP, type ContactSheetRow, contactSheet, type RgbImage, sheetCaptionWidth } from './compose.js';
import type { Drawing } from './draw.js';

export interface TileSize {
  width: number;
  height: number;
}

/** Collects the sheet's rows as entries are drawn; `picture` lays them out. */
export class ContactSheetRows {
  /** The tile size: the first added drawing's blend; undefined until then. */
  tile: TileSize | undefined;
  private readonly rows: ContactSheetRow[] = [];

  add(drawing: Drawing, facts: CaptionFacts | undefined): void {
    this.tile ??= { width: drawing.blend.width, height: drawing.blend.height };
    const caption = facts ? drawCaption(facts, sheetCaptionWidth(this.tile.width)) : undefined;
    this.rows.push({ ...fitRow(drawing, this.tile), ...(caption ? { caption } : {}) });
  }

  /** The sheet (compose.ts contactSheet); undefined when no drawing was added. */
  picture(): RgbImage | undefined {
    if (!this.tile || this.rows.length === 0) return undefined;
    return contactSheet(this.rows, this.tile.width, this.tile.height);
  }
}

/**
 * The size of a sheet of `rows` rows of `tile` tiles, with a caption band above each row when
 * `captioned`: known before anything is drawn, so a sheet too large to write can be refused early.
 */
export function contactSheetSize(rows: number, tile: TileSize, captioned: boolean): TileSize {
  const gap = CONTACT_SHEET_GAP;
  const band = captioned ? captionHeight(sheetCaptionWidth(tile.width)) : 0;
  return { width: 3 * tile.width + 4 * gap, height: rows * (tile.height + band + gap) + gap };
}

/** A drawing's three pictures at the tile size (bilinear, rounded to bytes, when they differ). */
function fitRow(drawing: Drawing, tile: TileSize): ContactSheetRow {
  const fitPicture = (picture: RgbImage) =>
    picture.width === tile.width && picture.height === tile.height
      ? picture.data
      : roundToBytes(resizeImage(picture.data, picture.height, picture.width, 3, tile.height, tile.width));
  return {
    original: fitPicture(drawing.original),
    heatmap: fitPicture(drawing.heatmap),
    blend: fitPicture(drawing.blend),
  };
}
