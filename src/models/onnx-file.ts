/**
 * Reading an `.onnx` file: the protobuf decoded with protobufjs against the official onnx.proto
 * (schemas/onnx.proto), then checked and turned into plain data (onnx-graph.ts's types) that the
 * rest of the tree reads without knowing protobuf.
 *
 * What is checked here, before anything is allocated for a tensor: the opset (ai.onnx 11 to 18),
 * every initializer's byte count against its dims and data type (so a header claiming gigabytes
 * is refused without reading them), external data files (plain paths inside the model's folder,
 * offset and length inside the file), and the node list (names, outputs defined once, no cycle).
 * Weights stay views over the file's buffer: one read, no copy until they go to the backend.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { InputError, messageOf } from '../errors.js';
import type { OnnxAttribute, OnnxGraph, OnnxInitializer, OnnxNode, OnnxValueInfo } from './onnx-graph.js';

/** The opsets of the default domain whose operators are translated (onnx-ops.ts). */
export const MIN_OPSET = 11;
export const MAX_OPSET = 18;

/** Above this a file is not a classifier anyone exports (ViT-L/16 is 1.2 GB). */
const MAX_FILE_BYTES = 4 * 1024 ** 3;
/** Above this a graph is not a classifier (ConvNeXt-Tiny exports about 300 nodes). */
const MAX_NODES = 100_000;
/** One initializer larger than this would need more memory than a CPU run of a classifier has. */
export const MAX_TENSOR_BYTES = 2 * 1024 ** 3;

const SCHEMA = fileURLToPath(new URL('../../schemas/onnx.proto', import.meta.url));

let modelType: protobuf.Type | undefined;

function modelProto(): protobuf.Type {
  modelType ??= protobuf.loadSync(SCHEMA).lookupType('onnx.ModelProto');
  return modelType;
}

/** TensorProto.DataType values and their byte sizes, for the types a classifier's constants use. */
const DATA_TYPES: Record<number, { name: OnnxInitializer['dataType']; bytes: number }> = {
  1: { name: 'float32', bytes: 4 },
  6: { name: 'int32', bytes: 4 },
  7: { name: 'int64', bytes: 8 },
  9: { name: 'bool', bytes: 1 },
  11: { name: 'float64', bytes: 8 },
};

/** Reads and checks an ONNX model file. Throws InputError naming `path` for anything malformed. */
export async function readOnnxFile(path: string): Promise<OnnxGraph> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`${path}: ${error.code === 'ENOENT' ? 'no such file' : `cannot read (${error.code})`}`);
  });
  if (!info.isFile()) throw new InputError(`${path}: not a regular file; expected an ONNX model`);
  if (info.size > MAX_FILE_BYTES) throw new InputError(`${path}: ${info.size} bytes; at most 4 GiB are supported`);
  const bytes = await readFile(path);
  let decoded: ProtoModel;
  try {
    decoded = modelProto().decode(bytes) as unknown as ProtoModel;
  } catch (error) {
    throw new InputError(`${path}: not an ONNX model (the protobuf is truncated or malformed: ${messageOf(error)})`);
  }
  const graph = await graphOf(decoded, path);
  return graph;
}

async function graphOf(model: ProtoModel, path: string): Promise<OnnxGraph> {
  const graph = model.graph;
  if (!graph || graph.node.length === 0) throw new InputError(`${path}: not an ONNX model (no graph nodes)`);
  const opset = defaultOpset(model, path);
  if (graph.node.length > MAX_NODES)
    throw new InputError(`${path}: ${graph.node.length} nodes; at most ${MAX_NODES} are supported`);
  const initializers = new Map<string, OnnxInitializer>();
  for (const tensor of graph.initializer) {
    const initializer = await initializerOf(tensor, path);
    initializers.set(initializer.name, initializer);
  }
  const nodes = graph.node.map((node, index) => nodeOf(node, index, path));
  checkNodeNames(nodes, path);
  const inputs = graph.input.filter((input) => !initializers.has(input.name)).map(valueInfoOf);
  const outputs = graph.output.map(valueInfoOf);
  const ordered = topologicalOrder(
    nodes,
    new Set([...initializers.keys(), ...inputs.map((input) => input.name)]),
    path,
  );
  return { path, opset, nodes: ordered, initializers, inputs, outputs };
}

function defaultOpset(model: ProtoModel, path: string): number {
  const entry = model.opsetImport.find((item) => item.domain === '' || item.domain === 'ai.onnx');
  const version = entry ? toNumber(entry.version) : 0;
  if (version < MIN_OPSET || version > MAX_OPSET) {
    throw new InputError(
      `${path}: opset ${version || 'missing'}; models exported at opsets ${MIN_OPSET} to ${MAX_OPSET} are supported`,
    );
  }
  return version;
}

