/**
 * The model a command explains, loaded from its directory: cut at the layer (graph models:
 * node) to explain, with how images become its input and what its classes are called. `cam` and
 * `eval` load every model through here: one written by `gradcam train` (gradcam.json says it
 * all), a foreign layers model, or a graph model (model-inputs.ts resolves the options that
 * describe the input of the last two).
 */
import { genericGraphOf } from '../surgery/graph-cut.js';
import { describeActivationLayout, onnxGenericGraph } from '../surgery/onnx-cut.js';
import { onnxCascade } from '../eval/onnx-randomize.js';
import { buildOnnxModel } from '../models/onnx-model.js';
import type { OnnxGraph } from '../models/onnx-graph.js';
import { firstBlockingNode } from '../surgery/gradient-path.js';
import { isDilatedLayer, layersModelGraph } from '../surgery/layers-graph.js';
import type { CutModel } from '../surgery/layers-cut.js';
import { folderOptionsOfModel, type FolderReadOptions } from '../datasets/load-dataset.js';
import { hasTestFolder } from '../datasets/folder-listing.js';
import { InputError, relabel, UsageError } from '../errors.js';
import { graphCascade } from '../eval/graph-randomize.js';
import { layersCascade, type WeightCascade } from '../eval/randomize.js';
import type { Log } from '../log.js';
import { withInputSize } from '../models/declared-input-shape.js';
import { buildGraphModelFromFiles, disposeGraphModel } from '../models/graph-model.js';
import type { ModelMetadata } from '../models/metadata.js';
import { buildModel, isGraphModelFormat, type ModelFiles } from '../models/model-dir.js';
import { cutAtChosenLayer, cutGraphAtChosenNode, cutOnnxAtChosenNode } from './layer-choice.js';
import type { ModelInputOptions } from './model-input-options.js';
import { declaredModelFacts, resolveInputShape, resolveModelInputs, type ModelInputs } from './model-inputs.js';

/** The options the loading reads: --model, --layer and those of model-input-options.ts. */
export type ExplainedModelOptions = { model: string; layer?: string } & ModelInputOptions;

export interface ExplainedModel extends ModelInputs {
  /** How the map's grid was formed from the target's output, when not a plain spatial output (cam.json). */
  layerGrid?: string;
  /** gradcam.json, when the model has one. */
  metadata: ModelMetadata | undefined;
  cut: CutModel;
  layerName: string;
  /** The model's weights as the sanity check randomizes them (layer by layer, or node by node). */
  cascade(): WeightCascade;
  /**
   * The dilated convolution a gradient would have to pass (gradient-path.ts), from the class
   * score to the target layer, or with `toImage` to the image; undefined when there is none.
   */
  gradientBlocker(toImage: boolean): string | undefined;
  /** Releases the model's weights. */
  dispose(): void;
}

