/**
 * `gradcam eval`: how faithful are the CAM methods on this model? Loads a model directory and the
 * first N test images of a dataset, runs src/eval (deletion / insertion AUC, average drop and
 * increase in confidence, each against a random map; the cascading-randomization sanity check),
 * and prints a table, or JSON with --json; --report also writes a self-contained HTML page.
 */
import { resolve } from 'node:path';
import type { BackendOptions, GlobalOptions } from './option-table.js';
import { GUIDED_SOURCE_NAMES, type CamMethodName, type GuidedSourceName } from '../choices.js';
import { CAM_METHODS } from '../cam/methods/index.js';
import type { CutModel } from '../surgery/layers-cut.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkOutputFile } from '../io/output-directory.js';
import { forOption, InputError, UsageError, messageOf } from '../errors.js';
import { RISE_BLUR } from '../eval/blur.js';
import { EVAL_REPORT_FORMAT, EVAL_REPORT_VERSION, formatEvalTable, type EvalReport } from '../eval/eval-report.js';
import { type EvalProgress, type EvalResult, evaluateMethods, RANDOM_BASELINE } from '../eval/evaluate.js';
import { camMapSource, guidedMapSources, type MapSource } from '../eval/map-sources.js';
import { renderExampleRows } from '../report/eval-report-examples.js';
import { renderReportHtml } from '../report/eval-report-html.js';
import { stderrLog, type Log } from '../log.js';
import { announceBackend, startBackend } from './backend-option.js';
import { loadDatasetOption } from './dataset-option.js';
import { forwardBatchFor } from '../eval/classifier.js';
import { createEvalReporter } from './eval-progress.js';
import { readModelDirectory } from '../models/model-dir.js';
import { zeroPixel } from '../model-input/preprocessing.js';
import type { Dataset, ImageSet } from '../datasets/image-set.js';
import { toChannels } from '../io/image-codec.js';
import { type ClassMatch, matchClasses } from '../eval/class-match.js';
import { checkModelInputOptions } from './model-inputs.js';
import { heldOutFolder, prepareExplainedModel, type ExplainedModel } from './explained-model.js';
import { checkGradientPaths, type GradientNeed } from './layer-choice.js';
import { toolVersion } from '../version.js';
import { EVAL_SOURCE_NAMES, type EvalCommandOptions } from './eval-options.js';
import { type EvalPlan, planEvaluation } from '../eval/default-plan.js';

export interface EvalRunResult {
  report: EvalReport;
  /** Absolute path of the HTML report, when --report was given. */
  reportPath?: string;
}

export async function evalCommand(options: EvalCommandOptions, globals: GlobalOptions): Promise<number> {
  const { report } = await runEval(options, globals, stderrLog(options.quiet));
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatEvalTable(report));
  return 0;
}

export async function runEval(options: EvalCommandOptions, globals: BackendOptions, log: Log): Promise<EvalRunResult> {
  const names = parseSourceNames(options.methods);
  checkModelInputOptions(options);
  const reportPath = options.report === undefined ? undefined : resolve(options.report);
  // Checked before the long computation, so a typo does not cost the whole run.
  if (reportPath) await forOption('--report', () => checkOutputFile(reportPath, { expected: 'an .html file name' }));
  if (options.maxChannels !== undefined && !names.includes('scorecam'))
    throw new UsageError('--max-channels applies to scorecam, which --methods leaves out');
  if (options.sanitySteps !== undefined && options.sanityCount === 0)
    throw new UsageError('--sanity-steps applies to the sanity check, which --sanity-count 0 skips');
  const [backend, modelFiles] = await Promise.all([
    startBackend(globals, log, false),
    readModelDirectory(options.model),
  ]);
  announceBackend(backend, log);
  const model = await prepareExplainedModel(options, modelFiles, log);
  try {
    return await evaluateModel(options, names, model, { reportPath, backend: backend.description }, log);
  } finally {
    model.dispose();
  }
}

