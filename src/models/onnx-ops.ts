/**
 * ONNX operators as TensorFlow.js ops, so that tfjs's autodiff differentiates a translated model
 * as it does a layers or graph model. One kernel per op type: ONNX attributes and inputs in,
 * values out (onnx-values.ts handles the layout). Semantics follow the ONNX operator docs for
 * opsets 11 to 18 where they changed (Clip's bounds, Squeeze's axes, ReduceMean's axes, Split's
 * sizes moved from attributes to inputs).
 */
import * as tf from '../tf.js';
import type { OnnxAttribute, OnnxNode } from './onnx-graph.js';
import {
  NCHW_TO_NHWC_AXIS,
  asNhwc,
  device,
  host,
  isNhwc,
  logical,
  shapeOf,
  toTensor,
  transposeValue,
  type DeviceValue,
  type HostValue,
  type Value,
} from './onnx-values.js';

/** What a kernel is given besides its inputs. */
export interface KernelContext {
  node: OnnxNode;
  /**
   * The weight at input `index` transformed by `prepare` (e.g. OIHW → HWIO), computed once and
   * kept when that input is an initializer, computed each time otherwise.
   */
  prepared(index: number, prepare: (weight: tf.Tensor) => tf.Tensor): tf.Tensor;
}

export type Kernel = (inputs: (Value | undefined)[], context: KernelContext) => Value[];

/** An ONNX value that the translation cannot handle (a shape, an attribute): a message for the model's file. */
export class OnnxOpError extends Error {}

/** Above this many elements, a tensor an op would create (Expand, ConstantOfShape) is refused. */
export const MAX_ELEMENTS = 2 ** 28;

function attribute(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.get(name);
}

function intAttribute(node: OnnxNode, name: string, fallback: number): number {
  const value = attribute(node, name);
  return value?.kind === 'int' ? value.value : fallback;
}

function floatAttribute(node: OnnxNode, name: string, fallback: number): number {
  const value = attribute(node, name);
  return value?.kind === 'float' ? value.value : fallback;
}

function intsAttribute(node: OnnxNode, name: string): number[] | undefined {
  const value = attribute(node, name);
  return value?.kind === 'ints' ? value.value : undefined;
}

function stringAttribute(node: OnnxNode, name: string, fallback: string): string {
  const value = attribute(node, name);
  return value?.kind === 'string' ? value.value : fallback;
}

/** A host input (axes, shapes, sizes), or undefined when left out. */
function hostInput(inputs: (Value | undefined)[], index: number, node: OnnxNode): number[] | undefined {
  const value = inputs[index];
  if (value === undefined) return undefined;
  if (value.kind !== 'host')
    throw new OnnxOpError(
      `node "${node.name}" (${node.opType}) computes input ${index} from the image; it must be constant`,
    );
  return value.data;
}

function required(inputs: (Value | undefined)[], index: number, node: OnnxNode): Value {
  const value = inputs[index];
  if (value === undefined) throw new OnnxOpError(`node "${node.name}" (${node.opType}) lacks input ${index}`);
  return value;
}

const normalizeAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** Applies `op` to the value keeping its layout (element-wise ops). */
function unary(op: (x: tf.Tensor, context: KernelContext) => tf.Tensor): Kernel {
  return (inputs, context) => {
    const x = required(inputs, 0, context.node);
    if (x.kind === 'host') return [device(op(toTensor(x), context))];
    return [device(op(x.tensor, context), x.nhwc)];
  };
}

/** Host arithmetic for shape subgraphs, with numpy broadcasting of a scalar against a vector. */
function hostBinary(a: HostValue, b: HostValue, op: (x: number, y: number) => number): HostValue {
  const length = Math.max(a.data.length, b.data.length);
  const at = (value: HostValue, index: number) => value.data[value.data.length === 1 ? 0 : index];
  const data = Array.from({ length }, (_, index) => op(at(a, index), at(b, index)));
  const shape = a.data.length >= b.data.length ? a.shape : b.shape;
  const dataType = a.dataType === 'float32' || b.dataType === 'float32' ? 'float32' : 'int';
  return host(dataType === 'int' ? data.map(Math.trunc) : data, shape, dataType);
}

