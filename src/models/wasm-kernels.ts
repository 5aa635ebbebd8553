/**
 * Fast training kernels for the TensorFlow.js wasm backend (tfjs-backend-wasm 4.22.0).
 *
 * Why this module exists: wasm 4.22 registers no `Conv2DBackpropFilter` kernel, so the gradient of
 * any convolution fails, and its `Conv2DBackpropInput`, and its `BatchMatMul` / `_FusedMatMul`
 * whenever a transpose flag is set or more than one matrix pair is multiplied, are naive C++
 * loops (0.6-4 GFLOP/s). Its fast path is XNNPACK's matrix product (20-30 GFLOP/s single-threaded
 * SIMD), reachable as `BatchMatMul` of ONE untransposed pair `[1, m, k] x [1, k, n]`.
 *
 * Each kernel below turns its work into such products plus data movement: unfolding patches
 * (im2col), adding them back (col2im), transposing. The data movement is JavaScript on the wasm
 * heap rather than the wasm `Transpose` kernel, which is an untiled loop (20-45 ns per element
 * on multi-MB matrices here; see `transposeMatrices`). Kernel functions are called directly, not
 * through the engine, so intermediates are backend buffers freed here, never engine tensors or
 * gradient-tape entries.
 *
 * All kernels are NHWC, float32, dilation 1 (the tfjs gradients of `conv2d` refuse dilation > 1
 * anyway). Cases they do not cover are handed to the original wasm kernel unchanged.
 */
import {
  BatchMatMul,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  _FusedMatMul,
  backend_util,
  broadcast_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  util,
} from '../tf.js';
import type {
  BatchMatMulAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
  _FusedMatMulAttrs,
} from '../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmMaxPoolGrad } from './wasm-max-pool-grad.js';

const WASM = 'wasm';

/** Marks configs registered here, across module copies, so registering twice is a no-op. */
const REGISTERED_HERE = Symbol.for('gradcam.wasmTrainingKernel');

type MarkedKernelConfig = KernelConfig & { [REGISTERED_HERE]: true };

/** The arguments the engine passes to every kernel function. */
interface KernelArgs {
  inputs: NamedTensorInfoMap;
  attrs?: NamedAttrMap;
  backend: BackendWasm;
}

type WasmKernel = (args: KernelArgs) => TensorInfo;

/**
 * Replaces the wasm backend's slow training kernels with the fast versions from this module,
 * adds the missing `Conv2DBackpropFilter`, and replaces the incorrect `MaxPoolGrad`
 * (wasm-max-pool-grad.ts). Call it after `import('@tensorflow/tfjs-backend-wasm')`;
 * before or after `tf.setBackend('wasm')` both work, because the engine looks kernels up on every
 * call and each replacement keeps the original's `setupFunc` (which binds the C functions that
 * the original, still used for fallbacks, needs). Idempotent.
 *
 * @throws Error when the wasm backend's kernels are not registered (its package was not imported).
 */
export function registerWasmTrainingKernels(): void {
  if (getKernel(Conv2D, WASM) === undefined) {
    throw new Error('the wasm backend is not registered: import @tensorflow/tfjs-backend-wasm first');
  }
  replaceKernel(Conv2DBackpropFilter, () => conv2DBackpropFilter);
  replaceKernel(Conv2DBackpropInput, (original) => guardedBy(conv2DBackpropInput, requireKernel(original)));
  replaceKernel(BatchMatMul, (original) => guardedBy(batchMatMul, requireKernel(original)));
  replaceKernel(_FusedMatMul, (original) => guardedBy(fusedMatMul, requireKernel(original)));
  registerWasmMaxPoolGrad();
}

/** A fast kernel answers `undefined` for a case it does not cover; the original then runs. */
type FastKernel = (args: KernelArgs, original: WasmKernel | undefined) => TensorInfo | undefined;

function guardedBy(fast: FastKernel, original: WasmKernel): WasmKernel {
  return (args) => fast(args, original) ?? original(args);
}

function requireKernel(original: WasmKernel | undefined): WasmKernel {
  if (original === undefined) throw new Error('the wasm backend lacks a kernel this module replaces');
  return original;
}

