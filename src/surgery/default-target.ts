/**
 * Which node Grad-CAM explains when the user names none, decided on a plain description of the
 * model's graph (no TensorFlow.js), so layers models and graph models follow one rule.
 *
 * The rule. Only nodes computed from the model's inputs count (weights and constants do not);
 * a node *qualifies* when
 *   - it is not a model input,
 *   - its output is spatial, [batch, h, w, channels], with h·w > 1 (an unknown h or w counts as
 *     larger than 1: the size then depends on the image), and
 *   - every path from the inputs to the output passes through it (it dominates the output): its
 *     output alone carries everything the score depends on, so ∂y^c/∂A is the whole story.
 * Let C be the last convolution-like node with a spatial output with h·w > 1. If C qualifies, the
 * target is C followed through its element-wise successors (batch norm, activation, dropout):
 * while the current node's only consumer takes no other value computed from the inputs, outputs
 * the same shape and is not itself convolution-like, move on to that consumer. This is the
 * paper's "last convolutional layer" (Selvaraju et al. §3), seen after its non-linearity.
 * Otherwise (C sits inside a branch: an Inception block, a residual block) the target is the last
 * qualifying node: the point where the branches meet (Keras InceptionV3 `mixed10`, ResNet50
 * `conv5_block3_out`).
 */
import { InvalidValueError } from '../errors.js';

/** The model has no node the rule above picks: the caller must name one. */
export class NoDefaultTargetError extends InvalidValueError {}

export interface GraphNode {
  name: string;
  /** Names of the nodes whose outputs this node reads. */
  inputs: string[];
  /** The output shape with the batch axis (null where unknown), or undefined if not known at all. */
  outputShape: readonly (number | null)[] | undefined;
}

export interface ModelGraph {
  /** Every node, in topological order (a node after all of its inputs). */
  nodes: GraphNode[];
  /** The names of the model's input nodes. */
  inputs: string[];
  /** The name of the node whose value is the model's output. */
  output: string;
}

/**
 * The nodes that every path from the inputs to the output passes through (the output's
 * dominators), the output included; a model input is included only if it is the only input.
 * Nodes not computed from the inputs are ignored. Empty if the output is not computed from the inputs.
 */
export function articulationNodes(graph: ModelGraph): Set<string> {
  const { indexOf, fromInputs } = analyse(graph);
  // Immediate dominators on a DAG in topological order (Cooper, Harvey & Kennedy's intersection
  // walk): a virtual root, index -1, feeds every model input.
  const ROOT = -1;
  const immediateDominator = new Map<number, number>();
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      if (a > b) a = immediateDominator.get(a) as number;
      else b = immediateDominator.get(b) as number;
    }
    return a;
  };
  graph.nodes.forEach((node, index) => {
    if (!fromInputs.has(node.name)) return;
    const predecessors = graph.inputs.includes(node.name)
      ? [ROOT]
      : node.inputs.filter((name) => fromInputs.has(name)).map((name) => indexOf.get(name) as number);
    immediateDominator.set(index, predecessors.reduce(intersect));
  });
  const result = new Set<string>();
  const outputIndex = indexOf.get(graph.output) as number;
  if (!fromInputs.has(graph.output)) return result;
  for (let index = outputIndex; index !== ROOT; index = immediateDominator.get(index) as number) {
    result.add(graph.nodes[index].name);
  }
  return result;
}

/**
 * The default target node by the rule in this file's header, or undefined when no node
 * qualifies. `isConvolutionLike(name)` says whether a node is a convolution (any kind:
 * regular, depthwise, separable, fused).
 */
export function defaultTargetNode(graph: ModelGraph, isConvolutionLike: (name: string) => boolean): string | undefined {
  const { consumers, fromInputs } = analyse(graph);
  const dominators = articulationNodes(graph);
  const computed = graph.nodes.filter((node) => fromInputs.has(node.name) && !graph.inputs.includes(node.name));
  const qualifies = (node: GraphNode) => dominators.has(node.name) && hasSpatialOutput(node);

  const lastConvolution = computed.filter((node) => isConvolutionLike(node.name) && hasSpatialOutput(node)).at(-1);
  if (lastConvolution && qualifies(lastConvolution)) {
    return followElementwise(lastConvolution, graph, consumers, fromInputs, isConvolutionLike).name;
  }
  return computed.filter(qualifies).at(-1)?.name;
}

/**
 * The one rule for which nodes can carry a map, used by the default target, by `inspect` and by
 * `cam --layer`: [batch, h, w, channels] with h·w > 1, or h or w unknown (then the image decides).
 * A 1×1 output is left out: its map is one value, which shows no location.
 */
export function hasSpatialOutput(node: Pick<GraphNode, 'outputShape'>): boolean {
  const shape = node.outputShape;
  if (shape?.length !== 4) return false;
  const [, h, w] = shape;
  return h === null || w === null || h * w > 1;
}

/** Why a 1×1 layer is refused, in the words inspect and cam use. */
export const ONE_BY_ONE = 'output is 1×1: its map would be one value, which shows no location';

function followElementwise(
  start: GraphNode,
  graph: ModelGraph,
  consumers: Map<string, GraphNode[]>,
  fromInputs: Set<string>,
  isConvolutionLike: (name: string) => boolean,
): GraphNode {
  let current = start;
  for (;;) {
    const next = consumers.get(current.name) ?? [];
    if (next.length !== 1 || current.name === graph.output) return current;
    const [consumer] = next;
    const computedInputs = consumer.inputs.filter((name) => fromInputs.has(name));
    const elementwise =
      computedInputs.length === 1 &&
      !isConvolutionLike(consumer.name) &&
      sameShape(consumer.outputShape, current.outputShape);
    if (!elementwise) return current;
    current = consumer;
  }
}

function sameShape(a: GraphNode['outputShape'], b: GraphNode['outputShape']): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
}

interface GraphAnalysis {
  indexOf: Map<string, number>;
  /** Consumers of each node (each consumer once, even if it reads the node twice). */
  consumers: Map<string, GraphNode[]>;
  /** Nodes computed from the model inputs (the inputs included). */
  fromInputs: Set<string>;
}

function analyse(graph: ModelGraph): GraphAnalysis {
  const indexOf = new Map<string, number>();
  const consumers = new Map<string, GraphNode[]>();
  const fromInputs = new Set<string>();
  graph.nodes.forEach((node, index) => {
    if (indexOf.has(node.name)) throw new Error(`graph node "${node.name}" appears twice`);
    for (const input of new Set(node.inputs)) {
      if (!indexOf.has(input))
        throw new Error(`graph node "${node.name}" reads "${input}", which is not an earlier node`);
      consumers.set(input, [...(consumers.get(input) ?? []), node]);
    }
    indexOf.set(node.name, index);
    if (graph.inputs.includes(node.name) || node.inputs.some((input) => fromInputs.has(input)))
      fromInputs.add(node.name);
  });
  for (const name of [...graph.inputs, graph.output]) {
    if (!indexOf.has(name)) throw new Error(`graph has no node "${name}"`);
  }
  return { indexOf, consumers, fromInputs };
}