function binary(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, onHost: (x: number, y: number) => number): Kernel {
  return (inputs, { node }) => {
    const a = required(inputs, 0, node);
    const b = required(inputs, 1, node);
    if (a.kind === 'host' && b.kind === 'host' && a.data.length <= 64 && b.data.length <= 64)
      return [hostBinary(a, b, onHost)];
    // Both sides in the layout of the NHWC one, if any: a [C, 1, 1] bias meets NCHW activations.
    if ((isNhwc(a) && shapeOf(b).length <= 4) || (isNhwc(b) && shapeOf(a).length <= 4))
      return [device(op(asNhwc(a), asNhwc(b)), true)];
    return [device(op(logical(a), logical(b)))];
  };
}

function conv(inputs: (Value | undefined)[], context: KernelContext): Value[] {
  const { node } = context;
  const x = asNhwc(required(inputs, 0, node)) as tf.Tensor4D;
  const [outChannels, perGroup, kh, kw] = shapeOf(required(inputs, 1, node));
  const inChannels = x.shape[3];
  const group = intAttribute(node, 'group', 1);
  const strides = (intsAttribute(node, 'strides') ?? [1, 1]) as [number, number];
  const dilations = (intsAttribute(node, 'dilations') ?? [1, 1]) as [number, number];
  if (perGroup * group !== inChannels || outChannels % group !== 0)
    throw new OnnxOpError(
      `node "${node.name}" (Conv): weights [${outChannels}, ${perGroup}, ${kh}, ${kw}] do not fit ${inChannels} input channels in ${group} groups`,
    );
  const padded = padSpatial(x, node, [kh, kw], strides, dilations, 0);
  let y: tf.Tensor4D;
  if (group === 1) {
    const filter = context.prepared(1, (w) => tf.transpose(w, [2, 3, 1, 0])) as tf.Tensor4D;
    y = tf.conv2d(padded, filter, strides, 'valid', 'NHWC', dilations);
  } else if (perGroup === 1) {
    // Depthwise: output channel o reads input channel floor(o / multiplier).
    const multiplier = outChannels / group;
    const filter = context.prepared(1, (w) =>
      tf.transpose(tf.reshape(w, [group, multiplier, kh, kw]), [2, 3, 0, 1]),
    ) as tf.Tensor4D;
    y = tf.depthwiseConv2d(padded, filter, strides, 'valid', 'NHWC', dilations);
  } else {
    const filter = context.prepared(1, (w) => tf.transpose(w, [2, 3, 1, 0])) as tf.Tensor4D;
    const xs = tf.split(padded, group, 3) as tf.Tensor4D[];
    const ws = tf.split(filter, group, 3) as tf.Tensor4D[];
    y = tf.concat(
      xs.map((part, index) => tf.conv2d(part, ws[index], strides, 'valid', 'NHWC', dilations)),
      3,
    );
  }
  if (inputs[2] !== undefined)
    y = tf.add(
      y,
      context.prepared(2, (b) => b),
    );
  return [device(y, true)];
}

/**
 * Explicit ONNX pads (or auto_pad) applied as a tf.pad, so that every convolution and pooling
 * runs as 'valid': the same arithmetic for symmetric and asymmetric pads, with the plain
 * gradients of pad (a slice) and of the valid op.
 */
