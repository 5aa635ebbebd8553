/**
 * `gradcam train`: validate options → load the dataset → build VGG-11 → train (checkpointing
 * into --out, resumable with --resume) → write the model directory → print its path (or a JSON
 * summary) on stdout.
 *
 * While training, --out holds only checkpoints; model.json, weights.bin and gradcam.json appear
 * together at the end (the finished directory replaces the training one in one rename), so a
 * script never sees a half-written model.
 */
import { resolve } from 'node:path';
import { DATASET_NAMES } from '../choices.js';
import { flagOf, type BackendOptions, type GlobalOptions } from './option-table.js';
import { forOption, InputError, InterruptedError, UsageError } from '../errors.js';
import { stderrLog, type Log } from '../log.js';
import type * as tf from '../tf.js';
import { channelMeanStd, type Normalization } from '../datasets/batches.js';
import { DEFAULT_FOLDER_INPUT_SIZE } from '../datasets/load-dataset.js';
import { hasTestFolder } from '../datasets/folder-listing.js';
import type { Dataset, DatasetName, ImageSet } from '../datasets/image-set.js';
import {
  isRunOption,
  trainingRecordOf,
  TRAIN_OPTIONS,
  defaultWarmupEpochs,
  trainingDefaultsFor,
  type TrainCommandOptions,
  type TrainSettings,
} from './train-options.js';
import { startBackend } from './backend-option.js';
import { loadDatasetOption } from './dataset-option.js';
import {
  discardFailedRun,
  readLatestCheckpoint,
  writeCheckpoint,
  type Checkpoint,
  type TrainingProgress,
} from '../models/checkpoint.js';
import { buildModelMetadata, type EpochRecord, type ModelMetadata } from '../models/metadata.js';
import { saveModelDirectory } from '../models/model-dir.js';
import { statIfExists } from '../io/read-files.js';
import { checkOutputFile } from '../io/output-directory.js';
import { createOptimizer, initialProgress, trainModel } from '../models/training.js';
import { buildVgg, poolsForInput, type VggConfig } from '../models/vgg.js';
import { buildTrainingReport, REPORT_FILE } from '../report/training-report.js';
import { renderTrainingReportHtml } from '../report/training-report-html.js';
import { SIGNAL_EXIT_CODES, watchInterrupts } from './interrupts.js';
import { createTrainingReporter, type TrainingReporter } from './training-progress.js';

export interface TrainResult {
  out: string;
  dataset: DatasetName;
  backend: string;
  testAccuracy: number | null;
  history: EpochRecord[];
  trainImages: number;
  testImages: number;
  seconds: number;
}

/** Hooks the CLI layer gives a run: stop requests (signals). */
export interface TrainControl {
  shouldStop?(): boolean;
}

