import { describe, expect, it } from 'vitest';
import { zscale, zscaleFromSample, zscaleSample } from './zscale';
import { close, f32, part1 } from './reference/part1';

// Tolerance: measured max relative error 6.3e-16 (z2 of 'stars480', 3
// ulp of a double; the 2-D case is exact). Both sides run in float64 on the
// same float32 samples, so only the order of the fit's sums differs: 1e-14
// (about 16x the measured error) leaves room for that, and nothing more.
const ZREL = 1e-14;

describe('zscale against astropy ZScaleInterval(n_samples=600)', () => {
  for (const [name, ref] of Object.entries(part1.stats)) {
    it(name, () => {
      const z = zscale(f32(ref.data));
      expect(close(z.z1, ref.zscale600[0], ZREL, 1), `z1 ${z.z1} vs ${ref.zscale600[0]}`).toBe(true);
      expect(close(z.z2, ref.zscale600[1], ZREL, 1), `z2 ${z.z2} vs ${ref.zscale600[1]}`).toBe(true);
    });
  }

  it('2-D image with a star and a NaN (every pixel sampled)', () => {
    const ref = part1.zscale2d;
    const z = zscale(f32(ref.data), { width: ref.width, height: ref.height });
    expect(z.npix).toBe(ref.width * ref.height - 1);
    expect(close(z.z1, ref.limits[0], ZREL)).toBe(true);
    expect(close(z.z2, ref.limits[1], ZREL)).toBe(true);
    expect(z.fitted).toBe(true);
  });
});

describe('zscale behaviour', () => {
  it('constant data gives that constant for both limits', () => {
    const z = zscale(new Float32Array(300).fill(12));
    expect(z).toMatchObject({ z1: 12, z2: 12 });
  });

  it('a perfect ramp: slope/contrast around the median, clipped to the data range', () => {
    // Sorted ramp 0..99: slope 1, contrast 0.25 -> slope 4; median 49.5, center 49.
    // z1 = max(0, 49.5 - 48*4) = 0, z2 = min(99, 49.5 + 51*4) = 99.
    const a = new Float32Array(100);
    for (let i = 0; i < 100; i++) a[i] = 99 - i;
    const z = zscale(a);
    expect(z).toMatchObject({ z1: 0, z2: 99, fitted: true });
    expect(z.slope).toBeCloseTo(4, 10);
    // A high contrast narrows the limits: slope 1/1 -> 49.5 - 48 = 1.5, 49.5 + 51 = 100.5 -> 99.
    const z2 = zscale(a, { contrast: 1 });
    expect(z2.z1).toBeCloseTo(1.5, 10);
    expect(z2.z2).toBe(99);
  });

  it('fewer than min_npixels good pixels falls back to min/max', () => {
    const z = zscale(new Float32Array([5, NaN, 1, 3]));
    expect(z).toMatchObject({ z1: 1, z2: 5, fitted: false });
  });

  it('no good pixel gives NaN limits', () => {
    const z = zscale(new Float32Array([NaN, NaN]));
    expect(z.z1).toBeNaN();
    expect(z.npix).toBe(0);
  });

  it('masked pixels are left out of the sample', () => {
    const a = new Float32Array([1, 2, 3, 4, 5, 6, 7, 1e6]);
    const mask = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(zscaleSample(a, { mask }).length).toBe(7);
    expect(zscale(a, { mask }).z2).toBeLessThanOrEqual(7);
  });

  it('IRAF line sampling on a large frame: ~600 pixels from spread rows, limits near the background', () => {
    const w = 400, h = 300;
    const img = new Float32Array(w * h);
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < img.length; i++) img[i] = 1000 + 10 * (rnd() + rnd() + rnd() - 1.5);
    for (let i = 0; i < 2000; i++) img[Math.floor(rnd() * img.length)] = 50000; // hot pixels / stars
    const s = zscaleSample(img, { width: w, height: h });
    expect(s.length).toBe(600);
    // Background sigma is 5: the limits sit a few sigma out, untouched by the 50000s.
    const z = zscale(img, { width: w, height: h });
    expect(z.z1).toBeGreaterThan(960);
    expect(z.z2).toBeLessThan(1040);
    expect(z.z1).toBeLessThan(1000);
    expect(z.z2).toBeGreaterThan(1000);
  });

  it('IRAF grid: colStep = ceil(400/120) = 4 columns, rows from lineStep/2 on', () => {
    const w = 400, h = 300;
    const cols = new Float32Array(w * h);
    const rows = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { cols[y * w + x] = x; rows[y * w + x] = y; }
    const sc = zscaleSample(cols, { width: w, height: h });
    expect(sc.every((x) => x % 4 === 0)).toBe(true);
    expect(Math.max(...sc)).toBe(396); // 100 pixels per line
    const sr = zscaleSample(rows, { width: w, height: h });
    // 6 lines of 100 pixels: lineStep = max(2, 300/6) = 50, first line (1-based) 25.
    expect(Array.from(new Set(sr))).toEqual([24, 74, 124, 174, 224, 274]);
  });

  it('large 1-D array without a shape is strided like astropy', () => {
    const a = new Float32Array(6000);
    for (let i = 0; i < a.length; i++) a[i] = i;
    const s = zscaleSample(a);
    expect(s.length).toBe(600);
    expect(s[1] - s[0]).toBe(10);
  });

  it('zscaleFromSample sorts its sample', () => {
    const s = Float64Array.from([3, 1, 2, 5, 4, 6, 8, 7]);
    zscaleFromSample(s);
    expect(Array.from(s)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
