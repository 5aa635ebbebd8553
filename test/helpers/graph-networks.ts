/**
 * Two small graph models in the converter's format (graph-models.ts) and, for each, the same
 * network written with TensorFlow.js ops from the decoded weights: an independent computation of
 * every node's value, with one node's output replaceable (for ∂y/∂A).
 *
 * residual: a MobileNet-style network, 9×9×3 → fused conv + Relu, MaxPool, fused depthwise +
 * Relu6, linear 1×1 projection, AddV2 skip, fused conv + Relu6 (the default node), AvgPool,
 * Mean, MatMul + BiasAdd, Softmax. inception: 6×6×2 → fused conv + LeakyRelu, three branches
 * (1×1 conv + Relu; depthwise ×2 + Relu6 then 1×1 + Relu6; MaxPool), ConcatV2 (the default
 * node), Mean, _FusedMatMul, Softmax.
 */
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder } from './graph-models.js';

export type Weights = Map<string, Float32Array | Int32Array>;
export type Values = Map<string, tf.Tensor>;
/** The reference network: every named value, with `replace` substituted for one node's output. */
export type Reference = (weights: Weights, images: tf.Tensor4D, replace?: { node: string; value: tf.Tensor }) => Values;

export function residualGraph(): GraphBuilder {
  const g = new GraphBuilder(7);
  const x = g.placeholder('images', [-1, 9, 9, 3]);
  const stem = g.fusedConv('stem/Relu', x, [3, 3, 3, 4], { activation: 'Relu', biasOffset: 0.3 });
  const pool = g.pool('MaxPool', 'stem/MaxPool', stem, 3, 2, 'VALID');
  const depthwise = g.fusedDepthwise('block/depthwise/Relu6', pool, [3, 3, 4, 1], {
    activation: 'Relu6',
    weightScale: 2,
  });
  const project = g.fusedConv('block/project/BiasAdd', depthwise, [1, 1, 4, 4]);
  const sum = g.add('block/add', pool, project);
  const head = g.fusedConv('head/Relu6', sum, [3, 3, 4, 6], { activation: 'Relu6', biasOffset: 0.5 });
  const average = g.pool('AvgPool', 'head/AvgPool', head, 2, 2, 'VALID');
  const mean = g.spatialMean('head/Mean', average);
  const logits = g.dense('logits', mean, 6, 5);
  g.unary('Identity', 'Identity', g.unary('Softmax', 'probabilities', logits));
  return g;
}

export const residualReference: Reference = (w, images, replace) => {
  const values: Values = new Map();
  const set = (node: string, compute: () => tf.Tensor) =>
    values.set(node, replace?.node === node ? replace.value : compute());
  const get = (node: string) => values.get(node) as tf.Tensor4D;
  const f = (name: string, shape: number[]) => tf.tensor(w.get(name) as Float32Array, shape) as tf.Tensor4D;
  const b = (name: string) => tf.tensor1d(w.get(name) as Float32Array);
  set('stem/Relu', () =>
    tf.relu(tf.add(tf.conv2d(images, f('stem/Relu/weights', [3, 3, 3, 4]), 1, 'same'), b('stem/Relu/bias'))),
  );
  set('stem/MaxPool', () => tf.maxPool(get('stem/Relu'), 3, 2, 'valid'));
  set('block/depthwise/Relu6', () =>
    tf.relu6(
      tf.add(
        tf.depthwiseConv2d(get('stem/MaxPool'), f('block/depthwise/Relu6/weights', [3, 3, 4, 1]), 1, 'same'),
        b('block/depthwise/Relu6/bias'),
      ),
    ),
  );
  set('block/project/BiasAdd', () =>
    tf.add(
      tf.conv2d(get('block/depthwise/Relu6'), f('block/project/BiasAdd/weights', [1, 1, 4, 4]), 1, 'same'),
      b('block/project/BiasAdd/bias'),
    ),
  );
  set('block/add', () => tf.add(get('stem/MaxPool'), get('block/project/BiasAdd')));
  set('head/Relu6', () =>
    tf.relu6(
      tf.add(tf.conv2d(get('block/add'), f('head/Relu6/weights', [3, 3, 4, 6]), 1, 'same'), b('head/Relu6/bias')),
    ),
  );
  set('head/AvgPool', () => tf.avgPool(get('head/Relu6'), 2, 2, 'valid'));
  set('head/Mean', () => tf.mean(get('head/AvgPool'), [1, 2]));
  set('logits/BiasAdd', () =>
    tf.add(
      tf.matMul(
        get('head/Mean') as unknown as tf.Tensor2D,
        tf.tensor2d(w.get('logits/kernel') as Float32Array, [6, 5]),
      ),
      b('logits/bias'),
    ),
  );
  return values;
};

