/**
 * `render.json`, the record `render` leaves in an output folder other than its source's: which
 * run it drew (the cam folder and its cam.json's `createdAt`, or the lone map and image) and the
 * file names it wrote there. It lets a later render tell a re-render of the same run (allowed)
 * from renders of another one (refused), and `--force` remove exactly render's files.
 */
import { InputError } from '../errors.js';
import { toolVersion } from '../version.js';
import { isPlainFileName, parseVersionedObject } from './manifest.js';

export const RENDER_MANIFEST_FILE = 'render.json';
export const RENDER_MANIFEST_FORMAT = 'gradcam-render';
export const RENDER_MANIFEST_VERSION = 1;

/** What was drawn: a cam folder's run, or one map and its image (absolute paths). */
export type RenderSource = { cam: string; camCreatedAt?: string } | { heatmap: string; image: string };

export interface RenderManifest {
  format: typeof RENDER_MANIFEST_FORMAT;
  formatVersion: typeof RENDER_MANIFEST_VERSION;
  toolVersion: string;
  createdAt: string;
  source: RenderSource;
  /** Plain file names in the folder, sorted; render.json itself is not among them. */
  files: string[];
}

export function buildRenderManifest(source: RenderSource, files: Iterable<string>): RenderManifest {
  return {
    format: RENDER_MANIFEST_FORMAT,
    formatVersion: RENDER_MANIFEST_VERSION,
    toolVersion: toolVersion(),
    createdAt: new Date().toISOString(),
    source,
    files: [...new Set(files)].filter((name) => name !== RENDER_MANIFEST_FILE).sort(),
  };
}

/**
 * Parses a render.json; `files` keeps only plain names, so the record can never point outside its
 * folder. @throws InputError naming `path` when it is not one.
 */
export function parseRenderManifest(text: string, path: string): RenderManifest {
  const manifest = parseVersionedObject<RenderManifest>(text, path, {
    format: RENDER_MANIFEST_FORMAT,
    version: RENDER_MANIFEST_VERSION,
    writtenBy: 'a render.json written by gradcam render',
  });
  if (!isRenderSource(manifest.source)) throw new InputError(`${path}: "source" must name a cam folder or a map`);
  if (!Array.isArray(manifest.files)) throw new InputError(`${path}: "files" must be an array`);
  return {
    ...manifest,
    files: manifest.files.filter((name) => isPlainFileName(name) && name !== RENDER_MANIFEST_FILE),
  } as RenderManifest;
}

/** The same run: the same cam folder and cam.json, or the same map and image. */
export function sameRenderSource(a: RenderSource, b: RenderSource): boolean {
  if ('cam' in a && 'cam' in b) return a.cam === b.cam && a.camCreatedAt === b.camCreatedAt;
  if ('heatmap' in a && 'heatmap' in b) return a.heatmap === b.heatmap && a.image === b.image;
  return false;
}

function isRenderSource(value: unknown): value is RenderSource {
  const source = value as Record<string, unknown> | null;
  if (typeof source !== 'object' || source === null) return false;
  if (typeof source.cam === 'string')
    return source.camCreatedAt === undefined || typeof source.camCreatedAt === 'string';
  return typeof source.heatmap === 'string' && typeof source.image === 'string';
}
