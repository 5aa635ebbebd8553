/**
 * What an earlier `cam` run (and `render` from it) wrote in an output folder, found from its
 * manifests (cam.json, cam.shard-K-of-N.json): the manifests, each entry's input, map and guided
 * files, the render outputs named after each entry's id, and the gallery. Everything else in the
 * folder is the user's, and gradcam never removes it.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsReasonOf, InputError } from '../errors.js';
import { isPlainFileName, MANIFEST_FILE, parseManifest } from './manifest.js';
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
  /** The manifests found. */
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
    let entries: unknown[];
    try {
      entries = parseManifest(text, name).entries;
    } catch {
      continue;
    }
    for (const entry of entries as Record<string, unknown>[]) {
      for (const key of ['input', 'heatmap', 'guided']) if (isPlainFileName(entry?.[key])) listed.add(entry[key]);
      if (isPlainFileName(entry?.id)) for (const file of Object.values(renderedFileNames(entry.id))) listed.add(file);
    }
  }
  if (manifests.length > 0) listed.add(GALLERY_FILE);
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
  return name === MANIFEST_FILE || SHARD_MANIFEST_PATTERN.test(name);
}

/** Removes these names from `folder` (files gradcam wrote; a missing one is fine). */
export async function removeFromFolder(folder: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await rm(join(folder, name), { force: true }).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`${join(folder, name)}: cannot remove (${fsReasonOf(error)})`, folder);
    });
  }
}
