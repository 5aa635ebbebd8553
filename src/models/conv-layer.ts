/**
 * A Keras `Conv2D` layer's training output through `tf.conv2d` (+ bias, + ReLU) rather than the
 * layer's call, where that is cheaper.
 *
 * Why: the layer calls `tf.fused.conv2d`, whose custom gradient computes the gradient of *both*
 * inputs eagerly. For the first layer the input is the image, whose gradient training never uses,
 * and computing it was a full-resolution `Conv2DBackpropInput` per step. `tf.conv2d`'s gradient
 * computes each input's gradient only when something asks for it. Same weights, same convolution
 * (`Conv2D` is XNNPACK's convolution on wasm, like `FusedConv2D`). For later layers only the
 * bias-free linear case (our batch-norm convolutions) is taken this way: with a bias or a ReLU,
 * the fused kernel's single pass is worth more than the gradient it wastes, which there is needed anyway.
 */
import * as tf from '../tf.js';

interface ConvSettings {
  strides: [number, number];
  padding: 'valid' | 'same';
  dataFormat: 'channelsLast' | 'channelsFirst';
  dilationRate: [number, number];
  activation: string;
  useBias: boolean;
}

/** Whether `convolvePlain` computes this layer: channels last, no activation but ReLU, and (after the first layer) no bias or ReLU. */
export function canConvolvePlain(layer: tf.Layer, isFirstLayer: boolean): boolean {
  if (layer.getClassName() !== 'Conv2D') return false;
  const settings = layer.getConfig() as unknown as ConvSettings;
  if (settings.dataFormat !== 'channelsLast' || !['linear', 'relu'].includes(settings.activation)) return false;
  return isFirstLayer || (!settings.useBias && settings.activation === 'linear');
}

/** The layer's output: activation(conv2d(x, kernel) + bias) for x [batch, h, w, c]. */
export function convolvePlain(layer: tf.Layer, x: tf.Tensor): tf.Tensor {
  const settings = layer.getConfig() as unknown as ConvSettings;
  const [kernel, bias] = layer.weights.map((weight) => weight.read());
  let y: tf.Tensor = tf.conv2d(
    x as tf.Tensor4D,
    kernel as tf.Tensor4D,
    settings.strides,
    settings.padding,
    'NHWC',
    settings.dilationRate,
  );
  if (settings.useBias) y = tf.add(y, bias);
  return settings.activation === 'relu' ? tf.relu(y) : y;
}
