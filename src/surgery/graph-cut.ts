/**
 * Cuts a graph model at a target node, for the CAM methods (the same `CutModel` as for layers
 * models, layers-cut.ts): A = the model executed up to that node; the logits = the model executed
 * from A (fed as an input, with the values of any path bypassing the target) up to the input of
 * its final Softmax. Passes whose gradient is taken run the model's unfused twin
 * (../models/graph-unfuse.ts). Why: docs/design-notes.md, "Cutting a graph model".
 */
import type * as tf from '../tf.js';
import type { GraphModel, GraphModelNode, LoadedGraphModel } from '../models/graph-model.js';
import {
  NoDefaultTargetError,
  defaultTargetNode,
  hasSpatialOutput,
  ONE_BY_ONE,
  type GraphNode,
  type ModelGraph,
} from './default-target.js';
import { withGuidedRelu } from './guided-relu.js';
import { LayerChoiceError, type CutModel } from './layers-cut.js';

/** What `inspect` shows of one node. */
export interface GraphNodeSummary {
  name: string;
  op: string;
  /** Output shape for a batch of one, batch axis included. */
  outputShape: number[];
  /** Whether `cutGraphModelAt` accepts this node as a target. */
  explainable: boolean;
}

/** Ops whose output is a convolution's, for the default-target rule. */
const CONVOLUTION_OP = /Conv2D|Conv2d|Conv3D/;

/** The nodes in topological order with their output shapes and whether each can be explained. */
export function graphNodeSummaries(loaded: LoadedGraphModel): GraphNodeSummary[] {
  const explainable = new Set(explainableNodeNames(loaded));
  return loaded.nodes.map((node) => ({
    name: node.name,
    op: node.op,
    outputShape: node.outputShape,
    explainable: explainable.has(node.name),
  }));
}

/**
 * Nodes that can be explained: a float32 spatial output [batch, h, w, channels] computed from the
 * image, on a path to the logits, and read only as output 0.
 */
export function explainableNodeNames(loaded: LoadedGraphModel): string[] {
  const structure = analyse(loaded);
  return loaded.nodes.filter((node) => explainable(node, loaded, structure)).map((node) => node.name);
}

/** A node of the generic graph (default-target.ts) with its TensorFlow op. */
export interface TypedGraphNode extends GraphNode {
  /** The TensorFlow op, e.g. `_FusedConv2D`. */
  type: string;
}

/**
 * The graph model as the plain graph of default-target.ts, for the default-target rule and for
 * `inspect`: non-constant nodes in order with their shapes; its output is the pre-softmax node.
 */
export function genericGraphOf(loaded: LoadedGraphModel): Omit<ModelGraph, 'nodes'> & { nodes: TypedGraphNode[] } {
  return {
    nodes: loaded.nodes.map((node) => ({
      name: node.name,
      inputs: node.inputs,
      outputShape: node.outputShape,
      type: node.op,
    })),
    inputs: [loaded.inputNode],
    output: analyse(loaded).logitsNode,
  };
}

/** Whether a graph op is a convolution of any kind (plain, depthwise, fused). */
export function isConvolutionOp(op: string): boolean {
  return CONVOLUTION_OP.test(op);
}

/**
 * The default target by the rule of default-target.ts (the last spatial node larger than 1×1 that
 * every path from the input to the output passes through; the last convolution, followed through
 * its element-wise successors, where that one qualifies). Throws NoDefaultTargetError if none qualifies.
 */
export function defaultGraphTarget(loaded: LoadedGraphModel): string {
  const graph = genericGraphOf(loaded);
  const ops = new Map(graph.nodes.map((node) => [node.name, node.type]));
  const target = defaultTargetNode(graph, (name) => isConvolutionOp(ops.get(name) ?? ''));
  if (target === undefined) {
    throw new NoDefaultTargetError(
      'the graph has no node with a spatial output larger than 1×1 that every path to the output passes through',
    );
  }
  return target;
}

/** Cuts the graph model at `nodeName` (see the file comment). Throws LayerChoiceError for a node that cannot be explained. */
export function cutGraphModelAt(loaded: LoadedGraphModel, nodeName: string): CutModel {
  const structure = analyse(loaded);
  const target = loaded.nodes.find((node) => node.name === nodeName);
  if (!target) {
    throw new LayerChoiceError(
      nodeName,
      `no such node; nodes that can be explained: ${explainableNodeNames(loaded).join(', ')}`,
    );
  }
  const why = whyNotExplainable(target, loaded, structure);
  if (why !== undefined) throw new LayerChoiceError(nodeName, why);
  const { logitsNode } = structure;
  const joins = joiningNodes(nodeName, structure);
  const fromImage = joins.filter((name) => name !== loaded.inputNode);
  const { model, differentiable, inputNode } = loaded;
  const [, h, w, k] = target.outputShape;
  const run = (graph: GraphModel, inputs: Record<string, tf.Tensor>, outputs: string[]) => {
    const result = graph.execute(inputs, outputs.map(tensorName));
    return Array.isArray(result) ? result : [result];
  };
  const logitsOf = (graph: GraphModel, images: tf.Tensor4D) =>
    run(graph, { [tensorName(inputNode)]: images }, [logitsNode])[0] as tf.Tensor2D;

  return {
    layerName: nodeName,
    activationShape: [h, w, k],
    classes: structure.byName.get(logitsNode)?.outputShape.at(-1) ?? 0,
    forward(images) {
      const [activations, ...joinValues] = run(model, { [tensorName(inputNode)]: images }, [nodeName, ...fromImage]);
      const fed: Record<string, tf.Tensor> = {};
      fromImage.forEach((name, index) => (fed[tensorName(name)] = joinValues[index]));
      if (joins.includes(inputNode)) fed[tensorName(inputNode)] = images;
      const logitsFrom = (replacement: tf.Tensor4D) =>
        run(differentiable, { ...fed, [tensorName(nodeName)]: replacement }, [logitsNode])[0] as tf.Tensor2D;
      return { activations: activations as tf.Tensor4D, logitsFrom };
    },
    logits(images, options = {}) {
      // Guided backpropagation differentiates this pass; Score-CAM and eval only run it.
      return options.guidedRelu ? withGuidedRelu(() => logitsOf(differentiable, images)) : logitsOf(model, images);
    },
    dispose() {}, // every tensor it uses is the graph model's
  };
}