function padSpatial(
  x: tf.Tensor4D,
  node: OnnxNode,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
  value: number,
  ceilMode = false,
): tf.Tensor4D {
  const [, height, width] = x.shape;
  const autoPad = stringAttribute(node, 'auto_pad', 'NOTSET');
  let pads = intsAttribute(node, 'pads') ?? [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = [height, width].map((size, axis) => {
      const out = Math.ceil(size / strides[axis]);
      return Math.max(0, (out - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - size);
    });
    const small = total.map((sum) => Math.floor(sum / 2));
    pads =
      autoPad === 'SAME_UPPER'
        ? [small[0], small[1], total[0] - small[0], total[1] - small[1]]
        : [total[0] - small[0], total[1] - small[1], small[0], small[1]];
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  }
  const [top, left, bottom, right] = pads;
  let extraBottom = 0;
  let extraRight = 0;
  if (ceilMode) {
    // ceil_mode: one more window where a partial one starts inside the (padded) input.
    [extraBottom, extraRight] = [height + top + bottom, width + left + right].map((size, axis) => {
      const span = (kernel[axis] - 1) * dilations[axis] + 1;
      let out = Math.ceil((size - span) / strides[axis]) + 1;
      if ((out - 1) * strides[axis] >= size - (axis === 0 ? bottom : right)) out -= 1;
      return Math.max(0, (out - 1) * strides[axis] + span - size);
    });
  }
  if (top + bottom + left + right + extraBottom + extraRight === 0) return x;
  return tf.pad(
    x,
    [
      [0, 0],
      [top, bottom + extraBottom],
      [left, right + extraRight],
      [0, 0],
    ],
    value,
  );
}

function maxPool(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = asNhwc(required(inputs, 0, node)) as tf.Tensor4D;
  const kernel = intsAttribute(node, 'kernel_shape') as [number, number];
  const strides = (intsAttribute(node, 'strides') ?? [1, 1]) as [number, number];
  const dilations = (intsAttribute(node, 'dilations') ?? [1, 1]) as [number, number];
  if (dilations.some((rate) => rate !== 1))
    throw new OnnxOpError(`node "${node.name}" (MaxPool): dilations are not supported`);
  const ceil = intAttribute(node, 'ceil_mode', 0) === 1;
  const padded = padSpatial(x, node, kernel, strides, dilations, -3.4e38, ceil);
  return [device(tf.maxPool(padded, kernel, strides, 'valid'), true)];
}

function averagePool(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = asNhwc(required(inputs, 0, node)) as tf.Tensor4D;
  const kernel = intsAttribute(node, 'kernel_shape') as [number, number];
  const strides = (intsAttribute(node, 'strides') ?? [1, 1]) as [number, number];
  const ceil = intAttribute(node, 'ceil_mode', 0) === 1;
  const padded = padSpatial(x, node, kernel, strides, [1, 1], 0, ceil);
  const mean = tf.avgPool(padded, kernel, strides, 'valid');
  if (padded === x || intAttribute(node, 'count_include_pad', 0) === 1) return [device(mean, true)];
  // Padding excluded from the count: divide by the share of each window that lies inside.
  const inside = padSpatial(tf.ones([1, x.shape[1], x.shape[2], 1]), node, kernel, strides, [1, 1], 0, ceil);
  return [device(tf.div(mean, tf.avgPool(inside, kernel, strides, 'valid')), true)];
}

function batchNormalization(inputs: (Value | undefined)[], context: KernelContext): Value[] {
  const { node } = context;
  const x = required(inputs, 0, node);
  const epsilon = floatAttribute(node, 'epsilon', 1e-5);
  // y = (x - mean) / sqrt(var + eps) * scale + bias = x * factor + shift, per channel.
  const factor = context.prepared(1, (scale) => tf.div(scale, tf.sqrt(tf.add(weight(inputs, 4), epsilon))));
  const shift = context.prepared(2, (bias) => tf.sub(bias, tf.mul(weight(inputs, 3), factor)));
  if (isNhwc(x) || shapeOf(x).length === 4) return [device(tf.add(tf.mul(asNhwc(x), factor), shift), true)];
  const tensor = logical(x);
  const channelShape = [tensor.shape[1], ...Array(tensor.rank - 2).fill(1)];
  return [device(tf.add(tf.mul(tensor, tf.reshape(factor, channelShape)), tf.reshape(shift, channelShape)))];
}

function weight(inputs: (Value | undefined)[], index: number): tf.Tensor {
  const value = inputs[index];
  if (value === undefined) throw new OnnxOpError(`input ${index} missing`);
  return logical(value);
}

function clip(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node);
  const bound = (index: number, name: string, fallback: number) => {
    const value = inputs[index];
    if (value?.kind === 'host') return value.data[0];
    if (value?.kind === 'device') return logical(value).dataSync()[0];
    return floatAttribute(node, name, fallback);
  };
  const low = bound(1, 'min', -3.4e38);
  const high = bound(2, 'max', 3.4e38);
  if (x.kind === 'host')
    return [
      host(
        x.data.map((v) => Math.min(high, Math.max(low, v))),
        x.shape,
        x.dataType,
      ),
    ];
  // ReLU6 as min(relu(x), 6): its gradient is the one PyTorch's hardtanh gives (1 strictly inside).
  const clipped = low === 0 ? tf.minimum(tf.relu(x.tensor), high) : tf.clipByValue(x.tensor, low, high);
  return [device(clipped, x.nhwc)];
}

