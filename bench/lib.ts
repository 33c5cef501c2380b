/**
 * Benchmark helpers shared by the Node and browser benches. Each case prints
 * one JSON line; `floor_seconds` is the time, in the same process, to read
 * every input pixel once (a plain sum): the honest lower bound for a kernel
 * that must look at all of its input.
 */

export interface BenchLine {
  kernel: string;
  frames: number;
  width: number;
  height: number;
  seconds: number;
  mpix_per_s: number;
  floor_seconds: number;
  [extra: string]: unknown;
}

const now = () => performance.now() / 1000;

/** Best of `repeat` runs: the least disturbed by the other core's load. */
export function timeBest(fn: () => unknown, repeat = 3): number {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = now();
    fn();
    best = Math.min(best, now() - t0);
  }
  return best;
}

let sink = 0;
/** Time to sum every pixel of the given arrays once. */
export function floorSeconds(arrays: readonly Float32Array[]): number {
  return timeBest(() => {
    let s = 0;
    for (const a of arrays) for (let i = 0; i < a.length; i++) s += a[i];
    sink += s;
  }, 3);
}

export function line(kernel: string, frames: number, width: number, height: number, seconds: number, floor: number, extra: Record<string, unknown> = {}): BenchLine {
  return {
    kernel,
    frames,
    width,
    height,
    seconds: +seconds.toFixed(4),
    mpix_per_s: +((frames * width * height) / 1e6 / seconds).toFixed(1),
    floor_seconds: +floor.toFixed(4),
    ...extra,
  };
}

/** Deterministic PRNG (mulberry32) and a normal deviate, so every run benches the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sky frame: level + gaussian noise + stars + a few cosmic-ray hits. Fast enough for 15 x 2048^2. */
export function skyFrame(width: number, height: number, seed: number, opts: { level?: number; sigma?: number; stars?: number; dx?: number; dy?: number } = {}): Float32Array {
  const { level = 1000, sigma = 10, stars = 200, dx = 0, dy = 0 } = opts;
  const r = rng(seed);
  const a = new Float32Array(width * height);
  // Sum of 4 uniforms: cheap, near-normal noise.
  const k = sigma * Math.sqrt(3);
  for (let i = 0; i < a.length; i++) a[i] = level + k * (r() + r() + r() + r() - 2);
  const rs = rng(12345); // the same star field in every frame, shifted by (dx, dy)
  for (let s = 0; s < stars; s++) {
    const x0 = 20 + rs() * (width - 40) + dx, y0 = 20 + rs() * (height - 40) + dy;
    const peak = 200 + 20000 * rs() ** 3, s2 = 2 * 1.3 ** 2;
    for (let y = Math.max(0, Math.floor(y0 - 6)); y <= Math.min(height - 1, Math.ceil(y0 + 6)); y++)
      for (let x = Math.max(0, Math.floor(x0 - 6)); x <= Math.min(width - 1, Math.ceil(x0 + 6)); x++)
        a[y * width + x] += peak * Math.exp(-((x - x0) ** 2 + (y - y0) ** 2) / s2);
  }
  for (let c = 0; c < 60; c++) a[Math.floor(r() * a.length)] += 3000 + 5000 * r();
  return a;
}

export function keepSink(): number {
  return sink;
}
