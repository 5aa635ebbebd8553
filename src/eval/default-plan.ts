/**
 * What `gradcam eval` does when an option is left out. For inputs of CIFAR-10 and MNIST size
 * the full protocol costs seconds; for a photo model (224×224) it would cost hours on a CPU:
 * 224 deletion steps, Score-CAM over 1,280 channels and a map of every method after each of a
 * MobileNetV2's 107 cascade steps. So each default scales down only where the work would: fewer
 * perturbation steps, Score-CAM's channels capped by a budget of masked input pixels, the sanity
 * check on fewer images, and long cascades compared at a few points (the weights are still
 * randomized layer by layer). An option given on the command line is always used as given.
 * The numbers are set so that 8 images of a 224×224 MobileNetV2 with every method take under
 * 3 minutes on 2 cores (docs/eval.md).
 */

/** Deletion/insertion steps when --steps is not given: one per image row (RISE), at most this many. */
export const MAX_DEFAULT_STEPS = 32;

/** Inputs above this many pixels are photo-sized: they take the lighter defaults below. */
export const LARGE_INPUT_PIXELS = 64 * 64;

/** Deletion/insertion steps of a photo-sized input when --steps is not given. */
export const LARGE_INPUT_STEPS = 24;

/**
 * Score-CAM's masked inputs per image, in input pixels, when --max-channels is not given: every
 * channel of a CIFAR-10 or MNIST model fits (3,136 channels at 32×32), 64 channels at 224×224.
 */
export const SCORECAM_PIXEL_BUDGET = 64 * 224 * 224;

/** Cascades up to this many steps are compared after every step when --sanity-steps is not given. */
export const MAX_FULL_CASCADE = 24;

/** Points a longer cascade is compared at, spread evenly from its first step to its last. */
export const DEFAULT_SANITY_POINTS = 6;

/** Images in the sanity check of a photo-sized model when --sanity-count is not given. */
export const LARGE_INPUT_SANITY_IMAGES = 4;

export interface EvalPlanInput {
  /** [height, width] of the model's input. */
  inputSize: readonly [number, number];
  /** Channels of the explained layer. */
  layerChannels: number;
  /** Test images evaluated (--count, at most the set's). */
  images: number;
  /** Layers in the sanity check's cascade. */
  cascadeLength: number;
  /** The options as given (undefined: not given). */
  given: { steps?: number; maxChannels?: number; sanityCount?: number; sanitySteps?: number };
}

export interface EvalPlan {
  steps: number;
  /** Score-CAM's channels; undefined: all of them. */
  maxChannels: number | undefined;
  sanityImages: number;
  /** Cascade steps (0-based) after which the maps are compared, in increasing order. */
  sanityPoints: number[];
  /** Each default that left work out, in words, for the log and the report. */
  reductions: string[];
}

export function planEvaluation({ inputSize, layerChannels, images, cascadeLength, given }: EvalPlanInput): EvalPlan {
  const [height, width] = inputSize;
  const pixels = height * width;
  const reductions: string[] = [];
  const largeInput = pixels > LARGE_INPUT_PIXELS;
  const steps = given.steps ?? Math.min(height, largeInput ? LARGE_INPUT_STEPS : MAX_DEFAULT_STEPS);
  if (given.steps === undefined && steps < height)
    reductions.push(`${steps} steps rather than one per row (${height})`);

  const channelBudget = Math.max(1, Math.floor(SCORECAM_PIXEL_BUDGET / pixels));
  let maxChannels = given.maxChannels;
  if (maxChannels === undefined && layerChannels > channelBudget) {
    maxChannels = channelBudget;
    reductions.push(`scorecam on the ${channelBudget} of ${layerChannels} channels with the highest mean activation`);
  }

  const sanityImages = Math.min(images, given.sanityCount ?? (largeInput ? LARGE_INPUT_SANITY_IMAGES : images));
  if (given.sanityCount === undefined && sanityImages < images)
    reductions.push(`sanity check on the first ${sanityImages} of ${images} images`);

  const points = given.sanitySteps ?? (cascadeLength <= MAX_FULL_CASCADE ? cascadeLength : DEFAULT_SANITY_POINTS);
  const sanityPoints = sanityImages === 0 ? [] : spreadPoints(cascadeLength, points);
  if (given.sanitySteps === undefined && sanityImages > 0 && sanityPoints.length < cascadeLength)
    reductions.push(`sanity check compared after ${sanityPoints.length} of ${cascadeLength} cascade steps`);
  return { steps, maxChannels, sanityImages, sanityPoints, reductions };
}

/**
 * `count` step indices of 0 … length − 1, spread evenly, the first and the last included (all of
 * them when count ≥ length).
 */
export function spreadPoints(length: number, count: number): number[] {
  if (length <= 0) return [];
  if (count >= length) return Array.from({ length }, (_, i) => i);
  if (count <= 1) return [length - 1];
  const points = Array.from({ length: count }, (_, j) => Math.round((j * (length - 1)) / (count - 1)));
  return [...new Set(points)];
}
