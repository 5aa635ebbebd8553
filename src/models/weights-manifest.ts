/**
 * Checks a layers model's `weightsManifest` and weight bytes before TensorFlow.js decodes them.
 * Decoding (dequantizing uint8/uint16, widening float16) is TensorFlow.js's own (`tf.io.decodeWeights`,
 * which `tf.loadLayersModel` calls); this module only makes sure a bad manifest or a bad weight
 * file is an InputError naming the file, instead of a wrong-length typed array or NaN deep inside.
 *
 * What `tensorflowjs_converter` writes: groups of shard files (`paths`), each with `weights`
 * entries `{name, shape, dtype}` stored one after the other across the group's shards; dtype
 * float32, int32 or bool as plain little-endian values, or with
 * `quantization: {dtype: 'uint8' | 'uint16', scale, min}` (value = code × scale + min; float32 or
 * int32) or `quantization: {dtype: 'float16'}` (IEEE half precision; float32 only).
 */
import type * as tf from '../tf.js';
import { InputError } from '../errors.js';

/** One weight may hold at most 2^28 values (1 GiB of float32), the whole model 2 GiB of bytes. */
export const MAX_WEIGHT_VALUES = 2 ** 28;
export const MAX_WEIGHT_BYTES = 2 ** 31;

export interface WeightsGroup {
  /** Shard file names, in order; their bytes concatenated hold the group's weights. */
  paths: string[];
  weights: tf.WeightsManifestEntry[];
  /** Bytes the weights take in the shard files. */
  byteLength: number;
}

const STORED_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };
const QUANTIZED_DTYPES: Record<string, string[]> = {
  uint8: ['float32', 'int32'],
  uint16: ['float32', 'int32'],
  float16: ['float32'],
};

/**
 * Parses `weightsManifest` (the parsed JSON value) into checked groups. Shard paths are only
 * checked to be strings here; where they may point is the reader's business.
 */
export function parseWeightsManifest(manifest: unknown, modelPath: string): WeightsGroup[] {
  if (!Array.isArray(manifest)) throw new InputError(`${modelPath}: no "weightsManifest"`);
  let totalBytes = 0;
  return manifest.map((group: { paths?: unknown; weights?: unknown } | null) => {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
      throw new InputError(`${modelPath}: each weightsManifest entry needs "paths" and "weights"`);
    }
    const weights = group.weights.map((spec) => checkWeightSpec(spec, modelPath));
    const byteLength = weights.reduce((sum, spec) => sum + storedByteLength(spec), 0);
    totalBytes += byteLength;
    if (totalBytes > MAX_WEIGHT_BYTES) {
      throw new InputError(`${modelPath}: the weights take more than ${MAX_WEIGHT_BYTES / 2 ** 30} GiB; refused`);
    }
    return { paths: group.paths as string[], weights, byteLength };
  });
}

/** Bytes one weight takes in a shard file. */
export function storedByteLength(spec: tf.WeightsManifestEntry): number {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  return STORED_BYTES[stored] * valueCount(spec);
}

function checkWeightSpec(spec: unknown, modelPath: string): tf.WeightsManifestEntry {
  const candidate = spec as Partial<tf.WeightsManifestEntry> | null;
  const valid =
    typeof candidate?.name === 'string' &&
    Array.isArray(candidate.shape) &&
    candidate.shape.every((d) => Number.isInteger(d) && d >= 0) &&
    candidate.shape.reduce((a, b) => a * b, 1) <= MAX_WEIGHT_VALUES;
  if (!valid) throw new InputError(`${modelPath}: malformed weight entry ${JSON.stringify(spec)?.slice(0, 80)}`);
  const name = candidate.name as string;
  const dtype = candidate.dtype ?? 'float32';
  const quantization = candidate.quantization as { dtype?: unknown; scale?: unknown; min?: unknown } | undefined;
  if (quantization === undefined) {
    if (!['float32', 'int32', 'bool'].includes(dtype)) {
      throw new InputError(
        `${modelPath}: weight "${name}" has dtype ${JSON.stringify(dtype)}; expected float32, int32 or bool`,
      );
    }
    return { name, shape: candidate.shape as number[], dtype };
  }
  const stored = String(quantization?.dtype);
  if (!QUANTIZED_DTYPES[stored]?.includes(dtype)) {
    throw new InputError(
      `${modelPath}: weight "${name}": ${dtype} quantized as ${JSON.stringify(quantization?.dtype)} is not a format TensorFlow.js reads ` +
        '(uint8 or uint16 for float32/int32, float16 for float32)',
    );
  }
  if (stored === 'float16')
    return { name, shape: candidate.shape as number[], dtype, quantization: { dtype: 'float16' } };
  const { scale, min } = quantization;
  const largestCode = stored === 'uint8' ? 255 : 65535;
  // Every dequantized value lies between min and min + largestCode × scale: both finite, all finite.
  if (
    typeof scale !== 'number' ||
    typeof min !== 'number' ||
    !Number.isFinite(min + largestCode * scale) ||
    !Number.isFinite(min)
  ) {
    throw new InputError(
      `${modelPath}: weight "${name}": ${stored} quantization needs finite numbers "scale" and "min"`,
    );
  }
  return {
    name,
    shape: candidate.shape as number[],
    dtype,
    quantization: { dtype: stored as 'uint8' | 'uint16', scale, min },
  };
}

/**
 * Refuses NaN and ±Infinity among the stored values of `weights`, which `bytes` holds in manifest
 * order. Quantized uint8/uint16 values are finite once their scale and min are (checked above).
 * `file` names the file (or group of shards) in the error.
 */
export function checkWeightsFinite(bytes: Uint8Array, weights: tf.WeightsManifestEntry[], file: string): void {
  let offset = 0;
  for (const spec of weights) {
    const byteLength = storedByteLength(spec);
    const stored = spec.quantization?.dtype ?? spec.dtype;
    const slice = bytes.subarray(offset, offset + byteLength);
    if ((stored === 'float32' && !float32Finite(slice)) || (stored === 'float16' && !float16Finite(slice))) {
      throw new InputError(`${file}: weight "${spec.name}" contains NaN or Infinity`);
    }
    offset += byteLength;
  }
}

function float32Finite(bytes: Uint8Array): boolean {
  // Float32Array views need 4-byte alignment; after uint8 weights an offset may not have it.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const values = new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
  for (let i = 0; i < values.length; i++) {
    // v − v is 0 for every finite v and NaN for NaN and ±Infinity (3× faster than isFinite here).
    if (values[i] - values[i] !== 0) return false;
  }
  return true;
}

function float16Finite(bytes: Uint8Array): boolean {
  // IEEE half precision: exponent bits all ones (0x7c00) means Infinity or NaN. Little-endian.
  for (let i = 1; i < bytes.length; i += 2) {
    if ((bytes[i] & 0x7c) === 0x7c) return false;
  }
  return true;
}

function valueCount(spec: tf.WeightsManifestEntry): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}
