/** `cam --shard K/N` jobs into one directory, then `merge-manifests`: the same result as one job. */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
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

describe('an --out that holds an earlier run (issue 21)', () => {
  const camArgs = (out: string, count: string, ...more: string[]) => [
    'cam',
    '--model',
    model,
    '--dataset',
    'mnist',
    '--data',
    data,
    '--count',
    count,
    '--out',
    out,
    '--quiet',
    ...more,
  ];
  const listing = async (dir: string) => (await readdir(dir)).sort();

  it('cam refuses it, and --force removes only what gradcam wrote (maps, inputs, renders, gallery)', async () => {
    const out = join(root, 'again');
    expect((await runCli(camArgs(out, '3'))).code).toBe(0);
    expect((await runCli(['render', '--cam', out, '--quiet'])).code).toBe(0);
    await writeFile(join(out, 'notes.txt'), 'mine');
    const before = await listing(out);
    expect(before).toContain('index.html');
    expect(before).toContain('blend_test_00002.png');
    // Rendered beside its cam.json, which already names the renders: no render.json there.
    expect(before).not.toContain('render.json');

    const refused = await runCli(camArgs(out, '2'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `gradcam: error: --out ${out}: holds the output of an earlier run (cam.json); use --force to remove what gradcam wrote there, or another --out\n`,
    );
    expect(await listing(out)).toEqual(before);

    const forced = await runCli(camArgs(out, '2', '--force', '--json'));
    expect(forced.code, forced.stderr).toBe(0);
    // The folder now matches its manifest: its files and the user's, nothing of the first run.
    expect(await listing(out)).toEqual(
      [
        'cam.json',
        'notes.txt',
        'test_00000.input.png',
        'test_00000.npy',
        'test_00001.input.png',
        'test_00001.npy',
      ].sort(),
    );
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it("cam (and a shard) refuses render's own --out (render.json); --force removes only render's files", async () => {
    const cam = join(root, 'rendered-from');
    const out = join(root, 'rendered-into');
    expect((await runCli(camArgs(cam, '2'))).code).toBe(0);
    const rendered = await runCli(['render', '--cam', cam, '--out', out, '--grid', join(out, 'grid.png'), '--quiet']);
    expect(rendered.code, rendered.stderr).toBe(0);
    await writeFile(join(out, 'notes.txt'), 'mine');
    const before = await listing(out);
    expect(before).toContain('render.json');

    const refused = await runCli(camArgs(out, '1'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `gradcam: error: --out ${out}: holds the output of an earlier run (render.json); use --force to remove what gradcam wrote there, or another --out\n`,
    );
    const shard = await runCli(camArgs(out, '2', '--shard', '1/2'));
    expect(shard.code).toBe(1);
    expect(shard.stderr).toContain('holds the output of an earlier run (render.json)');
    expect(await listing(out)).toEqual(before);

    const forced = await runCli(camArgs(out, '1', '--force'));
    expect(forced.code, forced.stderr).toBe(0);
    expect(await listing(out)).toEqual(['cam.json', 'notes.txt', 'test_00000.input.png', 'test_00000.npy']);
  });

  it('cam refuses a folder of files gradcam did not write, unless --force (which removes none of them)', async () => {
    const out = join(root, 'foreign');
    await mkdir(out);
    await writeFile(join(out, 'photo.png'), 'not ours');
    const refused = await runCli(camArgs(out, '1'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`--out ${out}: holds 1 file(s) gradcam did not write (photo.png, …)`);
    expect((await runCli(camArgs(out, '1', '--force'))).code).toBe(0);
    expect(await listing(out)).toEqual(['cam.json', 'photo.png', 'test_00000.input.png', 'test_00000.npy']);
  });

  it('shards of one job share a folder; a shard run again needs --force and leaves the other shard alone', async () => {
    const out = join(root, 'shared-shards');
    for (const shard of ['1/2', '2/2']) expect((await runCli(camArgs(out, '4', '--shard', shard))).code).toBe(0);
    const both = await listing(out);
    const again = await runCli(camArgs(out, '4', '--shard', '1/2'));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('holds the output of an earlier run (cam.shard-1-of-2.json)');
    expect((await runCli(camArgs(out, '4', '--shard', '1/2', '--force'))).code).toBe(0);
    expect(await listing(out)).toEqual(both);
    const merged = await runCli(['merge-manifests', out, '--quiet']);
    expect(merged.code, merged.stderr).toBe(0);
    // Merged: a shard of this job now meets cam.json, the finished job.
    expect((await runCli(camArgs(out, '4', '--shard', '2/2'))).stderr).toContain('(cam.json, cam.shard-2-of-2.json)');
  });
});
