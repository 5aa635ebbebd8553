/**
 * A float64 reference implementation, in plain JavaScript, of the few layer types the tests use
 * (conv2d 'same' stride 1, max-pool 2×2, flatten, dense, add, ReLU). It shares no code with
 * TensorFlow.js, so gradients computed from it by finite differences are an independent check.
 */
import type * as tf from '@tensorflow/tfjs';

/** A feature map [h, w, c] in float64, row-major. */
export interface Volume {
  h: number;
  w: number;
  c: number;
  data: Float64Array;
}

export function volumeFrom(values: ArrayLike<number>, h: number, w: number, c: number): Volume {
  return { h, w, c, data: Float64Array.from(values) };
}

function weightsOf(layer: tf.layers.Layer): Float64Array[] {
  return layer.getWeights().map((weight) => Float64Array.from(weight.dataSync()));
}

function activation(layer: tf.layers.Layer, value: number): number {
  const name = (layer.getConfig() as { activation?: string }).activation ?? 'linear';
  if (name === 'relu') return Math.max(0, value);
  if (name === 'linear') return value;
  throw new Error(`reference net: activation ${name} not supported`);
}

/** Conv2D with 'same' padding, stride 1, odd square kernel. */
export function conv2dSame(layer: tf.layers.Layer, input: Volume): Volume {
  const [kernel, bias] = weightsOf(layer);
  const config = layer.getConfig() as { kernelSize: number[]; filters: number; padding: string; strides: number[] };
  if (config.padding !== 'same' || config.strides.some((s) => s !== 1))
    throw new Error('reference conv: same/stride 1 only');
  const size = config.kernelSize[0];
  const half = (size - 1) / 2;
  const out = new Float64Array(input.h * input.w * config.filters);
  for (let y = 0; y < input.h; y++)
    for (let x = 0; x < input.w; x++)
      for (let f = 0; f < config.filters; f++) {
        let sum = bias ? bias[f] : 0;
        for (let ky = 0; ky < size; ky++)
          for (let kx = 0; kx < size; kx++) {
            const sy = y + ky - half;
            const sx = x + kx - half;
            if (sy < 0 || sx < 0 || sy >= input.h || sx >= input.w) continue;
            for (let c = 0; c < input.c; c++) {
              sum +=
                input.data[(sy * input.w + sx) * input.c + c] *
                kernel[((ky * size + kx) * input.c + c) * config.filters + f];
            }
          }
        out[(y * input.w + x) * config.filters + f] = activation(layer, sum);
      }
  return { h: input.h, w: input.w, c: config.filters, data: out };
}

/** 2×2 max-pool, stride 2, 'valid' (even sides). */
export function maxPool2(input: Volume): Volume {
  const h = Math.floor(input.h / 2);
  const w = Math.floor(input.w / 2);
  const out = new Float64Array(h * w * input.c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < input.c; c++) {
        let best = -Infinity;
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++)
            best = Math.max(best, input.data[((2 * y + dy) * input.w + 2 * x + dx) * input.c + c]);
        out[(y * w + x) * input.c + c] = best;
      }
  return { h, w, c: input.c, data: out };
}

/** Dense on a flattened volume (flatten is row-major [h, w, c], as in tfjs). */
export function dense(layer: tf.layers.Layer, input: Float64Array): Float64Array {
  const [kernel, bias] = weightsOf(layer);
  const units = bias.length;
  const out = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let sum = bias[u];
    for (let i = 0; i < input.length; i++) sum += input[i] * kernel[i * units + u];
    out[u] = activation(layer, sum);
  }
  return out;
}

export function add(a: Volume, b: Volume): Volume {
  return { ...a, data: a.data.map((value, i) => value + b.data[i]) };
}

/**
 * Central finite differences of `score` with respect to every element of `at` (float64, so a
 * step of 1e-6 is accurate to ~1e-9 away from ReLU/max kinks).
 */
export function finiteDifferenceGradient(score: (v: Volume) => number, at: Volume, step = 1e-6): Float64Array {
  const gradient = new Float64Array(at.data.length);
  for (let i = 0; i < at.data.length; i++) {
    const plus = { ...at, data: at.data.slice() };
    const minus = { ...at, data: at.data.slice() };
    plus.data[i] += step;
    minus.data[i] -= step;
    gradient[i] = (score(plus) - score(minus)) / (2 * step);
  }
  return gradient;
}

/** Grad-CAM from activations and gradients (Selvaraju et al. Eq. 1–2), normalized by the max. */
export function referenceGradcam(activations: Volume, gradient: Float64Array): number[] {
  const { h, w, c } = activations;
  const alpha = new Float64Array(c);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) alpha[k] += gradient[i * c + k] / (h * w);
  const raw = Array.from({ length: h * w }, (_, i) => {
    let sum = 0;
    for (let k = 0; k < c; k++) sum += alpha[k] * activations.data[i * c + k];
    return Math.max(0, sum);
  });
  const max = Math.max(...raw);
  return raw.map((value) => (max > 0 ? value / max : 0));
}
