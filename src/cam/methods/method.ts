import type * as tf from '@tensorflow/tfjs';

/**
 * A CAM method turns the target layer's activations A and the gradients ∂y^c/∂A of the target
 * score into a raw (un-normalized, non-negative) map. The shared machinery (model split,
 * targets, gradients, normalization) lives in explain.ts; a method changes only this step.
 */
export interface CamMethod {
  name: string;
  /** The paper the method implements. */
  reference: string;
  /**
   * activations, gradients: float32 [batch, h, w, k], per image (never mixed across the batch).
   * Returns float32 [batch, h, w], values ≥ 0.
   */
  computeMap(activations: tf.Tensor4D, gradients: tf.Tensor4D): tf.Tensor3D;
}
