/**
 * A correct `MaxPoolGrad` for the wasm backend.
 *
 * tfjs-backend-wasm 4.22's own MaxPoolGrad loses the gradient of every pooling window whose
 * maximum is not positive: a window of negative values, or — what matters here — a window of
 * zeros after a ReLU, gets no gradient at all, where the cpu backend, TensorFlow and PyTorch route
 * it to the first position holding the maximum. Training hardly notices (a ReLU passes no gradient
 * at 0 anyway), but Grad-CAM differentiates with respect to the ReLU's *output*, right before a
 * pool, so its maps came out different from every other framework's. This kernel follows the
 * common convention: the gradient of each window goes to its first maximum in row-major order,
 * padding excluded.
 *
 * Plain JavaScript over the wasm heap: one pass over dy, a few reads per window; negligible next
 * to the convolutions around it.
 */
import { MaxPoolGrad, backend_util, getKernel, registerKernel, unregisterKernel } from '../../tf.js';
import type { KernelConfig, MaxPoolGradAttrs, NamedTensorInfoMap, TensorInfo } from '../../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const REGISTERED_HERE = Symbol.for('gradcam.wasmMaxPoolGrad');

/**
 * inputs: dy float32 [batch, outH, outW, channels], input float32 [batch, inH, inW, channels]
 * (NHWC). Returns dx with the input's shape: dy summed into each window's first maximum.
 */
function maxPoolGrad({ inputs, attrs, backend }: { inputs: NamedTensorInfoMap; attrs: MaxPoolGradAttrs; backend: BackendWasm }): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const dx = backend.makeOutput(input.shape, 'float32');
  // Views are taken after makeOutput: an allocation may grow (and replace) the wasm memory.
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const gradient = backend.typedArrayFromHeap(dy) as Float32Array;
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  out.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    const imageOffset = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - top;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(inHeight, y0 + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - left;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(inWidth, x0 + filterWidth);
        const dyOffset = ((b * outHeight + oy) * outWidth + ox) * channels;
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let bestIndex = -1;
          for (let y = yStart; y < yEnd; y++) {
            for (let xi = xStart; xi < xEnd; xi++) {
              const index = imageOffset + (y * inWidth + xi) * channels + c;
              const value = x[index];
              // NaN counts as the maximum, as in TensorFlow; otherwise the first maximum wins.
              if (value > best || (Number.isNaN(value) && !Number.isNaN(best))) {
                best = value;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) out[bestIndex] += gradient[dyOffset + c];
        }
      }
    }
  }
  return dx;
}

/** Replaces wasm's MaxPoolGrad (keeping its setupFunc, which other code may rely on). Idempotent. */
export function registerWasmMaxPoolGrad(): void {
  const original = getKernel(MaxPoolGrad, 'wasm') as (KernelConfig & { [REGISTERED_HERE]?: true }) | undefined;
  if (original?.[REGISTERED_HERE]) return;
  if (original) unregisterKernel(MaxPoolGrad, 'wasm');
  const config = {
    kernelName: MaxPoolGrad,
    backendName: 'wasm',
    setupFunc: original?.setupFunc,
    kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
    [REGISTERED_HERE]: true as const,
  };
  registerKernel(config);
}
