/**
 * Which layer `cam` and `eval` explain: `--layer`, else gradcam.json's `targetLayer`, else the
 * default rule (src/cam/default-target.ts); and the model split there, with the library's layer
 * errors said in terms of the option that named the layer.
 */
import { LayerChoiceError, defaultTargetLayer, splitModel, type SplitModel } from '../cam/model-split.js';
import { UsageError } from '../errors.js';
import type * as tf from '../tf.js';

export function splitAtChosenLayer(
  model: tf.LayersModel,
  layerOption: string | undefined,
  metadataLayer: string | undefined,
): { layerName: string; split: SplitModel } {
  const layerName = layerOption ?? metadataLayer ?? defaultLayer(model);
  try {
    return { layerName, split: splitModel(model, layerName) };
  } catch (error) {
    if (error instanceof LayerChoiceError && layerOption !== undefined) throw new UsageError(`--layer ${error.layerName}: ${error.reason}`);
    throw error;
  }
}

function defaultLayer(model: tf.LayersModel): string {
  try {
    return defaultTargetLayer(model);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message}; pick one with --layer`);
    throw error;
  }
}
