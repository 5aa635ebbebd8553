/**
 * The model as the metrics use it: plain arrays in, class probabilities out, in bounded batches.
 * Tensors live only inside this function.
 */
import * as tf from '../tf.js';
import type { SplitModel } from '../cam/model-split.js';

/** [height, width, channels] of one model input. */
export type InputShape = readonly [number, number, number];

export interface Classifier {
  /**
   * images: float32 [count × height × width × channels], HWC, scaled as the model expects.
   * Returns float32 [count × classes], row-major: softmax probabilities, each row summing to 1.
   */
  probabilities(images: Float32Array, count: number): Float32Array;
}

/**
 * A classifier from a split model: softmax of the pre-softmax logits (the scores the CAM methods
 * explain), `maxBatch` images per forward pass so memory stays bounded however many perturbed
 * copies are asked for.
 */
export function splitClassifier(split: SplitModel, inputShape: InputShape, maxBatch = 256): Classifier {
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  return {
    probabilities(images, count) {
      if (images.length !== count * size) throw new RangeError(`probabilities: ${images.length} values for ${count} images of ${size}`);
      const classes = split.classes;
      const out = new Float32Array(count * classes);
      for (let first = 0; first < count; first += maxBatch) {
        const n = Math.min(maxBatch, count - first);
        const rows = tf.tidy(() => {
          const batch = tf.tensor4d(images.subarray(first * size, (first + n) * size), [n, ...inputShape]);
          return tf.softmax(split.logits(batch)).dataSync() as Float32Array;
        });
        out.set(rows, first * classes);
      }
      return out;
    },
  };
}