/** `explicit`: the option names given on the command line (not defaults), for --resume checks. */
export async function trainCommand(
  options: TrainCommandOptions,
  globals: GlobalOptions,
  explicit: ReadonlySet<keyof TrainCommandOptions>,
): Promise<number> {
  const log = stderrLog(options.quiet);
  const resumeFrom =
    options.resume === undefined ? undefined : await resumableCheckpoint(resolve(options.resume), options, explicit);
  const settings = resumeFrom?.settings ?? resolveTrainSettings(options);
  const interrupts = watchInterrupts((message) => process.stderr.write(`${message}\n`));
  try {
    const result = await runTrain(settings, globals, log, createTrainingReporter(settings.epochs, options.quiet), {
      resumeFrom,
      shouldStop: () => interrupts.received() !== undefined,
    });
    process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.out}\n`);
    return 0;
  } catch (error) {
    const signal = interrupts.received();
    if (error instanceof StoppedError && signal) {
      throw new InterruptedError(
        `interrupted by ${signal}: checkpoint ${error.checkpoint}; resume with: gradcam train --resume ${settings.out}`,
        SIGNAL_EXIT_CODES[signal],
      );
    }
    throw error;
  } finally {
    interrupts.dispose();
  }
}

export function resolveTrainSettings(options: TrainCommandOptions): TrainSettings {
  if (!options.dataset)
    throw new UsageError(`--dataset is required (${DATASET_NAMES.join(', ')}), unless --resume DIR`);
  const folder = options.dataset === 'folder';
  for (const name of ['inputSize', 'valSplit'] as const) {
    if (!folder && options[name] !== undefined)
      throw new UsageError(`${flagOf(TRAIN_OPTIONS[name])} is for --dataset folder (your own images)`);
  }
  const { resume, json, quiet, ...run } = options;
  const defaults = trainingDefaultsFor(options.dataset);
  const epochs = options.epochs ?? defaults.epochs;
  return {
    ...defaults,
    warmupEpochs: defaultWarmupEpochs(defaults, epochs),
    ...definedOf(run),
    dataset: options.dataset,
    data: options.data === undefined ? undefined : resolve(options.data),
    out: resolve(options.out ?? `model-${options.dataset}`),
    ...(folder ? { inputSize: options.inputSize ?? DEFAULT_FOLDER_INPUT_SIZE } : {}),
    // Random crops and flips suit photos; a flipped digit is a different (or no) digit.
    augment: options.augment && (options.dataset === 'cifar10' || folder),
  };
}

/** The checkpoint in `directory`, after checking that no given option contradicts it. */
async function resumableCheckpoint(
  directory: string,
  options: TrainCommandOptions,
  explicit: ReadonlySet<keyof TrainCommandOptions>,
): Promise<Checkpoint<TrainSettings>> {
  const info = await statIfExists(directory);
  if (!info?.isDirectory()) throw new InputError(`--resume ${directory}: not a directory`);
  const checkpoint = await readLatestCheckpoint<TrainSettings>(directory);
  if (!checkpoint) {
    const finished = await statIfExists(resolve(directory, 'model.json'));
    throw new InputError(
      finished
        ? `--resume ${directory}: training already finished (a model is there, no checkpoint left)`
        : `--resume ${directory}: no checkpoint found; expected the --out directory of an interrupted gradcam train`,
    );
  }
  const settings: TrainSettings = { ...SETTINGS_BEFORE_RECORDED, ...checkpoint.settings };
  const given: Partial<TrainSettings> = {
    ...options,
    data: options.data === undefined ? undefined : resolve(options.data),
  };
  for (const name of explicit) {
    if (!isRunOption(name) || name === 'out') continue;
    const stored = settings[name];
    const requested = given[name];
    if (JSON.stringify(stored) !== JSON.stringify(requested)) {
      const flag = flagOf(TRAIN_OPTIONS[name]);
      throw new UsageError(
        `${flag} ${JSON.stringify(requested)} conflicts with the checkpoint's ${JSON.stringify(stored)}; resume uses the original options`,
      );
    }
  }
  // The directory may have been moved since: it is the output now.
  return { ...checkpoint, settings: { ...settings, out: directory } };
}

/**
 * How runs trained before these settings were recorded in checkpoints: resuming such a run goes
 * on as it started, whatever today's defaults are.
 */
const SETTINGS_BEFORE_RECORDED: Pick<TrainSettings, 'dropout' | 'labelSmoothing' | 'warmupEpochs' | 'weightDecay'> = {
  dropout: 0.5,
  labelSmoothing: 0,
  warmupEpochs: 0,
  weightDecay: 0,
};

/** Training ended early because a stop was requested; the checkpoint holds the progress. */
export class StoppedError extends Error {
  constructor(readonly checkpoint: string) {
    super(`training stopped; checkpoint ${checkpoint}`);
  }
}

