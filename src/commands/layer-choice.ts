/**
 * Which layer (graph models: node) `cam` and `eval` explain: `--layer`, else gradcam.json's
 * `targetLayer`, else the default rule (src/surgery/default-target.ts); and the model split there,
 * with the library's layer errors said in terms of the option that named the layer.
 */
import { defaultGraphTarget, splitGraphModel } from '../surgery/graph-cut.js';
import { LayerChoiceError, defaultTargetLayer, splitModel, type SplitModel } from '../surgery/layers-cut.js';
import { UsageError } from '../errors.js';
import type { LoadedGraphModel } from '../models/graph-model.js';
import type { LoadedOnnxModel } from '../models/onnx-model.js';
import { defaultOnnxTarget, splitOnnxModel, type OnnxSplit } from '../surgery/onnx-cut.js';
import type * as tf from '../tf.js';

export interface ChosenSplit {
  layerName: string;
  split: SplitModel;
}

export function splitAtChosenLayer(
  model: tf.LayersModel,
  layerOption: string | undefined,
  metadataLayer: string | undefined,
): ChosenSplit {
  return splitAtChosen(
    layerOption,
    metadataLayer,
    () => defaultTargetLayer(model),
    (name) => splitModel(model, name),
  );
}

/** The same for a graph model, whose "layers" are its nodes. */
export function splitGraphAtChosenNode(
  loaded: LoadedGraphModel,
  layerOption: string | undefined,
  metadataLayer: string | undefined,
): ChosenSplit {
  return splitAtChosen(
    layerOption,
    metadataLayer,
    () => defaultGraphTarget(loaded),
    (name) => splitGraphModel(loaded, name),
  );
}

/** The same for an ONNX model: a node name or its output's name. */
export function splitOnnxAtChosenNode(
  loaded: LoadedOnnxModel,
  layerOption: string | undefined,
): ChosenSplit & {
  split: OnnxSplit;
} {
  let onnxSplit: OnnxSplit | undefined;
  const chosen = splitAtChosen(
    layerOption,
    undefined,
    () => defaultOnnxTarget(loaded),
    (name) => {
      onnxSplit = splitOnnxModel(loaded, name);
      return onnxSplit;
    },
  );
  return { layerName: chosen.split.layerName, split: onnxSplit as OnnxSplit };
}

function splitAtChosen(
  layerOption: string | undefined,
  metadataLayer: string | undefined,
  defaultLayer: () => string,
  split: (name: string) => SplitModel,
): ChosenSplit {
  const layerName = layerOption ?? metadataLayer ?? withHint(defaultLayer);
  try {
    return { layerName, split: split(layerName) };
  } catch (error) {
    if (error instanceof LayerChoiceError && layerOption !== undefined)
      throw new UsageError(`--layer ${error.layerName}: ${error.reason}`);
    throw error;
  }
}

function withHint(defaultLayer: () => string): string {
  try {
    return defaultLayer();
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${error.message}; pick one with --layer`);
    throw error;
  }
}

/** A pass that differentiates: the option that asks for it, how far down, what else would work. */
export interface GradientNeed {
  option: string;
  /** Down to the image (guided backpropagation), not only to the target layer. */
  toImage: boolean;
  /** What the user can do instead, e.g. `use --method scorecam or eigencam`. */
  instead: string;
}

/**
 * Refuses, in one line naming the layers, a gradient TensorFlow.js cannot compute (a dilated
 * convolution on its path, gradient-path.ts), before the computation fails without saying where.
 */
export function checkGradientPaths(
  subject: { layerName: string; gradientBlocker(toImage: boolean): string | undefined },
  needs: readonly GradientNeed[],
): void {
  for (const need of needs) {
    const blocker = subject.gradientBlocker(need.toImage);
    if (blocker === undefined) continue;
    const to = need.toImage ? 'the image' : `layer ${subject.layerName}`;
    throw new UsageError(
      `${need.option}: the gradient from the class score to ${to} passes the dilated convolution ${blocker}, which TensorFlow.js cannot differentiate; ${need.instead}`,
    );
  }
}
