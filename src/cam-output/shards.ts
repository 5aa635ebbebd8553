/**
 * Dividing one `cam` job among processes or machines (`--shard K/N`) and putting it back together
 * (`gradcam merge-manifests`). Shard K of N takes the K-th of N contiguous blocks of the images in
 * the order given, so the assignment is stable across runs and machines, and concatenating the
 * shards' entries in shard order restores the images' order.
 */
import { InputError } from '../errors.js';
import { MANIFEST_VERSION, type CamManifest } from './manifest.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** The images of shard `index` of `count`: block [⌊(K−1)·n/N⌋, ⌊K·n/N⌋). */
export function shardOf<T>(items: readonly T[], shard: Shard): T[] {
  const start = Math.floor(((shard.index - 1) * items.length) / shard.count);
  const end = Math.floor((shard.index * items.length) / shard.count);
  return items.slice(start, end);
}

/** A shard writes `cam.shard-K-of-N.json`, so shards sharing one output directory do not overwrite each other. */
export function shardManifestName(shard: Shard): string {
  return `cam.shard-${shard.index}-of-${shard.count}.json`;
}

export const SHARD_MANIFEST_PATTERN = /^cam\.shard-(\d+)-of-(\d+)\.json$/;

/**
 * Merges the manifests of all N shards of one job into one. They must come from the same model,
 * layer and method, and every shard 1…N must be present exactly once. `sources` names them in
 * errors. Entries and failures are concatenated in shard order (= the images' order).
 */
export function mergeShardManifests(manifests: readonly CamManifest[], sources: readonly string[]): CamManifest {
  if (manifests.length === 0) throw new InputError('no shard manifests (cam.shard-K-of-N.json) to merge');
  const shards = manifests.map((manifest, i) => parseShard(manifest.shard, sources[i]));
  const count = shards[0].count;
  shards.forEach((shard, i) => {
    if (shard.count !== count)
      throw new InputError(`${sources[i]}: shard ${shard.index}/${shard.count}, but ${sources[0]} is one of ${count}`);
  });
  const order = shards
    .map((shard, i) => ({ shard, manifest: manifests[i], source: sources[i] }))
    .sort((a, b) => a.shard.index - b.shard.index);
  const missing: number[] = [];
  for (let k = 1; k <= count; k++) {
    const found = order.filter((item) => item.shard.index === k);
    if (found.length > 1)
      throw new InputError(`shard ${k}/${count} given twice: ${found.map((f) => f.source).join(', ')}`);
    if (found.length === 0) missing.push(k);
  }
  if (missing.length > 0)
    throw new InputError(`shard(s) ${missing.join(', ')} of ${count} missing; run them, then merge again`);

  const first = order[0];
  for (const { manifest, source } of order) {
    for (const field of ['model', 'preprocessing', 'method', 'counterfactual'] as const) {
      if (JSON.stringify(manifest[field]) !== JSON.stringify(first.manifest[field])) {
        throw new InputError(`${source}: "${field}" differs from ${first.source}; shards of one job must share it`);
      }
    }
    if (JSON.stringify(manifest.layer) !== JSON.stringify(first.manifest.layer)) {
      throw new InputError(`${source}: "layer" differs from ${first.source}; shards of one job must share it`);
    }
  }
  const merged: CamManifest = {
    ...first.manifest,
    formatVersion: MANIFEST_VERSION,
    createdAt: new Date().toISOString(),
    entries: order.flatMap(({ manifest }) => manifest.entries),
    failures: order.flatMap(({ manifest }) => manifest.failures),
  };
  delete merged.shard;
  const idSources = new Map<string, string>();
  for (const { manifest, source } of order) {
    for (const entry of manifest.entries) {
      const earlier = idSources.get(entry.id);
      if (earlier !== undefined) {
        const where = earlier === source ? 'twice in this shard' : `in more than one shard (also in ${earlier})`;
        throw new InputError(`${source}: entry id ${JSON.stringify(entry.id)} appears ${where}`);
      }
      idSources.set(entry.id, source);
    }
  }
  return merged;
}

function parseShard(value: unknown, source: string): Shard {
  const match = typeof value === 'string' ? /^(\d+)\/(\d+)$/.exec(value) : null;
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || index > count)
    throw new InputError(`${source}: no valid "shard": "K/N" field; not a shard manifest`);
  return { index, count };
}
