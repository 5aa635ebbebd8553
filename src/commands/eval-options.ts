/** `gradcam eval`'s options. */
import { CAM_METHOD_NAMES, DATASET_NAMES, GUIDED_SOURCE_NAMES } from '../choices.js';
import { integerIn } from './option-parsers.js';
import { defineOptions, type OptionValues } from './option-table.js';
import { MODEL_INPUT_OPTIONS } from './model-input-options.js';

/** Every name --methods accepts, in table order. */
export const EVAL_SOURCE_NAMES: readonly string[] = [...CAM_METHOD_NAMES, ...GUIDED_SOURCE_NAMES];

export const EVAL_OPTIONS = defineOptions({
  model: {
    flags: '--model <dir>',
    description: 'model directory written by `gradcam train`, any TensorFlow.js layers or graph model, or an ONNX file',
    required: true,
  },
  dataset: {
    flags: '--dataset <name>',
    description: 'evaluate on the test images of this dataset',
    choices: DATASET_NAMES,
    required: true,
  },
  data: { flags: '--data <path>', description: 'dataset files (default for mnist: the embedded copy)' },
  count: {
    flags: '--count <n>',
    description: 'the first N test images',
    parse: integerIn(1, 10_000_000),
    default: 100,
  },
  methods: {
    flags: '--methods <list>',
    description: `comma-separated, from: ${EVAL_SOURCE_NAMES.join(', ')} (default: all)`,
  },
  steps: {
    flags: '--steps <n>',
    description:
      'perturbation steps per deletion/insertion curve (default: the image height, as in RISE, at most 32; 24 for inputs larger than 64×64)',
    parse: integerIn(1, 1_000_000),
  },
  layer: {
    flags: '--layer <name>',
    description: 'layer (graph models: node) to explain (default: gradcam.json targetLayer, else as for cam)',
  },
  sanityCount: {
    flags: '--sanity-count <n>',
    description:
      'images for the sanity check, the first of --count (default: all; 4 for inputs larger than 64×64; 0 skips it)',
    parse: integerIn(0, 10_000_000),
  },
  sanitySteps: {
    flags: '--sanity-steps <n>',
    description:
      'cascade steps after which the sanity check compares maps, spread evenly, first and last included ' +
      '(default: every step of a cascade up to 24 layers, else 6; every layer is still randomized in turn)',
    parse: integerIn(1, 1_000_000),
  },
  report: {
    flags: '--report <file>',
    description: 'also write a self-contained HTML report (table, curves, example renders)',
  },
  examples: {
    flags: '--examples <n>',
    description: 'example images rendered in the report',
    parse: integerIn(0, 1000),
    default: 8,
  },
  maxChannels: {
    flags: '--max-channels <n>',
    description:
      'scorecam: only the N channels with the highest mean activation ' +
      '(default: all, up to 64×224×224 masked input pixels per image: 64 channels at 224×224)',
    parse: integerIn(1, 1_000_000),
  },
  ...MODEL_INPUT_OPTIONS,
  batchSize: {
    flags: '--batch-size <n>',
    description: 'images perturbed and explained together',
    parse: integerIn(1, 1024),
    default: 16,
  },
  seed: {
    flags: '--seed <n>',
    description: 'seed for the random maps, tie-breaks and re-initialized weights',
    parse: integerIn(0, 2 ** 31 - 1),
    default: 0,
  },
  json: {
    flags: '--json',
    description: 'print the full result as JSON on stdout instead of the table',
    default: false,
  },
  quiet: { flags: '--quiet', description: 'print nothing but errors', default: false },
});

export type EvalCommandOptions = OptionValues<typeof EVAL_OPTIONS>;