async function evaluateModel(
  options: EvalCommandOptions,
  names: string[],
  model: ExplainedModel,
  context: { reportPath: string | undefined; backend: string },
  log: Log,
): Promise<EvalRunResult> {
  const { cut, layerName, preprocessing } = model;
  checkGradientPaths(model, gradientNeeds(names));
  const { test, classNames: datasetClasses } = await loadTestSet(options, model, log);
  const count = checkTestSet(options, model, test, log);
  const classes = matchModelClasses(options, model, datasetClasses, log);
  const cascade = model.cascade();
  const plan = planEvaluation({
    inputSize: [model.inputShape[0], model.inputShape[1]],
    layerChannels: names.includes('scorecam') ? cut.activationShape[2] : 0,
    images: count,
    cascadeLength: cascade.steps.length,
    given: options,
  });
  checkSteps(plan.steps, model.inputShape);
  const sources = mapSources(names, cut, model.inputShape, plan.maxChannels);
  logPlan(log, { sources, count, dataset: options.dataset, layerName, cut, plan, cascadeLength: cascade.steps.length });

  const started = performance.now();
  const reporter = createEvalReporter(log, options.quiet);
  let result: EvalResult;
  try {
    result = evaluateMethods(
      {
        cascade,
        cut,
        set: test,
        indices: Array.from({ length: count }, (_, i) => i),
        modelClassOfLabel: 'unknown' in classes.match ? undefined : classes.match.modelClassOfLabel,
      },
      {
        sources,
        steps: plan.steps,
        seed: options.seed,
        normalization: preprocessing,
        batchSize: options.batchSize,
        sanityImages: plan.sanityImages,
        sanityPoints: plan.sanityPoints,
        exampleImages: context.reportPath ? options.examples : 0,
      },
      { ...progressLog(log, started), onWork: (work) => reporter.onWork(work) },
    );
  } finally {
    reporter.stop();
  }

  const report = buildReport(options, result, {
    layerName,
    shape: cut.activationShape,
    backend: context.backend,
    classes: { model: classes.modelNames ?? null, dataset: datasetClasses },
    classNames: model.classNames,
    accuracyUnknown: 'unknown' in classes.match ? classes.match.unknown : undefined,
    removedPixel: zeroPixel(preprocessing),
    redraw: cascade.redraw,
    plan,
  });
  const { reportPath } = context;
  if (reportPath) {
    const methods = [...sources.map((source) => source.name), RANDOM_BASELINE];
    await writeHtmlReport(reportPath, options, report, result, { test, methods, datasetClasses, model });
    log.info(`report written to ${reportPath}`);
  }
  log.info(`done in ${elapsed(started)}`);
  return { report, reportPath };
}

/** Checks the test set against the model's input; returns how many images to score (at most the set's). */
function checkTestSet(options: EvalCommandOptions, model: ExplainedModel, test: ImageSet, log: Log): number {
  const [height, width, channels] = model.inputShape;
  if (test.height !== height || test.width !== width || test.channels !== channels) {
    throw new UsageError(
      `--dataset ${options.dataset}: its images are ${test.height}×${test.width}×${test.channels}, the model takes ${height}×${width}×${channels}`,
    );
  }
  const { metadata } = model;
  if (metadata && metadata.dataset !== options.dataset)
    log.warn(`the model was trained on ${metadata.dataset}, evaluating on ${options.dataset}`);
  const count = Math.min(options.count, test.count);
  if (count < options.count)
    log.warn(`--count ${options.count}: the ${options.dataset} test set has ${test.count} images; using all of them`);
  return count;
}

function checkSteps(steps: number, [height, width]: readonly number[]): void {
  if (steps > height * width)
    throw new UsageError(`--steps ${steps}: an image has only ${height * width} pixels to remove; use at most that`);
}

/** What will run, and each default that leaves work out for this model's size (default-plan.ts). */
function logPlan(
  log: Log,
  run: {
    sources: MapSource[];
    count: number;
    dataset: string;
    layerName: string;
    cut: CutModel;
    plan: EvalPlan;
    cascadeLength: number;
  },
): void {
  const { plan, cascadeLength } = run;
  const points = plan.sanityPoints.length;
  const sanity =
    plan.sanityImages === 0
      ? 'no sanity check'
      : `sanity check on ${plan.sanityImages} image(s) after ${points === cascadeLength ? 'each' : points} of the ${cascadeLength} cascade steps`;
  log.info(
    `evaluating ${run.sources.map((source) => source.name).join(', ')} on ${run.count} ${run.dataset} test images ` +
      `at layer ${run.layerName} [${run.cut.activationShape.join('×')}], ${plan.steps} steps; ${sanity}`,
  );
  if (plan.reductions.length > 0)
    log.info(`defaults for this input size: ${plan.reductions.join('; ')} (the options set them; docs/eval.md)`);
}

/** Which model class each dataset label is, when both have names; says so when accuracy cannot be known. */
function matchModelClasses(
  options: EvalCommandOptions,
  model: ExplainedModel,
  datasetClasses: string[],
  log: Log,
): { modelNames: string[] | undefined; match: ClassMatch } {
  // A model without gradcam.json or --labels has classes named by index only: nothing to match.
  const modelNames = model.metadata || options.labels !== undefined ? model.classNames : undefined;
  const match = matchClasses(datasetClasses, modelNames);
  if ('unknown' in match) {
    const hint = modelNames ? '' : ' (give --labels FILE)';
    log.info(`accuracy unknown: ${match.unknown}${hint}`);
  }
  return { modelNames, match };
}

