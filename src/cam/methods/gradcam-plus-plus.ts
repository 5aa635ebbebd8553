import * as tf from '../../tf.js';
import { divideOrZero } from '../divide-or-zero.js';
import type { GradientCamMethod } from './method.js';

/**
 * Grad-CAM++ (Chattopadhay et al. 2018, arXiv:1710.11063) on Y^c = exp(S^c): for a piecewise
 * linear network the higher derivatives are powers of g = ∂S^c/∂A^k_ij, so (Eq. 19)
 * α^kc_ij = g² / (2·g² + Σ_ab A^k_ab · g³), w^c_k = Σ_ij α^kc_ij · ReLU(g) (Eq. 7, the positive
 * factor exp(S^c) dropped: normalization removes it) and L^c = ReLU(Σ_k w^c_k A^k).
 * Exact, with α = 0 where the denominator is 0 (pytorch-grad-cam adds ε = 1e-6); α is not
 * divided by its spatial sum as in the authors' code: we follow the paper.
 */
export const gradcamPlusPlus: GradientCamMethod = {
  name: 'gradcam++',
  reference: 'Chattopadhay et al. 2018, arXiv:1710.11063',
  usesGradients: true,
  activationWeights(activations, gradients) {
    const squared = tf.square(gradients);
    const cubed = tf.mul(squared, gradients);
    const activationSums = tf.sum(activations, [1, 2], true); // Σ_ab A^k_ab: [batch, 1, 1, k]
    const denominator = tf.add(tf.mul(squared, 2), tf.mul(activationSums, cubed));
    const alpha = divideOrZero(squared, denominator); // Eq. 19
    return tf.sum(tf.mul(alpha, tf.relu(gradients)), [1, 2], true) as tf.Tensor4D; // Eq. 7: [batch, 1, 1, k]
  },
};
