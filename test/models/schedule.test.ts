import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { learningRateAt, setLearningRate } from '../../src/models/schedule.js';
import { createOptimizer } from '../../src/models/training.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});

describe('learning-rate schedule', () => {
  it('cosine goes from lr to 0 along half a cosine; constant stays', () => {
    expect(learningRateAt('cosine', 0.1, 0, 100)).toBeCloseTo(0.1, 12);
    expect(learningRateAt('cosine', 0.1, 50, 100)).toBeCloseTo(0.05, 12);
    expect(learningRateAt('cosine', 0.1, 25, 100)).toBeCloseTo(0.05 * (1 + Math.SQRT1_2), 12);
    expect(learningRateAt('cosine', 0.1, 100, 100)).toBeCloseTo(0, 12);
    expect(learningRateAt('constant', 0.1, 73, 100)).toBe(0.1);
  });

  it('warms up linearly, then runs the schedule over the steps that remain', () => {
    // 10 warm-up steps of 110: lr/10, 2lr/10, …, lr; then cosine over the last 100 steps.
    expect(learningRateAt('cosine', 0.1, 0, 110, 10)).toBeCloseTo(0.01, 12);
    expect(learningRateAt('cosine', 0.1, 4, 110, 10)).toBeCloseTo(0.05, 12);
    expect(learningRateAt('cosine', 0.1, 9, 110, 10)).toBeCloseTo(0.1, 12);
    expect(learningRateAt('cosine', 0.1, 10, 110, 10)).toBeCloseTo(0.1, 12);
    expect(learningRateAt('cosine', 0.1, 60, 110, 10)).toBeCloseTo(0.05, 12);
    expect(learningRateAt('cosine', 0.1, 110, 110, 10)).toBeCloseTo(0, 12);
    expect(learningRateAt('constant', 0.1, 2, 110, 10)).toBeCloseTo(0.03, 12);
    expect(learningRateAt('constant', 0.1, 50, 110, 10)).toBe(0.1);
  });

  it.each(['sgd', 'adam'] as const)('setLearningRate changes the step size of %s', (name) => {
    // One step from w = 0 with gradient 1: SGD-momentum moves by lr, Adam by lr (bias-corrected m/√v = 1).
    const step = (rate: number) => {
      const optimizer = createOptimizer(name, 1);
      setLearningRate(optimizer, rate);
      const w = tf.variable(tf.scalar(0));
      optimizer.minimize(() => tf.mul(w, 1) as tf.Scalar, false, [w]);
      const moved = w.dataSync()[0];
      w.dispose();
      optimizer.dispose();
      return moved;
    };
    expect(step(0.25)).toBeCloseTo(-0.25, 5);
    expect(step(0.5)).toBeCloseTo(-0.5, 5);
  });

  it('nesterov looks ahead along the velocity, as PyTorch does (v ← μv + g, w ← w − lr·(g + μv))', () => {
    // Gradient 1 every step, lr 0.1, μ 0.9: v = 1 then 1.9; steps 0.1·1.9 = 0.19 then 0.1·(1 + 1.71) = 0.271.
    const positions = (name: 'sgd' | 'nesterov') => {
      const optimizer = createOptimizer(name, 0.1);
      const w = tf.variable(tf.scalar(0));
      const seen = [0, 1].map(() => {
        optimizer.minimize(() => tf.mul(w, 1) as tf.Scalar, false, [w]);
        return w.dataSync()[0];
      });
      w.dispose();
      optimizer.dispose();
      return seen;
    };
    const [first, second] = positions('nesterov');
    expect(first).toBeCloseTo(-0.19, 6);
    expect(second).toBeCloseTo(-0.19 - 0.271, 6);
    // Plain momentum: steps 0.1 and 0.19.
    expect(positions('sgd')[1]).toBeCloseTo(-0.29, 6);
  });
});
