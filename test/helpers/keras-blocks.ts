/**
 * Small functional models built from the blocks of the Keras applications, with the layer types
 * and names those use: an Inception block (scale-less batch norms, as in InceptionV3), a
 * MobileNetV2 inverted residual block (depthwise convolution, ReLU with max_value 6) followed by
 * squeeze-and-excite (global pool, Reshape, 1×1 convolutions, Multiply), and a ResNet block.
 * Every weight, batch-norm statistics included, comes from a seeded initializer, so two builds
 * are identical.
 */
import * as tf from '@tensorflow/tfjs';

type Tensor = tf.SymbolicTensor;
const L = tf.layers;

let seed = 0;
const normal = (stddev: number) => tf.initializers.randomNormal({ stddev, seed: ++seed });
const uniform = (minval: number, maxval: number) => tf.initializers.randomUniform({ minval, maxval, seed: ++seed });
const he = () => tf.initializers.heNormal({ seed: ++seed });

function conv(
  name: string,
  filters: number,
  kernelSize: number,
  options: Partial<{ strides: number; padding: 'same' | 'valid'; activation: string; useBias: boolean }> = {},
) {
  return L.conv2d({
    name,
    filters,
    kernelSize,
    padding: 'same',
    useBias: false,
    kernelInitializer: he(),
    biasInitializer: normal(0.1),
    ...options,
  } as Parameters<typeof L.conv2d>[0]);
}

/**
 * Batch norm with non-trivial moving statistics. gamma 'none' is Keras InceptionV3's
 * `scale=False`; 'ones' computes the same function with a gamma. The seeds used do not depend on it.
 */
function batchNorm(name: string, gamma: 'random' | 'ones' | 'none' = 'random') {
  const randomGamma = uniform(0.5, 1.5);
  return L.batchNormalization({
    name,
    scale: gamma !== 'none',
    epsilon: 1e-3,
    gammaInitializer: gamma === 'ones' ? tf.initializers.ones() : randomGamma,
    betaInitializer: normal(0.2),
    movingMeanInitializer: normal(0.2),
    movingVarianceInitializer: uniform(0.5, 1.5),
  });
}

function apply(layer: tf.layers.Layer, input: Tensor | Tensor[]): Tensor {
  return layer.apply(input) as Tensor;
}

function head(x: Tensor, classes: number): Tensor {
  x = apply(L.globalAveragePooling2d({ name: 'avg_pool' }), x);
  x = apply(L.dropout({ name: 'dropout', rate: 0.3 }), x);
  return apply(
    L.dense({
      name: 'predictions',
      units: classes,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: ++seed }),
    }),
    x,
  );
}

/**
 * InceptionV3-style: zero padding, a strided stem, four branches concatenated ('mixed'). With
 * `scaleless` (the Keras default for InceptionV3) the batch norms have no gamma; without it they
 * have gamma = 1, which computes the same function.
 */
export function inceptionBlock(scaleless = true): tf.LayersModel {
  seed = 100;
  const bn = (name: string) => batchNorm(name, scaleless ? 'none' : 'ones');
  const convBn = (
    x: Tensor,
    name: string,
    filters: number,
    size: number,
    strides = 1,
    padding: 'same' | 'valid' = 'same',
  ) => {
    x = apply(conv(`${name}_conv`, filters, size, { strides, padding }), x);
    x = apply(bn(`${name}_bn`), x);
    return apply(L.activation({ name: `${name}_relu`, activation: 'relu' }), x);
  };
  const input = tf.input({ shape: [12, 12, 3], name: 'input_1' });
  let x = apply(L.zeroPadding2d({ name: 'stem_pad', padding: 1 }), input);
  x = convBn(x, 'stem', 8, 3, 2, 'valid');
  const b1 = convBn(x, 'b1', 4, 1);
  let b2 = convBn(x, 'b2a', 4, 1);
  b2 = convBn(b2, 'b2b', 4, 3);
  let b3 = apply(L.averagePooling2d({ name: 'b3_pool', poolSize: 3, strides: 1, padding: 'same' }), x);
  b3 = convBn(b3, 'b3', 4, 1);
  let b4 = apply(L.maxPooling2d({ name: 'b4_pool', poolSize: 3, strides: 1, padding: 'same' }), x);
  b4 = apply(
    L.separableConv2d({
      name: 'b4_sepconv',
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      depthwiseInitializer: he(),
      pointwiseInitializer: he(),
      biasInitializer: normal(0.1),
    }),
    b4,
  );
  const mixed = apply(L.concatenate({ name: 'mixed' }), [b1, b2, b3, b4]);
  return tf.model({ inputs: input, outputs: head(mixed, 5) });
}

