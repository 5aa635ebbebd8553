/**
 * Adam (Kingma & Ba 2015) with the update of each variable in one JavaScript loop.
 *
 * tfjs-core's AdamOptimizer runs about a dozen small kernels per variable and step (≈ 300 for the
 * VGG-11 net), whose fixed cost per call dominates at the default widths. This subclass keeps its
 * state, names and serialization (checkpoints, getWeights/setWeights, accBeta1/accBeta2) and
 * replaces only applyGradients. Every operation is rounded to float32 in tfjs-core's order, so
 * the new values are those the stock optimizer computes on a backend with IEEE float32
 * arithmetic (the cpu backend: bit for bit, see test/models/adam.test.ts).
 */
import { AdamOptimizer, engine, tensor, tidy, zerosLike } from '../tf.js';
import type { NamedTensorMap, Tensor, Variable } from '../tf.js';

type NamedTensor = { name: string; tensor: Tensor };

const f32 = Math.fround;

type Slot = { originalName: string; variable: Variable };
/** The fields of tfjs-core's AdamOptimizer this class reads and writes (declared private there). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
  incrementIterations(): void;
}

export class FusedAdamOptimizer extends AdamOptimizer {
  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const state = this as unknown as AdamState;
    const gradients = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor: gradient }) => ({ name, gradient }))
      : Object.entries(variableGradients).map(([name, gradient]) => ({ name, gradient }));
    const constants = {
      beta1: f32(state.beta1),
      beta2: f32(state.beta2),
      oneMinusBeta1: f32(1 - state.beta1),
      oneMinusBeta2: f32(1 - state.beta2),
      oneMinusAccBeta1: f32(1 - state.accBeta1.dataSync()[0]),
      oneMinusAccBeta2: f32(1 - state.accBeta2.dataSync()[0]),
      epsilon: f32(state.epsilon),
      minusLearningRate: f32(-state.learningRate),
    };
    tidy(() => {
      gradients.forEach(({ name, gradient }, i) => {
        const value = engine().registeredVariables[name];
        state.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tidy(() => zerosLike(value).variable(false)),
        };
        state.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tidy(() => zerosLike(value).variable(false)),
        };
        if (gradient == null) return;
        const firstMoment = state.accumulatedFirstMoment[i].variable;
        const secondMoment = state.accumulatedSecondMoment[i].variable;
        const updated = adamUpdate(value, gradient, firstMoment, secondMoment, constants);
        firstMoment.assign(tensor(updated.firstMoment, value.shape));
        secondMoment.assign(tensor(updated.secondMoment, value.shape));
        value.assign(tensor(updated.value, value.shape));
      });
      state.accBeta1.assign(tensor(f32(state.accBeta1.dataSync()[0] * constants.beta1)));
      state.accBeta2.assign(tensor(f32(state.accBeta2.dataSync()[0] * constants.beta2)));
    });
    state.incrementIterations();
  }
}

interface AdamConstants {
  beta1: number;
  beta2: number;
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  /** 1 − β1^t and 1 − β2^t: the bias corrections of step t. */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  minusLearningRate: number;
}

/**
 * One Adam step for one variable (all float32 arrays of the variable's size):
 * m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,  x ← x − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε),
 * each product, sum, quotient and root rounded to float32 as tfjs-core's kernels round them.
 */
function adamUpdate(
  value: Variable,
  gradient: Tensor,
  firstMoment: Variable,
  secondMoment: Variable,
  c: AdamConstants,
) {
  const x = value.dataSync() as Float32Array;
  const g = gradient.dataSync() as Float32Array;
  const m = firstMoment.dataSync() as Float32Array;
  const v = secondMoment.dataSync() as Float32Array;
  const newValue = new Float32Array(x.length);
  const newFirstMoment = new Float32Array(x.length);
  const newSecondMoment = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const mi = f32(f32(m[i] * c.beta1) + f32(g[i] * c.oneMinusBeta1));
    const vi = f32(f32(v[i] * c.beta2) + f32(f32(g[i] * g[i]) * c.oneMinusBeta2));
    const correctedM = f32(mi / c.oneMinusAccBeta1);
    const correctedV = f32(vi / c.oneMinusAccBeta2);
    const step = f32(f32(correctedM / f32(f32(Math.sqrt(correctedV)) + c.epsilon)) * c.minusLearningRate);
    newFirstMoment[i] = mi;
    newSecondMoment[i] = vi;
    newValue[i] = step + x[i];
  }
  return { value: newValue, firstMoment: newFirstMoment, secondMoment: newSecondMoment };
}
