/**
 * TensorFlow.js graph models (`format: graph-model`): what `tensorflowjs_converter` writes for a
 * SavedModel, a frozen graph or a TF Hub module. The topology is a list of TensorFlow NodeDefs;
 * TensorFlow.js's converter package builds and runs it (fused kernels included) and decodes the
 * weights, quantized or not, with TensorFlow.js's own decoder.
 *
 * What this module adds: the checks that make a malformed model.json one clear error instead of a
 * crash deep inside the converter (node names, inputs that exist, no cycle, one image input), and
 * the output shape of every node, found by running the model once on a zero image: a graph model
 * stores no shapes but its input's.
 */
import * as tf from '../tf.js';
import type * as Converter from '@tensorflow/tfjs-converter';
import { dirname, join } from 'node:path';
import { InputError, messageOf } from '../errors.js';
import { MAX_INPUT_SIDE, METADATA_FILE, type ModelMetadata } from './metadata.js';
import { MODEL_FILE, type ModelFiles } from './model-dir.js';
import { type NodeDef, unfuseNodes } from './graph-unfuse.js';

/** A graph model as the converter builds it from artifacts in memory. */
export type GraphModel = ReturnType<typeof Converter.loadGraphModelSync>;

/** Above this, a model.json is not a model anyone converted (MobileNetV2: 178 nodes). */
const MAX_NODES = 100_000;

/** One node of the graph, constants left out. */
export interface GraphModelNode {
  name: string;
  /** The TensorFlow op, e.g. `_FusedConv2D`, `AddV2`, `Placeholder`. */
  op: string;
  /** Names of the (non-constant) nodes whose outputs this node reads, in input order. */
  inputs: string[];
  /** Names of the constant nodes (weights) this node reads, in input order. */
  constants: string[];
  /** Output 0's shape for a batch of one (batch axis included), from the zero-image run. */
  outputShape: number[];
  /** Output 0's dtype, from the same run. */
  dtype: string;
  /** Some consumer reads an output other than output 0 (`name:1`): only output 0 can be replaced. */
  hasOtherOutputsUsed: boolean;
  /** A convolution with a dilation rate above 1 (TensorFlow.js has no gradient for it). */
  dilated: boolean;
}

export interface LoadedGraphModel {
  /** The model as converted (fused kernels): the fast one for passes that record no gradient. */
  model: GraphModel;
  /**
   * The same model with its fused nodes written as plain ops (graph-unfuse.ts): for passes whose
   * gradient is taken, so that only the gradients on the path to A are computed. Same node names.
   */
  differentiable: GraphModel;
  /** The image input (a Placeholder), fed as float32 [batch, H, W, C]. */
  inputNode: string;
  /** [H, W, C] as the model expects (given by the caller when the model leaves it open). */
  inputShape: [number, number, number];
  /** The node the model's output is read from. */
  outputNode: string;
  /** Every non-constant node in topological order (inputs before the nodes that read them). */
  nodes: GraphModelNode[];
  /** Size of the output's last axis. */
  classes: number;
}

/** A NodeDef of model.json once checked (only the fields used here). */
interface CheckedNode {
  name: string;
  op: string;
  input: string[];
  dilated: boolean;
}

interface GraphTopology {
  node: CheckedNode[];
}

/**
 * Builds the graph model of a model directory read by `readModelDirectory` (its `format` is
 * graph-model), and checks its gradcam.json, if any, against it. inputSize: see buildGraphModel;
 * by default the size gradcam.json states.
 */
export function buildGraphModelFromFiles(files: ModelFiles, inputSize?: [number, number]): LoadedGraphModel {
  const { metadata } = files;
  const size = inputSize ?? (metadata ? [metadata.inputShape[0], metadata.inputShape[1]] : undefined);
  const loaded = buildGraphModel(files.artifacts, join(files.directory, MODEL_FILE), size);
  if (metadata) {
    try {
      checkMetadataFitsGraph(metadata, loaded, join(files.directory, METADATA_FILE));
    } catch (error) {
      disposeGraphModel(loaded);
      throw error;
    }
  }
  return loaded;
}

/**
 * gradcam.json beside a graph model must describe it (as for layers models, model-dir.ts): its
 * input shape, its number of classes, and a target node with a spatial output.
 */
