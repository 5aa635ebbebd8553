/**
 * Batch normalization in training mode as one kernel with one gradient kernel, for the wasm and
 * cpu backends.
 *
 * tfjs-layers trains a batch-norm layer through `moments` and `batchNormalization`, and their
 * gradients: about a dozen kernels per layer and step, each a full pass over the activation, which
 * was a fifth of the default CIFAR-10 training step on wasm. These two kernels do the same math in
 * closed form (batch-norm-math.ts): two passes forward, two backward. The op returns the batch
 * statistics too, for the layer's moving averages (models/batch-norm-layer.ts).
 *
 * Both backends run the same JavaScript over their own memory: the wasm heap, or the cpu
 * backend's typed arrays. Other backends (tfjs-node) keep tfjs-layers' own path.
 */
import { engine, getKernel, registerGradient, registerKernel, util } from '../tf.js';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '../tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { batchNormBackward, batchNormForward } from './batch-norm-math.js';

export const BATCH_NORM_TRAINING = 'GradcamBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'GradcamBatchNormTrainingGrad';

interface Attrs {
  varianceEpsilon: number;
}

/** What a kernel needs from its backend: read a float32 input, and make float32 outputs to fill. */
interface Memory {
  read(info: TensorInfo): Float32Array;
  /** Allocates all outputs first, then returns their arrays (wasm views go stale on allocation). */
  allocate(shapes: number[][]): { infos: TensorInfo[]; arrays: Float32Array[] };
}

function wasmMemory(backend: BackendWasm): Memory {
  const read = (info: TensorInfo) => backend.typedArrayFromHeap(info) as Float32Array;
  return {
    read,
    allocate(shapes) {
      const infos = shapes.map((shape) => backend.makeOutput(shape, 'float32'));
      return { infos, arrays: infos.map(read) };
    },
  };
}

interface CpuBackend {
  readSync(dataId: unknown): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function cpuMemory(backend: CpuBackend): Memory {
  return {
    read: (info) => backend.readSync(info.dataId) as Float32Array,
    allocate(shapes) {
      const arrays = shapes.map((shape) => new Float32Array(util.sizeFromShape(shape)));
      return { infos: shapes.map((shape, i) => backend.makeTensorInfo(shape, 'float32', arrays[i])), arrays };
    },
  };
}

/** inputs x [..., C], scale [C], offset [C] → outputs y (x's shape), mean [C], variance [C]. */
function forwardKernel(memory: Memory, inputs: Record<string, TensorInfo>, attrs: Attrs): TensorInfo[] {
  const { x, scale, offset } = inputs;
  checkFloat32(BATCH_NORM_TRAINING, x, scale, offset);
  const channels = scale.shape[0];
  const { infos, arrays } = memory.allocate([x.shape, [channels], [channels]]);
  const [y, mean, variance] = arrays;
  batchNormForward(memory.read(x), memory.read(scale), memory.read(offset), attrs.varianceEpsilon, y, {
    mean,
    variance,
  });
  return infos;
}

/** inputs dy, dMean, dVariance, x, mean, variance, scale → outputs dx, dScale, dOffset. */
function backwardKernel(memory: Memory, inputs: Record<string, TensorInfo>, attrs: Attrs): TensorInfo[] {
  const { dy, dMean, dVariance, x, mean, variance, scale } = inputs;
  checkFloat32(BATCH_NORM_TRAINING_GRAD, dy, dMean, dVariance, x, mean, variance, scale);
  const channels = scale.shape[0];
  const { infos, arrays } = memory.allocate([x.shape, [channels], [channels]]);
  const [dx, dScale, dOffset] = arrays;
  batchNormBackward(
    memory.read(dy),
    memory.read(x),
    { mean: memory.read(mean), variance: memory.read(variance) },
    memory.read(scale),
    attrs.varianceEpsilon,
    { dMean: memory.read(dMean), dVariance: memory.read(dVariance) },
    { dx, dScale, dOffset },
  );
  return infos;
}

function checkFloat32(kernelName: string, ...infos: TensorInfo[]): void {
  for (const info of infos) {
    if (info.dtype !== 'float32') throw new Error(`${kernelName} supports float32 only, got ${info.dtype}`);
  }
}

const gradient: GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dMean, dVariance] = dys as Tensor[];
    const [x, scale, mean, variance] = saved;
    const [dx, dScale, dOffset] = engine().runKernel(
      BATCH_NORM_TRAINING_GRAD,
      { dy, dMean, dVariance, x, mean, variance, scale },
      attrs as unknown as NamedAttrMap,
    ) as Tensor[];
    return { x: () => dx, scale: () => dScale, offset: () => dOffset };
  },
};

const BACKENDS: Record<string, (backend: never) => Memory> = {
  wasm: wasmMemory as (backend: never) => Memory,
  cpu: cpuMemory as (backend: never) => Memory,
};

/** Registers both kernels for wasm and cpu, and the gradient. Idempotent. */
export function registerBatchNormTraining(): void {
  for (const [backendName, memoryOf] of Object.entries(BACKENDS)) {
    for (const [kernelName, kernel] of [
      [BATCH_NORM_TRAINING, forwardKernel],
      [BATCH_NORM_TRAINING_GRAD, backwardKernel],
    ] as const) {
      if (getKernel(kernelName, backendName) !== undefined) continue;
      const kernelFunc = ({
        inputs,
        backend,
        attrs,
      }: {
        inputs: Record<string, TensorInfo>;
        backend: never;
        attrs: Attrs;
      }) => kernel(memoryOf(backend), inputs, attrs);
      registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as unknown as KernelFunc } as KernelConfig);
    }
  }
  registerGradient(gradient);
}

/** Whether the backend in use has the fused kernels (else use tfjs-layers' own batch norm). */
export function hasBatchNormTraining(): boolean {
  return getKernel(BATCH_NORM_TRAINING, engine().backendName) !== undefined;
}

/**
 * Training-mode batch normalization of x [..., C] over every axis but the last.
 * Returns the normalized tensor and the batch mean and (biased) variance, [C] each.
 */
export function batchNormInTraining(
  x: Tensor,
  scale: Tensor,
  offset: Tensor,
  varianceEpsilon: number,
): { normalized: Tensor; mean: Tensor; variance: Tensor } {
  const [normalized, mean, variance] = engine().runKernel(BATCH_NORM_TRAINING, { x, scale, offset }, {
    varianceEpsilon,
  } as unknown as NamedAttrMap) as Tensor[];
  return { normalized, mean, variance };
}
