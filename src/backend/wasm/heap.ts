/**
 * Plumbing shared by the wasm training kernels (conv-gradients.ts, mat-mul.ts): the
 * kernel-call types, scratch buffers on the wasm heap, the fast XNNPACK product, a tiled
 * transpose, and shape checks. Kernel functions are called directly, not through the engine, so
 * intermediates are backend buffers freed here, never engine tensors or gradient-tape entries.
 */
import { BatchMatMul, getKernel, util } from '../../tf.js';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '../../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export const WASM = 'wasm';

/** The arguments the engine passes to every kernel function. */
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  attrs?: NamedAttrMap;
  backend: BackendWasm;
}

export type WasmKernel = (args: KernelArgs) => TensorInfo;

export function requireKernel(original: WasmKernel | undefined): WasmKernel {
  if (original === undefined) throw new Error('the wasm backend lacks a kernel gradcam replaces');
  return original;
}

/**
 * The intermediate buffers of one kernel call. The wasm heap has no garbage collector and these
 * buffers are not engine tensors, so every one is freed here, on success and on error alike.
 */
export class Scratch {
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
 * `[1, r, k] x [1, k, c] -> [1, r, c]` on XNNPACK, through the registered BatchMatMul (the
 * replacement in mat-mul.ts hands exactly this case to the original's fast path).
 */
export function multiplyFast(backend: BackendWasm, left: TensorInfo, right: TensorInfo): TensorInfo {
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
 * writes one element per cache line; these 16 x 16 tiles keep rows and columns in cache, several
 * times faster on multi-MB matrices (docs/performance.md).
 */
export function transposeMatrices(
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
export function view(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** A Float32Array over the wasm heap; valid only until the next allocation may grow the heap. */
export function floatsOf(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

export function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  floatsOf(backend, out).fill(0);
  return out;
}

export function assertFloat32(kernelName: string, ...infos: TensorInfo[]): void {
  for (const info of infos) {
    if (info.dtype !== 'float32') throw new Error(`wasm ${kernelName} supports float32 only, got ${info.dtype}`);
  }
}

export function assertShape(kernelName: string, name: string, actual: number[], expected: number[]): void {
  if (!util.arraysEqual(actual, expected)) {
    throw new Error(`wasm ${kernelName}: ${name} has shape [${actual}], expected [${expected}]`);
  }
}
