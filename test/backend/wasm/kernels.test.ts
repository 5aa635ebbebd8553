/**
 * The wasm training kernels against the cpu backend (plain JavaScript loops, an independent
 * implementation) on seeded random tensors: every case runs the same kernel on both backends and
 * compares element by element, relative to the largest reference magnitude.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../../src/backend/wasm/kernels.js';

const RELATIVE_TOLERANCE = 1e-4;

/** Deterministic values in [-1, 1) (mulberry32), so a failure reproduces. */
function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(size);
  for (let index = 0; index < size; index++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[index] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return values;
}

interface Operand {
  values: Float32Array;
  shape: number[];
}

function operand(shape: number[], seed: number): Operand {
  return {
    values: randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  };
}

/** Runs `compute` on fresh copies of the operands on `backend`, returns its output values. */
async function runOn(
  backend: 'cpu' | 'wasm',
  operands: Operand[],
  compute: (...tensors: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensors = operands.map(({ values, shape }) => tf.tensor(values, shape, 'float32'));
  const outputs = [compute(...tensors)].flat();
  const values = outputs.map((output) => output.dataSync() as Float32Array);
  tf.dispose([...tensors, ...outputs]);
  return values;
}

function maxAbs(values: Float32Array): number {
  return values.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
}

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const scale = maxAbs(expected);
  // Random inputs never give an all-zero reference; one would make the comparison vacuous.
  expect(scale, `${what}: reference is all zeros`).toBeGreaterThan(0);
  let worst = 0;
  for (let index = 0; index < actual.length; index++) {
    worst = Math.max(worst, Math.abs(actual[index] - expected[index]));
  }
  expect(worst / scale, `${what}: max |wasm - cpu| / max |cpu|`).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
}

/**
 * Same computation on wasm and cpu (or against `reference` values when given); asserts
 * agreement and that wasm kept no buffers.
 */
async function expectWasmMatchesCpu(
  what: string,
  operands: Operand[],
  compute: (...tensors: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  reference?: Float32Array[],
): Promise<void> {
  await tf.setBackend('wasm');
  const wasmBackend = tf.backend() as BackendWasm;
  const buffersBefore = wasmBackend.numDataIds();
  const tensorsBefore = tf.memory().numTensors;
  const onWasm = await runOn('wasm', operands, compute);
  expect(wasmBackend.numDataIds(), `${what}: wasm buffers leaked`).toBe(buffersBefore);
  expect(tf.memory().numTensors, `${what}: tensors leaked`).toBe(tensorsBefore);
  const expected = reference ?? (await runOn('cpu', operands, compute));
  expect(onWasm.length).toBe(expected.length);
  onWasm.forEach((values, index) => expectClose(values, expected[index], `${what} output ${index}`));
}

/**
 * dW straight from its definition, dW[a,b,c,o] = sum_{n,i,j} x[n, i*s-top+a, j*s-left+b, c]
 * dy[n,i,j,o], in float64: for the large cases, where the cpu backend's own kernel takes
 * seconds (its loop order strides through x).
 */
function directFilterGradient(c: ConvCase, x: Operand, dy: Operand): Float32Array {
  const info = convInfo(c);
  const { outHeight, outWidth, padInfo } = info;
  const { filterSize: size, inChannels, outChannels, height, width, stride } = c;
  const sums = new Float64Array(size * size * inChannels * outChannels);
  for (let n = 0; n < c.batch; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        const dyAt = ((n * outHeight + i) * outWidth + j) * outChannels;
        for (let a = 0; a < size; a++) {
          const h = i * stride - padInfo.top + a;
          if (h < 0 || h >= height) continue;
          for (let b = 0; b < size; b++) {
            const w = j * stride - padInfo.left + b;
            if (w < 0 || w >= width) continue;
            const xAt = ((n * height + h) * width + w) * inChannels;
            const dwAt = (a * size + b) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const value = x.values[xAt + ci];
              for (let o = 0; o < outChannels; o++) sums[dwAt + ci * outChannels + o] += value * dy.values[dyAt + o];
            }
          }
        }
      }
    }
  }
  return Float32Array.from(sums);
}