function nodeOf(node: ProtoNode, index: number, path: string): OnnxNode {
  const outputs = node.output;
  if (outputs.length === 0 || outputs[0] === '')
    throw new InputError(`${path}: node ${node.name || index} (${node.opType}) has no output`);
  const attributeOf = (attribute: ProtoAttribute) => attributeValue(attribute, path);
  return {
    name: node.name || `${node.opType}_${index}`,
    opType: node.opType,
    domain: node.domain === 'ai.onnx' ? '' : node.domain,
    inputs: [...node.input],
    outputs: [...outputs],
    attributes: new Map(node.attribute.map((attribute) => [attribute.name, attributeOf(attribute)])),
  };
}

function attributeValue(attribute: ProtoAttribute, path: string): OnnxAttribute {
  switch (attribute.type) {
    case 1:
      return { kind: 'float', value: attribute.f };
    case 2:
      return { kind: 'int', value: toNumber(attribute.i) };
    case 3:
      return { kind: 'string', value: Buffer.from(attribute.s).toString('utf8') };
    case 4:
      if (!attribute.t) throw new InputError(`${path}: attribute "${attribute.name}" holds no tensor`);
      if (attribute.t.dataLocation === 1)
        throw new InputError(`${path}: attribute "${attribute.name}" keeps its tensor in external data`);
      return { kind: 'tensor', value: tensorOf(attribute.t, attribute.t.rawData, path) };
    case 6:
      return { kind: 'floats', value: [...attribute.floats] };
    case 7:
      return { kind: 'ints', value: attribute.ints.map(toNumber) };
    default:
      return { kind: 'other', value: attribute.type };
  }
}

function valueInfoOf(info: ProtoValueInfo): OnnxValueInfo {
  const type = info.type?.tensorType;
  const dims = type?.shape?.dim.map((dim) =>
    dim.dimValue !== undefined && dim.dimValue !== null ? toNumber(dim.dimValue) : null,
  );
  return {
    name: info.name,
    elementType: type?.elemType ?? 0,
    shape: dims?.map((dim) => (dim !== null && dim > 0 ? dim : null)),
  };
}

/** Every node named once, every output written by one node. */
function checkNodeNames(nodes: OnnxNode[], path: string): void {
  const names = new Set<string>();
  const outputs = new Set<string>();
  for (const node of nodes) {
    if (names.has(node.name)) throw new InputError(`${path}: two nodes are named "${node.name}"`);
    names.add(node.name);
    for (const output of node.outputs) {
      if (output !== '' && outputs.has(output))
        throw new InputError(`${path}: the value "${output}" is written by two nodes`);
      outputs.add(output);
    }
  }
}

/**
 * Kahn's algorithm, stable in file order (exporters write nodes in order, but the format does not
 * require it). A node reading a value no node, input or initializer defines is refused, and so is
 * a cycle: either would leave a node that can never run.
 */
function topologicalOrder(nodes: OnnxNode[], defined: Set<string>, path: string): OnnxNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((node, index) => {
    for (const output of node.outputs) if (output !== '') producer.set(output, index);
  });
  const waiting = nodes.map(() => 0);
  const readers = nodes.map(() => [] as number[]);
  nodes.forEach((node, index) => {
    for (const input of new Set(node.inputs)) {
      if (input === '' || defined.has(input)) continue;
      const from = producer.get(input);
      if (from === undefined)
        throw new InputError(
          `${path}: node "${node.name}" reads "${input}", which no node, input or initializer defines`,
        );
      waiting[index] += 1;
      readers[from].push(index);
    }
  });
  const ready = nodes.map((_, index) => index).filter((index) => waiting[index] === 0);
  const order: OnnxNode[] = [];
  for (let next = 0; next < ready.length; next += 1) {
    const index = ready[next];
    order.push(nodes[index]);
    for (const reader of readers[index]) {
      waiting[reader] -= 1;
      if (waiting[reader] === 0) ready.push(reader);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, index) => waiting[index] > 0);
    throw new InputError(`${path}: the graph has a cycle through node "${stuck?.name}"`);
  }
  return order;
}

/**
 * An initializer's values as a typed array over the file's (or external file's) bytes, after
 * checking that the data holds exactly the elements its dims declare. Unaligned raw data (its
 * offset in the file is not a multiple of the element size) is the one case that is copied.
 */
async function initializerOf(tensor: ProtoTensor, path: string): Promise<OnnxInitializer> {
  const byteLength = checkedByteLength(tensor, path);
  const raw = tensor.dataLocation === 1 ? await externalData(tensor, byteLength, path) : tensor.rawData;
  return tensorOf(tensor, raw, path);
}

/** The tensor's size in bytes from its dims and type, refused above MAX_TENSOR_BYTES. */
function checkedByteLength(tensor: ProtoTensor, path: string): number {
  const name = tensor.name ?? '';
  const dims = tensor.dims.map(toNumber);
  const type = DATA_TYPES[tensor.dataType ?? 0];
  if (!type) throw new InputError(`${path}: tensor "${name}" has data type ${tensor.dataType}, which is not supported`);
  if (dims.some((dim) => !Number.isSafeInteger(dim) || dim < 0))
    throw new InputError(`${path}: tensor "${name}" has dims [${dims.join(', ')}]`);
  const elements = dims.reduce((a, b) => a * b, 1);
  const byteLength = elements * type.bytes;
  if (byteLength > MAX_TENSOR_BYTES) {
    throw new InputError(
      `${path}: tensor "${name}" declares [${dims.join(', ')}] (${gib(byteLength)} GiB); at most 2 GiB per tensor are supported`,
    );
  }
  return byteLength;
}

