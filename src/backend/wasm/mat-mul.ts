/**
 * `BatchMatMul` and `_FusedMatMul` for the wasm backend: the stock kernels are naive loops
 * whenever a transpose flag is set or more than one matrix pair is multiplied; these turn every
 * case into untransposed pairs for the fast XNNPACK path. Registered by kernels.ts.
 */
import { broadcast_util, util } from '../../tf.js';
import type { BatchMatMulAttrs, NamedAttrMap, NamedTensorInfoMap, TensorInfo, _FusedMatMulAttrs } from '../../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelArgs, Scratch, type WasmKernel, floatsOf, requireKernel, transposeMatrices, view } from './heap.js';

/** A stack of row-major matrices stored as `[batch, rows, cols]`. */
interface MatrixStack {
  info: TensorInfo;
  batch: number;
  rows: number;
  cols: number;
}

/** How a product is laid out for the fast kernel; see `planProduct`. */
interface ProductPlan {
  /** Compute C^T = op(B)^T op(A)^T and transpose it, instead of C = op(A) op(B). */
  swapped: boolean;
}

/**
 * BatchMatMul: C = op(A) op(B), op = optional transpose of the last two axes.
 *
 * Inputs a `[...batchA, m, k]` (`[..., k, m]` if transposeA), b `[...batchB, k, n]` (`[..., n, k]`
 * if transposeB), float32. Output `[...broadcast(batchA, batchB), m, n]` float32.
 *
 * The fast XNNPACK product takes one untransposed pair, so operands are transposed (by
 * `transposeMatrices`) and the batch is split into pairs. Which operands get transposed is chosen to
 * move the fewest floats: C = op(A) op(B) or C = (op(B)^T op(A)^T)^T, where a transpose flag
 * that is set makes the corresponding operand of the second form free. For a Dense layer's
 * backward pass dX = dY W^T (W `[8192, 512]`, batch 64), that transposes dY and the 64 x 8192
 * result instead of the 4M-float weight matrix.
 *
 * Returns undefined (the original runs) for non-float32 inputs, for batch shapes that broadcast
 * in both directions, and for the single untransposed pair the original already does fast.
 */
export function batchMatMul(args: KernelArgs, original: WasmKernel | undefined): TensorInfo | undefined {
  const { backend } = args;
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
  const product = describeProduct(a, b, transposeA, transposeB);
  if (product === undefined) return undefined;
  if (!transposeA && !transposeB && product.batch === 1) return undefined;
  const single = requireKernel(original);
  const multiplyPair = (p: TensorInfo, q: TensorInfo): TensorInfo =>
    single({ inputs: { a: p, b: q }, attrs: { transposeA: false, transposeB: false }, backend });
  const plan = planProduct(product, transposeA, transposeB);
  return multiply(backend, product, transposeA, transposeB, plan, multiplyPair);
}

/**
 * _FusedMatMul: activation(op(A) op(B) + bias), shapes as in `batchMatMul`; bias `[n]`,
 * preluActivationWeights broadcast over the trailing elements of each `[m, n]` product.
 *
 * The swapped form of `batchMatMul` is used only without bias and PReLU weights: they follow
 * the columns of C, which are rows in the swapped form (the other activations act on each
 * element alone). Returns undefined (the original runs) for cases the original does fast, for
 * non-float32 inputs, for a bias that is not rank 1 (the original rejects it), and for PReLU
 * weights that differ between batch entries.
 */
export function fusedMatMul(args: KernelArgs, original: WasmKernel | undefined): TensorInfo | undefined {
  const { backend } = args;
  const { a, b, bias, preluActivationWeights } = args.inputs as {
    a: TensorInfo;
    b: TensorInfo;
    bias?: TensorInfo;
    preluActivationWeights?: TensorInfo;
  };
  const attrs = args.attrs as unknown as _FusedMatMulAttrs;
  const { transposeA, transposeB } = attrs;
  const product = describeProduct(a, b, transposeA, transposeB);
  if (product === undefined) return undefined;
  if (!transposeA && !transposeB && product.batch === 1) return undefined;
  if (bias != null && bias.shape.length !== 1) return undefined;
  if (preluActivationWeights != null) {
    const weights = util.sizeFromShape(preluActivationWeights.shape);
    if ((product.m * product.n) % weights !== 0) return undefined;
  }
  const single = requireKernel(original);
  const inputsBesides: NamedTensorInfoMap = {};
  if (bias != null) inputsBesides.bias = bias;
  if (preluActivationWeights != null) inputsBesides.preluActivationWeights = preluActivationWeights;
  const multiplyPair = (p: TensorInfo, q: TensorInfo): TensorInfo =>
    single({
      inputs: { a: p, b: q, ...inputsBesides },
      attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as NamedAttrMap,
      backend,
    });
  const plan =
    bias == null && preluActivationWeights == null ? planProduct(product, transposeA, transposeB) : { swapped: false };
  return multiply(backend, product, transposeA, transposeB, plan, multiplyPair);
}

interface ProductShape {
  a: TensorInfo;
  b: TensorInfo;
  batchA: number;
  batchB: number;
  /** Number of products, the size of the broadcast batch shape. */
  batch: number;
  outShape: number[];
  m: number;
  k: number;
  n: number;
}

