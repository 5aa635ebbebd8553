/**
 * The values an ONNX graph passes between nodes while it runs in TensorFlow.js, and the one place
 * the layout is handled.
 *
 * ONNX is NCHW; TensorFlow.js's wasm and cpu kernels want NHWC. A rank-4 value computed by a
 * convolution is kept as NHWC (`nhwc: true`: the stored tensor is the ONNX value transposed by
 * [0, 2, 3, 1]), and stays so through the ops that do not care (element-wise ops, pooling, batch
 * norm, concatenation and slicing along a mapped axis). An op that reads the ONNX element order
 * (Flatten, Reshape, MatMul, ...) gets the value transposed back first, so a Flatten after the
 * last convolution keeps PyTorch's order. A Transpose that turns NCHW into NHWC (ConvNeXt's
 * permute before its LayerNorm) costs nothing: the stored tensor already is that.
 *
 * Shape arithmetic (Shape, Gather, Concat, Unsqueeze, ... on small integer vectors) runs on
 * `HostValue`s, plain JavaScript arrays, never on the backend.
 */
import * as tf from '../tf.js';

/** A tensor on the backend. */
export interface DeviceValue {
  kind: 'device';
  tensor: tf.Tensor;
  /** The ONNX value is rank-4 NCHW and `tensor` holds it as NHWC. */
  nhwc: boolean;
  /** The shape, for a weight whose tensor is made on first use (reading `tensor` would make it). */
  dims?: number[];
}

/** A small value computed on the host: shapes, axes, indices, scalars. */
export interface HostValue {
  kind: 'host';
  /** Row-major values; int64 data as numbers (shapes and indices are far below 2^53). */
  data: number[];
  shape: number[];
  dataType: 'float32' | 'int';
}

export type Value = DeviceValue | HostValue;

/** ONNX axis a of a rank-4 NCHW value → its axis in the NHWC tensor. */
export const NCHW_TO_NHWC_AXIS = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

export function device(tensor: tf.Tensor, nhwc = false): DeviceValue {
  return { kind: 'device', tensor, nhwc };
}

export function host(data: number[], shape: number[], dataType: HostValue['dataType'] = 'int'): HostValue {
  return { kind: 'host', data, shape, dataType };
}

/** The ONNX shape of a value. */
export function shapeOf(value: Value): number[] {
  if (value.kind === 'host') return value.shape;
  if (value.dims) return value.dims;
  const shape = value.tensor.shape;
  return value.nhwc ? [shape[0], shape[3], shape[1], shape[2]].map(Number) : shape;
}

/** The value as a backend tensor in ONNX element order. */
export function logical(value: Value): tf.Tensor {
  if (value.kind === 'host') return toTensor(value);
  return value.nhwc ? tf.transpose(value.tensor, TO_NCHW) : value.tensor;
}

/**
 * The value as an NHWC tensor, for an op computing on NHWC data: an NHWC value as it is; another
 * rank-4 value transposed; a lower-rank one (a [C, 1, 1] bias broadcast against NCHW) padded to
 * rank 4 with leading ones first, so that it broadcasts against NHWC the same way.
 */
export function asNhwc(value: Value): tf.Tensor {
  if (value.kind === 'device' && value.nhwc) return value.tensor;
  const tensor = logical(value);
  if (tensor.rank > 4) throw new RangeError(`a rank-${tensor.rank} value cannot meet an NCHW image`);
  if (tensor.rank === 0) return tensor;
  const padded = tensor.rank < 4 ? tf.reshape(tensor, [...Array(4 - tensor.rank).fill(1), ...tensor.shape]) : tensor;
  return tf.transpose(padded, TO_NHWC);
}

export function isNhwc(value: Value): boolean {
  return value.kind === 'device' && value.nhwc;
}

/** A host value as a backend tensor (float32, or int32 for integers). */
export function toTensor(value: HostValue): tf.Tensor {
  return value.dataType === 'float32'
    ? tf.tensor(value.data, value.shape, 'float32')
    : tf.tensor(value.data, value.shape, 'int32');
}

/**
 * A Transpose by `perm` (ONNX axes): free when the result is the stored tensor read in another
 * layout (NCHW → NHWC and back), one transpose otherwise.
 */
export function transposeValue(value: DeviceValue, perm: number[]): DeviceValue {
  const stored = value.nhwc ? TO_NCHW : value.tensor.shape.map((_, axis) => axis);
  // ONNX out = transpose(stored tensor, composed).
  const composed = perm.map((axis) => stored[axis]);
  if (composed.every((axis, index) => axis === index)) return device(value.tensor);
  if (composed.length === 4 && composed.every((axis, index) => axis === TO_NCHW[index]))
    return device(value.tensor, true);
  return device(tf.transpose(value.tensor, composed));
}
