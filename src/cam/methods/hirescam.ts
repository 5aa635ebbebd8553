import type { GradientCamMethod } from './method.js';

/**
 * HiResCAM, Draelos & Carin, "Use HiResCAM instead of Grad-CAM for faithful explanations of
 * convolutional neural networks", arXiv:2011.08891 (2020).
 *
 * Grad-CAM averages the gradient over space before weighting the channels; HiResCAM keeps it
 * element-wise, L^c = ReLU(Σ_k ∂y^c/∂A^k ⊙ A^k). When a single fully connected layer follows
 * the target, y^c = Σ W ⊙ A + b, so the element-wise products before the ReLU add up exactly to
 * y^c − b: each position shows its own contribution to the score (the paper's faithfulness
 * argument), where Grad-CAM's averaged gradient can move evidence between positions. The ReLU,
 * as in Grad-CAM, keeps the positive evidence.
 */
export const hirescam: GradientCamMethod = {
  name: 'hirescam',
  reference: 'Draelos & Carin 2020, arXiv:2011.08891',
  usesGradients: true,
  activationWeights(_activations, gradients) {
    return gradients; // element-wise: [batch, h, w, k]
  },
};
