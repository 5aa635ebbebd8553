/**
 * Splits an ONNX model (../models/onnx-model.ts) at a target node, for the CAM methods (the same
 * `CutModel` as for layers and graph models): A = the node's output 0 computed from the image;
 * the logits = the graph run from A up to the input of a final Softmax (pre-softmax scores).
 *
 * As for graph models (graph-cut.ts), the values where paths that bypass the target join the
 * paths through it (a residual branch's skip) are fed as computed from the image, so that the
 * gradient of the logits with respect to A is exactly the partial derivative ∂y^c/∂A.
 *
 * A is handed over as [batch, h, w, channels]: a rank-4 ONNX value is NCHW (the executor keeps it
 * NHWC already); a vision transformer's tokens [batch, 1 + h·w, channels] are read as an h×w grid
 * with the class token dropped, as pytorch-grad-cam's `reshape_transform` does, and the class
 * token is put back unchanged when the forward pass resumes.
 */
import * as tf from '../tf.js';
import type { LoadedOnnxModel, OnnxModelNode } from '../models/onnx-model.js';
import { device, type DeviceValue, type Value } from '../models/onnx-values.js';
import { defaultTargetNode, NoDefaultTargetError, type ModelGraph } from './default-target.js';
import { withGuidedRelu } from './guided-relu.js';
import { LayerChoiceError, type CutModel } from './layers-cut.js';
import type { TypedGraphNode } from './graph-cut.js';

/** How a node's output becomes the h×w×channels activations A. */
export type ActivationLayout =
  | { kind: 'spatial' }
  /** Tokens [batch, 1 + h·w, channels]: the first (class) token dropped, the rest row-major h×w. */
  | { kind: 'tokens'; height: number; width: number };

/** Describes the layout for cam.json: how the map's grid was formed from the node's output. */
export function describeActivationLayout(layout: ActivationLayout): string | undefined {
  return layout.kind === 'tokens'
    ? `tokens [batch, 1 + ${layout.height}·${layout.width}, channels]: class token dropped, the rest read row-major as a ${layout.height}×${layout.width} grid`
    : undefined;
}

/** The layout of a node's output, or undefined when it cannot be explained as a grid. */
export function activationLayoutOf(node: OnnxModelNode): ActivationLayout | undefined {
  const shape = node.onnxShape;
  if (node.spatial && shape.every((d) => d > 0)) return { kind: 'spatial' };
  if (shape.length === 3 && shape[1] > 1) {
    const side = Math.round(Math.sqrt(shape[1] - 1));
    if (side > 1 && side * side === shape[1] - 1) return { kind: 'tokens', height: side, width: side };
  }
  return undefined;
}

/** The graph as default-target.ts reads it; its output is the pre-softmax node. */
export function onnxGenericGraph(loaded: LoadedOnnxModel): Omit<ModelGraph, 'nodes'> & { nodes: TypedGraphNode[] } {
  return {
    nodes: loaded.nodes.map((node) => ({
      name: node.name,
      inputs: node.inputs,
      outputShape: node.outputShape,
      type: node.opType,
    })),
    inputs: [loaded.inputName],
    output: logitsNodeOf(loaded).name,
  };
}

/**
 * The default target by the rule of default-target.ts (the last convolution followed through its
 * element-wise successors, else the last spatial node every path passes through). A vision
 * transformer's default is its last block's first LayerNorm, where pytorch-grad-cam's ViT
 * example explains (`blocks[-1].norm1`; torchvision: `ln_1`), when that comes after the former.
 */
export function defaultOnnxTarget(loaded: LoadedOnnxModel): string {
  const graph = onnxGenericGraph(loaded);
  const spatial = new Set(loaded.nodes.filter((node) => node.spatial).map((node) => node.name));
  const gates = gatingNodes(graph.nodes);
  // Only NCHW maps count as spatial here: a permuted [batch, h, w, c] value is not one. A SiLU
  // or hard swish exported as x · gate(x) is one element-wise activation for the rule.
  const ruleGraph = {
    ...graph,
    nodes: graph.nodes
      .filter((node) => !gates.has(node.name))
      .map((node) => ({
        ...node,
        inputs: node.inputs.filter((input) => !gates.has(input)),
        outputShape: spatial.has(node.name) || node.outputShape?.length !== 4 ? node.outputShape : undefined,
      })),
  };
  const ops = new Map(graph.nodes.map((node) => [node.name, node.type]));
  const spatialTarget = defaultTargetNode(ruleGraph, (name) => ops.get(name) === 'Conv');
  const tokenTarget = lastBlockFirstNorm(loaded);
  // A transformer's patch embedding is a convolution too: its blocks, after it, take precedence.
  const order = new Map(loaded.nodes.map((node, index) => [node.name, index]));
  const target =
    spatialTarget !== undefined && tokenTarget !== undefined
      ? (order.get(tokenTarget) as number) > (order.get(spatialTarget) as number)
        ? tokenTarget
        : spatialTarget
      : (spatialTarget ?? tokenTarget);
  if (target === undefined) {
    throw new NoDefaultTargetError(
      'the graph has no node with a spatial output larger than 1×1 that every path to the output passes through, nor transformer blocks with layer norms',
    );
  }
  return target;
}