export async function runTrain(
  settings: TrainSettings,
  globals: BackendOptions,
  log: Log,
  reporter: TrainingReporter = createTrainingReporter(settings.epochs, true),
  control: TrainControl & { resumeFrom?: Checkpoint<TrainSettings> } = {},
): Promise<TrainResult> {
  const started = performance.now();
  const { resumeFrom } = control;
  // Fail on an unusable --out before spending minutes on training.
  if (!resumeFrom) await checkTrainOutput(settings);
  // A run that fails removes the --out it created (unless a checkpoint there can be resumed).
  const createdOut = !resumeFrom && (await statIfExists(settings.out)) === undefined;
  const data = await loadTrainingData(settings, log);
  const backend = await startBackend(globals, log);
  if (resumeFrom && resumeFrom.backend !== backend.description) {
    log.warn(
      `the checkpoint was written on ${resumeFrom.backend}; resuming on ${backend.description} will not reproduce the uninterrupted run exactly`,
    );
  }
  const { dataset, train, test } = data;
  log.info(`training on ${train.count} ${settings.dataset} images (${dataset.source}), testing on ${test.count}`);

  const architecture = vggConfigFor(settings, train, dataset.classNames.length);
  const normalization = trainingNormalization(train, dataset.source);
  const model = buildVgg(architecture);
  const optimizer = createOptimizer(settings.optimizer, settings.learningRate);
  try {
    const start = await startingProgress(settings, train.count, model, optimizer, resumeFrom, log);
    const run = { settings, model, optimizer, backend: backend.description };
    const history = await trainWithCheckpoints(run, data, normalization, start, reporter, control);
    const metadata = buildModelMetadata({
      dataset: settings.dataset,
      classNames: dataset.classNames,
      architecture,
      normalization,
      training: {
        ...trainingRecordOf(settings),
        trainImages: train.count,
        testImages: test.count,
        resumed: resumeFrom !== undefined,
      },
      backend: backend.description,
      history,
    });
    const report = trainingReportHtml(model, metadata, { settings, dataset, test }, log);
    // --out now holds our checkpoints (or a model --force lets us replace): swap in the model.
    await saveModelDirectory(settings.out, model, metadata, true, { [REPORT_FILE]: report });
    return {
      out: settings.out,
      ...resultOf(metadata, train.count, test.count),
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    // An interrupted run keeps its checkpoint on purpose; a failed one cleans up.
    if (!(error instanceof StoppedError)) await cleanUpFailedRun(settings.out, createdOut, log);
    throw error;
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

/**
 * Trains from `start`, writing checkpoints into --out as it goes; returns the epochs' history.
 * Throws StoppedError, naming the last checkpoint, when a stop was requested.
 */
async function trainWithCheckpoints(
  run: { settings: TrainSettings; model: tf.LayersModel; optimizer: tf.Optimizer; backend: string },
  data: { train: ImageSet; test: ImageSet },
  normalization: Normalization,
  start: TrainingProgress,
  reporter: TrainingReporter,
  control: TrainControl & { resumeFrom?: Checkpoint<TrainSettings> },
): Promise<EpochRecord[]> {
  const { settings, model, optimizer } = run;
  let lastCheckpoint = control.resumeFrom?.path ?? '';
  const outcome = await trainModel({
    model,
    optimizer,
    train: data.train,
    test: data.test,
    options: { ...settings, normalization },
    start,
    events: {
      onStep: reporter.onStep,
      onEpoch: reporter.onEpoch,
      shouldStop: control.shouldStop,
      checkpointEvery: settings.checkpointEvery,
      onCheckpoint: async (progress) => {
        lastCheckpoint = await writeCheckpoint(settings.out, model, optimizer, progress, settings, run.backend);
      },
    },
  }).finally(() => reporter.stop());
  if (!outcome.finished) throw new StoppedError(lastCheckpoint);
  return outcome.history;
}

function resultOf(
  metadata: ModelMetadata,
  trainImages: number,
  testImages: number,
): Omit<TrainResult, 'out' | 'seconds'> {
  const { testAccuracy, history, backend } = metadata;
  return { dataset: metadata.dataset as DatasetName, backend, testAccuracy, history, trainImages, testImages };
}

/**
 * report.html: curves, per-class scores, confusion matrix and Grad-CAM examples of the finished
 * model on the test split (or the validation split held out of a folder's train/).
 */
function trainingReportHtml(
  model: tf.LayersModel,
  metadata: ModelMetadata,
  data: { settings: TrainSettings; dataset: Dataset; test: ImageSet },
  log: Log,
): string {
  const evaluatedSplit = data.dataset.testSplit ?? 'test';
  log.info(
    `writing ${REPORT_FILE}: predictions on the ${data.test.count} ${evaluatedSplit} images, Grad-CAM examples of each class`,
  );
  const report = buildTrainingReport({
    model,
    metadata,
    modelName: data.settings.out,
    test: data.test,
    evaluatedSplit,
    testFiles: data.dataset.files?.test,
  });
  return renderTrainingReportHtml(report);
}

/** Removes what a failed run made (discardFailedRun) and says what is left. */
async function cleanUpFailedRun(out: string, createdOut: boolean, log: Log): Promise<void> {
  const outcome = await discardFailedRun(out, createdOut).catch(() => ({ checkpoint: undefined, removed: false }));
  if (outcome.checkpoint)
    log.warn(
      `the last complete checkpoint ${outcome.checkpoint} is kept: once the cause is fixed, continue with gradcam train --resume ${out}`,
    );
  if (outcome.removed) log.info(`removed ${out}, which this failed run had created`);
}

async function loadTrainingData(
  settings: TrainSettings,
  log: Log,
): Promise<{ dataset: Dataset; train: ImageSet; test: ImageSet }> {
  if (
    settings.dataset === 'folder' &&
    settings.data !== undefined &&
    settings.valSplit === undefined &&
    !(await hasTestFolder(settings.data))
  ) {
    throw new UsageError(
      `--data ${settings.data}: no test/ folder; give --val-split F to hold out a fraction F of train/ for testing`,
    );
  }
  const folder = {
    inputSize: settings.inputSize ?? DEFAULT_FOLDER_INPUT_SIZE,
    validationFraction: settings.valSplit,
    seed: settings.seed,
    // Only the images used are decoded.
    limits: { train: settings.limit, test: settings.testLimit },
  };
  const dataset = await loadDatasetOption(settings.dataset, {
    data: settings.data,
    download: settings.download,
    cacheDir: settings.cacheDir,
    log,
    folder,
  });
  return {
    dataset,
    train: firstImages(dataset.train, settings.limit),
    test: firstImages(dataset.test, settings.testLimit),
  };
}

function vggConfigFor(settings: TrainSettings, train: ImageSet, classes: number): VggConfig {
  return {
    inputShape: [train.height, train.width, train.channels],
    classes,
    width: settings.width,
    batchNorm: settings.batchNorm,
    dropout: settings.dropout,
    poolAfter: poolsForInput(train.height, train.width),
    seed: settings.seed,
  };
}

/** Per-channel mean and spread of the training pixels; refuses a channel that never varies. */
function trainingNormalization(train: ImageSet, source: string): Normalization {
  const normalization = channelMeanStd(train);
  const flat = normalization.std.findIndex((std) => !(std > 0));
  if (flat >= 0) {
    // Normalizing divides by the spread: a channel that never varies has none, and nothing to learn.
    const value = Math.round(normalization.mean[flat] * 255);
    throw new InputError(
      `--data ${source}: every training pixel of channel ${flat} is ${value}; expected images that vary`,
    );
  }
  return normalization;
}

/** A fresh start, or the checkpoint's progress with its weights and optimizer state restored. */
async function startingProgress(
  settings: TrainSettings,
  trainCount: number,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  resumeFrom: Checkpoint<TrainSettings> | undefined,
  log: Log,
): Promise<TrainingProgress> {
  if (!resumeFrom) return initialProgress(trainCount, settings.seed);
  if (resumeFrom.progress.order.length !== trainCount) {
    throw new InputError(
      `--resume ${settings.out}: the checkpoint trained on ${resumeFrom.progress.order.length} images, the data now has ${trainCount}`,
    );
  }
  await resumeFrom.restore(model, optimizer);
  const start = resumeFrom.progress;
  log.info(`resuming from ${resumeFrom.path} (epoch ${start.completedEpochs + 1}, step ${start.stepInEpoch})`);
  return start;
}

/** --out: a new directory (or, with --force, an old one) in a writable directory. */
async function checkTrainOutput({ out, force }: TrainSettings): Promise<void> {
  const existing = await statIfExists(out);
  if (existing && !existing.isDirectory()) throw new InputError(`--out ${out}: exists and is not a directory`);
  if (existing && !force) throw new InputError(`--out ${out}: already exists (use --force to replace it)`);
  await forOption('--out', () => checkOutputFile(out, { writable: true }));
}

/** The entries of `options` that have a value: a default is not replaced by an option not given. */
function definedOf<T extends object>(options: T): Defined<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Defined<T>;
}

type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** The first `limit` images of a set (a view, no copy). */
function firstImages(set: ImageSet, limit: number | undefined): ImageSet {
  if (limit === undefined || limit >= set.count) return set;
  const imageSize = set.height * set.width * set.channels;
  return {
    ...set,
    count: limit,
    images: set.images.subarray(0, limit * imageSize),
    labels: set.labels.subarray(0, limit),
  };
}
