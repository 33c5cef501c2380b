/**
 * overscanCorrect and trimData on frames whose overscan level per row and
 * data are known: the level subtracted from each row is recovered exactly
 * (error = truth + noise - result), so the fit's error is measured, not
 * guessed.
 */
import { describe, expect, it } from 'vitest';
import { overscanCorrect, trimData } from './overscan';
import { cardOf, defaultsOf, frameCtx, hasCard, makeAstro, makeRng, makeTestFrame, meanOf, recipeValues, rmsOf } from '../testing/frames';
import type { Frame } from '../../kernels/frame';

const DW = 60, OW = 20, H = 100, W = DW + OW;
const truth = (x: number, y: number) => 200 + 10 * Math.sin(x / 5) * Math.cos(y / 7);

/** A raw frame: level(y) in every column, truth in the data columns, Gaussian noise of sigma everywhere. */
function overscanFrame(level: (y: number) => number, sigma: number, seed: number, opts: { ow?: number; contam?: { cols: number; add: number } } = {}) {
  const ow = opts.ow ?? OW, w = DW + ow;
  const rng = makeRng(seed);
  const noise = new Float32Array(w * H);
  for (let i = 0; i < noise.length; i++) noise[i] = sigma * rng.normal();
  const data = makeTestFrame(w, H, (x, y) => {
    let v = level(y) + noise[y * w + x];
    if (x < DW) v += truth(x, y);
    if (opts.contam && x >= DW && x < DW + opts.contam.cols) v += opts.contam.add;
    return v;
  });
  return { data, noise, w };
}

/**
 * The level subtracted from each row minus the true level: truth + noise - result
 * on the data columns (constant along a row, which the test checks).
 */
function rowErrors(after: Frame, noise: Float32Array, w: number): number[] {
  const err: number[] = [];
  for (let y = 0; y < H; y++) {
    const e0 = truth(0, y) + noise[y * w] - after.sci[y * w];
    for (let x = 1; x < DW; x++) {
      const e = truth(x, y) + noise[y * w + x] - after.sci[y * w + x];
      expect(Math.abs(e - e0)).toBeLessThan(1e-3);
    }
    err.push(e0);
  }
  return err;
}

const header = (ow = OW) => ({ BIASSEC: `[${DW + 1}:${DW + ow},1:${H}]`, DATASEC: `[1:${DW},1:${H}]` });

