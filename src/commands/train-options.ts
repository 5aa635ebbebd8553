/** `gradcam train`'s options, and the run settings derived from them (stored in checkpoints). */
import { DATASET_NAMES, LR_SCHEDULES, OPTIMIZER_NAMES, type DatasetName } from '../choices.js';
import { inputSize, integerIn, numberIn, openFraction } from './option-parsers.js';
import { defineOptions, type OptionValues } from './option-table.js';

export const TRAIN_OPTIONS = defineOptions({
  dataset: {
    flags: '--dataset <name>',
    description: 'dataset to train on (required unless --resume)',
    choices: DATASET_NAMES,
  },
  data: {
    flags: '--data <path>',
    description:
      'dataset files: a directory, or the official archive (default for mnist: the embedded copy); for folder, DIR/train/<class>/',
  },
  download: {
    flags: '--download',
    description: 'fetch the official archive into the cache directory first',
    default: false,
  },
  cacheDir: { flags: '--cache-dir <dir>', description: 'download cache (default: $GRADCAM_CACHE or ~/.cache/gradcam)' },
  out: { flags: '--out <dir>', description: 'model directory to write (default: ./model-<dataset>)' },
  force: { flags: '--force', description: 'replace an existing model directory at --out', default: false },
  epochs: { flags: '--epochs <n>', description: 'passes over the training set', parse: integerIn(1, 10_000) },
  batchSize: { flags: '--batch-size <n>', description: 'images per training step', parse: integerIn(1, 4096) },
  learningRate: { flags: '--lr <x>', description: 'learning rate', parse: numberIn(0, 10, true) },
  optimizer: { flags: '--optimizer <name>', description: 'optimizer', choices: OPTIMIZER_NAMES },
  schedule: {
    flags: '--lr-schedule <name>',
    description: 'learning rate over the run: cosine decay to 0, or constant',
    choices: LR_SCHEDULES,
    default: 'cosine',
  },
  warmupEpochs: {
    flags: '--warmup-epochs <n>',
    description: 'first raise the learning rate linearly from near 0 over this many epochs (may be fractional)',
    parse: numberIn(0, 10_000),
  },
  width: {
    flags: '--width <x>',
    description: 'channel multiplier of the VGG-11 layer widths',
    parse: numberIn(0, 4, true),
  },
  batchNorm: {
    flags: '--batch-norm',
    description: 'batch normalization after every convolution (the default)',
    negation: {
      flags: '--no-batch-norm',
      description: 'plain VGG-11: convolution with a fused ReLU, no batch normalization',
    },
  },
  dropout: {
    flags: '--dropout <rate>',
    description: 'dropout rate after each of the two hidden fully connected layers',
    parse: numberIn(0, 0.95),
  },
  weightDecay: {
    flags: '--weight-decay <x>',
    description: 'L2 penalty: x·w is added to the gradient of every weight',
    parse: numberIn(0, 1),
  },
  labelSmoothing: {
    flags: '--label-smoothing <x>',
    description: 'train toward 1 − x on the true class and x spread over all classes, not 1 and 0',
    parse: numberIn(0, 0.5),
  },
  inputSize: {
    flags: '--input-size <WxH>',
    description: 'folder datasets: the size every image is resized to (default: 32x32)',
    parse: inputSize,
  },
  valSplit: {
    flags: '--val-split <fraction>',
    description:
      'folder datasets without test/: hold out this fraction of each class of train/ for testing (seeded by --seed)',
    parse: openFraction,
  },
  augment: {
    flags: '--no-augment',
    description: 'no random crop / flip (CIFAR-10 and folders; digits are never augmented)',
  },
  limit: { flags: '--limit <n>', description: 'train on the first N training images', parse: integerIn(1, 10_000_000) },
  testLimit: {
    flags: '--test-limit <n>',
    description: 'evaluate on the first N test images',
    parse: integerIn(1, 10_000_000),
  },
  seed: {
    flags: '--seed <n>',
    description: 'seed for initialization, data order, augmentation, dropout and the --val-split split',
    parse: integerIn(0, 2 ** 31 - 1),
    default: 0,
  },
  checkpointEvery: {
    flags: '--checkpoint-every <n>',
    description: 'also checkpoint every N steps (always at the end of each epoch)',
    parse: integerIn(1, 10_000_000),
  },
  resume: {
    flags: '--resume <dir>',
    description: 'continue an interrupted run from the last checkpoint in its --out directory',
  },
  json: { flags: '--json', description: 'print a summary object on stdout at the end', default: false },
  quiet: { flags: '--quiet', description: 'print nothing but errors', default: false },
});

