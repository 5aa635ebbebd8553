/**
 * The model-parameter randomization test of Adebayo et al. 2018 ("Sanity Checks for Saliency
 * Maps", arXiv:1810.03292, §3.1 "cascading randomization"): if a map really depends on what the
 * model learned, it must change as the learned weights are replaced by random ones. After each
 * cascade step we compare each image's map with its map from the trained model by Spearman's
 * rank correlation (§4); a faithful method's correlation falls towards 0. Input-reconstructing
 * methods such as guided backpropagation famously stay correlated.
 */
import type { MapSource } from './map-sources.js';
import type { WeightCascade } from './randomize.js';
import { spearman } from './spearman.js';

export interface SanityCurve {
  method: string;
  /**
   * Mean over images of Spearman's ρ between the trained model's map and the map after
   * randomizing layers[0 … k] (entry k), in [−1, 1].
   */
  correlation: number[];
  /**
   * Per step, how many images had a constant map (trained or randomized), whose ρ is undefined;
   * they count as ρ = 0: a map with no ranking keeps none of the original's ranking.
   */
  constantMaps: number[];
}

export interface SanityResult {
  /**
   * Where the maps were compared: point k follows the randomization of the cascade's first
   * `steps[k]` layers (graph models: nodes), output side first, down to `layers[k]`.
   */
  layers: string[];
  /** Per point, how many layers of the cascade were randomized (1-based, increasing). */
  steps: number[];
  /** Layers in the whole cascade; each one is randomized, in order, whether compared after or not. */
  cascadeLength: number;
  images: number;
  curves: SanityCurve[];
}

export interface SanityInput {
  /** The weights of the model the sources explain; randomized in place and restored. */
  cascade: WeightCascade;
  /** float32 [count × height × width × channels], scaled as the model expects. */
  images: Float32Array;
  /** The class each image's maps explain: the trained model's prediction. */
  classes: readonly number[];
  sources: readonly MapSource[];
  /** Maps of the trained model, per source name, in image order (float32 [h × w], [0, 1]). */
  trainedMaps: ReadonlyMap<string, readonly Float32Array[]>;
  seed: number;
  /** Cascade steps (0-based, increasing) after which the maps are compared; default: every step. */
  points?: readonly number[];
  /** Called after each cascade step (1-based) with the layer just randomized. */
  onStep?: (step: number, steps: number, layer: string) => void;
  /** Called after each source's maps at a point (1-based, of the points). */
  onSource?: (point: number, points: number, method: string) => void;
}

/**
 * Runs the cascade, then restores the trained weights (also when a step throws), so the model is
 * unchanged afterwards.
 */
export function cascadingRandomization(input: SanityInput): SanityResult {
  const { cascade } = input;
  const points = input.points ?? cascade.steps.map((_, step) => step);
  const compareAfter = new Set(points);
  const curves: SanityCurve[] = input.sources.map((source) => ({
    method: source.name,
    correlation: [],
    constantMaps: [],
  }));
  const restore = cascade.save();
  try {
    let point = 0;
    cascade.steps.forEach((layer, step) => {
      if (point >= points.length) return; // nothing left to compare: the rest need no randomizing
      cascade.randomize(step, (input.seed * 1000 + step) >>> 0);
      if (compareAfter.has(step)) {
        point++;
        input.sources.forEach((source, m) => {
          compareMaps(input, source, curves[m]);
          input.onSource?.(point, points.length, source.name);
        });
      }
      input.onStep?.(step + 1, cascade.steps.length, layer);
    });
  } finally {
    restore();
  }
  return {
    layers: points.map((step) => cascade.steps[step]),
    steps: points.map((step) => step + 1),
    cascadeLength: cascade.steps.length,
    images: input.classes.length,
    curves,
  };
}

/** The source's maps of the model as it is now, compared with its trained maps; one point of its curve. */
function compareMaps(input: SanityInput, source: MapSource, curve: SanityCurve): void {
  const trained = input.trainedMaps.get(source.name);
  if (!trained || trained.length !== input.classes.length)
    throw new RangeError(`sanity check: no trained maps for ${source.name}`);
  const randomized = source.explain(input.images, input.classes);
  let sum = 0;
  let constant = 0;
  randomized.forEach(({ map }, image) => {
    const rho = spearman(trained[image], map);
    if (Number.isNaN(rho)) constant++;
    else sum += rho;
  });
  curve.correlation.push(sum / input.classes.length);
  curve.constantMaps.push(constant);
}
