// Seeded pseudo-random numbers whose whole state is a few 32-bit integers, so it fits in a checkpoint as
// plain JSON and a resumed run draws exactly the same numbers.
import { fmix32, mix32 } from './dedup/hash';

/** A counter-based generator (SplitMix's 32-bit form): state is one integer; used to seed and to derive. */
export class SplitMix32 {
  constructor(private state: number) {
    this.state >>>= 0;
  }

  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return fmix32(this.state);
  }
}

/** xoshiro128**: fast, 128 bits of state, period 2^128 − 1; the sampler's generator. */
export class Xoshiro128 {
  private s: Uint32Array;

  constructor(seed: number | readonly number[]) {
    this.s = new Uint32Array(4);
    if (typeof seed === 'number') {
      const sm = new SplitMix32(seed);
      for (let i = 0; i < 4; i++) this.s[i] = sm.next();
    } else {
      if (seed.length !== 4) throw new Error('xoshiro128 state must be 4 integers');
      this.s.set(seed);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1; // the all-zero state is a fixed point
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  nextInt(n: number): number {
    if (n <= 0) throw new Error('nextInt needs n > 0');
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  getState(): [number, number, number, number] {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A deterministic number in [0, 1) for a tuple of integers: same inputs, same value, everywhere. */
export function hashUnit(...parts: number[]): number {
  let h = 0x1b873593;
  for (const p of parts) h = mix32(h, p | 0);
  return fmix32(h ^ parts.length) / 4294967296;
}

/** A seeded Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const rng = new Xoshiro128(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = out[i]; out[i] = out[j]; out[j] = t;
  }
  return out;
}
