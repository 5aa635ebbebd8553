/**
 * Loads the wasm backend the way the tool does (its replacement training kernels included: the
 * stock wasm MaxPoolGrad and gradient kernels are wrong or missing), without switching to it.
 */
import { registerWasmTrainingKernels } from '../../src/backend/wasm/kernels.js';

export async function prepareWasm(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
}
