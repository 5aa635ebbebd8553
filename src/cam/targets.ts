/**
 * "What to explain", apart from "how" (the method): which class score y^c each map is about.
 */
export type TargetSpec =
  /** The predicted class of each image. */
  | { kind: 'top' }
  /** One fixed class for every image. */
  | { kind: 'class'; index: number }
  /** The K highest-scoring classes of each image: K maps per image. */
  | { kind: 'top-k'; k: number };

/**
 * Resolves the spec to class indices. logits: float32 [batch × classes], row-major.
 * Returns rounds × batch: round r holds, for every image, the class of its r-th map.
 */
export function resolveTargets(logits: Float32Array, batch: number, classes: number, spec: TargetSpec): number[][] {
  if (spec.kind === 'class') return [Array.from({ length: batch }, () => spec.index)];
  const k = spec.kind === 'top' ? 1 : Math.min(spec.k, classes);
  const ranked = Array.from({ length: batch }, (_, image) =>
    rankClasses(logits.subarray(image * classes, (image + 1) * classes)),
  );
  return Array.from({ length: k }, (_, round) => ranked.map((order) => order[round]));
}

/** The index of the largest value; ties keep the lower index. */
export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Class indices by decreasing score; ties keep the lower index first (stable, like argmax). */
export function rankClasses(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}
