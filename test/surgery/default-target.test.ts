/**
 * The default-target rule on hand-made graphs: a chain, an Inception-style concatenation, a
 * residual addition, a side branch that never reaches the output, constants that feed a node.
 */
import { describe, expect, it } from 'vitest';
import {
  articulationNodes,
  defaultTargetNode,
  type GraphNode,
  type ModelGraph,
} from '../../src/surgery/default-target.js';

/** `node('conv1', [8, 8, 4], 'input')`: a node with output [null, 8, 8, 4] reading 'input'. */
function node(name: string, shape: (number | null)[] | undefined, ...inputs: string[]): GraphNode {
  return { name, inputs, outputShape: shape === undefined ? undefined : [null, ...shape] };
}

const isConv = (name: string) => name.includes('conv');

/** input → conv1 → bn1 → relu1 → pool1 → conv2 → bn2 → relu2 → pool2 → flatten → dense. */
function chain(lastConvSize: number): ModelGraph {
  const s = lastConvSize;
  return {
    inputs: ['input'],
    output: 'dense',
    nodes: [
      node('input', [8, 8, 3]),
      node('conv1', [8, 8, 4], 'input'),
      node('bn1', [8, 8, 4], 'conv1'),
      node('relu1', [8, 8, 4], 'bn1'),
      node('pool1', [2 * s, 2 * s, 4], 'relu1'),
      node('conv2', [2 * s, 2 * s, 8], 'pool1'),
      node('bn2', [2 * s, 2 * s, 8], 'conv2'),
      node('relu2', [2 * s, 2 * s, 8], 'bn2'),
      node('pool2', [s, s, 8], 'relu2'),
      node('flatten', [8 * s * s], 'pool2'),
      node('dense', [10], 'flatten'),
    ],
  };
}

describe('articulationNodes', () => {
  it('is every node of a chain', () => {
    const graph = chain(2);
    expect(articulationNodes(graph)).toEqual(new Set(graph.nodes.map((n) => n.name)));
  });

  it('skips the branches of an Inception-style block and of a residual block', () => {
    expect(articulationNodes(inception())).toEqual(new Set(['input', 'stem', 'mixed', 'gap', 'logits']));
    expect(articulationNodes(residual())).toEqual(
      new Set(['input', 'stem_conv', 'stem_relu', 'add', 'out_relu', 'gap', 'logits']),
    );
  });

  it('ignores a side branch that does not reach the output, and constants', () => {
    const graph: ModelGraph = {
      inputs: ['x'],
      output: 'out',
      nodes: [
        node('x', [4, 4, 1]),
        node('weights', [1, 1, 1, 2]),
        node('conv', [4, 4, 2], 'x', 'weights'),
        node('side_conv', [4, 4, 2], 'conv'),
        node('side_out', [2], 'side_conv'),
        node('relu', [4, 4, 2], 'conv'),
        node('out', [2], 'relu'),
      ],
    };
    expect(articulationNodes(graph)).toEqual(new Set(['x', 'conv', 'relu', 'out']));
  });

  it('has no model input when there are two inputs that both reach the output', () => {
    const graph: ModelGraph = {
      inputs: ['a', 'b'],
      output: 'out',
      nodes: [node('a', [4, 4, 1]), node('b', [4, 4, 1]), node('sum', [4, 4, 1], 'a', 'b'), node('out', [1], 'sum')],
    };
    expect(articulationNodes(graph)).toEqual(new Set(['sum', 'out']));
  });
});

