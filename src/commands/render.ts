/**
 * `gradcam render`: turn `cam` output (cam.json + .npy maps + input images) into PNGs:
 * heatmap_<id>.png (colorized map), blend_<id>.png (alpha blend over the image, captioned with
 * --caption) and original_<id>.png, all at the output size; guided_<id>.png for entries with
 * Guided Grad-CAM (`cam --guided`); optionally one contact sheet with a caption per row (--grid);
 * and, from a cam directory, the HTML gallery index.html (--html, --no-gallery). Into an --out
 * other than its source's folder it also writes render.json, and refuses a folder that holds
 * another run (render-out.ts).
 *
 * Each entry is rendered on its own: a bad one is reported and the others are still drawn.
 */
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { checkManifestEntry, MANIFEST_FILE, parseManifest, type CamManifest } from '../cam-output/manifest.js';
import { MAX_IMAGE_PIXELS, readImageFile, writePngAtomic, type DecodedImage } from '../io/image-codec.js';
import { readUserText } from '../io/read-files.js';
import { readNpy } from '../cam-output/npy.js';
import { GALLERY_FILE, renderedFileNames } from '../cam-output/earlier-run.js';
import { checkOutputDirectory, checkOutputFile, createOutputDirectory } from '../io/output-directory.js';
import type { RenderSource } from '../cam-output/render-manifest.js';
import { InputError, UsageError, forOption, fsReasonOf, relabel } from '../errors.js';
import { stderrLog, type Log } from '../log.js';
import { captionFactsOf, drawCaption, stackCaption, type CaptionFacts } from '../render/caption.js';
import { ContactSheetRows, contactSheetSize, type TileSize } from '../render/contact-sheet.js';
import type { RgbImage } from '../render/compose.js';
import { drawExplanation, type Drawing } from '../render/draw.js';
import { gallerySettingsOf, renderGalleryHtml, type GalleryEntry } from '../report/gallery-html.js';
import { guidedPicture } from '../render/guided.js';
import type { RenderCommandOptions } from './render-options.js';
import { prepareRenderOut } from './render-out.js';

/** One thing to draw: a map and the image it explains. */
interface RenderJob {
  id: string;
  heatmapPath: string;
  imagePath: string;
  empty: boolean;
  /** Guided Grad-CAM `.npy` [H, W, C], when the entry has one. */
  guidedPath?: string;
  /** What the caption says; only entries of a cam.json have one. */
  facts?: CaptionFacts;
  /** Where the image came from (cam.json's `source`), for the gallery. */
  source?: string;
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
  /** The HTML gallery. */
  html?: string;
  failures: { id: string; error: string }[];
}

