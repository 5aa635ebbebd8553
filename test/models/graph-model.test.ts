/**
 * Loading graph models (`format: graph-model`) from their directory: a hand-written model in the
 * converter's format loads with the right shapes, an input of open size takes the size it is
 * given, and every hostile variant of model.json or the weights is a one-line InputError naming
 * model.json (or the weights file) and what was expected.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraphModelFromFiles, disposeGraphModel } from '../../src/models/graph-model.js';
import { buildModel, readModelDirectory } from '../../src/models/model-dir.js';
import { GraphBuilder, writeGraphModel, type NodeDef } from '../helpers/graph-models.js';
import { expectInputError } from '../helpers/input-errors.js';

let root: string;
let counter = 0;
beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gradcam-graph-model-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** input [-1, 5, 5, 2] → fused conv + Relu6 → Mean → fused dense → Softmax → Identity. */
function tinyGraph(inputShape: number[] = [-1, 5, 5, 2]): GraphBuilder {
  const g = new GraphBuilder(3);
  const x = g.placeholder('x', inputShape);
  const conv = g.fusedConv('conv/Relu6', x, [3, 3, inputShape[3], 3], { activation: 'Relu6' });
  const logits = g.fusedDense('dense', g.spatialMean('gap', conv), 3, 2);
  g.unary('Identity', 'Identity', g.unary('Softmax', 'softmax', logits));
  return g;
}

/** Writes the tiny graph, lets `edit` change model.json, and returns the directory. */
async function written(
  edit?: (json: {
    modelTopology: { node: NodeDef[] };
    weightsManifest: { paths: string[]; weights: { name: string }[] }[];
  }) => void,
  graph = tinyGraph(),
): Promise<string> {
  const directory = join(root, `model-${counter++}`);
  await writeGraphModel(directory, graph, { quantization: 'uint8' });
  if (edit) {
    const path = join(directory, 'model.json');
    const json = JSON.parse(await readFile(path, 'utf8'));
    edit(json);
    await writeFile(path, JSON.stringify(json));
  }
  return directory;
}

const load = async (directory: string, inputSize?: [number, number]) =>
  buildGraphModelFromFiles(await readModelDirectory(directory), inputSize);

describe('graph model directories', () => {
  it('load with their input, output and node shapes', async () => {
    const loaded = await load(await written());
    expect(loaded.inputNode).toBe('x');
    expect(loaded.inputShape).toEqual([5, 5, 2]);
    expect(loaded.outputNode).toBe('Identity');
    expect(loaded.classes).toBe(2);
    expect(loaded.nodes.map((node) => [node.name, node.outputShape])).toEqual([
      ['x', [1, 5, 5, 2]],
      ['conv/Relu6', [1, 5, 5, 3]],
      ['gap', [1, 3]],
      ['dense', [1, 2]],
      ['softmax', [1, 2]],
      ['Identity', [1, 2]],
    ]);
    disposeGraphModel(loaded);
  });

  it('an input of open height and width takes the size given, and needs one', async () => {
    const directory = await written(undefined, tinyGraph([-1, -1, -1, 2]));
    const loaded = await load(directory, [7, 4]);
    expect(loaded.inputShape).toEqual([7, 4, 2]);
    expect(loaded.nodes.find((node) => node.name === 'conv/Relu6')?.outputShape).toEqual([1, 7, 4, 3]);
    disposeGraphModel(loaded);
    await expectInputError(
      load(directory),
      'model.json',
      'input "x" does not fix its height and width; an input size must be given',
    );
    await expectInputError(load(directory, [0, 4]), 'model.json', 'input size 0×4; each side must be 1 to 4096');
  });

  it('gradcam.json beside a graph model gives the size of an open input and must fit the model', async () => {
    const directory = await written(undefined, tinyGraph([-1, -1, -1, 1]));
    const metadata = {
      format: 'gradcam-model',
      formatVersion: 1,
      classNames: ['a', 'b'],
      inputShape: [6, 3, 1],
      normalization: { mean: [0], std: [1] },
      targetLayer: 'conv/Relu6',
    };
    const writeMetadata = (changes: Record<string, unknown>) =>
      writeFile(join(directory, 'gradcam.json'), JSON.stringify({ ...metadata, ...changes }));
    await writeMetadata({});
    const loaded = await load(directory);
    expect(loaded.inputShape).toEqual([6, 3, 1]);
    disposeGraphModel(loaded);
    await writeMetadata({ classNames: ['a', 'b', 'c'] });
    await expectInputError(load(directory), 'gradcam.json: "classNames" lists 3 classes,', 'model.json outputs 2');
    await writeMetadata({ targetLayer: 'gap' });
    await expectInputError(load(directory), 'gradcam.json: "targetLayer" "gap" has no spatial output');
    await writeMetadata({ targetLayer: 'conv' });
    await expectInputError(load(directory), 'gradcam.json: "targetLayer" "conv" is not a node of');
    await expectInputError(
      load(directory, [6, 4]),
      'gradcam.json: "inputShape" [6, 3, 1] does not match the input [6, 4, 1]',
    );
  });

  it('the layers-model builder refuses a graph model in one line', async () => {
    await expectInputError(
      readModelDirectory(await written()).then((files) => buildModel(files)),
      'model.json: a graph model, not a layers model',
    );
  });
});

