import { describe, expect, it } from 'vitest';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type CamManifest } from '../../src/cam-output/manifest.js';
import { mergeShardManifests, shardManifestName, shardOf } from '../../src/cam-output/shards.js';

describe('shardOf', () => {
  it.each([
    [10, 3],
    [7, 7],
    [3, 5],
    [1000, 16],
    [0, 2],
  ])('%i inputs in %i shards: contiguous blocks covering each input once, sizes within 1', (n, count) => {
    const items = Array.from({ length: n }, (_, i) => i);
    const shards = Array.from({ length: count }, (_, k) => shardOf(items, { index: k + 1, count }));
    expect(shards.flat()).toEqual(items);
    const sizes = shards.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('10 inputs, shard 2/3 is inputs 3–5', () => {
    expect(shardOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { index: 2, count: 3 })).toEqual([3, 4, 5]);
    expect(shardManifestName({ index: 2, count: 3 })).toBe('cam.shard-2-of-3.json');
  });
});

function manifest(shard: string, ids: string[], overrides: Partial<CamManifest> = {}): CamManifest {
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_VERSION,
    toolVersion: 't',
    createdAt: 'x',
    model: '/m',
    layer: { name: 'conv8', shape: [7, 7, 64] },
    method: 'gradcam',
    counterfactual: false,
    backend: 'wasm',
    shard,
    entries: ids.map((id) => ({
      id,
      source: id,
      input: `${id}.input.png`,
      heatmap: `${id}.npy`,
      predicted: { index: 0, name: '0', probability: 1 },
      target: { index: 0, name: '0', logit: 1 },
      rawMax: 1,
      empty: false,
    })),
    failures: [],
    ...overrides,
  };
}

describe('mergeShardManifests', () => {
  it('concatenates in shard order whatever the order given, and drops the shard field', () => {
    const merged = mergeShardManifests([manifest('2/2', ['c', 'd']), manifest('1/2', ['a', 'b'])], ['two', 'one']);
    expect(merged.entries.map((e) => e.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(merged.shard).toBeUndefined();
  });

  it('refuses a missing shard, a duplicate shard, mixed N, another model or layer, duplicate ids', () => {
    expect(() => mergeShardManifests([manifest('1/3', ['a']), manifest('3/3', ['c'])], ['x', 'y'])).toThrow(
      /shard\(s\) 2 of 3 missing/,
    );
    expect(() => mergeShardManifests([manifest('1/2', ['a']), manifest('1/2', ['b'])], ['x', 'y'])).toThrow(
      /shard 1\/2 given twice: x, y/,
    );
    expect(() => mergeShardManifests([manifest('1/2', ['a']), manifest('2/3', ['b'])], ['x', 'y'])).toThrow(
      /y: shard 2\/3, but x is one of 2/,
    );
    expect(() =>
      mergeShardManifests([manifest('1/2', ['a']), manifest('2/2', ['b'], { model: '/other' })], ['x', 'y']),
    ).toThrow(/y: "model" differs/);
    expect(() =>
      mergeShardManifests(
        [manifest('1/2', ['a']), manifest('2/2', ['b'], { layer: { name: 'conv7', shape: [7, 7, 64] } })],
        ['x', 'y'],
      ),
    ).toThrow(/"layer" differs/);
    expect(() => mergeShardManifests([manifest('1/2', ['a']), manifest('2/2', ['a'])], ['x', 'y'])).toThrow(
      /"a" appears in more than one shard/,
    );
    expect(() => mergeShardManifests([{ ...manifest('1/2', ['a']), shard: undefined }], ['x'])).toThrow(
      /x: no valid "shard"/,
    );
  });
});
