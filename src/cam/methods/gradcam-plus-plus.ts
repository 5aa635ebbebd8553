import * as tf from '../../tf.js';
import type { GradientCamMethod } from './method.js';

/**
 * Grad-CAM++, Chattopadhay et al., "Grad-CAM++: Improved Visual Explanations for Deep
 * Convolutional Networks", WACV 2018, arXiv:1710.11063.
 *
 * The paper explains Y^c = exp(S^c), the exponential of the pre-softmax score. For a piecewise
 * linear network (ReLU, max-pool) the higher derivatives of exp(S^c) are then powers of the
 * first-order gradient g = ∂S^c/∂A^k_ij times exp(S^c), and exp(S^c) cancels in α (Eq. 19;
 * equation numbers as pytorch-grad-cam's GradCAMPlusPlus cites them):
 *
 *   α^kc_ij = g² / (2·g² + Σ_ab A^k_ab · g³)
 *
 * Channel weights (Eq. 7): w^c_k = Σ_ij α^kc_ij · ReLU(∂Y^c/∂A^k_ij). With Y^c = exp(S^c) the
 * ReLU term is exp(S^c)·ReLU(g); the factor exp(S^c) is one positive number per image that the
 * normalization by the maximum removes, so we drop it, as pytorch-grad-cam's GradCAMPlusPlus
 * does. Map: L^c = ReLU(Σ_k w^c_k A^k).
 *
 * This is the formula pytorch-grad-cam implements, except that it adds ε = 1e-6 to every
 * denominator; we compute it exactly and set α = 0 where the denominator is 0 (wherever g = 0,
 * α would be 0/0; both pytorch-grad-cam and the authors' code give 0 there). The authors' code
 * (github.com/adityac94/Grad_CAM_plus_plus) also divides α by its spatial sum, which the paper
 * does not; we follow the paper.
 */
export const gradcamPlusPlus: GradientCamMethod = {
  name: 'gradcam++',
  reference: 'Chattopadhay et al. 2018, arXiv:1710.11063',
  usesGradients: true,
  computeMap(activations, gradients) {
    return tf.tidy(() => {
      const squared = tf.square(gradients);
      const cubed = tf.mul(squared, gradients);
      const activationSums = tf.sum(activations, [1, 2], true); // Σ_ab A^k_ab: [batch, 1, 1, k]
      const denominator = tf.add(tf.mul(squared, 2), tf.mul(activationSums, cubed));
      const defined = tf.notEqual(denominator, 0);
      const safeDenominator = tf.where(defined, denominator, tf.onesLike(denominator));
      const alpha = tf.where(defined, tf.div(squared, safeDenominator), tf.zerosLike(squared)); // Eq. 19
      const channelWeights = tf.sum(tf.mul(alpha, tf.relu(gradients)), [1, 2], true); // Eq. 7
      return tf.relu(tf.sum(tf.mul(channelWeights, activations), 3)) as tf.Tensor3D;
    });
  },
};
