import { describe, expect, it } from 'vitest';
import { defaultTargetNode } from '../../src/surgery/default-target.js';
import {
  buildInspectReport,
  explainableNodes,
  formatInspectReport,
  type InspectNode,
  type ModelDescription,
} from '../../src/surgery/layer-inventory.js';

const node = (name: string, type: string, inputs: string[], outputShape: InspectNode['outputShape']): InspectNode => ({
  name,
  type,
  inputs,
  outputShape,
});

/**
 * An Inception-style model: a stem conv, two parallel convs concatenated, pooling, a dense layer
 * and a softmax; plus `aux`, a conv nothing reads (no path to the output).
 */
const INCEPTION_NODES: InspectNode[] = [
  node('input', 'InputLayer', [], [null, 8, 8, 3]),
  node('stem', 'Conv2D', ['input'], [null, 8, 8, 4]),
  node('stem_relu', 'ReLU', ['stem'], [null, 8, 8, 4]),
  node('branch_a', 'Conv2D', ['stem_relu'], [null, 4, 4, 2]),
  node('branch_b', 'Conv2D', ['stem_relu'], [null, 4, 4, 2]),
  node('aux', 'Conv2D', ['stem_relu'], [null, 4, 4, 2]),
  node('mixed', 'Concatenate', ['branch_a', 'branch_b'], [null, 4, 4, 4]),
  node('pool', 'GlobalAveragePooling2D', ['mixed'], [null, 4]),
  node('logits', 'Dense', ['pool'], [null, 3]),
  node('probabilities', 'Softmax', ['logits'], [null, 3]),
];

function subject(overrides: Partial<ModelDescription> = {}): ModelDescription {
  const graph = { nodes: INCEPTION_NODES, inputs: ['input'], output: 'probabilities' };
  return {
    model: '/models/inception',
    modelFormat: 'layers-model',
    graph,
    explainable: explainableNodes(graph),
    // The last convolution (branch_b) sits in a branch: the rule takes the point where the branches meet.
    defaultTarget: defaultTargetNode(graph, (name) => INCEPTION_NODES.find((n) => n.name === name)?.type === 'Conv2D'),
    input: { height: 8, width: 8, channels: 3 },
    classes: 3,
    ...overrides,
  };
}

describe('explainableNodes', () => {
  it("applies the default rule's size test: a 1×1 output (one value, no location) is neither listed nor the default", () => {
    // A VGG-like tail: conv 2×2, a conv that leaves 1×1, pooling to 1×1, dense.
    const nodes = [
      node('input', 'InputLayer', [], [null, 4, 4, 3]),
      node('conv', 'Conv2D', ['input'], [null, 2, 2, 8]),
      node('conv_relu', 'ReLU', ['conv'], [null, 2, 2, 8]),
      node('last_conv', 'Conv2D', ['conv_relu'], [null, 1, 1, 8]),
      node('pool', 'AveragePooling2D', ['last_conv'], [null, 1, 1, 8]),
      node('flat', 'Flatten', ['pool'], [null, 8]),
      node('logits', 'Dense', ['flat'], [null, 2]),
    ];
    const graph = { nodes, inputs: ['input'], output: 'logits' };
    const isConvolution = (name: string) => nodes.find((n) => n.name === name)?.type === 'Conv2D';
    expect([...explainableNodes(graph)]).toEqual(['conv', 'conv_relu']);
    expect(defaultTargetNode(graph, isConvolution)).toBe('conv_relu');
    // An open size (the image decides) counts as larger than 1×1 in both.
    const open = nodes.map((n) => (n.name === 'last_conv' ? { ...n, outputShape: [null, null, null, 8] } : n));
    const openGraph = { ...graph, nodes: open };
    expect([...explainableNodes(openGraph)]).toEqual(['conv', 'conv_relu', 'last_conv']);
    expect(defaultTargetNode(openGraph, isConvolution)).toBe('last_conv');
  });

  it('is every spatial node computed from the input with a path to the output', () => {
    expect([...explainableNodes(subject().graph)]).toEqual(['stem', 'stem_relu', 'branch_a', 'branch_b', 'mixed']);
  });

  it('leaves out nodes not computed from the input (a constant fed into the graph)', () => {
    const nodes = [
      node('input', 'Placeholder', [], [1, 4, 4, 1]),
      node('bias', 'Const', [], [1, 4, 4, 1]),
      node('sum', 'AddV2', ['input', 'bias'], [1, 4, 4, 1]),
      node('flat', 'Reshape', ['sum'], [1, 16]),
    ];
    expect([...explainableNodes({ nodes, inputs: ['input'], output: 'flat' })]).toEqual(['sum']);
  });
});