function reduceMean(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node) as DeviceValue;
  const rank = shapeOf(x).length;
  const keep = intAttribute(node, 'keepdims', 1) === 1;
  const axes = (intsAttribute(node, 'axes') ?? hostInput(inputs, 1, node) ?? [...Array(rank).keys()]).map((axis) =>
    normalizeAxis(axis, rank),
  );
  if (isNhwc(x) && keep)
    return [
      device(
        tf.mean(
          x.tensor,
          axes.map((axis) => NCHW_TO_NHWC_AXIS[axis]),
          true,
        ),
        true,
      ),
    ];
  return [device(tf.mean(logical(x), axes, keep))];
}

function layerNormalization(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = logical(required(inputs, 0, node));
  const axis = normalizeAxis(intAttribute(node, 'axis', -1), x.rank);
  const epsilon = floatAttribute(node, 'epsilon', 1e-5);
  const axes = Array.from({ length: x.rank - axis }, (_, index) => axis + index);
  const { mean, variance } = tf.moments(x, axes, true);
  let y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon)));
  y = tf.mul(y, logical(required(inputs, 1, node)));
  if (inputs[2] !== undefined) y = tf.add(y, logical(inputs[2]));
  return [device(y)];
}

function concat(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const values = inputs.filter((value): value is Value => value !== undefined);
  const rank = shapeOf(values[0]).length;
  const axis = normalizeAxis(intAttribute(node, 'axis', 0), rank);
  if (values.every((value) => value.kind === 'host') && rank <= 1) {
    return [
      host(
        values.flatMap((value) => (value as HostValue).data),
        [values.reduce((n, v) => n + shapeOf(v)[0], 0)],
        (values as HostValue[]).some((v) => v.dataType === 'float32') ? 'float32' : 'int',
      ),
    ];
  }
  if (rank === 4 && values.some(isNhwc)) return [device(tf.concat(values.map(asNhwc), NCHW_TO_NHWC_AXIS[axis]), true)];
  return [device(tf.concat(values.map(logical), axis))];
}

function split(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node);
  const rank = shapeOf(x).length;
  const axis = normalizeAxis(intAttribute(node, 'axis', 0), rank);
  const sizes = intsAttribute(node, 'split') ?? hostInput(inputs, 1, node);
  const count = sizes ?? node.outputs.length;
  if (isNhwc(x)) {
    return tf.split((x as DeviceValue).tensor, count, NCHW_TO_NHWC_AXIS[axis]).map((part) => device(part, true));
  }
  return tf.split(logical(x), count, axis).map((part) => device(part));
}

/** Per axis, the indices a Slice keeps, in order (numpy's clamping, for positive and negative steps). */
function sliceIndices(shape: number[], inputs: (Value | undefined)[], node: OnnxNode): number[][] {
  const starts = hostInput(inputs, 1, node) ?? intsAttribute(node, 'starts') ?? [];
  const ends = hostInput(inputs, 2, node) ?? intsAttribute(node, 'ends') ?? [];
  const axes = hostInput(inputs, 3, node) ?? intsAttribute(node, 'axes') ?? starts.map((_, index) => index);
  const steps = hostInput(inputs, 4, node) ?? starts.map(() => 1);
  const kept = shape.map((size) => Array.from({ length: size }, (_, index) => index));
  axes.forEach((rawAxis, index) => {
    const axis = normalizeAxis(rawAxis, shape.length);
    const size = shape[axis];
    const step = steps[index];
    if (step === 0) throw new OnnxOpError(`node "${node.name}" (Slice): step 0`);
    const wrap = (value: number) => (value < 0 ? value + size : value);
    const [low, high] = step > 0 ? [0, size] : [-1, size - 1];
    const first = Math.min(high, Math.max(low, wrap(starts[index])));
    const last = Math.min(high, Math.max(low, wrap(ends[index])));
    const picked: number[] = [];
    for (let at = first; step > 0 ? at < last : at > last; at += step) picked.push(at);
    kept[axis] = picked;
  });
  return kept;
}

