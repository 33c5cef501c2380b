import { describe, expect, it } from 'vitest';
import { DQ } from './dq';
import type { Frame } from './frame';
import { kernelTaps, shiftFrame, type ResampleKernel } from './resample';

const KERNELS: ResampleKernel[] = ['bilinear', 'bicubic', 'lanczos3'];

function smoothFrame(w: number, h: number): Frame {
  const sci = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      sci[y * w + x] = 100 + 50 * Math.sin(x / 7) * Math.cos(y / 9) + 300 * Math.exp(-((x - 30) ** 2 + (y - 25) ** 2) / 50);
    }
  }
  return { width: w, height: h, sci };
}

describe('kernelTaps', () => {
  it('sum to one and reduce to a single tap for integer shifts', () => {
    for (const k of KERNELS) {
      for (const s of [0.37, -1.5, 2.9]) {
        const t = kernelTaps(k, s);
        expect(t.weight.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      }
      const t = kernelTaps(k, 3);
      expect(Array.from(t.offset)).toEqual([-3]);
      expect(Array.from(t.weight)).toEqual([1]);
    }
    expect(kernelTaps('bilinear', 0.25).offset.length).toBe(2);
    expect(kernelTaps('bicubic', 0.25).offset.length).toBe(4);
    expect(kernelTaps('lanczos3', 0.25).offset.length).toBe(6);
  });
});

describe('shiftFrame', () => {
  it('integer shift is an exact translation, with noData where nothing came in', () => {
    const f = smoothFrame(40, 30);
    f.var = f.sci.map((v) => v / 2);
    f.dq = new Uint16Array(40 * 30);
    f.dq[10 * 40 + 10] = DQ.bad;
    for (const k of KERNELS) {
      const o = shiftFrame(f, 3, -2, k);
      for (let y = 0; y < 30; y++) {
        for (let x = 0; x < 40; x++) {
          const sx = x - 3, sy = y + 2;
          const i = y * 40 + x;
          if (sx >= 0 && sy < 30) {
            expect(o.sci[i]).toBe(f.sci[sy * 40 + sx]);
            expect(o.var![i]).toBe(f.var[sy * 40 + sx]);
            expect(o.dq![i]).toBe(f.dq[sy * 40 + sx]);
          } else {
            expect(o.sci[i]).toBe(0);
            expect(o.dq![i]).toBe(DQ.noData);
          }
        }
      }
      expect(o.dq![8 * 40 + 13]).toBe(DQ.bad);
    }
  });

  it('shift then inverse shift recovers a smooth image', () => {
    const f = smoothFrame(64, 56);
    // Bilinear smooths (its half-pixel response is 0.5 at Nyquist); the peak here is 400.
    const tol: Record<ResampleKernel, number> = { bilinear: 8, bicubic: 0.5, lanczos3: 0.3 };
    for (const k of KERNELS) {
      const back = shiftFrame(shiftFrame(f, 2.37, -1.61, k), -2.37, 1.61, k);
      let maxErr = 0;
      for (let y = 8; y < 48; y++) for (let x = 8; x < 56; x++) maxErr = Math.max(maxErr, Math.abs(back.sci[y * 64 + x] - f.sci[y * 64 + x]));
      expect(maxErr).toBeLessThan(tol[k]);
      expect(back.dq![0]).toBe(DQ.noData);
    }
  });

  it('keeps a constant image constant and conserves flux away from edges', () => {
    const c: Frame = { width: 30, height: 30, sci: new Float32Array(900).fill(5) };
    const s: Frame = { width: 50, height: 50, sci: new Float32Array(2500) };
    for (let y = 0; y < 50; y++) for (let x = 0; x < 50; x++) s.sci[y * 50 + x] = 1000 * Math.exp(-((x - 24.3) ** 2 + (y - 25.8) ** 2) / 8);
    const total = s.sci.reduce((a, b) => a + b, 0);
    for (const k of KERNELS) {
      const o = shiftFrame(c, 0.4, 0.7, k);
      expect(o.sci[15 * 30 + 15]).toBeCloseTo(5, 5);
      const so = shiftFrame(s, 1.3, -0.45, k);
      expect(so.sci.reduce((a, b) => a + b, 0) / total).toBeCloseTo(1, 5);
      // The star moved by the shift (flux-weighted centroid).
      let m = 0, mx = 0, my = 0;
      for (let i = 0; i < 2500; i++) { m += so.sci[i]; mx += so.sci[i] * (i % 50); my += so.sci[i] * Math.floor(i / 50); }
      // Bilinear and Keys cubic reproduce linear ramps, so the centroid moves exactly;
      // Lanczos3 does not (normalized windowed sinc), measured 0.018 px off here.
      const ctol = k === 'lanczos3' ? 0.03 : 1e-4;
      expect(Math.abs(mx / m - 25.6)).toBeLessThan(ctol);
      expect(Math.abs(my / m - 25.35)).toBeLessThan(ctol);
    }
  });

  it('propagates VAR with squared weights and ORs DQ over the footprint', () => {
    const f: Frame = { width: 20, height: 20, sci: new Float32Array(400).fill(1), var: new Float32Array(400).fill(8), dq: new Uint16Array(400) };
    f.dq![10 * 20 + 10] = DQ.saturated;
    const o = shiftFrame(f, 0.5, 0.5, 'bilinear');
    // Weights 0.5 x 0.5 on four pixels: sum of w^2 = 4 * 0.0625 = 0.25.
    expect(o.var![5 * 20 + 5]).toBeCloseTo(8 * 0.25, 6);
    // The saturated input pixel reaches the four outputs whose footprint holds it.
    const hit = [];
    for (let i = 0; i < 400; i++) if (o.dq![i] === DQ.saturated) hit.push(i);
    expect(hit).toEqual([10 * 20 + 10, 10 * 20 + 11, 11 * 20 + 10, 11 * 20 + 11]);
    // Row/column 0 needs input at -0.5: no data.
    expect(o.dq![0]).toBe(DQ.noData);
    expect(o.dq![19 * 20 + 19]).toBe(0);
    const l = shiftFrame(f, 0.5, 0, 'lanczos3');
    const t = kernelTaps('lanczos3', 0.5);
    const sw2 = t.weight.reduce((a, b) => a + b * b, 0);
    expect(l.var![10 * 20 + 5]).toBeCloseTo(8 * sw2, 5);
  });

  it('marks everything noData when shifted off the frame', () => {
    const o = shiftFrame({ width: 8, height: 8, sci: new Float32Array(64).fill(1) }, 20, 0);
    expect(o.dq!.every((d) => d === DQ.noData)).toBe(true);
    expect(o.sci.every((v) => v === 0)).toBe(true);
  });
});
