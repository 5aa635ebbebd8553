/**
 * Areas under the deletion / insertion curves of Petsiuk et al. 2018 ("RISE: Randomized Input
 * Sampling for Explanation of Black-box Models", arXiv:1806.07421, §4.1).
 */

/**
 * The area under a curve sampled at n ≥ 2 equally spaced points of [0, 1] (point k at
 * x = k / (n − 1), the fraction of pixels changed), by the trapezoid rule:
 * Σ_k (v_k + v_{k+1}) / 2 · 1/(n − 1). This is RISE's `auc(arr) = (arr.sum() − arr[0]/2 −
 * arr[−1]/2) / (arr.shape[0] − 1)`.
 *
 * @param values n ≥ 2 curve values (here: class probabilities in [0, 1], so the area is in [0, 1])
 * @returns the area, in the units of `values` (x spans length 1)
 * @throws RangeError for fewer than 2 points
 */
export function trapezoidAuc(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) throw new RangeError(`trapezoidAuc: a curve needs at least 2 points, got ${n}`);
  let sum = 0;
  for (let k = 0; k < n; k++) sum += values[k];
  return (sum - values[0] / 2 - values[n - 1] / 2) / (n - 1);
}

/**
 * Running mean of curves of equal length, so a whole evaluation never keeps every image's curve.
 */
export class CurveMean {
  private readonly sum: Float64Array;
  private count = 0;

  /** `points`: the length of every curve that will be added. */
  constructor(points: number) {
    this.sum = new Float64Array(points);
  }

  /** curve: `points` values (any range). */
  add(curve: ArrayLike<number>): void {
    if (curve.length !== this.sum.length) {
      throw new RangeError(`CurveMean: curve has ${curve.length} points, expected ${this.sum.length}`);
    }
    for (let k = 0; k < curve.length; k++) this.sum[k] += curve[k];
    this.count++;
  }

  /** The pointwise mean as plain numbers (for JSON); all zeros before anything was added. */
  mean(): number[] {
    return Array.from(this.sum, (value) => (this.count > 0 ? value / this.count : 0));
  }

  get size(): number {
    return this.count;
  }
}
