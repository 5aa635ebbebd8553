/**
 * The first principal component of a small matrix, in float64 plain JavaScript (TensorFlow.js has
 * no SVD or eigen-solver). Used by Eigen-CAM, whose matrices are at most a few hundred on a side.
 */

/**
 * The largest eigenvalue of a real symmetric matrix and a unit eigenvector for it, by the cyclic
 * Jacobi method (Golub & Van Loan, "Matrix Computations", §8.5): rotations that zero one
 * off-diagonal pair at a time, swept until the off-diagonal mass is negligible. Chosen over
 * power iteration because it converges (quadratically) whatever the gap between the two largest
 * eigenvalues, and over QR because it is short and exact enough for n ≤ a few hundred.
 *
 * @param matrix float64 n×n, row-major, symmetric (only read; not modified)
 * @returns value: the largest eigenvalue; vector: float64 [n], unit length, sign as it comes out
 *   of the rotations (callers fix the sign by a rule of their own)
 */
export function largestEigenpair(matrix: Float64Array, n: number): { value: number; vector: Float64Array } {
  if (matrix.length !== n * n)
    throw new RangeError(`largestEigenpair: expected ${n}×${n} = ${n * n} values, got ${matrix.length}`);
  const a = Float64Array.from(matrix);
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
  const total = a.reduce((sum, value) => sum + value * value, 0);
  const MAX_SWEEPS = 100;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let offDiagonal = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) offDiagonal += a[p * n + q] * a[p * n + q];
    // 1e-30 of the squared Frobenius norm: rounding noise of float64 arithmetic, nothing left to rotate.
    if (offDiagonal <= 1e-30 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // tan φ of the rotation that zeroes a_pq: the smaller root of t² + 2θt − 1 = 0.
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotate(a, n, p, q, c, s);
        for (let k = 0; k < n; k++) {
          const vkp = vectors[k * n + p];
          const vkq = vectors[k * n + q];
          vectors[k * n + p] = c * vkp - s * vkq;
          vectors[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (a[i * n + i] > a[best * n + best]) best = i;
  const vector = new Float64Array(n);
  for (let k = 0; k < n; k++) vector[k] = vectors[k * n + best];
  return { value: a[best * n + best], vector };
}

/** a ← Jᵀ·a·J for the rotation J in the (p, q) plane (J_pp = J_qq = c, J_pq = s, J_qp = −s). */
function rotate(a: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p];
    const akq = a[k * n + q];
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k];
    const aqk = a[q * n + k];
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
}

/**
 * Projection of the rows of a matrix onto its first principal component: the columns are
 * centred (PCA), and p = X_c·v₁ where v₁ is the top right singular vector of X_c.
 *
 * Sign: an SVD determines v₁ only up to sign. We choose the sign for which p correlates
 * positively with the row sums of X_c, i.e. Σ_i p_i·Σ_k X_c,ik ≥ 0. Since p·(X_c·1) =
 * σ₁²·(v₁·1), this is the same as requiring the components of v₁ to sum to ≥ 0: the component
 * points towards "more of every column", so for activations the positive side of the map is where
 * the layer is, on the whole, more active.
 *
 * Either v₁ (from X_cᵀX_c, k×k) or p directly (from X_c·X_cᵀ = U·Σ²·Uᵀ, n×n, p = σ₁·u₁) is
 * computed, whichever matrix is smaller.
 *
 * @param matrix float32/float64 n×k, row-major (for Eigen-CAM: the h·w positions × k channels)
 * @returns float64 [n], the projections (signed; a zero vector when the centred matrix is zero)
 */
export function firstPrincipalProjection(matrix: ArrayLike<number>, n: number, k: number): Float64Array {
  if (matrix.length !== n * k)
    throw new RangeError(`firstPrincipalProjection: expected ${n}×${k} values, got ${matrix.length}`);
  const centred = new Float64Array(n * k);
  for (let j = 0; j < k; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += matrix[i * k + j];
    mean /= n;
    for (let i = 0; i < n; i++) centred[i * k + j] = matrix[i * k + j] - mean;
  }
  const projection = new Float64Array(n);
  if (k <= n) {
    const covariance = new Float64Array(k * k); // X_cᵀ·X_c
    for (let i = 0; i < n; i++)
      for (let a = 0; a < k; a++) {
        const xa = centred[i * k + a];
        if (xa === 0) continue;
        for (let b = 0; b < k; b++) covariance[a * k + b] += xa * centred[i * k + b];
      }
    const { vector } = largestEigenpair(covariance, k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) projection[i] += centred[i * k + j] * vector[j];
  } else {
    const gram = new Float64Array(n * n); // X_c·X_cᵀ
    for (let i = 0; i < n; i++)
      for (let l = i; l < n; l++) {
        let dot = 0;
        for (let j = 0; j < k; j++) dot += centred[i * k + j] * centred[l * k + j];
        gram[i * n + l] = dot;
        gram[l * n + i] = dot;
      }
    const { value, vector } = largestEigenpair(gram, n);
    const singularValue = Math.sqrt(Math.max(value, 0));
    for (let i = 0; i < n; i++) projection[i] = singularValue * vector[i];
  }
  let agreement = 0;
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let j = 0; j < k; j++) rowSum += centred[i * k + j];
    agreement += projection[i] * rowSum;
  }
  if (agreement < 0) for (let i = 0; i < n; i++) projection[i] = -projection[i];
  return projection;
}
