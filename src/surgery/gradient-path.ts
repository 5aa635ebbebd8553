/**
 * TensorFlow.js 4.22 has no gradient for dilated (atrous) convolutions: tfjs-core's Conv2D and
 * depthwise gradients refuse dilation rates above 1, with a message that names no layer. A
 * gradient method only differentiates from the class score back to the target's output A, so a
 * dilated convolution *before* the target is no obstacle; one between the target and the score
 * is (and for guided backpropagation, which differentiates down to the image, one anywhere on the
 * way). This finds the one in the way, on the plain graph of default-target.ts, so a command can
 * refuse in one line before TensorFlow.js fails deep inside a backward pass.
 */
import type { ModelGraph } from './default-target.js';

/**
 * The first node, in graph order, for which `blocks(name)` holds and that lies on a path from
 * `from` (excluded; the model inputs when undefined) to the graph's output, or undefined.
 */
export function firstBlockingNode(
  graph: ModelGraph,
  from: string | undefined,
  blocks: (name: string) => boolean,
): string | undefined {
  const downstream = new Set(from === undefined ? graph.inputs : [from]);
  const onPath: string[] = [];
  for (const node of graph.nodes) {
    if (!downstream.has(node.name) && node.inputs.some((input) => downstream.has(input))) {
      downstream.add(node.name);
      onPath.push(node.name);
    }
  }
  // Of those, the ones the output depends on.
  const needed = new Set([graph.output]);
  const inputsOf = new Map(graph.nodes.map((node) => [node.name, node.inputs]));
  for (const node of [...graph.nodes].reverse()) {
    if (needed.has(node.name)) for (const input of inputsOf.get(node.name) ?? []) needed.add(input);
  }
  return onPath.find((name) => needed.has(name) && blocks(name));
}