function slice(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node);
  const shape = shapeOf(x);
  const kept = sliceIndices(shape, inputs, node);
  const outShape = kept.map((indices) => indices.length);
  if (x.kind === 'host') {
    const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
    const data: number[] = [];
    const walk = (axis: number, offset: number) => {
      if (axis === shape.length) data.push(x.data[offset]);
      else for (const index of kept[axis]) walk(axis + 1, offset + index * strides[axis]);
    };
    walk(0, 0);
    return [host(data, outShape, x.dataType)];
  }
  // On the backend as slices (whose gradient is a pad) and reverses; other steps as strided slices.
  const nhwc = isNhwc(x);
  const order = nhwc ? NCHW_TO_NHWC_AXIS.map((_, stored) => NCHW_TO_NHWC_AXIS.indexOf(stored)) : shape.map((_, a) => a);
  let tensor = nhwc ? (x as DeviceValue).tensor : logical(x);
  const stored = order.map((axis) => kept[axis]);
  const contiguous = (indices: number[], direction: number) =>
    indices.every((index, at) => at === 0 || index === indices[at - 1] + direction);
  if (stored.every((indices) => indices.length === 0 || contiguous(indices, 1) || contiguous(indices, -1))) {
    const begin = stored.map((indices) => (indices.length === 0 ? 0 : Math.min(indices[0], indices.at(-1) as number)));
    tensor = tf.slice(
      tensor,
      begin,
      stored.map((indices) => indices.length),
    );
    const reversed = stored.flatMap((indices, axis) => (indices.length > 1 && indices[1] < indices[0] ? [axis] : []));
    if (reversed.length > 0) tensor = tf.reverse(tensor, reversed);
  } else {
    const step = (indices: number[]) => (indices.length > 1 ? indices[1] - indices[0] : 1);
    tensor = tf.stridedSlice(
      tensor,
      stored.map((indices) => indices[0] ?? 0),
      stored.map((indices) => (indices.at(-1) ?? 0) + Math.sign(step(indices))),
      stored.map(step),
    );
  }
  return [device(tensor, nhwc)];
}

function pad(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node);
  const mode = stringAttribute(node, 'mode', 'constant');
  if (mode !== 'constant') throw new OnnxOpError(`node "${node.name}" (Pad): mode "${mode}" is not supported`);
  const rank = shapeOf(x).length;
  const pads = hostInput(inputs, 1, node) ?? intsAttribute(node, 'pads') ?? [];
  const value = inputs[2]?.kind === 'host' ? inputs[2].data[0] : floatAttribute(node, 'value', 0);
  const pairs = Array.from({ length: rank }, (_, axis) => [pads[axis], pads[axis + rank]] as [number, number]);
  if (pairs.some(([before, after]) => before < 0 || after < 0))
    throw new OnnxOpError(`node "${node.name}" (Pad): negative pads are not supported`);
  if (isNhwc(x)) {
    const stored = NCHW_TO_NHWC_AXIS.map((_, axis) => pairs[NCHW_TO_NHWC_AXIS.indexOf(axis)]);
    return [device(tf.pad((x as DeviceValue).tensor, stored, value), true)];
  }
  return [device(tf.pad(logical(x), pairs, value))];
}

function transpose(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node);
  const rank = shapeOf(x).length;
  const perm = intsAttribute(node, 'perm') ?? [...Array(rank).keys()].reverse();
  if (x.kind === 'host') return [hostTranspose(x, perm)];
  return [transposeValue(x, perm)];
}

/** A Transpose of a small host value (a pads vector reshaped to [n, 2] and reversed, say). */
function hostTranspose(x: HostValue, perm: number[]): HostValue {
  const shape = perm.map((axis) => x.shape[axis]);
  const strides = x.shape.map((_, axis) => x.shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  const data: number[] = [];
  const walk = (axis: number, offset: number) => {
    if (axis === shape.length) data.push(x.data[offset]);
    else for (let index = 0; index < shape[axis]; index += 1) walk(axis + 1, offset + index * strides[perm[axis]]);
  };
  walk(0, 0);
  return host(data, shape, x.dataType);
}

function flatten(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node);
  const shape = shapeOf(x);
  const axis = normalizeAxis(intAttribute(node, 'axis', 1), shape.length);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  return [device(tf.reshape(logical(x), [outer, -1]))];
}

/** Reshape to a constant shape (0: keep that axis unless allowzero, -1: infer). */
function reshape(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node);
  const inShape = shapeOf(x);
  const target = [...(hostInput(inputs, 1, node) ?? [])];
  const allowZero = intAttribute(node, 'allowzero', 0) === 1;
  const shape = target.map((size, axis) => (size === 0 && !allowZero ? inShape[axis] : size));
  if (x.kind === 'host') return [host(x.data, resolveShape(shape, x.data.length, node), x.dataType)];
  return [
    device(
      tf.reshape(
        logical(x),
        resolveShape(
          shape,
          inShape.reduce((a, b) => a * b, 1),
          node,
        ),
      ),
    ),
  ];
}

