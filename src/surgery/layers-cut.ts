/**
 * Cuts a layers model at a target layer: A = the target layer's output, and the logits as a
 * function of A. Grad-CAM needs ∂y^c/∂A, so the rest of the network must be a differentiable
 * function of A.
 *
 * Rather than cutting the model into two models (which only works for a chain), we execute the
 * layer graph ourselves, node by node, and substitute A for the target layer's output: every layer
 * downstream of the target sees A, every path that bypasses it (a skip connection from an earlier
 * layer) sees values that do not depend on A. That is exactly the partial derivative with respect to
 * that layer's output, for Sequential and functional (branching) models alike, and no layer is ever
 * run out of order.
 *
 * Always inference mode: dropout off, batch norm with its moving statistics.
 */
import * as tf from '../tf.js';
import { InvalidValueError } from '../errors.js';
import { NoDefaultTargetError } from './default-target.js';
import { withGuidedRelu } from './guided-relu.js';
import { defaultTargetLayerName } from './layers-graph.js';
import { hasSpatialOutput, ONE_BY_ONE } from './default-target.js';
import { BatchNormFolder, foldsOf, onGradientTape } from './batch-norm-fold.js';

type SymbolicTensor = tf.SymbolicTensor & { id: number; nodeIndex: number; tensorIndex: number };
interface LayerNode {
  inputTensors: SymbolicTensor[];
  outputTensors: SymbolicTensor[];
}
type Layer = tf.Layer & { inboundNodes: LayerNode[]; activation?: { getClassName(): string } };

export interface CutModel {
  layerName: string;
  /** The target layer's output shape without the batch axis: [h, w, channels]. */
  activationShape: [number, number, number];
  classes: number;
  /**
   * Runs the model up to the target layer. images: float32 [batch, H, W, C] as the model expects.
   * Returns the activations A, float32 [batch, h, w, k], and `logitsFrom(A')`, which finishes the
   * forward pass from any A' of that shape (float32 [batch, classes], pre-softmax scores).
   * Call inside tf.tidy: the cached intermediate tensors are ordinary tensors.
   */
  forward(images: tf.Tensor4D): { activations: tf.Tensor4D; logitsFrom: (activations: tf.Tensor4D) => tf.Tensor2D };
  /**
   * The whole forward pass from the input. images: float32 [batch, H, W, C]. Returns float32
   * [batch, classes], pre-softmax scores. With `guidedRelu`, every ReLU runs as guided
   * backpropagation's ReLU (same values, guided gradients; see guided-relu.ts).
   * Call inside tf.tidy.
   */
  logits(images: tf.Tensor4D, options?: { guidedRelu?: boolean }): tf.Tensor2D;
  /** Frees the tensors the cut keeps for itself (a layers model's folded batch norms); the model's stay. */
  dispose(): void;
}

/**
 * A layer that cannot be explained. `reason` says why without saying where the name came from
 * (an option, gradcam.json, the default rule): the caller that knows adds that.
 */
export class LayerChoiceError extends InvalidValueError {
  constructor(
    readonly layerName: string,
    readonly reason: string,
  ) {
    super(`layer ${layerName}: ${reason}`);
  }
}

/** Layers whose output has a spatial layout ([batch, h, w, channels]) larger than 1×1 and can be explained. */
export function spatialLayerNames(model: tf.LayersModel): string[] {
  return model.layers.filter((layer) => isSpatial(layer as Layer)).map((layer) => layer.name);
}

/**
 * The default target for a model without gradcam.json, by the rule of default-target.ts: the last
 * convolution larger than 1×1 (followed through its batch norm / activation) if every path to
 * the output passes through it (what Grad-CAM's authors use: the last conv layer keeps the best
 * trade-off between high-level semantics and spatial detail), else the last layer larger than
 * 1×1 that every path passes through (where the branches of an Inception or residual block meet).
 */
export function defaultTargetLayer(model: tf.LayersModel): string {
  const name = defaultTargetLayerName(model);
  if (!name) {
    throw new NoDefaultTargetError(
      'the model has no layer with a spatial output larger than 1×1 that every path to its output passes through',
    );
  }
  return name;
}