export function inceptionGraph(): GraphBuilder {
  const g = new GraphBuilder(11);
  const x = g.placeholder('input', [-1, 6, 6, 2]);
  const stem = g.fusedConv('stem/LeakyRelu', x, [3, 3, 2, 4], { activation: 'LeakyRelu', alpha: 0.1 });
  const branch1 = g.fusedConv('mixed/branch1x1/Relu', stem, [1, 1, 4, 3], { activation: 'Relu', biasOffset: 0.2 });
  const depthwise = g.fusedDepthwise('mixed/branch3x3/depthwise/Relu6', stem, [3, 3, 4, 2], {
    activation: 'Relu6',
    weightScale: 2,
  });
  const branch2 = g.fusedConv('mixed/branch3x3/Relu6', depthwise, [1, 1, 8, 3], {
    activation: 'Relu6',
    biasOffset: 0.5,
  });
  const branch3 = g.pool('MaxPool', 'mixed/branch_pool/MaxPool', stem, 3, 1, 'SAME');
  const mixed = g.concat('mixed/concat', [branch1, branch2, branch3]);
  const mean = g.spatialMean('gap/Mean', mixed);
  const logits = g.fusedDense('logits/BiasAdd', mean, 10, 4);
  g.unary('Identity', 'Identity', g.unary('Softmax', 'Softmax', logits));
  return g;
}

export const inceptionReference: Reference = (w, images, replace) => {
  const values: Values = new Map();
  const set = (node: string, compute: () => tf.Tensor) =>
    values.set(node, replace?.node === node ? replace.value : compute());
  const get = (node: string) => values.get(node) as tf.Tensor4D;
  const f = (name: string, shape: number[]) => tf.tensor(w.get(name) as Float32Array, shape) as tf.Tensor4D;
  const b = (name: string) => tf.tensor1d(w.get(name) as Float32Array);
  set('stem/LeakyRelu', () =>
    tf.leakyRelu(
      tf.add(tf.conv2d(images, f('stem/LeakyRelu/weights', [3, 3, 2, 4]), 1, 'same'), b('stem/LeakyRelu/bias')),
      0.1,
    ),
  );
  set('mixed/branch1x1/Relu', () =>
    tf.relu(
      tf.add(
        tf.conv2d(get('stem/LeakyRelu'), f('mixed/branch1x1/Relu/weights', [1, 1, 4, 3]), 1, 'same'),
        b('mixed/branch1x1/Relu/bias'),
      ),
    ),
  );
  set('mixed/branch3x3/depthwise/Relu6', () =>
    tf.relu6(
      tf.add(
        tf.depthwiseConv2d(
          get('stem/LeakyRelu'),
          f('mixed/branch3x3/depthwise/Relu6/weights', [3, 3, 4, 2]),
          1,
          'same',
        ),
        b('mixed/branch3x3/depthwise/Relu6/bias'),
      ),
    ),
  );
  set('mixed/branch3x3/Relu6', () =>
    tf.relu6(
      tf.add(
        tf.conv2d(get('mixed/branch3x3/depthwise/Relu6'), f('mixed/branch3x3/Relu6/weights', [1, 1, 8, 3]), 1, 'same'),
        b('mixed/branch3x3/Relu6/bias'),
      ),
    ),
  );
  set('mixed/branch_pool/MaxPool', () => tf.maxPool(get('stem/LeakyRelu'), 3, 1, 'same'));
  set('mixed/concat', () =>
    tf.concat([get('mixed/branch1x1/Relu'), get('mixed/branch3x3/Relu6'), get('mixed/branch_pool/MaxPool')], 3),
  );
  set('gap/Mean', () => tf.mean(get('mixed/concat'), [1, 2]));
  set('logits/BiasAdd', () =>
    tf.add(
      tf.matMul(
        get('gap/Mean') as unknown as tf.Tensor2D,
        tf.tensor2d(w.get('logits/BiasAdd/kernel') as Float32Array, [10, 4]),
      ),
      b('logits/BiasAdd/bias'),
    ),
  );
  return values;
};
