/**
 * Grad-CAM on layers models built from the Keras applications' blocks (test/helpers/keras-blocks.ts):
 * an Inception block, a MobileNetV2 inverted residual with depthwise + ReLU6 and squeeze-and-excite,
 * a ResNet block. At the default layer and at a layer inside a branch (the case that crashed on
 * Keras InceptionV3), the map equals an independent computation: the same layers applied eagerly
 * to concrete tensors, in a hand-written head per target, differentiated with tf.grad on the cpu
 * backend (no graph walk, none of layers-cut.ts). Then the same models saved as
 * tensorflowjs_converter saves them, uint8- and float16-quantized.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainBatch, type Explanation } from '../../src/cam/explain.js';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { LayerChoiceError, defaultTargetLayer, cutModelAt } from '../../src/surgery/layers-cut.js';
import { loadModelDirectory } from '../../src/models/model-dir.js';
import { lastActivationLayerName } from '../../src/models/vgg.js';
import { buildVgg } from '../../src/models/vgg.js';
import { prepareWasm } from '../helpers/backends.js';
import { maxDifference } from '../helpers/compare.js';
import { writeConvertedModel, type Quantization } from '../helpers/converter-weights.js';
import { inceptionBlock, mobileNetBlock, resNetBlock } from '../helpers/keras-blocks.js';
import { referenceGradcam, volumeFrom } from '../helpers/reference-net.js';

const TOLERANCE = 1e-4;

let root: string;
beforeAll(async () => {
  tf.env().set('PROD', true);
  await prepareWasm();
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-layers-models-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The layers after a target, applied eagerly; `value(name)` is a layer's output on the image. */
type Head = (model: tf.LayersModel, value: (name: string) => tf.Tensor) => (a: tf.Tensor) => tf.Tensor;

const run = (model: tf.LayersModel, name: string, x: tf.Tensor | tf.Tensor[]) =>
  model.getLayer(name).apply(x, { training: false }) as tf.Tensor;

/** avg_pool → dropout → predictions without its softmax: the logits. */
function logitsOf(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const features = run(model, 'dropout', run(model, 'avg_pool', x));
  const [kernel, bias] = model.getLayer('predictions').getWeights();
  return tf.add(tf.matMul(features, kernel), bias);
}

interface Case {
  name: string;
  build: () => tf.LayersModel;
  layer: string;
  head: Head;
}

const CASES: Case[] = [
  {
    name: 'Inception block, default (the concatenation)',
    build: inceptionBlock,
    layer: 'mixed',
    head: (m) => (a) => logitsOf(m, a),
  },
  {
    name: 'Inception block, a ReLU inside one branch',
    build: inceptionBlock,
    layer: 'b2b_relu',
    head: (m, value) => (a) =>
      logitsOf(m, run(m, 'mixed', [value('b1_relu'), a, value('b3_relu'), value('b4_sepconv')])),
  },
  {
    name: 'MobileNetV2 block, default (out_relu)',
    build: mobileNetBlock,
    layer: 'out_relu',
    head: (m) => (a) => logitsOf(m, a),
  },
  {
    name: 'MobileNetV2 block, the depthwise ReLU6 inside the residual, through squeeze-and-excite',
    build: mobileNetBlock,
    layer: 'block_1_depthwise_relu',
    head: (m, value) => (a) => {
      const projected = run(m, 'block_1_project_BN', run(m, 'block_1_project', a));
      const added = run(m, 'block_1_add', [value('Conv1_relu'), projected]);
      const squeezed = run(m, 'se_reshape', run(m, 'se_squeeze', added));
      const excited = run(m, 'se_excite', [added, run(m, 'se_expand', run(m, 'se_reduce', squeezed))]);
      return logitsOf(m, run(m, 'out_relu', run(m, 'Conv_1_bn', run(m, 'Conv_1', excited))));
    },
  },
  {
    name: 'ResNet block, default (block_out)',
    build: resNetBlock,
    layer: 'block_out',
    head: (m) => (a) => logitsOf(m, a),
  },
  {
    name: 'ResNet block, the ReLU inside the residual branch',
    build: resNetBlock,
    layer: 'block_1_relu',
    head: (m, value) => (a) => {
      const residual = run(m, 'block_2_bn', run(m, 'block_2_conv', a));
      return logitsOf(m, run(m, 'block_out', run(m, 'block_add', [value('block_0_bn'), residual])));
    },
  },
];

