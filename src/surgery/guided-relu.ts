/**
 * Guided backpropagation's ReLU (Springenberg et al. 2015, arXiv:1412.6806, Fig. 1): forward a
 * ReLU; backward R_l = 1[f_l > 0] · 1[R_{l+1} > 0] · R_{l+1}, so only evidence *for* the class
 * flows back to the pixels. While a guided pass is recorded, the registered `Relu` gradient is
 * swapped for this rule, which reaches every ReLU of a model, fused ones included; other
 * activations keep their gradients. Why this way: docs/design-notes.md, "Guided ReLU".
 */
import * as tf from '../tf.js';

const GUIDED_RELU_GRADIENT: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const gradient = Array.isArray(dy) ? dy[0] : dy;
    return {
      x: () =>
        tf.mul(gradient, tf.mul(tf.cast(tf.greater(x, 0), 'float32'), tf.cast(tf.greater(gradient, 0), 'float32'))),
    };
  },
};

/**
 * Runs `record` (a forward pass inside tf.grad / tf.valueAndGrads) with guided ReLU gradients and
 * returns its result; the original Relu gradient is back in place when this returns or throws.
 */
export function withGuidedRelu<T>(record: () => T): T {
  const original = tf.getGradient(tf.Relu);
  tf.registerGradient(GUIDED_RELU_GRADIENT);
  try {
    return record();
  } finally {
    if (original) tf.registerGradient(original);
    else tf.unregisterGradient(tf.Relu);
  }
}
