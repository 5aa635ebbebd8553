/**
 * The shared CAM machinery: for a batch of images, the activations A of the target layer, the
 * logits, and for each target class c the gradient ∂y^c/∂A of *that image's* pre-softmax score;
 * then the method's map, normalized to [0, 1] by its maximum.
 *
 * Per-image gradients in one backward pass: we backpropagate Σ_i y_i^{c_i}. In inference mode no
 * layer mixes images of a batch, so ∂(Σ_j y_j^{c_j})/∂A_i = ∂y_i^{c_i}/∂A_i exactly.
 */
import * as tf from '@tensorflow/tfjs';
import type { CamMethod } from './methods/method.js';
import type { SplitModel } from './model-split.js';
import { resolveTargets, type TargetSpec } from './targets.js';

export interface ExplainOptions {
  method: CamMethod;
  /** Counterfactual explanation (paper §5.3): negated gradients, regions that argue *against* c. */
  counterfactual: boolean;
}

export interface Explanation {
  /** Index of the image in the batch. */
  image: number;
  predicted: { index: number; probability: number };
  target: { index: number; logit: number };
  /** The map, float32 [h × w] row-major, values in [0, 1]. All zeros when `empty`. */
  map: Float32Array;
  /** Maximum of the map before normalization. */
  rawMax: number;
  /** The map had no positive value: nothing to show (written as zeros, not divided by zero). */
  empty: boolean;
}

/**
 * images: float32 [batch, H, W, C], already scaled as the model expects.
 * Returns one Explanation per image and target (image-major order). Leaves no tensors behind.
 */
export function explainBatch(split: SplitModel, images: tf.Tensor4D, spec: TargetSpec, options: ExplainOptions): Explanation[] {
  let explanations: Explanation[] = [];
  // One scope for the whole batch: the forward pass caches every intermediate activation.
  tf.tidy(() => {
    explanations = explainInScope(split, images, spec, options);
  });
  return explanations;
}

function explainInScope(split: SplitModel, images: tf.Tensor4D, spec: TargetSpec, options: ExplainOptions): Explanation[] {
  const batch = images.shape[0];
  const [h, w] = split.activationShape;
  const { activations, logitsFrom } = split.forward(images);
  const logits = logitsFrom(activations);
  const classes = logits.shape[1];
  const logitValues = logits.dataSync() as Float32Array;
  const probabilities = tf.softmax(logits).dataSync() as Float32Array;
  const rounds = resolveTargets(logitValues, batch, classes, spec);

  const sign = options.counterfactual ? -1 : 1;
  const gradientOfLogits = tf.grad((a: tf.Tensor) => logitsFrom(a as tf.Tensor4D));
  const explanations: Explanation[][] = Array.from({ length: batch }, () => []);
  for (const targetClasses of rounds) {
    const [mapValues, maxValues] = tf.tidy(() => {
      // dy selects y_i^{c_i} for each image i (negated for the counterfactual).
      const dy = tf.mul(tf.oneHot(tf.tensor1d(targetClasses, 'int32'), classes), sign);
      const gradients = gradientOfLogits(activations, dy) as tf.Tensor4D;
      const [normalized, rawMax] = normalizeByMax(options.method.computeMap(activations, gradients));
      return [normalized.dataSync() as Float32Array, rawMax.dataSync() as Float32Array];
    });
    targetClasses.forEach((classIndex, image) => {
      const predicted = argMax(logitValues.subarray(image * classes, (image + 1) * classes));
      explanations[image].push({
        image,
        predicted: { index: predicted, probability: probabilities[image * classes + predicted] },
        target: { index: classIndex, logit: logitValues[image * classes + classIndex] },
        map: mapValues.slice(image * h * w, (image + 1) * h * w),
        rawMax: maxValues[image],
        empty: !(maxValues[image] > 0),
      });
    });
  }
  return explanations.flat();
}

/**
 * raw: float32 [batch, h, w], values ≥ 0. Returns the maps divided by their own maximum (so the
 * hottest cell is 1) and the maxima [batch]. A map whose maximum is not positive stays all zeros.
 */
export function normalizeByMax(raw: tf.Tensor3D): [tf.Tensor3D, tf.Tensor1D] {
  return tf.tidy(() => {
    const rawMax = tf.max(raw, [1, 2]);
    const positive = tf.greater(rawMax, 0);
    const divisor = tf.where(positive, rawMax, tf.onesLike(rawMax)).reshape([-1, 1, 1]);
    const normalized = tf.where(
      positive.reshape([-1, 1, 1]).tile([1, raw.shape[1], raw.shape[2]]),
      tf.div(raw, divisor),
      tf.zerosLike(raw),
    ) as tf.Tensor3D;
    return [normalized, rawMax as tf.Tensor1D];
  });
}

function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
