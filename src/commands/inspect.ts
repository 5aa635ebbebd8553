/**
 * `gradcam inspect`: what a user runs before choosing `--layer`. Loads a model directory (layers
 * or graph model) and prints every layer or node in order with its output shape, which of them
 * cam can explain, the one it explains by default, and what is known about the input and the
 * classes; `--json` prints the same as a versioned object (surgery/layer-inventory.ts).
 */
import { join, resolve } from 'node:path';
import { defaultGraphTarget, explainableNodeNames, genericGraphOf } from '../surgery/graph-cut.js';
import { defaultTargetLayerName, layersModelGraph } from '../surgery/layers-graph.js';
import { NoDefaultTargetError } from '../surgery/default-target.js';
import { stderrLog, type Log } from '../log.js';
import { relabel } from '../errors.js';
import { graphInputShape, topologyInputShape, withInputSize } from '../models/declared-input-shape.js';
import { buildGraphModelFromFiles, disposeGraphModel } from '../models/graph-model.js';
import { buildOnnxModel } from '../models/onnx-model.js';
import { declaredOnnxInputShape, type OnnxGraph } from '../models/onnx-graph.js';
import { defaultOnnxTarget, explainableOnnxNodes, onnxGenericGraph } from '../surgery/onnx-cut.js';
import { declaredInput } from '../models/input-size.js';
import {
  buildInspectReport,
  explainableNodes,
  formatInspectReport,
  type InspectReport,
  type ModelDescription,
} from '../surgery/layer-inventory.js';
import { buildModel, isGraphModelFormat, readModelDirectory, type ModelFiles } from '../models/model-dir.js';
import type { BackendOptions, GlobalOptions } from './option-table.js';
import type { InspectCommandOptions } from './inspect-options.js';
import { declaredModelFacts, resolveInputShape } from './model-inputs.js';
import { announceBackend, startBackend } from './backend-option.js';

export async function inspectCommand(options: InspectCommandOptions, globals: GlobalOptions): Promise<number> {
  const report = await runInspect(options, globals, stderrLog(options.quiet));
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report));
  return 0;
}

export async function runInspect(
  options: InspectCommandOptions,
  globals: BackendOptions,
  log: Log,
): Promise<InspectReport> {
  const [backend, files] = await Promise.all([startBackend(globals, log, false), readModelDirectory(options.model)]);
  announceBackend(backend, log);
  if (files.onnx) {
    // Shapes come from running the model, which needs a size.
    const facts = declaredModelFacts(options.model, files);
    const size = resolveInputShape(
      { inputSize: options.inputSize },
      { ...facts, declaredShape: facts.declaredShape ?? [] },
    );
    const description = inspectOnnxModel(files.onnx, size);
    return buildInspectReport({ ...description, model: resolve(files.onnx.path), metadata: undefined });
  }
  const graph = isGraphModelFormat(files.artifacts.format);
  const facts = declaredModelFacts(options.model, files);
  // A layers model lists its shapes without a size (open sides shown as '?'); a graph model's
  // shapes come from running it, which needs one.
  const open = facts.declaredShape?.slice(1, 3).some((side) => side === null) ?? false;
  const needsSize = facts.declaredShape !== undefined && (graph || options.inputSize !== undefined || !open);
  const size = needsSize
    ? resolveInputShape({ inputSize: options.inputSize }, { ...facts, declaredShape: facts.declaredShape ?? [] })
    : undefined;
  const description = graph ? inspectGraphModel(files, size) : await inspectLayersModel(files, size);
  return buildInspectReport({ ...description, model: resolve(options.model), metadata: files.metadata });
}

type LoadedDescription = Omit<ModelDescription, 'model' | 'metadata'>;

async function inspectLayersModel(
  files: ModelFiles,
  size: [number, number, number] | undefined,
): Promise<LoadedDescription> {
  const declaredShape = topologyInputShape(files.artifacts.modelTopology);
  const topology = size
    ? withInputSize(files.artifacts.modelTopology, size[0], size[1])
    : files.artifacts.modelTopology;
  const { model } = await buildModel({
    ...files,
    artifacts: { ...files.artifacts, modelTopology: topology as object },
  });
  try {
    const graph = layersModelGraph(model);
    const types = new Map(
      [...model.layers, ...model.inputs.map((input) => input.sourceLayer)].map((layer) => [
        layer.name,
        layer.getClassName(),
      ]),
    );
    return {
      modelFormat: 'layers-model',
      graph: { ...graph, nodes: graph.nodes.map((node) => ({ ...node, type: types.get(node.name) ?? '?' })) },
      explainable: explainableNodes(graph),
      defaultTarget: defaultTargetLayerName(model),
      input: declaredInput(declaredShape ?? model.inputs[0].shape, join(files.directory, 'model.json')),
      classes: model.outputs[0].shape.at(-1) as number,
    };
  } finally {
    model.dispose();
  }
}

function inspectGraphModel(files: ModelFiles, size: [number, number, number] | undefined): LoadedDescription {
  const declaredShape = graphInputShape(files.artifacts.modelTopology);
  const loaded = buildGraphModelFromFiles(files, size ? [size[0], size[1]] : undefined);
  try {
    return {
      modelFormat: 'graph-model',
      graph: genericGraphOf(loaded),
      explainable: new Set(explainableNodeNames(loaded)),
      defaultTarget: defaultNode(() => defaultGraphTarget(loaded)),
      input: declaredInput(declaredShape ?? [null, ...loaded.inputShape], join(files.directory, 'model.json')),
      classes: loaded.classes,
    };
  } finally {
    disposeGraphModel(loaded);
  }
}

function inspectOnnxModel(graph: OnnxGraph, size: [number, number, number]): LoadedDescription {
  const loaded = relabel(() => buildOnnxModel(graph, [size[0], size[1]]));
  try {
    const generic = onnxGenericGraph(loaded);
    const modules = new Map(loaded.nodes.map((node) => [node.name, node.modulePath]));
    return {
      modelFormat: 'onnx',
      graph: { ...generic, nodes: generic.nodes.map((node) => ({ ...node, module: modules.get(node.name) ?? '' })) },
      explainable: new Set(explainableOnnxNodes(loaded)),
      defaultTarget: defaultNode(() => defaultOnnxTarget(loaded)),
      input: declaredInput(declaredOnnxInputShape(graph) ?? [null, ...loaded.inputShape], graph.path),
      classes: loaded.classes,
    };
  } finally {
    loaded.dispose();
  }
}

/** The default-target rule's node, or undefined when none qualifies (the report says so). */
function defaultNode(rule: () => string): string | undefined {
  try {
    return rule();
  } catch (error) {
    if (error instanceof NoDefaultTargetError) return undefined;
    throw error;
  }
}
