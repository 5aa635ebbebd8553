import { describe, expect, it } from 'vitest';
import { gaussianBlur, gaussianKernel, RISE_BLUR } from '../../src/eval/blur.js';
import { averageDropPercent, increaseInConfidencePercent, multiplyImageByMap } from '../../src/eval/confidence.js';

describe('gaussianKernel', () => {
  it('is the sampled Gaussian divided by its sum', () => {
    const kernel = gaussianKernel(5, 2);
    const raw = [-2, -1, 0, 1, 2].map((k) => Math.exp(-(k * k) / 8));
    const total = raw.reduce((a, b) => a + b, 0);
    raw.forEach((value, k) => expect(kernel[k]).toBeCloseTo(value / total, 15));
    expect(() => gaussianKernel(4, 1)).toThrow(/odd/);
  });
});

describe('gaussianBlur', () => {
  it('spreads a unit impulse into the outer product of the kernel', () => {
    const size = RISE_BLUR.size;
    const image = new Float32Array(size * size);
    const centre = (size - 1) / 2;
    image[centre * size + centre] = 1;
    const blurred = gaussianBlur(image, size, size, 1);
    const kernel = gaussianKernel(size, RISE_BLUR.sigma);
    for (const [y, x] of [
      [centre, centre],
      [0, 0],
      [2, 7],
      [10, 4],
    ]) {
      expect(blurred[y * size + x]).toBeCloseTo(kernel[y] * kernel[x], 6);
    }
  });

  it('keeps a constant image inside, fades it towards 0 (the mean) at the border, per channel', () => {
    const side = 13;
    const image = new Float32Array(side * side * 2);
    for (let i = 0; i < image.length; i += 2) {
      image[i] = 2;
      image[i + 1] = -1;
    }
    const blurred = gaussianBlur(image, side, side, 2);
    const centre = (6 * side + 6) * 2;
    expect(blurred[centre]).toBeCloseTo(2, 5);
    expect(blurred[centre + 1]).toBeCloseTo(-1, 5);
    // The corner sees only the kernel's lower-right quarter (plus its centre row and column).
    const kernel = gaussianKernel(RISE_BLUR.size, RISE_BLUR.sigma);
    const quarter = kernel.slice(5).reduce((a, b) => a + b, 0);
    expect(blurred[0]).toBeCloseTo(2 * quarter * quarter, 5);
  });
});

describe('image × map and the confidence scores', () => {
  it('multiplies the pixel values in [0, 1] before normalization', () => {
    const normalization = { mean: [0.5], std: [0.25] };
    // Normalized 2 is pixel 1.0; normalized −2 is pixel 0.0; normalized 0 is pixel 0.5.
    const image = Float32Array.from([2, -2, 0, 2]);
    const map = Float32Array.from([0.5, 1, 0, 1]);
    // pixel·map: 0.5, 0, 0, 1 → normalized (p − 0.5) / 0.25: 0, −2, −2, 2.
    expect(Array.from(multiplyImageByMap(image, map, normalization))).toEqual([0, -2, -2, 2]);
  });

  it('handles interleaved channels with their own statistics', () => {
    const normalization = { mean: [0, 0.5], std: [1, 0.5] };
    const image = Float32Array.from([0.8, 1, 0.4, -1]); // pixels (0.8, 1.0) and (0.4, 0.0)
    const map = Float32Array.from([0.5, 0.25]);
    const out = multiplyImageByMap(image, map, normalization);
    [0.4, (0.5 - 0.5) / 0.5, 0.1, (0 - 0.5) / 0.5].forEach((expected, i) => expect(out[i]).toBeCloseTo(expected, 6));
  });

  it('computes Average Drop and Increase in Confidence as in the Grad-CAM++ paper', () => {
    const full = [0.8, 0.5, 0.9, 0.4];
    const explained = [0.4, 0.6, 0.9, 0.1];
    // drops: 0.4/0.8 = 0.5, 0 (it rose), 0, 0.3/0.4 = 0.75 → mean 0.3125.
    expect(averageDropPercent(full, explained)).toBeCloseTo(31.25, 10);
    // Only image 2 rose strictly (image 3 stayed equal).
    expect(increaseInConfidencePercent(full, explained)).toBe(25);
    expect(() => averageDropPercent([], [])).toThrow(/no images/);
  });
});
