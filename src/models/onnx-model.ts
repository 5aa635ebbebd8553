/**
 * An ONNX model (onnx-file.ts) translated to TensorFlow.js ops (onnx-ops.ts) and run by a small
 * executor: nodes in topological order, each value kept until its last reader has run.
 *
 * At load: the ops are checked (every unsupported op type named at once), initializers go to the
 * backend once (float weights; small integer ones stay on the host), nodes that read only
 * constants are folded (run once, their outputs kept as constants), and one run on a zero image
 * (batch 1) gives every node's output shape.
 */
import * as tf from '../tf.js';
import { InputError, InvalidValueError, messageOf } from '../errors.js';
import { MAX_INPUT_SIDE } from './metadata.js';
import type { OnnxGraph, OnnxNode } from './onnx-graph.js';
import { KERNELS, OnnxOpError, initializerValue, type KernelContext } from './onnx-ops.js';
import { type DeviceValue, device, logical, shapeOf, type Value } from './onnx-values.js';

/** One node that runs on the image (constants and folded nodes left out). */
export interface OnnxModelNode {
  name: string;
  opType: string;
  /** The node's output 0, the value `--layer` may also name. */
  output: string;
  /** Names of the nodes (or the graph input) whose outputs this node reads. */
  inputs: string[];
  /** Initializers this node reads (its weights). */
  constants: string[];
  /** ONNX shape of output 0 for a batch of one. */
  onnxShape: number[];
  /**
   * Output 0 is an NCHW feature map computed from the image through the layout-keeping ops
   * (onnx-values.ts), which the tool holds as NHWC; not so a rank-4 value a permute made NHWC.
   */
  spatial: boolean;
  /** Output 0's shape as explained: [batch, h, w, channels] for a spatial value, else the ONNX shape. */
  outputShape: number[];
  /** The PyTorch module the exporter's name points at (`layer4.1.relu`), '' if none. */
  modulePath: string;
  /** A convolution with a dilation above 1 (TensorFlow.js has no gradient for it). */
  dilated: boolean;
}

export interface LoadedOnnxModel {
  path: string;
  graph: OnnxGraph;
  /** The image input's value name. */
  inputName: string;
  /** [H, W, C] images are fed at. */
  inputShape: [number, number, number];
  /** The batch size written in the file, when fixed. */
  exportedBatch: number | undefined;
  /** The graph output's value name and the node writing it. */
  outputName: string;
  outputNode: string;
  nodes: OnnxModelNode[];
  classes: number;
  /**
   * Runs the graph. `feeds` (value name → value) must include the image input or every value the
   * wanted ones depend on; returns the wanted values. Call inside tf.tidy.
   */
  run(feeds: ReadonlyMap<string, Value>, wanted: readonly string[]): Value[];
  /** Puts new values in place of initializers (float32, same shapes); returns what restores them. */
  replaceInitializers(replacements: ReadonlyMap<string, tf.Tensor>): () => void;
  /** The current (possibly replaced) float32 initializer tensor of that name. */
  weight(name: string): tf.Tensor | undefined;
  dispose(): void;
}

const GRAPH_INPUT_OP = 'Input';

/** The model's constants on the backend: initializers, folded values, and weights prepared for an op. */
interface WeightStore {
  constants: Map<string, Value>;
  /** A weight in the form one node's op reads it (e.g. a filter as HWIO), keyed by node and input. */
  prepared: Map<string, tf.Tensor>;
  /** Large float32 initializers, uploaded only if some op reads them as they are. */
  lazy: Map<Value, LazyWeight>;
  initializerNames: Set<string>;
}

function emptyWeightStore(graph: OnnxGraph): WeightStore {
  return {
    constants: new Map(),
    prepared: new Map(),
    lazy: new Map(),
    initializerNames: new Set(graph.initializers.keys()),
  };
}

function loadInitializers(graph: OnnxGraph, store: WeightStore): void {
  for (const initializer of graph.initializers.values()) {
    if (initializer.dataType === 'float32' && initializer.values.length > 64) {
      const weight = lazyWeight(initializer.values as Float32Array, initializer.dims);
      store.lazy.set(weight.value, weight);
      store.constants.set(initializer.name, weight.value);
    } else {
      store.constants.set(initializer.name, initializerValue(initializer));
    }
  }
}