/** Output 0 of a node, as the executor names tensors (a bare name could also be a signature key). */
function tensorName(node: string): string {
  return `${node}:0`;
}

interface GraphStructure {
  byName: Map<string, GraphModelNode>;
  readers: Map<string, string[]>;
  /** The node whose output is the pre-softmax score. */
  logitsNode: string;
  /** Nodes the logits are computed from (the logits node included). */
  logitsAncestors: Set<string>;
  /** Nodes computed from the image (the input node included). */
  fromImage: Set<string>;
}

function analyse(loaded: LoadedGraphModel): GraphStructure {
  const byName = new Map(loaded.nodes.map((node) => [node.name, node]));
  const readers = new Map<string, string[]>();
  for (const node of loaded.nodes)
    for (const input of new Set(node.inputs)) readers.set(input, [...(readers.get(input) ?? []), node.name]);
  const logitsNode = preSoftmaxNode(loaded, byName);
  return {
    byName,
    readers,
    logitsNode,
    logitsAncestors: reachable([logitsNode], (name) => byName.get(name)?.inputs ?? []),
    fromImage: reachable([loaded.inputNode], (name) => readers.get(name) ?? []),
  };
}

/**
 * The output with a trailing Softmax (and the Identity nodes the converter puts after it)
 * stripped: y^c must be the pre-softmax score, or a saturated softmax gives blank maps.
 */
function preSoftmaxNode(loaded: LoadedGraphModel, byName: Map<string, GraphModelNode>): string {
  let current = byName.get(loaded.outputNode) as GraphModelNode;
  while (current.op === 'Identity' && current.inputs.length === 1)
    current = byName.get(current.inputs[0]) as GraphModelNode;
  if (current.op === 'Softmax' && current.inputs.length === 1) {
    const logits = byName.get(current.inputs[0]) as GraphModelNode;
    if (logits.outputShape.length === 2) return logits.name;
  }
  return loaded.outputNode;
}

function explainable(node: GraphModelNode, loaded: LoadedGraphModel, structure: GraphStructure): boolean {
  return whyNotExplainable(node, loaded, structure) === undefined;
}

function whyNotExplainable(
  node: GraphModelNode,
  loaded: LoadedGraphModel,
  structure: GraphStructure,
): string | undefined {
  const shape = node.outputShape;
  if (node.name === loaded.inputNode) return 'is the model input';
  if (shape.length !== 4 || !shape.every((d) => d > 0) || node.dtype !== 'float32') {
    return `output [${shape.join(', ')}] (${node.dtype}) is not a float32 spatial output [batch, h, w, channels]`;
  }
  if (!hasSpatialOutput(node)) return ONE_BY_ONE;
  if (!structure.fromImage.has(node.name)) return 'is not computed from the image';
  if (!structure.logitsAncestors.has(node.name)) return `has no path to the class scores ("${structure.logitsNode}")`;
  if (node.hasOtherOutputsUsed) return 'has several outputs in use; only a node read as one output can be replaced';
  return undefined;
}

/**
 * Nodes that are not downstream of the target but feed a node that is, on the way to the logits,
 * and depend on the image: the values where paths bypassing the target join again.
 */
function joiningNodes(target: string, structure: GraphStructure): string[] {
  const downstream = reachable([target], (name) => structure.readers.get(name) ?? []);
  const joins = new Set<string>();
  for (const name of downstream) {
    if (name === target || !structure.logitsAncestors.has(name)) continue;
    for (const input of structure.byName.get(name)?.inputs ?? []) {
      if (!downstream.has(input) && structure.fromImage.has(input)) joins.add(input);
    }
  }
  return [...joins];
}

function reachable(starts: string[], next: (name: string) => string[]): Set<string> {
  const seen = new Set(starts);
  const stack = [...starts];
  while (stack.length > 0) {
    for (const name of next(stack.pop() as string)) {
      if (!seen.has(name)) {
        seen.add(name);
        stack.push(name);
      }
    }
  }
  return seen;
}
