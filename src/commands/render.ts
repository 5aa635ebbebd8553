/**
 * `gradcam render`: turn `cam` output (cam.json + .npy maps + input images) into PNGs:
 * heatmap_<id>.png (colorized map), blend_<id>.png (alpha blend over the image) and
 * original_<id>.png, all at the output size; guided_<id>.png for entries with Guided Grad-CAM
 * (`cam --guided`); optionally one contact sheet (--grid).
 *
 * Each entry is rendered on its own: a bad one is reported and the others are still drawn.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { checkManifestEntry, MANIFEST_FILE, parseManifest } from '../data/manifest.js';
import { MAX_IMAGE_PIXELS, readImageFile, writePngAtomic, type DecodedImage } from '../data/image-io.js';
import { readNpy } from '../data/npy.js';
import { checkOutputDirectory, createOutputDirectory } from '../data/output-directory.js';
import { resizeImage, roundToBytes } from '../data/resize.js';
import { InputError, UsageError, fsReasonOf } from '../errors.js';
import { stderrLog, type Log } from '../log.js';
import { contactSheet, type ContactSheetRow } from '../render/compose.js';
import type { RgbImage } from '../render/compose.js';
import { drawExplanation, type Drawing } from '../render/draw.js';
import { guidedToRgb } from '../render/guided.js';
import type { RenderCommandOptions } from './render-options.js';

/** One thing to draw: a map and the image it explains. */
interface RenderJob {
  id: string;
  heatmapPath: string;
  imagePath: string;
  empty: boolean;
  /** Guided Grad-CAM `.npy` [H, W, C], when the entry has one. */
  guidedPath?: string;
}

export interface RenderedEntry {
  id: string;
  heatmap: string;
  blend: string;
  original: string;
  guided?: string;
}

export interface RenderResult {
  out: string;
  rendered: RenderedEntry[];
  grid?: string;
  failures: { id: string; error: string }[];
}

export async function renderCommand(options: RenderCommandOptions): Promise<number> {
  const result = await runRender(options, stderrLog(options.quiet));
  const lines = result.rendered.map((entry) => entry.blend);
  if (result.grid) lines.push(result.grid);
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : lines.map((line) => `${line}\n`).join(''));
  return result.failures.length > 0 ? 1 : 0;
}

/**
 * The largest picture render draws (width × height after --size and --scale): the same limit as
 * the images it reads, so every PNG it writes can be read back, and `--size 8192x8192 --scale 64`
 * is refused up front instead of failing to allocate 800 GB.
 */
export const MAX_OUTPUT_PIXELS = MAX_IMAGE_PIXELS;

export async function runRender(options: RenderCommandOptions, log: Log): Promise<RenderResult> {
  const size = options.size === 'original' ? undefined : options.size;
  if (size) checkOutputSize(size.width * options.scale, size.height * options.scale, `--size ${size.width}x${size.height} with --scale ${options.scale}`, UsageError);
  const { jobs, defaultOut, failures } = await collectJobs(options, log);
  const total = jobs.length + failures.length;
  const out = resolve(options.out ?? defaultOut);
  // Checked now, created before the first write: a run where every entry fails leaves nothing.
  await checkOutputDirectory(out, '--out');
  const gridPath = options.grid === undefined ? undefined : resolve(options.grid);
  if (gridPath) await checkGridTarget(gridPath, out);
  // With --size the tile size is known now; otherwise it is the first drawing's (checked below).
  if (gridPath && size) checkGridSize(jobs.length, { width: size.width * options.scale, height: size.height * options.scale });

  const rendered: RenderedEntry[] = [];
  const sheet = new SheetRows();
  const drawOptions = { size, scale: options.scale, alpha: options.alpha, colormap: options.colormap };
  for (const job of jobs) {
    const drawn = await drawEntry(job, drawOptions, gridPath !== undefined && sheet.tile === undefined ? jobs.length : undefined).catch((error: unknown) => {
      if (!(error instanceof InputError)) throw error;
      failures.push({ id: job.id, error: error.message });
      log.error(error.message);
    });
    if (!drawn) continue;
    rendered.push(await writeEntry(out, job.id, drawn));
    if (gridPath) sheet.add(drawn.drawing);
  }

  const empty = jobs.filter((job) => job.empty).map((job) => job.id);
  if (empty.length > 0) log.warn(`${empty.length} map(s) marked empty (no positive value; drawn all dark blue): ${empty.join(', ')}`);
  const grid = gridPath ? await sheet.write(gridPath) : undefined;
  log.info(`rendered ${rendered.length} of ${total} entr${total === 1 ? 'y' : 'ies'} into ${out}`);
  return { out, rendered, grid, failures };
}

