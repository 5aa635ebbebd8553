/**
 * The shared CAM machinery: for a batch of images, the activations A of the target layer, the
 * logits, and for each target class c the gradient ∂y^c/∂A of *that image's* pre-softmax score;
 * then the method's weights W, the map ReLU(Σ_k W ⊙ A) (or the method's own map), normalized to
 * [0, 1] by its maximum. Optionally SmoothGrad (the raw maps averaged over noisy copies of the
 * input) and guided backpropagation / Guided Grad-CAM.
 *
 * Per-image gradients in one backward pass: we backpropagate Σ_i y_i^{c_i}. In inference mode no
 * layer mixes images of a batch, so ∂(Σ_j y_j^{c_j})/∂A_i = ∂y_i^{c_i}/∂A_i exactly.
 */
import * as tf from '../tf.js';
import { guidedBackprop, guidedGradcam } from './guided-backprop.js';
import type { CamMethod, ModelAccess } from './methods/method.js';
import type { CutModel } from '../surgery/layers-cut.js';
import { addNoise, noiseFields, type SmoothOptions } from './smooth.js';
import { argMax, resolveTargets, type TargetSpec } from './targets.js';
import { normalizeByMax, weightedMap } from './weighted-map.js';

export interface ExplainOptions {
  method: CamMethod;
  /** Counterfactual explanation (paper §5.3): negated gradients, regions that argue *against* c. */
  counterfactual: boolean;
  /** Also compute guided backpropagation and Guided Grad-CAM at the input resolution. */
  guided?: boolean;
  /**
   * SmoothGrad: average over noisy copies of each image. What is averaged is the method's *raw*
   * map (and, with `guided`, the guided gradients), not the gradients ∂y^c/∂A: the noise changes
   * the activations A too, so averaged gradients would have no activations of their own to weight,
   * while averaging the map is SmoothGrad's definition applied to the map itself,
   * M̂ = (1/n) Σ M(x + ε_i), and works for every method, gradient-free ones included. Averaging
   * raw maps, then normalizing once, lets the copies that see stronger evidence count for more.
   */
  smooth?: SmoothOptions;
  /** Score-CAM: at most this many channels per image. */
  maxChannels?: number;
  /** Images per forward pass when a method runs the model on many inputs (Score-CAM). Default 64. */
  forwardBatchSize?: number;
}

export interface Explanation {
  /** Index of the image in the batch. */
  image: number;
  predicted: { index: number; probability: number };
  target: { index: number; logit: number };
  /** The map, float32 [h × w] row-major, values in [0, 1]. All zeros when `empty`. */
  map: Float32Array;
  /** Maximum of the map before normalization (of the averaged map under SmoothGrad). */
  rawMax: number;
  /** The map had no positive value: nothing to show (written as zeros, not divided by zero). */
  empty: boolean;
  /** With `guided`: guided backpropagation, float32 [H × W × C] (the model's input size), signed. */
  guidedBackprop?: Float32Array;
  /** With `guided`: Guided Grad-CAM, guidedBackprop ⊙ the map upsampled, float32 [H × W × C], signed. */
  guided?: Float32Array;
}

const DEFAULT_FORWARD_BATCH = 64;

/**
 * images: float32 [batch, H, W, C], already scaled as the model expects.
 * Returns one Explanation per image and target (image-major order). Leaves no tensors behind.
 * Targets (and `predicted`) always come from the clean images, also under SmoothGrad.
 */
export function explainBatch(
  cut: CutModel,
  images: tf.Tensor4D,
  spec: TargetSpec,
  options: ExplainOptions,
): Explanation[] {
  if (options.smooth && !(Number.isInteger(options.smooth.samples) && options.smooth.samples >= 1)) {
    throw new RangeError(`explainBatch: smooth.samples must be a positive integer, got ${options.smooth.samples}`);
  }
  let explanations: Explanation[] = [];
  // One scope for the whole batch: the forward pass caches every intermediate activation.
  tf.tidy(() => {
    explanations = explainInScope(cut, images, spec, options);
  });
  return explanations;
}

