import { describe, expect, it } from 'vitest';
import { collapseStrip, subtractOverscan } from './overscan';
import { parseSection } from './section';
import type { Frame } from './frame';
import { close, f32, part1 } from './reference/part1';

function refFrame(r: { width: number; height: number; data: (number | null)[] }): Frame {
  return { width: r.width, height: r.height, sci: f32(r.data) };
}

// Tolerances (measured against ccdproc 2.4 / astropy.modeling):
// - row/column levels: a median or mean of float32 values in float64, measured
//   exact; LEVEL_REL allows a few ulp of a double for another summation order.
// - fitted models (Chebyshev 6, cubic): measured max |error| 8e-13 and 1.1e-12
//   on levels of ~500 (rel 1.6e-15, both solve the same least squares in
//   float64 by different routes); FIT_ABS is about 10x that.
// - corrected pixels are float32: exactly the float32 rounding of the float64
//   difference (measured 5.2e-5 on ~2000, which is the rounding itself).
const LEVEL_REL = 1e-15;
const FIT_ABS = 1e-11;

describe('subtractOverscan against ccdproc.subtract_overscan', () => {
  const ref = part1.overscan;
  const frame = refFrame(ref);

  it('per-row median levels (function none)', () => {
    const r = subtractOverscan(frame, { biassec: ref.biassec, collapse: 'median', function: 'none' });
    expect(r.orientation).toBe('columns');
    r.levels.forEach((v, i) => expect(close(v, ref.median_levels[i], LEVEL_REL)).toBe(true));
    // Every pixel of a row loses that row's level.
    const y = 10;
    for (let x = 0; x < ref.width; x++) {
      expect(r.frame.sci[y * ref.width + x]).toBe(Math.fround(frame.sci[y * ref.width + x] - r.model[y]));
    }
  });

  it('per-row mean levels', () => {
    const r = subtractOverscan(frame, { biassec: ref.biassec, collapse: 'mean', function: 'none' });
    r.model.forEach((v, i) => expect(close(v, ref.mean_levels[i], LEVEL_REL)).toBe(true));
  });

  it('Chebyshev degree 6 fit of the median levels matches Chebyshev1D(6) to 1e-11', () => {
    const r = subtractOverscan(frame, { biassec: ref.biassec, collapse: 'median', function: 'poly', order: 6 });
    r.model.forEach((v, i) => expect(Math.abs(v - ref.cheb6_median_levels[i])).toBeLessThan(FIT_ABS));
    r.frame.sci.subarray(10 * ref.width, 11 * ref.width).forEach((v, i) =>
      expect(v).toBe(Math.fround(ref.corrected_cheb6_row10[i])), // float32 output of ccdproc's float64 pixel
    );
    expect(r.fit?.kind).toBe('poly');
    expect(close(r.mean, ref.cheb6_median_levels.reduce((s, v) => s + v, 0) / ref.height, 1e-14)).toBe(true); // measured 1.1e-15
    // rms of the row levels about a smooth fit: read noise 3 / sqrt(8 columns) ~ 1, median a bit more.
    expect(r.rms).toBeGreaterThan(0.5);
    expect(r.rms).toBeLessThan(2);
  });

  it('cubic polynomial fit of the mean levels matches Polynomial1D(3)', () => {
    const r = subtractOverscan(frame, { biassec: ref.biassec, collapse: 'mean', function: 'poly', order: 3 });
    r.model.forEach((v, i) => expect(Math.abs(v - ref.poly3_mean_levels[i])).toBeLessThan(FIT_ABS));
  });

  it('overscan rows give one level per column', () => {
    const rr = part1.overscan_rows;
    const r = subtractOverscan(refFrame(rr), { biassec: rr.biassec, function: 'none' });
    expect(r.orientation).toBe('rows');
    expect(r.levels.length).toBe(rr.width);
    r.levels.forEach((v, i) => expect(close(v, rr.median_levels[i], LEVEL_REL)).toBe(true));
  });
});