/**
 * Sizes of op(A) op(B); undefined when the inputs are not float32, or when the batch shapes
 * broadcast in both directions (e.g. `[2, 1]` with `[1, 3]`), which a flat batch index cannot
 * express.
 */
function describeProduct(
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): ProductShape | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (k !== kB) {
    throw new Error(`matMul: inner sizes ${k} and ${kB} of shapes [${a.shape}] and [${b.shape}] differ`);
  }
  const batchShape = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const batch = util.sizeFromShape(batchShape);
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return undefined;
  if (m * k * n === 0) return undefined;
  return { a, b, batchA, batchB, batch, outShape: [...batchShape, m, n], m, k, n };
}

/**
 * Chooses the form that moves the fewest floats. Counted: every operand transposed, the weight
 * matrix XNNPACK repacks on every call (the right-hand operand), and for the swapped form the
 * transpose of the result.
 */
function planProduct(product: ProductShape, transposeA: boolean, transposeB: boolean): ProductPlan {
  const sizeA = product.batchA * product.m * product.k;
  const sizeB = product.batchB * product.k * product.n;
  const sizeC = product.batch * product.m * product.n;
  const direct = (transposeA ? sizeA : 0) + (transposeB ? sizeB : 0) + sizeB;
  const swapped = (transposeB ? 0 : sizeB) + (transposeA ? 0 : sizeA) + sizeA + sizeC;
  return { swapped: swapped < direct };
}

/**
 * Runs the product as untransposed pairs for `multiplyPair` (`[1, r, k] x [1, k, c] -> [1, r, c]`)
 * and returns `[...batch, m, n]`.
 */
function multiply(
  backend: BackendWasm,
  product: ProductShape,
  transposeA: boolean,
  transposeB: boolean,
  plan: ProductPlan,
  multiplyPair: (p: TensorInfo, q: TensorInfo) => TensorInfo,
): TensorInfo {
  const { a, b, batchA, batchB, batch, m, k, n } = product;
  const scratch = new Scratch(backend);
  try {
    // A as stored: [batchA, m, k], or [batchA, k, m] when transposeA. Likewise B.
    const aStored = view(a, transposeA ? [batchA, k, m] : [batchA, m, k]);
    const bStored = view(b, transposeB ? [batchB, n, k] : [batchB, k, n]);
    const transposed = (x: TensorInfo): TensorInfo => transposeMatrices(scratch, x, x.shape[0], x.shape[1], x.shape[2]);
    let left: MatrixStack;
    let right: MatrixStack;
    if (plan.swapped) {
      // C^T [n, m] = op(B)^T [n, k] x op(A)^T [k, m].
      left = { info: transposeB ? bStored : transposed(bStored), batch: batchB, rows: n, cols: k };
      right = { info: transposeA ? aStored : transposed(aStored), batch: batchA, rows: k, cols: m };
    } else {
      left = { info: transposeA ? transposed(aStored) : aStored, batch: batchA, rows: m, cols: k };
      right = { info: transposeB ? transposed(bStored) : bStored, batch: batchB, rows: k, cols: n };
    }
    const stacked = multiplyStacks(backend, scratch, left, right, batch, multiplyPair);
    const result = plan.swapped ? transposed(stacked) : stacked;
    return view(scratch.keepOnly(result), product.outShape);
  } finally {
    scratch.dispose();
  }
}

/**
 * `[batch, r, k] x [batch, k, c] -> [batch, r, c]`, either stack possibly of batch 1 (broadcast).
 * A shared right-hand matrix lets the left stack be one tall `[batch*r, k]` matrix: one call.
 * Otherwise each pair is copied out of the stacks (contiguous) and multiplied on its own.
 */
function multiplyStacks(
  backend: BackendWasm,
  scratch: Scratch,
  left: MatrixStack,
  right: MatrixStack,
  batch: number,
  multiplyPair: (p: TensorInfo, q: TensorInfo) => TensorInfo,
): TensorInfo {
  const { rows, cols: inner } = left;
  const columns = right.cols;
  if (right.batch === 1) {
    const tall = view(left.info, [1, left.batch * rows, inner]);
    const product = scratch.keep(multiplyPair(tall, view(right.info, [1, inner, columns])));
    return view(product, [batch, rows, columns]);
  }
  const out = scratch.keep(backend.makeOutput([batch, rows, columns], 'float32'));
  const productSize = rows * columns;
  for (let index = 0; index < batch; index++) {
    const p = left.batch === 1 ? view(left.info, [1, rows, inner]) : copyMatrix(backend, scratch, left, index);
    const q = copyMatrix(backend, scratch, right, index);
    const pair = scratch.keep(multiplyPair(p, q));
    // Views are taken after the call: a heap that grew detaches views taken before.
    floatsOf(backend, out).set(floatsOf(backend, pair), index * productSize);
    for (const used of [pair, p, q]) scratch.disposeNow(used);
  }
  return out;
}

/** Copies matrix `index` of a stack into a new `[1, rows, cols]` buffer. */
function copyMatrix(backend: BackendWasm, scratch: Scratch, stack: MatrixStack, index: number): TensorInfo {
  const size = stack.rows * stack.cols;
  const copy = scratch.keep(backend.makeOutput([1, stack.rows, stack.cols], 'float32'));
  floatsOf(backend, copy).set(floatsOf(backend, stack.info).subarray(index * size, (index + 1) * size));
  return copy;
}
