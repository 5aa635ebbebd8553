/**
 * `gradcam eval`'s computation, apart from its IO: for each test image and each CAM method, the
 * deletion and insertion curves (Petsiuk et al. 2018), the confidence on image × map
 * (Chattopadhay et al. 2018), the same for a seeded random map as the baseline, and optionally
 * the cascading-randomization sanity check (Adebayo et al. 2018).
 *
 * Target class: the model's prediction on the unmodified image, for every metric.
 *
 * Randomness is per image: image i of the dataset always gets the same random map and tie-break
 * keys for a given seed, whatever --count or the batch size.
 */
import type { CutModel } from '../surgery/layers-cut.js';
import { argMax } from '../cam/targets.js';
import { fillBatch, type Normalization } from '../datasets/batches.js';
import type { ImageSet } from '../datasets/image-set.js';
import { Random } from '../random.js';
import { CurveMean, trapezoidAuc } from './auc.js';
import { gaussianBlur, RISE_BLUR } from './blur.js';
import { classifierOf, type Classifier, type InputShape } from './classifier.js';
import { averageDropPercent, increaseInConfidencePercent, multiplyImageByMap } from './confidence.js';
import type { MapSource } from './map-sources.js';
import { deletionSeries, insertionSeries } from './perturbation.js';
import { saliencyOrder, uniformValues, upsampleMap } from './pixel-order.js';
import type { WeightCascade } from './randomize.js';
import { cascadingRandomization, type SanityResult } from './sanity.js';

/** The name the random-map baseline is reported under. */
export const RANDOM_BASELINE = 'random';

export interface EvalSettings {
  /** The CAM methods (and guided sources) to evaluate; see map-sources.ts. */
  sources: readonly MapSource[];
  /** S: perturbation steps; each curve has S + 1 points. */
  steps: number;
  seed: number;
  /**
   * How the model's input is made from the uint8 pixels (gradcam.json's normalization, or a
   * foreign model's preprocessing, BGR included); 0 after it is the mean pixel it subtracts.
   */
  normalization: Normalization;
  /** Images explained and perturbed together. */
  batchSize: number;
  /** How many of the images (the first ones) also go through the sanity check; 0 skips it. */
  sanityImages: number;
  /** Cascade steps (0-based, increasing) after which the sanity check compares maps; default: every step. */
  sanityPoints?: readonly number[];
  /** How many of the first images keep their maps for example renders. */
  exampleImages: number;
}

export interface EvalInput {
  /** The weights of the model the sources explain; the sanity check randomizes and restores them. */
  cascade: WeightCascade;
  cut: CutModel;
  /** uint8 test images; `indices` picks the ones to evaluate. */
  set: ImageSet;
  indices: readonly number[];
  /**
   * The model's class index for each label of `set` (class-match.ts); without it, which
   * prediction is right is unknown and so is the accuracy.
   */
  modelClassOfLabel?: readonly number[];
}

export interface CurveScore {
  /** Mean over images of the area under the curve, in [0, 1]. */
  auc: number;
  /** Standard error of that mean (sample standard deviation / √N). */
  aucStandardError: number;
  /** Mean curve: S + 1 probabilities at fractions 0, 1/S, …, 1 of the pixels changed. */
  curve: number[];
}

export interface MethodScores {
  method: string;
  reference: string;
  /** Lower is better. */
  deletion: CurveScore;
  /** Higher is better. */
  insertion: CurveScore;
  /** Average Drop %, lower is better. */
  averageDrop: number;
  /** Increase in Confidence %, higher is better. */
  increaseInConfidence: number;
  /** Maps with no positive value (all zeros): their pixel order is the random tie-break alone. */
  emptyMaps: number;
}

/** An image kept for the report's example renders. */
export interface ExampleImage {
  datasetIndex: number;
  label: number;
  predicted: number;
  probability: number;
  /** Per source name (and 'random'): the map, values in [0, 1]. */
  maps: Map<string, { map: Float32Array; shape: [number, number] }>;
}