const IMAGE = () => tf.randomUniform([2, 12, 12, 3], -1, 1, 'float32', 17) as tf.Tensor4D;

/** Reference Grad-CAM maps (image-major, one per image for class `classes[i]`), computed on cpu. */
async function referenceMaps(model: tf.LayersModel, layer: string, head: Head, classes: number[]): Promise<number[][]> {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    return tf.tidy(() => {
      const image = IMAGE();
      const names = [
        ...new Set([layer, ...model.layers.map((l) => l.name).filter((n) => n !== layer && !n.startsWith('input'))]),
      ];
      const probe = tf.model({
        inputs: model.inputs,
        outputs: names.map((n) => model.getLayer(n).output as tf.SymbolicTensor),
      });
      const outputs = probe.predict(image) as tf.Tensor[];
      const value = (name: string) => outputs[names.indexOf(name)];
      const activations = value(layer);
      const logits = head(model, value);
      const dy = tf.oneHot(tf.tensor1d(classes, 'int32'), 5);
      const gradient = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(logits(a), dy)))(activations);
      const [, h, w, c] = activations.shape;
      const size = h * w * c;
      const a = activations.dataSync();
      const g = gradient.dataSync();
      return classes.map((_, i) =>
        referenceGradcam(
          volumeFrom(a.subarray(i * size, (i + 1) * size), h, w, c),
          Float64Array.from(g.subarray(i * size, (i + 1) * size)),
        ),
      );
    });
  } finally {
    await tf.setBackend(previous);
  }
}

function explain(model: tf.LayersModel, layer: string, classIndex?: number): Explanation[] {
  const image = IMAGE();
  const spec = classIndex === undefined ? ({ kind: 'top' } as const) : ({ kind: 'class', index: classIndex } as const);
  const cut = cutModelAt(model, layer);
  const result = explainBatch(cut, image, spec, { method: gradcam, counterfactual: false });
  image.dispose();
  cut.dispose();
  return result;
}

describe('the default target layer', () => {
  it('is where the branches meet, or the last convolution after its batch norm and activation', () => {
    expect(defaultTargetLayer(inceptionBlock())).toBe('mixed');
    expect(defaultTargetLayer(mobileNetBlock())).toBe('out_relu');
    expect(defaultTargetLayer(resNetBlock())).toBe('block_out');
  });

  it('is unchanged on our own VGG models, with and without batch norm, on 28×28 and 32×32 inputs', () => {
    for (const batchNorm of [true, false]) {
      for (const inputShape of [
        [28, 28, 1],
        [32, 32, 3],
      ] as [number, number, number][]) {
        const model = buildVgg({
          inputShape,
          classes: 10,
          width: 0.125,
          batchNorm,
          poolAfter: [1, 2, 4, 6, 8],
          seed: 1,
        });
        expect(defaultTargetLayer(model)).toBe(lastActivationLayerName({ batchNorm }));
        model.dispose();
      }
    }
  });
});

