/**
 * The fused Adam against tfjs-core's AdamOptimizer: the same variables, moments and saved state
 * after several steps with a changing learning rate: bit for bit on cpu, to float rounding on wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FusedAdamOptimizer } from '../../src/models/adam.js';
import { setLearningRate } from '../../src/models/schedule.js';
import { prepareWasm } from '../helpers/backends.js';
import { maxDifference } from '../helpers/compare.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await prepareWasm();
});

const SHAPES = [[3, 3, 2, 4], [4], [7, 5], [1]];

/** Runs `steps` Adam steps on a quadratic-plus-sine loss; returns the variables and optimizer state. */
async function train(optimizer: tf.Optimizer, prefix: string, steps: number) {
  const variables = SHAPES.map((shape, i) =>
    tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 10 + i), true, `${prefix}${i}`),
  );
  const targets = SHAPES.map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', 20 + i));
  for (let step = 0; step < steps; step++) {
    setLearningRate(optimizer, 0.01 * (1 + Math.cos(step)));
    tf.tidy(() => {
      optimizer.minimize(
        () =>
          tf.addN(
            variables.map((v, i) => tf.sum(tf.add(tf.square(tf.sub(v, targets[i])), tf.sin(tf.mul(v, 3))))),
          ) as tf.Scalar,
        false,
      );
    });
  }
  const values = variables.map((v) => Array.from(v.dataSync()));
  const weights = await optimizer.getWeights();
  const state = weights.map(({ name, tensor }) => ({
    name: name.replace(prefix, ''),
    values: Array.from(tensor.dataSync()),
  }));
  const internals = optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
  const accumulators = [internals.accBeta1.dataSync()[0], internals.accBeta2.dataSync()[0]];
  tf.dispose([...variables, ...targets]);
  optimizer.dispose();
  return { values, state, accumulators };
}

describe('FusedAdamOptimizer', () => {
  it('equals tf.train.adam bit for bit on cpu', async () => {
    await tf.setBackend('cpu');
    const expected = await train(tf.train.adam(0.01), 'stock', 6);
    const actual = await train(new FusedAdamOptimizer(0.01, 0.9, 0.999), 'fused', 6);
    expect(actual.state.map((s) => s.name)).toEqual(expected.state.map((s) => s.name));
    expect(actual).toEqual(expected);
    // Not vacuous: the variables moved.
    expect(maxDifference(actual.values[0], (await train(tf.train.adam(0.01), 'none', 0)).values[0])).toBeGreaterThan(
      0.01,
    );
  });

  it('matches tf.train.adam to float rounding on wasm', async () => {
    await tf.setBackend('wasm');
    const expected = await train(tf.train.adam(0.01), 'stockw', 6);
    const actual = await train(new FusedAdamOptimizer(0.01, 0.9, 0.999), 'fusedw', 6);
    expect(actual.accumulators).toEqual(expected.accumulators);
    actual.values.forEach((values, i) => expect(maxDifference(values, expected.values[i])).toBeLessThan(1e-6));
    actual.state.forEach((s, i) => expect(maxDifference(s.values, expected.state[i].values)).toBeLessThan(1e-6));
  });

  it('serializes as Adam and runs a handful of kernels per step, not a dozen per variable', async () => {
    await tf.setBackend('cpu');
    const optimizer = new FusedAdamOptimizer(0.01, 0.9, 0.999);
    expect(optimizer.getClassName()).toBe('Adam');
    const variables = SHAPES.map((shape, i) => tf.variable(tf.ones(shape), true, `count${i}`));
    const gradients = SHAPES.map((shape) => tf.ones(shape));
    const named = variables.map((v, i) => ({ name: v.name, tensor: gradients[i] }));
    optimizer.applyGradients(named); // creates the moments
    const fused = (await tf.profile(() => optimizer.applyGradients(named))).kernels.length;
    const stock = tf.train.adam(0.01);
    stock.applyGradients(named);
    const stockKernels = (await tf.profile(() => stock.applyGradients(named))).kernels.length;
    expect(fused).toBeLessThan(stockKernels / 4);
    tf.dispose([...variables, ...gradients]);
    optimizer.dispose();
    stock.dispose();
  });
});
