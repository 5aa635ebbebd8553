/**
 * `gradcam eval` through the real launcher (dist/: run `npm run build` first) on a small VGG
 * written as a model directory, with the synthetic squares (test/helpers/synthetic-data.ts) as
 * the test set. The model is built, not trained: these tests check the command, its outputs and
 * the identities every run must satisfy; test/eval/region-model.test.ts checks that the metrics
 * tell a good map from a random one.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../src/models/metadata.js';
import { saveModelDirectory } from '../../src/models/model-dir.js';
import { buildVgg, poolsForInput } from '../../src/models/vgg.js';
import { runCli } from '../helpers/run-cli.js';
import { writeSyntheticMnist } from '../helpers/synthetic-data.js';

let root: string;
let data: string;
let model: string;

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-eval-'));
  data = join(root, 'mnist');
  model = join(root, 'model');
  await writeSyntheticMnist(data, 10, 12);
  const poolAfter = poolsForInput(28, 28);
  const network = buildVgg({
    inputShape: [28, 28, 1],
    classes: 10,
    width: 0.125,
    batchNorm: false,
    poolAfter,
    seed: 1,
  });
  const metadata: ModelMetadata = {
    format: METADATA_FORMAT,
    formatVersion: METADATA_VERSION,
    toolVersion: '0.1.0',
    dataset: 'mnist',
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    inputShape: [28, 28, 1],
    normalization: { mean: [0.13], std: [0.3] },
    targetLayer: 'conv8',
    architecture: { name: 'vgg11', width: 0.125, batchNorm: false, poolAfter },
    training: {},
    testAccuracy: null,
    backend: 'cpu',
    history: [],
    createdAt: '2025-01-01T00:00:00.000Z',
  };
  await saveModelDirectory(model, network, metadata, false);
  network.dispose();
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('gradcam eval through bin/', () => {
  it('prints JSON with every requested method, the random baseline and the sanity check, and writes the report', async () => {
    const reportPath = join(root, 'report.html');
    const result = await runCli([
      'eval',
      '--model',
      model,
      '--dataset',
      'mnist',
      '--data',
      data,
      '--count',
      '6',
      '--steps',
      '7',
      '--methods',
      'gradcam,eigencam,guided-backprop',
      '--sanity-count',
      '3',
      '--examples',
      '2',
      '--report',
      reportPath,
      '--json',
    ]);
    expect(result.stderr).not.toMatch(/error|warning/);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      format: 'gradcam-eval',
      formatVersion: 3,
      dataset: 'mnist',
      images: 6,
      steps: 7,
      seed: 0,
    });
    expect(report.layer).toEqual({ name: 'conv8', shape: [7, 7, 64] });
    expect(report.methods.map((m: { method: string }) => m.method)).toEqual(['gradcam', 'eigencam', 'guided-backprop']);
    for (const scores of [...report.methods, report.random]) {
      expect(scores.deletion.curve).toHaveLength(8);
      expect(scores.insertion.curve).toHaveLength(8);
      expect(scores.deletion.auc).toBeGreaterThanOrEqual(0);
      expect(scores.insertion.auc).toBeLessThanOrEqual(1);
      // Every source starts deletion from the unmodified images and ends insertion there.
      expect(scores.deletion.curve[0]).toBeCloseTo(report.meanProbability, 5);
      expect(scores.insertion.curve[7]).toBeCloseTo(report.meanProbability, 5);
      // ... and ends deletion at the all-mean image, starts insertion at the blurred image.
      expect(scores.deletion.curve[7]).toBeCloseTo(report.random.deletion.curve[7], 5);
      expect(scores.insertion.curve[0]).toBeCloseTo(report.random.insertion.curve[0], 5);
    }
    expect(report.sanity.layers).toEqual([
      'logits',
      'fc2',
      'fc1',
      'conv8',
      'conv7',
      'conv6',
      'conv5',
      'conv4',
      'conv3',
      'conv2',
      'conv1',
    ]);
    expect(report.sanity.images).toBe(3);
    // Small inputs get the full protocol: every cascade step compared, every channel, no reductions.
    expect(report.sanity.steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(report.sanity.cascadeLength).toBe(11);
    expect(report.maxChannels).toBeNull();
    expect(report.protocol.defaults).toBe('the full protocol');
    const eigen = report.sanity.curves.find((curve: { method: string }) => curve.method === 'eigencam');
    // Eigen-CAM looks only at conv8's activations: the layers above it do not change its maps.
    expect(eigen.correlation.slice(0, 3)).toEqual([1, 1, 1]);

    const html = await readFile(reportPath, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect([...html.matchAll(/<section id="([a-z]+)">/g)].map((m) => m[1])).toEqual([
      'summary',
      'scores',
      'curves',
      'sanity',
      'examples',
      'protocol',
    ]);
    // 2 example rows × (input + 3 methods + random).
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(2 * 5);
    expect(result.stderr).toContain(`report written to ${reportPath}`);
  });

  it('prints the table on stdout without --json', async () => {
    const result = await runCli([
      'eval',
      '--model',
      model,
      '--dataset',
      'mnist',
      '--data',
      data,
      '--count',
      '4',
      '--methods',
      'gradcam',
      '--sanity-count',
      '0',
      '--quiet',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^4 mnist test images, layer conv8 \[7×7×64\], 28 steps, seed 0; accuracy [\d.]+%/);
    expect(lines[1]).toMatch(/^predicted: \d \d+/);
    expect(lines[3]).toMatch(/^method\s+deletion AUC ↓\s+insertion AUC ↑\s+avg drop % ↓\s+increase % ↑\s+empty maps$/);
    expect(lines[4]).toMatch(/^gradcam\s+0\.\d{4}\s+0\.\d{4}\s+[\d.]+\s+[\d.]+\s+\d+$/);
    expect(lines[5]).toMatch(/^random\s+0\.\d{4}/);
    expect(result.stdout).not.toContain('sanity check');
  });

  it('refuses an unknown method (exit 2) and an unwritable report location (exit 1) before computing', async () => {
    const unknown = await runCli([
      'eval',
      '--model',
      model,
      '--dataset',
      'mnist',
      '--data',
      data,
      '--methods',
      'gradcam,gradcom',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^gradcam: error: --methods gradcam,gradcom: unknown method 'gradcom'; choose from gradcam, gradcam\+\+/,
    );
    const missingDirectory = join(root, 'no-such-dir', 'report.html');
    const badReport = await runCli([
      'eval',
      '--model',
      model,
      '--dataset',
      'mnist',
      '--data',
      data,
      '--report',
      missingDirectory,
    ]);
    expect(badReport.code).toBe(1);
    expect(badReport.stderr.trim()).toBe(
      `gradcam: error: --report ${missingDirectory}: directory ${join(root, 'no-such-dir')} does not exist`,
    );
    const preprocess = await runCli([
      'eval',
      '--model',
      model,
      '--dataset',
      'mnist',
      '--data',
      data,
      '--preprocess',
      'tf',
      '--quiet',
    ]);
    expect(preprocess.code).toBe(2);
    expect(preprocess.stderr).toBe(
      `gradcam: error: --preprocess: ${model} has gradcam.json, whose normalization is used; --preprocess is for models without it\n`,
    );
    const noDataset = await runCli(['eval', '--model', model]);
    expect(noDataset.code).toBe(2);
    expect(noDataset.stderr).toMatch(/--dataset/);
  });
});