describe.each(['cpu', 'wasm'])('Grad-CAM on Keras-application blocks vs eager tf.grad (%s backend)', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  it.each(CASES)('$name, every class', async ({ build, layer, head }) => {
    const model = build();
    let nonEmpty = 0;
    for (let classIndex = 0; classIndex < 5; classIndex++) {
      const numTensors = tf.memory().numTensors;
      const explanations = explain(model, layer, classIndex);
      expect(tf.memory().numTensors).toBe(numTensors);
      const expected = await referenceMaps(model, layer, head, [classIndex, classIndex]);
      explanations.forEach((e, i) => {
        expect(maxDifference(e.map, expected[i])).toBeLessThan(TOLERANCE);
        if (!e.empty) nonEmpty++;
      });
    }
    // A map with no positive evidence is a real outcome (all zeros in both): most must have some.
    expect(nonEmpty).toBeGreaterThanOrEqual(6);
    model.dispose();
  });
});

describe.each(['cpu', 'wasm'])(
  'batch norm without scale (Keras InceptionV3) under the gradient tape (%s backend)',
  (backend) => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });

    it('gives the maps, and guided backpropagation, of the same model with gamma = 1, at layers upstream of it', () => {
      const scaleless = inceptionBlock(true);
      const withGamma = inceptionBlock(false);
      const image = IMAGE();
      expect(
        maxDifference(
          (scaleless.predict(image) as tf.Tensor).dataSync(),
          (withGamma.predict(image) as tf.Tensor).dataSync(),
        ),
      ).toBeLessThan(1e-6);
      for (const layer of ['stem_relu', 'b2a_relu']) {
        const [a, b] = [scaleless, withGamma].map((model) =>
          explainBatch(
            cutModelAt(model, layer),
            image,
            { kind: 'class', index: 1 },
            { method: gradcam, counterfactual: false, guided: true },
          ),
        );
        a.forEach((explanation, i) => {
          expect(explanation.empty).toBe(false);
          expect(maxDifference(explanation.map, b[i].map)).toBeLessThan(1e-5);
          expect(maxDifference(explanation.guided as Float32Array, b[i].guided as Float32Array)).toBeLessThan(1e-5);
        });
      }
    });
  },
);

describe('a layer with no path to the output', () => {
  it('is a usage error', () => {
    // The output layer's softmax is bypassed for the logits, so its own (spatial) output has no path to them.
    const input = tf.input({ shape: [4, 4, 2] });
    const conv = tf.layers.conv2d({ name: 'conv', filters: 3, kernelSize: 1 }).apply(input) as tf.SymbolicTensor;
    const probabilities = tf.layers
      .activation({ name: 'probabilities', activation: 'softmax' })
      .apply(conv) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: probabilities });
    expect(() => cutModelAt(model, 'probabilities')).toThrow(LayerChoiceError);
    expect(() => cutModelAt(model, 'probabilities')).toThrow(
      "layer probabilities: the model's output does not depend on this layer",
    );
  });
});

describe.each(['uint8', 'float16'] as Quantization[])(
  'saved %s-quantized as tensorflowjs_converter writes it',
  (quantization) => {
    const TOLERANCE_AGAINST_FLOAT32 = { uint8: 0.2, float16: 0.01, uint16: 1e-3, none: 0 }[quantization];

    it.each(CASES)('$name', async ({ build, layer, head }) => {
      const original = build();
      const dir = join(root, `${quantization}-${layer}`);
      await mkdir(dir);
      await writeConvertedModel(dir, original, { quantization, shardBytes: 2000 });
      const { model, metadata } = await loadModelDirectory(dir);
      expect(metadata).toBeUndefined();
      expect(defaultTargetLayer(model)).toBe(defaultTargetLayer(original));

      const top = explain(model, layer);
      const expected = await referenceMaps(
        model,
        layer,
        head,
        top.map((e) => e.target.index),
      );
      top.forEach((e, i) => expect(maxDifference(e.map, expected[i])).toBeLessThan(TOLERANCE));
      // Against the float32 model, the maps differ by no more than quantization error allows.
      const float32 = explain(original, layer);
      top.forEach((e, i) => {
        expect(e.target.index).toBe(float32[i].target.index);
        expect(maxDifference(e.map, float32[i].map)).toBeLessThan(TOLERANCE_AGAINST_FLOAT32);
      });
    });
  },
);
