import { describe, expect, it } from 'vitest';
import { divideByFlat, normalizeFlat } from './flat';
import { DQ } from './dq';
import type { Frame } from './frame';
import { part1 } from './reference/part1';

describe('divideByFlat against ccdproc.flat_correct', () => {
  const f = part1.flat;
  const sci: Frame = { width: 16, height: 16, sci: Float32Array.from(f.sci), var: Float32Array.from(f.sci_err, (e) => e * e) };
  const flat: Frame = { width: 16, height: 16, sci: Float32Array.from(f.flat), var: Float32Array.from(f.flat_err, (e) => e * e) };

  it('min_value and mean normalization (ccdproc defaults)', () => {
    const r = divideByFlat(sci, flat, { minValue: f.min_value, normValue: 'mean' });
    r.sci.forEach((v, i) => expect(Math.abs(v - f.flat_corrected[i]) / f.flat_corrected[i]).toBeLessThan(1e-6));
    r.var!.forEach((v, i) => expect(Math.abs(Math.sqrt(v) - f.flat_corrected_err[i]) / f.flat_corrected_err[i]).toBeLessThan(1e-5));
    expect(r.dq!.every((d) => d === 0)).toBe(true);
  });

  it('explicit norm value', () => {
    const r = divideByFlat(sci, flat, { minValue: f.min_value, normValue: 14000 });
    r.sci.forEach((v, i) => expect(Math.abs(v - f.flat_corrected_norm14000[i]) / f.flat_corrected_norm14000[i]).toBeLessThan(1e-6));
  });
});

describe('divideByFlat behaviour', () => {
  it('flat <= 0 or NaN -> 0 and DQ unilluminated; DQ of both ORed', () => {
    const sci: Frame = { width: 4, height: 1, sci: Float32Array.from([10, 10, 10, 10]), dq: Uint16Array.from([1, 0, 0, 0]) };
    const flat: Frame = { width: 4, height: 1, sci: Float32Array.from([2, 0, -1, NaN]), dq: Uint16Array.from([0, 0, 2, 0]) };
    const r = divideByFlat(sci, flat);
    expect(Array.from(r.sci)).toEqual([5, 0, 0, 0]);
    expect(Array.from(r.dq!)).toEqual([1, DQ.unilluminated, DQ.unilluminated | 2, DQ.unilluminated]);
    expect(r.var).toBeUndefined();
  });

  it('minValue rescues low flat pixels', () => {
    const sci: Frame = { width: 2, height: 1, sci: Float32Array.from([10, 10]) };
    const flat: Frame = { width: 2, height: 1, sci: Float32Array.from([-3, 0.1]) };
    const r = divideByFlat(sci, flat, { minValue: 0.5 });
    expect(Array.from(r.sci)).toEqual([20, 20]);
    expect(Array.from(r.dq!)).toEqual([0, 0]);
  });

  it('in place', () => {
    const sci: Frame = { width: 2, height: 1, sci: Float32Array.from([4, 9]), var: Float32Array.from([4, 9]) };
    const flat: Frame = { width: 2, height: 1, sci: Float32Array.from([2, 3]) };
    expect(divideByFlat(sci, flat, { out: sci })).toBe(sci);
    expect(Array.from(sci.sci)).toEqual([2, 3]);
    expect(Array.from(sci.var!)).toEqual([1, 1]);
  });

  it('refuses a flat of another size or a bad norm', () => {
    const a: Frame = { width: 2, height: 1, sci: new Float32Array(2) };
    const b: Frame = { width: 1, height: 2, sci: new Float32Array(2) };
    expect(() => divideByFlat(a, b)).toThrow(/1x2/);
    expect(() => divideByFlat(a, a, { normValue: 0 })).toThrow(/> 0/);
  });
});

describe('normalizeFlat', () => {
  function flatFrame(): Frame {
    const w = 10, h = 10;
    const sci = new Float32Array(w * h);
    for (let i = 0; i < sci.length; i++) sci[i] = 20000 + (i % 7) * 10; // median 20030
    const dq = new Uint16Array(w * h);
    return { width: w, height: h, sci, var: new Float32Array(w * h).fill(20000), dq };
  }

  it('divides by the median, VAR by median^2', () => {
    const f = flatFrame();
    const { frame, norm } = normalizeFlat(f);
    expect(norm).toBe(20030);
    expect(frame.sci[3]).toBeCloseTo(20030 / 20030, 6);
    expect(Math.abs(frame.var![0] / (20000 / 20030 ** 2) - 1)).toBeLessThan(1e-6); // float32 storage
    expect(f.sci[3]).toBe(20030); // input untouched
  });

  it('DQ-flagged and NaN pixels do not move the level', () => {
    const f = flatFrame();
    for (let i = 0; i < 40; i++) f.dq![i] = DQ.bad;
    for (let i = 0; i < 40; i++) f.sci[i] = i < 20 ? 0 : NaN;
    const { norm } = normalizeFlat(f);
    const { norm: ignoring } = normalizeFlat(f, { dqAware: false });
    expect(norm).toBe(20030);
    expect(ignoring).toBeLessThan(20030);
  });

  it('statsec limits the statistic to a region', () => {
    const f = flatFrame();
    for (let y = 0; y < 5; y++) for (let x = 0; x < 10; x++) f.sci[y * 10 + x] = 10000;
    expect(normalizeFlat(f, { statsec: '[1:10,1:5]' }).norm).toBe(10000);
    expect(normalizeFlat(f, { statsec: '[*,6:10]' }).norm).toBeGreaterThan(20000);
  });

  it('mode method and refusal of a non-positive level', () => {
    const f = flatFrame();
    const { norm } = normalizeFlat(f, { method: 'mode' });
    expect(norm).toBeGreaterThan(20000);
    expect(norm).toBeLessThan(20060);
    const z: Frame = { width: 2, height: 1, sci: new Float32Array(2) };
    expect(() => normalizeFlat(z)).toThrow(/cannot normalize flat/);
  });
});