/** The tensor a device value holds on the backend now (a lazy weight's only once uploaded). */
function residentTensor(store: WeightStore, value: Value): tf.Tensor | undefined {
  if (value.kind !== 'device') return undefined;
  return store.lazy.has(value) ? store.lazy.get(value)?.uploaded() : value.tensor;
}

function disposeWeightStore(store: WeightStore): void {
  for (const value of store.constants.values()) residentTensor(store, value)?.dispose();
  for (const tensor of store.prepared.values()) tensor.dispose();
}

/** What a kernel may ask of the model: its inputs' weights in the form the op reads, made once. */
function kernelContext(store: WeightStore, node: OnnxNode, inputs: (Value | undefined)[]): KernelContext {
  return {
    node,
    prepared(index, prepare) {
      const name = node.inputs[index];
      const value = inputs[index];
      if (value === undefined) throw new OnnxOpError(`node "${node.name}" (${node.opType}) lacks input ${index}`);
      if (!store.initializerNames.has(name)) return prepare(logical(value));
      const key = `${node.name}\u0000${index}`;
      const cached = store.prepared.get(key);
      if (cached) return cached;
      const lazy = store.lazy.get(value);
      if (lazy && lazy.uploaded() === undefined) {
        // Made from the file's bytes: the weight as stored (OIHW) never stays on the backend.
        const made = tf.keep(tf.tidy(() => prepare(lazy.temporary())));
        store.prepared.set(key, made);
        return made;
      }
      const made = tf.tidy(() => prepare(logical(value)));
      // An initializer used as it is stays the constant's own tensor, never a second owner of it.
      if (value.kind === 'device' && made === value.tensor) return made;
      store.prepared.set(key, tf.keep(made));
      return made;
    },
  };
}

type NodeRunner = (node: OnnxNode, inputs: (Value | undefined)[]) => Value[];

function nodeRunner(store: WeightStore): NodeRunner {
  return (node, inputs) => {
    const kernel = KERNELS.get(node.opType);
    if (!kernel) throw new OnnxOpError(`node "${node.name}": ${node.opType} is not supported`);
    // A kernel's temporaries (a padded or transposed copy) go as soon as it returns, not when
    // the caller's scope ends; backpropagation keeps its own copies of what it needs.
    let outputs: Value[] = [];
    tf.tidy(() => {
      outputs = kernel(inputs, kernelContext(store, node, inputs));
      return outputs.flatMap((value) => (value.kind === 'device' ? [value.tensor] : []));
    });
    return outputs;
  };
}

/** Swaps initializers for the sanity check; the returned function puts the originals back. */
function initializerReplacer(store: WeightStore, runtimeNodes: OnnxNode[]): LoadedOnnxModel['replaceInitializers'] {
  return (replacements) => {
    const originals = new Map<string, Value | undefined>();
    for (const [name, tensor] of replacements) {
      if (!store.initializerNames.has(name))
        throw new RangeError(`replaceInitializers: "${name}" is not an initializer`);
      originals.set(name, store.constants.get(name));
      store.constants.set(name, device(tensor));
    }
    clearPrepared(store.prepared, runtimeNodes, replacements);
    return () => {
      for (const [name, value] of originals) if (value) store.constants.set(name, value);
      clearPrepared(store.prepared, runtimeNodes, replacements);
    };
  };
}

function singleOutputName(graph: OnnxGraph): string {
  if (graph.outputs.length !== 1) {
    throw new InputError(
      `${graph.path}: the graph has ${graph.outputs.length} outputs; only models with one output can be explained`,
    );
  }
  return graph.outputs[0].name;
}

/**
 * Builds the model on the current backend. inputSize: [height, width] for a model whose input
 * leaves them open. Throws InvalidValueError for unsupported ops, InputError for anything malformed.
 */
