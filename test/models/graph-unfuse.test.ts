/**
 * The rewrite of fused nodes into plain ops (src/models/graph-unfuse.ts), on NodeDefs as the
 * converter writes them: names, inputs and attributes of the chain; what is left alone.
 */
import { describe, expect, it } from 'vitest';
import { isUnfusedPart, unfuseNodes, type NodeDef } from '../../src/models/graph-unfuse.js';

const base64 = (text: string) => Buffer.from(text).toString('base64');
const fusedOps = (...ops: string[]) => ({ list: { s: ops.map(base64) } });
const T = { type: 'DT_FLOAT' };
const NHWC = { s: base64('NHWC') };

describe('unfuseNodes', () => {
  it('_FusedConv2D with BiasAdd and LeakyRelu → Conv2D, BiasAdd, LeakyRelu; the last keeps the name', () => {
    const strides = { list: { i: ['1', '2', '2', '1'] } };
    const node: NodeDef = {
      name: 'block/LeakyRelu',
      op: '_FusedConv2D',
      input: ['x', 'w', 'b', '^init'],
      attr: {
        T,
        strides,
        padding: { s: base64('SAME') },
        data_format: NHWC,
        num_args: { i: '1' },
        epsilon: { f: 0 },
        fused_ops: fusedOps('BiasAdd', 'LeakyRelu'),
        leakyrelu_alpha: { f: 0.3 },
      },
    };
    expect(unfuseNodes([node])).toEqual([
      {
        name: 'block/LeakyRelu/gradcam_unfused/Conv2D',
        op: 'Conv2D',
        input: ['x', 'w', '^init'],
        attr: { T, strides, padding: { s: base64('SAME') }, data_format: NHWC },
      },
      {
        name: 'block/LeakyRelu/gradcam_unfused/BiasAdd',
        op: 'BiasAdd',
        input: ['block/LeakyRelu/gradcam_unfused/Conv2D', 'b'],
        attr: { T, data_format: NHWC },
      },
      {
        name: 'block/LeakyRelu',
        op: 'LeakyRelu',
        input: ['block/LeakyRelu/gradcam_unfused/BiasAdd'],
        attr: { T, alpha: { f: 0.3 } },
      },
    ]);
    expect(isUnfusedPart('block/LeakyRelu/gradcam_unfused/Conv2D')).toBe(true);
    expect(isUnfusedPart('block/LeakyRelu')).toBe(false);
  });

  it('FusedDepthwiseConv2dNative with Prelu reads its alpha as the activation`s second input', () => {
    const node: NodeDef = {
      name: 'dw',
      op: 'FusedDepthwiseConv2dNative',
      input: ['x', 'w', 'b', 'alpha'],
      attr: { T, num_args: { i: '2' }, fused_ops: fusedOps('BiasAdd', 'Prelu') },
    };
    const [product, biasAdd, activation] = unfuseNodes([node]);
    expect(product).toMatchObject({ op: 'DepthwiseConv2dNative', input: ['x', 'w'] });
    expect(biasAdd).toMatchObject({ op: 'BiasAdd', input: [product.name, 'b'] });
    expect(activation).toEqual({ name: 'dw', op: 'Prelu', input: [biasAdd.name, 'alpha'], attr: { T } });
  });

  it('_FusedMatMul with only a BiasAdd → MatMul (its transposes kept) and a BiasAdd named as the fused node', () => {
    const node: NodeDef = {
      name: 'dense/BiasAdd',
      op: '_FusedMatMul',
      input: ['x', 'k', 'b'],
      attr: {
        T,
        transpose_a: { b: false },
        transpose_b: { b: true },
        fused_ops: fusedOps('BiasAdd'),
        num_args: { i: '1' },
      },
    };
    expect(unfuseNodes([node])).toEqual([
      {
        name: 'dense/BiasAdd/gradcam_unfused/MatMul',
        op: 'MatMul',
        input: ['x', 'k'],
        attr: { T, transpose_a: { b: false }, transpose_b: { b: true } },
      },
      { name: 'dense/BiasAdd', op: 'BiasAdd', input: ['dense/BiasAdd/gradcam_unfused/MatMul', 'b'], attr: { T } },
    ]);
  });

  it('leaves other nodes and fusions it does not know as they are', () => {
    const nodes: NodeDef[] = [
      { name: 'relu', op: 'Relu', input: ['x'] },
      {
        name: 'bn',
        op: '_FusedConv2D',
        input: ['x', 'w', 's', 'o', 'm', 'v'],
        attr: { fused_ops: fusedOps('FusedBatchNorm', 'Relu') },
      },
      { name: 'swish', op: '_FusedConv2D', input: ['x', 'w', 'b'], attr: { fused_ops: fusedOps('BiasAdd', 'Swish') } },
      { name: 'short', op: '_FusedConv2D', input: ['x', 'w'], attr: { fused_ops: fusedOps('BiasAdd', 'Relu') } },
    ];
    expect(unfuseNodes(nodes)).toEqual(nodes);
  });
});
