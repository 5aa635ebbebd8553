/** `cam --shard K/N` jobs into one directory, then `merge-manifests`: the same result as one job. */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/cam-output/npy.js';
import { runCli } from '../helpers/run-cli.js';
import { writeSyntheticMnist } from '../helpers/synthetic-data.js';

let root: string;
let data: string;
let model: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-shards-'));
  data = join(root, 'mnist');
  model = join(root, 'model');
  await writeSyntheticMnist(data, 64, 20);
  const trained = await runCli([
    'train',
    '--dataset',
    'mnist',
    '--data',
    data,
    '--out',
    model,
    '--width',
    '0.125',
    '--epochs',
    '1',
    '--batch-size',
    '16',
    '--quiet',
  ]);
  expect(trained.code).toBe(0);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('sharded cam', () => {
  it('three shards merged equal one unsharded run', async () => {
    const whole = join(root, 'whole');
    expect(
      (
        await runCli([
          'cam',
          '--model',
          model,
          '--dataset',
          'mnist',
          '--data',
          data,
          '--count',
          '11',
          '--out',
          whole,
          '--quiet',
        ])
      ).code,
    ).toBe(0);

    const sharded = join(root, 'sharded');
    const shardRuns = await Promise.all(
      ['1/3', '2/3', '3/3'].map((shard) =>
        runCli([
          'cam',
          '--model',
          model,
          '--dataset',
          'mnist',
          '--data',
          data,
          '--count',
          '11',
          '--out',
          sharded,
          '--shard',
          shard,
          '--quiet',
        ]),
      ),
    );
    expect(shardRuns.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(shardRuns[1].stdout.trim()).toBe(join(sharded, 'cam.shard-2-of-3.json'));
    expect((await readdir(sharded)).filter((name) => name.startsWith('cam.'))).toHaveLength(3);

    const merged = await runCli(['merge-manifests', sharded]);
    expect(merged.code).toBe(0);
    expect(merged.stdout.trim()).toBe(join(sharded, 'cam.json'));
    const one = JSON.parse(await readFile(join(whole, 'cam.json'), 'utf8'));
    const combined = JSON.parse(await readFile(join(sharded, 'cam.json'), 'utf8'));
    const summary = (m: { entries: { id: string; predicted: { index: number }; target: { index: number } }[] }) =>
      m.entries.map((e) => [e.id, e.predicted.index, e.target.index]);
    expect(summary(combined)).toEqual(summary(one));
    // Maps agree to float32 rounding: batches of other sizes may sum in another order.
    for (const entry of one.entries as { heatmap: string }[]) {
      const a = decodeNpy(await readFile(join(sharded, entry.heatmap)), entry.heatmap).data;
      const b = decodeNpy(await readFile(join(whole, entry.heatmap)), entry.heatmap).data;
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-5);
    }

    // A missing shard is an error that names it.
    await rm(join(sharded, 'cam.shard-2-of-3.json'));
    const incomplete = await runCli(['merge-manifests', sharded]);
    expect(incomplete.code).toBe(1);
    expect(incomplete.stderr.trim()).toBe('gradcam: error: shard(s) 2 of 3 missing; run them, then merge again');
  });

  it('rejects a malformed --shard', async () => {
    const result = await runCli([
      'cam',
      '--model',
      model,
      '--dataset',
      'mnist',
      '--data',
      data,
      '--count',
      '2',
      '--shard',
      '4/3',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--shard <K\/N>.*Expected K\/N/);
  });
});
