import { describe, expect, it } from 'vitest';
import {
  add, addConstant, addShotNoise, addVarianceFromNoise, applyBadPixelMask, divide, flagSaturated, multiply, scale, subtract, toElectrons,
} from './arith';
import { DQ } from './dq';
import type { Frame } from './frame';
import { part1 } from './reference/part1';

function frame(sci: number[], v?: number[], dq?: number[]): Frame {
  return {
    width: sci.length, height: 1, sci: Float32Array.from(sci),
    var: v && Float32Array.from(v), dq: dq && Uint16Array.from(dq),
  };
}

describe('arithmetic with VAR and DQ', () => {
  it('subtract: Va + Vb, DQ OR', () => {
    const r = subtract(frame([10, 20], [1, 2], [1, 0]), frame([3, 4], [0.5, 0.25], [4, 8]));
    expect(Array.from(r.sci)).toEqual([7, 16]);
    expect(Array.from(r.var!)).toEqual([1.5, 2.25]);
    expect(Array.from(r.dq!)).toEqual([5, 8]);
  });

  it('add with one side lacking VAR and DQ', () => {
    const r = add(frame([1, 2]), frame([3, 4], [1, 1], [0, 2]));
    expect(Array.from(r.sci)).toEqual([4, 6]);
    expect(Array.from(r.var!)).toEqual([1, 1]);
    expect(Array.from(r.dq!)).toEqual([0, 2]);
    expect(add(frame([1]), frame([2])).var).toBeUndefined();
  });

  it('in place on a frame without VAR and DQ: the other side\'s planes, copied', () => {
    const a = frame([10, 20]);
    const b = frame([3, 4], [0.5, 0.25], [4, 8]);
    expect(subtract(a, b, a)).toBe(a);
    expect(Array.from(a.sci)).toEqual([7, 16]);
    expect(Array.from(a.var!)).toEqual([0.5, 0.25]);
    expect(Array.from(a.dq!)).toEqual([4, 8]);
    expect(a.var).not.toBe(b.var);
    expect(a.dq).not.toBe(b.dq);
    const m = frame([2, 3]);
    multiply(m, frame([5, 7], [1, 2], [1, 0]), m);
    expect(Array.from(m.var!)).toEqual([4, 18]);
    expect(Array.from(m.dq!)).toEqual([1, 0]);
  });

  it('multiply: Va b^2 + Vb a^2', () => {
    const r = multiply(frame([2], [3]), frame([5], [7]));
    expect(r.sci[0]).toBe(10);
    expect(r.var![0]).toBe(3 * 25 + 7 * 4);
  });

  it('divide: Va/b^2 + a^2 Vb/b^4; zero divisor -> 0 and DQ noData', () => {
    const r = divide(frame([6, 1, 2], [4, 1, 1], [1, 0, 0]), frame([2, 0, NaN], [1, 1, 1]));
    expect(r.sci[0]).toBe(3);
    expect(r.var![0]).toBeCloseTo(4 / 4 + (36 * 1) / 16, 6);
    expect(r.dq![0]).toBe(1);
    expect(r.sci[1]).toBe(0);
    expect(r.var![1]).toBe(0);
    expect(r.dq![1]).toBe(DQ.noData);
    expect(r.dq![2]).toBe(DQ.noData);
  });

  it('scale: k^2 Va; addConstant keeps VAR', () => {
    const a = frame([1, -2], [2, 3], [0, 4]);
    const s = scale(a, -3);
    expect(Array.from(s.sci)).toEqual([-3, 6]);
    expect(Array.from(s.var!)).toEqual([18, 27]);
    expect(Array.from(s.dq!)).toEqual([0, 4]);
    const c = addConstant(a, 10);
    expect(Array.from(c.sci)).toEqual([11, 8]);
    expect(Array.from(c.var!)).toEqual([2, 3]);
  });

  it('in place and into another frame', () => {
    const a = frame([10, 20], [1, 1], [0, 1]);
    const b = frame([1, 2], [1, 1], [2, 0]);
    expect(subtract(a, b, a)).toBe(a);
    expect(Array.from(a.sci)).toEqual([9, 18]);
    expect(Array.from(a.var!)).toEqual([2, 2]);
    expect(Array.from(a.dq!)).toEqual([2, 1]);
    const out = frame([0, 0], [9, 9], [9, 9]);
    divide(frame([4, 4]), frame([2, 4]), out);
    expect(Array.from(out.sci)).toEqual([2, 1]);
    expect(out.var).toBeUndefined(); // stale VAR not kept
    expect(Array.from(out.dq!)).toEqual([0, 0]);
    const m = frame([3, 4], [1, 1]);
    multiply(m, m, m);
    expect(Array.from(m.sci)).toEqual([9, 16]);
    expect(Array.from(m.var!)).toEqual([18, 32]);
  });

  it('refuses frames of different size', () => {
    expect(() => subtract(frame([1, 2]), frame([1]))).toThrow(/differ in size/);
  });

  it('ccdproc.subtract_bias numbers', () => {
    const f = part1.flat;
    const sci = { width: 16, height: 16, sci: Float32Array.from(f.sci), var: Float32Array.from(f.sci_err, (e) => e * e) };
    const bias = { width: 16, height: 16, sci: Float32Array.from(f.bias), var: Float32Array.from(f.bias_err, (e) => e * e) };
    const r = subtract(sci, bias);
    r.sci.forEach((v, i) => expect(Math.abs(v - f.bias_subtracted[i])).toBeLessThan(1e-4));
    r.var!.forEach((v, i) => expect(Math.abs(Math.sqrt(v) - f.bias_subtracted_err[i])).toBeLessThan(1e-5));
  });
});

