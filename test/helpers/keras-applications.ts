/**
 * The full topologies of Keras' MobileNetV2 (alpha 1) and InceptionV3, layer for layer and with
 * Keras' layer names (keras/applications/mobilenet_v2.py and inception_v3.py), built with
 * tfjs-layers for any input size, with seeded weights. What a converted keras.applications model
 * holds, without downloading one.
 *
 * Random weights make activations drift from layer to layer; `calibrateBatchNorms` sets every batch
 * norm's moving statistics to those of a batch (in one eager pass through the layers; tfjs-layers'
 * own training mode cannot run a batch norm without scale), so that inference on similar inputs
 * is well scaled, as in a trained network.
 */
import * as tf from '@tensorflow/tfjs';

type Tensor = tf.SymbolicTensor;
const L = tf.layers;

let seed = 0;
const glorot = () => tf.initializers.glorotUniform({ seed: ++seed });

function apply(layer: tf.layers.Layer, input: Tensor | Tensor[]): Tensor {
  return layer.apply(input) as Tensor;
}

function batchNorm(name: string, scale = true) {
  return L.batchNormalization({ name, scale, epsilon: 1e-3, momentum: 0.999 });
}

function predictions(x: Tensor, classes: number, poolName: string): Tensor {
  x = apply(L.globalAveragePooling2d({ name: poolName }), x);
  return apply(L.dense({ name: 'predictions', units: classes, activation: 'softmax', kernelInitializer: glorot() }), x);
}

/** keras.applications.MobileNetV2(alpha=1.0, include_top=True, classes=classes). */
export function mobileNetV2(size: number, classes: number): tf.LayersModel {
  seed = 1000;
  const relu6 = (name: string) => L.reLU({ name, maxValue: 6 });
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = apply(
    L.conv2d({
      name: 'Conv1',
      filters: 32,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      useBias: false,
      kernelInitializer: glorot(),
    }),
    input,
  );
  x = apply(batchNorm('bn_Conv1'), x);
  x = apply(relu6('Conv1_relu'), x);
  const blocks: [number, number, number][] = [
    [16, 1, 1],
    [24, 2, 6],
    [24, 1, 6],
    [32, 2, 6],
    [32, 1, 6],
    [32, 1, 6],
    [64, 2, 6],
    [64, 1, 6],
    [64, 1, 6],
    [64, 1, 6],
    [96, 1, 6],
    [96, 1, 6],
    [96, 1, 6],
    [160, 2, 6],
    [160, 1, 6],
    [160, 1, 6],
    [320, 1, 6],
  ];
  blocks.forEach(([filters, stride, expansion], blockId) => {
    const inputs = x;
    const inChannels = inputs.shape[3] as number;
    let prefix = `block_${blockId}_`;
    if (blockId > 0) {
      x = apply(
        L.conv2d({
          name: `${prefix}expand`,
          filters: expansion * inChannels,
          kernelSize: 1,
          padding: 'same',
          useBias: false,
          kernelInitializer: glorot(),
        }),
        x,
      );
      x = apply(batchNorm(`${prefix}expand_BN`), x);
      x = apply(relu6(`${prefix}expand_relu`), x);
    } else {
      prefix = 'expanded_conv_';
    }
    if (stride === 2) {
      // imagenet_utils.correct_pad: one more row/column after than before on even sizes.
      const even = (x.shape[1] as number) % 2 === 0;
      const padding: [[number, number], [number, number]] = even
        ? [
            [0, 1],
            [0, 1],
          ]
        : [
            [1, 1],
            [1, 1],
          ];
      x = apply(L.zeroPadding2d({ name: `${prefix}pad`, padding }), x);
    }
    x = apply(
      L.depthwiseConv2d({
        name: `${prefix}depthwise`,
        kernelSize: 3,
        strides: stride,
        useBias: false,
        padding: stride === 1 ? 'same' : 'valid',
        depthwiseInitializer: glorot(),
      }),
      x,
    );
    x = apply(batchNorm(`${prefix}depthwise_BN`), x);
    x = apply(relu6(`${prefix}depthwise_relu`), x);
    x = apply(
      L.conv2d({
        name: `${prefix}project`,
        filters,
        kernelSize: 1,
        padding: 'same',
        useBias: false,
        kernelInitializer: glorot(),
      }),
      x,
    );
    x = apply(batchNorm(`${prefix}project_BN`), x);
    if (inChannels === filters && stride === 1) x = apply(L.add({ name: `${prefix}add` }), [inputs, x]);
  });
  x = apply(L.conv2d({ name: 'Conv_1', filters: 1280, kernelSize: 1, useBias: false, kernelInitializer: glorot() }), x);
  x = apply(batchNorm('Conv_1_bn'), x);
  x = apply(relu6('out_relu'), x);
  return tf.model({ inputs: input, outputs: predictions(x, classes, 'global_average_pooling2d') });
}

/**
 * keras.applications.InceptionV3(include_top=True, classes=classes). Its conv2d_bn blocks are
 * named as a fresh Keras session names them: conv2d_N, batch_normalization_N (scale=False),
 * activation_N, N from 1; the last, activation_94, ends the pooling branch of mixed10.
 * The smallest input whose mixed10 is larger than 1×1 is 107×107 (2×2); 299×299 gives 8×8.
 */
