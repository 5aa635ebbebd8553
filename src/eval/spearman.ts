/**
 * Spearman's rank correlation, the similarity Adebayo et al. 2018 ("Sanity Checks for Saliency
 * Maps", arXiv:1810.03292, §4) report between a map of the trained model and a map of the model
 * with randomized weights.
 */

/**
 * Ranks 1…n in increasing order of value; tied values share the mean of the ranks they span
 * (`scipy.stats.rankdata(method='average')`). Ties matter here: a ReLU-ed CAM map is often zero
 * over half its cells.
 *
 * @param values n finite numbers
 * @returns Float64Array of n ranks in [1, n] (halves where ties span an even count)
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    // Positions start…end−1 hold equal values: ranks start+1 … end, mean (start + 1 + end) / 2.
    const shared = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = shared;
    start = end;
  }
  return ranks;
}

/**
 * Spearman's ρ: the Pearson correlation of the average ranks (`scipy.stats.spearmanr`). With
 * ties the shortcut 1 − 6Σd²/(n(n²−1)) is wrong, so it is not used.
 *
 * @param a, b equally long arrays of n ≥ 2 finite numbers (e.g. two maps [h × w], any range)
 * @returns ρ in [−1, 1], or NaN when either input is constant (its ranks have no spread)
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`spearman: lengths differ (${a.length} and ${b.length})`);
  if (a.length < 2) throw new RangeError(`spearman: needs at least 2 values, got ${a.length}`);
  return pearson(averageRanks(a), averageRanks(b));
}

function pearson(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i];
    meanY += y[i];
  }
  meanX /= n;
  meanY /= n;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - meanX;
    const dy = y[i] - meanY;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }
  if (varianceX === 0 || varianceY === 0) return Number.NaN;
  // Clamp float noise so a perfect agreement never reads 1.0000000000000002.
  return Math.max(-1, Math.min(1, covariance / Math.sqrt(varianceX * varianceY)));
}
