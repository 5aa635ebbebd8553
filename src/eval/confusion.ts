/**
 * Confusion matrix and per-class scores of a classifier on a labelled split. Pure arithmetic.
 */

/** counts[t][p]: images of true class t predicted as class p. */
export type ConfusionMatrix = number[][];

export interface ClassScore {
  /** Test images of this class (row sum). */
  images: number;
  /** Of those, predicted as this class (the diagonal). */
  correct: number;
  /** correct / images (recall); null when the class has no test images. */
  accuracy: number | null;
  /** Of the images predicted as this class, the fraction that are (column); null when none was. */
  precision: number | null;
  /** The class its images are most often mistaken for, with how many; null when never wrong. */
  confusedWith: { index: number; count: number } | null;
}

/**
 * @param labels    true class of each image, 0 … classCount − 1.
 * @param predicted predicted class of each image, same length.
 * @throws RangeError when the lengths differ or a class index is out of range.
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classCount: number,
): ConfusionMatrix {
  if (labels.length !== predicted.length)
    throw new RangeError(`confusionMatrix: ${labels.length} labels but ${predicted.length} predictions`);
  const counts = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const [truth, guess] = [labels[i], predicted[i]];
    if (!(truth >= 0 && truth < classCount && guess >= 0 && guess < classCount)) {
      throw new RangeError(
        `confusionMatrix: image ${i} has label ${truth}, prediction ${guess}; expected 0 to ${classCount - 1}`,
      );
    }
    counts[truth][guess]++;
  }
  return counts;
}

/** Per class (row): recall, precision and the most frequent wrong prediction (the lower index on ties). */
export function classScores(matrix: ConfusionMatrix): ClassScore[] {
  return matrix.map((row, truth) => {
    const images = row.reduce((sum, n) => sum + n, 0);
    const correct = row[truth];
    const predictedAs = matrix.reduce((sum, other) => sum + other[truth], 0);
    let confusedWith: ClassScore['confusedWith'] = null;
    row.forEach((count, index) => {
      if (index !== truth && count > 0 && count > (confusedWith?.count ?? 0)) confusedWith = { index, count };
    });
    return {
      images,
      correct,
      accuracy: images > 0 ? correct / images : null,
      precision: predictedAs > 0 ? correct / predictedAs : null,
      confusedWith,
    };
  });
}

/** Fraction of all images on the diagonal (0 for an empty matrix). */
export function overallAccuracy(matrix: ConfusionMatrix): number {
  const total = matrix.flat().reduce((sum, n) => sum + n, 0);
  return total === 0 ? 0 : matrix.reduce((sum, row, t) => sum + row[t], 0) / total;
}
