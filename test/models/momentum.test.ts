/**
 * The fused SGD-momentum against tfjs-core's MomentumOptimizer, plain and Nesterov: the same
 * variables and saved state after several steps with a changing learning rate, bit for bit on cpu
 * and wasm; a run handed from one optimizer to the other through getWeights/setWeights goes on the same.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FusedMomentumOptimizer } from '../../src/models/momentum.js';
import { setLearningRate } from '../../src/models/schedule.js';
import { prepareWasm } from '../helpers/backends.js';
import { maxDifference } from '../helpers/compare.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await prepareWasm();
});

const SHAPES = [[3, 3, 2, 4], [4], [7, 5], [1]];

/**
 * Runs `steps` steps of `optimizers[0]` then `steps` of `optimizers[1]` (the second restored from the
 * first's saved state, as a resumed checkpoint is) on a quadratic-plus-sine loss.
 */
async function train(optimizers: [tf.Optimizer, tf.Optimizer], prefix: string, steps: number) {
  const variables = SHAPES.map((shape, i) =>
    tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 10 + i), true, `${prefix}${i}`),
  );
  const targets = SHAPES.map((shape, i) => tf.randomNormal(shape, 0, 1, 'float32', 20 + i));
  let step = 0;
  const run = (optimizer: tf.Optimizer) => {
    for (const end = step + steps; step < end; step++) {
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
  };
  run(optimizers[0]);
  await optimizers[1].setWeights(await optimizers[0].getWeights());
  run(optimizers[1]);
  const values = variables.map((v) => Array.from(v.dataSync()));
  const state = (await optimizers[1].getWeights()).map(({ name, tensor }) => ({
    name: name.replace(prefix, ''),
    values: Array.from(tensor.dataSync()),
  }));
  tf.dispose([...variables, ...targets]);
  for (const optimizer of optimizers) optimizer.dispose();
  return { values, state };
}

const stock = (nesterov: boolean) => tf.train.momentum(0.01, 0.9, nesterov);
const fused = (nesterov: boolean) => new FusedMomentumOptimizer(0.01, 0.9, nesterov);

describe('FusedMomentumOptimizer', () => {
  for (const backend of ['cpu', 'wasm']) {
    for (const nesterov of [false, true]) {
      it(`equals tf.train.momentum bit for bit on ${backend}, ${nesterov ? 'Nesterov' : 'plain'}, across a restore`, async () => {
        await tf.setBackend(backend);
        const tag = `${backend}${nesterov}`;
        const expected = await train([stock(nesterov), stock(nesterov)], `stock${tag}`, 4);
        const actual = await train([fused(nesterov), fused(nesterov)], `fused${tag}`, 4);
        expect(actual.state.map((s) => s.name)).toEqual([
          'iter',
          '0/momentum',
          '1/momentum',
          '2/momentum',
          '3/momentum',
        ]);
        expect(actual).toEqual(expected);
        // A checkpoint of the stock optimizer resumes into the fused one (and back) with the same result.
        expect(await train([stock(nesterov), fused(nesterov)], `mixed${tag}`, 4)).toEqual(expected);
        expect(await train([fused(nesterov), stock(nesterov)], `back${tag}`, 4)).toEqual(expected);
        // Not vacuous: the variables moved, and Nesterov differs from plain momentum.
        const start = await train([stock(nesterov), stock(nesterov)], `none${tag}`, 0);
        expect(maxDifference(actual.values[0], start.values[0])).toBeGreaterThan(0.01);
        const other = await train([fused(!nesterov), fused(!nesterov)], `other${tag}`, 4);
        expect(maxDifference(actual.values[0], other.values[0])).toBeGreaterThan(1e-4);
      });
    }
  }

  it('computes the two first Nesterov steps of a hand-worked example', async () => {
    await tf.setBackend('cpu');
    const optimizer = new FusedMomentumOptimizer(0.5, 0.9, true);
    const variable = tf.variable(tf.tensor1d([1, -2]), true, 'hand');
    const gradient = tf.tensor1d([0.5, 1]);
    // a1 = g = (0.5, 1); x1 = x − 0.5·(g + 0.9·a1) = (1 − 0.475, −2 − 0.95)
    optimizer.applyGradients([{ name: variable.name, tensor: gradient }]);
    expect(Array.from(variable.dataSync())).toEqual([Math.fround(0.525), Math.fround(-2.95)]);
    // a2 = 0.9·a1 + g = (0.95, 1.9); x2 = x1 − 0.5·(g + 0.9·a2) = (0.525 − 0.6775, −2.95 − 1.355)
    optimizer.applyGradients([{ name: variable.name, tensor: gradient }]);
    const [first, second] = variable.dataSync();
    expect(first).toBeCloseTo(-0.1525, 6);
    expect(second).toBeCloseTo(-4.305, 6);
    tf.dispose([variable, gradient]);
    optimizer.dispose();
  });

  it('serializes as Momentum and runs a handful of kernels per step, not four or six per variable', async () => {
    await tf.setBackend('cpu');
    const optimizer = new FusedMomentumOptimizer(0.01, 0.9, true);
    expect(optimizer.getClassName()).toBe('Momentum');
    expect(optimizer.getConfig()).toEqual({ learningRate: 0.01, momentum: 0.9, useNesterov: true });
    const variables = SHAPES.map((shape, i) => tf.variable(tf.ones(shape), true, `count${i}`));
    const gradients = SHAPES.map((shape) => tf.ones(shape));
    const named = variables.map((v, i) => ({ name: v.name, tensor: gradients[i] }));
    optimizer.applyGradients(named); // creates the accumulations
    const fusedKernels = (await tf.profile(() => optimizer.applyGradients(named))).kernels.length;
    const reference = tf.train.momentum(0.01, 0.9, true);
    reference.applyGradients(named);
    const stockKernels = (await tf.profile(() => reference.applyGradients(named))).kernels.length;
    expect(fusedKernels).toBeLessThan(stockKernels / 2);
    tf.dispose([...variables, ...gradients]);
    optimizer.dispose();
    reference.dispose();
  });
});