describe('hostile graph models are one-line InputErrors', () => {
  const nodes = (json: { modelTopology: { node: NodeDef[] } }) => json.modelTopology.node;
  const named = (json: { modelTopology: { node: NodeDef[] } }, name: string) =>
    nodes(json).find((node) => node.name === name) as NodeDef;

  it.each<[string, (json: Parameters<NonNullable<Parameters<typeof written>[0]>>[0]) => void, string]>([
    [
      'no node list',
      (json) => ((json.modelTopology as unknown as Record<string, unknown>).node = { name: 'x' }),
      '"modelTopology" has no "node" list; expected a TensorFlow.js graph model',
    ],
    ['a node without a name', (json) => nodes(json).push({ op: 'Relu' } as NodeDef), 'malformed node {"op":"Relu"}'],
    ['inputs that are not strings', (json) => (named(json, 'gap').input = [7 as unknown as string]), 'malformed node'],
    ['two nodes of one name', (json) => nodes(json).push({ ...named(json, 'gap') }), 'two nodes are named "gap"'],
    [
      'an input that is not a node',
      (json) => (named(json, 'gap').input = ['conv/Relu6', 'nowhere:1']),
      'node "gap" reads "nowhere:1", which is not a node',
    ],
    [
      'a cycle',
      (json) => (named(json, 'conv/Relu6').input = ['softmax', 'conv/Relu6/weights', 'conv/Relu6/bias']),
      'the graph has a cycle through node',
    ],
    [
      'a constant without a weight',
      (json) =>
        ((json.weightsManifest[0].weights.find((w) => w.name === 'dense/bias') as { name: string }).name = 'other'),
      'constant node "dense/bias" has no weight in "weightsManifest"',
    ],
    [
      'two image inputs',
      (json) => nodes(json).push({ ...named(json, 'x'), name: 'y' }),
      'the graph has 2 inputs; only models with one image input can be explained',
    ],
    [
      'an input that is not an image batch',
      (json) =>
        ((named(json, 'x').attr as Record<string, unknown>).shape = {
          shape: { dim: [{ size: '-1' }, { size: '50' }] },
        }),
      'input "x" has shape [-1, 50]; expected an image batch',
    ],
    [
      'a fixed batch size',
      (json) =>
        ((named(json, 'x').attr as Record<string, unknown>).shape = {
          shape: { dim: ['1', '5', '5', '2'].map((size) => ({ size })) },
        }),
      'fixed batch size 1',
    ],
    [
      'an integer input',
      (json) => ((named(json, 'x').attr as Record<string, unknown>).dtype = { type: 'DT_INT32' }),
      'input "x" is int32; only float32 image inputs are supported',
    ],
    [
      'an op TensorFlow.js does not know',
      (json) => (named(json, 'gap').op = 'FancyPool'),
      "model.json: node gap: op 'FancyPool' is not supported by TensorFlow.js",
    ],
    ['control flow', (json) => (named(json, 'softmax').op = 'Switch'), 'cannot run the graph model'],
    [
      'two outputs',
      (json) => nodes(json).push({ name: 'extra', op: 'Relu', input: ['conv/Relu6'], attr: {} }),
      'the graph has 2 outputs; only models with one output can be explained',
    ],
  ])('%s', async (_, edit, fragment) => {
    await expectInputError(load(await written(edit)), 'model.json', fragment);
  });

  it('an output that is not [batch, classes]', async () => {
    const graph = new GraphBuilder(5);
    graph.unary('Identity', 'Identity', graph.fusedConv('conv', graph.placeholder('x', [-1, 4, 4, 1]), [1, 1, 1, 2]));
    await expectInputError(
      load(await written(undefined, graph)),
      'model.json',
      'the output "Identity" has shape [1, 4, 4, 2]; expected [batch, classes]',
    );
  });

  it('a format that is neither a layers nor a graph model', async () => {
    await expectInputError(
      load(await written((json) => ((json as unknown as Record<string, unknown>).format = 'graph'))),
      'format "graph" is neither',
    );
  });

  it('weights shorter than the manifest says', async () => {
    const directory = await written();
    await truncate(join(directory, 'group1-shard1of1'), 10);
    await expectInputError(load(directory), 'group1-shard1of1: 10 bytes of weights, model.json describes');
  });

  it('float16 weights holding Infinity', async () => {
    const directory = join(root, `model-${counter++}`);
    const graph = tinyGraph();
    (graph.weights.find((w) => w.name === 'dense/bias')?.values as Float32Array)[1] = 1e6; // beyond float16's 65504
    await writeGraphModel(directory, graph, { quantization: 'float16' });
    await expectInputError(load(directory), 'group1-shard1of1: weight "dense/bias" contains NaN or Infinity');
  });
});
