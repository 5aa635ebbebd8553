/**
 * Guided backpropagation's ReLU (Springenberg et al., "Striving for Simplicity: The All
 * Convolutional Net", ICLR 2015 workshop, arXiv:1412.6806, Fig. 1): forward it is a ReLU;
 * backward it passes a gradient only where the forward input was positive *and* the gradient
 * arriving from above is positive,
 *
 *   R_l = 1[f_l > 0] · 1[R_{l+1} > 0] · R_{l+1},
 *
 * so only evidence *for* the class flows back to the pixels.
 *
 * How: while a guided forward pass is being recorded, the gradient TensorFlow.js has registered
 * for its `Relu` kernel is replaced by this rule. The gradient tape stores the rule each op had
 * when it ran, so the backward pass that follows uses it, and restoring the original afterwards
 * affects nothing else. This treats every ReLU of a model alike: standalone ReLU layers (also
 * with maxValue, whose clip follows the Relu op), Activation('relu'), and the ReLU fused into
 * Conv2D / Dense, because TensorFlow.js runs fused kernels un-fused while recording gradients.
 * (Swapping the layers' activation functions for a custom one instead would send every
 * convolution down tfjs's fused path, whose gradient also computes the filter gradient: twice the
 * work, and a kernel the wasm backend 4.22 does not have.)
 *
 * Other activations (relu6, elu, leaky ReLU, …) keep their ordinary gradients: guided
 * backpropagation is defined for ReLU.
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
