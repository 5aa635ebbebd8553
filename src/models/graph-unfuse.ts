/**
 * Rewrites a graph model's fused nodes as the plain TensorFlow ops they fuse, before the model is
 * built: `_FusedConv2D` → Conv2D, BiasAdd, activation; `FusedDepthwiseConv2dNative` →
 * DepthwiseConv2dNative, BiasAdd, activation; `_FusedMatMul` → MatMul, BiasAdd, activation.
 * The last node of each chain keeps the fused node's name (TensorFlow names a fused node after
 * its last op, e.g. `.../Conv_1/Relu6`), so every name the model had still means the same value.
 *
 * Why: Grad-CAM needs ∂y^c/∂A only, never the gradients of the weights. tfjs-core records a fused
 * op as one custom gradient that always computes the filter gradient too; the plain ops have one
 * lazy gradient per input, so the backward pass computes only
 * what is on the path from A to the score. On the cpu backend, explaining an early node of a
 * small separable-convolution network took 56 s fused, almost all of it in Conv2DBackpropFilter.
 * A fused op with a non-linear activation is run unfused by tfjs-core anyway while a gradient is
 * recorded (fused_util.ts `shouldFuse`), so the arithmetic is the same. (Dilated convolutions stay
 * without a gradient either way: tfjs-core 4.22's Conv2D and depthwise gradients refuse them.)
 *
 * Pure JSON work on model.json's NodeDefs; nodes of other kinds are kept as they are, and so are
 * fused nodes whose fused ops are not a BiasAdd followed by at most one known activation.
 */

/** A NodeDef as model.json stores it. */
export interface NodeDef {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
  device?: string;
}

const UNFUSED_OP: Record<string, string> = {
  _FusedConv2D: 'Conv2D',
  FusedDepthwiseConv2dNative: 'DepthwiseConv2dNative',
  _FusedMatMul: 'MatMul',
};

/** Activations a fused op may end with, as TensorFlow spells the fused op and the plain op. */
const ACTIVATIONS = new Set(['Relu', 'Relu6', 'Elu', 'Selu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Prelu']);

/** Attributes that describe the fusion, not the convolution or product itself. */
const FUSION_ATTRIBUTES = new Set(['fused_ops', 'num_args', 'epsilon', 'leakyrelu_alpha', 'num_host_args']);

/** Suffix of the names given to the nodes a fused node is split into (all but the last). */
export const UNFUSED_SUFFIX = '/gradcam_unfused';

/** `nodes` with every fused node that can be split replaced by its chain of plain ops. */
export function unfuseNodes(nodes: NodeDef[]): NodeDef[] {
  return nodes.flatMap((node) => unfuseNode(node) ?? [node]);
}

/** True for a node made by `unfuseNodes` (not one of the model's own). */
export function isUnfusedPart(name: string): boolean {
  return name.includes(`${UNFUSED_SUFFIX}/`);
}

function unfuseNode(node: NodeDef): NodeDef[] | undefined {
  const op = UNFUSED_OP[node.op];
  if (!op) return undefined;
  const fusedOps = stringListOf(node.attr?.fused_ops);
  const [extra, activation, ...rest] = fusedOps ?? [];
  if (extra !== 'BiasAdd' || rest.length > 0 || (activation !== undefined && !ACTIVATIONS.has(activation)))
    return undefined;
  const inputs = node.input ?? [];
  const data = inputs.filter((input) => !input.startsWith('^'));
  const control = inputs.filter((input) => input.startsWith('^'));
  const argumentCount = activation === 'Prelu' ? 2 : 1;
  if (data.length !== 2 + argumentCount) return undefined;
  const [x, weights, bias, alpha] = data;
  const attr = node.attr ?? {};
  const kept = Object.fromEntries(Object.entries(attr).filter(([key]) => !FUSION_ATTRIBUTES.has(key)));
  const typeAttr = attr.T === undefined ? {} : { T: attr.T };
  const dataFormat = attr.data_format === undefined ? {} : { data_format: attr.data_format };
  const base = `${node.name}${UNFUSED_SUFFIX}`;
  const product: NodeDef = { name: `${base}/${op}`, op, input: [x, weights, ...control], attr: kept };
  const biasName = activation === undefined ? node.name : `${base}/BiasAdd`;
  const biasAdd: NodeDef = {
    name: biasName,
    op: 'BiasAdd',
    input: [product.name, bias],
    attr: { ...typeAttr, ...dataFormat },
  };
  if (activation === undefined) return [product, biasAdd];
  const activationAttr =
    activation === 'LeakyRelu' && attr.leakyrelu_alpha !== undefined ? { alpha: attr.leakyrelu_alpha } : {};
  const activated: NodeDef = {
    name: node.name,
    op: activation,
    input: activation === 'Prelu' ? [biasAdd.name, alpha] : [biasAdd.name],
    attr: { ...typeAttr, ...activationAttr },
  };
  return [product, biasAdd, activated];
}

/** A `{list: {s: [base64, ...]}}` attribute as strings. */
function stringListOf(value: unknown): string[] | undefined {
  const encoded = (value as { list?: { s?: unknown } } | undefined)?.list?.s;
  if (!Array.isArray(encoded) || !encoded.every((item) => typeof item === 'string')) return undefined;
  return encoded.map((item: string) => Buffer.from(item, 'base64').toString('utf8'));
}
