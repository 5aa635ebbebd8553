import * as tf from '../../tf.js';
import { divideOrZero } from '../divide-or-zero.js';
import type { GradientCamMethod } from './method.js';

/**
 * XGrad-CAM, Fu et al., "Axiom-based Grad-CAM: Towards Accurate Visualization and Explanation of
 * CNNs", BMVC 2020, arXiv:2008.02312.
 *
 * The channel weight is the gradient averaged with the channel's own activations as weights
 * instead of uniformly (the weights that best satisfy the paper's sensitivity and conservation
 * axioms):
 *
 *   α^c_k = Σ_ij (A^k_ij / Σ_ab A^k_ab) · ∂y^c/∂A^k_ij,   L^c = ReLU(Σ_k α^c_k A^k).
 *
 * A channel whose activations sum to 0 gets weight 0 (pytorch-grad-cam's XGradCAM adds ε = 1e-7
 * to the sum instead; we keep the exact formula elsewhere).
 */
export const xgradcam: GradientCamMethod = {
  name: 'xgradcam',
  reference: 'Fu et al. 2020, arXiv:2008.02312',
  usesGradients: true,
  activationWeights(activations, gradients) {
    const activationSums = tf.sum(activations, [1, 2], true); // [batch, 1, 1, k]
    const weightedGradientSums = tf.sum(tf.mul(gradients, activations), [1, 2], true);
    return divideOrZero(weightedGradientSums, activationSums) as tf.Tensor4D;
  },
};