export function buildOnnxModel(graph: OnnxGraph, inputSize?: [number, number]): LoadedOnnxModel {
  const { path } = graph;
  checkSupportedOps(graph);
  const { inputName, inputShape, exportedBatch } = imageInputOf(graph, inputSize);
  const outputName = singleOutputName(graph);
  const store = emptyWeightStore(graph);
  try {
    loadInitializers(graph, store);
    const runNode = nodeRunner(store);
    const runtimeNodes = foldConstants(graph, store.constants, runNode);
    const producers = new Map<string, OnnxNode>();
    for (const node of runtimeNodes) for (const output of node.outputs) producers.set(output, node);

    const runOnce = (feeds: ReadonlyMap<string, Value>, wanted: readonly string[]): Value[] =>
      execute(runtimeNodes, producers, store.constants, feeds, wanted, runNode, (value) =>
        residentTensor(store, value),
      );
    // A model exported with a fixed batch may have written it into a Reshape or Expand shape (a
    // transformer's `view(n, …)`): other batch sizes run in slices of that size, which is exact.
    const batchBound =
      exportedBatch !== undefined && graph.nodes.some((node) => node.opType === 'Reshape' || node.opType === 'Expand');
    const run = (feeds: ReadonlyMap<string, Value>, wanted: readonly string[]): Value[] =>
      batchBound ? runInSlices(feeds, wanted, exportedBatch as number, runOnce) : runOnce(feeds, wanted);

    const shapes = shapesOnZeroImage(runtimeNodes, inputName, inputShape, run);
    const nodes = describeNodes(runtimeNodes, inputName, inputShape, shapes, store.initializerNames, producers);
    const output = shapes.get(outputName);
    const classes = output?.shape.at(-1) ?? 0;
    if (output?.shape.length !== 2 || classes < 1) {
      throw new InputError(
        `${path}: the output "${outputName}" has shape [${output?.shape.join(', ')}]; expected [batch, classes]`,
      );
    }
    return {
      path,
      graph,
      inputName,
      inputShape,
      exportedBatch,
      outputName,
      outputNode: producers.get(outputName)?.name ?? inputName,
      nodes,
      classes,
      run,
      replaceInitializers: initializerReplacer(store, runtimeNodes),
      weight(name) {
        const value = store.constants.get(name);
        return value?.kind === 'device' && store.initializerNames.has(name) ? value.tensor : undefined;
      },
      dispose: () => disposeWeightStore(store),
    };
  } catch (error) {
    disposeWeightStore(store);
    if (error instanceof OnnxOpError) throw new InputError(`${path}: ${error.message}`);
    if (error instanceof InputError || error instanceof InvalidValueError) throw error;
    throw new InputError(`${path}: cannot run the model (${firstLine(messageOf(error))})`);
  }
}

/**
 * Runs `run` on slices of `size` along the batch axis (axis 0 of every fed tensor, in either
 * layout) and joins the wanted values along it; one run when the batch already is `size`.
 */
function runInSlices(
  feeds: ReadonlyMap<string, Value>,
  wanted: readonly string[],
  size: number,
  run: (feeds: ReadonlyMap<string, Value>, wanted: readonly string[]) => Value[],
): Value[] {
  const fed = [...feeds].filter((entry): entry is [string, DeviceValue] => entry[1].kind === 'device');
  const batch = fed[0]?.[1].tensor.shape[0] ?? size;
  if (batch === size || batch % size !== 0) return run(feeds, wanted);
  const parts: Value[][] = [];
  for (let start = 0; start < batch; start += size) {
    const slice = new Map(feeds);
    for (const [name, value] of fed) {
      const { tensor } = value;
      const begin = tensor.shape.map((_, axis) => (axis === 0 ? start : 0));
      slice.set(name, {
        ...value,
        tensor: tf.slice(
          tensor,
          begin,
          tensor.shape.map((d, axis) => (axis === 0 ? size : d)),
        ),
      });
    }
    parts.push(run(slice, wanted));
  }
  return wanted.map((_, index) => {
    const first = parts[0][index] as DeviceValue;
    return device(
      tf.concat(
        parts.map((part) => (part[index] as DeviceValue).tensor),
        0,
      ),
      first.nhwc,
    );
  });
}