export interface EvalResult {
  images: number;
  steps: number;
  /** Fraction of the images whose prediction is the label's class; null when modelClassOfLabel is unknown. */
  accuracy: number | null;
  /** Images predicted as each of the model's classes, by class index. */
  predictions: number[];
  /** Mean probability of the predicted class on the unmodified images. */
  meanProbability: number;
  blur: { size: number; sigma: number };
  random: MethodScores;
  methods: MethodScores[];
  sanity: SanityResult | undefined;
  examples: ExampleImage[];
}

export interface EvalProgress {
  onImages?: (done: number, total: number) => void;
  onSanityStep?: (step: number, steps: number, layer: string) => void;
  /**
   * After each piece of work (a source scored on an image, a sanity step of one source), and
   * after each forward pass of the scoring, with `done` unchanged: a piece can take minutes.
   */
  onWork?: (work: EvalWork) => void;
}

/** Where a run is: `done` of `total` pieces of work, the last one named by phase, method and image. */
export interface EvalWork {
  phase: 'scoring' | 'sanity check';
  /** The map source (or 'random'). */
  method: string;
  /** Scoring: the last image scored (1-based) of `images`; sanity check: the comparison point of `images` points. */
  image: number;
  images: number;
  done: number;
  total: number;
}

/** Per-image scores of one map source (a method or the random baseline), accumulated. */
class ScoreAccumulator {
  readonly deletion: CurveMean;
  readonly insertion: CurveMean;
  readonly deletionAucs: number[] = [];
  readonly insertionAucs: number[] = [];
  readonly full: number[] = [];
  readonly explained: number[] = [];
  emptyMaps = 0;

  constructor(
    readonly method: string,
    readonly reference: string,
    points: number,
  ) {
    this.deletion = new CurveMean(points);
    this.insertion = new CurveMean(points);
  }

  scores(): MethodScores {
    return {
      method: this.method,
      reference: this.reference,
      deletion: curveScore(this.deletion, this.deletionAucs),
      insertion: curveScore(this.insertion, this.insertionAucs),
      averageDrop: averageDropPercent(this.full, this.explained),
      increaseInConfidence: increaseInConfidencePercent(this.full, this.explained),
      emptyMaps: this.emptyMaps,
    };
  }
}

function curveScore(curve: CurveMean, aucs: number[]): CurveScore {
  const n = aucs.length;
  const mean = aucs.reduce((sum, value) => sum + value, 0) / n;
  const variance = n > 1 ? aucs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1) : 0;
  return { auc: mean, aucStandardError: Math.sqrt(variance / n), curve: curve.mean() };
}

/**
 * What every map source of one batch shares: the images, their targets and random keys, and the
 * ends of every deletion and insertion curve, which no map changes: the unmodified image
 * (deletion's first point, insertion's last), the image with every pixel removed (deletion's
 * last) and the blurred image (insertion's first). Each is classified once per image, not once
 * per source.
 */
interface BatchContext {
  images: Float32Array;
  count: number;
  classes: number[];
  fullProbability: number[];
  removedProbability: number[];
  blurredProbability: number[];
  blurred: Float32Array[];
  tieBreaks: Float32Array[];
}

/** What every step of one run shares. */
interface RunContext {
  input: EvalInput;
  settings: EvalSettings;
  inputShape: InputShape;
  /** The random baseline's map size: the target layer's. */
  mapShape: [number, number];
  classifier: Classifier;
  work: WorkCounter;
}

/** Counts pieces of work and tells the listener after each one (and after each forward pass). */
class WorkCounter {
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly listener: EvalProgress['onWork'],
  ) {}

  report(phase: EvalWork['phase'], method: string, image: number, images: number, pieces: 0 | 1): void {
    this.done += pieces;
    this.listener?.({ phase, method, image, images, done: this.done, total: this.total });
  }
}

/** Every source and the random baseline scored on every image, plus each source at each sanity-check point. */
function workPieces(input: EvalInput, settings: EvalSettings): number {
  const sanitySources = settings.sanityImages > 0 ? settings.sources.length : 0;
  const points = settings.sanityPoints?.length ?? input.cascade.steps.length;
  return input.indices.length * (settings.sources.length + 1) + points * sanitySources;
}