describe('overscanCorrect', () => {
  const smooth = (y: number) => 1000 + 0.08 * y + 1.5 * Math.sin((2 * Math.PI * y) / H);

  it('recovers a smooth, noisy overscan level: auto keeps the spline, better than per-line levels', () => {
    const sigma = 2;
    const lineNoise = (1.2533 * sigma) / Math.sqrt(OW); // error of one line's median level
    const a = overscanFrame(smooth, sigma, 1);
    const f = makeAstro({ exts: [{ data: a.data, header: header() }] });
    const ctx = frameCtx();
    const out = overscanCorrect.run(f, recipeValues('reduceScience', 'overscanCorrect'), ctx);
    expect(out).toBeUndefined();
    expect(ctx.logs.join('\n')).toMatch(/spline fit \(auto/);
    const errAuto = rowErrors(f.exts[0].data, a.noise, a.w);
    // A 6-piece spline over 100 lines averages ~10 lines: well under one line's noise.
    expect(rmsOf(errAuto)).toBeLessThan(0.55 * lineNoise);
    expect(Math.abs(meanOf(errAuto))).toBeLessThan(0.3 * lineNoise);

    const b = overscanFrame(smooth, sigma, 1);
    const g = makeAstro({ exts: [{ data: b.data, header: header() }] });
    overscanCorrect.run(g, recipeValues('reduceScience', 'overscanCorrect', { function: 'none' }), frameCtx());
    const errNone = rowErrors(g.exts[0].data, b.noise, b.w);
    expect(rmsOf(errNone)).toBeGreaterThan(0.75 * lineNoise);
    expect(rmsOf(errNone)).toBeLessThan(1.3 * lineNoise);
    expect(rmsOf(errAuto)).toBeLessThan(rmsOf(errNone));

    // The header says what was subtracted: the mean level (1000 + 0.08 * 49.5), and the rms about the model.
    expect(cardOf(f.exts[0].header, 'OVERSCAN') as number).toBeCloseTo(1000 + 0.08 * 49.5, 0);
    expect(hasCard(f.exts[0].header, 'OVERRMS')).toBe(true);
  });

  it('auto uses per-line levels when the overscan has real row-to-row structure (alternating +-5 ADU)', () => {
    const sigma = 1;
    const alternating = (y: number) => 1000 + (y % 2 ? 5 : -5);
    const a = overscanFrame(alternating, sigma, 2);
    const f = makeAstro({ exts: [{ data: a.data, header: header() }] });
    const ctx = frameCtx();
    overscanCorrect.run(f, recipeValues('reduceScience', 'overscanCorrect'), ctx);
    expect(ctx.logs.join('\n')).toMatch(/each line its own level \(auto/);
    const err = rowErrors(f.exts[0].data, a.noise, a.w);
    expect(rmsOf(err)).toBeLessThan((2 * 1.2533 * sigma) / Math.sqrt(OW));

    // A spline forced on it leaves the +-5 pattern in the data.
    const b = overscanFrame(alternating, sigma, 2);
    const g = makeAstro({ exts: [{ data: b.data, header: header() }] });
    overscanCorrect.run(g, recipeValues('reduceScience', 'overscanCorrect', { function: 'spline' }), frameCtx());
    expect(rmsOf(rowErrors(g.exts[0].data, b.noise, b.w))).toBeGreaterThan(4);
  });

  it('leaves VAR and DQ as they were', () => {
    const a = overscanFrame(() => 500, 1, 3);
    a.data.var = new Float32Array(a.data.sci.length).fill(7);
    a.data.dq = new Uint16Array(a.data.sci.length);
    a.data.dq[5] = 4;
    const f = makeAstro({ exts: [{ data: a.data, header: header() }] });
    overscanCorrect.run(f, defaultsOf(overscanCorrect), frameCtx());
    expect(f.exts[0].data.var!.every((v) => v === 7)).toBe(true);
    expect(f.exts[0].data.dq![5]).toBe(4);
  });

  it('is skipped, with the reason, when there is no BIASSEC, and the pixels are untouched', () => {
    const a = overscanFrame(() => 1000, 1, 4);
    const before = a.data.sci.slice();
    const f = makeAstro({ exts: [{ data: a.data, header: { DATASEC: `[1:${DW},1:${H}]` } }] });
    const out = overscanCorrect.run(f, defaultsOf(overscanCorrect), frameCtx());
    expect(out).toEqual({ skipped: expect.stringMatching(/no BIASSEC/) });
    expect(f.exts[0].data.sci).toEqual(before);
  });

  it('drops nbiascontam strip columns next to the data (charge bled into them)', () => {
    const level = () => 1000;
    // 6 overscan columns, the 3 next to the data 50 ADU high: their median is pulled ~25 ADU up unless dropped.
    const mk = () => overscanFrame(level, 1, 5, { ow: 6, contam: { cols: 3, add: 50 } });
    const a = mk();
    const f = makeAstro({ exts: [{ data: a.data, header: header(6) }] });
    overscanCorrect.run(f, recipeValues('reduceScience', 'overscanCorrect', { nbiascontam: 3 }), frameCtx());
    expect(Math.abs(meanOf(rowErrors(f.exts[0].data, a.noise, a.w)))).toBeLessThan(0.2);

    const b = mk();
    const g = makeAstro({ exts: [{ data: b.data, header: header(6) }] });
    overscanCorrect.run(g, recipeValues('reduceScience', 'overscanCorrect', { nbiascontam: 0 }), frameCtx());
    expect(meanOf(rowErrors(g.exts[0].data, b.noise, b.w))).toBeGreaterThan(10);
  });

  it('takes the overscan from the biassec parameter over the header (or without one)', () => {
    const level = (y: number) => 800 + 0.1 * y;
    const a = overscanFrame(level, 1, 6);
    // The header's BIASSEC wrongly points into the data.
    const f = makeAstro({ exts: [{ data: a.data, header: { BIASSEC: `[1:10,1:${H}]`, DATASEC: `[1:${DW},1:${H}]` } }] });
    overscanCorrect.run(f, recipeValues('reduceScience', 'overscanCorrect', { biassec: `[${DW + 1}:${W},1:${H}]` }), frameCtx());
    expect(rmsOf(rowErrors(f.exts[0].data, a.noise, a.w))).toBeLessThan(0.5);

    const b = overscanFrame(level, 1, 6);
    const g = makeAstro({ exts: [{ data: b.data, header: {} }] });
    const out = overscanCorrect.run(g, recipeValues('reduceScience', 'overscanCorrect', { biassec: `[${DW + 1}:${W},1:${H}]` }), frameCtx());
    expect(out).toBeUndefined();
    expect(rmsOf(rowErrors(g.exts[0].data, b.noise, b.w))).toBeLessThan(0.5);
  });

  it('reads an overscan of rows (parallel overscan above the data) one level per column', () => {
    // 50 columns x (40 data rows + 8 overscan rows on top); the level varies along x, alternating per column.
    const w = 50, dh = 40, oh = 8, h = dh + oh;
    const rng = makeRng(9);
    const noise = Array.from({ length: w * h }, () => rng.normal());
    const level = (x: number) => 700 + 0.2 * x + (x % 2 ? 4 : -4);
    const data = makeTestFrame(w, h, (x, y) => level(x) + noise[y * w + x] + (y < dh ? 50 + x : 0));
    const f = makeAstro({ exts: [{ data, header: { BIASSEC: `[1:${w},${dh + 1}:${h}]`, DATASEC: `[1:${w},1:${dh}]` } }] });
    const ctx = frameCtx();
    overscanCorrect.run(f, recipeValues('reduceScience', 'overscanCorrect'), ctx);
    expect(ctx.logs.join('\n')).toMatch(/by rows, each line its own level/);
    const err: number[] = [];
    for (let x = 0; x < w; x++) err.push(50 + x + noise[x] - f.exts[0].data.sci[x]);
    // One column's median of 8 rows: 1.25 / sqrt(8) ~ 0.44 ADU.
    expect(rmsOf(err)).toBeLessThan(0.75);
  });

  it('corrects each extension from its own BIASSEC and warns about extensions without one', () => {
    const a = overscanFrame(() => 1000, 1, 7);
    const b = overscanFrame(() => 3000, 1, 8);
    const before = b.data.sci.slice();
    const f = makeAstro({ exts: [{ data: a.data, header: header() }, { data: b.data, header: { DATASEC: `[1:${DW},1:${H}]` } }] });
    const ctx = frameCtx();
    overscanCorrect.run(f, defaultsOf(overscanCorrect), ctx);
    expect(Math.abs(meanOf(rowErrors(f.exts[0].data, a.noise, a.w)))).toBeLessThan(0.2);
    expect(f.exts[1].data.sci).toEqual(before);
    expect(ctx.warnings).toEqual([expect.stringMatching(/1 of 2 extensions have no BIASSEC/)]);
  });
});

describe('trimData', () => {
  const w = 70, h = 50;
  const value = (x: number, y: number) => 1000 * y + x;

  it('cuts to TRIMSEC over DATASEC, with VAR and DQ, and rewrites the sections and WCS reference', () => {
    const data = makeTestFrame(w, h, value, { var: (x, y) => value(x, y) + 0.5, dq: (x, y) => (x === 10 && y === 10 ? 8 : 0) });
    const f = makeAstro({
      exts: [{ data, header: { DATASEC: `[1:60,1:${h}]`, BIASSEC: `[61:70,1:${h}]`, TRIMSEC: '[3:58,2:49]', CRPIX1: 30.5, CRPIX2: 20, LTV1: -4 } }],
    });
    const ctx = frameCtx();
    expect(trimData.run(f, recipeValues('reduceScience', 'trimData'), ctx)).toBeUndefined();
    const d = f.exts[0].data;
    expect([d.width, d.height]).toEqual([56, 48]);
    // Output (0, 0) is input (2, 1), 0-based.
    for (const [x, y] of [[0, 0], [55, 47], [7, 8]]) {
      expect(d.sci[y * 56 + x]).toBe(value(x + 2, y + 1));
      expect(d.var![y * 56 + x]).toBe(value(x + 2, y + 1) + 0.5);
    }
    expect(d.dq![9 * 56 + 8]).toBe(8);
    const hd = f.exts[0].header;
    expect(cardOf(hd, 'DATASEC')).toBe('[1:56,1:48]');
    expect(hasCard(hd, 'BIASSEC')).toBe(false);
    expect(hasCard(hd, 'TRIMSEC')).toBe(false);
    expect(cardOf(hd, 'CRPIX1')).toBe(28.5);
    expect(cardOf(hd, 'CRPIX2')).toBe(19);
    // logical = physical + LTV: physical pixel 3 is now pixel 1.
    expect(cardOf(hd, 'LTV1')).toBe(-6);
    expect(cardOf(hd, 'LTV2')).toBe(-1);
  });

  it('uses DATASEC when there is no TRIMSEC', () => {
    const f = makeAstro({ exts: [{ data: makeTestFrame(w, h, value), header: { DATASEC: `[1:60,1:${h}]`, BIASSEC: `[61:70,1:${h}]` } }] });
    trimData.run(f, defaultsOf(trimData), frameCtx());
    expect([f.exts[0].data.width, f.exts[0].data.height]).toEqual([60, h]);
    expect(f.exts[0].data.sci[59]).toBe(59);
    expect(cardOf(f.exts[0].header, 'LTV1')).toBe(0);
    expect(hasCard(f.exts[0].header, 'BIASSEC')).toBe(false);
  });

  it('takes the section parameter over the header', () => {
    const f = makeAstro({ exts: [{ data: makeTestFrame(w, h, value), header: { DATASEC: `[1:60,1:${h}]` } }] });
    trimData.run(f, recipeValues('reduceScience', 'trimData', { section: '[11:20,21:30]' }), frameCtx());
    expect([f.exts[0].data.width, f.exts[0].data.height]).toEqual([10, 10]);
    expect(f.exts[0].data.sci[0]).toBe(value(10, 20));
  });

  it('is skipped without TRIMSEC or DATASEC, the frame kept whole', () => {
    const f = makeAstro({ exts: [{ data: makeTestFrame(w, h, value), header: {} }] });
    expect(trimData.run(f, defaultsOf(trimData), frameCtx())).toEqual({ skipped: expect.stringMatching(/no TRIMSEC or DATASEC/) });
    expect(f.exts[0].data.width).toBe(w);
  });

  it('throws, naming the section, when DATASEC lies outside the image', () => {
    const f = makeAstro({ exts: [{ data: makeTestFrame(w, h, value), header: { DATASEC: `[1:80,1:${h}]` } }] });
    expect(() => trimData.run(f, defaultsOf(trimData), frameCtx())).toThrow(/\[1:80,1:50\]/);
  });
});