/** MobileNetV2-style inverted residual block, squeeze-and-excite, then the 1×1 top convolution. */
export function mobileNetBlock(): tf.LayersModel {
  seed = 200;
  const relu6 = (name: string) => L.reLU({ name, maxValue: 6 });
  const input = tf.input({ shape: [12, 12, 3], name: 'input_1' });
  let x = apply(conv('Conv1', 8, 3, { strides: 2 }), input);
  x = apply(batchNorm('bn_Conv1'), x);
  const stem = apply(relu6('Conv1_relu'), x);
  x = apply(conv('block_1_expand', 16, 1), stem);
  x = apply(batchNorm('block_1_expand_BN'), x);
  x = apply(relu6('block_1_expand_relu'), x);
  x = apply(
    L.depthwiseConv2d({
      name: 'block_1_depthwise',
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      depthwiseInitializer: he(),
    }),
    x,
  );
  x = apply(batchNorm('block_1_depthwise_BN'), x);
  x = apply(relu6('block_1_depthwise_relu'), x);
  x = apply(conv('block_1_project', 8, 1), x);
  x = apply(batchNorm('block_1_project_BN'), x);
  const added = apply(L.add({ name: 'block_1_add' }), [stem, x]);
  // Squeeze-and-excite (as in MobileNetV3 / EfficientNet): 1×1 convolutions on a 1×1 map.
  let se = apply(L.globalAveragePooling2d({ name: 'se_squeeze' }), added);
  se = apply(L.reshape({ name: 'se_reshape', targetShape: [1, 1, 8] }), se);
  se = apply(conv('se_reduce', 4, 1, { activation: 'relu', useBias: true }), se);
  se = apply(conv('se_expand', 8, 1, { activation: 'sigmoid', useBias: true }), se);
  x = apply(L.multiply({ name: 'se_excite' }), [added, se]);
  x = apply(conv('Conv_1', 12, 1), x);
  x = apply(batchNorm('Conv_1_bn'), x);
  x = apply(relu6('out_relu'), x);
  return tf.model({ inputs: input, outputs: head(x, 5) });
}

/** ResNet50-style block: a projection shortcut and two convolutions added, then ReLU ('block_out'). */
export function resNetBlock(): tf.LayersModel {
  seed = 300;
  const input = tf.input({ shape: [12, 12, 3], name: 'input_1' });
  let x = apply(conv('conv1_conv', 8, 3, { strides: 2, useBias: true }), input);
  x = apply(batchNorm('conv1_bn'), x);
  const stem = apply(L.activation({ name: 'conv1_relu', activation: 'relu' }), x);
  const shortcut = apply(batchNorm('block_0_bn'), apply(conv('block_0_conv', 12, 1, { useBias: true }), stem));
  x = apply(conv('block_1_conv', 6, 1, { useBias: true }), stem);
  x = apply(batchNorm('block_1_bn'), x);
  x = apply(L.activation({ name: 'block_1_relu', activation: 'relu' }), x);
  x = apply(conv('block_2_conv', 12, 3, { useBias: true }), x);
  x = apply(batchNorm('block_2_bn'), x);
  x = apply(L.add({ name: 'block_add' }), [shortcut, x]);
  x = apply(L.activation({ name: 'block_out', activation: 'relu' }), x);
  return tf.model({ inputs: input, outputs: head(x, 5) });
}
