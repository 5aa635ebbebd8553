/**
 * SGD with momentum, plain or Nesterov, with the update of each variable in one JavaScript loop.
 *
 * tfjs-core's MomentumOptimizer runs four or six small kernels per variable and step (≈ 150 for
 * the VGG-11 net with batch norm), whose fixed cost per call adds up at the default widths. This
 * subclass keeps its state, names and serialization (checkpoints, getWeights/setWeights) and
 * replaces only applyGradients. Every operation is rounded to float32 in tfjs-core's order, so the
 * new values are those the stock optimizer computes (bit for bit on cpu and wasm, see
 * test/models/momentum.test.ts), and a run resumed from a checkpoint of either goes on the same.
 */
import { engine, MomentumOptimizer, tensor, tidy, zerosLike } from '../tf.js';
import type { NamedTensorMap, Tensor, Variable } from '../tf.js';

type NamedTensor = { name: string; tensor: Tensor };

const f32 = Math.fround;

type Slot = { originalName: string; variable: Variable };
/** The fields of tfjs-core's MomentumOptimizer this class reads and writes (declared private there). */
interface MomentumState {
  learningRate: number;
  momentum: number;
  useNesterov: boolean;
  accumulations: Slot[];
  incrementIterations(): void;
}

export class FusedMomentumOptimizer extends MomentumOptimizer {
  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const state = this as unknown as MomentumState;
    const gradients = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor: gradient }) => ({ name, gradient }))
      : Object.entries(variableGradients).map(([name, gradient]) => ({ name, gradient }));
    // tfjs-core keeps both as float32 scalars: m = momentum, c = −lr.
    const constants = {
      momentum: f32(state.momentum),
      minusLearningRate: f32(-state.learningRate),
      nesterov: state.useNesterov,
    };
    tidy(() => {
      gradients.forEach(({ name, gradient }, i) => {
        const value = engine().registeredVariables[name];
        state.accumulations[i] ??= {
          originalName: `${name}/momentum`,
          variable: tidy(() => zerosLike(value).variable(false)),
        };
        if (gradient == null) return;
        const accumulation = state.accumulations[i].variable;
        const updated = momentumUpdate(value, gradient, accumulation, constants);
        accumulation.assign(tensor(updated.accumulation, value.shape));
        value.assign(tensor(updated.value, value.shape));
      });
    });
    state.incrementIterations();
  }
}

interface MomentumConstants {
  momentum: number;
  minusLearningRate: number;
  nesterov: boolean;
}

/**
 * One step for one variable (float32 arrays of the variable's size): a ← μ·a + g, then
 * x ← x − lr·(g + μ·a) for Nesterov or x ← x − lr·a, each product and sum rounded to float32 as
 * tfjs-core's kernels round them (PyTorch's SGD computes the same update).
 */
function momentumUpdate(value: Variable, gradient: Tensor, accumulation: Variable, c: MomentumConstants) {
  const x = value.dataSync() as Float32Array;
  const g = gradient.dataSync() as Float32Array;
  const a = accumulation.dataSync() as Float32Array;
  const newValue = new Float32Array(x.length);
  const newAccumulation = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const ai = f32(f32(c.momentum * a[i]) + g[i]);
    const direction = c.nesterov ? f32(g[i] + f32(ai * c.momentum)) : ai;
    newAccumulation[i] = ai;
    newValue[i] = f32(c.minusLearningRate * direction) + x[i];
  }
  return { value: newValue, accumulation: newAccumulation };
}
