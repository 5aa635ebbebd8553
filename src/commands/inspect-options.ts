/** `gradcam inspect`'s options. */
import { defineOptions, type OptionValues } from './option-table.js';
import { MODEL_INPUT_OPTIONS } from './model-input-options.js';

export const INSPECT_OPTIONS = defineOptions({
  model: {
    flags: '--model <dir>',
    description: 'model directory: from `gradcam train`, any TensorFlow.js layers or graph model, or an ONNX file',
    required: true,
  },
  inputSize: MODEL_INPUT_OPTIONS.inputSize,
  json: { flags: '--json', description: 'print the report as JSON on stdout', default: false },
  quiet: { flags: '--quiet', description: 'print nothing on stderr but errors', default: false },
});

export type InspectCommandOptions = OptionValues<typeof INSPECT_OPTIONS>;
