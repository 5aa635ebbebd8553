/**
 * The model as the metrics use it: plain arrays in, class probabilities out, in bounded batches.
 * Tensors live only inside this function.
 */
import * as tf from '../tf.js';
import type { CutModel } from '../surgery/layers-cut.js';

/** [height, width, channels] of one model input. */
export type InputShape = readonly [number, number, number];

export interface Classifier {
  /**
   * images: float32 [count × height × width × channels], HWC, scaled as the model expects.
   * Returns float32 [count × classes], row-major: softmax probabilities, each row summing to 1.
   * `onPass` is called after each forward pass (a long call reports that it is alive).
   */
  probabilities(images: Float32Array, count: number, onPass?: () => void): Float32Array;
}

/**
 * Input values per forward pass: the full 256 images up to 32×32×3 (MNIST, CIFAR-10), 5 of
 * 224×224×3. The wasm heap grows to the largest pass and never shrinks, and a pass keeps every
 * intermediate activation of its images (MobileNetV2: about 30 MB per 224×224 image), so the
 * pass, not the number of perturbed copies, sets the memory an eval needs.
 */
const MAX_BATCH_VALUES = 256 * 32 * 32 * 3;

/** Images per forward pass for inputs of this shape: at most `maxBatch`, at least 1. */
export function forwardBatchFor(inputShape: InputShape, maxBatch = 256): number {
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  return Math.max(1, Math.min(maxBatch, Math.floor(MAX_BATCH_VALUES / size)));
}

/**
 * Images per explanation: half a forward pass (2 of 224×224×3), because the backward pass of
 * guided backpropagation keeps every activation of the whole model for each image.
 */
export function explainBatchFor(inputShape: InputShape): number {
  return Math.max(1, Math.floor(forwardBatchFor(inputShape) / 2));
}

/**
 * A classifier from a cut model: softmax of the pre-softmax logits (the scores the CAM methods
 * explain), at most `maxBatch` images per forward pass, and fewer for large inputs (whose
 * activations take memory in proportion: 256 MobileNetV2 inputs of 224×224 need gigabytes), so
 * memory stays bounded however many perturbed copies are asked for.
 */
export function classifierOf(cut: CutModel, inputShape: InputShape, maxBatch = 256): Classifier {
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  const perPass = forwardBatchFor(inputShape, maxBatch);
  return {
    probabilities(images, count, onPass) {
      if (images.length !== count * size)
        throw new RangeError(`probabilities: ${images.length} values for ${count} images of ${size}`);
      const classes = cut.classes;
      const out = new Float32Array(count * classes);
      for (let first = 0; first < count; first += perPass) {
        const n = Math.min(perPass, count - first);
        const rows = tf.tidy(() => {
          const batch = tf.tensor4d(images.subarray(first * size, (first + n) * size), [n, ...inputShape]);
          return tf.softmax(cut.logits(batch)).dataSync() as Float32Array;
        });
        out.set(rows, first * classes);
        onPass?.();
      }
      return out;
    },
  };
}
