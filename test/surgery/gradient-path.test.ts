import { describe, expect, it } from 'vitest';
import type { ModelGraph } from '../../src/surgery/default-target.js';
import { firstBlockingNode } from '../../src/surgery/gradient-path.js';

// input → a → atrous → b → output, with a branch a → side → output that skips `atrous`,
// and a dead end atrous2 that the output does not read.
const graph: ModelGraph = {
  nodes: [
    { name: 'input', inputs: [], outputShape: [null, 8, 8, 3] },
    { name: 'a', inputs: ['input'], outputShape: [null, 8, 8, 4] },
    { name: 'atrous', inputs: ['a'], outputShape: [null, 8, 8, 4] },
    { name: 'atrous2', inputs: ['a'], outputShape: [null, 8, 8, 4] },
    { name: 'side', inputs: ['a'], outputShape: [null, 8, 8, 4] },
    { name: 'b', inputs: ['atrous'], outputShape: [null, 8, 8, 4] },
    { name: 'output', inputs: ['b', 'side'], outputShape: [null, 2] },
  ],
  inputs: ['input'],
  output: 'output',
};
const dilated = (name: string) => name.startsWith('atrous');

describe('firstBlockingNode', () => {
  it('finds a dilated node between the target and the output', () => {
    expect(firstBlockingNode(graph, 'a', dilated)).toBe('atrous');
    expect(firstBlockingNode(graph, 'input', dilated)).toBe('atrous');
  });

  it('ignores the target itself, nodes before it, nodes on no path to the output and other branches', () => {
    expect(firstBlockingNode(graph, 'atrous', dilated)).toBeUndefined();
    expect(firstBlockingNode(graph, 'b', dilated)).toBeUndefined();
    expect(firstBlockingNode(graph, 'side', dilated)).toBeUndefined();
    expect(firstBlockingNode({ ...graph, output: 'side' }, 'a', dilated)).toBeUndefined();
  });

  it('from the model inputs when no target is given (guided backpropagation)', () => {
    expect(firstBlockingNode(graph, undefined, dilated)).toBe('atrous');
    expect(firstBlockingNode(graph, undefined, () => false)).toBeUndefined();
  });
});