/** The per-source score accumulators: the random baseline's and each source's, in settings order. */
interface Scorers {
  random: ScoreAccumulator;
  sources: ScoreAccumulator[];
}

/** One batch's maps: the random baseline's and each source's, by source name; one map per image. */
interface BatchMaps {
  random: Float32Array[];
  bySource: Map<string, Float32Array[]>;
}

/** What the run keeps of each image beyond its scores: accuracy counts, examples, sanity-check inputs. */
class ImageRecords {
  correct = 0;
  probabilitySum = 0;
  readonly predictions: number[];
  readonly examples: ExampleImage[] = [];
  readonly sanityImages: Float32Array[] = [];
  readonly sanityClasses: number[] = [];
  readonly sanityMaps: Map<string, Float32Array[]>;

  constructor(classes: number, sources: readonly MapSource[]) {
    this.predictions = Array<number>(classes).fill(0);
    this.sanityMaps = new Map(sources.map((source) => [source.name, []]));
  }
}

/**
 * Runs the evaluation. Throws RangeError for inconsistent inputs (e.g. a test set whose image
 * size is not the model's input size); the caller checks user input before.
 */
export function evaluateMethods(input: EvalInput, settings: EvalSettings, progress: EvalProgress = {}): EvalResult {
  const { set, cut, indices } = input;
  const inputShape: InputShape = [set.height, set.width, set.channels];
  const run: RunContext = {
    input,
    settings,
    inputShape,
    mapShape: cut.activationShape.slice(0, 2) as [number, number],
    classifier: classifierOf(cut, inputShape),
    work: new WorkCounter(workPieces(input, settings), progress.onWork),
  };
  const points = settings.steps + 1;
  const scorers: Scorers = {
    random: new ScoreAccumulator(
      RANDOM_BASELINE,
      'uniform random values at the map resolution, seeded per image',
      points,
    ),
    sources: settings.sources.map((source) => new ScoreAccumulator(source.name, source.reference, points)),
  };
  const records = new ImageRecords(cut.classes, settings.sources);
  for (let first = 0; first < indices.length; first += settings.batchSize) {
    const batchIndices = indices.slice(first, first + settings.batchSize);
    const context = prepareBatch(set, batchIndices, inputShape, run.classifier, settings);
    const maps = scoreBatch(run, context, first, batchIndices, scorers);
    recordBatch(run, records, first, batchIndices, context, maps);
    progress.onImages?.(Math.min(indices.length, first + settings.batchSize), indices.length);
  }
  return {
    images: indices.length,
    steps: settings.steps,
    accuracy: input.modelClassOfLabel ? records.correct / indices.length : null,
    predictions: records.predictions,
    meanProbability: records.probabilitySum / indices.length,
    blur: { ...RISE_BLUR },
    random: scorers.random.scores(),
    methods: scorers.sources.map((accumulator) => accumulator.scores()),
    sanity: sanityCheck(run, records, progress),
    examples: records.examples,
  };
}

/** Scores one batch's random maps and every source's maps; returns the maps. */
function scoreBatch(
  run: RunContext,
  context: BatchContext,
  first: number,
  batchIndices: readonly number[],
  scorers: Scorers,
): BatchMaps {
  const { settings, classifier, inputShape, mapShape } = run;
  const images = run.input.indices.length;
  const scored = (method: string) => (b: number, pieces: 0 | 1) =>
    run.work.report('scoring', method, first + b + 1, images, pieces);
  const random = batchIndices.map((index) =>
    uniformValues(new Random(imageSeed(settings.seed, index, 1)), mapShape[0] * mapShape[1]),
  );
  scoreMaps(context, random, scorers.random, classifier, inputShape, mapShape, settings, scored(RANDOM_BASELINE));
  const bySource = new Map<string, Float32Array[]>();
  settings.sources.forEach((source, s) => {
    const explained = source.explain(context.images, context.classes);
    scorers.sources[s].emptyMaps += explained.filter((entry) => entry.empty).length;
    const maps = explained.map((entry) => entry.map);
    bySource.set(source.name, maps);
    scoreMaps(
      context,
      maps,
      scorers.sources[s],
      classifier,
      inputShape,
      source.mapShape,
      settings,
      scored(source.name),
    );
  });
  return { random, bySource };
}

