/** `gradcam cam`'s options. */
import { CAM_METHOD_NAMES, DATASET_NAMES } from '../choices.js';
import { collect, integerIn, integerListIn, numberIn, shardSpec } from './option-parsers.js';
import { defineOptions, type OptionValues } from './option-table.js';
import { MODEL_INPUT_OPTIONS } from './model-input-options.js';

export const CAM_OPTIONS = defineOptions({
  model: {
    flags: '--model <dir>',
    description: 'model directory written by `gradcam train`, any TensorFlow.js layers or graph model, or an ONNX file',
    required: true,
  },
  image: { flags: '--image <file>', description: 'a PNG or JPEG image to explain (repeatable)', parse: collect },
  images: {
    flags: '--images <dir>',
    description: 'explain every PNG/JPEG in a directory (repeatable)',
    parse: collect,
  },
  dataset: { flags: '--dataset <name>', description: 'explain test images of a dataset', choices: DATASET_NAMES },
  data: { flags: '--data <path>', description: 'dataset files (default for mnist: the embedded copy)' },
  index: {
    flags: '--index <list>',
    description: 'test image indices, e.g. 0,7,42',
    parse: integerListIn(0, 10_000_000),
  },
  count: { flags: '--count <n>', description: 'the first N test images', parse: integerIn(1, 10_000_000) },
  out: { flags: '--out <dir>', description: 'output directory', default: 'cam' },
  layer: {
    flags: '--layer <name>',
    description:
      'layer (graph models: node) to explain (default: gradcam.json targetLayer, else the last spatial layer on every path, preferring the last conv)',
  },
  class: {
    flags: '--class <class>',
    description: "target class: 'top' (predicted), an index, or a class name",
    default: 'top',
  },
  topK: {
    flags: '--top-k <k>',
    description: 'one map for each of the K highest-scoring classes',
    parse: integerIn(1, 1000),
  },
  counterfactual: {
    flags: '--counterfactual',
    description: 'explain what argues against the class (negated gradients)',
    default: false,
  },
  method: { flags: '--method <name>', description: 'CAM method', choices: CAM_METHOD_NAMES, default: 'gradcam' },
  guided: {
    flags: '--guided',
    description: 'also write Guided Grad-CAM, guided backprop × upsampled map (<id>.guided.npy, input size)',
    default: false,
  },
  smooth: {
    flags: '--smooth <n>',
    description: 'SmoothGrad: average the maps over N noisy copies of each image',
    parse: integerIn(1, 10_000),
  },
  noise: {
    flags: '--noise <x>',
    description: "SmoothGrad noise σ as a fraction of each image's value range (default 0.15)",
    parse: numberIn(0, 10),
  },
  seed: {
    flags: '--seed <n>',
    description: 'seed of the SmoothGrad noise (default 0)',
    parse: integerIn(0, 2 ** 31 - 1),
  },
  maxChannels: {
    flags: '--max-channels <n>',
    description: 'scorecam: only the N channels with the highest mean activation',
    parse: integerIn(1, 1_000_000),
  },
  ...MODEL_INPUT_OPTIONS,
  batchSize: {
    flags: '--batch-size <n>',
    description: "images per batch (and per forward pass of scorecam's masked inputs)",
    parse: integerIn(1, 1024),
    default: 32,
  },
  shard: {
    flags: '--shard <K/N>',
    description: 'explain only the K-th of N equal blocks of the inputs; writes cam.shard-K-of-N.json',
    parse: shardSpec,
  },
  force: {
    flags: '--force',
    description:
      'use an --out that is not empty: first remove what an earlier cam or render wrote there (nothing else)',
    default: false,
  },
  json: { flags: '--json', description: 'print the manifest on stdout', default: false },
  quiet: { flags: '--quiet', description: 'print nothing but errors', default: false },
});

export type CamCommandOptions = OptionValues<typeof CAM_OPTIONS>;
