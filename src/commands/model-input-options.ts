/**
 * The options that say how images become the input of a model without gradcam.json, and what its
 * classes are called (models from `gradcam train` state all of this in their gradcam.json).
 * Declared once: `cam` and `eval` take them all, `inspect` its `inputSize`; commands/model-inputs.ts
 * resolves them.
 */
import { PIXEL_RANGES, PREPROCESS_PRESETS } from '../choices.js';
import { MAX_INPUT_SIDE } from '../models/metadata.js';
import { channelStatistics, widthByHeight } from './option-parsers.js';
import { defineOptions, type OptionValues } from './option-table.js';

export const MODEL_INPUT_OPTIONS = defineOptions({
  preprocess: {
    flags: '--preprocess <mode>',
    description:
      "models without gradcam.json: Keras's preprocessing, tf (x/127.5 − 1), torch (ImageNet mean/std) or caffe (BGR, ImageNet means subtracted)",
    choices: PREPROCESS_PRESETS,
  },
  mean: {
    flags: '--mean <r,g,b>',
    description:
      'models without gradcam.json: per-channel mean of pixels scaled to 0..1; input = (x/255 − mean) / std (default 0)',
    parse: channelStatistics('mean'),
  },
  std: {
    flags: '--std <r,g,b>',
    description: 'models without gradcam.json: per-channel standard deviation of pixels scaled to 0..1 (default 1)',
    parse: channelStatistics('std'),
  },
  scale: {
    flags: '--scale <range>',
    description: 'models without gradcam.json: pixel range, a shorthand (default 0-1)',
    choices: PIXEL_RANGES,
  },
  labels: {
    flags: '--labels <file>',
    description: 'models without gradcam.json: class names, one per line or a JSON array of strings',
  },
  inputSize: {
    flags: '--input-size <WxH>',
    description: 'models whose input size is not fixed: the size images are resized to, e.g. 224x224',
    parse: widthByHeight(MAX_INPUT_SIDE),
  },
});

export type ModelInputOptions = OptionValues<typeof MODEL_INPUT_OPTIONS>;
