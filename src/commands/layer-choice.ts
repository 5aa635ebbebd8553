/**
 * Which layer (graph models: node) `cam` and `eval` explain: `--layer`, else gradcam.json's
 * `targetLayer`, else the default rule (src/surgery/default-target.ts); and the model cut there,
 * with the library's layer errors said in terms of the option that named the layer.
 */
import { defaultGraphTarget, cutGraphModelAt } from '../surgery/graph-cut.js';
import { LayerChoiceError, defaultTargetLayer, cutModelAt, type CutModel } from '../surgery/layers-cut.js';
import { relabel, UsageError } from '../errors.js';
import { NoDefaultTargetError } from '../surgery/default-target.js';
import type { LoadedGraphModel } from '../models/graph-model.js';
import type { LoadedOnnxModel } from '../models/onnx-model.js';
import { defaultOnnxTarget, cutOnnxModelAt, type OnnxCut } from '../surgery/onnx-cut.js';
import type * as tf from '../tf.js';

export interface ChosenCut {
  layerName: string;
  cut: CutModel;
}

export function cutAtChosenLayer(
  model: tf.LayersModel,
  layerOption: string | undefined,
  metadataLayer: string | undefined,
): ChosenCut {
  return cutAtChosen(
    layerOption,
    metadataLayer,
    () => defaultTargetLayer(model),
    (name) => cutModelAt(model, name),
  );
}

/** The same for a graph model, whose "layers" are its nodes. */
export function cutGraphAtChosenNode(
  loaded: LoadedGraphModel,
  layerOption: string | undefined,
  metadataLayer: string | undefined,
): ChosenCut {
  return cutAtChosen(
    layerOption,
    metadataLayer,
    () => defaultGraphTarget(loaded),
    (name) => cutGraphModelAt(loaded, name),
  );
}

/** The same for an ONNX model: a node name or its output's name. */
export function cutOnnxAtChosenNode(
  loaded: LoadedOnnxModel,
  layerOption: string | undefined,
): ChosenCut & { cut: OnnxCut } {
  let onnxCut: OnnxCut | undefined;
  const chosen = cutAtChosen(
    layerOption,
    undefined,
    () => defaultOnnxTarget(loaded),
    (name) => {
      onnxCut = cutOnnxModelAt(loaded, name);
      return onnxCut;
    },
  );
  return { layerName: chosen.layerName, cut: onnxCut as OnnxCut };
}

function cutAtChosen(
  layerOption: string | undefined,
  metadataLayer: string | undefined,
  defaultLayer: () => string,
  cutAt: (name: string) => CutModel,
): ChosenCut {
  const layerName = layerOption ?? metadataLayer ?? withHint(defaultLayer);
  // A layer gradcam.json or the default rule named: the library's message names it already.
  return relabel(
    () => ({ layerName, cut: cutAt(layerName) }),
    (error) =>
      error instanceof LayerChoiceError && layerOption !== undefined
        ? `--layer ${error.layerName}: ${error.reason}`
        : error.message,
  );
}

function withHint(defaultLayer: () => string): string {
  return relabel(defaultLayer, (error) =>
    error instanceof NoDefaultTargetError ? `${error.message}; pick one with --layer` : error.message,
  );
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
  model: { layerName: string; gradientBlocker(toImage: boolean): string | undefined },
  needs: readonly GradientNeed[],
): void {
  for (const need of needs) {
    const blocker = model.gradientBlocker(need.toImage);
    if (blocker === undefined) continue;
    const to = need.toImage ? 'the image' : `layer ${model.layerName}`;
    throw new UsageError(
      `${need.option}: the gradient from the class score to ${to} passes the dilated convolution ${blocker}, which TensorFlow.js cannot differentiate; ${need.instead}`,
    );
  }
}
