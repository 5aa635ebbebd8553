/**
 * `render`'s output folder rule. Drawing beside its source (the --cam folder, or the folder of
 * --heatmap) is that run's own folder: re-rendering overwrites its renders, and no render.json is
 * written there (cam.json already names what render writes beside it, and cam's own rule keeps
 * that folder to one run). Any other --out holds one run's renders, recorded in render.json: it
 * must be empty or hold only what a render.json of the same run lists (a re-render, which
 * overwrites them); anything else is refused unless --force, which removes what gradcam wrote
 * there (render.json's files, a cam run's as cam --force does) and keeps every other file.
 */
import { readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readFolderContents, type FolderContents } from '../cam-output/earlier-run.js';
import {
  buildRenderManifest,
  parseRenderManifest,
  RENDER_MANIFEST_FILE,
  sameRenderSource,
  type RenderManifest,
  type RenderSource,
} from '../cam-output/render-manifest.js';
import { writeFileAtomic } from '../io/atomic.js';
import { createOutputDirectory } from '../io/output-directory.js';
import { InputError, forOption, fsReasonOf } from '../errors.js';
import type { Log } from '../log.js';
import { heldRunError, removeEarlierRun } from './earlier-run-option.js';

export interface RenderRun {
  source: RenderSource;
  /** The folder render draws beside by default (the --cam folder, or the map's). */
  sourceFolder: string;
  /** Absolute paths of every file this run may write (outside --out too). */
  planned: readonly string[];
  /** Absolute paths of the files this run reads: --force never removes them. */
  reads: readonly string[];
  force: boolean;
}

/** Keeps render.json in step with what render writes into --out. */
export interface RenderOut {
  /** Before each write: the first call records every planned file, so an interrupted run is still known. */
  beforeWrite(): Promise<void>;
  /** After the last write: records the files written (absolute paths; those outside --out are left out). */
  finish(written: readonly (string | undefined)[]): Promise<void>;
}

/**
 * Applies the rule to `out` before anything is drawn: refuses it (InputError), or clears an
 * earlier run under --force, and returns what keeps its render.json.
 */
export async function prepareRenderOut(out: string, run: RenderRun, log: Log): Promise<RenderOut> {
  if (await sameFolder(out, run.sourceFolder)) return { beforeWrite: async () => {}, finish: async () => {} };
  const contents = await readFolderContents(out);
  let earlierFiles: string[] = [];
  if (contents.written.length + contents.other.length > 0) {
    const earlier = await readRenderManifest(out);
    if (!run.force && isRerender(contents, earlier, run.source)) {
      earlierFiles = contents.written;
    } else {
      if (!run.force) throw heldRunError(out, contents.manifests, contents);
      const remove = contents.written.filter((name) => !run.reads.includes(join(out, name)));
      await removeEarlierRun(out, remove, contents.other.length, log);
    }
  }
  const record = (files: readonly (string | undefined)[]) =>
    writeRenderManifest(out, buildRenderManifest(run.source, [...earlierFiles, ...namesIn(out, files)]));
  let begun = false;
  return {
    async beforeWrite() {
      if (begun) return;
      begun = true;
      await forOption('--out', () => createOutputDirectory(out));
      await record(run.planned);
    },
    async finish(written) {
      if (begun) await record(written);
    },
  };
}

/**
 * A re-render of the same run: the folder holds render.json and only files it lists, and it
 * drew the same source (the same cam folder and cam.json, or the same map and image).
 */
function isRerender(contents: FolderContents, earlier: RenderManifest | undefined, source: RenderSource): boolean {
  const onlyRenderManifest = contents.manifests.length === 1 && contents.manifests[0] === RENDER_MANIFEST_FILE;
  return (
    onlyRenderManifest &&
    contents.other.length === 0 &&
    earlier !== undefined &&
    sameRenderSource(earlier.source, source)
  );
}

/** The folder's render.json; undefined when there is none or it cannot be read as one. */
async function readRenderManifest(folder: string): Promise<RenderManifest | undefined> {
  const path = join(folder, RENDER_MANIFEST_FILE);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseRenderManifest(text, path);
  } catch {
    return undefined;
  }
}

async function writeRenderManifest(out: string, manifest: RenderManifest): Promise<void> {
  const path = join(out, RENDER_MANIFEST_FILE);
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`).catch((error: unknown) => {
    throw new InputError(`--out ${out}: cannot write ${path} (${fsReasonOf(error)})`);
  });
}

/** The names of the files directly in `folder`. */
function namesIn(folder: string, paths: readonly (string | undefined)[]): string[] {
  return paths
    .filter((path): path is string => path !== undefined && dirname(path) === folder)
    .map((path) => basename(path));
}

/** Both paths name one folder (through symlinks too, when they exist). */
async function sameFolder(a: string, b: string): Promise<boolean> {
  const real = (path: string) => realpath(path).catch(() => resolve(path));
  return (await real(a)) === (await real(b));
}