type Padding = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  filterSize: number;
  stride: number;
  pad: Padding;
  /** Check dW against `directFilterGradient` instead of the (slow here) cpu backend. */
  directFilterReference?: true;
}

function convCases(): ConvCase[] {
  const cases: ConvCase[] = [];
  const sizes: Array<[number, number]> = [
    [7, 7],
    [8, 6],
  ];
  const channels: Array<[number, number]> = [
    [3, 4],
    [1, 5],
  ];
  const pads: Padding[] = ['same', 'valid'];
  for (const filterSize of [1, 3, 5]) {
    for (const stride of [1, 2]) {
      for (const pad of pads) {
        for (const [height, width] of sizes) {
          for (const [inChannels, outChannels] of channels) {
            cases.push({ batch: 3, height, width, inChannels, outChannels, filterSize, stride, pad });
          }
        }
      }
    }
  }
  // Numeric and explicit (asymmetric, larger than filter - 1) padding, and odd/even mixes.
  cases.push({ batch: 2, height: 9, width: 5, inChannels: 2, outChannels: 3, filterSize: 3, stride: 2, pad: 1 });
  cases.push({ batch: 2, height: 6, width: 9, inChannels: 3, outChannels: 2, filterSize: 3, stride: 1, pad: 2 });
  cases.push({
    batch: 2,
    height: 7,
    width: 8,
    inChannels: 3,
    outChannels: 4,
    filterSize: 3,
    stride: 2,
    pad: [
      [0, 0],
      [2, 0],
      [1, 3],
      [0, 0],
    ],
  });
  cases.push({
    batch: 2,
    height: 6,
    width: 6,
    inChannels: 2,
    outChannels: 3,
    filterSize: 3,
    stride: 1,
    pad: [
      [0, 0],
      [4, 1],
      [0, 3],
      [0, 0],
    ],
  });
  // A VGG-like layer: many channels, even size. With 16+ input channels and many positions per
  // output channel, dx is computed by convolution with the flipped filter; also for 'valid',
  // 5x5, and not for explicit padding wider than the filter (negative convolution padding).
  cases.push({
    batch: 4,
    height: 16,
    width: 16,
    inChannels: 16,
    outChannels: 32,
    filterSize: 3,
    stride: 1,
    pad: 'same',
  });
  cases.push({
    batch: 4,
    height: 11,
    width: 12,
    inChannels: 16,
    outChannels: 3,
    filterSize: 3,
    stride: 1,
    pad: 'valid',
  });
  cases.push({
    batch: 4,
    height: 12,
    width: 11,
    inChannels: 17,
    outChannels: 3,
    filterSize: 5,
    stride: 1,
    pad: 'same',
  });
  cases.push({
    batch: 4,
    height: 12,
    width: 12,
    inChannels: 16,
    outChannels: 4,
    filterSize: 3,
    stride: 1,
    pad: [
      [0, 0],
      [3, 0],
      [1, 1],
      [0, 0],
    ],
  });
  // Sizes that make the kernels work in parts (16 MB patch buffers, 4096 positions per product):
  // 9*23*23 = 4761 positions, split inside an output row; 8 images of 64*64*3*3*15 patch floats
  // for dx by product (7 images per part); 520 channels * 4096 positions, one filter tap per
  // part for dW.
  cases.push({ batch: 9, height: 23, width: 23, inChannels: 2, outChannels: 3, filterSize: 3, stride: 1, pad: 'same' });
  const large = { filterSize: 3, stride: 1, pad: 'same', directFilterReference: true } as const;
  cases.push({ batch: 8, height: 64, width: 64, inChannels: 15, outChannels: 4, ...large });
  cases.push({ batch: 1, height: 64, width: 64, inChannels: 520, outChannels: 2, ...large });
  return cases;
}

function describeCase(c: ConvCase): string {
  const filter = `${c.filterSize}x${c.filterSize}`;
  return `${c.batch}x${c.height}x${c.width}x${c.inChannels} -> ${c.outChannels}, ${filter}, stride ${c.stride}, pad ${JSON.stringify(c.pad)}`;
}

