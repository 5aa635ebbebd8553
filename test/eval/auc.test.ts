import { describe, expect, it } from 'vitest';
import { CurveMean, trapezoidAuc } from '../../src/eval/auc.js';

describe('trapezoidAuc', () => {
  it('integrates hand-made curves over [0, 1]', () => {
    expect(trapezoidAuc([1, 1])).toBe(1);
    expect(trapezoidAuc([0, 1])).toBe(0.5);
    expect(trapezoidAuc([1, 0.5, 0])).toBe(0.5);
    // Points at x = 0, 1/3, 2/3, 1: trapezoids (0.2+0.8)/2 + (0.8+0.4)/2 + (0.4+0.6)/2, each 1/3 wide.
    expect(trapezoidAuc([0.2, 0.8, 0.4, 0.6])).toBeCloseTo((0.5 + 0.6 + 0.5) / 3, 12);
    // A curve that falls at once is not the same as one that falls at the end.
    expect(trapezoidAuc([1, 0, 0, 0, 0])).toBeCloseTo(0.125, 12);
    expect(trapezoidAuc([1, 1, 1, 1, 0])).toBeCloseTo(0.875, 12);
  });

  it('equals RISE’s formula (sum − first/2 − last/2) / (n − 1) on an irregular curve', () => {
    const curve = [0.93, 0.71, 0.72, 0.4, 0.35, 0.1, 0.05];
    const sum = curve.reduce((a, b) => a + b, 0);
    expect(trapezoidAuc(curve)).toBeCloseTo((sum - 0.93 / 2 - 0.05 / 2) / 6, 12);
  });

  it('refuses a curve of one point', () => {
    expect(() => trapezoidAuc([0.5])).toThrow(/at least 2 points/);
  });
});

describe('CurveMean', () => {
  it('averages curves pointwise', () => {
    const mean = new CurveMean(3);
    mean.add([1, 0.5, 0]);
    mean.add([0, 0.5, 1]);
    mean.add([0.5, 0.2, 0.2]);
    expect(mean.size).toBe(3);
    const values = mean.mean();
    [0.5, 0.4, 0.4].forEach((expected, k) => expect(values[k]).toBeCloseTo(expected, 12));
    // The AUC of the mean curve is the mean of the AUCs (the trapezoid rule is linear).
    expect(trapezoidAuc(values)).toBeCloseTo(
      (trapezoidAuc([1, 0.5, 0]) + trapezoidAuc([0, 0.5, 1]) + trapezoidAuc([0.5, 0.2, 0.2])) / 3,
      12,
    );
    expect(() => mean.add([1, 2])).toThrow(/expected 3/);
  });
});