/** A float initializer whose backend tensor is made only if an op reads it as stored. */
interface LazyWeight {
  value: DeviceValue;
  /** The tensor, if made. */
  uploaded(): tf.Tensor | undefined;
  /** A new tensor of the values, for the caller to dispose (inside a tidy). */
  temporary(): tf.Tensor;
}

function lazyWeight(values: Float32Array, dims: number[]): LazyWeight {
  let tensor: tf.Tensor | undefined;
  const value: DeviceValue = {
    kind: 'device',
    nhwc: false,
    dims,
    get tensor() {
      tensor ??= tf.keep(tf.tensor(values, dims, 'float32'));
      return tensor;
    },
  };
  return { value, uploaded: () => tensor, temporary: () => tf.tensor(values, dims, 'float32') };
}

/** Drops the prepared forms (e.g. HWIO filters) of the replaced initializers, so they are made again. */
function clearPrepared(
  prepared: Map<string, tf.Tensor>,
  nodes: OnnxNode[],
  replaced: ReadonlyMap<string, tf.Tensor>,
): void {
  for (const node of nodes) {
    node.inputs.forEach((input, index) => {
      if (!replaced.has(input)) return;
      const key = `${node.name}\u0000${index}`;
      prepared.get(key)?.dispose();
      prepared.delete(key);
    });
    // A batch norm prepares its factor from inputs 1 and 4 and its shift from 2, 3 and the factor.
    if (node.opType === 'BatchNormalization' && node.inputs.some((input) => replaced.has(input))) {
      for (const index of [1, 2]) {
        const key = `${node.name}\u0000${index}`;
        prepared.get(key)?.dispose();
        prepared.delete(key);
      }
    }
  }
}

/**
 * One line naming every op type the translation lacks, with one node each: what a user needs to
 * see whether a re-export (another opset, another module) could avoid them.
 */
function checkSupportedOps(graph: OnnxGraph): void {
  const unsupported = new Map<string, string>();
  for (const node of graph.nodes) {
    const type = node.domain === '' ? node.opType : `${node.domain}.${node.opType}`;
    if ((node.domain !== '' || !KERNELS.has(node.opType)) && !unsupported.has(type)) unsupported.set(type, node.name);
  }
  if (unsupported.size === 0) return;
  const list = [...unsupported].map(([type, node]) => `${type} (node "${node}")`).join(', ');
  throw new InvalidValueError(
    `${graph.path}: unsupported ONNX op${unsupported.size > 1 ? 's' : ''} ${list}; see docs/onnx.md for the supported ones`,
  );
}

function imageInputOf(
  graph: OnnxGraph,
  inputSize: [number, number] | undefined,
): { inputName: string; inputShape: [number, number, number]; exportedBatch: number | undefined } {
  const { path } = graph;
  if (graph.inputs.length !== 1) {
    throw new InputError(
      `${path}: the graph has ${graph.inputs.length} inputs; only models with one image input can be explained`,
    );
  }
  const [input] = graph.inputs;
  const shape = input.shape ?? [];
  if (shape.length !== 4) {
    throw new InputError(
      `${path}: the input "${input.name}" has shape [${shape.map((d) => d ?? '?').join(', ')}]; expected an image batch [batch, channels, height, width]`,
    );
  }
  if (input.elementType !== 1)
    throw new InputError(`${path}: the input "${input.name}" is not float32; only float32 image inputs are supported`);
  const [batch, channels, height, width] = shape;
  if (channels === null) throw new InputError(`${path}: the input "${input.name}" does not fix its number of channels`);
  const open = height === null || width === null;
  if (open && !inputSize) {
    throw new InputError(
      `${path}: the input "${input.name}" does not fix its height and width; an input size must be given`,
    );
  }
  const size = open ? (inputSize as [number, number]) : [height as number, width as number];
  if (!size.every((side) => Number.isInteger(side) && side >= 1 && side <= MAX_INPUT_SIDE))
    throw new InputError(`${path}: input size ${size.join('×')}; each side must be 1 to ${MAX_INPUT_SIDE}`);
  return { inputName: input.name, inputShape: [size[0], size[1], channels], exportedBatch: batch ?? undefined };
}

