/**
 * Starts the multi-threaded SIMD build of tfjs-backend-wasm in Node, so XNNPACK's convolutions and
 * matrix products use more than one CPU core: runs the package's own Emscripten glue with the
 * documented Module hooks (worker file, core count, pool size) and registers it as the 'wasm'
 * backend. tfjs 4.22 does not do this in Node by itself; why, and how each obstacle is worked
 * around: docs/design-notes.md, "Multi-threaded wasm in Node".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import * as tf from '../../tf.js';
import type * as WasmPackage from '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { messageOf } from '../../errors.js';

export interface WasmThreadsResult {
  /** Threads XNNPACK actually runs with: 1 on the single-threaded build, else 2 to 8. */
  threads: number;
  /** Set when fewer threads than asked for are used: one line for stderr, saying why. */
  notice?: string;
}

export interface WasmThreadsOptions {
  /** Give up on threads (and fall back) if the workers are not all up after this long. */
  startupTimeoutMs?: number;
  /** Where the pthread worker script is written for the workers to load; default `os.tmpdir()`. */
  tempDirectory?: string;
}

/** tfjs's C++ side (`max_num_threads` in backend.cc) never starts more than this many threads. */
export const MAX_WASM_THREADS = 8;

/** The priority tfjs-backend-wasm registers 'wasm' with; kept so `auto` backend ordering is unchanged. */
const WASM_BACKEND_PRIORITY = 2;

const DEFAULT_STARTUP_TIMEOUT_MS = 20_000;

const require = createRequire(import.meta.url);
// Required, not imported: see ../../tf.ts on the cost of importing TensorFlow.js's CommonJS bundles.
const wasmPackage = require('@tensorflow/tfjs-backend-wasm') as typeof WasmPackage;
const { getThreadsCount, setThreadsCount } = wasmPackage;

/** tfjs's own loader for 'wasm' (single-threaded SIMD in Node), kept to fall back to. */
const tfjsWasmFactory = tf.findBackendFactory('wasm');

/**
 * Registers the 'wasm' backend with `threads` XNNPACK threads; call it before `tf.setBackend('wasm')`.
 *
 * threads: whole number ≥ 1 (the caller picks the default, e.g. `os.availableParallelism()`);
 * 1 selects tfjs's own single-threaded SIMD build, more than 8 is capped at 8 with a notice.
 * With ≥ 2 it starts the threaded build now and checks XNNPACK reports the requested thread count
 * and the worker threads run; if anything fails it registers the single-threaded build instead and
 * returns `threads: 1` with a notice. Worker threads are unref'd so they never keep Node alive.
 * Throws only for an invalid `threads`.
 */
export async function prepareWasmThreads(
  threads: number,
  options: WasmThreadsOptions = {},
): Promise<WasmThreadsResult> {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`wasm threads must be a whole number of at least 1, got ${threads}`);
  }
  const wanted = Math.min(threads, MAX_WASM_THREADS);
  const capNotice =
    threads > MAX_WASM_THREADS
      ? `wasm: ${threads} threads asked for, but tfjs-backend-wasm uses at most ${MAX_WASM_THREADS}; using ${MAX_WASM_THREADS}`
      : undefined;
  if (wanted === 1) {
    registerWasmFactory(tfjsWasmFactory);
    return { threads: 1 };
  }
  try {
    const backend = await startThreadedBackend(
      wanted,
      options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
      options.tempDirectory ?? tmpdir(),
    );
    registerWasmFactory(() => backend);
    return capNotice === undefined ? { threads: wanted } : { threads: wanted, notice: capNotice };
  } catch (error) {
    registerWasmFactory(tfjsWasmFactory);
    return {
      threads: 1,
      notice: `wasm: could not start ${wanted} threads (${oneLine(messageOf(error))}); using the single-threaded SIMD build`,
    };
  }
}

/** Replaces whatever 'wasm' loader is registered; an already started 'wasm' backend is disposed. */
function registerWasmFactory(factory: () => tf.KernelBackend | Promise<tf.KernelBackend>): void {
  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, WASM_BACKEND_PRIORITY);
}

