/**
 * Picks and starts the TensorFlow.js backend. Everything above this module is backend-agnostic:
 * it uses the `tf` namespace and never a tfjs-node-only API.
 *
 * auto = tfjs-node-gpu if it loads, else tfjs-node if the user installed it, else wasm, else cpu.
 */
import { availableParallelism } from 'node:os';
import * as tf from '../tf.js';
import { InvalidValueError, messageOf } from '../errors.js';
import type { Log } from '../log.js';
import type { BackendChoice } from '../choices.js';
import { registerWasmTrainingKernels } from './wasm/kernels.js';
import { registerBatchNormGradient } from './batch-norm-gradient.js';
import { registerBatchNormTraining } from './batch-norm-training.js';

export interface BackendInfo {
  /** The tfjs backend name in use. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** What a person reads in logs and output files, e.g. `wasm (SIMD, 1 thread)`. */
  description: string;
  threads: number;
}

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

const HOW_TO_GET_TENSORFLOW =
  'install it with `npm install @tensorflow/tfjs-node-gpu@4.22.0` (NVIDIA GPU, CUDA 11.2 + cuDNN 8.1) ' +
  'or `npm install @tensorflow/tfjs-node@4.22.0` (CPU); both download libtensorflow at install time';

let started: BackendInfo | undefined;

/**
 * Starts the backend once per process; later calls return the first result.
 * `wasmThreads`: XNNPACK threads for the wasm backend (`--threads`), default one per CPU core.
 */
export async function initBackend(
  choice: BackendChoice,
  log: Log,
  wasmThreads: number = availableParallelism(),
): Promise<BackendInfo> {
  if (started) return started;
  // PROD skips per-op debug checks and silences tfjs's own console notices (stderr stays ours).
  tf.env().set('PROD', true);
  registerBatchNormGradient();
  registerBatchNormTraining();
  started = await startBackend(choice, log, wasmThreads);
  return started;
}

async function startBackend(choice: BackendChoice, log: Log, wasmThreads: number): Promise<BackendInfo> {
  if (choice === 'tensorflow' || choice === 'auto') {
    const native = await loadNativeBackend();
    if (native) return native;
    if (choice === 'tensorflow') {
      throw new InvalidValueError(
        `tensorflow: TensorFlow native bindings are not installed; ${HOW_TO_GET_TENSORFLOW}.`,
        choice,
      );
    }
  }
  if (choice === 'wasm' || choice === 'auto') {
    const wasm = await loadWasmBackend(log, wasmThreads);
    if (wasm) return wasm;
    if (choice === 'wasm') throw new InvalidValueError('wasm: the WebAssembly backend failed to start.', choice);
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to start');
  return { name: 'cpu', description: 'cpu (plain JavaScript)', threads: 1 };
}

async function loadNativeBackend(): Promise<BackendInfo | undefined> {
  for (const packageName of NATIVE_PACKAGES) {
    try {
      // These packages are optional and usually absent; required, like TensorFlow.js (../tf.ts).
      tf.requirePackage(packageName);
    } catch {
      continue;
    }
    if (!tf.findBackend('tensorflow')) {
      throw new InvalidValueError(
        `${packageName} loaded but registered no backend in gradcam's @tensorflow/tfjs ${tf.version_core}: ` +
          `install the same version (npm install ${packageName}@${tf.version_core}).`,
      );
    }
    if (await tf.setBackend('tensorflow')) {
      return { name: 'tensorflow', description: `tensorflow (${packageName})`, threads: 0 };
    }
  }
  return undefined;
}

async function loadWasmBackend(log: Log, wasmThreads: number): Promise<BackendInfo | undefined> {
  let threads: number;
  try {
    // Loaded here, not at the top: native runs do not need tfjs-backend-wasm. Required rather than
    // imported, like TensorFlow.js itself (see ../tf.ts).
    tf.requirePackage('@tensorflow/tfjs-backend-wasm');
    const { prepareWasmThreads } = await import('./wasm/threads.js');
    // Must precede setBackend: it registers the 'wasm' loader (threaded, or tfjs's own on fallback).
    const prepared = await prepareWasmThreads(wasmThreads);
    if (prepared.notice !== undefined) log.warn(prepared.notice);
    registerWasmTrainingKernels();
    if (!(await tf.setBackend('wasm'))) return undefined;
    threads = prepared.threads;
  } catch (error) {
    log.warn(`the wasm backend failed to start (${messageOf(error)}); using cpu`);
    return undefined;
  }
  return { name: 'wasm', description: `wasm (SIMD, ${threads} thread${threads === 1 ? '' : 's'})`, threads };
}