/** Sizes and padding of the forward convolution, from tfjs's own shape logic. */
function convInfo(c: ConvCase): ReturnType<typeof tf.backend_util.computeConv2DInfo> {
  return tf.backend_util.computeConv2DInfo(
    [c.batch, c.height, c.width, c.inChannels],
    [c.filterSize, c.filterSize, c.inChannels, c.outChannels],
    c.stride,
    1,
    c.pad,
  );
}

function convOutShape(c: ConvCase): number[] {
  return convInfo(c).outShape;
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await import('@tensorflow/tfjs-backend-wasm');
  // Registering after the backend started is the harder order (setup already ran): test that one.
  expect(await tf.setBackend('wasm')).toBe(true);
  registerWasmTrainingKernels();
});

afterAll(() => {
  tf.disposeVariables();
});

describe('registerWasmTrainingKernels', () => {
  it('registers a Conv2DBackpropFilter kernel, which tfjs-backend-wasm 4.22 lacks', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('is idempotent and keeps the original setupFunc of replaced kernels', () => {
    const before = ['Conv2DBackpropInput', 'BatchMatMul', '_FusedMatMul'].map((name) => tf.getKernel(name, 'wasm'));
    registerWasmTrainingKernels();
    const after = ['Conv2DBackpropInput', 'BatchMatMul', '_FusedMatMul'].map((name) => tf.getKernel(name, 'wasm'));
    after.forEach((config, index) => {
      expect(config).toBe(before[index]);
      expect(config?.setupFunc).toBeTypeOf('function');
    });
  });
});

describe('Conv2DBackpropFilter and Conv2DBackpropInput on wasm match cpu', () => {
  for (const c of convCases()) {
    it(describeCase(c), async () => {
      const xShape = [c.batch, c.height, c.width, c.inChannels];
      const filterShape = [c.filterSize, c.filterSize, c.inChannels, c.outChannels];
      const dyShape = convOutShape(c);
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC' };
      const [x, dy] = [operand(xShape, 1), operand(dyShape, 2)];
      await expectWasmMatchesCpu(
        `dW ${describeCase(c)}`,
        [x, dy],
        (x, dy) => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape }) as tf.Tensor,
        c.directFilterReference ? [directFilterGradient(c, x, dy)] : undefined,
      );
      await expectWasmMatchesCpu(
        `dx ${describeCase(c)}`,
        [operand(dyShape, 3), operand(filterShape, 4)],
        (dy, filter) =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: xShape }) as tf.Tensor,
      );
    });
  }
});

describe('BatchMatMul and _FusedMatMul on wasm match cpu', () => {
  // [a batch dims, b batch dims]: none; equal; rank-4 a with one b for all; one a for all b
  // (twice); broadcast both ways.
  const batchShapes: Array<[number[], number[]]> = [
    [[], []],
    [[3], [3]],
    [[2, 3], []],
    [[], [4]],
    [[1], [2]],
    [
      [2, 1],
      [1, 3],
    ],
  ];
  // (m, k, n): (4, 6, 40) with transposeB runs as (op(B)^T op(A)^T)^T, the others as op(A) op(B).
  const sizes: Array<[number, number, number]> = [
    [5, 7, 3],
    [4, 6, 40],
    [40, 6, 4],
  ];
  const cases = batchShapes.flatMap(([batchA, batchB]) =>
    sizes.flatMap(([m, k, n]) =>
      [false, true].flatMap((transposeA) =>
        [false, true].map((transposeB) => ({ batchA, batchB, m, k, n, transposeA, transposeB })),
      ),
    ),
  );
  const label = (c: (typeof cases)[number]): string =>
    `a [${c.batchA}] b [${c.batchB}] m=${c.m} k=${c.k} n=${c.n} transposeA=${c.transposeA} transposeB=${c.transposeB}`;

  for (const c of cases) {
    const what = label(c);
    it(`BatchMatMul ${what}`, async () => {
      const aShape = [...c.batchA, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])];
      const bShape = [...c.batchB, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])];
      await expectWasmMatchesCpu(what, [operand(aShape, 5), operand(bShape, 6)], (a, b) =>
        tf.matMul(a, b, c.transposeA, c.transposeB),
      );
    });
  }

  const activations = ['linear', 'relu', 'elu', 'prelu', 'leakyrelu'] as const;
  // tf.fused.matMul flattens the batch dims before its kernel, so [2, 1] with [1, 3] reaches
  // the kernel as batches 2 and 3, which the original wasm kernel rejects too.
  const fusedCases = cases.filter((c) => !(c.batchA.length === 2 && c.batchB.length === 2));
  fusedCases.forEach((c, index) => {
    const activation = activations[index % activations.length];
    for (const withBias of [true, false]) {
      const what = `${label(c)}, ${withBias ? 'bias' : 'no bias'}, ${activation}`;
      it(`_FusedMatMul ${what}`, async () => {
        const aShape = [...c.batchA, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])];
        const bShape = [...c.batchB, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])];
        const operands = [operand(aShape, 7), operand(bShape, 8), operand([c.n], 9), operand([c.n], 10)];
        await expectWasmMatchesCpu(what, operands, (a, b, bias, alpha) =>
          tf.fused.matMul({
            a,
            b,
            transposeA: c.transposeA,
            transposeB: c.transposeB,
            ...(withBias ? { bias } : {}),
            activation,
            ...(activation === 'prelu' ? { preluActivationWeights: alpha } : {}),
            ...(activation === 'leakyrelu' ? { leakyreluAlpha: 0.3 } : {}),
          }),
        );
      });
    }
  });
});