describe('units, noise and flags', () => {
  it('toElectrons multiplies sci by g and VAR by g^2', () => {
    const r = toElectrons(frame([10], [4]), 2.5);
    expect(r.sci[0]).toBe(25);
    expect(r.var![0]).toBe(25);
    expect(() => toElectrons(frame([1]), 0)).toThrow(RangeError);
  });

  it('addVarianceFromNoise in electrons: rn^2 + max(sci, 0), added to existing VAR', () => {
    const f = frame([100, -50, NaN]);
    addVarianceFromNoise(f, { readNoise: 5 });
    expect(Array.from(f.var!.subarray(0, 2))).toEqual([125, 25]);
    expect(f.var![2]).toBe(25);
    addVarianceFromNoise(f, { readNoise: 0 });
    expect(f.var![0]).toBe(225);
    const g = frame([100]);
    addVarianceFromNoise(g, { readNoise: 5, poissonFromData: false });
    expect(g.var![0]).toBe(25);
  });

  it('addVarianceFromNoise in ADU: (rn/g)^2 + max(sci, 0)/g', () => {
    const f = frame([100]);
    addVarianceFromNoise(f, { readNoise: 6, gain: 2, bunit: 'adu' });
    expect(f.var![0]).toBe(9 + 50);
    // Same pixel in electrons: 200 e-, VAR 36 + 200 = 4 * (9 + 50).
    const e = toElectrons(frame([100]), 2);
    addVarianceFromNoise(e, { readNoise: 6 });
    expect(e.var![0]).toBe(4 * f.var![0]);
  });

  it('addShotNoise adds max(counts, 0) x perCount to VAR (made when absent); non-finite counts add nothing', () => {
    const f = frame([0, 0, 0, 0, 0], [1, 1, 1, 1, 1]);
    addShotNoise(f, frame([100, -20, NaN, Infinity, 3]), 0.5);
    expect(Array.from(f.var!)).toEqual([51, 1, 1, 1, 2.5]);
    const g = frame([7]);
    addShotNoise(g, frame([40]), 1);
    expect(g.var![0]).toBe(40);
    expect(g.sci[0]).toBe(7);
    expect(() => addShotNoise(g, frame([1, 2]), 1)).toThrow(/2 counts for 1 pixels/);
    expect(() => addShotNoise(g, frame([1]), 0)).toThrow(RangeError);
  });

  it('addShotNoise with an excess counts only what stands above the level by more than sigmas x the dark\'s noise', () => {
    const f = frame([0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]);
    // Level 100, dark VAR 4 (sigma 2): 3 sigmas = 6 above it. NaN and below-level pixels add nothing.
    const dark = frame([100, 105, 107, 300, NaN, 90], [4, 4, 4, 4, 4, 4]);
    addShotNoise(f, dark, 0.5, { level: 100, sigmas: 3, spread: 0 });
    expect(Array.from(f.var!)).toEqual([1, 1, 4.5, 101, 1, 1]);
    // Without a dark VAR any excess counts.
    const g = frame([0, 0]);
    addShotNoise(g, frame([101, 99]), 1, { level: 100, sigmas: 3, spread: 0 });
    expect(Array.from(g.var!)).toEqual([1, 0]);
    // A spread of 4 about the level (fixed pattern): 3 x 4 = 12 above it, whatever the VAR says.
    const h = frame([0, 0, 0], [0, 0, 0]);
    addShotNoise(h, frame([110, 113, 113], [4, 4, 100]), 1, { level: 100, sigmas: 3, spread: 4 });
    expect(Array.from(h.var!)).toEqual([0, 13, 0]);
  });

  it('flagSaturated sets 4 at/above saturation and 2 above the non-linear level', () => {
    const f = frame([100, 40000, 50000, 65535], undefined, [1, 0, 0, 0]);
    expect(flagSaturated(f, 50000, { nonLinear: 40000 })).toEqual({ saturated: 2, nonLinear: 1 });
    expect(Array.from(f.dq!)).toEqual([1, DQ.nonLinear, DQ.saturated, DQ.saturated]);
    const g = frame([1, 2]);
    flagSaturated(g, 2);
    expect(Array.from(g.dq!)).toEqual([0, 4]);
  });

  it('applyBadPixelMask: 0/1 bytes get DQ.bad, a DQ-bits mask is ORed as is', () => {
    const f = frame([1, 2, 3], undefined, [8, 0, 0]);
    expect(applyBadPixelMask(f, Uint8Array.from([1, 0, 1]))).toBe(2);
    expect(Array.from(f.dq!)).toEqual([9, 0, 1]);
    applyBadPixelMask(f, Uint16Array.from([0, 64, 2]));
    expect(Array.from(f.dq!)).toEqual([9, 64, 3]);
    expect(() => applyBadPixelMask(f, new Uint8Array(2))).toThrow(/3/);
  });
});
