/**
 * Rewrites a graph model's fused nodes (`_FusedConv2D`, `FusedDepthwiseConv2dNative`,
 * `_FusedMatMul`) as the plain ops they fuse, before the model is built; the last op of each chain
 * keeps the fused node's name. Why: the plain ops' gradients compute only what lies between A and
 * the score, never the filter gradient (docs/design-notes.md, "Unfusing a graph model").
 * Pure JSON work on model.json's NodeDefs.
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
