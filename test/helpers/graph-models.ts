/**
 * Graph models written by hand in the format `tensorflowjs_converter` writes for a SavedModel
 * (`format: 'graph-model'`): model.json holds TensorFlow NodeDefs (attributes encoded as in
 * TensorFlow's JSON: `{list: {i: ['1', ...]}}`, strings base64 `{s: 'U0FNRQ=='}`, types
 * `{type: 'DT_FLOAT'}`), the weights are Const nodes listed in `weightsManifest`, quantized as
 * the converter does (converter-weights.ts), in one or several groups of shard files.
 *
 * The node kinds are the ones converted Keras / TF Hub models are made of: Placeholder, Const,
 * _FusedConv2D and FusedDepthwiseConv2dNative (fused BiasAdd + Relu / Relu6 / LeakyRelu, or none),
 * _FusedMatMul, MatMul, BiasAdd, AddV2, ConcatV2, MaxPool, AvgPool, Mean, Softmax, Identity.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quantize, type Quantization } from './converter-weights.js';

export interface NodeDef {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

interface ConstWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

export type Activation = 'Relu' | 'Relu6' | 'LeakyRelu' | undefined;

const FLOAT = { type: 'DT_FLOAT' };
const base64 = (text: string) => Buffer.from(text).toString('base64');
const ints = (values: number[]) => ({ list: { i: values.map(String) } });

/** Builds the NodeDefs and Const weights of a graph, in the order nodes are added. */
export class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly weights: ConstWeight[] = [];
  private seed: number;

  constructor(seed: number) {
    this.seed = seed;
  }

  placeholder(name: string, shape: number[]): string {
    const dim = shape.map((size) => ({ size: String(size) }));
    this.nodes.push({ name, op: 'Placeholder', attr: { shape: { shape: { dim } }, dtype: FLOAT } });
    return name;
  }

  /** A float32 Const with seeded values uniform in [-scale, scale] + offset. */
  constant(name: string, shape: number[], scale: number, offset = 0): string {
    const count = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: count }, () => offset + scale * (2 * this.random() - 1));
    return this.constantOf(name, shape, values);
  }

  constantOf(name: string, shape: number[], values: Float32Array | Int32Array): string {
    const dtype = values instanceof Int32Array ? 'int32' : 'float32';
    const type = dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    const dim = shape.map((size) => ({ size: String(size) }));
    this.nodes.push({
      name,
      op: 'Const',
      attr: { value: { tensor: { dtype: type, tensorShape: { dim } } }, dtype: { type } },
    });
    this.weights.push({ name, shape, dtype, values });
    return name;
  }

  /** _FusedConv2D as grappler writes it (BiasAdd, then the activation if any). */
  fusedConv(name: string, x: string, filterShape: number[], options: ConvOptions = {}): string {
    const filter = this.constant(`${name}/weights`, filterShape, options.weightScale ?? 0.5);
    const bias = this.constant(`${name}/bias`, [filterShape[3]], 0.2, options.biasOffset ?? 0);
    this.nodes.push({
      name,
      op: '_FusedConv2D',
      input: [x, filter, bias],
      attr: { ...convAttributes(options), use_cudnn_on_gpu: { b: true }, ...fusion(options.activation, options.alpha) },
    });
    return name;
  }

  fusedDepthwise(name: string, x: string, filterShape: number[], options: ConvOptions = {}): string {
    const filter = this.constant(`${name}/weights`, filterShape, options.weightScale ?? 0.5);
    const bias = this.constant(`${name}/bias`, [filterShape[2] * filterShape[3]], 0.2, options.biasOffset ?? 0);
    this.nodes.push({
      name,
      op: 'FusedDepthwiseConv2dNative',
      input: [x, filter, bias],
      attr: { ...convAttributes(options), ...fusion(options.activation, options.alpha) },
    });
    return name;
  }

  pool(
    op: 'MaxPool' | 'AvgPool',
    name: string,
    x: string,
    size: number,
    stride: number,
    padding: 'SAME' | 'VALID',
  ): string {
    this.nodes.push({
      name,
      op,
      input: [x],
      attr: {
        T: FLOAT,
        ksize: ints([1, size, size, 1]),
        strides: ints([1, stride, stride, 1]),
        padding: { s: base64(padding) },
        data_format: { s: base64('NHWC') },
      },
    });
    return name;
  }

  /** Mean over height and width: Keras GlobalAveragePooling2D as converted. */
  spatialMean(name: string, x: string): string {
    const axes = this.constantOf(`${name}/reduction_indices`, [2], Int32Array.from([1, 2]));
    this.nodes.push({
      name,
      op: 'Mean',
      input: [x, axes],
      attr: { Tidx: { type: 'DT_INT32' }, T: FLOAT, keep_dims: { b: false } },
    });
    return name;
  }

  /** MatMul then BiasAdd, as two nodes. */
  dense(name: string, x: string, inputs: number, units: number): string {
    const kernel = this.constant(`${name}/kernel`, [inputs, units], 0.5);
    const bias = this.constant(`${name}/bias`, [units], 0.2);
    this.nodes.push({
      name: `${name}/MatMul`,
      op: 'MatMul',
      input: [x, kernel],
      attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } },
    });
    this.nodes.push({
      name: `${name}/BiasAdd`,
      op: 'BiasAdd',
      input: [`${name}/MatMul`, bias],
      attr: { T: FLOAT, data_format: { s: base64('NHWC') } },
    });
    return `${name}/BiasAdd`;
  }

  /** _FusedMatMul with a BiasAdd, as grappler writes a Dense layer. */
  fusedDense(name: string, x: string, inputs: number, units: number): string {
    const kernel = this.constant(`${name}/kernel`, [inputs, units], 0.5);
    const bias = this.constant(`${name}/bias`, [units], 0.2);
    this.nodes.push({
      name,
      op: '_FusedMatMul',
      input: [x, kernel, bias],
      attr: {
        transpose_b: { b: false },
        T: FLOAT,
        num_args: { i: '1' },
        epsilon: { f: 0 },
        fused_ops: { list: { s: [base64('BiasAdd')] } },
        transpose_a: { b: false },
      },
    });
    return name;
  }

  add(name: string, a: string, b: string): string {
    this.nodes.push({ name, op: 'AddV2', input: [a, b], attr: { T: FLOAT } });
    return name;
  }

  concat(name: string, inputs: string[]): string {
    const axis = this.constantOf(`${name}/axis`, [], Int32Array.from([3]));
    this.nodes.push({
      name,
      op: 'ConcatV2',
      input: [...inputs, axis],
      attr: { N: { i: String(inputs.length) }, T: FLOAT, Tidx: { type: 'DT_INT32' } },
    });
    return name;
  }

  unary(op: 'Softmax' | 'Identity' | 'Relu' | 'Sigmoid', name: string, x: string): string {
    this.nodes.push({ name, op, input: [x], attr: { T: FLOAT } });
    return name;
  }

  private random(): number {
    // mulberry32: reproducible weights from the seed.
    this.seed = (this.seed + 0x6d2b79f5) | 0;
    let t = this.seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

export interface ConvOptions {
  stride?: number;
  padding?: 'SAME' | 'VALID';
  activation?: Activation;
  /** LeakyRelu's slope. */
  alpha?: number;
  weightScale?: number;
  biasOffset?: number;
}

function convAttributes(options: ConvOptions): Record<string, unknown> {
  const stride = options.stride ?? 1;
  return {
    dilations: ints([1, 1, 1, 1]),
    T: FLOAT,
    data_format: { s: base64('NHWC') },
    strides: ints([1, stride, stride, 1]),
    explicit_paddings: { list: {} },
    padding: { s: base64(options.padding ?? 'SAME') },
  };
}

function fusion(activation: Activation, alpha: number | undefined): Record<string, unknown> {
  const ops = activation === undefined ? ['BiasAdd'] : ['BiasAdd', activation];
  return {
    num_args: { i: '1' },
    epsilon: { f: 0 },
    fused_ops: { list: { s: ops.map(base64) } },
    ...(activation === 'LeakyRelu' ? { leakyrelu_alpha: { f: alpha ?? 0.2 } } : {}),
  };
}

export interface WriteOptions {
  quantization: Quantization;
  /** Weights per manifest group (the converter's `weight_shard_size_bytes` split, here by count). */
  weightsPerGroup?: number;
  /** Largest shard file in bytes. */
  shardBytes?: number;
}

/**
 * Writes model.json and the shard files into `directory` (created). Returns the values a correct
 * reader decodes for each weight (dequantized float32; int32 constants as they are).
 */
export async function writeGraphModel(
  directory: string,
  graph: GraphBuilder,
  options: WriteOptions,
): Promise<Map<string, Float32Array | Int32Array>> {
  await mkdir(directory, { recursive: true });
  const decoded = new Map<string, Float32Array | Int32Array>();
  const perGroup = options.weightsPerGroup ?? graph.weights.length;
  const manifest: { paths: string[]; weights: unknown[] }[] = [];
  for (let start = 0, group = 1; start < graph.weights.length; start += perGroup, group++) {
    const chunks: Uint8Array[] = [];
    const entries: unknown[] = [];
    for (const weight of graph.weights.slice(start, start + perGroup)) {
      if (weight.values instanceof Int32Array) {
        chunks.push(new Uint8Array(weight.values.slice().buffer));
        entries.push({ name: weight.name, shape: weight.shape, dtype: 'int32' });
        decoded.set(weight.name, weight.values);
        continue;
      }
      const { bytes, quantization, dequantized } = quantize(weight.values, options.quantization);
      chunks.push(bytes);
      entries.push({
        name: weight.name,
        shape: weight.shape,
        dtype: 'float32',
        ...(quantization ? { quantization } : {}),
      });
      decoded.set(weight.name, dequantized);
    }
    const all = Buffer.concat(chunks);
    const shardBytes = options.shardBytes ?? 4 * 1024 * 1024;
    const count = Math.max(1, Math.ceil(all.length / shardBytes));
    const paths = Array.from({ length: count }, (_, k) => `group${group}-shard${k + 1}of${count}`);
    for (const [k, path] of paths.entries())
      await writeFile(join(directory, path), all.subarray(k * shardBytes, (k + 1) * shardBytes));
    manifest.push({ paths, weights: entries });
  }
  const modelJson = {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: { node: graph.nodes, library: {}, versions: { producer: 1645 } },
    weightsManifest: manifest,
  };
  await writeFile(join(directory, 'model.json'), JSON.stringify(modelJson));
  return decoded;
}