/** The few parts of Emscripten's pthread runtime (`Module.PThread`) this module relies on. */
interface PThreadRuntime {
  unusedWorkers: Worker[];
  runningWorkers: Worker[];
  allocateUnusedWorker(): void;
  loadWasmModuleToWorker(worker: Worker, onLoaded?: (worker: Worker) => void): void;
}

type WasmImports = Record<string, Record<string, unknown>>;
/** Opaque WebAssembly objects: the tsconfig `lib` has no WebAssembly types, and we only pass them on. */
type WasmInstance = object;
type WasmModule = object;
/** The one WebAssembly call made here, typed by hand for the same reason. */
const webAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(bytes: Uint8Array, imports: WasmImports): Promise<{ instance: WasmInstance; module: WasmModule }>;
    };
  }
).WebAssembly;

/** The Emscripten Module settings used here (see emscripten's src/shell.js). */
interface ThreadedModuleConfig {
  mainScriptUrlOrBlob: string;
  locateFile(file: string, prefix: string): string;
  instantiateWasm(imports: WasmImports, receiveInstance: (instance: WasmInstance, module: WasmModule) => void): object;
  preInit(): void;
  /** Filled in by the glue before `preInit` runs. */
  PThread?: PThreadRuntime;
}

type BackendWasmModule = ConstructorParameters<typeof BackendWasm>[0];
type ThreadedModule = Omit<BackendWasmModule, 'tfjs'> & {
  PThread: PThreadRuntime;
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
};
type ThreadedModuleFactory = (config: ThreadedModuleConfig) => Promise<ThreadedModule>;

async function startThreadedBackend(
  threads: number,
  startupTimeoutMs: number,
  tempDirectory: string,
): Promise<BackendWasm> {
  const gluePath = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const wasmBytes = readFileSync(join(dirname(gluePath), 'tfjs-backend-wasm-threaded-simd.wasm'));
  const createModule = require(gluePath) as ThreadedModuleFactory;
  // The package ships the worker script only as a JS string (it inlines it into a Blob for browsers).
  const { wasmWorkerContents } =
    require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents: string;
    };
  // A fresh private directory per process: nobody else can swap the script our workers execute.
  const scriptDirectory = mkdtempSync(join(tempDirectory, 'gradcam-wasm-threads-'));
  try {
    const workerPath = join(scriptDirectory, 'pthread-worker.cjs');
    // The string's `\n` escapes were turned into real newlines by its template literal; inside the
    // script's string literals they would be syntax errors (tfjs undoes it the same way).
    writeFileSync(workerPath, wasmWorkerContents.replace(/\n/g, '\\n'));
    // Every worker has loaded the script once the module is ready, and XNNPACK starts all its
    // threads in BackendWasm's constructor, so the file is not needed past this function.
    return await startWithTimeout(createModule, { gluePath, wasmBytes, workerPath, threads }, startupTimeoutMs);
  } finally {
    rmSync(scriptDirectory, { recursive: true, force: true });
  }
}

interface ThreadedFiles {
  gluePath: string;
  wasmBytes: Uint8Array;
  workerPath: string;
  threads: number;
}

