/**
 * Inference-mode batch norm folded into the convolution before it: BN(conv(x, K) + b) equals
 * conv(x, K·s) + (b·s + β − μ·s) with s = γ / √(σ² + ε) per output channel. The same values and
 * the same gradient with respect to x, one op instead of two: on the wasm backend a separate
 * batch norm took 43% of a MobileNetV2 forward pass, more than its convolutions.
 *
 * A pair is folded only when nothing else can see the convolution's own output: a linear
 * activation, no other consumer, not the layer being explained, channels last. The folded
 * filter is derived from the layers' current weights and made again when they change (the
 * sanity check re-draws them), so it never goes stale.
 */
import * as tf from '../tf.js';

type SymbolicTensor = tf.SymbolicTensor & { id: number; nodeIndex: number };
interface LayerNode {
  inputTensors: SymbolicTensor[];
  outputTensors: SymbolicTensor[];
}
type Layer = tf.Layer & { inboundNodes: LayerNode[] };

interface ConvConfig {
  strides: number | number[];
  padding: 'valid' | 'same' | 'causal';
  dataFormat?: string;
  dilationRate?: number | number[];
  activation?: string;
  useBias?: boolean;
  depthMultiplier?: number;
}

interface BatchNormConfig {
  axis: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
}

/** A convolution and the batch norm that alone reads its output. */
export interface FoldedPair {
  convolution: Layer;
  batchNorm: Layer;
  /** What the folded op reads: the convolution's input, or the input of a zero padding before it. */
  input: SymbolicTensor;
  /** 'same' when a zero padding before a 'valid' convolution pads exactly as 'same' would. */
  pad: 'valid' | 'same';
}

/** A folded pair and the ReLU (or ReLU6) that alone reads the batch norm's output. */
export interface FoldedActivation {
  pair: FoldedPair;
  activation: 'relu' | 'relu6';
}

/** The folds of a model: by batch-norm layer name, and by the name of the ReLU layer after one. */
export interface Folds {
  pairs: Map<string, FoldedPair>;
  activations: Map<string, FoldedActivation>;
}

/**
 * The folded filter and bias, and the data of the weights they were made from: a variable keeps
 * its identity when it is assigned, its data does not.
 */
