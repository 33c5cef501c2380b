import { describe, expect, it } from 'vitest';
import { detectSources, SourceFlag } from './sources';

function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

interface Star { x: number; y: number; amp: number; sx: number; sy: number }

function render(w: number, h: number, stars: Star[], sky: number, noise: number, seed: number): Float32Array {
  const g = gaussian(seed);
  const a = new Float32Array(w * h);
  for (let i = 0; i < a.length; i++) a[i] = sky + noise * g();
  for (const s of stars) {
    for (let y = Math.max(0, Math.floor(s.y - 12)); y <= Math.min(h - 1, s.y + 12); y++) {
      for (let x = Math.max(0, Math.floor(s.x - 12)); x <= Math.min(w - 1, s.x + 12); x++) {
        a[y * w + x] += s.amp * Math.exp(-0.5 * (((x - s.x) / s.sx) ** 2 + ((y - s.y) / s.sy) ** 2));
      }
    }
  }
  return a;
}

describe('detectSources', () => {
  const sig = 3 / 2.3548; // FWHM 3 px
  const stars: Star[] = [
    { x: 20.3, y: 30.71, amp: 20000, sx: sig, sy: sig },
    { x: 70.55, y: 25.12, amp: 8000, sx: sig, sy: sig },
    { x: 45.91, y: 70.48, amp: 3000, sx: sig, sy: sig },
    { x: 90.02, y: 88.66, amp: 12000, sx: sig, sy: sig },
    { x: 15.5, y: 90.25, amp: 500, sx: sig, sy: sig },
  ];
  const w = 110, h = 105;
  const img = render(w, h, stars, 100, 5, 11);
  const found = detectSources(img, w, h, { background: 100, sigma: 5, threshold: 5, minArea: 5 });

  it('finds every star, sorted by flux, nothing else', () => {
    expect(found.length).toBe(stars.length);
    for (let i = 1; i < found.length; i++) expect(found[i - 1].flux).toBeGreaterThanOrEqual(found[i].flux);
    expect(found[0].x).toBeCloseTo(20.3, 1);
  });

  it('measures bright-star centroids to 0.05 px and FWHM to 3%', () => {
    for (const s of stars.filter((t) => t.amp >= 3000)) {
      const m = found.find((f) => Math.hypot(f.x - s.x, f.y - s.y) < 1)!;
      expect(m).toBeDefined();
      expect(Math.abs(m.x - s.x)).toBeLessThan(0.05);
      expect(Math.abs(m.y - s.y)).toBeLessThan(0.05);
      expect(Math.abs(m.fwhm - 3) / 3).toBeLessThan(0.03);
      expect(m.ellipticity).toBeLessThan(0.05);
      expect(m.flags).toBe(0);
      // Isophotal flux: most of the analytic 2 pi s^2 A.
      const total = 2 * Math.PI * sig * sig * s.amp;
      expect(m.flux / total).toBeGreaterThan(0.9);
      expect(m.flux / total).toBeLessThan(1.02);
      expect(Math.abs(m.peak - s.amp) / s.amp).toBeLessThan(0.2);
    }
  });

  it('measures ellipticity and orientation of an elongated source', () => {
    const e = render(60, 60, [{ x: 30.2, y: 29.7, amp: 10000, sx: 2.0, sy: 1.0 }], 0, 1, 3);
    const [s] = detectSources(e, 60, 60, { sigma: 1 });
    expect(s.ellipticity).toBeCloseTo(0.5, 1);
    expect(Math.abs(s.theta)).toBeLessThan(0.05);
    expect(s.sxx).toBeCloseTo(4, 0);
    expect(s.syy).toBeCloseTo(1, 1);
  });

  it('flags saturated and edge sources, honours minArea, mask and maxSources', () => {
    const a = render(50, 50, [
      { x: 25, y: 25, amp: 1e5, sx: 1.5, sy: 1.5 },
      { x: 1, y: 10, amp: 5000, sx: 1.2, sy: 1.2 },
      { x: 40, y: 40, amp: 5000, sx: 1.2, sy: 1.2 },
    ], 0, 1, 4);
    for (let i = 0; i < a.length; i++) a[i] = Math.min(a[i], 60000);
    a[10 * 50 + 40] = 1000; // single hot pixel: below minArea
    const s = detectSources(a, 50, 50, { sigma: 1, saturation: 60000 });
    expect(s.length).toBe(3);
    expect(s[0].flags & SourceFlag.saturated).toBeTruthy();
    const edge = s.find((t) => t.x < 5)!;
    expect(edge.flags & SourceFlag.edge).toBeTruthy();
    const mask = new Uint8Array(2500);
    for (let y = 35; y < 46; y++) for (let x = 35; x < 46; x++) mask[y * 50 + x] = 1;
    expect(detectSources(a, 50, 50, { sigma: 1, mask }).length).toBe(2);
    const one = detectSources(a, 50, 50, { sigma: 1, maxSources: 1 });
    expect(one.length).toBe(1);
    expect(one[0].x).toBeCloseTo(25, 0);
  });

  it('labels a huge segment without recursion and accepts per-pixel maps', () => {
    const big = new Float32Array(400 * 400).fill(10);
    const s = detectSources(big, 400, 400, { background: new Float32Array(160000), sigma: new Float32Array(160000).fill(1) });
    expect(s.length).toBe(1);
    expect(s[0].area).toBe(160000);
    expect(s[0].flags & SourceFlag.edge).toBeTruthy();
  });
});
