/**
 * The training loop: mini-batch SGD-momentum or Adam on softmax cross-entropy of the logits,
 * with a test-set evaluation after every epoch. Everything random (data order, augmentation,
 * dropout) comes from one seeded generator whose state is part of the progress, so a run is
 * reproducible on the same backend and an interrupted run resumes bit for bit.
 */
import * as tf from '../tf.js';
import type { ImageSet } from '../datasets/image-set.js';
import { fillBatch, type Batch, type Normalization } from '../datasets/batches.js';
import { Random } from '../random.js';
import type { OptimizerName } from '../choices.js';
import { FusedAdamOptimizer } from './adam.js';
import type { TrainingProgress } from './checkpoint.js';
import { computeLogits } from './forward.js';
import { learningRateAt, setLearningRate, type LearningRateSchedule } from './schedule.js';
import type { EpochRecord } from './metadata.js';

export type { OptimizerName };

export interface TrainingOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** How the learning rate moves over the run (schedule.ts). */
  schedule: LearningRateSchedule;
  /** Epochs (may be fractional) of linear warm-up before the schedule (schedule.ts). */
  warmupEpochs: number;
  /** L2 penalty: wd·w is added to the gradient of every trainable weight (PyTorch's weight_decay). */
  weightDecay: number;
  /** Cross-entropy toward 1 − x on the true class and x / classes on every class (0: one-hot). */
  labelSmoothing: number;
  /** Random crop (pad 4) and horizontal flip; only sensible for natural images. */
  augment: boolean;
  normalization: Normalization;
  seed: number;
}

/** What trainModel needs: the network and optimizer (changed in place), the data, the options and where to start. */
export interface TrainingRun {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  train: ImageSet;
  test: ImageSet;
  options: TrainingOptions;
  /** A fresh (initialProgress) or a restored progress. */
  start: TrainingProgress;
  events?: TrainingEvents;
}

export interface StepProgress {
  epoch: number;
  /** 1-based step within the epoch. */
  step: number;
  steps: number;
  /** Running mean loss and accuracy over the epoch so far. */
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
}

/** Why the loop paused to save: a step interval, the end of an epoch, or a stop request. */
export type CheckpointReason = 'interval' | 'epoch' | 'stop';

export interface TrainingEvents {
  onStep?(progress: StepProgress): void;
  onEpoch?(record: EpochRecord): void;
  /** Asked after every step; true ends the loop early (after a 'stop' checkpoint). */
  shouldStop?(): boolean;
  /** Steps between 'interval' checkpoints (none if undefined). */
  checkpointEvery?: number;
  /** Persists the progress (weights and optimizer are read from the model and optimizer). */
  onCheckpoint?(progress: TrainingProgress, reason: CheckpointReason): Promise<void>;
}

export interface TrainingOutcome {
  history: EpochRecord[];
  /** False when shouldStop() ended the loop before the last epoch finished. */
  finished: boolean;
}

const SGD_MOMENTUM = 0.9;
const EVALUATION_BATCH = 256;

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  // β1, β2 and ε as tf.train.adam's defaults (ε: the backend's float32 epsilon).
  if (name === 'adam') return new FusedAdamOptimizer(learningRate, 0.9, 0.999);
  // tfjs's Nesterov update is PyTorch's: v ← μv + g, w ← w − lr·(g + μv).
  return tf.train.momentum(learningRate, SGD_MOMENTUM, name === 'nesterov');
}

/** The progress of a run that has not started. */
export function initialProgress(trainCount: number, seed: number): TrainingProgress {
  return {
    completedEpochs: 0,
    stepInEpoch: 0,
    globalStep: 0,
    order: Array.from({ length: trainCount }, (_, i) => i),
    random: new Random(seed).getState(),
    running: { lossSum: 0, correct: 0, seen: 0, seconds: 0 },
    history: [],
  };
}

/**
 * Trains `model` in place from `start` (a fresh or a restored progress) with `optimizer`.
 * Awaits between steps so signals and timers are served during long runs.
 */
