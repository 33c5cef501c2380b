/**
 * Small deterministic random numbers for the simulated night.
 *
 * xoshiro128** (Blackman & Vigna) on 32-bit integers: fast in JS through
 * Math.imul, good statistical quality, and the same sequence on every engine.
 * Every physical ingredient draws from its own named stream (`streamRng`), so
 * the truth (star list, dithers, cosmic-ray hits) can be recomputed without
 * generating a single pixel, and changing one frame's noise never shifts the
 * random numbers of another.
 */

/** splitmix32 step: spreads a seed over the four state words of xoshiro. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a of a stream name mixed with the seed: one 32-bit seed per (seed, name). */
export function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  h = Math.imul(h, 0x01000193);
  // The seed's high bits matter too (seeds beyond 2^32 are folded in).
  h ^= Math.floor(seed / 0x100000000) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Second normal deviate of the last Box-Muller pair, NaN when none is cached. */
  private spare = NaN;

  constructor(seed: number) {
    const st = { s: seed | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    // An all-zero state would be stuck at zero forever.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next raw 32-bit unsigned integer (xoshiro128**). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in the open interval (0, 1): never 0, so log(u) is always finite. */
  uniform(): number {
    return (this.nextU32() + 0.5) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer uniform in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  /** Standard normal deviate (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * Poisson deviate with mean `lambda`. Knuth's multiplication method for
   * small means (exact); above POISSON_NORMAL_ABOVE the normal approximation
   * N(lambda, lambda) rounded to an integer, whose error (skewness
   * 1/sqrt(lambda) < 0.2) is far below anything a reduction can notice and
   * which costs one normal draw instead of ~lambda uniforms.
   */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda >= POISSON_NORMAL_ABOVE) {
      const k = Math.round(lambda + Math.sqrt(lambda) * this.normal());
      return k < 0 ? 0 : k;
    }
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.uniform();
    while (p > limit) {
      k++;
      p *= this.uniform();
    }
    return k;
  }
}

/** Mean above which `poisson` switches from Knuth to the normal approximation. */
export const POISSON_NORMAL_ABOVE = 30;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A generator for the named stream of a night's seed. */
export function streamRng(seed: number, name: string): Rng {
  return new Rng(streamSeed(seed, name));
}
