/**
 * What a failed training run leaves behind: the model directory with its extra files appears
 * whole or not at all, and a failed run's own output directory is removed unless it holds a
 * complete checkpoint to resume from.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardFailedRun } from '../../src/models/checkpoint.js';
import { METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../src/models/metadata.js';
import { saveModelDirectory } from '../../src/models/model-dir.js';
import { buildVgg } from '../../src/models/vgg.js';

let root: string;
beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-failed-run-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const architecture = {
  inputShape: [12, 12, 1] as [number, number, number],
  classes: 2,
  width: 0.125,
  batchNorm: false,
  poolAfter: [8],
  seed: 1,
};
const metadata: ModelMetadata = {
  format: METADATA_FORMAT,
  formatVersion: METADATA_VERSION,
  toolVersion: 'test',
  dataset: 'folder',
  classNames: ['a', 'b'],
  inputShape: [12, 12, 1],
  normalization: { mean: [0.5], std: [0.2] },
  targetLayer: 'conv8',
  architecture: { name: 'vgg11', width: 0.125, batchNorm: false, poolAfter: [8] },
  training: {},
  testAccuracy: null,
  backend: 'cpu',
  history: [],
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('saveModelDirectory with extra files', () => {
  it('writes them beside the model, in the same rename', async () => {
    const out = join(root, 'with-report');
    await saveModelDirectory(out, buildVgg(architecture), metadata, false, { 'report.html': '<!DOCTYPE html>' });
    expect((await readdir(out)).sort()).toEqual(['gradcam.json', 'model.json', 'report.html', 'weights.bin']);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toBe('<!DOCTYPE html>');
  });

  it('leaves neither the directory nor its staging copy when a write fails', async () => {
    const parent = join(root, 'failing');
    await mkdir(parent);
    // A name inside a directory that does not exist fails after the model files are written.
    const failing = saveModelDirectory(join(parent, 'out'), buildVgg(architecture), metadata, false, {
      'missing/report.html': 'x',
    });
    await expect(failing).rejects.toThrow(/ENOENT/);
    expect(await readdir(parent)).toEqual([]);
  });
});

describe('discardFailedRun', () => {
  it('removes a directory the run created when no checkpoint is complete', async () => {
    const out = join(root, 'created');
    await mkdir(join(out, '.checkpoint-00000005.tmp-1-abcd'), { recursive: true });
    await writeFile(join(out, 'stray'), 'x');
    expect(await discardFailedRun(out, true)).toEqual({ removed: true });
    expect(await readdir(root)).not.toContain('created');
  });

  it('keeps a complete checkpoint, newest first, for --resume', async () => {
    const out = join(root, 'resumable');
    await mkdir(join(out, 'checkpoint-00000040'), { recursive: true });
    await mkdir(join(out, 'checkpoint-00000080'), { recursive: true });
    expect(await discardFailedRun(out, true)).toEqual({ checkpoint: join(out, 'checkpoint-00000080'), removed: false });
    expect((await readdir(out)).sort()).toEqual(['checkpoint-00000040', 'checkpoint-00000080']);
  });

  it('leaves alone a directory that existed before the run', async () => {
    const out = join(root, 'existing');
    await mkdir(out);
    await writeFile(join(out, 'model.json'), '{}');
    expect(await discardFailedRun(out, false)).toEqual({ removed: false });
    expect(await readdir(out)).toEqual(['model.json']);
    // And a directory that was never made is no error.
    expect(await discardFailedRun(join(root, 'never'), true)).toEqual({ removed: false });
  });
});