interface DrawnEntry {
  drawing: Drawing;
  guided?: RgbImage;
}

/** Draws one entry; `gridRows` (with --grid, until the tile size is known) checks the sheet's size first. */
async function drawEntry(job: RenderJob, options: DrawOptions, gridRows: number | undefined): Promise<DrawnEntry> {
  const drawing = await drawJob(job, options);
  if (gridRows !== undefined) checkGridSize(gridRows, drawing.blend);
  const guided = job.guidedPath ? await drawGuided(job.guidedPath, drawing.blend.width, drawing.blend.height) : undefined;
  return { drawing, guided };
}

async function writeEntry(out: string, id: string, { drawing, guided }: DrawnEntry): Promise<RenderedEntry> {
  const files = {
    heatmap: join(out, `heatmap_${id}.png`),
    blend: join(out, `blend_${id}.png`),
    original: join(out, `original_${id}.png`),
    ...(guided ? { guided: join(out, `guided_${id}.png`) } : {}),
  };
  await createOutputDirectory(out, '--out');
  try {
    await writePngAtomic(files.heatmap, rgb(drawing.heatmap));
    await writePngAtomic(files.blend, rgb(drawing.blend));
    await writePngAtomic(files.original, rgb(drawing.original));
    if (guided && files.guided) await writePngAtomic(files.guided, rgb(guided));
  } catch (error) {
    throw new InputError(`--out ${out}: cannot write (${fsReasonOf(error)})`);
  }
  return { id, ...files };
}

/** The contact sheet's rows; every tile takes the first drawing's size. */
class SheetRows {
  tile: { width: number; height: number } | undefined;
  private readonly rows: ContactSheetRow[] = [];

  add(drawing: Drawing): void {
    this.tile ??= { width: drawing.blend.width, height: drawing.blend.height };
    this.rows.push(fitRow(drawing, this.tile));
  }

  /** Writes the sheet; undefined when no entry was drawn. */
  async write(path: string): Promise<string | undefined> {
    if (!this.tile || this.rows.length === 0) return undefined;
    const sheet = contactSheet(this.rows, this.tile.width, this.tile.height);
    await writePngAtomic(path, { ...sheet, channels: 3 }).catch((error: unknown) => {
      throw new InputError(`--grid ${path}: cannot write (${fsReasonOf(error)})`);
    });
    return path;
  }
}

async function collectJobs(options: RenderCommandOptions, log: Log): Promise<{ jobs: RenderJob[]; defaultOut: string; failures: RenderResult['failures'] }> {
  const standalone = options.heatmap !== undefined || options.image !== undefined;
  if (options.cam !== undefined && standalone) throw new UsageError('--cam cannot be combined with --heatmap/--image');
  if (standalone) {
    if (!options.heatmap || !options.image) throw new UsageError('--heatmap and --image go together: give both');
    const id = basename(options.heatmap, extname(options.heatmap)).replace(/[^A-Za-z0-9_.-]+/g, '_') || 'map';
    return { jobs: [{ id, heatmapPath: options.heatmap, imagePath: options.image, empty: false }], defaultOut: dirname(options.heatmap), failures: [] };
  }
  if (options.cam === undefined) throw new UsageError('nothing to render: give --cam DIR, or --heatmap MAP.npy with --image IMG');
  const manifestPath = join(options.cam, MANIFEST_FILE);
  const text = await readFile(manifestPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    const why = error.code === 'ENOENT' ? 'missing' : `cannot read (${error.code ?? error.message})`;
    throw new InputError(`${manifestPath}: ${why}; expected the output directory of gradcam cam`);
  });
  const manifest = parseManifest(text, manifestPath);
  const jobs: RenderJob[] = [];
  const failures: RenderResult['failures'] = [];
  const seen = new Set<string>();
  manifest.entries.forEach((raw, index) => {
    try {
      const entry = checkManifestEntry(raw, index, manifestPath);
      if (seen.has(entry.id)) throw new InputError(`${manifestPath}: entry ${index}: id ${JSON.stringify(entry.id)} appears twice`);
      seen.add(entry.id);
      jobs.push({
        id: entry.id,
        heatmapPath: join(options.cam as string, entry.heatmap),
        imagePath: join(options.cam as string, entry.input),
        empty: entry.empty,
        ...(entry.guided ? { guidedPath: join(options.cam as string, entry.guided) } : {}),
      });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      failures.push({ id: String((raw as { id?: unknown } | null)?.id ?? index), error: error.message });
      log.error(error.message);
    }
  });
  return { jobs, defaultOut: options.cam, failures };
}

