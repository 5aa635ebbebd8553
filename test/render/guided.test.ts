/**
 * The Guided Grad-CAM picture `gradcam render` draws (src/render/guided.ts) against
 * pytorch-grad-cam's `deprocess_image`, run with numpy 2.4.6 on float32 arrays:
 *   img = img - np.mean(img); img = img / (np.std(img) + 1e-5); img = img * 0.1 + 0.5
 *   np.uint8(np.clip(img, 0, 1) * 255)
 */
import { describe, expect, it } from 'vitest';
import { guidedPicture, guidedToRgb } from '../../src/render/guided.js';

// rng = np.random.default_rng(3); (rng.standard_normal((3, 3, 3)) * [0.02, 0.5, 3.0]).astype(np.float32),
// with [1, 1, 2] = 40 and [0, 2, 1] = −40.
const COLOUR = [
  0.04081838205456734, -1.2778325080871582, 1.2542965412139893, -0.011355391703546047, -0.2263246476650238,
  -0.6467915177345276, -0.04039972275495529, -40.0, -2.595639228820801, 0.06645999103784561, 0.11289330571889877,
  -1.0578924417495728, -0.0056257485412061214, -0.3340231776237488, 40.0, -0.007816019468009472, 0.24097269773483276,
  -0.715660810470581, 0.019155174493789673, -0.09990106523036957, 0.07277869433164597, 0.03091641701757908,
  0.2725527584552765, -1.5156861543655396, -0.0036567794159054756, 0.27026256918907166, 5.805263996124268,
];
const COLOUR_BYTES = [
  127, 124, 130, 127, 127, 126, 127, 34, 121, 127, 127, 125, 127, 126, 220, 127, 128, 125, 127, 127, 127, 127, 128, 124,
  127, 128, 141,
];

describe('guidedToRgb (deprocess_image normalization)', () => {
  it('matches deprocess_image on a 3×3 RGB array', () => {
    expect(Array.from(guidedToRgb(Float32Array.from(COLOUR), 3))).toEqual(COLOUR_BYTES);
  });

  it('one channel: by hand, and repeated to gray RGB', () => {
    // mean 2, std √5: (v − 2)/(√5 + 1e-5)·0.1 + 0.5 → 0.3658, 0.4553, 0.5447, 0.6342 → ×255, truncated.
    expect(Array.from(guidedToRgb(Float32Array.from([-1, 1, 3, 5]), 1))).toEqual([
      93, 93, 93, 116, 116, 116, 138, 138, 138, 161, 161, 161,
    ]);
  });

  it('saturates beyond ±5 standard deviations', () => {
    const values = new Float32Array(100);
    values[7] = 100;
    values[50] = -100;
    const rgb = guidedToRgb(values, 1);
    expect([rgb[0], rgb[7 * 3], rgb[50 * 3]]).toEqual([127, 255, 0]);
  });
});

describe('guidedPicture', () => {
  it('is guidedToRgb at the model’s size', () => {
    const picture = guidedPicture(Float32Array.from(COLOUR), [3, 3, 3], 3, 3);
    expect([picture.width, picture.height]).toEqual([3, 3]);
    expect(Array.from(picture.data)).toEqual(COLOUR_BYTES);
  });

  it('resizes to the output size (bilinear: a 2× enlargement of a uniform row stays uniform)', () => {
    // One channel [−1, 1, 3, 5] as 1×4 → bytes 93, 116, 138, 161 (above); 2×8 keeps the ends.
    const picture = guidedPicture(Float32Array.from([-1, 1, 3, 5]), [1, 4, 1], 8, 2);
    expect([picture.width, picture.height, picture.data.length]).toEqual([8, 2, 48]);
    const reds = Array.from({ length: 8 }, (_, x) => picture.data[x * 3]);
    expect(reds[0]).toBe(93);
    expect(reds[7]).toBe(161);
    expect(Array.from(picture.data.subarray(0, 24))).toEqual(Array.from(picture.data.subarray(24, 48)));
  });
});
