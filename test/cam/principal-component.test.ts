/**
 * The Jacobi eigen-solver and the first-principal-component projection behind Eigen-CAM, against
 * known eigenpairs and against numpy's SVD (values below printed by numpy 2.4.6:
 *   Xc = X - X.mean(axis=0); U, S, VT = np.linalg.svd(Xc); p = Xc @ VT[0];
 *   p = -p if p @ Xc.sum(axis=1) < 0 else p).
 */
import { describe, expect, it } from 'vitest';
import { firstPrincipalProjection, largestEigenpair } from '../../src/cam/principal-component.js';
import { Random } from '../../src/random.js';
import { expectClose } from '../helpers/compare.js';

const TALL = [
  [0.5, 1.0, 0.0, 2.0],
  [1.5, 0.0, 0.25, 1.0],
  [3.0, 2.0, 1.0, 0.0],
  [0.0, 0.5, 2.0, 1.5],
  [2.5, 1.0, 0.75, 0.5],
  [1.0, 3.0, 0.0, 0.25],
];
const TALL_PROJECTION = [
  -1.2214182011040968, -0.6070825615067365, 1.8560283500354169, -1.8435923501661846, 0.7767648422809367,
  1.0392999204606639,
];
const WIDE = [
  [0.0, 1.0, 2.0, 0.5, 3.0, 1.0, 0.25, 2.0],
  [1.0, 0.0, 0.5, 2.5, 1.0, 0.0, 1.5, 0.5],
  [2.0, 3.0, 1.0, 0.0, 0.5, 2.0, 1.0, 1.0],
];
const WIDE_PROJECTION = [-0.3067654668675883, -2.139790369719136, 2.4465558365867244];

describe('largestEigenpair (cyclic Jacobi)', () => {
  it('finds the largest eigenpair of small matrices with known answers', () => {
    const pair = largestEigenpair(Float64Array.from([2, 1, 1, 2]), 2); // eigenvalues 3 and 1
    expect(pair.value).toBeCloseTo(3, 12);
    expect(Math.abs(pair.vector[0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(pair.vector[0] * pair.vector[1]).toBeGreaterThan(0); // (1, 1)/√2 up to sign
    const diagonal = largestEigenpair(Float64Array.from([1, 0, 0, 0, 5, 0, 0, 0, 3]), 3);
    expect(diagonal.value).toBe(5);
    expect(Array.from(diagonal.vector).map(Math.abs)).toEqual([0, 1, 0]);
  });

  it('agrees with numpy.linalg.eigvalsh on a 4×4 covariance, and A·v = λ·v', () => {
    const centred = centre(TALL);
    const covariance = new Float64Array(16);
    for (const row of centred)
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) covariance[a * 4 + b] += row[a] * row[b];
    const { value, vector } = largestEigenpair(covariance, 4);
    expect(value).toBeCloseTo(10.387593593073694, 11);
    for (let a = 0; a < 4; a++) {
      let product = 0;
      for (let b = 0; b < 4; b++) product += covariance[a * 4 + b] * vector[b];
      expect(product).toBeCloseTo(value * vector[a], 11);
    }
    expect(Math.hypot(...vector)).toBeCloseTo(1, 14);
  });
});

describe('firstPrincipalProjection', () => {
  it('matches numpy SVD, more rows than columns (covariance path)', () => {
    expectClose(firstPrincipalProjection(TALL.flat(), 6, 4), TALL_PROJECTION, 1e-10);
  });

  it('matches numpy SVD, more columns than rows (Gram-matrix path)', () => {
    expectClose(firstPrincipalProjection(WIDE.flat(), 3, 8), WIDE_PROJECTION, 1e-10);
  });

  it('fixes the sign by the summed activation: negating the matrix negates the projection', () => {
    const negated = TALL.flat().map((value) => -value);
    expectClose(
      firstPrincipalProjection(negated, 6, 4),
      TALL_PROJECTION.map((value) => -value),
      1e-10,
    );
  });

  it('always points towards the summed activation, whatever sign the eigen-solver produced', () => {
    // The solver's own sign is arbitrary: without the fix, some of these come out negative.
    const random = new Random(42);
    for (let trial = 0; trial < 40; trial++) {
      const [n, k] = [2 + random.nextInt(11), 2 + random.nextInt(11)];
      const rows = Array.from({ length: n }, () => Array.from({ length: k }, () => 3 * random.nextFloat()));
      const projection = firstPrincipalProjection(rows.flat(), n, k);
      const rowSums = centre(rows).map((row) => row.reduce((sum, value) => sum + value, 0));
      const agreement = rowSums.reduce((sum, value, i) => sum + value * projection[i], 0);
      expect(agreement, `trial ${trial}: ${n}×${k}`).toBeGreaterThanOrEqual(0);
      expect(Math.max(...projection.map(Math.abs))).toBeGreaterThan(0);
    }
  });

  it('is zero for a matrix with constant columns (nothing varies)', () => {
    const constant = Array.from({ length: 12 }, (_, i) => [3, -1, 2][i % 3]);
    expect(Array.from(firstPrincipalProjection(constant, 4, 3))).toEqual([0, 0, 0, 0]);
  });
});

function centre(rows: number[][]): number[][] {
  const means = rows[0].map((_, column) => rows.reduce((sum, row) => sum + row[column], 0) / rows.length);
  return rows.map((row) => row.map((value, column) => value - means[column]));
}