export type TrainCommandOptions = OptionValues<typeof TRAIN_OPTIONS>;

/** Options that say how to run this process, not what to train: not stored, not compared on --resume. */
const PROCESS_OPTIONS = ['resume', 'json', 'quiet'] as const;
export type RunOptionName = Exclude<keyof TrainCommandOptions, (typeof PROCESS_OPTIONS)[number]>;

export function isRunOption(name: string): name is RunOptionName {
  return name in TRAIN_OPTIONS && !(PROCESS_OPTIONS as readonly string[]).includes(name);
}

type DatasetDefaults = Required<
  Pick<
    TrainCommandOptions,
    | 'epochs'
    | 'batchSize'
    | 'learningRate'
    | 'optimizer'
    | 'width'
    | 'batchNorm'
    | 'dropout'
    | 'labelSmoothing'
    | 'warmupEpochs'
    | 'weightDecay'
  >
>;

/** Everything that determines a training run, with defaults resolved (stored in checkpoints). */
export type TrainSettings = Omit<Pick<TrainCommandOptions, RunOptionName>, keyof DatasetDefaults | 'dataset' | 'out'> &
  DatasetDefaults & { dataset: DatasetName; out: string };

/**
 * Defaults per dataset, chosen to train in reasonable time on 2 CPU cores with the wasm backend
 * (docs/training.md and docs/performance.md give the measurements behind them). A dataset without
 * an entry gets cifar10's. docs/options.md shows them (npm run docs).
 */
export const TRAINING_DEFAULTS: Partial<Record<DatasetName, DatasetDefaults>> & { cifar10: DatasetDefaults } = {
  mnist: {
    epochs: 1,
    batchSize: 64,
    learningRate: 0.001,
    optimizer: 'adam',
    width: 0.125,
    batchNorm: true,
    dropout: 0.5,
    labelSmoothing: 0,
    warmupEpochs: 0,
    weightDecay: 0,
  },
  'fashion-mnist': {
    epochs: 3,
    batchSize: 64,
    learningRate: 0.001,
    optimizer: 'adam',
    width: 0.125,
    batchNorm: true,
    dropout: 0.5,
    labelSmoothing: 0,
    warmupEpochs: 0,
    weightDecay: 0,
  },
  cifar10: {
    epochs: 11,
    batchSize: 128,
    learningRate: 0.1,
    optimizer: 'nesterov',
    width: 0.25,
    batchNorm: true,
    dropout: 0,
    labelSmoothing: 0.1,
    warmupEpochs: 0.8,
    weightDecay: 0.001,
  },
};

export function trainingDefaultsFor(dataset: DatasetName): DatasetDefaults {
  return TRAINING_DEFAULTS[dataset] ?? TRAINING_DEFAULTS.cifar10;
}

/**
 * The warm-up when --warmup-epochs is not given: the default's share of the default run, so a run
 * shorter than the default warms up for as large a part of it (a one-epoch CIFAR-10 recipe warms up
 * for 0.8/11 of an epoch, not 0.8 of its only epoch); longer runs keep the default's epochs.
 */
export function defaultWarmupEpochs(defaults: DatasetDefaults, epochs: number): number {
  return defaults.warmupEpochs * Math.min(1, epochs / defaults.epochs);
}

/**
 * Run settings gradcam.json does not list under "training": where files are, the architecture
 * (its own field) and the image limits (recorded as image counts).
 */
const NOT_RECORDED: readonly string[] = [
  'dataset',
  'data',
  'download',
  'cacheDir',
  'out',
  'force',
  'width',
  'batchNorm',
  'dropout',
  'inputSize', // recorded as inputShape
  'limit',
  'testLimit',
  'checkpointEvery',
];

/** The training options gradcam.json records, in table order: a new training option is recorded without more code. */
export function trainingRecordOf(settings: TrainSettings): Record<string, unknown> {
  const names = Object.keys(TRAIN_OPTIONS).filter((name) => isRunOption(name) && !NOT_RECORDED.includes(name));
  return Object.fromEntries(names.map((name) => [name, settings[name as RunOptionName]]));
}