/** Counts each image of the batch (`first` is its position in the run) and keeps what examples and the sanity check need. */
function recordBatch(
  run: RunContext,
  records: ImageRecords,
  first: number,
  batchIndices: readonly number[],
  context: BatchContext,
  maps: BatchMaps,
): void {
  const { input, settings, inputShape } = run;
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  batchIndices.forEach((datasetIndex, b) => {
    const position = first + b;
    if (context.classes[b] === input.modelClassOfLabel?.[input.set.labels[datasetIndex]]) records.correct++;
    records.predictions[context.classes[b]]++;
    records.probabilitySum += context.fullProbability[b];
    if (position < settings.exampleImages) records.examples.push(exampleImage(run, datasetIndex, b, context, maps));
    if (position < settings.sanityImages) {
      records.sanityImages.push(context.images.slice(b * size, (b + 1) * size));
      records.sanityClasses.push(context.classes[b]);
      for (const [name, sourceMaps] of maps.bySource) records.sanityMaps.get(name)?.push(sourceMaps[b]);
    }
  });
}

/** Image b of the batch with its prediction and every map, for the report's examples. */
function exampleImage(
  run: RunContext,
  datasetIndex: number,
  b: number,
  context: BatchContext,
  maps: BatchMaps,
): ExampleImage {
  const exampleMaps: ExampleImage['maps'] = new Map([[RANDOM_BASELINE, { map: maps.random[b], shape: run.mapShape }]]);
  run.settings.sources.forEach((source) =>
    exampleMaps.set(source.name, {
      map: (maps.bySource.get(source.name) as Float32Array[])[b],
      shape: source.mapShape,
    }),
  );
  return {
    datasetIndex,
    label: run.input.set.labels[datasetIndex],
    predicted: context.classes[b],
    probability: context.fullProbability[b],
    maps: exampleMaps,
  };
}

/** The cascading-randomization sanity check on the kept images; undefined when there are none or no sources. */
function sanityCheck(run: RunContext, records: ImageRecords, progress: EvalProgress): SanityResult | undefined {
  const { input, settings, inputShape } = run;
  if (records.sanityClasses.length === 0 || settings.sources.length === 0) return undefined;
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  const images = new Float32Array(records.sanityClasses.length * size);
  records.sanityImages.forEach((image, i) => images.set(image, i * size));
  return cascadingRandomization({
    cascade: input.cascade,
    images,
    classes: records.sanityClasses,
    sources: settings.sources,
    trainedMaps: records.sanityMaps,
    points: settings.sanityPoints,
    seed: settings.seed,
    onStep: progress.onSanityStep,
    onSource: (point, points, method) => run.work.report('sanity check', method, point, points, 1),
  });
}

/** A well-mixed uint32 seed for (run seed, dataset index, purpose). */
function imageSeed(seed: number, datasetIndex: number, purpose: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(datasetIndex + 1, 0x85ebca6b) + purpose) >>> 0;
}

function prepareBatch(
  set: ImageSet,
  batchIndices: readonly number[],
  inputShape: InputShape,
  classifier: Classifier,
  settings: EvalSettings,
): BatchContext {
  const [height, width, channels] = inputShape;
  const size = height * width * channels;
  const count = batchIndices.length;
  const { images } = fillBatch(set, batchIndices, settings.normalization);
  const blurred = batchIndices.map((_, b) =>
    gaussianBlur(images.subarray(b * size, (b + 1) * size), height, width, channels),
  );
  // The images, their blurred copies and one image of removed pixels (0: the mean pixel), at once.
  const inputs = new Float32Array((2 * count + 1) * size);
  inputs.set(images);
  blurred.forEach((copy, b) => inputs.set(copy, (count + b) * size));
  const probabilities = classifier.probabilities(inputs, 2 * count + 1);
  const classCount = probabilities.length / (2 * count + 1);
  const probability = (copy: number, classIndex: number) => probabilities[copy * classCount + classIndex];
  const classes = batchIndices.map((_, b) => argMax(probabilities.subarray(b * classCount, (b + 1) * classCount)));
  return {
    images,
    count,
    classes,
    fullProbability: classes.map((c, b) => probability(b, c)),
    blurredProbability: classes.map((c, b) => probability(count + b, c)),
    removedProbability: classes.map((c) => probability(2 * count, c)),
    blurred,
    tieBreaks: batchIndices.map((index) =>
      uniformValues(new Random(imageSeed(settings.seed, index, 2)), height * width),
    ),
  };
}

