/**
 * An ONNX model as plain data, once read and checked (onnx-file.ts): what the translation
 * (onnx-model.ts, onnx-ops.ts) and the surgery read, with no protobuf type in sight.
 */

/** An initializer or a Constant's value: values are views over the file's bytes where possible. */
export interface OnnxInitializer {
  name: string;
  dims: number[];
  dataType: 'float32' | 'int32' | 'int64' | 'float64' | 'bool';
  values: Float32Array | Int32Array | BigInt64Array | Float64Array | Uint8Array;
}

export type OnnxAttribute =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: OnnxInitializer }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'other'; value: number };

export interface OnnxNode {
  /** The node's name as the exporter wrote it (`/layer4/layer4.1/relu_1/Relu`), or `OpType_index`. */
  name: string;
  opType: string;
  /** '' for the default domain (ai.onnx). */
  domain: string;
  /** Value names read, in order; '' for an optional input left out. */
  inputs: string[];
  /** Value names written, in order. */
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType (1: float32). */
  elementType: number;
  /** Dims, null where symbolic or unknown; undefined when the file states no shape. */
  shape: (number | null)[] | undefined;
}

export interface OnnxGraph {
  /** The .onnx file, for messages. */
  path: string;
  /** The ai.onnx opset the model was exported at. */
  opset: number;
  /** Nodes in topological order. */
  nodes: OnnxNode[];
  initializers: Map<string, OnnxInitializer>;
  /** Graph inputs that are not initializers (the image). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/**
 * The image input's shape as gradcam states shapes, [batch, height, width, channels] with null
 * where open, from ONNX's [batch, channels, height, width]; undefined when the file states none.
 */
export function declaredOnnxInputShape(graph: OnnxGraph): (number | null)[] | undefined {
  const shape = graph.inputs.length === 1 ? graph.inputs[0].shape : undefined;
  return shape?.length === 4 ? [null, shape[2], shape[3], shape[1]] : undefined;
}
