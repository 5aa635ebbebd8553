/** `gradcam demo`'s options. */
import { integerIn } from './option-parsers.js';
import { defineOptions, type OptionValues } from './option-table.js';

export const DEMO_OPTIONS = defineOptions({
  out: { flags: '--out <dir>', description: 'directory for the model, maps and PNGs', default: 'gradcam-demo' },
  // Half the training set: 3 minutes and 97.9% on two cores, against 6 minutes and 98.7% for all.
  limit: {
    flags: '--limit <n>',
    description: 'training images (all 60000 for the best model)',
    parse: integerIn(100, 60_000),
    default: 30_000,
  },
  count: { flags: '--count <n>', description: 'test digits to explain', parse: integerIn(1, 10_000), default: 16 },
  quiet: { flags: '--quiet', description: 'print nothing but errors', default: false },
});

export type DemoCommandOptions = OptionValues<typeof DEMO_OPTIONS>;