function progressLog(log: Log, started: number): EvalProgress {
  return {
    onImages: (done, total) => log.info(`scored ${done}/${total} images (${elapsed(started)})`),
    onSanityStep: (step, total, layer) =>
      log.info(`sanity check ${step}/${total}: randomized down to ${layer} (${elapsed(started)})`),
  };
}

/** The HTML page: the report and, per example image, each method's map. */
async function writeHtmlReport(
  reportPath: string,
  options: EvalCommandOptions,
  report: EvalReport,
  result: EvalResult,
  examples: { test: ImageSet; methods: string[]; datasetClasses: string[]; model: ExplainedModel },
): Promise<void> {
  const rows = renderExampleRows(result.examples, examples.test, examples.methods, {
    labels: examples.datasetClasses,
    classes: examples.model.classNames,
  });
  await writeFileAtomic(reportPath, renderReportHtml(report, rows)).catch((error: unknown) => {
    throw new InputError(`--report ${options.report}: cannot write (${messageOf(error)})`);
  });
}

/**
 * The first --count test images of --dataset; a folder is decoded at the model's input size,
 * from test/ or the validation split the model was trained with.
 */
async function loadTestSet(
  options: EvalCommandOptions,
  model: ExplainedModel,
  log: Log,
): Promise<Pick<Dataset, 'test' | 'classNames'>> {
  if (options.dataset !== 'folder')
    return loadDatasetOption(options.dataset, { data: options.data, splits: ['test'], log });
  if (options.data === undefined)
    throw new UsageError(
      '--dataset folder needs --data DIR, a folder holding test/<class>/ (train/<class>/ may be there too)',
    );
  const held = await heldOutFolder(model, resolve(options.data), options.model);
  const folder = { ...held, limits: { test: options.count } };
  const { test, classNames } = await loadDatasetOption('folder', { data: options.data, splits: ['test'], folder, log });
  if (model.metadata && classNames.join('\n') !== model.classNames.join('\n')) {
    throw new UsageError(
      `--data ${options.data}: its classes (${classNames.join(', ')}) are not the model's (${model.classNames.join(', ')})`,
    );
  }
  // A folder decodes to RGB; a grayscale model sees the BT.601 gray of each pixel, as in cam.
  return { test: model.inputShape[2] === 1 ? grayscaleSet(test) : test, classNames };
}

/** An RGB set's images as one channel (io/image-codec.ts toChannels, pixel by pixel). */
function grayscaleSet(set: ImageSet): ImageSet {
  const tall = toChannels({ data: set.images, width: set.width, height: set.height * set.count, channels: 3 }, 1);
  return { ...set, images: tall.data, channels: 1 };
}

/** `--methods a,b` → validated names; default: all, CAM methods first. */
function parseSourceNames(list: string | undefined): string[] {
  if (list === undefined) return [...EVAL_SOURCE_NAMES];
  const names = list.split(',').map((name) => name.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (!EVAL_SOURCE_NAMES.includes(name)) {
      throw new UsageError(`--methods ${list}: unknown method '${name}'; choose from ${EVAL_SOURCE_NAMES.join(', ')}`);
    }
    if (seen.has(name)) throw new UsageError(`--methods ${list}: '${name}' is given twice`);
    seen.add(name);
  }
  return names;
}

/** The gradients the sources take: CAM methods to the layer, guided ones down to the image. */
function gradientNeeds(names: readonly string[]): GradientNeed[] {
  const guided = names.filter((name) => isGuidedSource(name));
  const cam = names.filter((name) => !isGuidedSource(name) && CAM_METHODS[name as CamMethodName].usesGradients);
  const needs: GradientNeed[] = [];
  if (cam.length > 0)
    needs.push({
      option: `--methods (${cam.join(', ')})`,
      toImage: false,
      instead: 'choose a --layer after it, or --methods scorecam,eigencam',
    });
  if (guided.length > 0)
    needs.push({
      option: `--methods (${guided.join(', ')})`,
      toImage: true,
      instead: `leave ${guided.join(' and ')} out of --methods`,
    });
  return needs;
}

function isGuidedSource(name: string): name is GuidedSourceName {
  return (GUIDED_SOURCE_NAMES as readonly string[]).includes(name);
}