function checkMetadataFitsGraph(metadata: ModelMetadata, loaded: LoadedGraphModel, metadataPath: string): void {
  const modelPath = join(dirname(metadataPath), MODEL_FILE);
  if (metadata.inputShape.some((size, axis) => size !== loaded.inputShape[axis])) {
    throw new InputError(
      `${metadataPath}: "inputShape" [${metadata.inputShape.join(', ')}] does not match the input [${loaded.inputShape.join(', ')}] of ${modelPath}`,
    );
  }
  if (metadata.classNames.length !== loaded.classes) {
    throw new InputError(
      `${metadataPath}: "classNames" lists ${metadata.classNames.length} classes, ${modelPath} outputs ${loaded.classes}`,
    );
  }
  const target = loaded.nodes.find((node) => node.name === metadata.targetLayer);
  if (!target)
    throw new InputError(
      `${metadataPath}: "targetLayer" ${JSON.stringify(metadata.targetLayer)} is not a node of ${modelPath}`,
    );
  if (target.outputShape.length !== 4) {
    throw new InputError(
      `${metadataPath}: "targetLayer" ${JSON.stringify(metadata.targetLayer)} has no spatial output [batch, h, w, channels] to explain`,
    );
  }
}

/**
 * Builds a graph model from its artifacts (model.json's fields and the weights, already read and
 * checked against the manifest) on the current backend, and finds every node's output shape.
 *
 * inputSize: [height, width] for a model whose input leaves them open (`-1`); ignored when the
 * model fixes them. Throws InputError naming `modelPath` for anything malformed.
 */
export function buildGraphModel(
  artifacts: tf.ModelArtifacts,
  modelPath: string,
  inputSize?: [number, number],
): LoadedGraphModel {
  const definitions = checkTopology(artifacts.modelTopology, modelPath);
  checkConstantsHaveWeights(definitions, artifacts.weightSpecs ?? [], modelPath);
  const topology = artifacts.modelTopology as unknown as { node: NodeDef[] };
  const model = loadOrExplain(artifacts, modelPath);
  // Twice the weights in memory (TF Hub MobileNetV2 ×1.4: 17 MB as float32), for forward passes a
  // quarter faster than the unfused graph's (8 images at 224×224 on wasm: 744 against 985 ms).
  let differentiable: GraphModel;
  try {
    differentiable = loadOrExplain(
      { ...artifacts, modelTopology: { ...topology, node: unfuseNodes(topology.node) } },
      modelPath,
    );
  } catch (error) {
    model.dispose();
    throw error;
  }
  try {
    const { inputNode, inputShape } = imageInputOf(model, modelPath, inputSize);
    const outputNode = singleOutputOf(model, modelPath);
    const nodes = describeNodes(model, definitions, inputNode, inputShape, modelPath);
    const output = nodes.find((node) => node.name === outputNode);
    const classes = output?.outputShape.at(-1) ?? 0;
    if (output?.outputShape.length !== 2 || classes < 1) {
      throw new InputError(
        `${modelPath}: the output "${outputNode}" has shape [${output?.outputShape.join(', ')}]; expected [batch, classes]`,
      );
    }
    return { model, differentiable, inputNode, inputShape, outputNode, nodes, classes };
  } catch (error) {
    model.dispose();
    differentiable.dispose();
    throw error;
  }
}

/**
 * Puts `replacements` (constant node name → tensor) in place of those constants' values in both
 * models (the converted one and its unfused twin, which must compute the same function), and
 * returns what puts the originals back. The caller owns the replacement tensors: dispose them
 * after restoring. For the sanity check's weight randomization (src/eval/graph-randomize.ts).
 *
 * A GraphModel has no public way to change a weight; its executor reads them from `weightMap`,
 * whose setter also records their tensor ids, which the executor keeps from being disposed as
 * intermediate results. So the map is replaced through that setter, never edited in place.
 */
export function replaceGraphWeights(
  loaded: LoadedGraphModel,
  replacements: ReadonlyMap<string, tf.Tensor>,
): () => void {
  const executors = [loaded.model, loaded.differentiable].map(
    (model) => (model as unknown as { executor: WeightHolder }).executor,
  );
  const originals = executors.map((executor) => executor.weightMap);
  executors.forEach((executor, index) => {
    const weights = { ...originals[index] };
    for (const [name, tensor] of replacements) {
      if (!(name in weights)) throw new RangeError(`replaceGraphWeights: "${name}" is not a weight of the graph`);
      weights[name] = [tensor];
    }
    executor.weightMap = weights;
  });
  return () => executors.forEach((executor, index) => (executor.weightMap = originals[index]));
}

/** The part of the converter's GraphExecutor that holds the weights. */
interface WeightHolder {
  weightMap: Record<string, tf.Tensor[]>;
}

/** Releases both models' weights. */
export function disposeGraphModel(loaded: LoadedGraphModel): void {
  loaded.model.dispose();
  loaded.differentiable.dispose();
}

function loadOrExplain(artifacts: tf.ModelArtifacts, modelPath: string): GraphModel {
  const { loadGraphModelSync } = tf.requirePackage('@tensorflow/tfjs-converter') as typeof Converter;
  try {
    return loadGraphModelSync(artifacts);
  } catch (error) {
    throw new InputError(`${modelPath}: cannot build the graph model (${firstLine(messageOf(error))})`);
  }
}

