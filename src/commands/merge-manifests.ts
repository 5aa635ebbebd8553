/**
 * `gradcam merge-manifests DIR`: after `cam --shard K/N` jobs have all written into DIR (or their
 * directories have been copied into one), merge their `cam.shard-K-of-N.json` into `DIR/cam.json`
 * for `render`.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { readUserText, statIfExists } from '../io/read-files.js';
import { checkManifestEntry, MANIFEST_FILE, parseManifest, type CamManifest } from '../cam-output/manifest.js';
import { mergeShardManifests, SHARD_MANIFEST_PATTERN } from '../cam-output/shards.js';
import { InputError, fsReasonOf } from '../errors.js';
import { stderrLog } from '../log.js';
import type { MergeCommandOptions } from './merge-manifests-options.js';

export async function mergeManifestsCommand(directory: string, options: MergeCommandOptions): Promise<number> {
  const { manifest, path } = await runMergeManifests(directory);
  stderrLog(options.quiet).info(`merged ${manifest.entries.length} entries into ${path}`);
  process.stdout.write(options.json ? `${JSON.stringify(manifest, null, 2)}\n` : `${path}\n`);
  return 0;
}

export async function runMergeManifests(directory: string): Promise<{ manifest: CamManifest; path: string }> {
  const info = await statIfExists(directory);
  if (!info?.isDirectory()) throw new InputError(`${directory}: not a directory`);
  const names = (await readdir(directory)).filter((name) => SHARD_MANIFEST_PATTERN.test(name)).sort();
  if (names.length === 0)
    throw new InputError(`${directory}: no cam.shard-K-of-N.json files (written by gradcam cam --shard K/N)`);
  const sources = names.map((name) => join(directory, name));
  const manifests = await Promise.all(
    sources.map(async (source) => {
      const text = await readUserText(source, 'a cam.shard-K-of-N.json file');
      const manifest = parseManifest(text, source);
      // The merged cam.json is all or nothing, so one bad entry (say an id or file name that
      // points outside the directory) stops the merge, naming its shard manifest.
      manifest.entries.forEach((entry, index) => checkManifestEntry(entry, index, source));
      return manifest;
    }),
  );
  const manifest = mergeShardManifests(manifests, sources);
  // The merged manifest is only useful if the files it names are here.
  for (const entry of manifest.entries) {
    for (const file of [entry.heatmap, entry.input]) {
      if (!(await statIfExists(join(directory, file)))) {
        throw new InputError(
          `${join(directory, file)}: missing (named by entry ${entry.id}); copy every shard's files into ${directory}`,
        );
      }
    }
  }
  const path = join(directory, MANIFEST_FILE);
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`).catch((error: unknown) => {
    throw new InputError(`${path}: cannot write (${fsReasonOf(error)})`);
  });
  return { manifest, path };
}
