import type * as tf from '../../tf.js';

/**
 * A CAM method turns the target layer's activations A (and, for gradient-based methods, the
 * gradients ∂y^c/∂A of the target score) into a raw (un-normalized, non-negative) map. The shared
 * machinery (model cut, targets, gradients, SmoothGrad, normalization) lives in explain.ts; a
 * method changes only this step.
 *
 * `usesGradients` tells explain.ts what to hand over: gradient-based methods get ∂y^c/∂A;
 * gradient-free ones get access to the model and the input instead, and no backward pass is run
 * for them at all.
 */
export type CamMethod = GradientCamMethod | GradientFreeCamMethod;

interface CamMethodInfo {
  name: string;
  /** The paper the method implements. */
  reference: string;
}

export interface GradientCamMethod extends CamMethodInfo {
  usesGradients: true;
  /**
   * activations, gradients: float32 [batch, h, w, k], per image (never mixed across the batch).
   * Returns float32 [batch, h, w], values ≥ 0.
   */
  computeMap(activations: tf.Tensor4D, gradients: tf.Tensor4D): tf.Tensor3D;
}

export interface GradientFreeCamMethod extends CamMethodInfo {
  usesGradients: false;
  /**
   * activations: float32 [batch, h, w, k]. Returns float32 [batch, h, w], values ≥ 0.
   * Runs inside the caller's tf.tidy.
   */
  computeMap(activations: tf.Tensor4D, model: ModelAccess): tf.Tensor3D;
}

/** What a gradient-free method may use besides the activations. */
export interface ModelAccess {
  /** The images being explained, float32 [batch, H, W, C], scaled as the model expects. */
  images: tf.Tensor4D;
  /** The target class of each image (length batch). */
  targetClasses: number[];
  /** The full forward pass: float32 [n, H, W, C] → pre-softmax scores float32 [n, classes]. */
  logitsOf(images: tf.Tensor4D): tf.Tensor2D;
  /** At most this many images per `logitsOf` call (bounds memory). */
  batchSize: number;
  /** Score-CAM: use at most this many channels; undefined = all. */
  maxChannels?: number;
}
