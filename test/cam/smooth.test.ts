/**
 * SmoothGrad: the noise is what smooth.ts documents (seeded standard normal fields scaled by each
 * image's value range), and `explainBatch` with `smooth` is exactly the average of the raw maps
 * (and guided gradients) of the noisy copies, normalized once.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainBatch, type ExplainOptions } from '../../src/cam/explain.js';
import { CAM_METHODS } from '../../src/cam/methods/index.js';
import { cutModelAt } from '../../src/surgery/layers-cut.js';
import { addNoise, noiseFields } from '../../src/cam/smooth.js';
import { buildVgg } from '../../src/models/vgg.js';
import { prepareWasm } from '../helpers/backends.js';
import { expectClose, maxDifference } from '../helpers/compare.js';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await prepareWasm();
  await tf.setBackend('wasm');
});

describe('noise', () => {
  it('noiseFields: seeded standard normal values, a fresh field per copy', () => {
    const [first, second] = noiseFields(7, 2, 100_001);
    expect(noiseFields(7, 2, 100_001)[1]).toEqual(second);
    expect(noiseFields(8, 1, 100_001)[0]).not.toEqual(first);
    expect(first).not.toEqual(second);
    for (const field of [first, second]) {
      const mean = field.reduce((s, v) => s + v, 0) / field.length;
      const variance = field.reduce((s, v) => s + (v - mean) ** 2, 0) / field.length;
      expect(Math.abs(mean)).toBeLessThan(0.01); // 4.5 standard errors at n = 100 001
      expect(Math.abs(variance - 1)).toBeLessThan(0.015);
      const beyondTwo = field.filter((v) => Math.abs(v) > 2).length / field.length;
      expect(beyondTwo).toBeCloseTo(0.0455, 2); // P(|Z| > 2) of a normal distribution
      expect(Number.isFinite(field[field.length - 1])).toBe(true); // odd length: last value filled
    }
  });

  it('addNoise: each image gets field × noise × (its max − its min)', () => {
    const images = tf.tensor4d([0, 1, 2, 4, 10, 10, 10, 10], [2, 2, 2, 1]); // ranges 4 and 0
    const field = Float32Array.from([1, -0.5, 0.25, 2]);
    const noisy = addNoise(images, field, 0.1);
    expectClose(noisy.dataSync(), [0 + 0.4, 1 - 0.2, 2 + 0.1, 4 + 0.8, 10, 10, 10, 10], 1e-6);
    expect(images.dataSync()).toEqual(Float32Array.from([0, 1, 2, 4, 10, 10, 10, 10]));
    tf.dispose([images, noisy]);
  });
});

describe('explainBatch with smooth', () => {
  const cut = () =>
    cutModelAt(
      buildVgg({ inputShape: [28, 28, 1], classes: 10, width: 0.125, batchNorm: false, poolAfter: [1, 2, 8], seed: 4 }),
      'conv8',
    );
  const smooth = { samples: 3, noise: 0.2, seed: 11 };

  it.each(['gradcam', 'scorecam'] as const)(
    '%s: the normalized average of the raw maps and guided gradients of the noisy copies',
    (name) => {
      const model = cut();
      const images = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const options: ExplainOptions = {
        method: CAM_METHODS[name],
        counterfactual: false,
        guided: true,
        maxChannels: 12,
      };
      const target = { kind: 'class', index: 2 } as const;
      const smoothed = explainBatch(model, images, target, { ...options, smooth });

      const fields = noiseFields(smooth.seed, smooth.samples, 28 * 28);
      const rawSums = [new Float64Array(49), new Float64Array(49)];
      const guidedSums = [new Float64Array(784), new Float64Array(784)];
      for (const field of fields) {
        const noisy = addNoise(images, field, smooth.noise);
        for (const copy of explainBatch(model, noisy, target, options)) {
          copy.map.forEach((value, i) => (rawSums[copy.image][i] += value * copy.rawMax));
          (copy.guidedBackprop as Float32Array).forEach((value, i) => (guidedSums[copy.image][i] += value));
        }
        noisy.dispose();
      }
      for (const explanation of smoothed) {
        const average = Array.from(rawSums[explanation.image], (v) => v / 3);
        const max = Math.max(...average);
        expect(max).toBeGreaterThan(0); // a real map, not the all-zero case
        expect(explanation.rawMax).toBeCloseTo(max, 4);
        expectClose(
          explanation.map,
          average.map((v) => v / max),
          1e-5,
        );
        const guidedAverage = Array.from(guidedSums[explanation.image], (v) => v / 3);
        expectClose(explanation.guidedBackprop as Float32Array, guidedAverage, 1e-6);
      }
      // The average is not just one of the copies, nor the clean map.
      const clean = explainBatch(model, images, target, options);
      expect(maxDifference(clean[0].map, smoothed[0].map)).toBeGreaterThan(0.01);
      images.dispose();
    },
  );

  it('targets come from the clean image; equal seeds repeat, other seeds differ, zero noise changes nothing', () => {
    const model = cut();
    const images = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const base = { method: CAM_METHODS['gradcam++'], counterfactual: false };
    const clean = explainBatch(model, images, { kind: 'top' }, base);
    const once = explainBatch(model, images, { kind: 'top' }, { ...base, smooth });
    const again = explainBatch(model, images, { kind: 'top' }, { ...base, smooth });
    const otherSeed = explainBatch(model, images, { kind: 'top' }, { ...base, smooth: { ...smooth, seed: 12 } });
    const noiseless = explainBatch(model, images, { kind: 'top' }, { ...base, smooth: { ...smooth, noise: 0 } });
    images.dispose();
    expect(once.map((e) => e.target.index)).toEqual(clean.map((e) => e.target.index));
    expect(once.map((e) => e.predicted)).toEqual(clean.map((e) => e.predicted));
    expect(again.map((e) => Array.from(e.map))).toEqual(once.map((e) => Array.from(e.map)));
    expect(maxDifference(otherSeed[0].map, once[0].map)).toBeGreaterThan(0.01);
    expect(maxDifference(noiseless[0].map, clean[0].map)).toBeLessThan(1e-6);
    expect(maxDifference(noiseless[1].map, clean[1].map)).toBeLessThan(1e-6);
  });
});