function tensorOf(tensor: ProtoTensor, raw: Uint8Array | undefined, path: string): OnnxInitializer {
  const name = tensor.name ?? '';
  const byteLength = checkedByteLength(tensor, path);
  const dims = tensor.dims.map(toNumber);
  const type = DATA_TYPES[tensor.dataType ?? 0];
  const elements = byteLength / type.bytes;
  const values =
    raw && raw.byteLength > 0 ? fromRaw(raw, type.name, type.bytes, elements) : fromFields(tensor, type.name);
  if (values.length !== elements) {
    throw new InputError(
      `${path}: tensor "${name}" declares [${dims.join(', ')}] (${elements} values) but holds ${values.length}`,
    );
  }
  return { name, dims, dataType: type.name, values };
}

function fromRaw(
  raw: Uint8Array,
  dataType: OnnxInitializer['dataType'],
  size: number,
  elements: number,
): OnnxInitializer['values'] {
  // A wrong byte count is reported by the caller as the number of values held.
  if (raw.byteLength !== elements * size) return new Uint8Array(Math.floor(raw.byteLength / size));
  // A Buffer's slice() is a view: copy through the Uint8Array constructor.
  const aligned = raw.byteOffset % size === 0 ? raw : new Uint8Array(raw);
  const { buffer, byteOffset } = aligned;
  switch (dataType) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, elements);
    case 'int32':
      return new Int32Array(buffer, byteOffset, elements);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, elements);
    case 'float64':
      return new Float64Array(buffer, byteOffset, elements);
    case 'bool':
      return new Uint8Array(buffer, byteOffset, elements);
  }
}

function fromFields(tensor: ProtoTensor, dataType: OnnxInitializer['dataType']): OnnxInitializer['values'] {
  switch (dataType) {
    case 'float32':
      return Float32Array.from(tensor.floatData);
    case 'float64':
      return Float64Array.from(tensor.doubleData);
    case 'int64':
      return BigInt64Array.from(tensor.int64Data.map((value) => BigInt(toNumber(value))));
    case 'int32':
      return Int32Array.from(tensor.int32Data);
    case 'bool':
      return Uint8Array.from(tensor.int32Data);
  }
}

/**
 * The bytes of an initializer stored beside the model (`location`, `offset`, `length`): the
 * location must be a relative path that stays inside the model's folder, and the range must lie
 * inside the file, both checked before reading.
 */
async function externalData(tensor: ProtoTensor, byteLength: number, path: string): Promise<Uint8Array> {
  const entries = new Map(tensor.externalData.map((entry) => [entry.key, entry.value]));
  const location = entries.get('location') ?? '';
  const folder = dirname(path);
  const file = join(folder, normalize(location));
  const inside = relative(folder, file);
  if (location === '' || isAbsolute(location) || inside === '' || inside.startsWith(`..${sep}`) || inside === '..') {
    throw new InputError(
      `${path}: tensor "${tensor.name}" names external data ${JSON.stringify(location)}; expected a file inside ${folder}`,
    );
  }
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : byteLength;
  const info = await stat(file).catch(() => {
    throw new InputError(`${file}: missing or unreadable (external data of tensor "${tensor.name}" in ${path})`);
  });
  if (!Number.isSafeInteger(offset) || offset < 0 || length !== byteLength || offset + length > info.size) {
    throw new InputError(
      `${file}: tensor "${tensor.name}" needs ${byteLength} bytes at offset ${offset}; the file has ${info.size}`,
    );
  }
  const bytes = await readFile(file);
  return bytes.subarray(offset, offset + length);
}

function gib(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1);
}

/** protobufjs gives int64 fields as Long objects (the `long` package is present) or numbers. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

type Int64 = number | { toNumber(): number };

interface ProtoModel {
  opsetImport: { domain?: string; version: Int64 }[];
  graph?: ProtoGraph;
}

interface ProtoGraph {
  node: ProtoNode[];
  initializer: ProtoTensor[];
  input: ProtoValueInfo[];
  output: ProtoValueInfo[];
}

interface ProtoNode {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: ProtoAttribute[];
}

interface ProtoAttribute {
  name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: ProtoTensor;
  floats: number[];
  ints: Int64[];
}

export interface ProtoTensor {
  name?: string;
  dims: Int64[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData: number[];
  int32Data: number[];
  int64Data: Int64[];
  doubleData: number[];
  dataLocation?: number;
  externalData: { key: string; value: string }[];
}

interface ProtoValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim: { dimValue?: Int64 | null }[] } } };
}