function replaceKernel(kernelName: string, build: (original: WasmKernel | undefined) => WasmKernel): void {
  const current = getKernel(kernelName, WASM);
  if (current !== undefined && REGISTERED_HERE in current) return;
  const original = current === undefined ? undefined : (current.kernelFunc as unknown as WasmKernel);
  const config: MarkedKernelConfig = {
    kernelName,
    backendName: WASM,
    kernelFunc: build(original) as unknown as KernelFunc,
    [REGISTERED_HERE]: true,
  };
  // Keeping the original's hooks: setupFunc binds the C functions the original needs.
  if (current?.setupFunc !== undefined) config.setupFunc = current.setupFunc;
  if (current?.disposeFunc !== undefined) config.disposeFunc = current.disposeFunc;
  if (current !== undefined) unregisterKernel(kernelName, WASM);
  registerKernel(config);
}

// ---------------------------------------------------------------------------------------------
// Convolution gradients
// ---------------------------------------------------------------------------------------------

/**
 * Upper bound, in floats, of the unfolded-patch buffers below (16 MB), so memory stays near the
 * size of the tensors themselves; a bigger job runs as several products on parts of it.
 */
const PATCH_BUFFER_FLOATS = 1 << 22;

/**
 * Output positions (rows of dy) per product in the filter gradient. The product's inner
 * dimension is the number of positions; XNNPACK does not block it, so with few patch rows (the
 * first layer: 3x3x3 = 27) one long product streams its operands from memory. Measured for
 * 27 x 65536 x 64: 59 ms in one product, 25 ms in 16 products of 4096 (summed); for 576 rows
 * and more, the split changes nothing measurable.
 */
const POSITIONS_PER_PRODUCT = 4096;

/** Geometry of a NHWC convolution, dilation 1, shared by both gradients. */
interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

function convGeometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Filter gradient of a NHWC convolution as fast matrix products on unfolded patches (im2col).
 *
 * Inputs: x `[N, H, W, Ci]`, dy `[N, OH, OW, Co]`, float32, any values. Output: dW
 * `[FH, FW, Ci, Co]` float32.
 *
 * Why it is right: the forward pass is y[n,i,j,o] = sum_{a,b,c} x[n, i*s-top+a, j*s-left+b, c]
 * w[a,b,c,o] (x is zero outside the image), so
 *   dW[a,b,c,o] = sum_{n,i,j} x[n, i*s-top+a, j*s-left+b, c] dy[n,i,j,o] = (P dY)[(a,b,c), o]
 * with P the `[FH*FW*Ci, N*OH*OW]` matrix of those input values (the patches, unfolded) and dY
 * = dy read as `[N*OH*OW, Co]`. The row order (a, b, c) makes the product's `[FH*FW*Ci, Co]`
 * layout exactly dW's. Any padding, stride and odd size only change which x value (or zero) a
 * patch entry reads. P is built from x transposed to `[Ci, N, H, W]`, so a patch row is runs of
 * contiguous reads, and in blocks (`POSITIONS_PER_PRODUCT` columns, `PATCH_BUFFER_FLOATS`
 * floats) whose products are summed (column blocks) or placed side by side (row blocks).
 */