describe('gradients of a small conv net on wasm match cpu', () => {
  /**
   * conv 3x3 same -> relu -> conv 3x3 stride 2 valid -> relu -> max pool -> dense (fused, bias)
   * -> softmax cross-entropy; gradients with respect to the input and every weight.
   */
  function lossGradients(x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor, bias: tf.Tensor): tf.Tensor[] {
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 3], 'int32'), 5));
    const loss = (input: tf.Tensor, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor): tf.Scalar => {
      const h1 = tf.relu(tf.conv2d(input as tf.Tensor4D, a as tf.Tensor4D, 1, 'same'));
      const h2 = tf.relu(tf.conv2d(h1, b as tf.Tensor4D, 2, 'valid'));
      const pooled = tf.maxPool(h2, 2, 2, 'valid');
      const logits = tf.fused.matMul({ a: tf.reshape(pooled, [2, -1]) as tf.Tensor2D, b: c as tf.Tensor2D, bias: d });
      return tf.losses.softmaxCrossEntropy(labels, logits);
    };
    const { value, grads } = tf.valueAndGrads(loss)([x, w1, w2, w3, bias]);
    labels.dispose();
    return [value, ...grads];
  }

  it('agrees for the loss and the gradients of input, both filters, the dense weights and bias', async () => {
    // 11x11 -> conv same 11x11x4 -> conv 3x3/2 valid 5x5x6 -> pool 2x2x6 = 24 features.
    const operands = [
      operand([2, 11, 11, 3], 11),
      operand([3, 3, 3, 4], 12),
      operand([3, 3, 4, 6], 13),
      operand([24, 5], 14),
      operand([5], 15),
    ];
    await expectWasmMatchesCpu('conv net loss and gradients', operands, lossGradients);
  });
});

describe('after the wasm backend is created again', () => {
  // Backend creation calls every registered setupFunc: the order src/backend/index.ts uses
  // (register, then setBackend) relies on the same thing.
  it('binds the original kernels anew (the kept setupFunc) and still matches cpu', async () => {
    const factory = tf.findBackendFactory('wasm');
    expect(factory).not.toBeNull();
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory!);
    expect(await tf.setBackend('wasm')).toBe(true);
    const c: ConvCase = {
      batch: 2,
      height: 6,
      width: 7,
      inChannels: 3,
      outChannels: 4,
      filterSize: 3,
      stride: 2,
      pad: 'same',
    };
    const dyShape = convOutShape(c);
    await expectWasmMatchesCpu(
      'dx after re-creation',
      [operand(dyShape, 16), operand([3, 3, 3, 4], 17)],
      (dy, filter) =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy, filter },
            { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 6, 7, 3] },
          ) as tf.Tensor,
    );
    // A fallback path (single untransposed product) runs the original kernel's C function.
    await expectWasmMatchesCpu('matMul after re-creation', [operand([5, 7], 18), operand([7, 3], 19)], (a, b) =>
      tf.matMul(a, b),
    );
  });
});
