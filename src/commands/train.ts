/**
 * `gradcam train`: validate options → load the dataset → build VGG-11 → train → write the model
 * directory atomically → print its path (or a JSON summary) on stdout.
 */
import { access, constants, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { GlobalOptions } from '../cli.js';
import { InputError } from '../errors.js';
import { stderrLog, type Log } from '../log.js';
import { channelMeanStd } from '../data/batches.js';
import { loadDataset } from '../data/datasets.js';
import type { DatasetName, ImageSet } from '../data/image-set.js';
import { initBackend } from '../models/backend.js';
import { METADATA_FORMAT, METADATA_VERSION, type EpochRecord, type ModelMetadata } from '../models/metadata.js';
import { checkModelDirectoryTarget, saveModelDirectory } from '../models/model-dir.js';
import { trainModel, type OptimizerName } from '../models/training.js';
import { buildVgg, lastActivationLayerName, poolsForInput, type VggConfig } from '../models/vgg.js';
import { toolVersion } from '../version.js';
import { createTrainingReporter } from './training-progress.js';

export interface TrainCommandOptions {
  dataset: DatasetName;
  data?: string;
  download: boolean;
  cacheDir?: string;
  out?: string;
  force: boolean;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: OptimizerName;
  width?: number;
  batchNorm: boolean;
  augment: boolean;
  limit?: number;
  testLimit?: number;
  seed: number;
  json: boolean;
  quiet: boolean;
}

/** Everything a training run needs, with defaults resolved. */
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
  width: number;
  batchNorm: boolean;
  augment: boolean;
  limit?: number;
  testLimit?: number;
  seed: number;
}

/**
 * Defaults per dataset, chosen to train in reasonable time on 2 CPU cores with the wasm backend
 * (see README for the measurements behind them).
 */
export const TRAINING_DEFAULTS: Record<DatasetName, Pick<TrainSettings, 'epochs' | 'batchSize' | 'learningRate' | 'optimizer' | 'width'>> = {
  mnist: { epochs: 1, batchSize: 64, learningRate: 0.001, optimizer: 'adam', width: 0.25 },
  'fashion-mnist': { epochs: 3, batchSize: 64, learningRate: 0.001, optimizer: 'adam', width: 0.25 },
  cifar10: { epochs: 10, batchSize: 64, learningRate: 0.001, optimizer: 'adam', width: 0.5 },
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

export async function trainCommand(options: TrainCommandOptions, globals: GlobalOptions): Promise<number> {
  const settings = resolveTrainSettings(options);
  const log = stderrLog(options.quiet);
  const result = await runTrain(settings, globals, log, createTrainingReporter(settings.epochs, options.quiet));
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.out}\n`);
  return 0;
}

export function resolveTrainSettings(options: TrainCommandOptions): TrainSettings {
  const defaults = TRAINING_DEFAULTS[options.dataset];
  return {
    dataset: options.dataset,
    data: options.data,
    download: options.download,
    cacheDir: options.cacheDir,
    out: resolve(options.out ?? `model-${options.dataset}`),
    force: options.force,
    epochs: options.epochs ?? defaults.epochs,
    batchSize: options.batchSize ?? defaults.batchSize,
    learningRate: options.lr ?? defaults.learningRate,
    optimizer: options.optimizer ?? defaults.optimizer,
    width: options.width ?? defaults.width,
    batchNorm: options.batchNorm,
    // Random crops and flips suit photos; a flipped digit is a different (or no) digit.
    augment: options.augment && options.dataset === 'cifar10',
    limit: options.limit,
    testLimit: options.testLimit,
    seed: options.seed,
  };
}

export async function runTrain(
  settings: TrainSettings,
  globals: Pick<GlobalOptions, 'backend'>,
  log: Log,
  reporter = createTrainingReporter(settings.epochs, true),
): Promise<TrainResult> {
  const started = performance.now();
  // Fail on an unusable --out before spending minutes on training.
  await checkModelDirectoryTarget(settings.out, settings.force);
  await checkWritableParent(settings.out);

  const dataset = await loadDataset(settings.dataset, {
    data: settings.data,
    download: settings.download,
    cacheDir: settings.cacheDir,
  });
  const train = firstImages(dataset.train, settings.limit);
  const test = firstImages(dataset.test, settings.testLimit);
  const backend = await initBackend(globals.backend, log);
  log.info(`gradcam: backend ${backend.description}`);
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
  const model = buildVgg(architecture);
  let history: EpochRecord[];
  try {
    history = await trainModel(
      model,
      train,
      test,
      {
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        learningRate: settings.learningRate,
        optimizer: settings.optimizer,
        augment: settings.augment,
        normalization,
        seed: settings.seed,
      },
      reporter,
    );
  } finally {
    reporter.stop();
  }

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
      augment: settings.augment,
      seed: settings.seed,
      trainImages: train.count,
      testImages: test.count,
    },
    testAccuracy,
    backend: backend.description,
    history,
    createdAt: new Date().toISOString(),
  };
  await saveModelDirectory(settings.out, model, metadata, settings.force);
  model.dispose();
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
  if (!parentStat?.isDirectory()) throw new InputError(`--out ${out}: parent directory ${parent} does not exist`);
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
