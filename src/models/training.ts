/**
 * The training loop: mini-batch SGD-momentum or Adam on softmax cross-entropy of the logits,
 * with a test-set evaluation after every epoch. Everything random (data order, augmentation,
 * dropout) comes from one seeded generator, so a run is reproducible on the same backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/image-set.js';
import { fillBatch, type Normalization } from '../data/batches.js';
import { Random } from '../random.js';
import { computeLogits } from './forward.js';
import type { EpochRecord } from './metadata.js';

export type OptimizerName = 'sgd' | 'adam';

export interface TrainingOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** Random crop (pad 4) and horizontal flip; only sensible for natural images. */
  augment: boolean;
  normalization: Normalization;
  seed: number;
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

export interface TrainingEvents {
  onStep?(progress: StepProgress): void;
  onEpoch?(record: EpochRecord): void;
}

const SGD_MOMENTUM = 0.9;
const EVALUATION_BATCH = 256;

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  return name === 'adam' ? tf.train.adam(learningRate) : tf.train.momentum(learningRate, SGD_MOMENTUM);
}

/**
 * Trains `model` in place for `options.epochs` epochs and returns the per-epoch history.
 * Awaits between steps so signals and timers are served during long runs.
 */
export async function trainModel(
  model: tf.LayersModel,
  train: ImageSet,
  test: ImageSet,
  options: TrainingOptions,
  events: TrainingEvents = {},
): Promise<EpochRecord[]> {
  const random = new Random(options.seed);
  const optimizer = createOptimizer(options.optimizer, options.learningRate);
  const classes = model.outputs[0].shape[1] as number;
  const history: EpochRecord[] = [];
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const steps = Math.ceil(train.count / options.batchSize);

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    random.shuffle(order);
    const started = performance.now();
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let step = 1; step <= steps; step++) {
      const indices = order.subarray((step - 1) * options.batchSize, step * options.batchSize);
      const batch = fillBatch(train, indices, options.normalization, options.augment ? random : undefined);
      const dropoutSeed = random.nextUint32();
      const { loss, hits } = trainStep(model, optimizer, batch, classes, dropoutSeed);
      lossSum += loss * indices.length;
      correct += hits;
      seen += indices.length;
      const seconds = (performance.now() - started) / 1000;
      events.onStep?.({
        epoch,
        step,
        steps,
        loss: lossSum / seen,
        accuracy: correct / seen,
        imagesPerSecond: seen / seconds,
      });
      // Yield to the event loop (signals, progress redraws) between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = (performance.now() - started) / 1000;
    const evaluation = evaluate(model, test, options.normalization);
    const record: EpochRecord = {
      epoch,
      loss: lossSum / seen,
      accuracy: correct / seen,
      testLoss: evaluation.loss,
      testAccuracy: evaluation.accuracy,
      imagesPerSecond: seen / seconds,
      seconds,
    };
    history.push(record);
    events.onEpoch?.(record);
  }
  optimizer.dispose();
  return history;
}

interface Batch {
  images: Float32Array;
  labels: Int32Array;
  shape: [number, number, number, number];
}

/** One optimizer step; returns the batch's mean loss and number of correct predictions. */
function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, batch: Batch, classes: number, dropoutSeed: number) {
  const [loss, hits] = tf.tidy(() => {
    const images = tf.tensor4d(batch.images, batch.shape);
    const labels = tf.tensor1d(batch.labels, 'int32');
    const oneHot = tf.oneHot(labels, classes);
    let correctCount: tf.Scalar | undefined;
    const cost = optimizer.minimize(() => {
      const logits = computeLogits(model, images, { training: true, dropoutSeed });
      correctCount = tf.keep(countCorrect(logits, labels));
      return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
    }, true) as tf.Scalar;
    return [cost, correctCount as tf.Scalar];
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
