import { describe, expect, it } from 'vitest';
import { globalBackground, meshBackground } from './background';

/** Deterministic roughly-gaussian noise (Box-Muller on an LCG). */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

describe('globalBackground', () => {
  it('recovers sky level and noise under stars, NaNs and masked junk', () => {
    const g = gaussian(1);
    const w = 200, h = 200;
    const a = new Float32Array(w * h);
    for (let i = 0; i < a.length; i++) a[i] = 1000 + 10 * g();
    for (let k = 0; k < 40; k++) {
      const cx = 10 + ((k * 37) % 180), cy = 10 + ((k * 53) % 180);
      for (let y = cy - 4; y <= cy + 4; y++) for (let x = cx - 4; x <= cx + 4; x++) {
        a[y * w + x] += 5000 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 3);
      }
    }
    a[5] = NaN;
    const mask = new Uint8Array(w * h);
    for (let i = 0; i < 300; i++) { a[w * 100 + i] = -1e6; mask[w * 100 + i] = 1; }
    const st = globalBackground(a, { mask });
    expect(st.median).toBeCloseTo(1000, 0);
    expect(st.sigma).toBeGreaterThan(9.5);
    expect(st.sigma).toBeLessThan(10.5);
    expect(st.nUsed).toBeLessThan(w * h - 300);
  });

  it('samples large inputs at a stride without changing the answer', () => {
    const g = gaussian(4);
    const a = new Float32Array(300_000);
    for (let i = 0; i < a.length; i++) a[i] = 50 + 4 * g();
    const all = globalBackground(a, { maxSamples: Infinity });
    const some = globalBackground(a, { maxSamples: 50_000 });
    expect(all.nUsed).toBeGreaterThan(290_000);
    expect(some.nUsed).toBeLessThanOrEqual(50_000);
    expect(Math.abs(some.median - all.median)).toBeLessThan(0.1);
    expect(Math.abs(some.sigma - all.sigma)).toBeLessThan(0.15);
  });

  it('handles constant and empty input', () => {
    expect(globalBackground(new Float32Array(10).fill(3))).toEqual({ median: 3, sigma: 0, nUsed: 10 });
    expect(globalBackground(new Float32Array([NaN])).nUsed).toBe(0);
  });
});

describe('meshBackground', () => {
  it('reproduces a linear gradient exactly between box centres', () => {
    const w = 130, h = 96; // 32-px boxes: 4 in x (the last 34 wide), 3 in y
    const a = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[y * w + x] = 100 + 0.5 * x + 0.25 * y;
    const bg = meshBackground(a, w, h, { boxSize: 32, filterSize: 1 });
    expect(bg.nx).toBe(4);
    expect(bg.ny).toBe(3);
    // Box centres: x 15.5, 47.5, 79.5, 112.5; y 15.5, 47.5, 79.5.
    for (const [x, y] of [[16, 16], [60, 40], [112, 79], [30, 70]]) {
      expect(bg.background[y * w + x]).toBeCloseTo(100 + 0.5 * x + 0.25 * y, 3);
    }
    // Outside the outermost centres the nearest centre's value is kept.
    expect(bg.background[0]).toBeCloseTo(100 + 0.5 * 15.5 + 0.25 * 15.5, 3);
  });

  it('ignores a bright object in one box thanks to clipping and the mesh median filter', () => {
    const g = gaussian(2);
    const w = 128, h = 128;
    const a = new Float32Array(w * h);
    for (let i = 0; i < a.length; i++) a[i] = 500 + 5 * g();
    // A large bright blob covering most of box (1,1) of 32-px boxes.
    for (let y = 34; y < 62; y++) for (let x = 34; x < 62; x++) a[y * w + x] += 3000;
    const bg = meshBackground(a, w, h, { boxSize: 32, filterSize: 3 });
    expect(Math.abs(bg.meshBackground[1 * 4 + 1] - 500)).toBeLessThan(2);
    let maxDev = 0;
    for (let i = 0; i < w * h; i++) maxDev = Math.max(maxDev, Math.abs(bg.background[i] - 500));
    expect(maxDev).toBeLessThan(2);
    expect(Math.abs(bg.rms[64 * w + 64] - 5)).toBeLessThan(0.6);
  });

  it('fills boxes that are mostly masked from their neighbours', () => {
    const w = 64, h = 64;
    const a = new Float32Array(w * h).fill(7);
    const mask = new Uint8Array(w * h);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) { mask[y * w + x] = 1; a[y * w + x] = 1e9; }
    const bg = meshBackground(a, w, h, { boxSize: 32, filterSize: 1, mask });
    expect(bg.meshBackground[0]).toBe(7);
    expect(bg.background[0]).toBe(7);
    const allMasked = meshBackground(a, w, h, { boxSize: 32, mask: new Uint8Array(w * h).fill(1) });
    expect(Number.isNaN(allMasked.background[0])).toBe(true);
  });
});
