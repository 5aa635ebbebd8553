import * as tf from '../../tf.js';
import type { GradientCamMethod } from './method.js';

/**
 * Grad-CAM, Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via
 * Gradient-based Localization", arXiv:1610.02391.
 *
 * Eq. 1: α_k^c = (1/Z) Σ_i Σ_j ∂y^c/∂A^k_ij — the spatial mean of the gradient, per image and
 * channel: how much channel k matters for class c.
 * Eq. 2: L^c = ReLU(Σ_k α_k^c A^k) — the channels *weighted* by α (not α added to A), keeping only
 * the regions with a positive influence on the class. (The pipeline applies Eq. 2.)
 */
export const gradcam: GradientCamMethod = {
  name: 'gradcam',
  reference: 'Selvaraju et al. 2017, arXiv:1610.02391',
  usesGradients: true,
  activationWeights(_activations, gradients) {
    return tf.mean(gradients, [1, 2], true) as tf.Tensor4D; // [batch, 1, 1, k]: Eq. 1
  },
};
