import * as tf from '../tf.js';

/**
 * numerator / denominator (shapes broadcast), 0 where the denominator is 0. The CAM formulas
 * divide by sums that vanish for a dead channel or an empty map; their exact value there is 0/0,
 * and 0 ("no evidence") is what the map should show, where an ε in the denominator would bias
 * every other value.
 */
export function divideOrZero(numerator: tf.Tensor, denominator: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const defined = tf.notEqual(denominator, 0);
    const quotient = tf.div(numerator, tf.where(defined, denominator, tf.onesLike(denominator)));
    return tf.where(defined, quotient, tf.zerosLike(quotient));
  });
}