function resolveShape(shape: number[], elements: number, node: OnnxNode): number[] {
  const known = shape.filter((size) => size !== -1).reduce((a, b) => a * b, 1);
  const resolved = shape.map((size) => (size === -1 ? elements / known : size));
  if (resolved.reduce((a, b) => a * b, 1) !== elements || resolved.some((size) => !Number.isInteger(size) || size < 0))
    throw new OnnxOpError(
      `node "${node.name}" (${node.opType}): cannot reshape ${elements} values to [${shape.join(', ')}]`,
    );
  return resolved;
}

function axesOf(inputs: (Value | undefined)[], node: OnnxNode): number[] | undefined {
  return intsAttribute(node, 'axes') ?? hostInput(inputs, 1, node);
}

function squeeze(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node);
  const shape = shapeOf(x);
  const axes = (axesOf(inputs, node) ?? shape.flatMap((size, axis) => (size === 1 ? [axis] : []))).map((axis) =>
    normalizeAxis(axis, shape.length),
  );
  const outShape = shape.filter((_, axis) => !axes.includes(axis));
  if (x.kind === 'host') return [host(x.data, outShape, x.dataType)];
  return [device(tf.reshape(logical(x), outShape))];
}

function unsqueeze(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node);
  const shape = shapeOf(x);
  const rank = shape.length + (axesOf(inputs, node)?.length ?? 0);
  const axes = (axesOf(inputs, node) ?? []).map((axis) => normalizeAxis(axis, rank));
  const outShape: number[] = [];
  let next = 0;
  for (let axis = 0; axis < rank; axis += 1) outShape.push(axes.includes(axis) ? 1 : shape[next++]);
  if (x.kind === 'host') return [host(x.data, outShape, x.dataType)];
  return [device(tf.reshape(logical(x), outShape))];
}

function gemm(inputs: (Value | undefined)[], context: KernelContext): Value[] {
  const { node } = context;
  const a = logical(required(inputs, 0, node));
  const b = context.prepared(1, (w) => w);
  const alpha = floatAttribute(node, 'alpha', 1);
  const beta = floatAttribute(node, 'beta', 1);
  let y = tf.matMul(
    a as tf.Tensor2D,
    b as tf.Tensor2D,
    intAttribute(node, 'transA', 0) === 1,
    intAttribute(node, 'transB', 0) === 1,
  );
  if (alpha !== 1) y = tf.mul(y, alpha);
  if (inputs[2] !== undefined) {
    const c = context.prepared(2, (bias) => bias);
    y = tf.add(y, beta === 1 ? c : tf.mul(c, beta));
  }
  return [device(y)];
}

function matMul(inputs: (Value | undefined)[], context: KernelContext): Value[] {
  const { node } = context;
  const a = logical(required(inputs, 0, node));
  const b = context.prepared(1, (w) => w);
  if (b.rank === 2 && a.rank > 2) {
    // [..., n, k] × [k, m]: one 2-D product over the flattened leading axes.
    const flat = tf.matMul(tf.reshape(a, [-1, a.shape[a.rank - 1]]) as tf.Tensor2D, b as tf.Tensor2D);
    return [device(tf.reshape(flat, [...a.shape.slice(0, -1), b.shape[1] as number]))];
  }
  return [device(tf.matMul(a, b))];
}

function softmax(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = logical(required(inputs, 0, node));
  const axis = normalizeAxis(intAttribute(node, 'axis', -1), x.rank);
  if (axis === x.rank - 1) return [device(tf.softmax(x))];
  const shifted = tf.sub(x, tf.max(x, axis, true));
  const exp = tf.exp(shifted);
  return [device(tf.div(exp, tf.sum(exp, axis, true)))];
}

function constantValue(_inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const value = node.attributes.get('value');
  if (value?.kind === 'tensor') return [initializerValue(value.value)];
  const floats = node.attributes.get('value_float') ?? node.attributes.get('value_floats');
  if (floats?.kind === 'float') return [host([floats.value], [], 'float32')];
  if (floats?.kind === 'floats') return [host(floats.value, [floats.value.length], 'float32')];
  const ints = node.attributes.get('value_int') ?? node.attributes.get('value_ints');
  if (ints?.kind === 'int') return [host([ints.value], [])];
  if (ints?.kind === 'ints') return [host(ints.value, [ints.value.length])];
  throw new OnnxOpError(`node "${node.name}" (Constant): no value attribute this translation reads`);
}

