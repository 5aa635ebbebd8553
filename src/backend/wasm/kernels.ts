/**
 * Fast training kernels for the TensorFlow.js wasm backend (tfjs-backend-wasm 4.22.0): the
 * convolution gradients and matrix products, turned into XNNPACK's one fast path, a single
 * untransposed `BatchMatMul`, plus data movement. The kernels live in conv-gradients.ts and
 * mat-mul.ts; this module registers them. NHWC, float32, dilation 1; other cases go to the original
 * kernel. Why they exist: docs/design-notes.md, "Wasm training kernels".
 */
import {
  BatchMatMul,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  MaxPoolGrad,
  _FusedMatMul,
  getKernel,
  registerKernel,
  unregisterKernel,
} from '../../tf.js';
import type { KernelConfig, KernelFunc, TensorInfo } from '../../tf.js';
import { conv2DBackpropFilter, conv2DBackpropInput } from './conv-gradients.js';
import { type KernelArgs, WASM, type WasmKernel, requireKernel } from './heap.js';
import { batchMatMul, fusedMatMul } from './mat-mul.js';
import { DEPTHWISE_BACKPROP_INPUT, depthwiseBackpropInput } from './depthwise-grad.js';
import { maxPoolGrad } from './max-pool-grad.js';

/** Marks configs registered here, across module copies, so registering twice is a no-op. */
const REGISTERED_HERE = Symbol.for('gradcam.wasmTrainingKernel');

type MarkedKernelConfig = KernelConfig & { [REGISTERED_HERE]: true };

/**
 * Replaces the wasm backend's slow training kernels with the fast versions of
 * conv-gradients.ts and mat-mul.ts, adds the missing `Conv2DBackpropFilter`, and
 * replaces the incorrect `MaxPoolGrad` (max-pool-grad.ts), adds the missing
 * `DepthwiseConv2dNativeBackpropInput` (depthwise-grad.ts). Call it after `import('@tensorflow/tfjs-backend-wasm')`;
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
  replaceKernel(MaxPoolGrad, () => maxPoolGrad);
  // Missing from tfjs-backend-wasm 4.22 (no original to keep).
  replaceKernel(DEPTHWISE_BACKPROP_INPUT, () => depthwiseBackpropInput as unknown as WasmKernel);
}

/** A fast kernel answers `undefined` for a case it does not cover; the original then runs. */
type FastKernel = (args: KernelArgs, original: WasmKernel | undefined) => TensorInfo | undefined;

function guardedBy(fast: FastKernel, original: WasmKernel): WasmKernel {
  return (args) => fast(args, original) ?? original(args);
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
