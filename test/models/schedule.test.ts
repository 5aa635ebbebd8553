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
});
