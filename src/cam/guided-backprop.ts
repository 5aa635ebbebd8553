/**
 * Guided backpropagation and Guided Grad-CAM (Selvaraju et al., arXiv:1610.02391, §3 "Guided
 * Grad-CAM"): guided backpropagation's input-space gradients are fine-grained but not
 * class-discriminative; multiplying them point-wise by the class map, upsampled to the input
 * size, keeps the fine detail only where the map says the class is.
 */
import * as tf from '../tf.js';
import type { CutModel } from '../surgery/layers-cut.js';

/**
 * images: float32 [batch, H, W, C], as the model expects. dy: float32 [batch, classes], the
 * score each image's gradient is taken of (a one-hot row selects y^c; −1 for the counterfactual).
 * Returns float32 [batch, H, W, C], signed: the gradient of Σ_i dy_i · y_i with respect to
 * the input, with every ReLU backpropagating by the guided rule (guided-relu.ts). Per image
 * because no layer mixes the images of a batch in inference mode.
 */
export function guidedBackprop(cut: CutModel, images: tf.Tensor4D, dy: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const guidedLogits = (input: tf.Tensor) => cut.logits(input as tf.Tensor4D, { guidedRelu: true });
    return tf.grad(guidedLogits)(images, dy) as tf.Tensor4D;
  });
}

/**
 * guided: float32 [batch, H, W, C] from guidedBackprop. maps: float32 [batch, h, w], the
 * normalized class maps (values in [0, 1]). Returns float32 [batch, H, W, C], signed:
 * guided ⊙ Up(map), the map repeated over the channels.
 *
 * Up is bilinear with half-pixel centres: `tf.image.resizeBilinear(…, alignCorners false,
 * halfPixelCenters true)`, which for enlarging equals `cv2.resize` INTER_LINEAR and
 * src/io/resize.ts `resizeBilinear` (checked in test/cam/guided.test.ts), the upsampling
 * `gradcam render` draws the heatmap with.
 */
export function guidedGradcam(guided: tf.Tensor4D, maps: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width] = guided.shape;
    const [, h, w] = maps.shape;
    const upsampled = tf.image.resizeBilinear(
      tf.reshape(maps, [batch, h, w, 1]) as tf.Tensor4D,
      [height, width],
      false,
      true,
    );
    return tf.mul(guided, upsampled) as tf.Tensor4D;
  });
}