describe('subtractOverscan behaviour', () => {
  // 12 x 20 frame: data columns 0..7, overscan columns 8..11 at level 100 + row.
  function synth(): Frame {
    const w = 12, h = 20;
    const sci = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) sci[y * w + x] = 100 + y + (x < 8 ? 1000 : 0);
      sci[y * w + 8] += 500; // contaminated column next to the data
    }
    return { width: w, height: h, sci };
  }

  it('nbiascontam drops the strip columns next to the data', () => {
    const f = synth();
    const contaminated = subtractOverscan(f, { biassec: '[9:12,1:20]', collapse: 'mean', function: 'none' });
    expect(contaminated.levels[0]).toBe(225);
    const r = subtractOverscan(f, { biassec: '[9:12,1:20]', collapse: 'mean', function: 'none', nbiascontam: 1 });
    expect(r.strip).toMatchObject({ x0: 9, x1: 12 });
    expect(Array.from(r.levels)).toEqual(Array.from({ length: 20 }, (_, y) => 100 + y));
    expect(r.frame.sci[5 * 12 + 3]).toBe(1000);
    // A strip on the left of the data loses its right-hand columns instead.
    const left = subtractOverscan(f, { biassec: '[1:4,1:20]', function: 'none', nbiascontam: 1 });
    expect(left.strip).toMatchObject({ x0: 0, x1: 3 });
    expect(() => subtractOverscan(f, { biassec: '[9:12,1:20]', nbiascontam: 4 })).toThrow(/leaves no overscan/);
  });

  it('a linear ramp is reproduced by poly and spline fits', () => {
    const f = synth();
    for (const fn of ['poly', 'spline'] as const) {
      const r = subtractOverscan(f, { biassec: '[10:12,1:20]', function: fn, order: 3 });
      r.model.forEach((v, y) => expect(v).toBeCloseTo(100 + y, 6));
      expect(r.frame.sci[7 * 12]).toBeCloseTo(1000, 3);
      expect(r.rms).toBeLessThan(1e-6);
    }
  });

  it('rejects deviant rows with lsigma/hsigma/niter', () => {
    const f = synth();
    for (let x = 9; x < 12; x++) f.sci[13 * 12 + x] += 80; // a bad row in the overscan
    const plain = subtractOverscan(f, { biassec: '[10:12,1:20]', function: 'poly', order: 1 });
    expect(Math.abs(plain.model[5] - 105)).toBeGreaterThan(1);
    const r = subtractOverscan(f, { biassec: '[10:12,1:20]', function: 'poly', order: 1, niter: 3, lsigma: 3, hsigma: 3 });
    expect(r.rejected[13]).toBe(1);
    expect(r.model[13]).toBeCloseTo(113, 6);
    expect(r.model[5]).toBeCloseTo(105, 6);
  });

  it('ignores NaN and DQ-flagged strip pixels; VAR and DQ pass through', () => {
    const f = synth();
    f.dq = new Uint16Array(f.sci.length);
    f.var = new Float32Array(f.sci.length).fill(2);
    f.sci[3 * 12 + 10] = NaN;
    f.sci[4 * 12 + 11] = 1e6;
    f.dq[4 * 12 + 11] = 8;
    const r = subtractOverscan(f, { biassec: '[10:12,1:20]', collapse: 'mean', function: 'none' });
    expect(r.levels[3]).toBe(103);
    expect(r.levels[4]).toBe(104);
    expect(r.frame.dq![4 * 12 + 11]).toBe(8);
    expect(r.frame.var![0]).toBe(2);
    expect(r.frame.dq).not.toBe(f.dq);
    expect(f.sci[0]).toBe(1100); // input untouched
  });

  it('works in place with out = frame', () => {
    const f = synth();
    const r = subtractOverscan(f, { biassec: '[10:12,1:20]', function: 'none', out: f });
    expect(r.frame).toBe(f);
    expect(f.sci[0]).toBe(1000);
  });

  it('collapseStrip gives NaN for a line with no good pixel', () => {
    const f = synth();
    f.sci[0 * 12 + 11] = NaN;
    const lv = collapseStrip(f, parseSection('[12:12,1:20]'), 'columns', 'median');
    expect(lv[0]).toBeNaN();
    expect(lv[1]).toBe(101);
  });

  it('refuses a BIASSEC outside the frame', () => {
    expect(() => subtractOverscan(synth(), { biassec: '[10:13,1:20]' })).toThrow(/outside/);
  });
});
