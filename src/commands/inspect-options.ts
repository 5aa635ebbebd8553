/** `gradcam inspect`'s options. */
import { MAX_INPUT_SIDE } from '../models/metadata.js';
import { widthByHeight } from '../option-parsers.js';
import { defineOptions, type OptionValues } from '../options.js';

export const INSPECT_OPTIONS = defineOptions({
  model: { flags: '--model <dir>', description: 'model directory: from `gradcam train`, or any TensorFlow.js layers or graph model', required: true },
  inputSize: {
    flags: '--input-size <WxH>',
    description: 'models whose input size is not fixed: list the shapes for this size (graph models need one)',
    parse: widthByHeight(MAX_INPUT_SIDE),
  },
  json: { flags: '--json', description: 'print the report as JSON on stdout', default: false },
  quiet: { flags: '--quiet', description: 'print nothing on stderr but errors', default: false },
});

export type InspectCommandOptions = OptionValues<typeof INSPECT_OPTIONS>;