type DrawOptions = Parameters<typeof drawExplanation>[4];

async function drawJob(job: RenderJob, options: DrawOptions): Promise<Drawing> {
  const map = await readNpy(job.heatmapPath);
  if (map.shape.length !== 2) {
    throw new InputError(`${job.heatmapPath}: shape [${map.shape.join(', ')}]; expected a 2-D map [height, width]`);
  }
  if (map.shape[0] === 0 || map.shape[1] === 0) {
    throw new InputError(`${job.heatmapPath}: shape [${map.shape.join(', ')}] is empty; expected a map of at least 1×1`);
  }
  if (map.data.some((value) => !Number.isFinite(value))) throw new InputError(`${job.heatmapPath}: contains NaN or Infinity`);
  const image = await readImageFile(job.imagePath);
  if (!options.size) {
    checkOutputSize(image.width * options.scale, image.height * options.scale, `${job.imagePath} (${image.width}x${image.height}) with --scale ${options.scale}`, InputError);
  }
  return drawExplanation(map.data, map.shape[0], map.shape[1], image, options);
}

/**
 * Guided Grad-CAM `.npy` (float32 [H, W, 1 or 3], the model's input size) → normalized RGB
 * (render/guided.ts), resized to the output size like the original image.
 */
async function drawGuided(path: string, width: number, height: number): Promise<RgbImage> {
  const guided = await readNpy(path);
  const [rows, columns, channels] = guided.shape;
  if (guided.shape.length !== 3 || (channels !== 1 && channels !== 3)) {
    throw new InputError(`${path}: shape [${guided.shape.join(', ')}]; expected [height, width, 1 or 3] (Guided Grad-CAM)`);
  }
  if (guided.data.some((value) => !Number.isFinite(value))) throw new InputError(`${path}: contains NaN or Infinity`);
  const picture = guidedToRgb(guided.data, channels);
  const data = rows === height && columns === width ? picture : roundToBytes(resizeImage(picture, rows, columns, 3, height, width));
  return { data, width, height };
}

/** Grid tiles share one size: a drawing of another size is resized to it. */
function fitRow(drawing: Drawing, tile: { width: number; height: number }): ContactSheetRow {
  const fit = (picture: Drawing['blend']) =>
    picture.width === tile.width && picture.height === tile.height
      ? picture.data
      : roundToBytes(resizeImage(picture.data, picture.height, picture.width, 3, tile.height, tile.width));
  return { original: fit(drawing.original), heatmap: fit(drawing.heatmap), blend: fit(drawing.blend) };
}

function rgb(picture: Drawing['blend']): DecodedImage {
  return { ...picture, channels: 3 };
}

/** Refuses output pictures over MAX_OUTPUT_PIXELS; `what` names the options or file that ask for it. */
function checkOutputSize(width: number, height: number, what: string, ErrorKind: typeof InputError | typeof UsageError): void {
  if (width * height > MAX_OUTPUT_PIXELS) {
    throw new ErrorKind(
      `${what}: ${width}x${height} output pixels (${((width * height) / 1e6).toFixed(1)} MP), more than the ${MAX_OUTPUT_PIXELS / 1e6} MP render draws`,
    );
  }
}

/**
 * The contact sheet holds one row per entry; refuse it when the first drawing shows it would be
 * too large, before any file is written (rows of failed entries are left out, so this errs high).
 */
function checkGridSize(rows: number, tile: { width: number; height: number }): void {
  const width = 3 * tile.width + 8;
  const height = rows * (tile.height + 2) + 2;
  if (width * height > MAX_OUTPUT_PIXELS) {
    throw new UsageError(
      `--grid: ${rows} rows of ${tile.width}x${tile.height} tiles make a ${width}x${height} sheet, more than the ` +
        `${MAX_OUTPUT_PIXELS / 1e6} MP render draws; use a smaller --size or --scale, or drop --grid`,
    );
  }
}

/**
 * --grid must name a file in an existing directory, or in --out (created before the grid is
 * written); checked before anything is drawn.
 */
async function checkGridTarget(path: string, out: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new InputError(`--grid ${path}: is a directory; expected a .png file name`);
  if (dirname(path) === out) return;
  const parent = await stat(dirname(path)).catch(() => undefined);
  if (!parent?.isDirectory()) {
    throw new InputError(`--grid ${path}: ${parent ? `${dirname(path)} is not a directory` : `directory ${dirname(path)} does not exist`}`);
  }
}
