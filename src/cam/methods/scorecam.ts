import * as tf from '../../tf.js';
import type { GradientFreeCamMethod, ModelAccess } from './method.js';
import { rankClasses } from '../targets.js';

/**
 * Score-CAM (Wang et al. 2020, arXiv:1910.01279). Gradient-free: each channel A^k, upsampled
 * (bilinear, half-pixel centres) and min-max normalized, masks the scaled input; the target's
 * softmax probability on that input is the weight α^c_k, and L^c = ReLU(Σ_k α^c_k A^k) at the
 * layer's resolution. As in the authors' code: no baseline subtracted, no softmax across
 * channels, and a channel constant after upsampling weighs 0. One forward pass per (image,
 * channel); `model.maxChannels` keeps the channels of highest spatial mean (ties: lower index).
 */
export const scorecam: GradientFreeCamMethod = {
  name: 'scorecam',
  reference: 'Wang et al. 2020, arXiv:1910.01279',
  usesGradients: false,
  computeMap(activations, model) {
    return tf.tidy(() => {
      const [batch, h, w, k] = activations.shape;
      const used = Math.min(k, model.maxChannels ?? k);
      const byChannel = tf.transpose(activations, [0, 3, 1, 2]); // [batch, k, h, w]
      const selected = used < k ? tf.gather(byChannel, strongestChannels(activations, used), 1, 1) : byChannel; // [batch, used, h, w]
      const maps: tf.Tensor2D[] = [];
      for (let image = 0; image < batch; image++) {
        const channels = tf.reshape(tf.slice(selected, [image, 0, 0, 0], [1, used, h, w]), [used, h, w]) as tf.Tensor3D;
        const channelWeights = tf.reshape(channelScores(channels, image, model), [used, 1, 1]);
        maps.push(tf.relu(tf.sum(tf.mul(channelWeights, channels), 0)) as tf.Tensor2D);
      }
      return tf.stack(maps) as tf.Tensor3D;
    });
  },
};

/**
 * activations: float32 [batch, h, w, k]. Returns int32 [batch, count], the indices of each
 * image's `count` channels with the highest spatial mean, highest first.
 */
function strongestChannels(activations: tf.Tensor4D, count: number): tf.Tensor2D {
  const means = tf.mean(activations, [1, 2]) as tf.Tensor2D;
  // Ties keep the lower index first (tf.topk does not promise this on every backend).
  const ranked = means.arraySync().map((row) => rankClasses(row));
  return tf.tensor2d(
    ranked.map((order) => order.slice(0, count)),
    [ranked.length, count],
    'int32',
  );
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
  const masks = tf.where(
    informative,
    tf.div(tf.sub(upsampled, low), tf.where(informative, range, tf.onesLike(range))),
    tf.zerosLike(upsampled),
  );
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
