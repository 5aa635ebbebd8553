/**
 * `gradcam cam` on a graph model (`format: graph-model`) through the real launcher: the
 * MobileNet-style network of helpers/graph-networks.ts (fused convolutions with Relu and Relu6, a
 * fused depthwise convolution with Relu6, a residual AddV2), its weights uint8-quantized in two
 * groups of shards as the converter writes them, explained with no option but the image. The map
 * equals the same network's Grad-CAM computed with TensorFlow.js ops from the dequantized weights
 * to 1e-3; bad node names and a malformed graph are one-line errors.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../src/io/image-codec.js';
import { decodeNpy } from '../../src/cam-output/npy.js';
import { maxDifference } from '../helpers/compare.js';
import { writeGraphModel } from '../helpers/graph-models.js';
import { residualGraph, residualReference, type Weights } from '../helpers/graph-networks.js';
import { referenceGradcam, volumeFrom } from '../helpers/reference-net.js';
import { runCli } from '../helpers/run-cli.js';

let root: string;
let model: string;
let weights: Weights;
let image: string;
let pixels: Uint8Array;

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-graph-e2e-'));
  model = join(root, 'graph');
  weights = await writeGraphModel(model, residualGraph(), {
    quantization: 'uint8',
    weightsPerGroup: 6,
    shardBytes: 64,
  });
  // The model's own size (9×9), so no resizing stands between the pixels and the reference.
  pixels = Uint8Array.from({ length: 9 * 9 * 3 }, (_, i) => (i * 97 + 31) % 256);
  image = join(root, 'photo.png');
  await writeFile(image, encodePng({ data: pixels, width: 9, height: 9, channels: 3 }));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Grad-CAM of the top class at `node`, from the TensorFlow.js-ops copy of the network (pixels / 255). */
function referenceMap(node: string): number[] {
  return tf.tidy(() => {
    const images = tf.tensor4d(
      Float32Array.from(pixels, (p) => p / 255),
      [1, 9, 9, 3],
    );
    const clean = residualReference(weights, images);
    const activations = clean.get(node) as tf.Tensor4D;
    const top = tf.argMax(clean.get('logits/BiasAdd') as tf.Tensor, 1).dataSync()[0];
    const score = (a: tf.Tensor) =>
      tf.gather(
        tf.reshape(residualReference(weights, images, { node, value: a }).get('logits/BiasAdd') as tf.Tensor, [-1]),
        top,
      );
    const gradient = tf.grad(score)(activations);
    const [, h, w, c] = activations.shape;
    return referenceGradcam(volumeFrom(activations.dataSync(), h, w, c), Float64Array.from(gradient.dataSync()));
  });
}

describe('cam on a graph model', () => {
  it.each(['wasm', 'cpu'])(
    'explains the last spatial node with no option but the image, equal to the reference (%s)',
    async (backend) => {
      const out = join(root, `out-${backend}`);
      const result = await runCli(['cam', '--model', model, '--image', image, '--out', out, '--json', '--quiet'], {
        env: { GRADCAM_BACKEND: backend },
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const manifest = JSON.parse(result.stdout);
      expect(manifest.layer).toEqual({ name: 'head/Relu6', shape: [4, 4, 6] });
      const map = decodeNpy(await readFile(join(out, 'photo.npy')), 'photo.npy');
      expect(map.shape).toEqual([4, 4]);
      expect(maxDifference(map.data as Float32Array, referenceMap('head/Relu6'))).toBeLessThan(1e-3);
    },
  );

  it('--layer names a node, also one inside the residual block', async () => {
    const out = join(root, 'out-layer');
    const result = await runCli([
      'cam',
      '--model',
      model,
      '--image',
      image,
      '--out',
      out,
      '--layer',
      'block/depthwise/Relu6',
      '--json',
      '--quiet',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).layer).toEqual({ name: 'block/depthwise/Relu6', shape: [4, 4, 4] });
    const map = decodeNpy(await readFile(join(out, 'photo.npy')), 'photo.npy');
    expect(maxDifference(map.data as Float32Array, referenceMap('block/depthwise/Relu6'))).toBeLessThan(1e-3);
  });

  it('an unknown or unexplainable node is a one-line usage error (exit 2)', async () => {
    const unknown = await runCli([
      'cam',
      '--model',
      model,
      '--image',
      image,
      '--out',
      join(root, 'no'),
      '--layer',
      'nope',
      '--quiet',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^gradcam: error: --layer nope: no such node; nodes that can be explained: stem\/Relu, stem\/MaxPool, /,
    );
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const flat = await runCli([
      'cam',
      '--model',
      model,
      '--image',
      image,
      '--out',
      join(root, 'no'),
      '--layer',
      'head/Mean',
      '--quiet',
    ]);
    expect(flat.code).toBe(2);
    expect(flat.stderr.trim()).toBe(
      'gradcam: error: --layer head/Mean: output [1, 6] (float32) is not a float32 spatial output [batch, h, w, channels]',
    );
  });

  it('a dilated convolution after the node is a one-line usage error naming both nodes (exit 2)', async () => {
    const atrous = join(root, 'atrous');
    const graph = residualGraph();
    const head = graph.nodes.find((node) => node.name === 'head/Relu6') as { attr: Record<string, unknown> };
    head.attr.dilations = { list: { i: ['1', '2', '2', '1'] } };
    await writeGraphModel(atrous, graph, { quantization: 'uint8' });
    const cam = await runCli([
      'cam',
      '--model',
      atrous,
      '--image',
      image,
      '--layer',
      'block/add',
      '--out',
      join(root, 'out-atrous'),
      '--quiet',
    ]);
    expect(cam.code).toBe(2);
    expect(cam.stderr).toMatch(
      /^gradcam: error: --method gradcam: the gradient from the class score to layer block\/add passes the dilated convolution head\/Relu6, which TensorFlow.js cannot differentiate; /,
    );
    expect(cam.stderr.trim().split('\n')).toHaveLength(1);
    const scorecam = await runCli([
      'cam',
      '--model',
      atrous,
      '--image',
      image,
      '--layer',
      'block/add',
      '--method',
      'scorecam',
      '--out',
      join(root, 'out-atrous'),
      '--quiet',
    ]);
    expect(scorecam.code).toBe(0);
  });

  it('a malformed graph is a one-line input error (exit 1) and writes nothing', async () => {
    const broken = join(root, 'broken');
    await writeGraphModel(broken, residualGraph(), { quantization: 'float16' });
    const path = join(broken, 'model.json');
    const json = JSON.parse(await readFile(path, 'utf8'));
    json.modelTopology.node.find((node: { name: string }) => node.name === 'stem/Relu').input[0] = 'head/Relu6';
    await writeFile(path, JSON.stringify(json));
    const out = join(root, 'out-broken');
    const result = await runCli(['cam', '--model', broken, '--image', image, '--out', out, '--quiet']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^gradcam: error: .*broken\/model\.json: the graph has a cycle through node "/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    await expect(readFile(join(out, 'cam.json'))).rejects.toThrow();
  });
});
