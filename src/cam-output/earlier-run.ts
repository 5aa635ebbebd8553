/**
 * What an earlier `cam` run (and `render` from it) wrote in an output folder, found from its
 * manifests (cam.json, cam.shard-K-of-N.json): the manifests, each entry's input, map and guided
 * files, the render outputs named after each entry's id, and the gallery; and what an earlier
 * `render` into a folder of its own wrote, as its render.json lists it. Everything else in the
 * folder is the user's, and gradcam never removes it.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsReasonOf, InputError } from '../errors.js';
import { isPlainFileName, MANIFEST_FILE, parseManifest } from './manifest.js';
import { parseRenderManifest, RENDER_MANIFEST_FILE } from './render-manifest.js';
import { SHARD_MANIFEST_PATTERN } from './shards.js';

/** The gallery `render` writes into its --out when --html names no other file. */
export const GALLERY_FILE = 'index.html';

/** The files `render` writes for entry `id` (guided_<id>.png only for a --guided entry). */
export function renderedFileNames(id: string): { heatmap: string; blend: string; original: string; guided: string } {
  return {
    heatmap: `heatmap_${id}.png`,
    blend: `blend_${id}.png`,
    original: `original_${id}.png`,
    guided: `guided_${id}.png`,
  };
}

export interface FolderContents {
  /** Names gradcam wrote there, by the manifests found (the manifests included). */
  written: string[];
  /** Every other name in the folder. */
  other: string[];
  /** The manifests found (cam.json, shard manifests, render.json). */
  manifests: string[];
}

/**
 * Sorts a folder's names into gradcam's and the rest. `manifestText` gives each manifest's
 * text; a manifest that cannot be read still counts as gradcam's own file, listing nothing.
 * `byManifests`: only these manifests (and what they list) count as gradcam's.
 */
export function sortFolderContents(
  names: readonly string[],
  manifestText: ReadonlyMap<string, string>,
  byManifests?: readonly string[],
): FolderContents {
  const manifests = names.filter((name) => isManifestName(name) && (byManifests?.includes(name) ?? true));
  const listed = new Set<string>(manifests);
  for (const name of manifests) {
    const text = manifestText.get(name);
    if (text === undefined) continue;
    for (const file of filesListedBy(name, text)) listed.add(file);
  }
  // render --cam writes the gallery beside cam.json by default; a render.json lists its own.
  if (manifests.some((name) => name !== RENDER_MANIFEST_FILE)) listed.add(GALLERY_FILE);
  return {
    written: names.filter((name) => listed.has(name)),
    other: names.filter((name) => !listed.has(name)),
    manifests,
  };
}

/**
 * The contents of `folder` (none when it does not exist yet). `byManifests`: read only these
 * manifests to tell what gradcam wrote (default: every one found).
 */
export async function readFolderContents(folder: string, byManifests?: readonly string[]): Promise<FolderContents> {
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new InputError(`${folder}: cannot list (${fsReasonOf(error)})`, folder);
  });
  const texts = new Map<string, string>();
  for (const name of names.filter((n) => isManifestName(n) && (byManifests?.includes(n) ?? true))) {
    const text = await readFile(join(folder, name), 'utf8').catch(() => undefined);
    if (text !== undefined) texts.set(name, text);
  }
  return sortFolderContents(names.sort(), texts, byManifests);
}

function isManifestName(name: string): boolean {
  return name === MANIFEST_FILE || name === RENDER_MANIFEST_FILE || SHARD_MANIFEST_PATTERN.test(name);
}

/** The files a manifest says gradcam wrote beside it; none when it cannot be parsed. */
function filesListedBy(name: string, text: string): string[] {
  try {
    if (name === RENDER_MANIFEST_FILE) return parseRenderManifest(text, name).files;
    const files: string[] = [];
    // Entries are unchecked (parseManifest leaves them to the reader): take only plain names.
    const entries: unknown[] = parseManifest(text, name).entries;
    for (const entry of entries as Record<string, unknown>[]) {
      for (const key of ['input', 'heatmap', 'guided']) if (isPlainFileName(entry?.[key])) files.push(entry[key]);
      if (isPlainFileName(entry?.id)) files.push(...Object.values(renderedFileNames(entry.id)));
    }
    return files;
  } catch {
    return [];
  }
}

/** Removes these names from `folder` (files gradcam wrote; a missing one is fine). */
export async function removeFromFolder(folder: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await rm(join(folder, name), { force: true }).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`${join(folder, name)}: cannot remove (${fsReasonOf(error)})`, folder);
    });
  }
}
