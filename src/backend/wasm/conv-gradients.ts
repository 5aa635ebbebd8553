/**
 * The two gradients of a NHWC convolution for the wasm backend, as fast XNNPACK matrix products
 * plus data movement (unfolding patches, adding them back, transposing): `Conv2DBackpropFilter`,
 * which tfjs-backend-wasm 4.22 lacks, and `Conv2DBackpropInput`, whose stock version is a naive
 * loop. Registered by kernels.ts. Float32, dilation 1 (the tfjs gradients of `conv2d` refuse
 * dilation > 1 anyway).
 */
import { Conv2D, backend_util, getKernel, util } from '../../tf.js';
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, Conv2DInfo, TensorInfo } from '../../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type KernelArgs,
  Scratch,
  WASM,
  assertFloat32,
  assertShape,
  floatsOf,
  multiplyFast,
  transposeMatrices,
  view,
  zeros,
} from './heap.js';

/**
 * Upper bound, in floats, of the unfolded-patch buffers below (16 MB), so memory stays near the
 * size of the tensors themselves; a bigger job runs as several products on parts of it.
 */
const PATCH_BUFFER_FLOATS = 1 << 22;

/**
 * Output positions (rows of dy) per product in the filter gradient. The product's inner
 * dimension is the number of positions; XNNPACK does not block it, so with few patch rows (the
 * first layer: 3x3x3 = 27) one long product streams its operands from memory; splitting it
 * more than halves the time there and changes nothing for wider layers (docs/performance.md).
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

function convGeometry(info: Conv2DInfo): ConvGeometry {
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
export function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
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
        unfoldPatches(
          floatsOf(backend, channelMajor),
          floatsOf(backend, patches),
          g,
          [firstTap, endTap],
          [firstPosition, endPosition],
        );
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
 * pass over the filter inside the wasm Conv2D kernel (an untiled transpose), the product +
 * scatter-add a pass over N*OH*OW*FH*FW*Ci contributions, and works for any stride; per layer,
 * the one with less overhead runs (each wins on some VGG layers: docs/performance.md).
 */
export function conv2DBackpropInput(args: KernelArgs): TensorInfo | undefined {
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