/** The sources in --methods order; the guided ones share their backward pass (map-sources.ts). */
function mapSources(
  names: readonly string[],
  cut: CutModel,
  inputShape: [number, number, number],
  maxChannels: number | undefined,
): MapSource[] {
  const guided = guidedMapSources(cut, inputShape, names.filter(isGuidedSource), CAM_METHODS.gradcam);
  return names.map(
    (name) =>
      guided.find((source) => source.name === name) ??
      camMapSource(cut, inputShape, CAM_METHODS[name as CamMethodName], {
        maxChannels,
        forwardBatchSize: forwardBatchFor(inputShape),
      }),
  );
}

interface ReportContext {
  layerName: string;
  shape: [number, number, number];
  backend: string;
  classes: EvalReport['classes'];
  /** The model's class names, by index (the index as text when it has none). */
  classNames: string[];
  accuracyUnknown: string | undefined;
  /** What deletion sets a pixel to: 0–255, R, G, B (or gray). */
  removedPixel: number[];
  /** How the sanity check re-draws weights (randomize.ts). */
  redraw: string;
  plan: EvalPlan;
}

function buildReport(options: EvalCommandOptions, result: EvalResult, context: ReportContext): EvalReport {
  return {
    format: EVAL_REPORT_FORMAT,
    formatVersion: EVAL_REPORT_VERSION,
    toolVersion: toolVersion(),
    createdAt: new Date().toISOString(),
    model: resolve(options.model),
    dataset: options.dataset,
    backend: context.backend,
    layer: { name: context.layerName, shape: context.shape },
    images: result.images,
    steps: result.steps,
    maxChannels: context.plan.maxChannels ?? null,
    seed: options.seed,
    classes: context.classes,
    accuracy: result.accuracy,
    ...(context.accuracyUnknown === undefined ? {} : { accuracyUnknown: context.accuracyUnknown }),
    predictions: predictionCounts(result.predictions, context.classNames),
    meanProbability: result.meanProbability,
    protocol: {
      target: "the model's predicted class on the unmodified image; scores are its softmax probability",
      deletion:
        `Petsiuk et al. 2018 (RISE): pixels in decreasing order of the map (bilinearly upsampled to the input size; ties in a seeded random order) ` +
        `are set to the mean pixel of the model's input normalization, ${describePixel(context.removedPixel)} on 0..255 (0 after normalization), ` +
        `all channels at once, in ${result.steps} equal steps; ` +
        'area under the probability curve over the fraction removed, trapezoid rule; lower is better',
      insertion:
        `Petsiuk et al. 2018 (RISE): start from the image blurred by an ${RISE_BLUR.size}×${RISE_BLUR.size} Gaussian of σ = ${RISE_BLUR.sigma} px ` +
        '(zero padding in normalized space), put the original pixels back in the same order; higher is better',
      imageTimesMap:
        'Chattopadhay et al. 2018 (Grad-CAM++): the upsampled map multiplies the pixel values in [0, 1] before normalization; ' +
        'average drop = mean of max(0, Y − O) / Y in %, increase in confidence = % of images with O > Y',
      randomBaseline:
        'a uniform random map at the target layer resolution, seeded per test image, scored like a method',
      sanity:
        `Adebayo et al. 2018: ${context.redraw}, from the logits down, cumulatively; ` +
        "Spearman rank correlation (ties averaged) between each map and the trained model's map, mean over images; a constant map counts as 0" +
        (result.sanity && result.sanity.steps.length < result.sanity.cascadeLength
          ? `; compared after ${result.sanity.steps.length} of the ${result.sanity.cascadeLength} steps, spread evenly`
          : ''),
      defaults:
        context.plan.reductions.length > 0
          ? `reduced for this input size: ${context.plan.reductions.join('; ')}`
          : 'the full protocol',
    },
    random: result.random,
    methods: result.methods,
    sanity: result.sanity ?? null,
  };
}

/** Classes predicted at least once, most often first (ties in class order), named. */
function predictionCounts(predictions: readonly number[], classNames: readonly string[]): EvalReport['predictions'] {
  return predictions
    .map((images, index) => ({ class: index, name: classNames[index] ?? String(index), images }))
    .filter((entry) => entry.images > 0)
    .sort((a, b) => b.images - a.images || a.class - b.class);
}

/** `R, G, B = 123.68, 116.779, 103.939` or `gray 127.5`. */
function describePixel(pixel: readonly number[]): string {
  const values = pixel.map((value) => String(Number(value.toPrecision(6)))).join(', ');
  return pixel.length === 3 ? `R, G, B = ${values}` : `gray ${values}`;
}

function elapsed(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}
