/**
 * What the training report shows about a finished model, computed from the model and the uint8
 * split it was tested on: predictions for the confusion matrix and per-class scores, and Grad-CAM
 * maps of the first few images of each class, drawn as `render` draws them. The maps come from
 * the cam machinery (explainBatch with the gradcam method) and the pictures from the render code
 * (via the eval report's example rows): nothing here recomputes either.
 */
import * as tf from '../tf.js';
import { basename, dirname } from 'node:path';
import { explainBatch } from '../cam/explain.js';
import { argMax } from '../cam/targets.js';
import { CAM_METHODS } from '../cam/methods/index.js';
import { type CutModel, cutModelAt } from '../surgery/layers-cut.js';
import { fillBatch } from '../datasets/batches.js';
import type { ImageSet } from '../datasets/image-set.js';
import type { ModelMetadata } from '../models/metadata.js';
import { classifierOf } from '../eval/classifier.js';
import { classScores, confusionMatrix, overallAccuracy } from '../eval/confusion.js';
import type { ExampleImage } from '../eval/evaluate.js';
import { renderExampleRows } from './eval-report-examples.js';
import type { TrainingExample, TrainingReport } from './training-report-html.js';

export const REPORT_FILE = 'report.html';

export interface TrainingReportInput {
  model: tf.LayersModel;
  /** gradcam.json of the model: class names, input shape, normalization, target layer, history. */
  metadata: ModelMetadata;
  /** The model directory, for the title. */
  modelName: string;
  /** The split the per-epoch test figures were measured on, uint8 as the datasets hold it. */
  test: ImageSet;
  evaluatedSplit: 'test' | 'validation';
  /** The file of each test image (folder datasets), shown in example captions. */
  testFiles?: readonly string[];
}

/** Images per forward pass (predictions) and per Grad-CAM batch. */
const PREDICTION_BATCH = 256;
const EXPLAIN_BATCH = 32;
/** About this many example images in all, 1 to 3 per class. */
const EXAMPLE_BUDGET = 24;

/** Examples per class: 3 for up to 8 classes, 2 for up to 12 (CIFAR-10, MNIST), 1 beyond. */
export function examplesPerClass(classCount: number): number {
  return Math.min(3, Math.max(1, Math.floor(EXAMPLE_BUDGET / classCount)));
}

/**
 * The first `perClass` indices of each label, in label order, then index order.
 * @param labels class index per image.
 */
export function firstIndicesPerClass(labels: ArrayLike<number>, classCount: number, perClass: number): number[] {
  const picked: number[][] = Array.from({ length: classCount }, () => []);
  for (let index = 0; index < labels.length; index++) {
    const chosen = picked[labels[index]];
    if (chosen && chosen.length < perClass) chosen.push(index);
  }
  return picked.flat();
}

/** Runs the model over `input.test` and explains a few images per class. Leaves no tensors behind. */
export function buildTrainingReport(input: TrainingReportInput): TrainingReport {
  const cut = cutModelAt(input.model, input.metadata.targetLayer);
  try {
    return reportThrough(cut, input);
  } finally {
    cut.dispose();
  }
}

function reportThrough(cut: CutModel, input: TrainingReportInput): TrainingReport {
  const { metadata, test } = input;
  const classCount = metadata.classNames.length;
  const predicted = predictClasses(cut, test, metadata);
  const confusion = confusionMatrix(test.labels.subarray(0, test.count), predicted, classCount);

  const indices = firstIndicesPerClass(test.labels.subarray(0, test.count), classCount, examplesPerClass(classCount));
  const explained: ExampleImage[] = [];
  for (let start = 0; start < indices.length; start += EXPLAIN_BATCH) {
    const chunk = indices.slice(start, start + EXPLAIN_BATCH);
    const batch = fillBatch(test, chunk, metadata.normalization);
    const images = tf.tensor4d(batch.images, batch.shape);
    try {
      for (const explanation of explainBatch(
        cut,
        images,
        { kind: 'top' },
        { method: CAM_METHODS.gradcam, counterfactual: false },
      )) {
        const datasetIndex = chunk[explanation.image];
        explained.push({
          datasetIndex,
          label: test.labels[datasetIndex],
          predicted: explanation.predicted.index,
          probability: explanation.predicted.probability,
          maps: new Map([
            ['gradcam', { map: explanation.map, shape: [cut.activationShape[0], cut.activationShape[1]] }],
          ]),
        });
      }
    } finally {
      images.dispose();
    }
  }
  const rows = renderExampleRows(explained, test, ['gradcam'], {
    labels: metadata.classNames,
    classes: metadata.classNames,
  });
  const examples: TrainingExample[] = explained.map((example, position) => {
    const file = input.testFiles?.[example.datasetIndex];
    return {
      index: example.datasetIndex,
      ...(file ? { file: `${basename(dirname(file))}/${basename(file)}` } : {}),
      label: example.label,
      predicted: example.predicted,
      probability: example.probability,
      tiles: rows[position].tiles,
    };
  });
  return {
    model: input.modelName,
    metadata,
    evaluatedSplit: input.evaluatedSplit,
    confusion,
    scores: classScores(confusion),
    accuracy: overallAccuracy(confusion),
    examples,
  };
}

/** The predicted class (argmax of the logits) of every image of `set`, in inference mode. */
function predictClasses(cut: CutModel, set: ImageSet, metadata: ModelMetadata): Int32Array {
  const classifier = classifierOf(cut, metadata.inputShape, PREDICTION_BATCH);
  const predicted = new Int32Array(set.count);
  for (let start = 0; start < set.count; start += PREDICTION_BATCH) {
    const indices = Int32Array.from({ length: Math.min(PREDICTION_BATCH, set.count - start) }, (_, i) => start + i);
    const batch = fillBatch(set, indices, metadata.normalization);
    const probabilities = classifier.probabilities(batch.images, indices.length);
    for (let i = 0; i < indices.length; i++)
      predicted[start + i] = argMax(probabilities.subarray(i * cut.classes, (i + 1) * cut.classes));
  }
  return predicted;
}
