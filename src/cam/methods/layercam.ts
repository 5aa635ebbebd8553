import * as tf from '../../tf.js';
import type { GradientCamMethod } from './method.js';

/**
 * LayerCAM, Jiang et al., "LayerCAM: Exploring Hierarchical Class Activation Maps for
 * Localization", IEEE Transactions on Image Processing 30 (2021).
 *
 * Every position gets its own weight, the positive part of its gradient, w^kc_ij =
 * ReLU(∂y^c/∂A^k_ij); the map is L^c = ReLU(Σ_k w^kc ⊙ A^k). Because no spatial averaging
 * happens, it stays sharp at early, high-resolution layers where Grad-CAM's averaged gradients
 * are noisy.
 */
export const layercam: GradientCamMethod = {
  name: 'layercam',
  reference: 'Jiang et al. 2021, IEEE TIP 30:5875–5888',
  usesGradients: true,
  activationWeights(_activations, gradients) {
    return tf.relu(gradients); // w^kc_ij, element-wise: [batch, h, w, k]
  },
};
