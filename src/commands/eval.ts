/**
 * `gradcam eval`: how faithful are the CAM methods on this model? Loads a model directory and the
 * first N test images of a dataset, runs src/eval (deletion / insertion AUC, average drop and
 * increase in confidence, each against a random map; the cascading-randomization sanity check),
 * and prints a table, or JSON with --json; --report also writes a self-contained HTML page.
 */
import { resolve } from 'node:path';
import type { BackendOptions, GlobalOptions } from '../options.js';
import { GUIDED_SOURCE_NAMES, type CamMethodName, type GuidedSourceName } from '../choices.js';
import { CAM_METHODS } from '../cam/methods/index.js';
import type { SplitModel } from '../cam/model-split.js';
import { writeFileAtomic } from '../data/atomic.js';
import { folderOptionsOfModel } from '../data/datasets.js';
import { checkOutputFile } from '../data/output-directory.js';
import { forOption, InputError, UsageError, messageOf } from '../errors.js';
import { RISE_BLUR } from '../eval/blur.js';
import { EVAL_REPORT_FORMAT, EVAL_REPORT_VERSION, formatEvalTable, type EvalReport } from '../eval/eval-report.js';
import { evaluateMethods, RANDOM_BASELINE, type EvalResult } from '../eval/evaluate.js';
import { camMapSource, guidedMapSource, type MapSource } from '../eval/map-sources.js';
import { renderExampleRows } from '../eval/report-examples.js';
import { renderReportHtml } from '../eval/report-html.js';
import { stderrLog, type Log } from '../log.js';
import { loadDatasetOption, startBackend } from './setup.js';
import { loadModelDirectory } from '../models/model-dir.js';
import { toolVersion } from '../version.js';
import { EVAL_SOURCE_NAMES, type EvalCommandOptions } from './eval-options.js';
import { splitAtChosenLayer } from './layer-choice.js';

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
  const reportPath = options.report === undefined ? undefined : resolve(options.report);
  // Checked before the long computation, so a typo does not cost the whole run.
  if (reportPath) await forOption('--report', () => checkOutputFile(reportPath, { expected: 'an .html file name' }));
  const backend = await startBackend(globals, log);

  const { model, metadata } = await forOption('--model', () => loadModelDirectory(options.model));
  if (!metadata) {
    throw new UsageError(`--model ${options.model}: no gradcam.json; eval needs the model's input normalization (use a model written by gradcam train)`);
  }
  // A folder is decoded at the model's input size, with the validation split it was trained with.
  const folder = { ...folderOptionsOfModel(metadata), limits: { test: options.count } };
  const { test, classNames } = await loadDatasetOption(options.dataset, { data: options.data, splits: ['test'], folder, log });
  if (options.dataset === 'folder' && classNames.join('\n') !== metadata.classNames.join('\n')) {
    throw new UsageError(`--data ${options.data}: its classes (${classNames.join(', ')}) are not the model's (${metadata.classNames.join(', ')})`);
  }
  const [height, width, channels] = metadata.inputShape;
  if (test.height !== height || test.width !== width || test.channels !== channels) {
    throw new UsageError(
      `--dataset ${options.dataset}: its images are ${test.height}×${test.width}×${test.channels}, the model takes ${height}×${width}×${channels}`,
    );
  }
  if (metadata.dataset !== options.dataset) log.warn(`the model was trained on ${metadata.dataset}, evaluating on ${options.dataset}`);
  const count = Math.min(options.count, test.count);
  if (count < options.count) log.warn(`--count ${options.count}: the ${options.dataset} test set has ${test.count} images; using all of them`);
  const steps = options.steps ?? height;
  if (steps > height * width) throw new UsageError(`--steps ${steps}: an image has only ${height * width} pixels to remove; use at most that`);
  if (options.maxChannels !== undefined && !names.includes('scorecam')) throw new UsageError('--max-channels applies to scorecam, which --methods leaves out');

  const { layerName, split } = splitAtChosenLayer(model, options.layer, metadata.targetLayer);
  const sources = names.map((name) => mapSource(name, split, [height, width, channels], options));
  const sanityImages = Math.min(options.sanityCount ?? count, count);
  log.info(
    `evaluating ${sources.map((source) => source.name).join(', ')} on ${count} ${options.dataset} test images ` +
      `at layer ${layerName} [${split.activationShape.join('×')}], ${steps} steps; sanity check on ${sanityImages}`,
  );

  const started = performance.now();
  const result = evaluateMethods(
    { model, split, set: test, indices: Array.from({ length: count }, (_, i) => i) },
    {
      sources,
      steps,
      seed: options.seed,
      normalization: metadata.normalization,
      batchSize: options.batchSize,
      sanityImages,
      exampleImages: reportPath ? options.examples : 0,
    },
    {
      onImages: (done, total) => log.info(`scored ${done}/${total} images (${elapsed(started)})`),
      onSanityStep: (step, total, layer) => log.info(`sanity check ${step}/${total}: randomized down to ${layer} (${elapsed(started)})`),
    },
  );
  model.dispose();

  const report = buildReport(options, result, { layerName, shape: split.activationShape, backend: backend.description });
  if (reportPath) {
    const rows = renderExampleRows(result.examples, test, [...sources.map((source) => source.name), RANDOM_BASELINE], classNames);
    await writeFileAtomic(reportPath, renderReportHtml(report, rows)).catch((error: unknown) => {
      throw new InputError(`--report ${options.report}: cannot write (${messageOf(error)})`);
    });
    log.info(`report written to ${reportPath}`);
  }
  log.info(`done in ${elapsed(started)}`);
  return { report, reportPath };
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

