/**
 * Every fixed set of names the tool accepts, declared once. No TensorFlow.js here: the CLI lists
 * these as option choices without loading any command module.
 */

/** `folder`: the user's own images in the ImageFolder layout (datasets/folder-listing.ts). */
export const DATASET_NAMES = ['cifar10', 'mnist', 'fashion-mnist', 'folder'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];
/** The datasets with official archives to download. */
export type DownloadableDataset = Exclude<DatasetName, 'folder'>;

/** cam/methods/index.ts checks that it implements exactly these. */
export const CAM_METHOD_NAMES = [
  'gradcam',
  'gradcam++',
  'hirescam',
  'xgradcam',
  'layercam',
  'scorecam',
  'eigencam',
] as const;
export type CamMethodName = (typeof CAM_METHOD_NAMES)[number];

/** The input-resolution map sources `eval` scores besides the CAM methods (eval/map-sources.ts). */
export const GUIDED_SOURCE_NAMES = ['guided-backprop', 'guided-gradcam'] as const;
export type GuidedSourceName = (typeof GUIDED_SOURCE_NAMES)[number];

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** sgd: momentum 0.9; nesterov: the same with Nesterov's look-ahead (Sutskever et al. 2013); adam. */
export const OPTIMIZER_NAMES = ['sgd', 'nesterov', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** How the learning rate moves over a run (models/schedule.ts). */
export const LR_SCHEDULES = ['cosine', 'constant'] as const;
export type LearningRateSchedule = (typeof LR_SCHEDULES)[number];

/** Pixel scalings for models without gradcam.json (model-input/preprocessing.ts). */
export const PIXEL_RANGES = ['0-1', '0-255', '-1-1'] as const;
export type PixelRange = (typeof PIXEL_RANGES)[number];

/** Keras's preprocess_input modes, for models without gradcam.json (model-input/preprocessing.ts). */
export const PREPROCESS_PRESETS = ['tf', 'torch', 'caffe'] as const;
export type PreprocessPreset = (typeof PREPROCESS_PRESETS)[number];
