/**
 * A TensorFlow.js layers model as the plain graph default-target.ts reasons about: one node per
 * layer, reading the layers its inbound nodes read, in topological order.
 */
import type * as tf from '../tf.js';
import { defaultTargetNode, type GraphNode, type ModelGraph } from './default-target.js';

interface InboundNode {
  inputTensors: tf.SymbolicTensor[];
}
type GraphLayer = tf.Layer & { inboundNodes: InboundNode[] };

/** The model's layers as a ModelGraph; the output is the layer of the model's (first) output. */
export function layersModelGraph(model: tf.LayersModel): ModelGraph {
  const byName = new Map<string, GraphNode>();
  // A Sequential model does not list its InputLayer among its layers.
  const inputLayers = model.inputs.map((input) => input.sourceLayer).filter((layer) => !model.layers.includes(layer));
  for (const layer of [...inputLayers, ...model.layers] as GraphLayer[]) {
    const inputs = new Set(
      layer.inboundNodes.flatMap((node) => node.inputTensors.map((tensor) => tensor.sourceLayer.name)),
    );
    inputs.delete(layer.name); // an InputLayer's inbound node reads its own output
    byName.set(layer.name, { name: layer.name, inputs: [...inputs], outputShape: singleOutputShape(layer) });
  }
  // Keras and tfjs list layers by depth, which is topological; sort anyway, keeping that order.
  const nodes: GraphNode[] = [];
  const placed = new Set<string>();
  const place = (node: GraphNode): void => {
    if (placed.has(node.name)) return;
    placed.add(node.name);
    for (const input of node.inputs) place(byName.get(input) as GraphNode);
    nodes.push(node);
  };
  byName.forEach(place);
  return {
    nodes,
    inputs: model.inputs.map((input) => input.sourceLayer.name),
    output: model.outputs[0].sourceLayer.name,
  };
}

/** Convolutions of every kind: Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, … */
export function isConvolutionLayer(layer: tf.Layer): boolean {
  return /conv/i.test(layer.getClassName());
}

/** A convolution with a dilation rate above 1 (TensorFlow.js has no gradient for it). */
export function isDilatedLayer(layer: tf.Layer): boolean {
  const rate = (layer.getConfig() as { dilationRate?: number | number[] }).dilationRate;
  return rate !== undefined && (Array.isArray(rate) ? rate : [rate]).some((value) => value > 1);
}

/** The default target layer's name by the rule of default-target.ts, or undefined if none qualifies. */
export function defaultTargetLayerName(model: tf.LayersModel): string | undefined {
  const convolutions = new Set(model.layers.filter(isConvolutionLayer).map((layer) => layer.name));
  return defaultTargetNode(layersModelGraph(model), (name) => convolutions.has(name));
}

function singleOutputShape(layer: tf.Layer): (number | null)[] | undefined {
  let shape: tf.Shape | tf.Shape[];
  try {
    shape = layer.outputShape;
  } catch {
    return undefined; // a layer used several times with different output shapes
  }
  if (!Array.isArray(shape)) return undefined;
  return Array.isArray(shape[0]) ? undefined : (shape as (number | null)[]);
}
