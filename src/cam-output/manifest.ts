/**
 * `cam.json`, the manifest `cam` writes and `render` (and `merge-manifests`) read. Entry file
 * names are plain names inside the cam directory; a manifest cannot point outside it.
 */
import { InputError } from '../errors.js';
import { toolVersion } from '../version.js';
import type { Preprocessing } from '../model-input/preprocessing.js';

export const MANIFEST_FILE = 'cam.json';
export const MANIFEST_FORMAT = 'gradcam-cam';
export const MANIFEST_VERSION = 1;

export interface ManifestEntry {
  /** File-name stem of this map: `cat_01`, `test_00042-c3` when several classes are explained per image. */
  id: string;
  /** Where the image came from: a path, or `mnist test #42`. */
  source: string;
  /** The image as given (original size and colours), a PNG in the cam directory. */
  input: string;
  /** The map, `.npy` float32 [h, w] at the target layer's resolution, values in [0, 1]. */
  heatmap: string;
  /** The model's top class and its softmax probability in [0, 1]. */
  predicted: { index: number; name: string; probability: number };
  /** The class the map explains (the prediction, `--class`, or one of `--top-k`). */
  target: { index: number; name: string; logit: number };
  /**
   * The true class, when the image came from a labelled dataset (added after formatVersion 1
   * shipped: older manifests have no labels, and readers treat a missing one as unknown).
   */
  label?: { index: number; name: string };
  /** Maximum of the map before normalization (0 when empty). */
  rawMax: number;
  /** The map had no positive value and was written as zeros. */
  empty: boolean;
  /**
   * With `cam --guided`: Guided Grad-CAM (guided backpropagation × the upsampled map), `.npy`
   * float32 [H, W, C] at the model's input size, signed.
   */
  guided?: string;
}

export interface CamManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: typeof MANIFEST_VERSION;
  toolVersion: string;
  createdAt: string;
  model: string;
  /** grid: how the map's grid was formed, when the layer's output is not spatial (a transformer's tokens). */
  layer: { name: string; shape: [number, number, number]; grid?: string };
  /**
   * How the images' pixels became the model's input: (pixel/255 − mean) / std per model channel,
   * in `channelOrder` (gradcam.json's normalization, or cam's --preprocess, --mean/--std, --scale).
   * Manifests written before this field existed lack it.
   */
  preprocessing?: Preprocessing;
  method: string;
  /** SmoothGrad settings when the maps are averages over noisy copies (SmoothGrad). */
  smooth?: { samples: number; noise: number; seed: number };
  /** Entries carry Guided Grad-CAM files. */
  guided?: boolean;
  /** Score-CAM's cap on the channels per image. */
  maxChannels?: number;
  counterfactual: boolean;
  backend: string;
  /** `K/N` when this manifest covers one shard of the images. */
  shard?: string;
  entries: ManifestEntry[];
  /** Images that could not be explained, with the reason. */
  failures: { source: string; error: string }[];
}

/** What a cam run made and how; the optional settings are recorded only when in use. */
export interface CamRunFacts {
  model: string;
  layer: CamManifest['layer'];
  preprocessing: Preprocessing;
  method: string;
  smooth?: CamManifest['smooth'];
  guided: boolean;
  maxChannels?: number;
  counterfactual: boolean;
  backend: string;
  shard?: { index: number; count: number };
  entries: ManifestEntry[];
  failures: CamManifest['failures'];
}

export function buildCamManifest(facts: CamRunFacts): CamManifest {
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_VERSION,
    toolVersion: toolVersion(),
    createdAt: new Date().toISOString(),
    model: facts.model,
    layer: facts.layer,
    preprocessing: facts.preprocessing,
    method: facts.method,
    ...(facts.smooth ? { smooth: facts.smooth } : {}),
    ...(facts.guided ? { guided: true } : {}),
    ...(facts.maxChannels !== undefined ? { maxChannels: facts.maxChannels } : {}),
    counterfactual: facts.counterfactual,
    backend: facts.backend,
    ...(facts.shard ? { shard: `${facts.shard.index}/${facts.shard.count}` } : {}),
    entries: facts.entries,
    failures: facts.failures,
  };
}

