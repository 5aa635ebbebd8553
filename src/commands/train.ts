/**
 * `gradcam train`: validate options → load the dataset → build VGG-11 → train (checkpointing
 * into --out, resumable with --resume) → write the model directory → print its path (or a JSON
 * summary) on stdout.
 *
 * While training, --out holds only checkpoints; model.json, weights.bin and gradcam.json appear
 * together at the end (the finished directory replaces the training one in one rename), so a
 * script never sees a half-written model.
 */
import { access, constants, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { GlobalOptions } from '../cli.js';
import { InputError, InterruptedError, UsageError } from '../errors.js';
import { stderrLog, type Log } from '../log.js';
import { channelMeanStd } from '../data/batches.js';
import { loadDataset } from '../data/datasets.js';
import type { DatasetName, ImageSet } from '../data/image-set.js';
import { initBackend } from '../backend/index.js';
import { readLatestCheckpoint, writeCheckpoint, type Checkpoint } from '../models/checkpoint.js';
import { METADATA_FORMAT, METADATA_VERSION, type EpochRecord, type ModelMetadata } from '../models/metadata.js';
import { checkModelDirectoryTarget, saveModelDirectory } from '../models/model-dir.js';
import type { LearningRateSchedule } from '../models/schedule.js';
import { createOptimizer, initialProgress, trainModel, type OptimizerName } from '../models/training.js';
import { buildVgg, lastActivationLayerName, poolsForInput, type VggConfig } from '../models/vgg.js';
import { toolVersion } from '../version.js';
import { SIGNAL_EXIT_CODES, watchInterrupts } from './interrupts.js';
import { createTrainingReporter, type TrainingReporter } from './training-progress.js';

export interface TrainCommandOptions {
  dataset?: DatasetName;
  data?: string;
  download: boolean;
  cacheDir?: string;
  out?: string;
  force: boolean;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: OptimizerName;
  lrSchedule: LearningRateSchedule;
  width?: number;
  batchNorm?: boolean;
  augment: boolean;
  limit?: number;
  testLimit?: number;
  seed: number;
  resume?: string;
  checkpointEvery?: number;
  json: boolean;
  quiet: boolean;
}

/** Everything that determines a training run, with defaults resolved (stored in checkpoints). */
export interface TrainSettings {
  dataset: DatasetName;
  data?: string;
  download: boolean;
  cacheDir?: string;
  out: string;
  force: boolean;
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  schedule: LearningRateSchedule;
  width: number;
  batchNorm: boolean;
  augment: boolean;
  limit?: number;
  testLimit?: number;
  seed: number;
  checkpointEvery?: number;
}

/**
 * Defaults per dataset, chosen to train in reasonable time on 2 CPU cores with the wasm backend
 * (see README for the measurements behind them).
 */
export const TRAINING_DEFAULTS: Record<
  DatasetName,
  Pick<TrainSettings, 'epochs' | 'batchSize' | 'learningRate' | 'optimizer' | 'width' | 'batchNorm'>
> = {
  mnist: { epochs: 1, batchSize: 64, learningRate: 0.001, optimizer: 'adam', width: 0.125, batchNorm: true },
  'fashion-mnist': { epochs: 3, batchSize: 64, learningRate: 0.001, optimizer: 'adam', width: 0.125, batchNorm: true },
  cifar10: { epochs: 10, batchSize: 64, learningRate: 0.001, optimizer: 'adam', width: 0.25, batchNorm: true },
};

/** Command-line names of the options that define a run (compared on --resume). */
const RUN_OPTIONS: Record<string, keyof TrainSettings> = {
  dataset: 'dataset',
  data: 'data',
  download: 'download',
  cacheDir: 'cacheDir',
  out: 'out',
  epochs: 'epochs',
  batchSize: 'batchSize',
  lr: 'learningRate',
  optimizer: 'optimizer',
  lrSchedule: 'schedule',
  width: 'width',
  batchNorm: 'batchNorm',
  augment: 'augment',
  limit: 'limit',
  testLimit: 'testLimit',
  seed: 'seed',
  checkpointEvery: 'checkpointEvery',
};

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
export async function trainCommand(options: TrainCommandOptions, globals: GlobalOptions, explicit: ReadonlySet<string>): Promise<number> {
  const log = stderrLog(options.quiet);
  const resumeFrom = options.resume === undefined ? undefined : await resumableCheckpoint(resolve(options.resume), options, explicit);
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
  if (!options.dataset) throw new UsageError('--dataset is required (cifar10, mnist or fashion-mnist), unless --resume DIR');
  const defaults = TRAINING_DEFAULTS[options.dataset];
  return {
    dataset: options.dataset,
    data: options.data === undefined ? undefined : resolve(options.data),
    download: options.download,
    cacheDir: options.cacheDir,
    out: resolve(options.out ?? `model-${options.dataset}`),
    force: options.force,
    epochs: options.epochs ?? defaults.epochs,
    batchSize: options.batchSize ?? defaults.batchSize,
    learningRate: options.lr ?? defaults.learningRate,
    optimizer: options.optimizer ?? defaults.optimizer,
    schedule: options.lrSchedule,
    width: options.width ?? defaults.width,
    batchNorm: options.batchNorm ?? defaults.batchNorm,
    // Random crops and flips suit photos; a flipped digit is a different (or no) digit.
    augment: options.augment && options.dataset === 'cifar10',
    limit: options.limit,
    testLimit: options.testLimit,
    seed: options.seed,
    checkpointEvery: options.checkpointEvery,
  };
}

/** The checkpoint in `directory`, after checking that no given option contradicts it. */
async function resumableCheckpoint(
  directory: string,
  options: TrainCommandOptions,
  explicit: ReadonlySet<string>,
): Promise<Checkpoint<TrainSettings>> {
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(`--resume ${directory}: not a directory`);
  const checkpoint = await readLatestCheckpoint<TrainSettings>(directory);
  if (!checkpoint) {
    const finished = await stat(resolve(directory, 'model.json')).catch(() => undefined);
    throw new InputError(
      finished
        ? `--resume ${directory}: training already finished (a model is there, no checkpoint left)`
        : `--resume ${directory}: no checkpoint found; expected the --out directory of an interrupted gradcam train`,
    );
  }
  const given = resolveGivenOptions(options);
  for (const name of explicit) {
    const key = RUN_OPTIONS[name];
    if (!key || key === 'out') continue;
    const stored = checkpoint.settings[key];
    const requested = given[key];
    if (JSON.stringify(stored) !== JSON.stringify(requested)) {
      const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new UsageError(`${flag} ${JSON.stringify(requested)} conflicts with the checkpoint's ${JSON.stringify(stored)}; resume uses the original options`);
    }
  }
  // The directory may have been moved since: it is the output now.
  return { ...checkpoint, settings: { ...checkpoint.settings, out: directory } };
}

/** The given options in TrainSettings form (paths resolved), without defaults filled in. */
function resolveGivenOptions(options: TrainCommandOptions): Partial<TrainSettings> {
  return {
    ...options,
    data: options.data === undefined ? undefined : resolve(options.data),
    learningRate: options.lr,
    schedule: options.lrSchedule,
  } as Partial<TrainSettings>;
}

/** Training ended early because a stop was requested; the checkpoint holds the progress. */
export class StoppedError extends Error {
  constructor(readonly checkpoint: string) {
    super(`training stopped; checkpoint ${checkpoint}`);
  }
}

export async function runTrain(
  settings: TrainSettings,
  globals: Pick<GlobalOptions, 'backend' | 'threads'>,
  log: Log,
  reporter: TrainingReporter = createTrainingReporter(settings.epochs, true),
  control: TrainControl & { resumeFrom?: Checkpoint<TrainSettings> } = {},
): Promise<TrainResult> {
  const started = performance.now();
  const { resumeFrom } = control;
  if (!resumeFrom) {
    // Fail on an unusable --out before spending minutes on training.
    await checkModelDirectoryTarget(settings.out, settings.force);
    await checkWritableParent(settings.out);
  }

  const dataset = await loadDataset(settings.dataset, { data: settings.data, download: settings.download, cacheDir: settings.cacheDir, log });
  const train = firstImages(dataset.train, settings.limit);
  const test = firstImages(dataset.test, settings.testLimit);
  const backend = await initBackend(globals.backend, log, globals.threads);
  log.info(`gradcam: backend ${backend.description}`);
  if (resumeFrom && resumeFrom.backend !== backend.description) {
    log.warn(`the checkpoint was written on ${resumeFrom.backend}; resuming on ${backend.description} will not reproduce the uninterrupted run exactly`);
  }
  log.info(`gradcam: training on ${train.count} ${settings.dataset} images (${dataset.source}), testing on ${test.count}`);

  const inputShape: [number, number, number] = [train.height, train.width, train.channels];
  const architecture: VggConfig = {
    inputShape,
    classes: dataset.classNames.length,
    width: settings.width,
    batchNorm: settings.batchNorm,
    poolAfter: poolsForInput(train.height, train.width),
    seed: settings.seed,
  };
  const normalization = channelMeanStd(train);
  const flat = normalization.std.findIndex((std) => !(std > 0));
  if (flat >= 0) {
    // Normalizing divides by the spread: a channel that never varies has none, and nothing to learn.
    const value = Math.round(normalization.mean[flat] * 255);
    throw new InputError(`--data ${dataset.source}: every training pixel of channel ${flat} is ${value}; expected images that vary`);
  }
  const model = buildVgg(architecture);
  const optimizer = createOptimizer(settings.optimizer, settings.learningRate);
  let start = initialProgress(train.count, settings.seed);
  if (resumeFrom) {
    if (resumeFrom.progress.order.length !== train.count) {
      throw new InputError(`--resume ${settings.out}: the checkpoint trained on ${resumeFrom.progress.order.length} images, the data now has ${train.count}`);
    }
    await resumeFrom.restore(model, optimizer);
    start = resumeFrom.progress;
    log.info(`gradcam: resuming from ${resumeFrom.path} (epoch ${start.completedEpochs + 1}, step ${start.stepInEpoch})`);
  }

  let lastCheckpoint = resumeFrom?.path ?? '';
  let outcome;
  try {
    outcome = await trainModel(
      model,
      optimizer,
      train,
      test,
      {
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        learningRate: settings.learningRate,
        optimizer: settings.optimizer,
        schedule: settings.schedule,
        augment: settings.augment,
        normalization,
        seed: settings.seed,
      },
      start,
      {
        onStep: reporter.onStep,
        onEpoch: reporter.onEpoch,
        shouldStop: control.shouldStop,
        checkpointEvery: settings.checkpointEvery,
        onCheckpoint: async (progress) => {
          lastCheckpoint = await writeCheckpoint(settings.out, model, optimizer, progress, settings, backend.description);
        },
      },
    );
  } finally {
    reporter.stop();
  }
  if (!outcome.finished) {
    model.dispose();
    optimizer.dispose();
    throw new StoppedError(lastCheckpoint);
  }

  const history = outcome.history;
  const testAccuracy = history.at(-1)?.testAccuracy ?? null;
  const metadata: ModelMetadata = {
    format: METADATA_FORMAT,
    formatVersion: METADATA_VERSION,
    toolVersion: toolVersion(),
    dataset: settings.dataset,
    classNames: dataset.classNames,
    inputShape,
    normalization,
    targetLayer: lastActivationLayerName(architecture),
    architecture: { name: 'vgg11', width: settings.width, batchNorm: settings.batchNorm, poolAfter: architecture.poolAfter },
    training: {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      optimizer: settings.optimizer,
      schedule: settings.schedule,
      augment: settings.augment,
      seed: settings.seed,
      trainImages: train.count,
      testImages: test.count,
      resumed: resumeFrom !== undefined,
    },
    testAccuracy,
    backend: backend.description,
    history,
    createdAt: new Date().toISOString(),
  };
  // --out now holds our checkpoints (or a model --force lets us replace): swap in the model.
  await saveModelDirectory(settings.out, model, metadata, true);
  model.dispose();
  optimizer.dispose();
  return {
    out: settings.out,
    dataset: settings.dataset,
    backend: backend.description,
    testAccuracy,
    history,
    trainImages: train.count,
    testImages: test.count,
    seconds: (performance.now() - started) / 1000,
  };
}

async function checkWritableParent(out: string): Promise<void> {
  const parent = dirname(out);
  const parentStat = await stat(parent).catch(() => undefined);
  if (!parentStat?.isDirectory()) {
    throw new InputError(`--out ${out}: ${parentStat ? `${parent} is not a directory` : `parent directory ${parent} does not exist`}`);
  }
  await access(parent, constants.W_OK).catch(() => {
    throw new InputError(`--out ${out}: parent directory ${parent} is not writable`);
  });
}

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
