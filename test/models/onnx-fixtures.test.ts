/**
 * The ONNX translation against PyTorch: five small torchvision-style models exported by
 * scripts/onnx/export_fixtures.py at opsets 13 and 17 (test/fixtures/onnx/, every op of issue 20's
 * list among them, NCHW layouts through Flatten, permutes and token grids), each with the logits
 * PyTorch computed and pytorch-grad-cam's GradCAM map at two layers (the default one and one
 * inside a residual branch). Here, on the wasm backend as the CLI runs: the same logits to 1e-4,
 * the same predicted class, the same default layer, and each map equal to pytorch-grad-cam's to
 * 1e-3 after both are min-max normalized at the layer's resolution; explaining again leaves no
 * tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/cam-output/npy.js';
import { explainBatch } from '../../src/cam/explain.js';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { readOnnxFile } from '../../src/models/onnx-file.js';
import { buildOnnxModel, type LoadedOnnxModel } from '../../src/models/onnx-model.js';
import { defaultOnnxTarget, cutOnnxModelAt } from '../../src/surgery/onnx-cut.js';
import { prepareWasm } from '../helpers/backends.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onnx');
const MODELS = ['mini-resnet', 'mini-mobilenet', 'mini-convnext', 'mini-vit', 'mini-vgg-softmax'];

interface FixtureLayer {
  role: string;
  onnxNode: string;
  onnxOutput: string;
  mapShape: [number, number];
  map: number[][];
  tokenGrid?: { height: number; width: number };
}

interface Fixture {
  onnx: string;
  input: { npy: string };
  logits: number[];
  predictedClass: number;
  layers: FixtureLayer[];
}

/** ReLU then min-max, as the reference maps are stored. */
function minMax(values: ArrayLike<number>): number[] {
  const relu = Array.from(values, (v) => Math.max(0, v));
  const low = Math.min(...relu);
  const range = Math.max(...relu) - low;
  return relu.map((v) => (range > 0 ? (v - low) / range : 0));
}

beforeAll(async () => {
  await prepareWasm();
  await tf.setBackend('wasm');
});

for (const name of MODELS) {
  for (const opset of [13, 17]) {
    describe(`${name} at opset ${opset}`, () => {
      const fixture = JSON.parse(readFileSync(join(FIXTURES, `${name}.opset${opset}.json`), 'utf8')) as Fixture;
      let loaded: LoadedOnnxModel;
      let image: tf.Tensor4D;

      beforeAll(async () => {
        loaded = buildOnnxModel(await readOnnxFile(join(FIXTURES, fixture.onnx)));
        const npy = decodeNpy(readFileSync(join(FIXTURES, fixture.input.npy)), fixture.input.npy);
        // The fixture's input is NCHW as PyTorch takes it; the tool feeds NHWC images.
        image = tf.tidy(() => tf.transpose(tf.tensor(npy.data as Float32Array, npy.shape as number[]), [0, 2, 3, 1]));
      });
      afterAll(() => {
        loaded?.dispose();
        image?.dispose();
      });

      it("computes PyTorch's logits (before a final Softmax)", () => {
        const cut = cutOnnxModelAt(loaded, fixture.layers[0].onnxNode);
        const logits = tf.tidy(() => cut.logits(image).dataSync());
        expect(logits.length).toBe(fixture.logits.length);
        const worst = Math.max(...fixture.logits.map((value, index) => Math.abs(value - logits[index])));
        expect(worst).toBeLessThan(1e-4);
      });

      it('picks the default layer the fixture names', () => {
        expect(defaultOnnxTarget(loaded)).toBe(fixture.layers.find((layer) => layer.role === 'default')?.onnxNode);
      });

      for (const layer of fixture.layers) {
        it(`gives pytorch-grad-cam's map at the ${layer.role} layer ${layer.onnxNode}`, () => {
          const cut = cutOnnxModelAt(loaded, layer.onnxOutput);
          expect(cut.layerName).toBe(layer.onnxNode);
          expect(cut.activationShape.slice(0, 2)).toEqual(layer.mapShape);
          expect(cut.layout.kind).toBe(layer.tokenGrid ? 'tokens' : 'spatial');
          const tensorsBefore = tf.memory().numTensors;
          const [explanation] = explainBatch(cut, image, { kind: 'top' }, { method: gradcam, counterfactual: false });
          // Prepared weights (HWIO filters) are made once, on the first pass of the model.
          const again = tf.memory().numTensors;
          explainBatch(cut, image, { kind: 'top' }, { method: gradcam, counterfactual: false });
          expect(tf.memory().numTensors).toBe(again);
          expect(again).toBeGreaterThanOrEqual(tensorsBefore);
          expect(explanation.predicted.index).toBe(fixture.predictedClass);
          const ours = minMax(explanation.map);
          const theirs = layer.map.flat();
          expect(Math.max(...theirs.map((value, index) => Math.abs(value - ours[index])))).toBeLessThan(1e-3);
          // A batch of two (the model may have been exported with a fixed batch of one) gives the same map twice.
          const pair = tf.concat([image, image]);
          const maps = explainBatch(cut, pair, { kind: 'top' }, { method: gradcam, counterfactual: false });
          pair.dispose();
          for (const { map } of maps) {
            const pairMap = minMax(map);
            expect(Math.max(...theirs.map((value, index) => Math.abs(value - pairMap[index])))).toBeLessThan(1e-3);
          }
        });
      }
    });
  }
}