/**
 * An initializer or Constant: small ones (shapes, axes, scalars) as host values, float weights
 * as tensors on the backend.
 */
export function initializerValue(initializer: {
  dims: number[];
  dataType: string;
  values: ArrayLike<number | bigint>;
}): Value {
  const { dims, dataType, values } = initializer;
  if (dataType === 'float32' && values.length > 64) return device(tf.tensor(values as Float32Array, dims, 'float32'));
  const data = Array.from(values as ArrayLike<number | bigint>, (value) => Number(value));
  if (dataType === 'float32' || dataType === 'float64') {
    if (data.length > 64) return device(tf.tensor(Float32Array.from(data), dims, 'float32'));
    return host(data, dims, 'float32');
  }
  if (data.length > 4096) return device(tf.tensor(Int32Array.from(data), dims, 'int32'));
  return host(data, dims);
}

function shape(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const dims = shapeOf(required(inputs, 0, node));
  const start = normalizeAxis(intAttribute(node, 'start', 0), dims.length);
  const end = node.attributes.has('end')
    ? normalizeAxis(intAttribute(node, 'end', dims.length), dims.length)
    : dims.length;
  const taken = dims.slice(Math.max(0, start), Math.min(dims.length, end));
  return [host(taken, [taken.length])];
}

function gather(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const data = required(inputs, 0, node);
  const indices = required(inputs, 1, node);
  if (indices.kind !== 'host') throw new OnnxOpError(`node "${node.name}" (Gather): indices computed from the image`);
  const shapeIn = shapeOf(data);
  const axis = normalizeAxis(intAttribute(node, 'axis', 0), shapeIn.length);
  const positions = indices.data.map((index) => (index < 0 ? index + shapeIn[axis] : index));
  if (data.kind === 'host' && shapeIn.length === 1) {
    return [
      host(
        positions.map((index) => data.data[index]),
        indices.shape,
        data.dataType,
      ),
    ];
  }
  const tensor = logical(data);
  const contiguous = positions.every((index, at) => at === 0 || index === positions[at - 1] + 1);
  // A run of indices (a transformer's class token x[:, 0]) as a slice: gather's gradient needs
  // UnsortedSegmentSum, which the wasm backend lacks.
  const gathered = contiguous
    ? tf.slice(
        tensor,
        tensor.shape.map((_, at) => (at === axis ? positions[0] : 0)),
        tensor.shape.map((size, at) => (at === axis ? positions.length : size)),
      )
    : tf.gather(tensor, tf.tensor1d(positions, 'int32'), axis);
  const outShape = [...shapeIn.slice(0, axis), ...indices.shape, ...shapeIn.slice(axis + 1)];
  return [device(tf.reshape(gathered, outShape))];
}

function cast(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const x = required(inputs, 0, node);
  const to = intAttribute(node, 'to', 1);
  const float = to === 1 || to === 10 || to === 11;
  if (x.kind === 'host') return [host(float ? x.data : x.data.map(Math.trunc), x.shape, float ? 'float32' : 'int')];
  return [device(tf.cast(x.tensor, float ? 'float32' : 'int32'), x.nhwc)];
}

function expand(inputs: (Value | undefined)[], context: KernelContext): Value[] {
  const { node } = context;
  const x = required(inputs, 0, node);
  const target = hostInput(inputs, 1, node) ?? [];
  const inShape = shapeOf(x);
  const rank = Math.max(target.length, inShape.length);
  const padded = [...Array(rank - inShape.length).fill(1), ...inShape];
  const full = [...Array(rank - target.length).fill(1), ...target];
  const shapeOut = padded.map((size, axis) => (full[axis] === 1 ? size : full[axis]));
  if (shapeOut.reduce((a, b) => a * b, 1) > MAX_ELEMENTS)
    throw new OnnxOpError(`node "${node.name}" (Expand): [${shapeOut.join(', ')}] is too large`);
  return [device(tf.broadcastTo(tf.reshape(logical(x), padded), shapeOut))];
}

