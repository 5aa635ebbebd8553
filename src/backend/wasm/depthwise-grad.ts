/**
 * `DepthwiseConv2dNativeBackpropInput` for the wasm backend, which tfjs-backend-wasm 4.22 does
 * not register: without it no gradient flows back through a depthwise convolution (MobileNet,
 * EfficientNet, every SeparableConv2D), so Grad-CAM could not explain any layer before one, and
 * guided backpropagation failed on such models. (The filter gradient is never needed: Grad-CAM
 * differentiates with respect to activations, not weights.)
 *
 * The transpose of the depthwise convolution, in plain JavaScript over the wasm heap: each
 * gradient value of output channel d·m + q is spread back over its window of input channel d,
 * weighted by filter[·, ·, d, q]. For a 224×224 MobileNetV2 this is about 60 M multiply-adds per
 * image, a fraction of the forward pass.
 */
import { backend_util } from '../../tf.js';
import type { DepthwiseConv2dNativeBackpropInputAttrs, NamedTensorInfoMap, TensorInfo } from '../../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export const DEPTHWISE_BACKPROP_INPUT = 'DepthwiseConv2dNativeBackpropInput';

/**
 * inputs: dy float32 [batch, outH, outW, inChannels · multiplier], filter float32
 * [filterH, filterW, inChannels, multiplier] (NHWC). Returns dx float32 attrs.inputShape.
 */
export function depthwiseBackpropInput({
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
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth } =
    info;
  const { filterHeight, filterWidth, dilationHeight, dilationWidth } = info;
  const multiplier = outChannels / inChannels;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const dyOffset = ((b * outHeight + oy) * outWidth + ox) * outChannels;
        for (let fy = 0; fy < filterHeight; fy++) {
          const y = oy * strideHeight - top + fy * dilationHeight;
          if (y < 0 || y >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const x = ox * strideWidth - left + fx * dilationWidth;
            if (x < 0 || x >= inWidth) continue;
            const dxOffset = ((b * inHeight + y) * inWidth + x) * inChannels;
            const filterOffset = (fy * filterWidth + fx) * inChannels * multiplier;
            for (let d = 0; d < inChannels; d++) {
              let sum = 0;
              for (let q = 0; q < multiplier; q++)
                sum += gradient[dyOffset + d * multiplier + q] * weights[filterOffset + d * multiplier + q];
              out[dxOffset + d] += sum;
            }
          }
        }
      }
    }
  }
  return dx;
}