export async function renderCommand(options: RenderCommandOptions): Promise<number> {
  const result = await runRender(options, stderrLog(options.quiet));
  const lines = result.rendered.map((entry) => entry.blend);
  if (result.grid) lines.push(result.grid);
  if (result.html) lines.push(result.html);
  process.stdout.write(
    options.json ? `${JSON.stringify(result, null, 2)}\n` : lines.map((line) => `${line}\n`).join(''),
  );
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
  if (size)
    checkOutputSize(
      size.width * options.scale,
      size.height * options.scale,
      `--size ${size.width}x${size.height} with --scale ${options.scale}`,
      UsageError,
    );
  checkCaptionOptions(options);
  const { jobs, source, sourceFolder, failures, manifest } = await collectJobs(options, log);
  const total = jobs.length + failures.length;
  const out = resolve(options.out ?? sourceFolder);
  // Checked now, created before the first write: a run where every entry fails leaves nothing.
  await forOption('--out', () => checkOutputDirectory(out));
  const gridPath = options.grid === undefined ? undefined : resolve(options.grid);
  if (gridPath) await checkFileTarget(gridPath, out, '--grid', '.png');
  const htmlPath = manifest && options.gallery ? resolve(options.html ?? join(out, GALLERY_FILE)) : undefined;
  if (htmlPath) await checkFileTarget(htmlPath, out, '--html', '.html');
  const captioned = jobs.some((job) => job.facts !== undefined);
  // With --size the tile size is known now; otherwise it is the first drawing's (checked below).
  if (gridPath && size)
    checkGridSize(jobs.length, { width: size.width * options.scale, height: size.height * options.scale }, captioned);
  // After every check of the options and the source: a refused run leaves an earlier one alone.
  const outRecord = await prepareRenderOut(
    out,
    {
      source,
      sourceFolder,
      planned: [...jobs.flatMap((job) => plannedFiles(out, job)), gridPath, htmlPath].filter(isDefined),
      reads: jobs.flatMap(filesRead),
      force: options.force,
    },
    log,
  );

  const rendered: RenderedEntry[] = [];
  const galleryEntries: GalleryEntry[] = [];
  const sheet = new ContactSheetRows();
  const drawOptions = { size, scale: options.scale, alpha: options.alpha, colormap: options.colormap };
  for (const job of jobs) {
    const gridRows = gridPath !== undefined && sheet.tile === undefined ? jobs.length : undefined;
    const drawn = await drawEntry(job, drawOptions, gridRows, captioned).catch((error: unknown) => {
      if (!(error instanceof InputError)) throw error;
      failures.push({ id: job.id, error: error.message });
      log.error(error.message);
    });
    if (!drawn) continue;
    if (options.caption && job.facts)
      drawn.blend = stackCaption(drawCaption(job.facts, drawn.blend.width), drawn.blend);
    await outRecord.beforeWrite();
    const files = await writeEntry(out, job.id, drawn);
    rendered.push(files);
    if (gridPath) sheet.add(drawn.drawing, job.facts);
    if (htmlPath && job.facts) galleryEntries.push(galleryEntryOf(job, job.facts, drawn, files, dirname(htmlPath)));
  }

  const empty = jobs.filter((job) => job.empty).map((job) => job.id);
  if (empty.length > 0)
    log.warn(`${empty.length} map(s) marked empty (no positive value; drawn all dark blue): ${empty.join(', ')}`);
  const grid = gridPath ? await writeGrid(gridPath, sheet.picture()) : undefined;
  const html =
    htmlPath && manifest ? await writeGallery(htmlPath, manifest, options, galleryEntries, failures) : undefined;
  // Last, so render.json lists only files that are complete.
  await outRecord.finish([
    ...rendered.flatMap((entry) => [entry.heatmap, entry.blend, entry.original, entry.guided]),
    grid,
    html,
  ]);
  log.info(`rendered ${rendered.length} of ${total} entr${total === 1 ? 'y' : 'ies'} into ${out}`);
  return { out, rendered, grid, ...(html ? { html } : {}), failures };
}

/** Captions and the gallery need cam.json's predictions: refuse them for a lone --heatmap/--image. */
function checkCaptionOptions(options: RenderCommandOptions): void {
  if (options.cam !== undefined) {
    if (options.html !== undefined && !options.gallery)
      throw new UsageError('--html and --no-gallery contradict each other: give one');
    return;
  }
  for (const [given, flag] of [
    [options.caption, '--caption'],
    [options.html !== undefined, '--html'],
  ] as const) {
    if (given) throw new UsageError(`${flag} needs --cam: captions come from the predictions in cam.json`);
  }
}

/** A rendered entry as the gallery shows it: paths relative to the page, sizes as written. */
function galleryEntryOf(
  job: RenderJob,
  facts: CaptionFacts,
  drawn: DrawnEntry,
  files: RenderedEntry,
  pageDirectory: string,
): GalleryEntry {
  const picture = (path: string, image: RgbImage) => ({
    path: relative(pageDirectory, path).split(sep).join('/'),
    width: image.width,
    height: image.height,
  });
  return {
    id: job.id,
    source: job.source ?? job.id,
    facts,
    empty: job.empty,
    images: {
      original: picture(files.original, drawn.drawing.original),
      heatmap: picture(files.heatmap, drawn.drawing.heatmap),
      blend: picture(files.blend, drawn.blend),
    },
  };
}

interface DrawnEntry {
  drawing: Drawing;
  /** The blend as written: the drawing's, or with its caption on top (--caption). */
  blend: RgbImage;
  guided?: RgbImage;
}

/**
 * Draws one entry; `gridRows` (with --grid, until the tile size is known) checks the sheet's size
 * first, with a caption band per row when `captioned`.
 */
async function drawEntry(
  job: RenderJob,
  options: DrawOptions,
  gridRows: number | undefined,
  captioned: boolean,
): Promise<DrawnEntry> {
  const drawing = await drawJob(job, options);
  if (gridRows !== undefined) checkGridSize(gridRows, drawing.blend, captioned);
  const guided = job.guidedPath
    ? await readGuidedPicture(job.guidedPath, drawing.blend.width, drawing.blend.height)
    : undefined;
  return { drawing, blend: drawing.blend, guided };
}

/**
 * Writes the gallery of the drawn entries; it also lists what cam could not explain (by source)
 * and what was not drawn here. Undefined when no entry was drawn.
 */
