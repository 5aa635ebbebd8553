import type * as tf from '../../tf.js';

/**
 * A CAM method overrides one hook. Most say how much each activation counts: `activationWeights`
 * returns weights W broadcastable to the target layer's activations A — one per channel
 * ([batch, 1, 1, k], as Grad-CAM's α^c_k) or one per element ([batch, h, w, k], as HiResCAM and
 * LayerCAM) — and the pipeline (explain.ts, weighted-map.ts) owns the rest: L = ReLU(Σ_k W ⊙ A),
 * SmoothGrad, normalization. A method whose map is no weighted sum of the channels (Eigen-CAM)
 * overrides `computeMap` instead and returns the raw map itself.
 *
 * `usesGradients` tells explain.ts what to hand over: gradient-based methods get ∂y^c/∂A;
 * gradient-free ones get access to the model and the input instead, and no backward pass is run
 * for them at all. Hooks run inside the caller's tf.tidy and never mix images of a batch.
 */
export type CamMethod = GradientCamMethod | GradientFreeCamMethod | WholeMapCamMethod;

interface CamMethodInfo {
  name: string;
  /** The paper the method implements. */
  reference: string;
}

export interface GradientCamMethod extends CamMethodInfo {
  usesGradients: true;
  /**
   * activations, gradients: float32 [batch, h, w, k]. Returns float32 weights, [batch, 1, 1, k]
   * or [batch, h, w, k].
   */
  activationWeights(activations: tf.Tensor4D, gradients: tf.Tensor4D): tf.Tensor4D;
}

export interface GradientFreeCamMethod extends CamMethodInfo {
  usesGradients: false;
  /** activations: float32 [batch, h, w, k]. Returns float32 weights, [batch, 1, 1, k] or [batch, h, w, k]. */
  activationWeights(activations: tf.Tensor4D, model: ModelAccess): tf.Tensor4D;
}

export interface WholeMapCamMethod extends CamMethodInfo {
  usesGradients: false;
  /** activations: float32 [batch, h, w, k]. Returns the raw map, float32 [batch, h, w], values ≥ 0. */
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