/**
 * A JSON object with gradcam's `format` and `formatVersion` header (cam.json, render.json), its
 * other fields unchecked. @throws InputError naming `source` for anything else.
 */
export function parseVersionedObject<T>(
  text: string,
  source: string,
  header: { format: string; version: number; writtenBy: string },
): Partial<T> & Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(`${source}: not valid JSON; expected ${header.writtenBy}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(`${source}: expected a JSON object`);
  const object = value as Record<string, unknown>;
  if (object.format !== header.format) throw new InputError(`${source}: expected "format": "${header.format}"`);
  if (object.formatVersion !== header.version) {
    throw new InputError(
      `${source}: unsupported formatVersion ${JSON.stringify(object.formatVersion)} (this gradcam reads ${header.version})`,
    );
  }
  return object as Partial<T> & Record<string, unknown>;
}

/**
 * Parses the manifest's top level. Entries are returned unchecked: callers check each with
 * `checkManifestEntry`, so one bad entry does not stop the others.
 */
export function parseManifest(text: string, source: string): CamManifest {
  const manifest = parseVersionedObject<CamManifest>(text, source, {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    writtenBy: 'a cam.json written by gradcam cam',
  });
  if (!Array.isArray(manifest.entries)) throw new InputError(`${source}: "entries" must be an array`);
  if (manifest.failures !== undefined && !Array.isArray(manifest.failures))
    throw new InputError(`${source}: "failures" must be an array`);
  return { ...manifest, failures: manifest.failures ?? [] } as CamManifest;
}

/** A file name that stays inside the directory: no separators, not `.` or `..`, no NUL. */
export function isPlainFileName(name: unknown): name is string {
  return typeof name === 'string' && name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** Checks one entry; InputError naming the manifest and the entry otherwise. */
export function checkManifestEntry(entry: unknown, index: number, source: string): ManifestEntry {
  const candidate = entry as Partial<ManifestEntry> | null;
  const label = `${source}: entry ${index}${typeof candidate?.id === 'string' ? ` (id ${JSON.stringify(candidate.id)})` : ''}`;
  if (typeof candidate !== 'object' || candidate === null) throw new InputError(`${label}: expected an object`);
  if (!isPlainFileName(candidate.id) || candidate.id.startsWith('.')) {
    throw new InputError(`${label}: "id" must be a plain file name (no "/", "\\" or leading ".")`);
  }
  for (const field of ['input', 'heatmap'] as const) {
    if (!isPlainFileName(candidate[field]))
      throw new InputError(`${label}: "${field}" must be a file name inside the cam directory`);
  }
  if (candidate.guided !== undefined && !isPlainFileName(candidate.guided)) {
    throw new InputError(`${label}: "guided" must be a file name inside the cam directory`);
  }
  if (typeof candidate.source !== 'string') throw new InputError(`${label}: "source" must be a string`);
  if (typeof candidate.empty !== 'boolean') throw new InputError(`${label}: "empty" must be true or false`);
  const probability = (candidate.predicted as { probability?: unknown } | undefined)?.probability;
  if (!isClass(candidate.predicted) || !(typeof probability === 'number' && probability >= 0 && probability <= 1)) {
    throw new InputError(`${label}: "predicted" must be {"index": class index, "name": text, "probability": 0 to 1}`);
  }
  if (!isClass(candidate.target) || typeof candidate.target.logit !== 'number') {
    throw new InputError(`${label}: "target" must be {"index": class index, "name": text, "logit": number}`);
  }
  if (candidate.label !== undefined && !isClass(candidate.label)) {
    throw new InputError(`${label}: "label" must be {"index": class index, "name": text}`);
  }
  return candidate as ManifestEntry;
}

function isClass(value: unknown): value is { index: number; name: string } {
  const candidate = value as { index?: unknown; name?: unknown } | null | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    Number.isSafeInteger(candidate.index) &&
    (candidate.index as number) >= 0 &&
    typeof candidate.name === 'string'
  );
}