export async function prepareExplainedModel(
  options: ExplainedModelOptions,
  files: ModelFiles,
  log: Log,
): Promise<ExplainedModel> {
  const graph = isGraphModelFormat(files.artifacts.format);
  const facts = declaredModelFacts(options.model, files);
  // Checked before building: a size the model refuses could fail deep inside TensorFlow.js.
  const size = facts.declaredShape
    ? resolveInputShape(options, { ...facts, declaredShape: facts.declaredShape })
    : undefined;
  const model = files.onnx
    ? onnxModelOf(options, files.onnx, size)
    : graph
      ? graphModelOf(options, files, size)
      : await layersModelOf(options, files, size);
  try {
    const inputs = await resolveModelInputs(
      options,
      { ...facts, declaredShape: facts.declaredShape ?? model.declaredShape, classes: model.classCount },
      log,
    );
    return { ...model, ...inputs, metadata: files.metadata };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

type ModelPart = Pick<ExplainedModel, 'cut' | 'layerName' | 'layerGrid' | 'cascade' | 'gradientBlocker' | 'dispose'> & {
  classCount: number;
  declaredShape: readonly (number | null)[];
};

/** size: [height, width, channels] to fix in the topology (a model that accepts any size needs one). */
async function layersModelOf(
  options: ExplainedModelOptions,
  files: ModelFiles,
  size: [number, number, number] | undefined,
): Promise<ModelPart> {
  const topology = size
    ? withInputSize(files.artifacts.modelTopology, size[0], size[1])
    : files.artifacts.modelTopology;
  const { model, metadata } = await buildModel({
    ...files,
    artifacts: { ...files.artifacts, modelTopology: topology as object },
  });
  try {
    const { layerName, cut } = cutAtChosenLayer(model, options.layer, metadata?.targetLayer);
    return {
      cut,
      layerName,
      declaredShape: model.inputs[0].shape,
      classCount: model.outputs[0].shape.at(-1) as number,
      cascade: () => layersCascade(model),
      gradientBlocker: (toImage) =>
        firstBlockingNode(layersModelGraph(model), toImage ? undefined : layerName, (name) =>
          isDilatedLayer(model.getLayer(name)),
        ),
      dispose: () => {
        cut.dispose();
        model.dispose();
      },
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** A graph model (`format: graph-model`): `--layer` names a node. */
function graphModelOf(
  options: ExplainedModelOptions,
  files: ModelFiles,
  size: [number, number, number] | undefined,
): ModelPart {
  const loaded = buildGraphModelFromFiles(files, size ? [size[0], size[1]] : undefined);
  try {
    const channels = loaded.inputShape[2];
    if (channels !== 1 && channels !== 3) {
      throw new InputError(
        `${options.model}/model.json: the input has ${channels} channels; images can be given to models with 1 or 3`,
      );
    }
    const { layerName, cut } = cutGraphAtChosenNode(loaded, options.layer, files.metadata?.targetLayer);
    return {
      cut,
      layerName,
      declaredShape: [null, ...loaded.inputShape],
      classCount: loaded.classes,
      cascade: () => graphCascade(loaded),
      gradientBlocker: (toImage) => {
        const dilated = new Set(loaded.nodes.filter((node) => node.dilated).map((node) => node.name));
        return firstBlockingNode(genericGraphOf(loaded), toImage ? undefined : layerName, (name) => dilated.has(name));
      },
      dispose: () => disposeGraphModel(loaded),
    };
  } catch (error) {
    disposeGraphModel(loaded);
    throw error;
  }
}

/** An ONNX model: `--layer` names a node or its output; a transformer's tokens are read as a grid. */
function onnxModelOf(
  options: ExplainedModelOptions,
  graph: OnnxGraph,
  size: [number, number, number] | undefined,
): ModelPart {
  // An unsupported op is a usage error: the model cannot be explained with any option.
  const loaded = relabel(() => buildOnnxModel(graph, size ? [size[0], size[1]] : undefined));
  try {
    const channels = loaded.inputShape[2];
    if (channels !== 1 && channels !== 3) {
      throw new InputError(
        `${graph.path}: the input has ${channels} channels; images can be given to models with 1 or 3`,
      );
    }
    const { layerName, cut } = cutOnnxAtChosenNode(loaded, options.layer);
    return {
      cut,
      layerName,
      layerGrid: describeActivationLayout(cut.layout),
      declaredShape: [null, ...loaded.inputShape],
      classCount: loaded.classes,
      cascade: () => onnxCascade(loaded),
      gradientBlocker: (toImage) => {
        const dilated = new Set(loaded.nodes.filter((node) => node.dilated).map((node) => node.name));
        return firstBlockingNode(onnxGenericGraph(loaded), toImage ? undefined : layerName, (name) =>
          dilated.has(name),
        );
      },
      dispose: () => loaded.dispose(),
    };
  } catch (error) {
    loaded.dispose();
    throw error;
  }
}

/**
 * Where the held-out images of an image folder are, for this model: test/, or (a model from
 * `gradcam train --val-split`) the validation split it was trained with, which gradcam.json
 * records. Images are decoded at the model's input size. A foreign model needs test/.
 */
export async function heldOutFolder(
  model: Pick<ExplainedModel, 'metadata' | 'inputShape'>,
  root: string,
  modelOption: string,
): Promise<FolderReadOptions> {
  const [height, width] = model.inputShape;
  const held = model.metadata
    ? folderOptionsOfModel(model.metadata)
    : { validationFraction: undefined, seed: 0, preferTestFolder: true };
  if (held.validationFraction === undefined && !(await hasTestFolder(root))) {
    const why = model.metadata
      ? `${modelOption} was not trained with --val-split`
      : `${modelOption} has no gradcam.json recording a validation split`;
    throw new UsageError(`--data ${root}: no test/ folder, and ${why}; put the images in test/<class>/`);
  }
  return { ...held, inputSize: { height, width }, testOnly: true };
}
