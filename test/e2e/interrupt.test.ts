/**
 * Interrupting `gradcam train` with a real signal, then `--resume`: the run ends with the same
 * weights as an uninterrupted run with the same seed (same backend), exit codes 130 / 143.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER, runCli } from '../helpers/run-cli.js';
import { writeSyntheticMnist } from '../helpers/synthetic-data.js';

let root: string;
let data: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gradcam-interrupt-'));
  data = join(root, 'mnist');
  await writeSyntheticMnist(data, 480, 40);
});
afterAll(() => rm(root, { recursive: true, force: true }));

const trainArgs = (out: string) => [
  'train',
  '--dataset',
  'mnist',
  '--data',
  data,
  '--out',
  out,
  '--width',
  '0.125',
  '--epochs',
  '3',
  '--batch-size',
  '16',
  '--seed',
  '3',
];

/** Starts training and sends `signal` once the first epoch has been reported. */
function trainAndInterrupt(out: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [LAUNCHER, ...trainArgs(out)], {
      env: { ...process.env, GRADCAM_BACKEND: 'wasm', GRADCAM_THREADS: '1' },
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && stderr.includes('epoch 1/3')) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function float32(bytes: Buffer): Float32Array {
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe('interrupt and resume through bin/', () => {
  it('SIGINT → checkpoint, exit 130; --resume finishes with the uninterrupted weights', async () => {
    const reference = join(root, 'reference');
    expect((await runCli(trainArgs(reference))).code).toBe(0);

    const out = join(root, 'interrupted');
    const interrupted = await trainAndInterrupt(out, 'SIGINT');
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/SIGINT received/);
    const lastLine = interrupted.stderr.trim().split('\n').at(-1);
    expect(lastLine).toMatch(
      new RegExp(
        `^gradcam: interrupted: interrupted by SIGINT: checkpoint .*checkpoint-\\d{8}; resume with: gradcam train --resume ${out}$`,
      ),
    );
    // While training, --out holds only the checkpoint: no half model.
    const files = await readdir(out);
    expect(files.filter((name) => !name.startsWith('.'))).toEqual([expect.stringMatching(/^checkpoint-\d{8}$/)]);
    expect(interrupted.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace

    // Resume: conflicting options are refused, matching ones accepted.
    const conflicting = await runCli(['train', '--resume', out, '--epochs', '5']);
    expect(conflicting.code).toBe(2);
    expect(conflicting.stderr).toMatch(/--epochs 5 conflicts with the checkpoint's 3/);
    const resumed = await runCli(['train', '--resume', out, '--seed', '3']);
    expect(resumed.stderr).toMatch(/resuming from/);
    expect(resumed.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['gradcam.json', 'model.json', 'report.html', 'weights.bin']);

    const expected = float32(await readFile(join(reference, 'weights.bin')));
    const actual = float32(await readFile(join(out, 'weights.bin')));
    expect(actual.length).toBe(expected.length);
    let maxDifference = 0;
    for (let i = 0; i < expected.length; i++)
      maxDifference = Math.max(maxDifference, Math.abs(actual[i] - expected[i]));
    expect(maxDifference).toBeLessThanOrEqual(1e-6);
    const history = JSON.parse(await readFile(join(out, 'gradcam.json'), 'utf8')).history;
    const referenceHistory = JSON.parse(await readFile(join(reference, 'gradcam.json'), 'utf8')).history;
    expect(history.map((h: { testAccuracy: number }) => h.testAccuracy)).toEqual(
      referenceHistory.map((h: { testAccuracy: number }) => h.testAccuracy),
    );
  });

  it('SIGTERM exits 143 with a checkpoint to resume from', async () => {
    const out = join(root, 'terminated');
    const terminated = await trainAndInterrupt(out, 'SIGTERM');
    expect(terminated.code).toBe(143);
    expect(terminated.stderr).toMatch(/interrupted by SIGTERM/);
    const again = await runCli(['train', '--resume', out]);
    expect(again.code).toBe(0);
    const finished = await runCli(['train', '--resume', out]);
    expect(finished.code).toBe(1);
    expect(finished.stderr.trim()).toMatch(/training already finished/);
  });
});