describe('defaultTargetNode', () => {
  it('takes the last convolution of a chain after its batch norm and activation', () => {
    expect(defaultTargetNode(chain(2), isConv)).toBe('relu2');
  });

  it('prefers the last convolution to a later pooling layer that is still larger than 1×1', () => {
    expect(defaultTargetNode(chain(3), isConv)).toBe('relu2');
  });

  it('skips a last convolution whose output is 1×1 and takes the previous one', () => {
    const graph: ModelGraph = {
      inputs: ['input'],
      output: 'dense',
      nodes: [
        node('input', [8, 8, 3]),
        node('conv1', [8, 8, 4], 'input'),
        node('relu1', [8, 8, 4], 'conv1'),
        node('pool1', [1, 1, 4], 'relu1'),
        node('conv2', [1, 1, 8], 'pool1'),
        node('dense', [10], 'conv2'),
      ],
    };
    expect(defaultTargetNode(graph, isConv)).toBe('relu1');
  });

  it('takes the concatenation when the last convolution sits inside an Inception branch', () => {
    expect(defaultTargetNode(inception(), isConv)).toBe('mixed');
  });

  it('takes the block output when the last convolution sits inside a residual branch', () => {
    expect(defaultTargetNode(residual(), isConv)).toBe('out_relu');
  });

  it('follows the last convolution through bn and activation when it is on every path (MobileNetV2 top)', () => {
    const graph = residual();
    graph.nodes.splice(
      graph.nodes.findIndex((n) => n.name === 'gap'),
      1,
      node('top_conv', [4, 4, 16], 'out_relu'),
      node('top_bn', [4, 4, 16], 'top_conv'),
      node('top_relu', [4, 4, 16], 'top_bn'),
      node('gap', [16], 'top_relu'),
    );
    expect(defaultTargetNode(graph, isConv)).toBe('top_relu');
  });

  it('does not follow into a node that also reads another computed value, nor past a node with two consumers', () => {
    const graph: ModelGraph = {
      inputs: ['x'],
      output: 'out',
      nodes: [
        node('x', [4, 4, 2]),
        node('conv', [4, 4, 2], 'x'),
        node('relu', [4, 4, 2], 'conv'),
        node('squeeze', [1, 1, 2], 'relu'),
        node('excite', [1, 1, 2], 'squeeze'),
        node('scale', [4, 4, 2], 'relu', 'excite'),
        node('out', [2], 'scale'),
      ],
    };
    // conv → relu is followed; relu has two consumers (squeeze-excite), so the walk stops there.
    expect(defaultTargetNode(graph, isConv)).toBe('relu');
  });

  it('ignores a convolution on a side branch that never reaches the output', () => {
    const graph: ModelGraph = {
      inputs: ['x'],
      output: 'out',
      nodes: [
        node('x', [4, 4, 1]),
        node('conv', [4, 4, 2], 'x'),
        node('relu', [4, 4, 2], 'conv'),
        node('pool', [2, 2, 2], 'relu'),
        node('side_conv', [2, 2, 2], 'pool'),
        node('flatten', [8], 'pool'),
        node('out', [2], 'flatten'),
      ],
    };
    // side_conv is the last convolution but not on the way to the output: the last qualifying node is pool.
    expect(defaultTargetNode(graph, isConv)).toBe('pool');
  });

  it('counts unknown spatial sizes as larger than 1×1 and skips nodes without a shape', () => {
    const graph: ModelGraph = {
      inputs: ['x'],
      output: 'out',
      nodes: [
        node('x', [null, null, 3]),
        node('conv', [null, null, 4], 'x'),
        node('relu', [null, null, 4], 'conv'),
        node('mystery', undefined, 'relu'),
        node('out', [2], 'mystery'),
      ],
    };
    expect(defaultTargetNode(graph, isConv)).toBe('relu');
    expect(defaultTargetNode(graph, () => false)).toBe('relu');
  });

  it('is undefined when no node qualifies; a model input never does', () => {
    const graph: ModelGraph = {
      inputs: ['x'],
      output: 'out',
      nodes: [node('x', [4, 4, 1]), node('flatten', [16], 'x'), node('out', [2], 'flatten')],
    };
    expect(defaultTargetNode(graph, isConv)).toBeUndefined();
  });

  it('rejects a graph that is not in topological order', () => {
    const graph: ModelGraph = {
      inputs: ['x'],
      output: 'b',
      nodes: [node('x', [2, 2, 1]), node('b', [1], 'a'), node('a', [1], 'x')],
    };
    expect(() => defaultTargetNode(graph, isConv)).toThrow('graph node "b" reads "a", which is not an earlier node');
  });
});

/** stem → three branches (1×1 conv; 3×3 conv → 3×3 conv; pool → 1×1 conv) → concat → gap → logits. */
function inception(): ModelGraph {
  return {
    inputs: ['input'],
    output: 'logits',
    nodes: [
      node('input', [8, 8, 3]),
      node('stem', [4, 4, 8], 'input'),
      node('b1_conv', [4, 4, 4], 'stem'),
      node('b1_relu', [4, 4, 4], 'b1_conv'),
      node('b2_conv_a', [4, 4, 4], 'stem'),
      node('b2_conv_b', [4, 4, 4], 'b2_conv_a'),
      node('b2_relu', [4, 4, 4], 'b2_conv_b'),
      node('b3_pool', [4, 4, 8], 'stem'),
      node('b3_conv', [4, 4, 4], 'b3_pool'),
      node('b3_relu', [4, 4, 4], 'b3_conv'),
      node('mixed', [4, 4, 12], 'b1_relu', 'b2_relu', 'b3_relu'),
      node('gap', [12], 'mixed'),
      node('logits', [10], 'gap'),
    ],
  };
}

/** stem_relu → (conv → bn → relu → conv → bn) + stem_relu → out_relu → gap → logits. */
function residual(): ModelGraph {
  return {
    inputs: ['input'],
    output: 'logits',
    nodes: [
      node('input', [8, 8, 3]),
      node('stem_conv', [4, 4, 16], 'input'),
      node('stem_relu', [4, 4, 16], 'stem_conv'),
      node('block_conv1', [4, 4, 16], 'stem_relu'),
      node('block_bn1', [4, 4, 16], 'block_conv1'),
      node('block_relu1', [4, 4, 16], 'block_bn1'),
      node('block_conv2', [4, 4, 16], 'block_relu1'),
      node('block_bn2', [4, 4, 16], 'block_conv2'),
      node('add', [4, 4, 16], 'stem_relu', 'block_bn2'),
      node('out_relu', [4, 4, 16], 'add'),
      node('gap', [16], 'out_relu'),
      node('logits', [10], 'gap'),
    ],
  };
}