export function cutModelAt(model: tf.LayersModel, layerName: string): CutModel {
  const target = model.layers.find((layer) => layer.name === layerName) as Layer | undefined;
  if (!target) {
    throw new LayerChoiceError(
      layerName,
      `no such layer; layers with a spatial output: ${spatialLayerNames(model).join(', ')}`,
    );
  }
  if (!isSpatial(target)) {
    const shape = outputShapeOf(target);
    const reason =
      shape.length === 4 && shape[1] === 1 && shape[2] === 1
        ? ONE_BY_ONE
        : `output shape [${shape.join(', ')}] is not spatial [batch, h, w, channels]`;
    throw new LayerChoiceError(layerName, `${reason}; choose one of: ${spatialLayerNames(model).join(', ')}`);
  }
  if (target.inboundNodes.length !== 1) {
    throw new LayerChoiceError(
      layerName,
      `the layer is used ${target.inboundNodes.length} times in the graph; its output is ambiguous`,
    );
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new InvalidValueError('only models with one input and one output can be explained');
  }
  const targetOutput = target.inboundNodes[0].outputTensors[0];
  const logitsOutput = preSoftmaxOutput(model.outputs[0] as SymbolicTensor);
  const modelInput = model.inputs[0] as SymbolicTensor;
  const [, h, w, k] = outputShapeOf(target) as number[];
  const { dependsOnTarget, bypassing } = pathsThrough(targetOutput, logitsOutput.tensor);
  const folder = new BatchNormFolder(foldsOf(model, new Set([targetOutput.id])));
  const evaluate = (tensor: SymbolicTensor, values: Map<number, tf.Tensor>) => evaluateWith(folder, tensor, values);
  if (!dependsOnTarget.has(logitsOutput.tensor.id)) {
    throw new LayerChoiceError(
      layerName,
      "the model's output does not depend on this layer (no path from it to the output)",
    );
  }

  return {
    layerName,
    activationShape: [h, w, k],
    classes: (model.outputs[0].shape.at(-1) as number) ?? 0,
    forward(images) {
      // Everything that does not depend on A (the target's ancestors, and branches that bypass it
      // and join later) is computed here, once, outside any gradient tape: for ∂y^c/∂A these
      // values are constants, and recomputing them inside tf.grad would only record them.
      const constants = new Map<number, tf.Tensor>([[modelInput.id, images]]);
      const activations = evaluate(targetOutput, constants) as tf.Tensor4D;
      for (const tensor of bypassing) evaluate(tensor, constants);
      const logitsFrom = (replacement: tf.Tensor4D) =>
        evaluateLogits(evaluate, logitsOutput, new Map(constants).set(targetOutput.id, replacement));
      return { activations, logitsFrom };
    },
    logits(images, options = {}) {
      const run = () => evaluateLogits(evaluate, logitsOutput, new Map<number, tf.Tensor>([[modelInput.id, images]]));
      return options.guidedRelu ? withGuidedRelu(run) : run();
    },
    dispose: () => folder.dispose(),
  };
}

/**
 * Which symbolic tensors on the way to `output` depend on `target`, and the tensors that do not
 * but feed a layer that does (skip connections, sibling branches of a concatenation).
 */
function pathsThrough(
  target: SymbolicTensor,
  output: SymbolicTensor,
): { dependsOnTarget: Set<number>; bypassing: SymbolicTensor[] } {
  const dependsOnTarget = new Set<number>();
  const decided = new Set<number>();
  const bypassing = new Map<number, SymbolicTensor>();
  const visit = (tensor: SymbolicTensor): boolean => {
    if (decided.has(tensor.id)) return dependsOnTarget.has(tensor.id);
    decided.add(tensor.id);
    const inputs = tensor.id === target.id ? [] : (producerOf(tensor)?.inputTensors ?? []);
    const depends = inputs.map(visit);
    if (tensor.id === target.id || depends.some(Boolean)) {
      dependsOnTarget.add(tensor.id);
      inputs.forEach((input, index) => depends[index] || bypassing.set(input.id, input));
    }
    return dependsOnTarget.has(tensor.id);
  };
  visit(output);
  return { dependsOnTarget, bypassing: [...bypassing.values()] };
}

function producerOf(tensor: SymbolicTensor): LayerNode | undefined {
  return (tensor.sourceLayer as Layer).inboundNodes[tensor.nodeIndex];
}

/** The symbolic tensor to read logits from, and whether its layer's softmax must be bypassed. */
interface LogitsOutput {
  tensor: SymbolicTensor;
  /** The output layer applies softmax itself (e.g. Dense with activation 'softmax'): run it linear. */
  bypassActivation: boolean;
}

/**
 * y^c must be the pre-softmax score: the gradient of a saturated softmax probability vanishes
 * and gives blank maps. A trailing softmax layer is skipped; a layer with a built-in softmax
 * activation is run with a linear activation instead.
 */
function preSoftmaxOutput(output: SymbolicTensor): LogitsOutput {
  const layer = output.sourceLayer as Layer;
  const className = layer.getClassName();
  const config = layer.getConfig() as { activation?: string };
  if (className === 'Softmax' || (className === 'Activation' && config.activation === 'softmax')) {
    return { tensor: layer.inboundNodes[output.nodeIndex].inputTensors[0], bypassActivation: false };
  }
  return { tensor: output, bypassActivation: config.activation === 'softmax' };
}

