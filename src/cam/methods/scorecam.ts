import * as tf from '../../tf.js';
import { divideOrZero } from '../divide-or-zero.js';
import type { GradientFreeCamMethod, ModelAccess } from './method.js';
import { rankClasses } from '../targets.js';

/**
 * Score-CAM (Wang et al. 2020, arXiv:1910.01279). Gradient-free: each channel A^k, upsampled
 * (bilinear, half-pixel centres) and min-max normalized, masks the scaled input; the target's
 * softmax probability on that input is the weight α^c_k (the pipeline makes L^c = ReLU(Σ_k α^c_k A^k)
 * at the layer's resolution). As in the authors' code: no baseline subtracted, no softmax across
 * channels, and a channel constant after upsampling weighs 0. One forward pass per (image,
 * channel); `model.maxChannels` keeps the channels of highest spatial mean (ties: lower index),
 * and the others weigh 0.
 */
export const scorecam: GradientFreeCamMethod = {
  name: 'scorecam',
  reference: 'Wang et al. 2020, arXiv:1910.01279',
  usesGradients: false,
  activationWeights(activations, model) {
    const [batch, h, w, k] = activations.shape;
    const byChannel = tf.transpose(activations, [0, 3, 1, 2]); // [batch, k, h, w]
    const scored = scoredChannels(activations, Math.min(k, model.maxChannels ?? k));
    const weights = new Float32Array(batch * k);
    scored.forEach((channelIndices, image) => {
      const used = channelIndices.length;
      const selected = tf.gather(tf.slice(byChannel, [image, 0, 0, 0], [1, k, h, w]), channelIndices, 1);
      const scores = channelScores(tf.reshape(selected, [used, h, w]) as tf.Tensor3D, image, model).dataSync();
      channelIndices.forEach((channel, i) => (weights[image * k + channel] = scores[i]));
    });
    return tf.tensor4d(weights, [batch, 1, 1, k]);
  },
};

/**
 * activations: float32 [batch, h, w, k]. Returns, per image, the indices of the channels Score-CAM
 * scores: all k in order when count = k, else the `count` of highest spatial mean, highest first.
 */
function scoredChannels(activations: tf.Tensor4D, count: number): number[][] {
  const [batch, , , k] = activations.shape;
  if (count === k) return Array.from({ length: batch }, () => Array.from({ length: k }, (_, channel) => channel));
  const means = tf.mean(activations, [1, 2]) as tf.Tensor2D;
  // Ties keep the lower index first (tf.topk does not promise this on every backend).
  return means.arraySync().map((row) => rankClasses(row).slice(0, count));
}

/**
 * channels: float32 [m, h, w], the selected activation channels of one image. Returns float32
 * [m], each channel's weight α^c_k: the target class's softmax probability on the input masked by
 * the channel (0 for a constant channel).
 */
function channelScores(channels: tf.Tensor3D, image: number, model: ModelAccess): tf.Tensor1D {
  const [m, h, w] = channels.shape;
  const [, height, width, depth] = model.images.shape;
  const upsampled = tf.image.resizeBilinear(
    tf.reshape(channels, [m, h, w, 1]) as tf.Tensor4D,
    [height, width],
    false,
    true,
  );
  const low = tf.min(upsampled, [1, 2, 3], true);
  const range = tf.sub(tf.max(upsampled, [1, 2, 3], true), low);
  const informative = tf.greater(range, 0); // [m, 1, 1, 1]
  const masks = divideOrZero(tf.sub(upsampled, low), range);
  const input = tf.slice(model.images, [image, 0, 0, 0], [1, height, width, depth]);
  const target = model.targetClasses[image];
  const scores: tf.Tensor1D[] = [];
  for (let start = 0; start < m; start += model.batchSize) {
    const count = Math.min(model.batchSize, m - start);
    // One tidy per chunk: the forward pass caches every intermediate activation of `count` images.
    scores.push(
      tf.tidy(() => {
        const masked = tf.mul(input, tf.slice(masks, [start, 0, 0, 0], [count, height, width, 1])) as tf.Tensor4D;
        const probabilities = tf.softmax(model.logitsOf(masked));
        return tf.reshape(tf.slice(probabilities, [0, target], [count, 1]), [count]) as tf.Tensor1D;
      }),
    );
  }
  return tf.mul(tf.concat(scores), tf.cast(tf.reshape(informative, [m]), 'float32')) as tf.Tensor1D;
}
