/**
 * A small seeded pseudo-random generator whose whole state is four 32-bit words, so training can
 * checkpoint it and resume with exactly the same data order, augmentation and dropout seeds.
 *
 * Algorithm: xoshiro128** 1.1 (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", 2018; reference C at https://prng.di.unimi.it/xoshiro128starstar.c). Its four words
 * are seeded from splitmix32 (the golden-ratio increment followed by MurmurHash3's 32-bit
 * finalizer), as the authors recommend, because xoshiro must not start from an all-zero or
 * low-entropy state and a user seed is usually a small integer.
 */

const UINT32_RANGE = 2 ** 32;

/** The generator. `new Random(seed)` for a fresh run, `Random.fromState(saved)` to resume. */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed`: an integer in [0, 2^32). Equal seeds give equal sequences on every platform. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= UINT32_RANGE) {
      throw new RangeError(`Random seed must be an integer in [0, 2^32), got ${seed}`);
    }
    const next = splitmix32(seed);
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Resumes from `getState()`'s output: four uint32 words, not all zero. */
  static fromState(state: readonly number[]): Random {
    const valid =
      state.length === 4 && state.every((word) => Number.isInteger(word) && word >= 0 && word < UINT32_RANGE);
    if (!valid || state.every((word) => word === 0)) {
      throw new RangeError(`Random state must be four uint32 words, not all zero, got [${state.join(', ')}]`);
    }
    const random = new Random(0);
    [random.s0, random.s1, random.s2, random.s3] = state;
    return random;
  }

  /** The four state words (uint32 each); plain numbers so they survive JSON. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const shifted = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= shifted;
    this.s3 = rotateLeft(this.s3, 11);
    // Keep the stored words unsigned so getState() is canonical.
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** A uniform float in [0, 1) with 32 random bits (multiples of 2^-32). */
  nextFloat(): number {
    return this.nextUint32() / UINT32_RANGE;
  }

  /**
   * A uniform integer in [0, n), n an integer in [1, 2^32]. Unbiased: draws that fall in the
   * incomplete last block of size 2^32 mod n are rejected instead of folded in by the modulo.
   */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > UINT32_RANGE) {
      throw new RangeError(`nextInt bound must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = UINT32_RANGE - (UINT32_RANGE % n);
    for (;;) {
      const draw = this.nextUint32();
      if (draw < limit) return draw % n;
    }
  }

  /** Shuffles `items` in place (Fisher-Yates, last position first) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const held = items[i];
      items[i] = items[j];
      items[j] = held;
    }
    return items;
  }
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** splitmix32: a stream of well-mixed uint32 words from a single uint32 seed. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}