const LINEAR = (tf.layers.activation({ activation: 'linear' }) as unknown as { activation: unknown }).activation;

type Evaluate = (tensor: SymbolicTensor, values: Map<number, tf.Tensor>) => tf.Tensor;

function evaluateLogits(evaluate: Evaluate, output: LogitsOutput, values: Map<number, tf.Tensor>): tf.Tensor2D {
  if (!output.bypassActivation) return evaluate(output.tensor, values) as tf.Tensor2D;
  const layer = output.tensor.sourceLayer as Layer;
  const saved = layer.activation;
  layer.activation = LINEAR as Layer['activation'];
  try {
    return evaluate(output.tensor, values) as tf.Tensor2D;
  } finally {
    layer.activation = saved;
  }
}

/**
 * Computes a symbolic tensor from the values already known (memoized in `values`). A batch norm
 * the folder folds runs with its convolution from the convolution's input.
 */
function evaluateWith(folder: BatchNormFolder, tensor: SymbolicTensor, values: Map<number, tf.Tensor>): tf.Tensor {
  const known = values.get(tensor.id);
  if (known) return known;
  const layer = tensor.sourceLayer as Layer;
  const node = layer.inboundNodes[tensor.nodeIndex];
  if (!node || node.inputTensors.length === 0) throw new Error(`no value for model input ${tensor.name}`);
  const fusedActivation = onGradientTape() ? undefined : folder.folds.activations.get(layer.name);
  const pair = fusedActivation?.pair ?? folder.folds.pairs.get(layer.name);
  if (pair) {
    const x = evaluateWith(folder, pair.input, values) as tf.Tensor4D;
    const output = folder.apply(pair, x, fusedActivation?.activation);
    values.set(tensor.id, output);
    return output;
  }
  const inputs = node.inputTensors.map((input) => evaluateWith(folder, input, values));
  const result = applyLayer(layer, inputs);
  const outputs = Array.isArray(result) ? result : [result];
  node.outputTensors.forEach((output, index) => values.set(output.id, outputs[index]));
  return outputs[tensor.tensorIndex];
}

/** Runs one layer in inference mode on its input values. */
function applyLayer(layer: Layer, inputs: tf.Tensor[]): tf.Tensor | tf.Tensor[] {
  if (layer.getClassName() === 'BatchNormalization' && (layer.getConfig() as { scale?: boolean }).scale === false) {
    return batchNormWithUnitScale(layer, inputs[0]);
  }
  return layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false }) as tf.Tensor | tf.Tensor[];
}

/**
 * A BatchNormalization layer without a scale (Keras `scale=False`, as in every InceptionV3
 * block) passes no `scale` to TensorFlow.js's FusedBatchNorm kernel, and the engine of tfjs-core
 * 4.22 then cannot record that kernel on a gradient tape: it saves the absent input for the
 * backward pass and fails ("Cannot read properties of undefined (reading 'dataId')" on cpu,
 * "'dtype'" on wasm). So such a layer is run as the same op with an explicit scale of ones: the
 * same values, and a gradient. Inference mode: the moving mean and variance.
 */
function batchNormWithUnitScale(layer: Layer, x: tf.Tensor): tf.Tensor {
  const config = layer.getConfig() as { axis: number; epsilon: number; center: boolean };
  const weights = layer.getWeights(); // [beta if center], moving mean, moving variance
  const [beta, mean, variance] = (config.center ? weights : [undefined, ...weights]) as [
    tf.Tensor | undefined,
    tf.Tensor,
    tf.Tensor,
  ];
  const axis = config.axis < 0 ? config.axis + x.rank : config.axis;
  const broadcastShape = x.shape.map((size, index) => (index === axis ? size : 1));
  const shaped = (t: tf.Tensor) => (axis === x.rank - 1 ? t : tf.reshape(t, broadcastShape));
  return tf.batchNorm(
    x,
    shaped(mean),
    shaped(variance),
    beta === undefined ? undefined : shaped(beta),
    shaped(tf.onesLike(mean)),
    config.epsilon,
  );
}

function isSpatial(layer: Layer): boolean {
  if (layer.getClassName() === 'InputLayer' || layer.inboundNodes.length === 0) return false;
  const shape = outputShapeOf(layer);
  return (
    shape.length === 4 &&
    shape.slice(1).every((d) => typeof d === 'number' && d > 0) &&
    hasSpatialOutput({ outputShape: shape })
  );
}

function outputShapeOf(layer: Layer): (number | null)[] {
  const shape = layer.outputShape as (number | null)[] | (number | null)[][];
  return Array.isArray(shape[0]) ? (shape[0] as (number | null)[]) : (shape as (number | null)[]);
}