/**
 * Runs, once, every node whose inputs are all constants (Shape/Gather/Concat chains on weights,
 * Constant nodes, a weight's Transpose), keeping its outputs as constants; returns the others.
 */
function foldConstants(
  graph: OnnxGraph,
  constants: Map<string, Value>,
  runNode: (node: OnnxNode, inputs: (Value | undefined)[]) => Value[],
): OnnxNode[] {
  const remaining: OnnxNode[] = [];
  for (const node of graph.nodes) {
    const foldable = node.inputs.every((input) => input === '' || constants.has(input));
    if (!foldable) {
      remaining.push(node);
      continue;
    }
    // Not in a tidy: the outputs are kept as constants, and a kernel's few temporaries are small.
    const outputs = runNode(
      node,
      node.inputs.map((input) => (input === '' ? undefined : constants.get(input))),
    );
    node.outputs.forEach((name, index) => {
      if (name !== '' && outputs[index]) constants.set(name, outputs[index]);
    });
  }
  return remaining;
}

/**
 * Computes `wanted` from `feeds`: only the nodes they need, in order; a tensor is disposed once
 * its last reader has run unless it is fed, constant or wanted (the gradient tape keeps its own
 * copies of what backpropagation needs).
 */
function execute(
  nodes: OnnxNode[],
  producers: ReadonlyMap<string, OnnxNode>,
  constants: ReadonlyMap<string, Value>,
  feeds: ReadonlyMap<string, Value>,
  wanted: readonly string[],
  runNode: (node: OnnxNode, inputs: (Value | undefined)[]) => Value[],
  resident: (value: Value) => tf.Tensor | undefined,
): Value[] {
  const needed = new Set<string>();
  const stack = wanted.filter((name) => !feeds.has(name) && !constants.has(name));
  while (stack.length > 0) {
    const node = producers.get(stack.pop() as string);
    if (!node || needed.has(node.name)) continue;
    needed.add(node.name);
    for (const input of node.inputs) if (input !== '' && !feeds.has(input) && !constants.has(input)) stack.push(input);
  }
  const plan = nodes.filter((node) => needed.has(node.name));
  const readsLeft = new Map<string, number>();
  for (const node of plan) for (const input of node.inputs) readsLeft.set(input, (readsLeft.get(input) ?? 0) + 1);
  const keep = new Set<tf.Tensor>();
  for (const value of [...feeds.values(), ...constants.values()]) {
    const tensor = resident(value);
    if (tensor) keep.add(tensor);
  }
  const values = new Map<string, Value>(feeds);
  const lookup = (name: string): Value | undefined => {
    if (name === '') return undefined;
    const value = values.get(name) ?? constants.get(name);
    if (value === undefined) throw new OnnxOpError(`the value "${name}" is not computed`);
    return value;
  };
  for (const node of plan) {
    const outputs = runNode(node, node.inputs.map(lookup));
    node.outputs.forEach((name, index) => {
      if (name !== '' && outputs[index]) values.set(name, outputs[index]);
    });
    for (const input of node.inputs) {
      const left = (readsLeft.get(input) ?? 0) - 1;
      readsLeft.set(input, left);
      if (left === 0 && !wanted.includes(input)) release(input, values, keep);
    }
  }
  return wanted.map((name) => lookup(name) as Value);
}

/** Disposes a value's tensor unless another live value (an Identity's output, say) holds the same tensor. */
function release(name: string, values: Map<string, Value>, keep: Set<tf.Tensor>): void {
  const value = values.get(name);
  if (value?.kind !== 'device' || keep.has(value.tensor)) return;
  values.delete(name);
  for (const held of values.values()) if (held.kind === 'device' && held.tensor === value.tensor) return;
  value.tensor.dispose();
}

interface ValueShape {
  /** ONNX shape. */
  shape: number[];
  dtype: string;
  nhwc: boolean;
}