function explainInScope(cut: CutModel, images: tf.Tensor4D, spec: TargetSpec, options: ExplainOptions): Explanation[] {
  const [batch, height, width, channels] = images.shape;
  const [h, w] = cut.activationShape;
  const inputSize = height * width * channels;
  const clean = cut.forward(images);
  const logits = clean.logitsFrom(clean.activations);
  const classes = logits.shape[1];
  const logitValues = logits.dataSync() as Float32Array;
  const probabilities = tf.softmax(logits).dataSync() as Float32Array;
  const rounds = resolveTargets(logitValues, batch, classes, spec);
  const sign = options.counterfactual ? -1 : 1;

  const { smooth } = options;
  const copies = smooth?.samples ?? 1;
  const fields = smooth ? noiseFields(smooth.seed, smooth.samples, inputSize) : [];
  const mapSums = rounds.map(() => new Float64Array(batch * h * w));
  const guidedSums = rounds.map(() => (options.guided ? new Float64Array(batch * inputSize) : undefined));
  for (let copy = 0; copy < copies; copy++) {
    tf.tidy(() => {
      const input = smooth ? addNoise(images, fields[copy], smooth.noise) : images;
      const pass = smooth ? cut.forward(input) : clean;
      rounds.forEach((targetClasses, round) => {
        tf.tidy(() => {
          // dy selects y_i^{c_i} for each image i (negated for the counterfactual).
          const dy = tf.tensor2d(targetSelector(targetClasses, classes, sign), [batch, classes]);
          addInto(mapSums[round], rawMap(cut, pass, input, targetClasses, dy, options).dataSync());
          const guidedSum = guidedSums[round];
          if (guidedSum) addInto(guidedSum, guidedBackprop(cut, input, dy).dataSync());
        });
      });
    });
  }

  const explanations: Explanation[][] = Array.from({ length: batch }, () => []);
  rounds.forEach((targetClasses, round) => {
    const guidedSum = guidedSums[round];
    const result = tf.tidy(() => {
      const [normalized, rawMax] = normalizeByMax(tf.tensor3d(averageOf(mapSums[round], copies), [batch, h, w]));
      const guided = guidedSum
        ? tf.tensor4d(averageOf(guidedSum, copies), [batch, height, width, channels])
        : undefined;
      return {
        maps: normalized.dataSync() as Float32Array,
        maxima: rawMax.dataSync() as Float32Array,
        guidedBackprop: guided?.dataSync() as Float32Array | undefined,
        guided: guided ? (guidedGradcam(guided, normalized).dataSync() as Float32Array) : undefined,
      };
    });
    targetClasses.forEach((classIndex, image) => {
      const predicted = argMax(logitValues.subarray(image * classes, (image + 1) * classes));
      const explanation: Explanation = {
        image,
        predicted: { index: predicted, probability: probabilities[image * classes + predicted] },
        target: { index: classIndex, logit: logitValues[image * classes + classIndex] },
        map: result.maps.slice(image * h * w, (image + 1) * h * w),
        rawMax: result.maxima[image],
        empty: !(result.maxima[image] > 0),
      };
      if (result.guided && result.guidedBackprop) {
        explanation.guidedBackprop = result.guidedBackprop.slice(image * inputSize, (image + 1) * inputSize);
        explanation.guided = result.guided.slice(image * inputSize, (image + 1) * inputSize);
      }
      explanations[image].push(explanation);
    });
  });
  return explanations.flat();
}

/**
 * The method's raw map for one set of targets: float32 [batch, h, w], values ≥ 0. Gradients are
 * computed only for methods that use them; the weighted sum of the activations is made here, once
 * for every method that provides weights.
 */
function rawMap(
  cut: CutModel,
  pass: ReturnType<CutModel['forward']>,
  input: tf.Tensor4D,
  targetClasses: number[],
  dy: tf.Tensor2D,
  options: ExplainOptions,
): tf.Tensor3D {
  const { method } = options;
  const { activations } = pass;
  if (method.usesGradients) {
    const gradients = tf.grad((a: tf.Tensor) => pass.logitsFrom(a as tf.Tensor4D))(activations, dy) as tf.Tensor4D;
    return weightedMap(activations, method.activationWeights(activations, gradients));
  }
  const model: ModelAccess = {
    images: input,
    targetClasses,
    logitsOf: (masked) => cut.logits(masked),
    batchSize: options.forwardBatchSize ?? DEFAULT_FORWARD_BATCH,
    maxChannels: options.maxChannels,
  };
  if ('computeMap' in method) return method.computeMap(activations, model);
  return weightedMap(activations, method.activationWeights(activations, model));
}

/**
 * dy for the backward pass, float32 [batch × classes] row-major: `sign` at (i, c_i), 0 elsewhere.
 * (Not tf.oneHot, which refuses a single class: a one-output sigmoid model has one.)
 */
function targetSelector(targetClasses: number[], classes: number, sign: number): Float32Array {
  const selector = new Float32Array(targetClasses.length * classes);
  targetClasses.forEach((classIndex, image) => (selector[image * classes + classIndex] = sign));
  return selector;
}

function addInto(sum: Float64Array, values: ArrayLike<number>): void {
  for (let i = 0; i < sum.length; i++) sum[i] += values[i];
}

function averageOf(sum: Float64Array, count: number): Float32Array {
  return Float32Array.from(sum, (value) => value / count);
}