describe('buildInspectReport', () => {
  it('lists every layer in order without the batch axis, marks the explainable ones and the branches, and applies the default-target rule', () => {
    const report = buildInspectReport(subject());
    expect(report).toMatchObject({
      format: 'gradcam-inspect',
      formatVersion: 1,
      model: '/models/inception',
      modelFormat: 'layers-model',
      gradcamJson: false,
      input: { height: 8, width: 8, channels: 3 },
      classes: 3,
      classNames: null,
      preprocessing: null,
      defaultTarget: 'mixed',
    });
    expect(report.layers.map((l) => [l.name, l.outputShape, l.explainable, l.onEveryPath])).toEqual([
      ['input', [8, 8, 3], false, true],
      ['stem', [8, 8, 4], true, true],
      ['stem_relu', [8, 8, 4], true, true],
      ['branch_a', [4, 4, 2], true, false],
      ['branch_b', [4, 4, 2], true, false],
      ['aux', [4, 4, 2], false, false],
      ['mixed', [4, 4, 4], true, true],
      ['pool', [4], false, true],
      ['logits', [3], false, true],
      ['probabilities', [3], false, true],
    ]);
  });

  it('takes names, normalization and the target layer from gradcam.json', () => {
    const metadata = {
      classNames: ['cat', 'dog', 'bird'],
      normalization: { mean: [0.5, 0.4, 0.3], std: [0.2, 0.2, 0.25] },
      targetLayer: 'stem_relu',
    };
    const report = buildInspectReport(subject({ metadata }));
    expect(report.gradcamJson).toBe(true);
    expect(report.classNames).toEqual(['cat', 'dog', 'bird']);
    expect(report.preprocessing).toEqual({ channelOrder: 'rgb', mean: [0.5, 0.4, 0.3], std: [0.2, 0.2, 0.25] });
    expect(report.defaultTarget).toBe('stem_relu');
  });

  it('reports open input sides and unknown shapes as null, and no default when nothing qualifies', () => {
    const nodes = [
      node('image', 'Placeholder', [], [1, null, null, 1]),
      node('flat', 'Reshape', ['image'], undefined),
      node('out', 'MatMul', ['flat'], [1, 2]),
    ];
    const report = buildInspectReport(
      subject({
        modelFormat: 'graph-model',
        graph: { nodes, inputs: ['image'], output: 'out' },
        explainable: new Set(),
        defaultTarget: undefined,
        input: { height: undefined, width: undefined, channels: 1 },
        classes: 2,
      }),
    );
    expect(report.input).toEqual({ height: null, width: null, channels: 1 });
    expect(report.layers.map((l) => l.outputShape)).toEqual([[null, null, 1], null, [2]]);
    expect(report.defaultTarget).toBeNull();
  });
});

describe('formatInspectReport', () => {
  it('prints a summary, then one aligned line per layer', () => {
    expect(formatInspectReport(buildInspectReport(subject()))).toBe(
      [
        'model          /models/inception (layers-model)',
        'input          8x8 (width x height), 3 channels (RGB)',
        'classes        3 (names not stated)',
        'preprocessing  not stated',
        'default layer  mixed',
        'layers         10, 5 explainable',
        '',
        'layer          type                    output  Grad-CAM',
        'input          InputLayer              8×8×3',
        'stem           Conv2D                  8×8×4   yes',
        'stem_relu      ReLU                    8×8×4   yes',
        'branch_a       Conv2D                  4×4×2   yes, one branch',
        'branch_b       Conv2D                  4×4×2   yes, one branch',
        'aux            Conv2D                  4×4×2',
        'mixed          Concatenate             4×4×4   yes, default',
        'pool           GlobalAveragePooling2D  4',
        'logits         Dense                   3',
        'probabilities  Softmax                 3',
        '',
      ].join('\n'),
    );
  });

  it('shows gradcam.json facts, open sizes, and escapes control characters in names', () => {
    const nodes = [
      node('image', 'Placeholder', [], [1, null, null, 1]),
      node('bad\nname\u001b[2J', 'Conv2D', ['image'], [1, null, null, 8]),
      node('out', 'Mean', ['bad\nname\u001b[2J'], [1, 2]),
    ];
    const text = formatInspectReport(
      buildInspectReport(
        subject({
          model: '/m',
          graph: { nodes, inputs: ['image'], output: 'out' },
          explainable: explainableNodes({ nodes, inputs: ['image'], output: 'out' }),
          defaultTarget: undefined,
          input: { height: undefined, width: undefined, channels: 1 },
          classes: 2,
          metadata: {
            classNames: ['zero', 'one'],
            normalization: { mean: [0.1307], std: [0.3081] },
            targetLayer: 'bad\nname\u001b[2J',
          },
        }),
      ),
    );
    const lines = text.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'model          /m (layers-model, with gradcam.json)',
      'input          any size, 1 channel (gray)',
      'classes        2: zero, one',
      'preprocessing  (x/255 − [0.1307]) / [0.3081] (gradcam.json)',
      'default layer  bad\\nname\\u001b[2J',
      'layers         3, 1 explainable',
    ]);
    expect(lines[9]).toBe('bad\\nname\\u001b[2J  Conv2D       ?×?×8   yes, default');
    expect(lines).toHaveLength(12);
  });
});