/**
 * Perturbed copies built and classified at once: the copies of one 224×224×3 image at 224 steps
 * take 270 MB as float32, so a batch of 16 such images is scored a few images at a time (always
 * at least one). Small images still fill a forward pass of the classifier's size.
 */
const MAX_PERTURBED_COPIES = 256;

/**
 * Scores one map per image of the batch: builds every image's deletion and insertion series
 * (their inner points: the ends are in `context`) and image × map, runs them through the model
 * (a few images together, MAX_PERTURBED_COPIES), and adds the target-class probabilities to
 * `into`, in image order.
 */
function scoreMaps(
  context: BatchContext,
  maps: readonly Float32Array[],
  into: ScoreAccumulator,
  classifier: Classifier,
  inputShape: InputShape,
  mapShape: readonly [number, number],
  settings: EvalSettings,
  /** Image b of the batch: scored (1 piece), or one of its forward passes done (0). */
  onScored: (b: number, pieces: 0 | 1) => void,
): void {
  const [height, width, channels] = inputShape;
  const size = height * width * channels;
  const { steps } = settings;
  const inner = steps - 1; // copies 1 … S − 1 of each series
  const perImage = 2 * inner + 1; // inner deletion copies, inner insertion copies, image × map
  const removedValue = settings.normalization.mean.map(() => 0);
  const groupSize = Math.max(1, Math.floor(MAX_PERTURBED_COPIES / perImage));
  for (let first = 0; first < context.count; first += groupSize) {
    const count = Math.min(groupSize, context.count - first);
    const batch = new Float32Array(count * perImage * size);
    for (let g = 0; g < count; g++) {
      const b = first + g;
      const image = context.images.subarray(b * size, (b + 1) * size);
      const saliency = upsampleMap(maps[b], mapShape[0], mapShape[1], height, width);
      const order = saliencyOrder(saliency, context.tieBreaks[b]);
      const offset = g * perImage * size;
      const innerCopies = (series: Float32Array) => series.subarray(size, steps * size);
      batch.set(innerCopies(deletionSeries(image, order, steps, channels, removedValue)), offset);
      batch.set(innerCopies(insertionSeries(image, context.blurred[b], order, steps, channels)), offset + inner * size);
      batch.set(multiplyImageByMap(image, saliency, settings.normalization), offset + 2 * inner * size);
    }
    const probabilities = classifier.probabilities(batch, count * perImage, () => onScored(first, 0));
    const classCount = probabilities.length / (count * perImage);
    for (let g = 0; g < count; g++) {
      const b = first + g;
      const target = (copy: number) => probabilities[(g * perImage + copy) * classCount + context.classes[b]];
      const innerPoints = (start: number) => Array.from({ length: inner }, (_, k) => target(start + k));
      const deletion = [context.fullProbability[b], ...innerPoints(0), context.removedProbability[b]];
      const insertion = [context.blurredProbability[b], ...innerPoints(inner), context.fullProbability[b]];
      into.deletion.add(deletion);
      into.insertion.add(insertion);
      into.deletionAucs.push(trapezoidAuc(deletion));
      into.insertionAucs.push(trapezoidAuc(insertion));
      into.full.push(context.fullProbability[b]);
      into.explained.push(target(2 * inner));
      onScored(b, 1);
    }
  }
}