function constantOfShape(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const dims = hostInput(inputs, 0, node) ?? [];
  const elements = dims.reduce((a, b) => a * b, 1);
  if (dims.some((size) => !Number.isInteger(size) || size < 0) || elements > MAX_ELEMENTS)
    throw new OnnxOpError(`node "${node.name}" (ConstantOfShape): shape [${dims.join(', ')}] is invalid or too large`);
  const value = node.attributes.get('value');
  const fill = value?.kind === 'tensor' ? Number(value.value.values[0] ?? 0) : 0;
  const float = value?.kind === 'tensor' && (value.value.dataType === 'float32' || value.value.dataType === 'float64');
  if (elements <= 4096) return [host(Array(elements).fill(fill), dims, float ? 'float32' : 'int')];
  return [device(tf.fill(dims, fill, float ? 'float32' : 'int32'))];
}

/** Equal and Where: on the host, where exporters use them (shape vectors of a dynamic batch). */
function equal(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const a = required(inputs, 0, node);
  const b = required(inputs, 1, node);
  if (a.kind === 'host' && b.kind === 'host') return [hostBinary(a, b, (x, y) => (x === y ? 1 : 0))];
  return [device(tf.cast(tf.equal(logical(a), logical(b)), 'int32'))];
}

function where(inputs: (Value | undefined)[], { node }: KernelContext): Value[] {
  const [condition, a, b] = [0, 1, 2].map((index) => required(inputs, index, node));
  if (condition.kind === 'host' && a.kind === 'host' && b.kind === 'host') {
    const picked = hostBinary(
      condition,
      hostBinary(a, b, (x, y) => x - y),
      (c, difference) => c * difference,
    );
    return [hostBinary(picked, b, (x, y) => x + y)];
  }
  const mask = tf.cast(logical(condition), 'bool');
  return [device(tf.where(mask, logical(a), logical(b)))];
}

function hardSigmoid(x: tf.Tensor, { node }: KernelContext): tf.Tensor {
  const alpha = floatAttribute(node, 'alpha', 0.2);
  const beta = floatAttribute(node, 'beta', 0.5);
  return tf.clipByValue(tf.add(tf.mul(x, alpha), beta), 0, 1);
}

/** Every op type the translation covers, by ONNX name. */
export const KERNELS: ReadonlyMap<string, Kernel> = new Map<string, Kernel>([
  ['Conv', conv],
  ['BatchNormalization', batchNormalization],
  ['Relu', unary((x) => tf.relu(x))],
  ['Clip', clip],
  ['LeakyRelu', unary((x, { node }) => tf.leakyRelu(x, floatAttribute(node, 'alpha', 0.01)))],
  ['Sigmoid', unary((x) => tf.sigmoid(x))],
  ['HardSigmoid', unary(hardSigmoid)],
  ['HardSwish', unary((x) => tf.mul(x, tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1)))],
  ['Erf', unary((x) => tf.erf(x))],
  ['Sqrt', unary((x) => tf.sqrt(x))],
  ['Dropout', unary((x) => x)],
  ['Identity', (inputs, { node }) => [required(inputs, 0, node)]],
  ['Add', binary(tf.add, (x, y) => x + y)],
  ['Sub', binary(tf.sub, (x, y) => x - y)],
  ['Mul', binary(tf.mul, (x, y) => x * y)],
  ['Div', binary(tf.div, (x, y) => x / y)],
  ['Pow', binary(tf.pow, (x, y) => x ** y)],
  ['ReduceMean', reduceMean],
  ['LayerNormalization', layerNormalization],
  ['MaxPool', maxPool],
  ['AveragePool', averagePool],
  ['GlobalAveragePool', (inputs, { node }) => [device(tf.mean(asNhwc(required(inputs, 0, node)), [1, 2], true), true)]],
  ['Concat', concat],
  ['Split', split],
  ['Slice', slice],
  ['Pad', pad],
  ['Transpose', transpose],
  ['Flatten', flatten],
  ['Reshape', reshape],
  ['Squeeze', squeeze],
  ['Unsqueeze', unsqueeze],
  ['Gemm', gemm],
  ['MatMul', matMul],
  ['Softmax', softmax],
  ['Constant', constantValue],
  ['Shape', shape],
  ['Gather', gather],
  ['Cast', cast],
  ['Expand', expand],
  ['ConstantOfShape', constantOfShape],
  ['Equal', equal],
  ['Where', where],
]);