interface FoldedWeights {
  sources: object[];
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

const FOLDABLE_CONVOLUTIONS = new Set(['Conv2D', 'DepthwiseConv2D']);

/**
 * The batch norms of `model` that can run folded into their convolution, and the ReLUs that can
 * run fused into such a pair. `keepVisible`: symbolic tensors whose own values must stay
 * observable (the target).
 */
export function foldsOf(model: tf.LayersModel, keepVisible: ReadonlySet<number>): Folds {
  const readers = readerCounts(model);
  const pairs = new Map<string, FoldedPair>();
  for (const batchNorm of model.layers as Layer[]) {
    if (batchNorm.getClassName() !== 'BatchNormalization' || batchNorm.inboundNodes.length !== 1) continue;
    const input = batchNorm.inboundNodes[0].inputTensors[0];
    const convolution = input.sourceLayer as Layer;
    if (readers.get(input.id) !== 1 || keepVisible.has(input.id)) continue;
    if (isFoldable(convolution, batchNorm))
      pairs.set(batchNorm.name, withPadding(convolution, batchNorm, readers, keepVisible));
  }
  const activations = new Map<string, FoldedActivation>();
  for (const layer of model.layers as Layer[]) {
    const activation = reluKind(layer);
    if (!activation || layer.inboundNodes.length !== 1) continue;
    const input = layer.inboundNodes[0].inputTensors[0];
    const pair = pairs.get(input.sourceLayer.name);
    if (pair && readers.get(input.id) === 1 && !keepVisible.has(input.id))
      activations.set(layer.name, { pair, activation });
  }
  return { pairs, activations };
}

/**
 * The pair, reading through a ZeroPadding2D before its convolution when that padding is exactly
 * the one 'same' would add (Keras's MobileNetV2 pads (0, 1) before each stride-2 convolution on an
 * even size): one op instead of a copy of the whole feature map.
 */
function withPadding(
  convolution: Layer,
  batchNorm: Layer,
  readers: ReadonlyMap<number, number>,
  keepVisible: ReadonlySet<number>,
): FoldedPair {
  const input = convolution.inboundNodes[0].inputTensors[0];
  const plain: FoldedPair = {
    convolution,
    batchNorm,
    input,
    pad: (convolution.getConfig() as unknown as ConvConfig).padding as 'valid' | 'same',
  };
  const padding = input.sourceLayer as Layer;
  if (padding.getClassName() !== 'ZeroPadding2D' || padding.inboundNodes.length !== 1) return plain;
  if (readers.get(input.id) !== 1 || keepVisible.has(input.id) || plain.pad !== 'valid') return plain;
  const padded = padding.inboundNodes[0].inputTensors[0];
  const conv = convolution.getConfig() as unknown as ConvConfig & { kernelSize: number | number[] };
  const [strideY, strideX] = pairOf(conv.strides);
  const [kernelY, kernelX] = pairOf(conv.kernelSize);
  const [dilationY, dilationX] = pairOf(conv.dilationRate ?? 1);
  const [, height, width] = padded.shape as number[];
  const amounts = (padding.getConfig() as { padding: [[number, number], [number, number]] }).padding;
  const same =
    dilationY === 1 &&
    dilationX === 1 &&
    sameAs(amounts[0], samePadding(height, kernelY, strideY)) &&
    sameAs(amounts[1], samePadding(width, kernelX, strideX));
  return same ? { convolution, batchNorm, input: padded, pad: 'same' } : plain;
}

/** TensorFlow's 'same' padding of one axis: [before, after]. */
function samePadding(size: number, kernel: number, stride: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function sameAs(a: readonly number[], b: readonly number[]): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** How many layer inputs (and model outputs) read each symbolic tensor. */
function readerCounts(model: tf.LayersModel): Map<number, number> {
  const readers = new Map<number, number>();
  for (const layer of model.layers as Layer[]) {
    for (const node of layer.inboundNodes) {
      for (const input of node.inputTensors) readers.set(input.id, (readers.get(input.id) ?? 0) + 1);
    }
  }
  for (const output of model.outputs as SymbolicTensor[]) readers.set(output.id, (readers.get(output.id) ?? 0) + 1);
  return readers;
}

/** 'relu' or 'relu6' for a layer that computes exactly that, else undefined. */
function reluKind(layer: Layer): 'relu' | 'relu6' | undefined {
  const config = layer.getConfig() as { activation?: string; maxValue?: number | null };
  if (layer.getClassName() === 'Activation' && (config.activation === 'relu' || config.activation === 'relu6'))
    return config.activation;
  if (layer.getClassName() !== 'ReLU') return undefined;
  if (config.maxValue === undefined || config.maxValue === null) return 'relu';
  return config.maxValue === 6 ? 'relu6' : undefined;
}

function isFoldable(convolution: Layer, batchNorm: Layer): boolean {
  if (!FOLDABLE_CONVOLUTIONS.has(convolution.getClassName()) || convolution.inboundNodes.length !== 1) return false;
  const conv = convolution.getConfig() as unknown as ConvConfig;
  const norm = batchNorm.getConfig() as unknown as BatchNormConfig;
  const rank = (batchNorm.inboundNodes[0].inputTensors[0].shape as unknown[]).length;
  const lastAxis = norm.axis === -1 || norm.axis === rank - 1;
  return (
    lastAxis &&
    rank === 4 &&
    (conv.activation ?? 'linear') === 'linear' &&
    conv.padding !== 'causal' &&
    (conv.dataFormat ?? 'channelsLast') === 'channelsLast'
  );
}

/** Runs folded pairs, keeping each pair's folded weights until the layers' weights change. */
export class BatchNormFolder {
  private readonly folded = new Map<string, FoldedWeights>();

  constructor(readonly folds: Folds) {}

  /**
   * batchNorm(convolution(x)) for `pair`, followed by `activation` in the same op. Only outside
   * a gradient tape may an activation be fused: guided backpropagation replaces the gradient of
   * every ReLU op, and a fused one would escape it.
   */
  apply(pair: FoldedPair, x: tf.Tensor4D, activation?: 'relu' | 'relu6'): tf.Tensor4D {
    const { filter, bias } = this.weightsOf(pair.batchNorm.name, pair);
    const conv = pair.convolution.getConfig() as unknown as ConvConfig;
    const strides = pairOf(conv.strides);
    const dilations = pairOf(conv.dilationRate ?? 1);
    const { pad } = pair;
    const depthwise = pair.convolution.getClassName() === 'DepthwiseConv2D';
    // On a gradient tape, tfjs's fused ops also compute the filter's gradient, which nothing
    // here uses; separate ops compute only the gradients asked for.
    if (onGradientTape()) {
      if (activation) throw new Error('a fused activation on a gradient tape');
      const y = depthwise
        ? tf.depthwiseConv2d(x, filter, strides, pad, 'NHWC', dilations)
        : tf.conv2d(x, filter, strides, pad, 'NHWC', dilations);
      return tf.add(y, bias);
    }
    const args = { x, filter, strides, pad, dilations, bias, activation };
    return depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
  }

  /** Frees every folded filter and bias (a later pass folds again). */
  dispose(): void {
    for (const { filter, bias } of this.folded.values()) tf.dispose([filter, bias]);
    this.folded.clear();
  }

  private weightsOf(name: string, pair: FoldedPair): FoldedWeights {
    const sources = [...pair.convolution.getWeights(), ...pair.batchNorm.getWeights()].map(dataOf);
    const cached = this.folded.get(name);
    if (cached?.sources.every((source, index) => source === sources[index])) return cached;
    if (cached) tf.dispose([cached.filter, cached.bias]);
    const fresh = { sources, ...foldWeights(pair) };
    this.folded.set(name, fresh);
    return fresh;
  }
}

/** The folded filter and bias of a pair, kept (outside any tidy scope) for later passes. */
function foldWeights({ convolution, batchNorm }: FoldedPair): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
  const conv = convolution.getConfig() as unknown as ConvConfig;
  const norm = batchNorm.getConfig() as unknown as BatchNormConfig;
  const [kernel, convBias] = convolution.getWeights() as [tf.Tensor4D, tf.Tensor1D | undefined];
  const normWeights = [...batchNorm.getWeights()];
  const gamma = norm.scale ? normWeights.shift() : undefined;
  const beta = norm.center ? normWeights.shift() : undefined;
  const [mean, variance] = normWeights;
  return tf.tidy(() => {
    const perChannel = tf.rsqrt(tf.add(variance, norm.epsilon));
    const scale = gamma ? tf.mul(gamma, perChannel) : perChannel;
    // Conv2D's filter is [kh, kw, in, out]; DepthwiseConv2D's is [kh, kw, in, multiplier] and
    // output channel c·multiplier + m, so the scale reshapes onto the last two axes.
    const filterScale = conv.depthMultiplier === undefined ? scale : tf.reshape(scale, kernel.shape.slice(2));
    const filter = tf.keep(tf.mul(kernel, filterScale) as tf.Tensor4D);
    let bias = tf.neg(tf.mul(mean, scale));
    if (conv.useBias !== false && convBias) bias = tf.add(bias, tf.mul(convBias, scale));
    if (beta) bias = tf.add(bias, beta);
    return { filter, bias: tf.keep(bias as tf.Tensor1D) };
  });
}

export function onGradientTape(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

function dataOf(tensor: tf.Tensor): object {
  return (tensor as unknown as { dataId: object }).dataId;
}

function pairOf(value: number | number[]): [number, number] {
  return Array.isArray(value) ? [value[0], value[1] ?? value[0]] : [value, value];
}
