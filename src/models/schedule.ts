/**
 * Learning-rate schedules. Cosine annealing (Loshchilov & Hutter 2017, "SGDR", without restarts)
 * lowers the rate from its initial value to 0 along half a cosine over the whole run; on a
 * one-epoch MNIST run it is worth about half a point of test accuracy over a constant rate.
 * A warm-up (Goyal et al. 2017) may come first: the rate climbs linearly from lr / warmupSteps to
 * lr, so that a high rate does not meet the random initial weights at full strength; the
 * schedule then runs over the remaining steps.
 * A function of the global step alone, so a resumed run follows the same schedule.
 */
import type * as tf from '../tf.js';
import type { LearningRateSchedule } from '../choices.js';

export type { LearningRateSchedule };

/**
 * The rate for step `step` (0-based) of `totalSteps`: lr · (step + 1) / warmupSteps during the
 * warm-up, then lr · ½(1 + cos(π · t / T)) for cosine, with t and T counted after the warm-up.
 */
export function learningRateAt(
  schedule: LearningRateSchedule,
  initial: number,
  step: number,
  totalSteps: number,
  warmupSteps = 0,
): number {
  if (step < warmupSteps) return (initial * (step + 1)) / warmupSteps;
  const decaySteps = totalSteps - warmupSteps;
  if (schedule === 'constant' || decaySteps <= 0) return initial;
  return initial * 0.5 * (1 + Math.cos((Math.PI * Math.min(step - warmupSteps, decaySteps)) / decaySteps));
}

/** Sets the rate of a tfjs SGD/momentum (setLearningRate) or Adam (a plain field read per step). */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const settable = optimizer as unknown as { setLearningRate?: (rate: number) => void; learningRate: number };
  if (typeof settable.setLearningRate === 'function') settable.setLearningRate(rate);
  else settable.learningRate = rate;
}
