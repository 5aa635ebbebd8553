/**
 * `DepthwiseConv2dNativeBackpropInput` for the wasm backend, which tfjs-backend-wasm 4.22 lacks:
 * without it no gradient passes back through a depthwise convolution (MobileNet, Xception and
 * every separable convolution), so Grad-CAM could not explain a node before one.
 *
 * Plain JavaScript over the wasm heap, like wasm-max-pool-grad.ts: a depthwise convolution does
 * filterHeight × filterWidth multiply-adds per output value, about as little work as the data
 * movement around it, so a matrix-product formulation would gain nothing.
 */
import { DepthwiseConv2dNativeBackpropInput, backend_util, getKernel, registerKernel } from '../tf.js';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, NamedTensorInfoMap, TensorInfo } from '../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * inputs: dy float32 [batch, outH, outW, channels × multiplier], filter float32
 * [filterH, filterW, channels, multiplier] (NHWC). Returns dx float32 `attrs.inputShape`
 * [batch, inH, inW, channels]: each output gradient sent back to the inputs its window read,
 *
 *   dx[n, i·sh − top + a·dh, j·sw − left + b·dw, c] += dy[n, i, j, c·M + m] · filter[a, b, c, m],
 *
 * the transpose of the forward pass y[n, i, j, c·M + m] = Σ_{a,b} x[…] · filter[a, b, c, m].
 */
function depthwiseConv2dNativeBackpropInput({
  inputs,
  attrs,
  backend,
}: {
  inputs: NamedTensorInfoMap;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
  backend: BackendWasm;
}): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  const dx = backend.makeOutput(attrs.inputShape, 'float32');
  // Views are taken after makeOutput: an allocation may grow (and replace) the wasm memory.
  const gradient = backend.typedArrayFromHeap(dy) as Float32Array;
  const weights = backend.typedArrayFromHeap(filter) as Float32Array;
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  out.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const multiplier = outChannels / channels;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let n = 0; n < batchSize; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        const dyOffset = ((n * outHeight + i) * outWidth + j) * outChannels;
        for (let a = 0; a < filterHeight; a++) {
          const y = i * strideHeight - top + a * dilationHeight;
          if (y < 0 || y >= inHeight) continue;
          for (let b = 0; b < filterWidth; b++) {
            const x = j * strideWidth - left + b * dilationWidth;
            if (x < 0 || x >= inWidth) continue;
            const dxOffset = ((n * inHeight + y) * inWidth + x) * channels;
            const filterOffset = (a * filterWidth + b) * outChannels;
            for (let c = 0; c < channels; c++) {
              let sum = 0;
              for (let m = 0; m < multiplier; m++) sum += gradient[dyOffset + c * multiplier + m] * weights[filterOffset + c * multiplier + m];
              out[dxOffset + c] += sum;
            }
          }
        }
      }
    }
  }
  return dx;
}

/** Registers the kernel for the wasm backend unless one is registered already. */
export function registerWasmDepthwiseGradients(): void {
  if (getKernel(DepthwiseConv2dNativeBackpropInput, 'wasm') !== undefined) return;
  registerKernel({
    kernelName: DepthwiseConv2dNativeBackpropInput,
    backendName: 'wasm',
    kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelConfig['kernelFunc'],
  });
}
