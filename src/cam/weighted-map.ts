import * as tf from '../tf.js';

/**
 * The step every weighting CAM method shares, L = ReLU(Σ_k W^k ⊙ A^k) (Grad-CAM Eq. 2 and its
 * descendants): the activations weighted, summed over the channels, and only the positive
 * evidence kept.
 *
 * activations: float32 [batch, h, w, k]. weights: float32, broadcastable to the activations:
 * [batch, 1, 1, k] (one weight per channel) or [batch, h, w, k] (one per element).
 * Returns float32 [batch, h, w], values ≥ 0.
 */
export function weightedMap(activations: tf.Tensor4D, weights: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => tf.relu(tf.sum(tf.mul(weights, activations), 3)) as tf.Tensor3D);
}

/**
 * raw: float32 [batch, h, w], values ≥ 0. Returns the maps divided by their own maximum (so the
 * hottest cell is 1) and the maxima [batch]. A map whose maximum is not positive stays all zeros.
 */
export function normalizeByMax(raw: tf.Tensor3D): [tf.Tensor3D, tf.Tensor1D] {
  return tf.tidy(() => {
    const rawMax = tf.max(raw, [1, 2]);
    const positive = tf.greater(rawMax, 0);
    const divisor = tf.reshape(tf.where(positive, rawMax, tf.onesLike(rawMax)), [-1, 1, 1]);
    const normalized = tf.where(
      tf.tile(tf.reshape(positive, [-1, 1, 1]), [1, raw.shape[1], raw.shape[2]]),
      tf.div(raw, divisor),
      tf.zerosLike(raw),
    ) as tf.Tensor3D;
    return [normalized, rawMax as tf.Tensor1D];
  });
}
