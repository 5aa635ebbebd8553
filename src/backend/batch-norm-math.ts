/**
 * Batch normalization in training mode, forward and backward, in closed form over plain arrays.
 *
 * tfjs computes a training step's batch norm as a dozen separate kernels (the moments, the
 * normalization, and the gradient through all of them), each a full pass over the activation.
 * Here the forward pass is two passes (statistics, then the output) and the backward pass two
 * (two per-channel sums, then dx), with the textbook gradient of Ioffe & Szegedy (2015):
 *
 *   x̂ = (x − μ) / √(σ² + ε),  y = γ x̂ + β
 *   ∂β = Σ dy,  ∂γ = Σ dy x̂,  ∂x = γ / √(σ² + ε) · (dy − ∂β / M − x̂ ∂γ / M) + ∂μ / M + 2 ∂σ² (x − μ) / M
 *
 * M is the number of values per channel; ∂μ and ∂σ² are gradients arriving at the batch
 * statistics themselves (zero in training, where they only feed the moving averages).
 * Layout: channels last, so value i belongs to channel i mod C. Sums run in double precision.
 */

export interface BatchNormStatistics {
  /** Per-channel batch mean, [C]. */
  mean: Float32Array;
  /** Per-channel biased batch variance (divided by M, as tfjs and Keras use to normalize), [C]. */
  variance: Float32Array;
}

/** Writes y = γ (x − μ) / √(σ² + ε) + β into `y` and the batch statistics into `statistics`. */
export function batchNormForward(
  x: Float32Array,
  scale: Float32Array,
  offset: Float32Array,
  epsilon: number,
  y: Float32Array,
  statistics: BatchNormStatistics,
): void {
  const channels = scale.length;
  const count = x.length / channels;
  const { sum, sumOfProducts: sumOfSquares } = channelSums(x, x, channels);
  // One pass with E[x²] − E[x]² in doubles: float32 inputs carry 24 bits, so cancellation costs
  // nothing measurable unless |mean| exceeds the standard deviation ~10⁴ times, which
  // activations between normalized layers never do.
  const shift = new Float64Array(channels);
  const multiplier = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const mean = sum[c] / count;
    const variance = Math.max(0, sumOfSquares[c] / count - mean * mean);
    statistics.mean[c] = mean;
    statistics.variance[c] = variance;
    multiplier[c] = scale[c] / Math.sqrt(statistics.variance[c] + epsilon);
    shift[c] = offset[c] - statistics.mean[c] * multiplier[c];
  }
  for (let base = 0; base < x.length; base += channels) {
    for (let c = 0; c < channels; c++) y[base + c] = x[base + c] * multiplier[c] + shift[c];
  }
}

export interface BatchNormGradients {
  dx: Float32Array;
  dScale: Float32Array;
  dOffset: Float32Array;
}

/**
 * The gradients of `batchNormForward` (formula at the top). `dMean` / `dVariance` are the
 * gradients arriving at the statistics outputs, [C].
 */
export function batchNormBackward(
  dy: Float32Array,
  x: Float32Array,
  statistics: BatchNormStatistics,
  scale: Float32Array,
  epsilon: number,
  incoming: { dMean: Float32Array; dVariance: Float32Array },
  out: BatchNormGradients,
): void {
  const channels = scale.length;
  const count = x.length / channels;
  const { sum: sumDy, sumOfProducts: sumDyX } = channelSums(dy, x, channels);
  // dx = a·dy + b·x + k per channel, with the sums folded into a, b and k.
  const a = new Float64Array(channels);
  const b = new Float64Array(channels);
  const k = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const mean = statistics.mean[c];
    const inverseStd = 1 / Math.sqrt(statistics.variance[c] + epsilon);
    const sumDyXHat = (sumDyX[c] - mean * sumDy[c]) * inverseStd;
    out.dOffset[c] = sumDy[c];
    out.dScale[c] = sumDyXHat;
    a[c] = scale[c] * inverseStd;
    // x̂ ∂γ / M = (x − μ) · inverseStd · ∂γ / M, and the variance path adds 2 ∂σ² (x − μ) / M.
    b[c] = (-a[c] * inverseStd * sumDyXHat + 2 * incoming.dVariance[c]) / count;
    k[c] = (-a[c] * sumDy[c]) / count - b[c] * mean + incoming.dMean[c] / count;
  }
  for (let base = 0; base < x.length; base += channels) {
    for (let c = 0; c < channels; c++) out.dx[base + c] = a[c] * dy[base + c] + b[c] * x[base + c] + k[c];
  }
}

/** Per channel, in one pass: Σ a and Σ a·b (the statistics forward, the two sums backward). */
function channelSums(
  a: Float32Array,
  b: Float32Array,
  channels: number,
): { sum: Float64Array; sumOfProducts: Float64Array } {
  const sum = new Float64Array(channels);
  const sumOfProducts = new Float64Array(channels);
  for (let base = 0; base < a.length; base += channels) {
    for (let c = 0; c < channels; c++) {
      const value = a[base + c];
      sum[c] += value;
      sumOfProducts[c] += value * b[base + c];
    }
  }
  return { sum, sumOfProducts };
}