function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { backend } = args;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only, got '${attrs.dataFormat}'`);
  }
  assertFloat32('Conv2DBackpropFilter', x, dy);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  assertShape('Conv2DBackpropFilter', 'dy', dy.shape, info.outShape);
  const g = convGeometry(info);
  const taps = g.filterHeight * g.filterWidth;
  const filterShape = [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels];
  if (util.sizeFromShape(x.shape) === 0 || util.sizeFromShape(dy.shape) === 0) return zeros(backend, filterShape);
  const positions = g.batch * g.outHeight * g.outWidth;
  const scratch = new Scratch(backend);
  try {
    const channelMajor = transposeMatrices(scratch, x, 1, g.batch * g.inHeight * g.inWidth, g.inChannels);
    const result = scratch.keep(zeros(backend, filterShape));
    const positionsPerPart = Math.min(positions, POSITIONS_PER_PRODUCT);
    const tapsPerPart = Math.max(1, Math.floor(PATCH_BUFFER_FLOATS / (g.inChannels * positionsPerPart)));
    for (let firstPosition = 0; firstPosition < positions; firstPosition += positionsPerPart) {
      const endPosition = Math.min(positions, firstPosition + positionsPerPart);
      const columns = endPosition - firstPosition;
      // A private copy of these dy rows: XNNPACK caches the packed right-hand matrix under the
      // buffer's id, so a caller's tensor must never carry (or meet) a packing of another shape.
      const gradients = scratch.keep(backend.makeOutput([1, columns, g.outChannels], 'float32'));
      floatsOf(backend, gradients).set(
        floatsOf(backend, dy).subarray(firstPosition * g.outChannels, endPosition * g.outChannels),
      );
      for (let firstTap = 0; firstTap < taps; firstTap += tapsPerPart) {
        const endTap = Math.min(taps, firstTap + tapsPerPart);
        const patches = scratch.keep(backend.makeOutput([1, (endTap - firstTap) * g.inChannels, columns], 'float32'));
        unfoldPatches(floatsOf(backend, channelMajor), floatsOf(backend, patches), g, [firstTap, endTap], [
          firstPosition,
          endPosition,
        ]);
        const part = scratch.keep(multiplyFast(backend, patches, gradients));
        addInto(floatsOf(backend, result), floatsOf(backend, part), firstTap * g.inChannels * g.outChannels);
        scratch.disposeNow(part);
        scratch.disposeNow(patches);
      }
      scratch.disposeNow(gradients);
    }
    return scratch.keepOnly(result);
  } finally {
    scratch.dispose();
  }
}

/**
 * Input gradient of a NHWC convolution. Inputs: dy `[N, OH, OW, Co]`, filter `[FH, FW, Ci, Co]`,
 * float32. Output: dx `[N, H, W, Ci]` float32 (attrs.inputShape). Returns undefined (the
 * original runs) for NCHW or non-float32 inputs.
 *
 * Two exact methods; they differ in overhead. The convolution with the flipped filter costs a
 * pass over the filter inside the wasm Conv2D kernel (an untiled transpose, ~35 ns per element
 * here), the product + scatter-add a pass over N*OH*OW*FH*FW*Ci contributions (~3 ns each) and
 * works for any stride; per layer, the one with less overhead runs. Measured at batch 64,
 * 16x16x64->128: 101 ms by convolution, 148 ms by product; 4x4x512->512: 259 ms against 163 ms.
 */
function conv2DBackpropInput(args: KernelArgs): TensorInfo | undefined {
  const { backend } = args;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  if (attrs.dataFormat !== 'NHWC' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  assertShape('Conv2DBackpropInput', 'dy', dy.shape, info.outShape);
  const g = convGeometry(info);
  if (util.sizeFromShape(dy.shape) === 0 || util.sizeFromShape(filter.shape) === 0) return zeros(backend, info.inShape);
  const padding = flippedFilterPadding(g);
  const positions = g.batch * g.outHeight * g.outWidth;
  // Measured break-even: about 16 output positions per output channel (8x8x256->256 at batch 64
  // ties). Few input channels make the convolution's product narrow and slow (3: ~10 GFLOP/s).
  if (padding !== undefined && g.inChannels >= 16 && positions > 16 * g.outChannels) {
    return inputGradientByConvolution(backend, dy, filter, g, padding);
  }
  return inputGradientByProduct(backend, dy, filter, g, info.inShape);
}

/**
 * Padding for `inputGradientByConvolution`, or undefined where that method does not apply: a
 * stride above 1 (it would multiply s*s - 1 inserted zeros for every value) or a padding that
 * would be negative (explicit padding wider than the filter).
 *
 * Stride 1: dx[h] = sum_a dy[h + top - a] w[a] (one axis; channels contract over Co) =
 * sum_a' dy[h + a' - (FH-1-top)] wF[a'] with the flipped filter wF[a'] = w[FH-1-a']: a
 * convolution of dy with wF padded by FH-1-top before and, so that the output has H rows,
 * H - OH + top after.
 */
function flippedFilterPadding(g: ConvGeometry): [[number, number], [number, number]] | undefined {
  if (g.strideHeight !== 1 || g.strideWidth !== 1) return undefined;
  const rows: [number, number] = [g.filterHeight - 1 - g.padTop, g.inHeight - g.outHeight + g.padTop];
  const columns: [number, number] = [g.filterWidth - 1 - g.padLeft, g.inWidth - g.outWidth + g.padLeft];
  return [...rows, ...columns].every((pad) => pad >= 0) ? [rows, columns] : undefined;
}

/**
 * dx as one wasm (XNNPACK) Conv2D of dy with the filter flipped in both spatial axes and its
 * channel axes swapped to `[FH, FW, Co, Ci]`; see `flippedFilterPadding` for why it is dx.
 */
function inputGradientByConvolution(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
  [rows, columns]: [[number, number], [number, number]],
): TensorInfo {
  const scratch = new Scratch(backend);
  try {
    // Reversing the tap order a*FW + b flips both spatial axes at once.
    const taps = g.filterHeight * g.filterWidth;
    const flipped = view(
      transposeMatrices(scratch, filter, taps, g.inChannels, g.outChannels, { reverseOrder: true }),
      [g.filterHeight, g.filterWidth, g.outChannels, g.inChannels],
    );
    const convolution = getKernel(Conv2D, WASM);
    if (convolution === undefined) throw new Error('the wasm backend has no Conv2D kernel');
    return convolution.kernelFunc({
      inputs: { x: dy, filter: flipped },
      attrs: { strides: 1, dilations: 1, pad: [[0, 0], rows, columns, [0, 0]], dataFormat: 'NHWC' },
      backend,
    }) as TensorInfo;
  } finally {
    scratch.dispose();
  }
}

/**
 * dx as a fast matrix product and a scatter-add (col2im), for any stride and padding.
 *
 * Why it is right: from the forward sum above,
 *   dx[n,h,w,c] = sum over (i,j,a,b) with i*s-top+a = h, j*s-left+b = w of
 *                 sum_o dy[n,i,j,o] w[a,b,c,o] = sum of Q[(n,i,j), (a,b,c)] over those (i,j,a,b),
 * where Q = dY W^T is dY `[N*OH*OW, Co]` times the filter read as `[FH*FW*Ci, Co]`, transposed.
 * So each row of Q holds one output position's contribution to every input pixel under its
 * window, and adding the rows back at their windows (the scatter-add) gives dx. Strides and
 * padding only decide where a window lands, so no zeros are multiplied for stride > 1. Q is
 * computed for a few images at a time to bound its size (`PATCH_BUFFER_FLOATS`).
 */
function inputGradientByProduct(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
  inShape: number[],
): TensorInfo {
  const scratch = new Scratch(backend);
  try {
    const result = scratch.keep(zeros(backend, inShape));
    const patchSize = g.filterHeight * g.filterWidth * g.inChannels;
    const weightsT = transposeMatrices(scratch, filter, 1, patchSize, g.outChannels); // [Co, FH*FW*Ci]
    const positionsPerImage = g.outHeight * g.outWidth;
    const imagesPerPart = Math.max(1, Math.floor(PATCH_BUFFER_FLOATS / (positionsPerImage * patchSize)));
    for (let firstImage = 0; firstImage < g.batch; firstImage += imagesPerPart) {
      const images = Math.min(imagesPerPart, g.batch - firstImage);
      const rows = images * positionsPerImage;
      let gradients = view(dy, [1, rows, g.outChannels]);
      if (images < g.batch) {
        gradients = scratch.keep(backend.makeOutput([1, rows, g.outChannels], 'float32'));
        const start = firstImage * positionsPerImage * g.outChannels;
        floatsOf(backend, gradients).set(floatsOf(backend, dy).subarray(start, start + rows * g.outChannels));
      }
      const contributions = scratch.keep(multiplyFast(backend, gradients, weightsT));
      foldPatches(floatsOf(backend, contributions), floatsOf(backend, result), g, firstImage, images);
      scratch.disposeNow(contributions);
      scratch.disposeNow(gradients);
    }
    return scratch.keepOnly(result);
  } finally {
    scratch.dispose();
  }
}

/**
 * Writes the block of the patch matrix P (see `conv2DBackpropFilter`) with rows (tap, c) for
 * taps `[firstTap, endTap)` and columns `[firstPosition, endPosition)`: row (tap, c), column
 * (n, i, j) = x[n, i*s-top+a, j*s-left+b, c] or 0 outside the image, tap = a*FW + b.
 * Reads x as `[Ci, N, H, W]`; writes `[(endTap-firstTap)*Ci, endPosition-firstPosition]`.
 */
function unfoldPatches(
  xChannelMajor: Float32Array,
  patches: Float32Array,
  g: ConvGeometry,
  [firstTap, endTap]: [number, number],
  [firstPosition, endPosition]: [number, number],
): void {
  const { batch, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth } = g;
  const columns = endPosition - firstPosition;
  let row = 0;
  for (let tap = firstTap; tap < endTap; tap++) {
    const a = Math.floor(tap / g.filterWidth);
    const b = tap % g.filterWidth;
    const left = b - g.padLeft;
    // Output columns j whose input column j*s + left lies inside the image.
    const firstInside = Math.min(outWidth, Math.max(0, Math.ceil(-left / strideWidth)));
    const endInside = Math.max(firstInside, Math.min(outWidth, Math.floor((inWidth - 1 - left) / strideWidth) + 1));
    for (let c = 0; c < g.inChannels; c++, row++) {
      // One output row (n, i) at a time; the first and last may be partial.
      for (let position = firstPosition; position < endPosition; ) {
        const n = Math.floor(position / (outHeight * outWidth));
        const i = Math.floor(position / outWidth) % outHeight;
        const jStart = position % outWidth;
        const jEnd = Math.min(outWidth, jStart + endPosition - position);
        const out = row * columns + (position - firstPosition) - jStart;
        const h = i * strideHeight + a - g.padTop;
        if (h < 0 || h >= inHeight) {
          patches.fill(0, out + jStart, out + jEnd);
        } else {
          const source = ((c * batch + n) * inHeight + h) * inWidth + left;
          const insideStart = Math.max(jStart, firstInside);
          const insideEnd = Math.min(jEnd, Math.max(insideStart, endInside));
          for (let j = jStart; j < insideStart; j++) patches[out + j] = 0;
          for (let j = insideStart; j < insideEnd; j++) patches[out + j] = xChannelMajor[source + j * strideWidth];
          for (let j = insideEnd; j < jEnd; j++) patches[out + j] = 0;
        }
        position += jEnd - jStart;
      }
    }
  }
}

/** target[offset + i] += values[i] for every i. */
function addInto(target: Float32Array, values: Float32Array, offset: number): void {
  for (let index = 0; index < values.length; index++) target[offset + index] += values[index];
}

/**
 * Adds contribution rows back at their windows (see `conv2DBackpropInput`). Reads
 * `[images*OH*OW, FH*FW*Ci]` for images `[firstImage, firstImage+images)`, adds into dx
 * `[N, H, W, Ci]`.
 */
function foldPatches(
  contributions: Float32Array,
  dx: Float32Array,
  g: ConvGeometry,
  firstImage: number,
  images: number,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = g;
  const patchSize = filterHeight * filterWidth * inChannels;
  let row = 0;
  for (let n = firstImage; n < firstImage + images; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++, row += patchSize) {
        for (let a = 0; a < filterHeight; a++) {
          const h = i * g.strideHeight - g.padTop + a;
          if (h < 0 || h >= inHeight) continue;
          for (let b = 0; b < filterWidth; b++) {
            const w = j * g.strideWidth - g.padLeft + b;
            if (w < 0 || w >= inWidth) continue;
            const target = ((n * inHeight + h) * inWidth + w) * inChannels;
            const source = row + (a * filterWidth + b) * inChannels;
            for (let c = 0; c < inChannels; c++) dx[target + c] += contributions[source + c];
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Matrix products
// ---------------------------------------------------------------------------------------------

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
function batchMatMul(args: KernelArgs, original: WasmKernel | undefined): TensorInfo | undefined {
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
function fusedMatMul(args: KernelArgs, original: WasmKernel | undefined): TensorInfo | undefined {
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
  if (bias != null) inputsBesides['bias'] = bias;
  if (preluActivationWeights != null) inputsBesides['preluActivationWeights'] = preluActivationWeights;
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

// ---------------------------------------------------------------------------------------------
// Backend plumbing
// ---------------------------------------------------------------------------------------------

/**
 * The intermediate buffers of one kernel call. The wasm heap has no garbage collector and these
 * buffers are not engine tensors, so every one is freed here, on success and on error alike.
 */
class Scratch {
  private readonly owned = new Set<TensorInfo>();
  private kept: TensorInfo | undefined;

  constructor(readonly backend: BackendWasm) {}

  keep(info: TensorInfo): TensorInfo {
    this.owned.add(info);
    return info;
  }

  disposeNow(info: TensorInfo): void {
    if (this.owned.delete(info)) this.backend.disposeData(info.dataId);
  }

  /** Marks the result: it survives `dispose`, and the caller hands it to the engine. */
  keepOnly(result: TensorInfo): TensorInfo {
    this.kept = result;
    return result;
  }

  dispose(): void {
    for (const info of this.owned) {
      if (info.dataId !== this.kept?.dataId) this.backend.disposeData(info.dataId);
    }
    this.owned.clear();
  }
}

/**
 * `[1, r, k] x [1, k, c] -> [1, r, c]` on XNNPACK, through the registered BatchMatMul (this
 * module's hands exactly this case to the original's fast path).
 */
function multiplyFast(backend: BackendWasm, left: TensorInfo, right: TensorInfo): TensorInfo {
  const kernel = getKernel(BatchMatMul, WASM);
  if (kernel === undefined) throw new Error('the wasm backend has no BatchMatMul kernel');
  const out = kernel.kernelFunc({
    inputs: { a: left, b: right },
    attrs: { transposeA: false, transposeB: false },
    backend,
  });
  return out as TensorInfo;
}

/** Tile edge of `transposeMatrices`: a 16 x 16 float tile is 1 KB of source and of target. */
const TILE = 16;

/**
 * Transposes each matrix of a stack: `[batch, rows, cols]` -> new `[batch, cols, rows]`, float32;
 * with `reverseOrder`, matrix k of the input becomes matrix batch-1-k of the output.
 *
 * Done in JavaScript on the wasm heap because the wasm Transpose kernel is a plain loop that
 * writes one element per cache line: measured 20-45 ns per element on matrices of a few MB
 * (e.g. `[8192, 512]`) on this machine, against 2-6 ns for these 16 x 16 tiles, whose rows
 * and columns both stay in cache.
 */
function transposeMatrices(
  scratch: Scratch,
  info: TensorInfo,
  batch: number,
  rows: number,
  cols: number,
  { reverseOrder = false } = {},
): TensorInfo {
  const out = scratch.keep(scratch.backend.makeOutput([batch, cols, rows], 'float32'));
  const source = floatsOf(scratch.backend, info);
  const target = floatsOf(scratch.backend, out);
  const size = rows * cols;
  for (let matrix = 0; matrix < batch; matrix++) {
    const base = matrix * size;
    const targetBase = (reverseOrder ? batch - 1 - matrix : matrix) * size;
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = Math.min(r0 + TILE, rows);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const c1 = Math.min(c0 + TILE, cols);
        for (let r = r0; r < r1; r++) {
          let from = base + r * cols + c0;
          let to = targetBase + c0 * rows + r;
          for (let c = c0; c < c1; c++, from++, to += rows) target[to] = source[from];
        }
      }
    }
  }
  return out;
}

/** The same buffer read with another shape of equal size (no copy, no new reference). */
function view(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** A Float32Array over the wasm heap; valid only until the next allocation may grow the heap. */
function floatsOf(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  floatsOf(backend, out).fill(0);
  return out;
}

function assertFloat32(kernelName: string, ...infos: TensorInfo[]): void {
  for (const info of infos) {
    if (info.dtype !== 'float32') throw new Error(`wasm ${kernelName} supports float32 only, got ${info.dtype}`);
  }
}

function assertShape(kernelName: string, name: string, actual: number[], expected: number[]): void {
  if (!util.arraysEqual(actual, expected)) {
    throw new Error(`wasm ${kernelName}: ${name} has shape [${actual}], expected [${expected}]`);
  }
}
