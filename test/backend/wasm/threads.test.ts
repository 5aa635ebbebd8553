/**
 * The multi-threaded wasm backend in Node: that the threads really start (XNNPACK's own thread
 * count), that it computes what the cpu backend (plain JavaScript, an independent implementation)
 * computes, and that real start-up failures fall back to the single-threaded build with a notice.
 *
 * The tests share tfjs's global engine and run in this order: the fallbacks first, the threaded
 * backend last, because each prepareWasmThreads call replaces the registered 'wasm' backend.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWasmThreads } from '../../../src/backend/wasm/threads.js';
import { Random } from '../../../src/random.js';

const RELATIVE_TOLERANCE = 1e-5;

let scratch: string;

beforeAll(() => {
  tf.env().set('PROD', true);
  scratch = mkdtempSync(join(tmpdir(), 'gradcam-wasm-threads-test-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Values in [-1, 1) from a seeded generator, so a failure reproduces. */
function randomTensor(shape: number[], seed: number): tf.Tensor {
  const random = new Random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => 2 * random.nextFloat() - 1),
    shape,
  );
}

/** conv2d (3x3, same padding, large enough for XNNPACK to split it across threads) and matMul. */
async function computeOn(backend: 'cpu' | 'wasm'): Promise<{ conv: Float32Array; product: Float32Array }> {
  await tf.setBackend(backend);
  const [conv, product] = tf.tidy(() => [
    tf.conv2d(
      randomTensor([4, 16, 16, 24], 1) as tf.Tensor4D,
      randomTensor([3, 3, 24, 32], 2) as tf.Tensor4D,
      1,
      'same',
    ),
    tf.matMul(randomTensor([64, 96], 3) as tf.Tensor2D, randomTensor([96, 80], 4) as tf.Tensor2D),
  ]);
  const values = { conv: (await conv.data()) as Float32Array, product: (await product.data()) as Float32Array };
  tf.dispose([conv, product]);
  return values;
}

function maxRelativeDifference(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
  }
  return difference / scale;
}

describe('prepareWasmThreads', () => {
  it('rejects a thread count that is not a whole number of at least 1', async () => {
    await expect(prepareWasmThreads(0)).rejects.toThrow(/at least 1, got 0/);
    await expect(prepareWasmThreads(1.5)).rejects.toThrow(/at least 1, got 1.5/);
  });

  it('falls back to 1 thread with a one-line notice when the worker script cannot be written', async () => {
    const missingDirectory = join(scratch, 'does-not-exist');
    const result = await prepareWasmThreads(2, { tempDirectory: missingDirectory });
    expect(result.threads).toBe(1);
    expect(result.notice).toMatch(
      /^wasm: could not start 2 threads \(ENOENT[^\n]*\); using the single-threaded SIMD build$/,
    );
    await tf.setBackend('wasm');
    expect(getThreadsCount()).toBe(1);
  });

  it('falls back, stops its workers and removes its script when the threads start too slowly', async () => {
    const result = await prepareWasmThreads(2, { startupTimeoutMs: 1, tempDirectory: scratch });
    expect(result.threads).toBe(1);
    expect(result.notice).toBe(
      'wasm: could not start 2 threads (the worker threads did not start within 1 ms); using the single-threaded SIMD build',
    );
    expect(readdirSync(scratch)).toEqual([]);
    await tf.setBackend('wasm');
    expect(getThreadsCount()).toBe(1);
  });

  it('uses tfjs’s single-threaded build, without a notice, for 1 thread', async () => {
    expect(await prepareWasmThreads(1)).toEqual({ threads: 1 });
    await tf.setBackend('wasm');
    expect(getThreadsCount()).toBe(1);
  });

  it('starts 2 XNNPACK threads whose conv2d and matMul agree with the cpu backend', async () => {
    const expected = await computeOn('cpu');
    const result = await prepareWasmThreads(2, { tempDirectory: scratch });
    expect(result).toEqual({ threads: 2 });
    expect(readdirSync(scratch)).toEqual([]);
    const actual = await computeOn('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // XNNPACK's pthreadpool_get_threads_count, read from inside the wasm module.
    expect(getThreadsCount()).toBe(2);
    expect(maxRelativeDifference(actual.conv, expected.conv)).toBeLessThan(RELATIVE_TOLERANCE);
    expect(maxRelativeDifference(actual.product, expected.product)).toBeLessThan(RELATIVE_TOLERANCE);
  });
});