/** The node name in a NodeDef input reference: `^name` (control edge) and `name:1` both name `name`. */
export function nodeNameOf(reference: string): string {
  const name = reference.startsWith('^') ? reference.slice(1) : reference;
  const colon = name.lastIndexOf(':');
  return colon > 0 && /^\d+$/.test(name.slice(colon + 1)) ? name.slice(0, colon) : name;
}

/** Output index of a NodeDef input reference (`name` → 0, `name:2` → 2). */
function outputIndexOf(reference: string): number {
  const colon = reference.lastIndexOf(':');
  return colon > 0 && /^\d+$/.test(reference.slice(colon + 1)) ? Number(reference.slice(colon + 1)) : 0;
}

/**
 * model.json's `modelTopology.node`: every node named once, every input naming a node, no
 * cycle. The converter itself trusts all of this (a cycle would hang its scheduler).
 */
function checkTopology(topology: unknown, modelPath: string): CheckedNode[] {
  const nodes = (topology as Partial<GraphTopology> | null)?.node;
  if (!Array.isArray(nodes))
    throw new InputError(`${modelPath}: "modelTopology" has no "node" list; expected a TensorFlow.js graph model`);
  if (nodes.length > MAX_NODES)
    throw new InputError(`${modelPath}: ${nodes.length} nodes; at most ${MAX_NODES} are supported`);
  const byName = new Map<string, CheckedNode>();
  for (const node of nodes as unknown[]) {
    const candidate = node as Partial<CheckedNode> | null;
    const valid =
      typeof candidate?.name === 'string' &&
      candidate.name !== '' &&
      typeof candidate.op === 'string' &&
      (candidate.input === undefined ||
        (Array.isArray(candidate.input) && candidate.input.every((input) => typeof input === 'string')));
    if (!valid) throw new InputError(`${modelPath}: malformed node ${JSON.stringify(node)?.slice(0, 80)}`);
    const name = candidate.name as string;
    if (byName.has(name)) throw new InputError(`${modelPath}: two nodes are named "${name}"`);
    byName.set(name, {
      name,
      op: candidate.op as string,
      input: candidate.input ?? [],
      dilated: hasDilation(node as { attr?: unknown }),
    });
  }
  for (const node of byName.values()) {
    for (const input of node.input) {
      if (!byName.has(nodeNameOf(input)))
        throw new InputError(`${modelPath}: node "${node.name}" reads "${input}", which is not a node`);
    }
  }
  topologicalOrder([...byName.values()], modelPath);
  return [...byName.values()];
}

/** A NodeDef whose `dilations` attribute (`{list: {i: ['1', '2', '2', '1']}}`) has a rate above 1. */
function hasDilation(node: { attr?: unknown }): boolean {
  const rates = (node.attr as { dilations?: { list?: { i?: unknown } } } | undefined)?.dilations?.list?.i;
  return Array.isArray(rates) && rates.some((rate) => Number(rate) > 1);
}

/**
 * The converter takes a Const node's value from the weight of the same name; without one, the
 * node would be undefined deep inside a kernel.
 */
function checkConstantsHaveWeights(nodes: CheckedNode[], weights: tf.WeightsManifestEntry[], modelPath: string): void {
  const names = new Set(weights.map((weight) => weight.name));
  const missing = nodes.find((node) => node.op === 'Const' && !names.has(node.name));
  if (missing) throw new InputError(`${modelPath}: constant node "${missing.name}" has no weight in "weightsManifest"`);
}

