/**
 * Layer-by-layer execution of a Sequential model up to its `logits` layer, so that training can
 * (a) use the pre-softmax scores for a numerically stable cross-entropy and (b) draw dropout masks
 * from seeds we control: tfjs's Dropout layer with a fixed `seed` reuses the same mask at every
 * step, and without one it uses Math.random, which makes `--seed` and exact resume impossible.
 */
import * as tf from '../tf.js';
import { canTrainFused, trainBatchNormLayer } from './batch-norm-layer.js';
import { canConvolvePlain, convolvePlain } from './conv-layer.js';

export type ForwardMode =
  | { training: false }
  /** Training: batch norm uses batch statistics (and updates its moving averages); dropout is on. */
  | { training: true; dropoutSeed: number };

/** Name of the layer that outputs the pre-softmax scores in models built by `buildVgg`. */
export const LOGITS_LAYER = 'logits';

/**
 * images: float32 [batch, h, w, c], normalized. Returns float32 [batch, classes] logits.
 * Must run inside a tidy (or a gradient function) that disposes the intermediates.
 */
export function computeLogits(model: tf.LayersModel, images: tf.Tensor4D, mode: ForwardMode): tf.Tensor2D {
  let x: tf.Tensor = images;
  let dropoutIndex = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') {
      if (mode.training) {
        const rate = (layer.getConfig() as { rate: number }).rate;
        x = tf.dropout(x, rate, undefined, mode.dropoutSeed + dropoutIndex++);
      }
      continue;
    }
    x = mode.training ? trainingOutput(layer, x, x === images) : (layer.apply(x, { training: false }) as tf.Tensor);
    if (layer.name === LOGITS_LAYER) return x as tf.Tensor2D;
  }
  throw new Error(`model has no layer named "${LOGITS_LAYER}"`);
}

/** A layer's output in training: the faster computations of the same math where one applies. */
function trainingOutput(layer: tf.Layer, x: tf.Tensor, isFirstLayer: boolean): tf.Tensor {
  if (canTrainFused(layer, x)) return trainBatchNormLayer(layer, x);
  if (canConvolvePlain(layer, isFirstLayer)) return convolvePlain(layer, x);
  return layer.apply(x, { training: true }) as tf.Tensor;
}