export async function trainModel(run: TrainingRun): Promise<TrainingOutcome> {
  const { model, optimizer, train, test, options, start, events = {} } = run;
  const classes = model.outputs[0].shape[1] as number;
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const steps = Math.ceil(train.count / options.batchSize);
  const totalSteps = steps * options.epochs;
  const warmupSteps = Math.round(steps * options.warmupEpochs);
  const order = Int32Array.from(start.order);
  const random = Random.fromState(start.random);
  const history = [...start.history];
  let { completedEpochs, stepInEpoch, globalStep } = start;
  let running = { ...start.running };

  const progress = (): TrainingProgress => ({
    completedEpochs,
    stepInEpoch,
    globalStep,
    order: Array.from(order),
    random: random.getState(),
    running: { ...running },
    history: [...history],
  });

  while (completedEpochs < options.epochs) {
    const epoch = completedEpochs + 1;
    if (stepInEpoch === 0) {
      random.shuffle(order);
      running = { lossSum: 0, correct: 0, seen: 0, seconds: 0 };
    }
    let resumedAt = performance.now();
    for (let step = stepInEpoch + 1; step <= steps; step++) {
      const indices = order.subarray((step - 1) * options.batchSize, step * options.batchSize);
      const batch = fillBatch(train, indices, options.normalization, options.augment ? random : undefined);
      const dropoutSeed = random.nextUint32();
      setLearningRate(
        optimizer,
        learningRateAt(options.schedule, options.learningRate, globalStep, totalSteps, warmupSteps),
      );
      const { loss, hits } = trainStep(model, optimizer, variables, batch, {
        classes,
        dropoutSeed,
        labelSmoothing: options.labelSmoothing,
        weightDecay: options.weightDecay,
      });
      running.lossSum += loss * indices.length;
      running.correct += hits;
      running.seen += indices.length;
      stepInEpoch = step;
      globalStep++;
      const now = performance.now();
      running.seconds += (now - resumedAt) / 1000;
      resumedAt = now;
      events.onStep?.({
        epoch,
        step,
        steps,
        loss: running.lossSum / running.seen,
        accuracy: running.correct / running.seen,
        imagesPerSecond: running.seen / running.seconds,
      });
      if (events.shouldStop?.()) {
        await events.onCheckpoint?.(progress(), 'stop');
        return { history, finished: false };
      }
      if (events.checkpointEvery && globalStep % events.checkpointEvery === 0 && step < steps) {
        await events.onCheckpoint?.(progress(), 'interval');
        resumedAt = performance.now(); // checkpoint time is not training time
      }
      // Yield to the event loop (signals, progress redraws) between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const record = epochRecord(epoch, running, evaluate(model, test, options.normalization));
    history.push(record);
    completedEpochs = epoch;
    stepInEpoch = 0;
    events.onEpoch?.(record);
    await events.onCheckpoint?.(progress(), 'epoch');
    if (completedEpochs < options.epochs && events.shouldStop?.()) return { history, finished: false };
  }
  return { history, finished: true };
}

function epochRecord(
  epoch: number,
  running: TrainingProgress['running'],
  test: { loss: number; accuracy: number },
): EpochRecord {
  return {
    epoch,
    loss: running.lossSum / running.seen,
    accuracy: running.correct / running.seen,
    testLoss: test.loss,
    testAccuracy: test.accuracy,
    imagesPerSecond: running.seen / running.seconds,
    seconds: running.seconds,
  };
}

/** What one step needs besides the model, optimizer and batch. */
export interface StepSettings {
  classes: number;
  dropoutSeed: number;
  labelSmoothing: number;
  weightDecay: number;
}

/**
 * One optimizer step (exported for bench/profile.mjs, which profiles exactly this step);
 * returns the batch's mean cross-entropy and number of correct predictions.
 * Weight decay enters as the penalty wd/2 · Σ w², whose gradient is wd · w; the loss reported is
 * the cross-entropy alone, so it compares across settings.
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  batch: Batch,
  { classes, dropoutSeed, labelSmoothing, weightDecay }: StepSettings,
) {
  const [loss, hits] = tf.tidy(() => {
    const images = tf.tensor4d(batch.images, batch.shape);
    const labels = tf.tensor1d(batch.labels, 'int32');
    const oneHot = tf.oneHot(labels, classes);
    let correctCount: tf.Scalar | undefined;
    let crossEntropy: tf.Scalar | undefined;
    optimizer.minimize(
      () => {
        const logits = computeLogits(model, images, { training: true, dropoutSeed });
        correctCount = tf.keep(countCorrect(logits, labels));
        crossEntropy = tf.keep(tf.losses.softmaxCrossEntropy(oneHot, logits, undefined, labelSmoothing) as tf.Scalar);
        if (weightDecay === 0) return crossEntropy;
        const squaredNorm = tf.addN(variables.map((variable) => tf.sum(tf.square(variable))));
        return tf.add(crossEntropy, tf.mul(squaredNorm, weightDecay / 2)) as tf.Scalar;
      },
      // Returned (and left to the tidy) because without decay the cost *is* the cross-entropy,
      // which minimize would otherwise dispose.
      true,
      variables,
    );
    return [crossEntropy as tf.Scalar, correctCount as tf.Scalar];
  });
  const values = { loss: loss.dataSync()[0], hits: hits.dataSync()[0] };
  tf.dispose([loss, hits]);
  return values;
}

function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32'));
}

/** Mean cross-entropy and accuracy on a whole set, in inference mode. */
export function evaluate(model: tf.LayersModel, set: ImageSet, normalization: Normalization) {
  const classes = model.outputs[0].shape[1] as number;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < set.count; start += EVALUATION_BATCH) {
    const indices = Int32Array.from({ length: Math.min(EVALUATION_BATCH, set.count - start) }, (_, i) => start + i);
    const batch = fillBatch(set, indices, normalization);
    const [loss, hits] = tf.tidy(() => {
      const images = tf.tensor4d(batch.images, batch.shape);
      const labels = tf.tensor1d(batch.labels, 'int32');
      const logits = computeLogits(model, images, { training: false });
      const lossValue = tf.mul(tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits), indices.length);
      return [lossValue, countCorrect(logits, labels)];
    });
    lossSum += loss.dataSync()[0];
    correct += hits.dataSync()[0];
    tf.dispose([loss, hits]);
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count };
}