/** Kahn's algorithm, stable in file order; throws on a cycle. */
function topologicalOrder(nodes: CheckedNode[], modelPath: string): CheckedNode[] {
  const pending = new Map(nodes.map((node) => [node.name, new Set(node.input.map(nodeNameOf))]));
  const readers = new Map<string, string[]>();
  for (const node of nodes)
    for (const input of pending.get(node.name) ?? []) readers.set(input, [...(readers.get(input) ?? []), node.name]);
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const ready = nodes.filter((node) => pending.get(node.name)?.size === 0).map((node) => node.name);
  const order: CheckedNode[] = [];
  while (ready.length > 0) {
    const name = ready.shift() as string;
    order.push(byName.get(name) as CheckedNode);
    for (const reader of readers.get(name) ?? []) {
      const waiting = pending.get(reader) as Set<string>;
      waiting.delete(name);
      if (waiting.size === 0) ready.push(reader);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((node) => (pending.get(node.name)?.size ?? 0) > 0);
    throw new InputError(`${modelPath}: the graph has a cycle through node "${stuck?.name}"`);
  }
  return order;
}

function imageInputOf(
  model: GraphModel,
  modelPath: string,
  inputSize: [number, number] | undefined,
): { inputNode: string; inputShape: [number, number, number] } {
  if (model.inputs.length !== 1) {
    throw new InputError(
      `${modelPath}: the graph has ${model.inputs.length} inputs; only models with one image input can be explained`,
    );
  }
  const [input] = model.inputs;
  const inputNode = nodeNameOf(input.name);
  const shape = input.shape ?? [];
  if (shape.length !== 4) {
    throw new InputError(
      `${modelPath}: the input "${inputNode}" has shape [${shape.join(', ')}]; expected an image batch [batch, height, width, channels]`,
    );
  }
  if (input.dtype !== undefined && input.dtype !== 'float32') {
    throw new InputError(
      `${modelPath}: the input "${inputNode}" is ${input.dtype}; only float32 image inputs are supported`,
    );
  }
  const [batch, height, width, channels] = shape;
  if (batch !== -1 && batch !== null && batch !== undefined) {
    throw new InputError(
      `${modelPath}: the input "${inputNode}" has a fixed batch size ${batch}; only models with a free batch axis (-1) are supported`,
    );
  }
  if (!(channels > 0))
    throw new InputError(`${modelPath}: the input "${inputNode}" does not fix its number of channels`);
  const open = !(height > 0) || !(width > 0);
  if (open && !inputSize) {
    throw new InputError(
      `${modelPath}: the input "${inputNode}" does not fix its height and width; an input size must be given`,
    );
  }
  const size = open ? (inputSize as [number, number]) : [height, width];
  if (!size.every((side) => Number.isInteger(side) && side >= 1 && side <= MAX_INPUT_SIDE)) {
    throw new InputError(`${modelPath}: input size ${size.join('×')}; each side must be 1 to ${MAX_INPUT_SIDE}`);
  }
  return { inputNode, inputShape: [size[0], size[1], channels] };
}

function singleOutputOf(model: GraphModel, modelPath: string): string {
  if (model.outputs.length !== 1) {
    throw new InputError(
      `${modelPath}: the graph has ${model.outputs.length} outputs; only models with one output can be explained`,
    );
  }
  return nodeNameOf(model.outputs[0].name);
}

/**
 * What TensorFlow.js's failure means for the user. An op it has no kernel for is named with the
 * first node that uses it (its own message only asks to file an issue or register the op);
 * anything else is passed on, its first line.
 */
function whyNotRunnable(message: string, nodes: readonly CheckedNode[]): string {
  const op = /^Unknown op '([^']+)'/.exec(message)?.[1];
  const node = op === undefined ? undefined : nodes.find((candidate) => candidate.op === op);
  if (node) return `node ${node.name}: op '${op}' is not supported by TensorFlow.js`;
  return `cannot run the graph model (${firstLine(message)})`;
}

/**
 * Every non-constant node with its output shape, from one run on a zero image (batch 1). Nodes
 * that the run does not reach (not fed by the input, nor needed for anything) get the shape
 * TensorFlow.js computes for them all the same, since they are asked for by name.
 */
function describeNodes(
  model: GraphModel,
  definitions: CheckedNode[],
  inputNode: string,
  inputShape: [number, number, number],
  modelPath: string,
): GraphModelNode[] {
  const constants = new Set(definitions.filter((node) => node.op === 'Const').map((node) => node.name));
  const ordered = topologicalOrder(definitions, modelPath).filter((node) => !constants.has(node.name));
  const otherOutputsUsed = new Set<string>();
  for (const node of definitions) {
    for (const input of node.input)
      if (!input.startsWith('^') && outputIndexOf(input) > 0) otherOutputsUsed.add(nodeNameOf(input));
  }
  const names = ordered.map((node) => node.name).filter((name) => name !== inputNode);
  const shapes = new Map<string, { shape: number[]; dtype: string }>();
  tf.tidy(() => {
    let outputs: tf.Tensor[];
    try {
      const result = model.execute(
        { [`${inputNode}:0`]: tf.zeros([1, ...inputShape]) },
        names.map((name) => `${name}:0`),
      );
      outputs = Array.isArray(result) ? result : [result];
    } catch (error) {
      throw new InputError(`${modelPath}: ${whyNotRunnable(messageOf(error), ordered)}`);
    }
    names.forEach((name, index) => shapes.set(name, { shape: outputs[index].shape, dtype: outputs[index].dtype }));
  });
  shapes.set(inputNode, { shape: [1, ...inputShape], dtype: 'float32' });
  return ordered.map((node) => {
    const { shape, dtype } = shapes.get(node.name) as { shape: number[]; dtype: string };
    const read = node.input.filter((input) => !input.startsWith('^')).map(nodeNameOf);
    return {
      name: node.name,
      op: node.op,
      inputs: read.filter((name) => !constants.has(name)),
      constants: read.filter((name) => constants.has(name)),
      outputShape: shape,
      dtype,
      hasOtherOutputsUsed: otherOutputsUsed.has(node.name),
      dilated: node.dilated,
    };
  });
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
