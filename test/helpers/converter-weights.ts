/**
 * Writes a layers model the way `tensorflowjs_converter` does (tfjs-converter 4.x,
 * python/tensorflowjs/write_weights.py and quantization.py), so tests can load published-style
 * models without Python: model.json with `format: 'layers-model'` and one weights group whose
 * bytes are split into shards `group1-shardKofN` of at most `shardBytes` (the converter's
 * default is 4 MiB), weights quantized on request:
 *
 *   uint8 / uint16: per weight, min and max of the values; if they are equal, every code is 0
 *     with scale 1; else the range is widened to contain 0 and nudged so that 0 is a code
 *     (nudged_min = −round(−min / scale) · scale, scale = (max − min) / 255 or 65535), and
 *     code = round((clip(v, nudged_min, nudged_max) − nudged_min) / scale), rounding half to even
 *     as numpy does (in float64, as numpy 2 computes it). Stored {dtype: 'uint8' | 'uint16',
 *     scale, min: nudged_min}.
 *   float16: IEEE half precision, round to nearest even. Stored {dtype: 'float16'}.
 *
 * Returns, per weight, the float32 values a correct reader must decode (the dequantized ones).
 */
import * as tf from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type Quantization = 'none' | 'uint8' | 'uint16' | 'float16';

export interface ConverterOptions {
  quantization: Quantization;
  /** Largest shard file in bytes (4 MiB, as the converter, unless a test wants several shards). */
  shardBytes?: number;
}

export async function writeConvertedModel(
  directory: string,
  model: tf.LayersModel,
  options: ConverterOptions,
): Promise<Map<string, Float32Array>> {
  let topology: unknown;
  let specs: tf.io.WeightsManifestEntry[] = [];
  let data = new ArrayBuffer(0);
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      topology = artifacts.modelTopology;
      specs = artifacts.weightSpecs ?? [];
      data = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const decoded = new Map<string, Float32Array>();
  const entries: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.slice(offset, offset + 4 * count));
    offset += 4 * count;
    const { bytes, quantization, dequantized } = quantize(values, options.quantization);
    entries.push(quantization ? { ...spec, quantization } : spec);
    chunks.push(bytes);
    decoded.set(spec.name, dequantized);
  }
  const all = Buffer.concat(chunks);
  const shardBytes = options.shardBytes ?? 4 * 1024 * 1024;
  const shardCount = Math.max(1, Math.ceil(all.length / shardBytes));
  const paths = Array.from({ length: shardCount }, (_, k) => `group1-shard${k + 1}of${shardCount}`);
  for (const [k, path] of paths.entries())
    await writeFile(join(directory, path), all.subarray(k * shardBytes, (k + 1) * shardBytes));
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: topology,
    weightsManifest: [{ paths, weights: entries }],
  };
  await writeFile(join(directory, 'model.json'), JSON.stringify(modelJson));
  return decoded;
}

interface Quantized {
  bytes: Uint8Array;
  quantization?: tf.io.WeightsManifestEntry['quantization'];
  dequantized: Float32Array;
}

export function quantize(values: Float32Array, kind: Quantization): Quantized {
  if (kind === 'none') return { bytes: new Uint8Array(values.slice().buffer), dequantized: values.slice() };
  if (kind === 'float16') {
    const halves = Uint16Array.from(values, float16Bits);
    return {
      bytes: new Uint8Array(halves.buffer),
      quantization: { dtype: 'float16' },
      dequantized: Float32Array.from(halves, float16Value),
    };
  }
  const largestCode = kind === 'uint8' ? 255 : 65535;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  let scale = 1;
  const codes = kind === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  if (min !== max) {
    scale = (max - min) / largestCode;
    if (min <= 0 && 0 <= max) {
      min = -roundHalfEven(-min / scale) * scale;
      max = largestCode * scale + min;
    }
    for (let i = 0; i < values.length; i++)
      codes[i] = roundHalfEven((Math.min(Math.max(values[i], min), max) - min) / scale);
  }
  // What TensorFlow.js computes when it decodes: code × scale + min, stored as float32.
  const dequantized = new Float32Array(values.length);
  for (let i = 0; i < codes.length; i++) dequantized[i] = codes[i] * scale + min;
  return { bytes: new Uint8Array(codes.buffer), quantization: { dtype: kind, scale, min }, dequantized };
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** float32 → IEEE half bits, round to nearest, ties to even (as numpy's astype(float16)). */
export function float16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const unbiased = exponent - 127;
  if (unbiased > 15) return sign | 0x7c00;
  if (unbiased >= -14) {
    // Normal half: keep 10 mantissa bits, round the 13 dropped ones to nearest even.
    let half = ((unbiased + 15) << 10) | (mantissa >>> 13);
    const dropped = mantissa & 0x1fff;
    if (dropped > 0x1000 || (dropped === 0x1000 && (half & 1) === 1)) half += 1; // may carry into the exponent: correct
    return sign | half;
  }
  if (unbiased < -25) return sign;
  // Subnormal half: value = m × 2^-24 with m = round(|value| × 2^24).
  const m = roundHalfEven(Math.abs(f32[0]) * 2 ** 24);
  return sign | m;
}

export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
