import * as tf from '../../tf.js';
import { firstPrincipalProjection } from '../principal-component.js';
import type { WholeMapCamMethod } from './method.js';

/**
 * Eigen-CAM, Muhammad & Yeasin, "Eigen-CAM: Class Activation Map using Principal Components",
 * IJCNN 2020, arXiv:2008.00299.
 *
 * No gradients and no class: the map is the projection of the activations (the h·w positions ×
 * k channels matrix of one image) onto their first principal component, L = ReLU(A·v₁). Like
 * pytorch-grad-cam's `get_2d_projection`, the channels are centred first (PCA proper; without it
 * v₁ mostly points at the mean activation). The SVD's sign ambiguity is fixed so that the
 * component correlates positively with the summed activation (see firstPrincipalProjection).
 * Every target class of an image gets the same map.
 */
export const eigencam: WholeMapCamMethod = {
  name: 'eigencam',
  reference: 'Muhammad & Yeasin 2020, arXiv:2008.00299',
  usesGradients: false,
  computeMap(activations) {
    const [batch, h, w, k] = activations.shape;
    const values = activations.dataSync();
    const maps = new Float32Array(batch * h * w);
    for (let image = 0; image < batch; image++) {
      const matrix = values.subarray(image * h * w * k, (image + 1) * h * w * k);
      const projection = firstPrincipalProjection(matrix, h * w, k);
      projection.forEach((value, position) => (maps[image * h * w + position] = Math.max(0, value)));
    }
    return tf.tensor3d(maps, [batch, h, w]);
  },
};