/**
 * The gates of x · gate(x) activations (SiLU: Sigmoid; hard swish at opset 13: HardSigmoid): a
 * Sigmoid or HardSigmoid read only by one Mul that also reads the gate's own input.
 */
function gatingNodes(nodes: TypedGraphNode[]): Set<string> {
  const readers = new Map<string, TypedGraphNode[]>();
  for (const node of nodes) for (const input of node.inputs) readers.set(input, [...(readers.get(input) ?? []), node]);
  const gates = new Set<string>();
  for (const node of nodes) {
    if ((node.type !== 'Sigmoid' && node.type !== 'HardSigmoid') || node.inputs.length !== 1) continue;
    const consumers = readers.get(node.name) ?? [];
    if (consumers.length === 1 && consumers[0].type === 'Mul' && consumers[0].inputs.includes(node.inputs[0]))
      gates.add(node.name);
  }
  return gates;
}

/**
 * A transformer's last block's first layer norm: the output node of each normalization module
 * (a module path ending in `ln…` or `norm…`, exported as LayerNormalization or as its pieces)
 * with a token output, grouped by the block holding them; the last block with two or more (a
 * final norm stands alone), its first one.
 */
function lastBlockFirstNorm(loaded: LoadedOnnxModel): string | undefined {
  const structure = analyse(loaded);
  const lastOfModule = new Map<string, OnnxModelNode>();
  for (const node of loaded.nodes) if (node.modulePath !== '') lastOfModule.set(node.modulePath, node);
  const blocks = new Map<string, string[]>();
  for (const [path, node] of lastOfModule) {
    const parts = path.split('.');
    const isNorm = /^(ln|norm)/i.test(parts.at(-1) ?? '');
    if (!isNorm || activationLayoutOf(node)?.kind !== 'tokens' || whyNotExplainable(node, loaded, structure)) continue;
    const block = parts.slice(0, -1).join('.');
    blocks.set(block, [...(blocks.get(block) ?? []), node.name]);
  }
  const inBlocks = [...blocks.values()].filter((norms) => norms.length >= 2);
  return inBlocks.at(-1)?.[0];
}

/** Names of the nodes that can be explained. */
export function explainableOnnxNodes(loaded: LoadedOnnxModel): string[] {
  const structure = analyse(loaded);
  return loaded.nodes
    .filter((node) => whyNotExplainable(node, loaded, structure) === undefined)
    .map((node) => node.name);
}

/** The node `--layer` names: a node name or the name of a node's output 0. */
export function findOnnxNode(loaded: LoadedOnnxModel, name: string): OnnxModelNode | undefined {
  return loaded.nodes.find((node) => node.name === name) ?? loaded.nodes.find((node) => node.output === name);
}

export interface OnnxCut extends CutModel {
  layout: ActivationLayout;
}