export function inceptionV3(size: number, classes: number): tf.LayersModel {
  seed = 2000;
  let n = 0;
  let concatenations = 0;
  const convBn = (
    x: Tensor,
    filters: number,
    rows: number,
    cols: number,
    padding: 'same' | 'valid' = 'same',
    strides = 1,
  ): Tensor => {
    n++;
    x = apply(
      L.conv2d({
        name: `conv2d_${n}`,
        filters,
        kernelSize: [rows, cols],
        strides,
        padding,
        useBias: false,
        kernelInitializer: glorot(),
      }),
      x,
    );
    x = apply(batchNorm(`batch_normalization_${n}`, false), x);
    return apply(L.activation({ name: `activation_${n}`, activation: 'relu' }), x);
  };
  const concat = (inputs: Tensor[], name?: string) =>
    apply(
      L.concatenate({
        name: name ?? (concatenations++ === 0 ? 'concatenate' : `concatenate_${concatenations - 1}`),
        axis: 3,
      }),
      inputs,
    );
  const averagePool = (x: Tensor) => apply(L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }), x);
  const maxPool = (x: Tensor) => apply(L.maxPooling2d({ poolSize: 3, strides: 2 }), x);

  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = convBn(input, 32, 3, 3, 'valid', 2);
  x = convBn(x, 32, 3, 3, 'valid');
  x = convBn(x, 64, 3, 3);
  x = maxPool(x);
  x = convBn(x, 80, 1, 1, 'valid');
  x = convBn(x, 192, 3, 3, 'valid');
  x = maxPool(x);

  for (const [index, poolFilters] of [32, 64, 64].entries()) {
    const branch1x1 = convBn(x, 64, 1, 1);
    const branch5x5 = convBn(convBn(x, 48, 1, 1), 64, 5, 5);
    const branch3x3dbl = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    const branchPool = convBn(averagePool(x), poolFilters, 1, 1);
    x = concat([branch1x1, branch5x5, branch3x3dbl, branchPool], `mixed${index}`);
  }
  {
    const branch3x3 = convBn(x, 384, 3, 3, 'valid', 2);
    const branch3x3dbl = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 'valid', 2);
    x = concat([branch3x3, branch3x3dbl, maxPool(x)], 'mixed3');
  }
  for (const [index, width] of [128, 160, 160, 192].entries()) {
    const branch1x1 = convBn(x, 192, 1, 1);
    const branch7x7 = convBn(convBn(convBn(x, width, 1, 1), width, 1, 7), 192, 7, 1);
    let branch7x7dbl = convBn(convBn(x, width, 1, 1), width, 7, 1);
    branch7x7dbl = convBn(convBn(convBn(branch7x7dbl, width, 1, 7), width, 7, 1), 192, 1, 7);
    const branchPool = convBn(averagePool(x), 192, 1, 1);
    x = concat([branch1x1, branch7x7, branch7x7dbl, branchPool], `mixed${4 + index}`);
  }
  {
    const branch3x3 = convBn(convBn(x, 192, 1, 1), 320, 3, 3, 'valid', 2);
    const branch7x7x3 = convBn(convBn(convBn(convBn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, 'valid', 2);
    x = concat([branch3x3, branch7x7x3, maxPool(x)], 'mixed8');
  }
  for (const index of [0, 1]) {
    const branch1x1 = convBn(x, 320, 1, 1);
    const branch3x3 = convBn(x, 384, 1, 1);
    const branch3x3Joined = concat([convBn(branch3x3, 384, 1, 3), convBn(branch3x3, 384, 3, 1)], `mixed9_${index}`);
    const branch3x3dbl = convBn(convBn(x, 448, 1, 1), 384, 3, 3);
    const branch3x3dblJoined = concat([convBn(branch3x3dbl, 384, 1, 3), convBn(branch3x3dbl, 384, 3, 1)]);
    const branchPool = convBn(averagePool(x), 192, 1, 1);
    x = concat([branch1x1, branch3x3Joined, branch3x3dblJoined, branchPool], `mixed${9 + index}`);
  }
  return tf.model({ inputs: input, outputs: predictions(x, classes, 'avg_pool') });
}

/** Sets every batch norm's moving mean and variance to those of its input on `images`. */
export function calibrateBatchNorms(model: tf.LayersModel, images: tf.Tensor4D): void {
  tf.tidy(() => {
    const values = new Map<string, tf.Tensor>();
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') {
        values.set(layer.name, images);
        continue;
      }
      const [node] = (layer as unknown as { inboundNodes: { inputTensors: tf.SymbolicTensor[] }[] }).inboundNodes;
      const inputs = node.inputTensors.map((tensor) => values.get(tensor.sourceLayer.name) as tf.Tensor);
      if (layer.getClassName() === 'BatchNormalization') {
        const { mean, variance } = tf.moments(inputs[0], [0, 1, 2]);
        layer.setWeights([...layer.getWeights().slice(0, -2), mean, variance]);
      }
      values.set(layer.name, layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false }) as tf.Tensor);
    }
  });
}
