import { describe, expect, it } from 'vitest';
import { Random } from '../src/random.js';

// Expected values come from an independent C program: Vigna's reference xoshiro128** 1.1
// (https://prng.di.unimi.it/xoshiro128starstar.c) seeded by splitmix32 (golden-ratio increment,
// MurmurHash3 fmix32), with nextInt/shuffle written out in C from their doc comments.
const draw = (n: number, next: () => number) => Array.from({ length: n }, next);

describe('Random', () => {
  it('matches the published xoshiro128** vector from state [1, 2, 3, 4]', () => {
    // The same vector is in the rand_xoshiro crate's tests, produced with the reference C code.
    const random = Random.fromState([1, 2, 3, 4]);
    expect(draw(6, () => random.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('seeds through splitmix32 exactly like the C reference', () => {
    expect(new Random(0).getState()).toEqual([2462723854, 1020716019, 454327756, 1275600319]);
    const seed42 = new Random(42);
    expect(seed42.getState()).toEqual([939911724, 3948730756, 321366731, 3317318717]);
    expect(draw(8, () => seed42.nextUint32())).toEqual([
      2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290, 65323186, 1112262688,
    ]);
    expect(seed42.getState()).toEqual([2207446325, 2940024931, 1859826917, 1269066068]);
    const seedMax = new Random(2 ** 32 - 1);
    expect(draw(4, () => seedMax.nextUint32())).toEqual([835879718, 1921286648, 2356205009, 1885780724]);
  });

  it('continues identically after a state round trip through JSON', () => {
    const original = new Random(123);
    for (let i = 0; i < 37; i++) original.nextUint32();
    const restored = Random.fromState(JSON.parse(JSON.stringify(original.getState())) as number[]);
    expect(draw(50, () => restored.nextUint32())).toEqual(draw(50, () => original.nextUint32()));
    expect(restored.getState()).toEqual(original.getState());
  });

  it('nextFloat is nextUint32 / 2^32, in [0, 1)', () => {
    const a = new Random(5);
    const b = new Random(5);
    for (let i = 0; i < 1000; i++) {
      const value = a.nextFloat();
      expect(value).toBe(b.nextUint32() / 2 ** 32);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('nextInt matches the C reference and rejects draws from the incomplete last block', () => {
    const small = new Random(7);
    expect(draw(10, () => small.nextInt(10))).toEqual([0, 7, 9, 8, 7, 9, 7, 4, 8, 0]);
    // For n = 3e9, the raw 9th draw 3627243488 >= 3e9 is rejected and the next one is used.
    const large = new Random(7);
    expect(draw(10, () => large.nextInt(3e9))).toEqual([
      1004282400, 2200021487, 1928073449, 741806228, 2429532727, 2033801169, 2204226377, 1532573114, 964317380,
      2427073810,
    ]);
    const full = new Random(7);
    expect(full.nextInt(2 ** 32)).toBe(1004282400);
  });

  it('nextInt is roughly uniform', () => {
    const random = new Random(9);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[random.nextInt(6)]++;
    // Expected 10000 each; the standard deviation is about 91, so +-500 cannot fail by chance.
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('shuffles like the C reference Fisher-Yates, in place, for arrays and typed arrays', () => {
    const expected = [3, 6, 8, 7, 5, 0, 9, 2, 1, 4];
    const array = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(new Random(42).shuffle(array)).toBe(array);
    expect(array).toEqual(expected);
    const typed = Int32Array.from({ length: 10 }, (_, i) => i);
    new Random(42).shuffle(typed);
    expect(Array.from(typed)).toEqual(expected);
  });

  it('rejects invalid seeds, states and bounds', () => {
    expect(() => new Random(-1)).toThrow(RangeError);
    expect(() => new Random(2 ** 32)).toThrow(RangeError);
    expect(() => new Random(1.5)).toThrow(RangeError);
    expect(() => Random.fromState([0, 0, 0, 0])).toThrow(/not all zero/);
    expect(() => Random.fromState([1, 2, 3])).toThrow(RangeError);
    expect(() => Random.fromState([1, 2, 3, 2 ** 32])).toThrow(RangeError);
    expect(() => new Random(1).nextInt(0)).toThrow(RangeError);
    expect(() => new Random(1).nextInt(2 ** 32 + 1)).toThrow(RangeError);
  });
});
