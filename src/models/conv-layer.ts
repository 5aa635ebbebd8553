/**
 * A Keras `Conv2D` layer without bias or activation (as our batch-norm models have) through
 * `tf.conv2d` in training, rather than the layer's call.
 *
 * Why: the layer calls `tf.fused.conv2d`, whose custom gradient computes the gradient of *both*
 * inputs eagerly. For the first layer the input is the image, whose gradient training never uses,
 * and computing it was a full-resolution `Conv2DBackpropInput` per step. `tf.conv2d`'s gradient
 * computes each input's gradient only when something asks for it. Same kernel weights, same
 * convolution (`Conv2D` is XNNPACK's convolution on wasm, like `FusedConv2D`).
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

export function canConvolvePlain(layer: tf.Layer): boolean {
  if (layer.getClassName() !== 'Conv2D') return false;
  const settings = layer.getConfig() as unknown as ConvSettings;
  return !settings.useBias && settings.activation === 'linear' && settings.dataFormat === 'channelsLast' && layer.weights.length === 1;
}

/** The layer's output: the convolution of x [batch, h, w, c] with the layer's kernel. */
export function convolvePlain(layer: tf.Layer, x: tf.Tensor): tf.Tensor {
  const settings = layer.getConfig() as unknown as ConvSettings;
  return tf.conv2d(x as tf.Tensor4D, layer.weights[0].read() as tf.Tensor4D, settings.strides, settings.padding, 'NHWC', settings.dilationRate);
}