function startWithTimeout(
  createModule: ThreadedModuleFactory,
  files: ThreadedFiles,
  startupTimeoutMs: number,
): Promise<BackendWasm> {
  const { gluePath, wasmBytes, workerPath, threads } = files;
  return new Promise<BackendWasm>((resolve, reject) => {
    let settled = false;
    let pthread: PThreadRuntime | undefined;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      terminateWorkers(pthread);
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const timer = setTimeout(
      () => fail(new Error(`the worker threads did not start within ${startupTimeoutMs} ms`)),
      startupTimeoutMs,
    );
    // Emscripten's own handler rethrows a worker's error, which would crash the process; during
    // startup we fall back instead. Later a dead pthread cannot be replaced, so crash loudly then.
    const onWorkerError = (error: unknown): void => {
      if (!settled) fail(new Error(`a worker thread failed: ${messageOf(error)}`));
      else throw error;
    };

    const config: ThreadedModuleConfig = {
      // Workers importScripts() this file: the glue must be the very same code the main thread runs.
      mainScriptUrlOrBlob: gluePath,
      locateFile: (file, prefix) => (file.endsWith('.worker.js') ? workerPath : prefix + file),
      instantiateWasm: (imports, receiveInstance) => {
        // backend.cc caps threads at emscripten_num_logical_cores() / 2; report 2 × threads so the
        // cap is the number asked for. The import is read once, by the main thread's static init.
        const env = { ...imports.env, emscripten_num_logical_cores: () => 2 * threads };
        webAssembly
          .instantiate(wasmBytes, { ...imports, env })
          .then(({ instance, module }) => receiveInstance(instance, module), fail);
        return {};
      },
      preInit: () => {
        pthread = config.PThread;
        if (!pthread) throw new Error('the Emscripten glue exposes no PThread runtime');
        resizeWorkerPool(pthread, threads - 1);
        const loadWasmModuleToWorker = pthread.loadWasmModuleToWorker.bind(pthread);
        pthread.loadWasmModuleToWorker = (worker, onLoaded) => {
          loadWasmModuleToWorker(worker, onLoaded);
          (worker as Worker & { onerror: (error: unknown) => void }).onerror = onWorkerError;
        };
      },
    };

    let ready: Promise<ThreadedModule>;
    try {
      ready = withoutNewProcessListeners(() => createModule(config));
    } catch (error) {
      fail(error);
      return;
    }
    ready.then((module) => {
      if (settled) return;
      try {
        const backend = wrapModule(module, threads);
        settled = true;
        clearTimeout(timer);
        resolve(backend);
      } catch (error) {
        fail(error);
      }
    }, fail);
  });
}

/**
 * Emscripten pre-spawns 8 workers (its compile-time PTHREAD_POOL_SIZE) and waits for all to load.
 * XNNPACK starts `threads - 1` pthreads (the calling thread is the other one); spares only cost
 * startup time and memory, and a pool smaller than that would deadlock: the main thread blocks in
 * pthreadpool_create while a late worker needs the main event loop to start.
 */
function resizeWorkerPool(pthread: PThreadRuntime, size: number): void {
  for (const spare of pthread.unusedWorkers.splice(size)) void spare.terminate();
  while (pthread.unusedWorkers.length < size) pthread.allocateUnusedWorker();
}

function terminateWorkers(pthread: PThreadRuntime | undefined): void {
  for (const worker of [...(pthread?.unusedWorkers ?? []), ...(pthread?.runningWorkers ?? [])]) void worker.terminate();
}

/** Wraps the ready module the way tfjs's loader does and checks the threads really started. */
function wrapModule(module: ThreadedModule, threads: number): BackendWasm {
  // The same C entry points tfjs's own loader wraps (backend_wasm.ts, `init`).
  const tfjsApi = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  // Extended in place, not copied: the glue replaces the module's HEAP views when memory grows.
  const backendModule = Object.assign(module, { tfjs: tfjsApi }) as unknown as BackendWasmModule;
  setThreadsCount(threads);
  // The constructor calls init_with_threads_count, which starts XNNPACK's pthreads synchronously.
  const backend = new wasmPackage.BackendWasm(backendModule);
  const running = module.PThread.runningWorkers.length;
  if (getThreadsCount() !== threads || running !== threads - 1) {
    backend.dispose();
    throw new Error(
      `XNNPACK reports ${getThreadsCount()} threads and ${running} worker threads run, expected ${threads} and ${threads - 1}`,
    );
  }
  // Emscripten ref()s a worker while its pthread runs; XNNPACK's threads live for the whole
  // process, so without this Node would never exit on its own.
  for (const worker of module.PThread.runningWorkers) worker.unref();
  return backend;
}

/**
 * Runs `start` and removes the process-wide 'uncaughtException' / 'unhandledRejection' listeners
 * the Emscripten glue adds: they rethrow, which turns every uncaught error into exit code 7.
 */
function withoutNewProcessListeners<T>(start: () => T): T {
  const exceptionListeners = new Set(process.listeners('uncaughtException'));
  const rejectionListeners = new Set(process.listeners('unhandledRejection'));
  try {
    return start();
  } finally {
    for (const listener of process.listeners('uncaughtException')) {
      if (!exceptionListeners.has(listener)) process.removeListener('uncaughtException', listener);
    }
    for (const listener of process.listeners('unhandledRejection')) {
      if (!rejectionListeners.has(listener)) process.removeListener('unhandledRejection', listener);
    }
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
