/** `gradcam merge-manifests`' options. */
import { defineOptions, type OptionValues } from './option-table.js';

export const MERGE_MANIFESTS_OPTIONS = defineOptions({
  json: { flags: '--json', description: 'print the merged manifest on stdout', default: false },
  quiet: { flags: '--quiet', description: 'print nothing but errors', default: false },
});

export type MergeCommandOptions = OptionValues<typeof MERGE_MANIFESTS_OPTIONS>;
