/**
 * The gradient of `FusedBatchNorm` (batch normalization's kernel) without a full-size `Tile`.
 *
 * tfjs-core 4.22's gradient of x multiplies dy by 1/√(variance + ε) *tiled* to the whole
 * activation shape before multiplying; a broadcasting multiply gives the same numbers without
 * materialising that tensor. On wasm, whose `Tile` is a generic per-element loop, the tile was
 * the most expensive kernel of a batch-norm training step (39% of the default CIFAR-10 step).
 *
 * Everything else is tfjs-core's gradient, operation for operation in the same order, so results
 * are bitwise those of the stock gradient on every backend (test/backend/batch-norm-gradient.test.ts).
 */
import { FusedBatchNorm, add, getGradient, mul, registerGradient, reshape, rsqrt, scalar, sub, sum } from '../tf.js';
import type { GradConfig, Tensor } from '../tf.js';

/** Marks the config registered here, so registering twice (module copies, tests) is a no-op. */
const REGISTERED_HERE = Symbol.for('gradcam.batchNormGradient');

export const batchNormGradient: GradConfig = {
  kernelName: FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const dyTensor = dy as Tensor;
    const [x, mean, variance, scale] = saved;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const scaleValue = scale ?? scalar(1);
    // Per-channel statistics (rank 1) are reduced over every axis but the last; otherwise the
    // statistics have x's shape and nothing is reduced.
    const reductionAxes = mean.rank === 1 ? x.shape.slice(0, -1).map((_, axis) => axis) : [];
    const reduce = (t: Tensor) => reshape(reductionAxes.length > 0 ? sum(t, reductionAxes) : t, mean.shape);

    const xMinusMean = sub(x, mean);
    const dyTimesScale = mul(dyTensor, scaleValue);
    const oneOverSqrtVariance = rsqrt(add(variance, scalar(varianceEpsilon)));
    const minusHalfRCube = mul(mul(mul(oneOverSqrtVariance, oneOverSqrtVariance), oneOverSqrtVariance), scalar(-0.5));
    return {
      // [C] broadcasts over [..., C]: the same products as tfjs-core's tile, without the tile.
      x: () => reshape(mul(mul(dyTensor, oneOverSqrtVariance), scaleValue), x.shape),
      mean: () => reduce(mul(mul(oneOverSqrtVariance, scalar(-1)), dyTimesScale)),
      variance: () => reduce(mul(mul(minusHalfRCube, xMinusMean), dyTimesScale)),
      scale: () => reduce(mul(dyTensor, mul(xMinusMean, oneOverSqrtVariance))),
      offset: () => reduce(dyTensor),
    };
  },
};

/** Installs the gradient above for every backend (gradients are backend-independent). Idempotent. */
export function registerBatchNormGradient(): void {
  const current = getGradient(FusedBatchNorm) as (GradConfig & { [REGISTERED_HERE]?: true }) | undefined;
  if (current?.[REGISTERED_HERE]) return;
  registerGradient({ ...batchNormGradient, [REGISTERED_HERE]: true } as GradConfig);
}