function shapesOnZeroImage(
  nodes: OnnxNode[],
  inputName: string,
  inputShape: [number, number, number],
  run: LoadedOnnxModel['run'],
): Map<string, ValueShape> {
  const names = nodes.flatMap((node) => node.outputs.filter((name) => name !== ''));
  const shapes = new Map<string, ValueShape>();
  tf.tidy(() => {
    const [height, width, channels] = inputShape;
    const image = device(tf.zeros([1, height, width, channels]), true);
    const values = run(new Map([[inputName, image]]), names);
    names.forEach((name, index) => {
      const value = values[index];
      const onDevice = value.kind === 'device';
      shapes.set(name, {
        shape: shapeOf(value),
        dtype: onDevice ? value.tensor.dtype : 'host',
        nhwc: onDevice && value.nhwc,
      });
    });
  });
  shapes.set(inputName, { shape: [1, inputShape[2], inputShape[0], inputShape[1]], dtype: 'float32', nhwc: true });
  return shapes;
}

function describeNodes(
  nodes: OnnxNode[],
  inputName: string,
  inputShape: [number, number, number],
  shapes: Map<string, ValueShape>,
  initializers: Set<string>,
  producers: Map<string, OnnxNode>,
): OnnxModelNode[] {
  const input: OnnxModelNode = {
    name: inputName,
    opType: GRAPH_INPUT_OP,
    output: inputName,
    inputs: [],
    constants: [],
    onnxShape: [1, inputShape[2], inputShape[0], inputShape[1]],
    spatial: true,
    outputShape: [1, ...inputShape],
    modulePath: '',
    dilated: false,
  };
  const modules = modulePathsOf(nodes.map((node) => node.name));
  return [
    input,
    ...nodes.map((node) => {
      const onnxShape = shapes.get(node.outputs[0])?.shape ?? [];
      const spatial =
        onnxShape.length === 4 &&
        shapes.get(node.outputs[0])?.dtype === 'float32' &&
        shapes.get(node.outputs[0])?.nhwc === true;
      const readNodes = node.inputs
        .filter((value) => value !== '' && !initializers.has(value))
        .map((value) => (value === inputName ? inputName : producers.get(value)?.name))
        .filter((name): name is string => name !== undefined);
      const dilations = node.attributes.get('dilations');
      return {
        name: node.name,
        opType: node.opType,
        output: node.outputs[0],
        inputs: [...new Set(readNodes)],
        constants: node.inputs.filter((value) => initializers.has(value)),
        onnxShape,
        spatial,
        outputShape: spatial ? [onnxShape[0], onnxShape[2], onnxShape[3], onnxShape[1]] : onnxShape,
        modulePath: modules.get(node.name) ?? '',
        dilated: node.opType === 'Conv' && dilations?.kind === 'ints' && dilations.value.some((rate) => rate > 1),
      };
    }),
  ];
}

/**
 * The PyTorch module each node comes from, read from the scopes the exporter writes into node
 * names: `/layer4/layer4.1/relu_1/Relu` → `layer4.1.relu`. A module called twice gets scopes
 * `relu` and `relu_1`; a suffix is dropped only where that sibling scope exists, since `ln_1`
 * or `encoder_layer_1` are module names of their own.
 */
export function modulePathsOf(nodeNames: readonly string[]): Map<string, string> {
  const scopesOf = (name: string) =>
    name
      .split('/')
      .filter((part) => part !== '')
      .slice(0, -1);
  const known = new Set<string>();
  for (const name of nodeNames) {
    const scopes = scopesOf(name);
    scopes.forEach((_, depth) => known.add(scopes.slice(0, depth + 1).join('/')));
  }
  const paths = new Map<string, string>();
  for (const name of nodeNames) {
    const scopes = scopesOf(name);
    const parts: string[] = [];
    let previous = '';
    scopes.forEach((scope, depth) => {
      const base = scope.replace(/_\d+$/, '');
      const repeated = base !== scope && known.has([...scopes.slice(0, depth), base].join('/'));
      const module = repeated ? base : scope;
      // A child of a Sequential is written with its parent's name in front (`layer4/layer4.1`).
      parts.push(previous !== '' && module.startsWith(`${previous}.`) ? module.slice(previous.length + 1) : module);
      previous = module;
    });
    paths.set(name, parts.join('.'));
  }
  return paths;
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
