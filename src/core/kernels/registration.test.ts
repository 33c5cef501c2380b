import { describe, expect, it } from 'vitest';
import type { Frame } from './frame';
import { fft, fft2, offsetFromCrossCorrelation, offsetFromStars, registerFrames, type StarXY } from './registration';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
}
function gaussianNoise(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const SHIFT = { dx: 12.37, dy: -5.81 };

function field(n: number, w: number, h: number, seed: number): StarXY[] {
  const u = rng(seed);
  return Array.from({ length: n }, () => ({ x: 10 + u() * (w - 20), y: 10 + u() * (h - 20), flux: 1000 + 20000 * u() }));
}

function render(w: number, h: number, stars: StarXY[], seed: number): Frame {
  const g = gaussianNoise(rng(seed));
  const sci = new Float32Array(w * h);
  for (let i = 0; i < sci.length; i++) sci[i] = 100 + 3 * g();
  const s2 = 2 * 1.3 * 1.3;
  for (const s of stars) {
    const amp = (s.flux ?? 1000) / (Math.PI * s2);
    for (let y = Math.max(0, Math.floor(s.y - 7)); y <= Math.min(h - 1, s.y + 7); y++) {
      for (let x = Math.max(0, Math.floor(s.x - 7)); x <= Math.min(w - 1, s.x + 7); x++) {
        sci[y * w + x] += amp * Math.exp(-((x - s.x) ** 2 + (y - s.y) ** 2) / s2);
      }
    }
  }
  return { width: w, height: h, sci };
}

describe('fft', () => {
  it('matches a direct DFT and inverts', () => {
    const n = 16, u = rng(1);
    const re = Float64Array.from({ length: n }, u), im = Float64Array.from({ length: n }, u);
    const r0 = re.slice(), i0 = im.slice();
    fft(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0, si = 0;
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * k * t) / n;
        sr += r0[t] * Math.cos(a) - i0[t] * Math.sin(a);
        si += r0[t] * Math.sin(a) + i0[t] * Math.cos(a);
      }
      expect(re[k]).toBeCloseTo(sr, 10);
      expect(im[k]).toBeCloseTo(si, 10);
    }
    fft(re, im, true);
    for (let t = 0; t < n; t++) expect(re[t]).toBeCloseTo(r0[t], 12);
    const r2 = new Float64Array(64).fill(1), i2 = new Float64Array(64);
    fft2(r2, i2, 8);
    expect(r2[0]).toBeCloseTo(64, 10);
    expect(Math.abs(r2[9])).toBeLessThan(1e-10);
    expect(() => fft(new Float64Array(6), new Float64Array(6))).toThrow();
  });
});

describe('offsetFromStars', () => {
  const ref = field(60, 400, 300, 5);

  it('recovers the shift exactly with all stars', () => {
    const tgt = ref.map((s) => ({ x: s.x + SHIFT.dx, y: s.y + SHIFT.dy, flux: s.flux }));
    const o = offsetFromStars(ref, tgt)!;
    expect(o.dx).toBeCloseTo(SHIFT.dx, 6);
    expect(o.dy).toBeCloseTo(SHIFT.dy, 6);
    expect(o.nMatched).toBe(50);
    expect(o.rms).toBeLessThan(1e-6);
  });

  it('is robust to missing stars, extra stars and centroid noise', () => {
    const g = gaussianNoise(rng(9));
    const kept = ref.filter((_, i) => i % 3 !== 0); // a third missing
    const tgt: StarXY[] = kept.map((s) => ({ x: s.x + SHIFT.dx + 0.05 * g(), y: s.y + SHIFT.dy + 0.05 * g(), flux: s.flux }));
    tgt.push(...field(25, 400, 300, 77)); // unrelated extra stars, some bright
    const o = offsetFromStars(ref, tgt)!;
    expect(Math.abs(o.dx - SHIFT.dx)).toBeLessThan(0.03);
    expect(Math.abs(o.dy - SHIFT.dy)).toBeLessThan(0.03);
    expect(o.nMatched).toBeGreaterThanOrEqual(25);
    expect(o.rms).toBeGreaterThan(0.02);
    expect(o.rms).toBeLessThan(0.15);
  });

  it('returns null with nothing to match and honours maxShift', () => {
    expect(offsetFromStars([], ref)).toBeNull();
    const tgt = ref.map((s) => ({ x: s.x + 40, y: s.y, flux: s.flux }));
    expect(offsetFromStars(ref, tgt, { maxShift: 60 })!.dx).toBeCloseTo(40, 6);
    const limited = offsetFromStars(ref, tgt, { maxShift: 20 });
    expect(limited === null || limited.nMatched < 10).toBe(true);
  });
});

describe('offsetFromCrossCorrelation and registerFrames', () => {
  it('registers star frames by star matching', () => {
    const stars = field(40, 256, 256, 3);
    const ref = render(256, 256, stars, 1);
    const tgt = render(256, 256, stars.filter((_, i) => i % 4 !== 1).map((s) => ({ ...s, x: s.x + SHIFT.dx, y: s.y + SHIFT.dy })), 2);
    const r = registerFrames(ref, tgt);
    expect(r.method).toBe('stars');
    expect(Math.abs(r.dx - SHIFT.dx)).toBeLessThan(0.05);
    expect(Math.abs(r.dy - SHIFT.dy)).toBeLessThan(0.05);
    expect(r.nMatched).toBeGreaterThanOrEqual(15);
  });

  it('falls back to cross-correlation on a starless extended-structure frame', () => {
    const w = 256, h = 256;
    const scene = (x: number, y: number) =>
      400 * Math.exp(-((x - 100) ** 2 / 600 + (y - 140) ** 2 / 300)) +
      250 * Math.exp(-((x - 170) ** 2 + (y - 80) ** 2) / 900) +
      60 * Math.sin(x / 9 + y / 23) * Math.exp(-((x - 128) ** 2 + (y - 128) ** 2) / 8000);
    const make = (sx: number, sy: number, seed: number): Frame => {
      const g = gaussianNoise(rng(seed));
      const sci = new Float32Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sci[y * w + x] = 100 + scene(x - sx, y - sy) + 2 * g();
      return { width: w, height: h, sci };
    };
    const ref = make(0, 0, 1), tgt = make(SHIFT.dx, SHIFT.dy, 2);
    const r = registerFrames(ref, tgt);
    expect(r.method).toBe('xcorr');
    expect(Math.abs(r.dx - SHIFT.dx)).toBeLessThan(0.05);
    expect(Math.abs(r.dy - SHIFT.dy)).toBeLessThan(0.05);
    expect(r.peak).toBeGreaterThan(0.5);
    const c = offsetFromCrossCorrelation(ref.sci, tgt.sci, w, h, 128);
    expect(Math.abs(c.dx - SHIFT.dx)).toBeLessThan(0.05);
    expect(Math.abs(c.dy - SHIFT.dy)).toBeLessThan(0.05);
  });

  it('cross-correlation finds an integer shift exactly', () => {
    const stars = field(30, 128, 128, 8);
    const ref = render(128, 128, stars, 4);
    const tgt = render(128, 128, stars.map((s) => ({ ...s, x: s.x - 7, y: s.y + 3 })), 5);
    const c = offsetFromCrossCorrelation(ref.sci, tgt.sci, 128, 128);
    expect(Math.abs(c.dx + 7)).toBeLessThan(0.02);
    expect(Math.abs(c.dy - 3)).toBeLessThan(0.02);
  });
});
