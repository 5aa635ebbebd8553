import { describe, expect, it } from 'vitest';
import { averageRanks, spearman } from '../../src/eval/spearman.js';

describe('averageRanks', () => {
  it('gives tied values the mean of the ranks they span', () => {
    expect(Array.from(averageRanks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    expect(Array.from(averageRanks([0, 0, 0, 5, 0]))).toEqual([2.5, 2.5, 2.5, 5, 2.5]);
    expect(Array.from(averageRanks([3, 1, 2]))).toEqual([3, 1, 2]);
  });
});

describe('spearman', () => {
  it('matches a hand computation with ties (Pearson of average ranks, not the 1 − 6Σd² shortcut)', () => {
    // ranks a = [1, 2.5, 2.5, 4], b = [1.5, 1.5, 3, 4]; both means 2.5;
    // Σ dx·dy = 1.5 + 0 + 0 + 2.25 = 3.75, Σ dx² = 4.5, Σ dy² = 4.5 → ρ = 3.75 / 4.5 = 5/6.
    // The shortcut would say 1 − 6·1.5 / (4·15) = 0.85.
    expect(spearman([1, 2, 2, 3], [1, 1, 2, 3])).toBeCloseTo(5 / 6, 12);
  });

  it('matches a hand computation for a ReLU-like map with a plateau of zeros', () => {
    // a ranks [2, 2, 2, 4, 5], b ranks [1, 2, 3, 5, 4]; mean 3 each;
    // dx = [-1, -1, -1, 1, 2], dy = [-2, -1, 0, 2, 1]: Σ dx·dy = 2 + 1 + 0 + 2 + 2 = 7,
    // Σ dx² = 8, Σ dy² = 10 → ρ = 7 / √80.
    expect(spearman([0, 0, 0, 0.5, 1], [0.1, 0.2, 0.3, 0.9, 0.8])).toBeCloseTo(7 / Math.sqrt(80), 12);
  });

  it('is 1 for any increasing relation and −1 for a decreasing one', () => {
    expect(spearman([1, 2, 3, 4], [1, 10, 100, 1000])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });

  it('is NaN for a constant input, whose ranks have no spread', () => {
    expect(spearman([0, 0, 0], [1, 2, 3])).toBeNaN();
  });

  it('refuses inputs of different lengths', () => {
    expect(() => spearman([1, 2], [1, 2, 3])).toThrow(/lengths differ/);
  });
});
