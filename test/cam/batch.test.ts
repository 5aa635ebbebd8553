/**
 * Batched Grad-CAM: each image's map must come from its own gradients (the seed tutorial reused
 * the gradients of another batch), and explaining many batches must not leak tensors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainBatch, type Explanation } from '../../src/cam/explain.js';
import { gradcam } from '../../src/cam/methods/gradcam.js';
import { cutModelAt } from '../../src/surgery/layers-cut.js';
import { buildVgg } from '../../src/models/vgg.js';
import { prepareWasm } from '../helpers/backends.js';
import { maxDifference } from '../helpers/compare.js';

const options = { method: gradcam, counterfactual: false };

describe('batched Grad-CAM', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    await prepareWasm();
    await tf.setBackend('wasm');
  });

  const model = () =>
    buildVgg({ inputShape: [28, 28, 1], classes: 10, width: 0.125, batchNorm: false, poolAfter: [1, 2, 8], seed: 3 });

  it('explains each image of a batch with its own gradients', () => {
    const cut = cutModelAt(model(), 'conv8');
    const images = tf.randomUniform([4, 28, 28, 1], -1, 2, 'float32', 5) as tf.Tensor4D;
    const batched = explainBatch(cut, images, { kind: 'class', index: 3 }, options);
    const alone: Explanation[] = [];
    for (let i = 0; i < 4; i++) {
      const single = images.slice([i, 0, 0, 0], [1, 28, 28, 1]);
      alone.push(...explainBatch(cut, single, { kind: 'class', index: 3 }, options));
      single.dispose();
    }
    images.dispose();
    expect(batched.map((e) => e.image)).toEqual([0, 1, 2, 3]);
    for (let i = 0; i < 4; i++) {
      expect(batched[i].empty).toBe(false);
      expect(maxDifference(batched[i].map, alone[i].map)).toBeLessThan(1e-5);
      expect(batched[i].rawMax).toBeCloseTo(alone[i].rawMax, 4);
    }
    // Different images get different maps, so the comparison above can tell them apart.
    expect(maxDifference(batched[0].map, batched[1].map)).toBeGreaterThan(0.05);
  });

  it('leaves no tensors behind over many batches', () => {
    const cut = cutModelAt(model(), 'conv8');
    const images = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    explainBatch(cut, images, { kind: 'top-k', k: 2 }, options); // warm-up allocations
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) explainBatch(cut, images, { kind: 'top-k', k: 2 }, options);
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });
});
