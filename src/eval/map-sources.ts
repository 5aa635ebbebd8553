/**
 * What the metrics evaluate: anything that gives each image a saliency map for a given class.
 * The CAM methods (maps at the target layer's resolution) and guided backpropagation / Guided
 * Grad-CAM (maps at the input resolution) are scored the same way.
 */
import * as tf from '../tf.js';
import { explainBatch, type Explanation, type ExplainOptions } from '../cam/explain.js';
import type { CamMethod } from '../cam/methods/method.js';
import type { CutModel } from '../surgery/layers-cut.js';
import type { GuidedSourceName } from '../choices.js';
import { explainBatchFor, type InputShape } from './classifier.js';

/** One image's map. */
export interface ClassMap {
  /** float32 [mapHeight × mapWidth] row-major, values in [0, 1] (maximum 1 unless empty). */
  map: Float32Array;
  /** No positive value: the map is all zeros. */
  empty: boolean;
}

export interface MapSource {
  name: string;
  /** The paper it implements. */
  reference: string;
  /** [mapHeight, mapWidth] of its maps. */
  mapShape: [number, number];
  /**
   * images: float32 [count × height × width × channels], scaled as the model expects;
   * classes: count class indices. Returns count maps, the map of classes[i] for image i.
   */
  explain(images: Float32Array, classes: readonly number[]): ClassMap[];
}

/** Options passed through to explainBatch for every source. */
export type SourceOptions = Pick<ExplainOptions, 'maxChannels' | 'forwardBatchSize'>;

/** A CAM method's maps, at the target layer's resolution, as explain.ts normalizes them. */
export function camMapSource(
  cut: CutModel,
  inputShape: InputShape,
  method: CamMethod,
  options: SourceOptions = {},
): MapSource {
  const [h, w] = cut.activationShape;
  return {
    name: method.name,
    reference: method.reference,
    mapShape: [h, w],
    explain: (images, classes) =>
      explainForClasses(cut, images, inputShape, classes, { ...options, method, counterfactual: false }, (e) => ({
        map: e.map,
        empty: e.empty,
      })),
  };
}

/**
 * Guided backpropagation (Springenberg et al. 2015) and Guided Grad-CAM (Selvaraju et al. 2017,
 * §3), as maps at the input resolution: |g| summed over the channels, divided by its maximum.
 * The absolute value is what Adebayo et al. 2018 rank and what a heatmap of the gradient shows:
 * a strongly negative gradient marks a pixel that matters as much as a strongly positive one.
 *
 * Both come from one guided backward pass through the whole model, the costliest explanation
 * there is; so when both are evaluated, the pass made for the first is kept for the second,
 * which asks next for the same images and classes, and dropped when it has taken it.
 */
export function guidedMapSources(
  cut: CutModel,
  inputShape: InputShape,
  kinds: readonly GuidedSourceName[],
  gradcam: CamMethod,
): MapSource[] {
  const [height, width, channels] = inputShape;
  let kept: { kind: GuidedSourceName; images: Float32Array; classes: readonly number[]; maps: ClassMap[] } | undefined;
  const explain = (kind: GuidedSourceName, images: Float32Array, classes: readonly number[]): ClassMap[] => {
    if (kept?.kind === kind && kept.images === images && kept.classes === classes) {
      const { maps } = kept;
      kept = undefined;
      return maps;
    }
    const options = { method: gradcam, counterfactual: false, guided: true };
    const both = explainForClasses(cut, images, inputShape, classes, options, (e) => {
      if (!e.guidedBackprop || !e.guided) throw new Error('explainBatch returned no guided gradients');
      return {
        'guided-backprop': absoluteChannelSum(e.guidedBackprop, height * width, channels),
        'guided-gradcam': absoluteChannelSum(e.guided, height * width, channels),
      };
    });
    const other = kinds.find((name) => name !== kind);
    kept = other ? { kind: other, images, classes, maps: both.map((pair) => pair[other]) } : undefined;
    return both.map((pair) => pair[kind]);
  };
  return kinds.map((kind) => ({
    name: kind,
    reference:
      kind === 'guided-backprop'
        ? 'Springenberg et al. 2015, arXiv:1412.6806 (|gradient| summed over channels)'
        : 'Selvaraju et al. 2017, arXiv:1610.02391 §3 (|guided backprop × Grad-CAM| summed over channels)',
    mapShape: [height, width],
    explain: (images, classes) => explain(kind, images, classes),
  }));
}

/**
 * @param signed float32 [pixels × channels] HWC, any sign
 * @returns the map Σ_c |signed| per pixel divided by its maximum: float32 [pixels], values in [0, 1]
 */
export function absoluteChannelSum(signed: Float32Array, pixels: number, channels: number): ClassMap {
  const map = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += Math.abs(signed[p * channels + c]);
    map[p] = sum;
  }
  let max = 0;
  for (const value of map) max = Math.max(max, value);
  if (max > 0) for (let p = 0; p < pixels; p++) map[p] /= max;
  return { map, empty: !(max > 0) };
}

/**
 * Explains image i for class classes[i]. Images are explained in groups of equal target class,
 * because explainBatch takes one target spec per call, and a few at a time (explainBatchFor: a
 * backward pass keeps every activation of its images); the result is in image order. Passing
 * the class explicitly (rather than "top") pins the target to the prediction the caller already
 * made, also after the weights were randomized.
 */
function explainForClasses<T>(
  cut: CutModel,
  images: Float32Array,
  inputShape: InputShape,
  classes: readonly number[],
  options: ExplainOptions,
  pick: (explanation: Explanation) => T,
): T[] {
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  if (images.length !== classes.length * size)
    throw new RangeError(`explain: ${images.length} values for ${classes.length} images of ${size}`);
  const results: T[] = new Array(classes.length);
  const perPass = explainBatchFor(inputShape);
  for (const classIndex of new Set(classes)) {
    const members = classes.flatMap((c, i) => (c === classIndex ? [i] : []));
    for (let first = 0; first < members.length; first += perPass) {
      const group = members.slice(first, first + perPass);
      const pixels = new Float32Array(group.length * size);
      group.forEach((image, k) => pixels.set(images.subarray(image * size, (image + 1) * size), k * size));
      const batch = tf.tensor4d(pixels, [group.length, ...inputShape]);
      try {
        for (const explanation of explainBatch(cut, batch, { kind: 'class', index: classIndex }, options)) {
          results[group[explanation.image]] = pick(explanation);
        }
      } finally {
        batch.dispose();
      }
    }
  }
  return results;
}