/** Splits the model at `nodeName`. Throws LayerChoiceError for a node that cannot be explained. */
export function cutOnnxModelAt(loaded: LoadedOnnxModel, nodeName: string): OnnxCut {
  const structure = analyse(loaded);
  const target = findOnnxNode(loaded, nodeName);
  if (!target) {
    throw new LayerChoiceError(
      nodeName,
      `no such node; nodes that can be explained: ${explainableOnnxNodes(loaded).join(', ')}`,
    );
  }
  const why = whyNotExplainable(target, loaded, structure);
  if (why !== undefined) throw new LayerChoiceError(nodeName, why);
  const layout = activationLayoutOf(target) as ActivationLayout;
  const logitsValue = logitsNodeOf(loaded).output;
  const joins = joiningValues(target, loaded, structure);
  const [h, w, k] =
    layout.kind === 'spatial' ? target.outputShape.slice(1) : [layout.height, layout.width, target.onnxShape[2]];
  const imageFeed = (images: tf.Tensor4D) => new Map<string, Value>([[loaded.inputName, device(images, true)]]);
  const logitsOf = (images: tf.Tensor4D) =>
    (loaded.run(imageFeed(images), [logitsValue])[0] as DeviceValue).tensor as tf.Tensor2D;

  return {
    layerName: target.name,
    activationShape: [h, w, k],
    classes: loaded.classes,
    layout,
    forward(images) {
      const [value, ...joinValues] = loaded.run(imageFeed(images), [target.output, ...joins]);
      const fed = new Map<string, Value>();
      joins.forEach((name, index) => fed.set(name, joinValues[index]));
      const tensor = (value as DeviceValue).tensor;
      let activations: tf.Tensor4D;
      let valueFrom: (replacement: tf.Tensor4D) => Value;
      if (layout.kind === 'spatial') {
        activations = ((value as DeviceValue).nhwc ? tensor : tf.transpose(tensor, [0, 2, 3, 1])) as tf.Tensor4D;
        valueFrom = (replacement) => device(replacement, true);
      } else {
        const batch = tensor.shape[0];
        const classToken = tf.slice(tensor, [0, 0, 0], [batch, 1, k]);
        activations = tf.reshape(tf.slice(tensor, [0, 1, 0], [batch, h * w, k]), [batch, h, w, k]) as tf.Tensor4D;
        valueFrom = (replacement) =>
          device(tf.concat([classToken, tf.reshape(replacement, [replacement.shape[0], h * w, k])], 1));
      }
      const logitsFrom = (replacement: tf.Tensor4D) =>
        (loaded.run(new Map([...fed, [target.output, valueFrom(replacement)]]), [logitsValue])[0] as DeviceValue)
          .tensor as tf.Tensor2D;
      return { activations, logitsFrom };
    },
    logits(images, options = {}) {
      return options.guidedRelu ? withGuidedRelu(() => logitsOf(images)) : logitsOf(images);
    },
    dispose() {}, // every tensor it uses is the loaded model's
  };
}

interface OnnxStructure {
  byName: Map<string, OnnxModelNode>;
  readers: Map<string, string[]>;
  logitsNode: OnnxModelNode;
  logitsAncestors: Set<string>;
  fromImage: Set<string>;
}

function analyse(loaded: LoadedOnnxModel): OnnxStructure {
  const byName = new Map(loaded.nodes.map((node) => [node.name, node]));
  const readers = new Map<string, string[]>();
  for (const node of loaded.nodes)
    for (const input of node.inputs) readers.set(input, [...(readers.get(input) ?? []), node.name]);
  const logitsNode = logitsNodeOf(loaded);
  return {
    byName,
    readers,
    logitsNode,
    logitsAncestors: reachable([logitsNode.name], (name) => byName.get(name)?.inputs ?? []),
    fromImage: reachable([loaded.inputName], (name) => readers.get(name) ?? []),
  };
}

/**
 * The output node with a trailing Softmax (and Identity nodes) stripped: y^c must be the
 * pre-softmax score, or a saturated softmax gives blank maps.
 */
function logitsNodeOf(loaded: LoadedOnnxModel): OnnxModelNode {
  const byName = new Map(loaded.nodes.map((node) => [node.name, node]));
  let current = byName.get(loaded.outputNode) as OnnxModelNode;
  while (current.opType === 'Identity' && current.inputs.length === 1)
    current = byName.get(current.inputs[0]) as OnnxModelNode;
  if (current.opType === 'Softmax' && current.inputs.length === 1) {
    const logits = byName.get(current.inputs[0]) as OnnxModelNode;
    if (logits.onnxShape.length === 2) return logits;
  }
  return current;
}

function whyNotExplainable(node: OnnxModelNode, loaded: LoadedOnnxModel, structure: OnnxStructure): string | undefined {
  if (node.name === loaded.inputName) return 'is the model input';
  if (activationLayoutOf(node) === undefined) {
    return `output [${node.onnxShape.join(', ')}] is neither a spatial output [batch, channels, h, w] nor tokens [batch, 1 + h·w, channels]`;
  }
  if (!structure.fromImage.has(node.name)) return 'is not computed from the image';
  if (!structure.logitsAncestors.has(node.name))
    return `has no path to the class scores ("${structure.logitsNode.name}")`;
  return undefined;
}

/**
 * Values computed from the image, not downstream of the target, read by nodes downstream of it
 * on the way to the logits (any output of the node writing them, not only output 0).
 */
function joiningValues(target: OnnxModelNode, loaded: LoadedOnnxModel, structure: OnnxStructure): string[] {
  const downstream = reachable([target.name], (name) => structure.readers.get(name) ?? []);
  const writer = new Map<string, string>();
  for (const node of loaded.graph.nodes) for (const output of node.outputs) writer.set(output, node.name);
  writer.set(loaded.inputName, loaded.inputName);
  const joins = new Set<string>();
  for (const node of loaded.graph.nodes) {
    if (node.name === target.name || !downstream.has(node.name) || !structure.logitsAncestors.has(node.name)) continue;
    for (const value of node.inputs) {
      const from = writer.get(value);
      if (from !== undefined && !downstream.has(from) && structure.fromImage.has(from)) joins.add(value);
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