function mapSource(name: string, split: SplitModel, inputShape: [number, number, number], options: EvalCommandOptions): MapSource {
  if ((GUIDED_SOURCE_NAMES as readonly string[]).includes(name)) {
    return guidedMapSource(split, inputShape, name as GuidedSourceName, CAM_METHODS.gradcam);
  }
  return camMapSource(split, inputShape, CAM_METHODS[name as CamMethodName], {
    maxChannels: options.maxChannels,
    forwardBatchSize: 256,
  });
}

function buildReport(
  options: EvalCommandOptions,
  result: EvalResult,
  context: { layerName: string; shape: [number, number, number]; backend: string },
): EvalReport {
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
    seed: options.seed,
    accuracy: result.accuracy,
    meanProbability: result.meanProbability,
    protocol: {
      target: "the model's predicted class on the unmodified image; scores are its softmax probability",
      deletion:
        `Petsiuk et al. 2018 (RISE): pixels in decreasing order of the map (bilinearly upsampled to the input size; ties in a seeded random order) ` +
        `are set to the dataset mean (0 after normalization), all channels at once, in ${result.steps} equal steps; ` +
        'area under the probability curve over the fraction removed, trapezoid rule; lower is better',
      insertion:
        `Petsiuk et al. 2018 (RISE): start from the image blurred by an ${RISE_BLUR.size}×${RISE_BLUR.size} Gaussian of σ = ${RISE_BLUR.sigma} px ` +
        '(zero padding in normalized space), put the original pixels back in the same order; higher is better',
      imageTimesMap:
        'Chattopadhay et al. 2018 (Grad-CAM++): the upsampled map multiplies the pixel values in [0, 1] before normalization; ' +
        'average drop = mean of max(0, Y − O) / Y in %, increase in confidence = % of images with O > Y',
      randomBaseline: 'a uniform random map at the target layer resolution, seeded per test image, scored like a method',
      sanity:
        "Adebayo et al. 2018: the layers' weights re-initialized with their own initializers (seeded) from the logits down, cumulatively; " +
        "Spearman rank correlation (ties averaged) between each map and the trained model's map, mean over images; a constant map counts as 0",
    },
    random: result.random,
    methods: result.methods,
    sanity: result.sanity ?? null,
  };
}

function elapsed(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}
