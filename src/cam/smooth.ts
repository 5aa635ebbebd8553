/**
 * SmoothGrad's noisy copies (Smilkov et al., "SmoothGrad: removing noise by adding noise",
 * arXiv:1706.03825): M̂(x) = (1/n) Σ_{i=1..n} M(x + N(0, σ²)), with the noise level
 * σ / (x_max − x_min) as the parameter (they find 10–20% works well; our default is 15%).
 *
 * Reproducible whatever the batching: copy i of *every* image uses the same standard normal
 * field ε_i (drawn from the seed alone, in copy order), scaled by that image's own σ. An image's
 * result therefore does not depend on its batch or its position in it; that different images
 * share noise patterns does not matter, since each is explained on its own.
 */
import * as tf from '../tf.js';
import { Random } from '../random.js';

export interface SmoothOptions {
  /** n, the number of noisy copies averaged (≥ 1). */
  samples: number;
  /** σ as a fraction of each image's value range (max − min over all its pixels and channels). */
  noise: number;
  /** Seed of the noise fields. */
  seed: number;
}

/**
 * The standard normal fields ε_0 … ε_{samples−1}, each float32 [size] (one image's H·W·C values),
 * by the Box–Muller transform on a xoshiro128** stream seeded with `seed` (src/random.ts).
 */
export function noiseFields(seed: number, samples: number, size: number): Float32Array[] {
  const random = new Random(seed);
  return Array.from({ length: samples }, () => {
    const field = new Float32Array(size);
    for (let i = 0; i < size; i += 2) {
      const radius = Math.sqrt(-2 * Math.log(1 - random.nextFloat())); // 1 − u ∈ (0, 1]: no log(0)
      const angle = 2 * Math.PI * random.nextFloat();
      field[i] = radius * Math.cos(angle);
      if (i + 1 < size) field[i + 1] = radius * Math.sin(angle);
    }
    return field;
  });
}

/**
 * images: float32 [batch, H, W, C]; field: float32 [H·W·C], one of `noiseFields`. Returns float32
 * [batch, H, W, C], each image plus field × noise × (its max − its min). Not clipped: the model
 * sees the noisy values as they are, as in SmoothGrad.
 */
export function addNoise(images: tf.Tensor4D, field: Float32Array, noise: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, height, width, channels] = images.shape;
    const range = tf.sub(tf.max(images, [1, 2, 3], true), tf.min(images, [1, 2, 3], true)); // [batch, 1, 1, 1]
    const scaled = tf.mul(tf.tensor4d(field, [1, height, width, channels]), tf.mul(range, noise));
    return tf.add(images, scaled) as tf.Tensor4D;
  });
}