async function writeGallery(
  path: string,
  manifest: CamManifest,
  options: RenderCommandOptions,
  entries: GalleryEntry[],
  failures: RenderResult['failures'],
): Promise<string | undefined> {
  if (entries.length === 0) return undefined;
  const notShown = [
    ...manifest.failures.map((failure) => ({ id: String(failure.source), error: String(failure.error) })),
    ...failures,
  ];
  const page = renderGalleryHtml(gallerySettingsOf(manifest, options), entries, notShown);
  await writeFileAtomic(path, page).catch((error: unknown) => {
    throw new InputError(`--html ${path}: cannot write (${fsReasonOf(error)})`);
  });
  return path;
}

/** The files `job` reads, absolute. */
function filesRead(job: RenderJob): string[] {
  return [job.heatmapPath, job.imagePath, job.guidedPath].filter(isDefined).map((path) => resolve(path));
}

/** The files writeEntry may write for `job`. */
function plannedFiles(out: string, job: RenderJob): string[] {
  const names = renderedFileNames(job.id);
  return [names.heatmap, names.blend, names.original, ...(job.guidedPath ? [names.guided] : [])].map((name) =>
    join(out, name),
  );
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

async function writeEntry(out: string, id: string, { drawing, blend, guided }: DrawnEntry): Promise<RenderedEntry> {
  // The names cam --force looks for when it clears an earlier run (cam-output/earlier-run.ts).
  const names = renderedFileNames(id);
  const files = {
    heatmap: join(out, names.heatmap),
    blend: join(out, names.blend),
    original: join(out, names.original),
    ...(guided ? { guided: join(out, names.guided) } : {}),
  };
  await forOption('--out', () => createOutputDirectory(out));
  try {
    await writePngAtomic(files.heatmap, rgb(drawing.heatmap));
    await writePngAtomic(files.blend, rgb(blend));
    await writePngAtomic(files.original, rgb(drawing.original));
    if (guided && files.guided) await writePngAtomic(files.guided, rgb(guided));
  } catch (error) {
    throw new InputError(`--out ${out}: cannot write (${fsReasonOf(error)})`);
  }
  return { id, ...files };
}

interface CollectedJobs {
  jobs: RenderJob[];
  /** What is drawn, as render.json records it. */
  source: RenderSource;
  /** The --cam folder, or the map's: where render draws by default. */
  sourceFolder: string;
  failures: RenderResult['failures'];
  /** The cam run's manifest, when rendering one. */
  manifest?: CamManifest;
}

async function collectJobs(options: RenderCommandOptions, log: Log): Promise<CollectedJobs> {
  const standalone = options.heatmap !== undefined || options.image !== undefined;
  if (options.cam !== undefined && standalone) throw new UsageError('--cam cannot be combined with --heatmap/--image');
  if (standalone) {
    if (!options.heatmap || !options.image) throw new UsageError('--heatmap and --image go together: give both');
    const id = basename(options.heatmap, extname(options.heatmap)).replace(/[^A-Za-z0-9_.-]+/g, '_') || 'map';
    return {
      jobs: [{ id, heatmapPath: options.heatmap, imagePath: options.image, empty: false }],
      source: { heatmap: resolve(options.heatmap), image: resolve(options.image) },
      sourceFolder: resolve(dirname(options.heatmap)),
      failures: [],
    };
  }
  if (options.cam === undefined)
    throw new UsageError('nothing to render: give --cam DIR, or --heatmap MAP.npy with --image IMG');
  const manifestPath = join(options.cam, MANIFEST_FILE);
  const text = await relabel(
    () => readUserText(manifestPath, 'a cam.json file'),
    (error) => `${error.message}; expected the output directory of gradcam cam`,
  );
  const manifest = parseManifest(text, manifestPath);
  // Captions name the method; a counterfactual map shows evidence against its class.
  const method = `${String(manifest.method)}${manifest.counterfactual ? ' counterfactual' : ''}`;
  const jobs: RenderJob[] = [];
  const failures: RenderResult['failures'] = [];
  const seen = new Set<string>();
  manifest.entries.forEach((raw, index) => {
    try {
      const entry = checkManifestEntry(raw, index, manifestPath);
      if (seen.has(entry.id))
        throw new InputError(`${manifestPath}: entry ${index}: id ${JSON.stringify(entry.id)} appears twice`);
      seen.add(entry.id);
      jobs.push({
        id: entry.id,
        heatmapPath: join(options.cam as string, entry.heatmap),
        imagePath: join(options.cam as string, entry.input),
        empty: entry.empty,
        ...(entry.guided ? { guidedPath: join(options.cam as string, entry.guided) } : {}),
        facts: captionFactsOf(entry, method),
        source: entry.source,
      });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      failures.push({ id: String((raw as { id?: unknown } | null)?.id ?? index), error: error.message });
      log.error(error.message);
    }
  });
  const source = {
    cam: resolve(options.cam),
    ...(typeof manifest.createdAt === 'string' ? { camCreatedAt: manifest.createdAt } : {}),
  };
  return { jobs, source, sourceFolder: resolve(options.cam), failures, manifest };
}

type DrawOptions = Parameters<typeof drawExplanation>[4];

async function drawJob(job: RenderJob, options: DrawOptions): Promise<Drawing> {
  const map = await readNpy(job.heatmapPath);
  if (map.shape.length !== 2) {
    throw new InputError(`${job.heatmapPath}: shape [${map.shape.join(', ')}]; expected a 2-D map [height, width]`);
  }
  if (map.shape[0] === 0 || map.shape[1] === 0) {
    throw new InputError(
      `${job.heatmapPath}: shape [${map.shape.join(', ')}] is empty; expected a map of at least 1×1`,
    );
  }
  if (map.data.some((value) => !Number.isFinite(value)))
    throw new InputError(`${job.heatmapPath}: contains NaN or Infinity`);
  const image = await readImageFile(job.imagePath);
  if (!options.size) {
    checkOutputSize(
      image.width * options.scale,
      image.height * options.scale,
      `${job.imagePath} (${image.width}x${image.height}) with --scale ${options.scale}`,
      InputError,
    );
  }
  return drawExplanation(map.data, map.shape[0], map.shape[1], image, options);
}

/** Guided Grad-CAM `.npy` (float32 [H, W, 1 or 3], the model's input size) → RGB at the output size. */
async function readGuidedPicture(path: string, width: number, height: number): Promise<RgbImage> {
  const guided = await readNpy(path);
  const [rows, columns, channels] = guided.shape;
  if (guided.shape.length !== 3 || (channels !== 1 && channels !== 3)) {
    throw new InputError(
      `${path}: shape [${guided.shape.join(', ')}]; expected [height, width, 1 or 3] (Guided Grad-CAM)`,
    );
  }
  if (guided.data.some((value) => !Number.isFinite(value))) throw new InputError(`${path}: contains NaN or Infinity`);
  return guidedPicture(guided.data, [rows, columns, channels], width, height);
}

function rgb(picture: Drawing['blend']): DecodedImage {
  return { ...picture, channels: 3 };
}

/** Refuses output pictures over MAX_OUTPUT_PIXELS; `what` names the options or file that ask for it. */
function checkOutputSize(
  width: number,
  height: number,
  what: string,
  ErrorKind: typeof InputError | typeof UsageError,
): void {
  if (width * height > MAX_OUTPUT_PIXELS) {
    throw new ErrorKind(
      `${what}: ${width}x${height} output pixels (${((width * height) / 1e6).toFixed(1)} MP), more than the ${MAX_OUTPUT_PIXELS / 1e6} MP render draws`,
    );
  }
}

/**
 * The contact sheet holds one row per entry (under a caption band when `captioned`); refuse it
 * when the first drawing shows it would be too large, before any file is written (rows of failed
 * entries are left out, so this errs high).
 */
function checkGridSize(rows: number, tile: TileSize, captioned: boolean): void {
  const { width, height } = contactSheetSize(rows, tile, captioned);
  if (width * height > MAX_OUTPUT_PIXELS) {
    throw new UsageError(
      `--grid: ${rows} rows of ${tile.width}x${tile.height} tiles make a ${width}x${height} sheet, more than the ` +
        `${MAX_OUTPUT_PIXELS / 1e6} MP render draws; use a smaller --size or --scale, or drop --grid`,
    );
  }
}

/** Writes the contact sheet; undefined when no entry was drawn. */
async function writeGrid(path: string, sheet: RgbImage | undefined): Promise<string | undefined> {
  if (!sheet) return undefined;
  await writePngAtomic(path, rgb(sheet)).catch((error: unknown) => {
    throw new InputError(`--grid ${path}: cannot write (${fsReasonOf(error)})`);
  });
  return path;
}

/**
 * --grid and --html must name a file in an existing directory, or in --out (created before they
 * are written); checked before anything is drawn.
 */
async function checkFileTarget(path: string, out: string, flag: string, extension: string): Promise<void> {
  const parentMayBeMissing = dirname(path) === out;
  await forOption(flag, () => checkOutputFile(path, { expected: `a ${extension} file name`, parentMayBeMissing }));
}
