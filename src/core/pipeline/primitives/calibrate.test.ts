/**
 * subtractBias, subtractDark and flatCorrect with the calibration handed in
 * through the context: values, VAR propagation (uncorrelated errors) and DQ
 * OR, unit conversion of a master in electrons, exposure scaling of darks,
 * and the errors and skips around them.
 */
import { describe, expect, it } from 'vitest';
import { DQ } from '../../kernels/dq';
import { flatCorrect, subtractBias, subtractDark } from './calibrate';
import { MEASURED_READ_NOISE_ADU } from './readNoise';
import { cardOf, defaultsOf, frameCtx, hasCard, makeAstro, makeTestFrame } from '../testing/frames';

const W = 12, H = 9;
const idx = (x: number, y: number) => y * W + x;

function science(primary: Record<string, string | number> = {}, bunit: 'adu' | 'electron' = 'adu') {
  return makeAstro({
    name: 'sci.fits',
    primary,
    bunit,
    exts: [{ data: makeTestFrame(W, H, (x, y) => 1000 + 10 * x + y, { var: 4, dq: (x, y) => (x === 1 && y === 1 ? DQ.saturated : 0) }) }],
  });
}

function master(name: string, sci: (x: number, y: number) => number, v: number, opts: { bunit?: 'adu' | 'electron'; primary?: Record<string, string | number>; badAt?: [number, number]; w?: number; h?: number } = {}) {
  return makeAstro({
    name,
    primary: opts.primary ?? {},
    bunit: opts.bunit ?? 'adu',
    exts: [{ data: makeTestFrame(opts.w ?? W, opts.h ?? H, sci, { var: v, dq: (x, y) => (opts.badAt && x === opts.badAt[0] && y === opts.badAt[1] ? DQ.bad : 0) }) }],
  });
}

describe('subtractBias', () => {
  it('subtracts the master, adds its VAR and ORs its DQ; BIASIM names it', () => {
    const f = science();
    const bias = master('bias_master.fits', (x, y) => 100 + 2 * y - x, 0.25, { badAt: [1, 1] });
    const ctx = frameCtx({ bias });
    expect(subtractBias.run(f, {}, ctx)).toBeUndefined();
    const d = f.exts[0].data;
    for (const [x, y] of [[0, 0], [11, 8], [5, 3]]) {
      expect(d.sci[idx(x, y)]).toBe(1000 + 10 * x + y - (100 + 2 * y - x));
      expect(d.var![idx(x, y)]).toBeCloseTo(4.25, 6);
    }
    expect(d.dq![idx(1, 1)]).toBe(DQ.saturated | DQ.bad);
    expect(d.dq![idx(2, 1)]).toBe(0);
    expect(cardOf(f.primary, 'BIASIM')).toBe('bias_master.fits');
    // The master itself is not changed (the engine caches it for the next frame).
    expect(bias.exts[0].data.sci[0]).toBe(100);
    expect(bias.exts[0].data.var![0]).toBe(0.25);
  });

  it('gives a frame whose header has no read noise the master\'s (RDNOISE), and leaves a frame\'s own', () => {
    const bias = master('bias_master.fits', () => 100, 0.25, { primary: { RDNOISE: 9 } });
    const f = science();
    const ctx = frameCtx({ bias });
    subtractBias.run(f, {}, ctx);
    expect(cardOf(f.exts[0].header, 'RDNOISE')).toBe(9);
    expect(cardOf(f.primary, 'RDNOISE')).toBe(9);
    expect(ctx.logs).toContainEqual(expect.stringMatching(/read noise 9 e- from bias_master.fits/));
    const own = science({ READNOIS: 7 });
    subtractBias.run(own, {}, frameCtx({ bias }));
    expect(hasCard(own.primary, 'RDNOISE')).toBe(false);
    expect(hasCard(own.exts[0].header, 'RDNOISE')).toBe(false);
    const neither = science();
    subtractBias.run(neither, {}, frameCtx({ bias: master('plain.fits', () => 100, 0.25) }));
    expect(hasCard(neither.primary, 'RDNOISE')).toBe(false);
  });

  it("keeps the unit of a master's read noise measured in ADU (no gain known then), and says it", () => {
    const bias = master('bias_master.fits', () => 100, 0.25);
    bias.primary.push({ key: 'RDNOISE', value: 8, comment: MEASURED_READ_NOISE_ADU });
    const f = science();
    const ctx = frameCtx({ bias });
    subtractBias.run(f, {}, ctx);
    for (const cards of [f.primary, f.exts[0].header]) expect(cards.find((c) => c.key === 'RDNOISE')).toEqual({ key: 'RDNOISE', value: 8, comment: 'ADU, from master bias bias_master.fits' });
    expect(ctx.logs).toContainEqual(expect.stringMatching(/read noise 8 ADU from bias_master.fits/));
  });

  it('is skipped when there is no master bias, and writes no BIASIM', () => {
    const f = science();
    const before = f.exts[0].data.sci.slice();
    expect(subtractBias.run(f, {}, frameCtx())).toEqual({ skipped: 'no master bias' });
    expect(f.exts[0].data.sci).toEqual(before);
    expect(hasCard(f.primary, 'BIASIM')).toBe(false);
  });

  it('refuses a master of another shape with an error naming both frames and both shapes', () => {
    const f = science();
    const bias = master('bias_small.fits', () => 100, 0, { w: 10, h: 9 });
    expect(() => subtractBias.run(f, {}, frameCtx({ bias }))).toThrow(/bias_small\.fits is 10x9 where sci\.fits \(ext 1\) is 12x9/);
  });

  it('converts a master in electrons to the frame\'s ADU with the frame\'s gain', () => {
    const f = science({ GAIN: 2 });
    const bias = master('bias_e.fits', () => 200, 1, { bunit: 'electron' });
    const ctx = frameCtx({ bias });
    subtractBias.run(f, {}, ctx);
    // 200 e- at 2 e-/ADU is 100 ADU; its VAR 1 e-^2 is 0.25 ADU^2.
    expect(f.exts[0].data.sci[idx(3, 2)]).toBe(1000 + 30 + 2 - 100);
    expect(f.exts[0].data.var![idx(3, 2)]).toBeCloseTo(4.25, 6);
    expect(ctx.logs.join('\n')).toMatch(/converted with gain 2/);
  });

  it('fails rather than subtract numbers of another unit when there is no gain', () => {
    const f = science();
    const bias = master('bias_e.fits', () => 200, 1, { bunit: 'electron' });
    expect(() => subtractBias.run(f, {}, frameCtx({ bias }))).toThrow(/bias_e\.fits is in electron but sci\.fits is in adu, and there is no gain/);
  });

  it('pairs extensions by EXTVER', () => {
    const f = makeAstro({
      name: 'mef.fits',
      exts: [{ extver: 1, data: makeTestFrame(4, 4, 500) }, { extver: 2, data: makeTestFrame(4, 4, 700) }],
    });
    const bias = makeAstro({ name: 'b.fits', exts: [{ extver: 2, data: makeTestFrame(4, 4, 70) }, { extver: 1, data: makeTestFrame(4, 4, 50) }] });
    subtractBias.run(f, {}, frameCtx({ bias }));
    expect(f.exts[0].data.sci[0]).toBe(450);
    expect(f.exts[1].data.sci[0]).toBe(630);
  });
});

describe('subtractDark', () => {
  const dark = (exptime: number, rate = 0.5) => master('dark_master.fits', (x) => rate * exptime * (1 + x / 10), 0.01 * exptime, { primary: { EXPTIME: exptime } });

  it('subtracts a dark of the same exposure as it is; DARKIM names it', () => {
    const f = science({ EXPTIME: 100 });
    const ctx = frameCtx({ dark: dark(100) });
    subtractDark.run(f, defaultsOf(subtractDark), ctx);
    expect(f.exts[0].data.sci[idx(4, 0)]).toBeCloseTo(1040 - 50 * 1.4, 3);
    expect(f.exts[0].data.var![idx(4, 0)]).toBeCloseTo(5, 5);
    expect(cardOf(f.primary, 'DARKIM')).toBe('dark_master.fits');
    expect(hasCard(f.primary, 'DARKSCL')).toBe(false);
    expect(ctx.warnings).toEqual([]);
  });

  it('adds the shot noise of the dark current it takes out where a bias took the level out first', () => {
    // 50 (1 + x/10) ADU of dark current at gain 2: 100 (1 + x/10) electrons detected, whose Poisson
    // variance (in ADU^2: counts / gain) the frame's VAR must hold on top of the master's.
    const f = science({ EXPTIME: 100, GAIN: 2 });
    f.meta.levelRemoved = 'bias';
    const ctx = frameCtx({ dark: dark(100) });
    subtractDark.run(f, defaultsOf(subtractDark), ctx);
    expect(f.exts[0].data.sci[idx(4, 0)]).toBeCloseTo(1040 - 70, 3);
    expect(f.exts[0].data.var![idx(4, 0)]).toBeCloseTo(4 + 1 + 70 / 2, 4);
    expect(f.exts[0].data.var![idx(0, 0)]).toBeCloseTo(4 + 1 + 50 / 2, 4);
    expect(ctx.logs).toContainEqual(expect.stringMatching(/shot noise of the dark current/));
    // Scaled to 300 s: three times the counts, so three times their shot noise (the master's VAR by 9).
    const g = science({ EXPTIME: 300, GAIN: 2 });
    g.meta.levelRemoved = 'overscan';
    subtractDark.run(g, defaultsOf(subtractDark, { scale: true }), frameCtx({ dark: dark(100) }));
    expect(g.exts[0].data.var![idx(4, 0)]).toBeCloseTo(4 + 9 + (3 * 70) / 2, 3);
    // A frame in electrons: the counts are electrons already (the dark converted by the gain).
    const e = science({ EXPTIME: 100, GAIN: 2 }, 'electron');
    e.meta.levelRemoved = 'bias';
    subtractDark.run(e, defaultsOf(subtractDark), frameCtx({ dark: dark(100) }));
    expect(e.exts[0].data.var![idx(4, 0)]).toBeCloseTo(4 + 4 * 1 + 140, 3);
  });

  it('counts the shot noise in electrons through the gain ADUToElectrons will apply: its parameter before the header', () => {
    // A CMOS header: GAIN is a setting (with OFFSET), no e-/ADU; the user gives ADUToElectrons 4 e-/ADU.
    const f = science({ EXPTIME: 100, GAIN: 120, OFFSET: 30 });
    f.meta.levelRemoved = 'bias';
    const ctx = { ...frameCtx({ dark: dark(100) }), laterValues: (name: string) => (name === 'ADUToElectrons' ? { gain: 4 } : undefined) };
    subtractDark.run(f, defaultsOf(subtractDark), ctx);
    expect(f.exts[0].data.var![idx(4, 0)]).toBeCloseTo(4 + 1 + 70 / 4, 4);
    // Without the parameter, and no e-/ADU in the header: the 1 e-/ADU ADUToElectrons will take (and warn of).
    const g = science({ EXPTIME: 100, GAIN: 120, OFFSET: 30 });
    g.meta.levelRemoved = 'bias';
    subtractDark.run(g, defaultsOf(subtractDark), frameCtx({ dark: dark(100) }));
    expect(g.exts[0].data.var![idx(4, 0)]).toBeCloseTo(4 + 1 + 70, 4);
  });

  it('adds no shot noise when asked not to', () => {
    const off = science({ EXPTIME: 100, GAIN: 2 });
    off.meta.levelRemoved = 'bias';
    subtractDark.run(off, defaultsOf(subtractDark, { shotNoise: false }), frameCtx({ dark: dark(100) }));
    expect(off.exts[0].data.var![idx(4, 0)]).toBeCloseTo(5, 5);
  });

  it('of a dark that holds the level (no bias), counts only what stands out of it by 3 of its sigmas: a hot pixel', () => {
    // A CMOS dark: 500 ADU of level and typical dark current, VAR 1 ADU^2, a hot pixel 400 ADU above it
    // and a pixel 2 ADU above (2 sigmas: noise as likely as dark current, not counted).
    const cmosDark = master('dark_cmos.fits', (x, y) => 500 + (x === 5 && y === 5 ? 400 : x === 6 && y === 5 ? 2 : 0), 1, { primary: { EXPTIME: 100 } });
    const f = science({ EXPTIME: 100, GAIN: 2 });
    const ctx = frameCtx({ dark: cmosDark });
    subtractDark.run(f, defaultsOf(subtractDark), ctx);
    const v = f.exts[0].data.var!;
    expect(v[idx(5, 5)]).toBeCloseTo(4 + 1 + 400 / 2, 4);
    expect(v[idx(6, 5)]).toBeCloseTo(5, 5);
    expect(v[idx(0, 0)]).toBeCloseTo(5, 5);
    expect(f.meta.levelRemoved).toBe('dark');
    expect(ctx.logs).toContainEqual(expect.stringMatching(/where it stands above the dark's level/));
  });

  it('scales the dark by the exposure ratio when asked (VAR by its square)', () => {
    const f = science({ EXPTIME: 300 });
    const ctx = frameCtx({ dark: dark(100) });
    subtractDark.run(f, defaultsOf(subtractDark, { scale: true }), ctx);
    // Dark of 100 s holds 50 (1 + x/10); at 300 s it is three times that.
    expect(f.exts[0].data.sci[idx(4, 0)]).toBeCloseTo(1040 - 150 * 1.4, 3);
    expect(f.exts[0].data.var![idx(4, 0)]).toBeCloseTo(4 + 9 * 1, 4);
    expect(cardOf(f.primary, 'DARKSCL')).toBe(3);
    expect(ctx.warnings).toEqual([]);
  });

  it('takes the frame\'s exposure from meta (what the engine measured) before its header', () => {
    const f = science({ EXPTIME: 999 });
    f.meta.exptime = 200;
    subtractDark.run(f, defaultsOf(subtractDark, { scale: true }), frameCtx({ dark: dark(100) }));
    expect(cardOf(f.primary, 'DARKSCL')).toBe(2);
  });

  it('warns when exposures differ and scaling is off, and subtracts the dark unscaled', () => {
    const f = science({ EXPTIME: 300 });
    const ctx = frameCtx({ dark: dark(100) });
    subtractDark.run(f, defaultsOf(subtractDark), ctx);
    expect(f.exts[0].data.sci[idx(4, 0)]).toBeCloseTo(1040 - 50 * 1.4, 3);
    expect(ctx.warnings).toHaveLength(1);
    expect(ctx.warnings[0]).toMatch(/100 s exposure.*300 s.*scaling is off/);
  });

  it('cannot scale without exposure times', () => {
    const f = science();
    expect(() => subtractDark.run(f, defaultsOf(subtractDark, { scale: true }), frameCtx({ dark: dark(100) }))).toThrow(/exposure time unknown/);
  });

  it('converts a dark in electrons to ADU by the gain, after scaling', () => {
    const f = science({ EXPTIME: 200, GAIN: 4 });
    const d = master('dark_e.fits', () => 40, 16, { bunit: 'electron', primary: { EXPTIME: 100 } });
    subtractDark.run(f, defaultsOf(subtractDark, { scale: true }), frameCtx({ dark: d }));
    // 40 e- / 4 = 10 ADU per 100 s -> 20 ADU at 200 s; VAR 16/16 * 4 = 4.
    expect(f.exts[0].data.sci[idx(0, 0)]).toBeCloseTo(980, 4);
    expect(f.exts[0].data.var![idx(0, 0)]).toBeCloseTo(8, 4);
  });

  it('is skipped when there is no dark', () => {
    expect(subtractDark.run(science(), defaultsOf(subtractDark), frameCtx())).toEqual({ skipped: 'no master dark' });
  });

  it('refuses a dark of another shape, naming both', () => {
    const d = master('dark_big.fits', () => 1, 0, { w: 12, h: 10, primary: { EXPTIME: 1 } });
    expect(() => subtractDark.run(science({ EXPTIME: 1 }), defaultsOf(subtractDark), frameCtx({ dark: d }))).toThrow(/dark_big\.fits is 12x10 where sci\.fits \(ext 1\) is 12x9/);
  });
});

describe('flatCorrect', () => {
  const flatOf = (v: number, badAt?: [number, number]) => master('flat_master.fits', (x, y) => (x === 0 && y === 0 ? 0 : 0.5 + x / 22), v, { badAt });

  it('divides by the flat with VAR = Vs/f^2 + s^2 Vf/f^4 and DQ OR; FLATIM names it', () => {
    const f = science({}, 'electron');
    flatCorrect.run(f, defaultsOf(flatCorrect), frameCtx({ flat: flatOf(1e-4, [3, 3]) }));
    const d = f.exts[0].data;
    for (const [x, y] of [[11, 8], [3, 3], [6, 2]]) {
      const s = 1000 + 10 * x + y, fl = 0.5 + x / 22;
      expect(d.sci[idx(x, y)]).toBeCloseTo(s / fl, 2);
      expect(d.var![idx(x, y)]).toBeCloseTo(4 / fl ** 2 + (s * s * 1e-4) / fl ** 4, 1);
    }
    expect(d.dq![idx(3, 3)]).toBe(DQ.bad);
    expect(d.dq![idx(1, 1)]).toBe(DQ.saturated);
    expect(cardOf(f.primary, 'FLATIM')).toBe('flat_master.fits');
  });

  it('marks pixels where the flat is not positive as unilluminated (DQ 64), value 0', () => {
    const f = science({}, 'electron');
    flatCorrect.run(f, defaultsOf(flatCorrect), frameCtx({ flat: flatOf(0) }));
    expect(f.exts[0].data.sci[0]).toBe(0);
    expect(f.exts[0].data.dq![0]).toBe(DQ.unilluminated);
  });

  it('raises flat values below minValue to it before dividing', () => {
    const f = science({}, 'electron');
    flatCorrect.run(f, defaultsOf(flatCorrect, { minValue: 0.6 }), frameCtx({ flat: flatOf(0) }));
    expect(f.exts[0].data.sci[0]).toBeCloseTo(1000 / 0.6, 2);
    expect(f.exts[0].data.sci[idx(1, 0)]).toBeCloseTo(1010 / 0.6, 2);
    expect(f.exts[0].data.sci[idx(5, 0)]).toBeCloseTo(1050 / (0.5 + 5 / 22), 2);
    expect(f.exts[0].data.dq![0]).toBe(0);
  });

  it('is skipped without a flat, and refuses one of another shape', () => {
    expect(flatCorrect.run(science(), defaultsOf(flatCorrect), frameCtx())).toEqual({ skipped: 'no master flat' });
    const small = master('flat_small.fits', () => 1, 0, { w: 6, h: 9 });
    expect(() => flatCorrect.run(science(), defaultsOf(flatCorrect), frameCtx({ flat: small }))).toThrow(/flat_small\.fits is 6x9 where sci\.fits \(ext 1\) is 12x9/);
  });
});

describe('SATURATE follows the pixels through the calibrations', () => {
  const RAW_SAT = 60000;
  /** A frame whose extension (and primary: one extension keeps it there too) says SATURATE 60000. */
  const saturated = () => {
    const f = science({ SATURATE: RAW_SAT });
    f.exts[0].header.push({ key: 'SATURATE', value: RAW_SAT });
    return f;
  };
  const levels = (f: ReturnType<typeof science>) => [cardOf(f.exts[0].header, 'SATURATE'), cardOf(f.primary, 'SATURATE')];

  it('less the master bias at its median, once in each header', () => {
    const f = saturated();
    // Median 100: half the pixels at 90, half at 110 and the middle one at 100.
    const bias = master('b.fits', (x, y) => (idx(x, y) < (W * H) / 2 - 1 ? 90 : idx(x, y) > (W * H) / 2 ? 110 : 100), 0.25);
    subtractBias.run(f, {}, frameCtx({ bias }));
    expect(levels(f)).toEqual([RAW_SAT - 100, RAW_SAT - 100]);
  });

  it('less the dark as subtracted: scaled by the exposure ratio', () => {
    const f = saturated();
    f.primary.push({ key: 'EXPTIME', value: 20 });
    const dark = master('d.fits', () => 7, 0.5, { primary: { EXPTIME: 10 } });
    subtractDark.run(f, { scale: true }, frameCtx({ dark }));
    expect(levels(f)).toEqual([RAW_SAT - 14, RAW_SAT - 14]);
  });

  it('over the flat where it is highest, its flagged pixels aside; unchanged when every pixel is flagged', () => {
    const f = saturated();
    const flat = master('f.fits', (x, y) => (x === 3 && y === 3 ? 1.2 : x === 5 && y === 5 ? 9 : 1), 0.001, { badAt: [5, 5] });
    flatCorrect.run(f, defaultsOf(flatCorrect), frameCtx({ flat }));
    // The flat is float32: 1.2 is 1.2000000477; the card keeps 3 decimals.
    const expected = Math.round((RAW_SAT / Math.fround(1.2)) * 1000) / 1000;
    expect(levels(f)).toEqual([expected, expected]);
    const g = saturated();
    const dead = makeAstro({ name: 'f.fits', exts: [{ data: makeTestFrame(W, H, () => 1, { var: 0.001, dq: () => DQ.bad }) }] });
    flatCorrect.run(g, defaultsOf(flatCorrect), frameCtx({ flat: dead }));
    expect(levels(g)).toEqual([RAW_SAT, RAW_SAT]);
  });

  it('a frame of two extensions: each its own, the primary the lowest of them', () => {
    const ext = (level: number) => ({ header: { EXTVER: 1, SATURATE: RAW_SAT }, data: makeTestFrame(W, H, () => 1000, { var: 4 }) as ReturnType<typeof makeTestFrame>, level });
    const a = ext(0), b = ext(0);
    const f = makeAstro({ name: 'mef.fits', primary: { SATURATE: RAW_SAT }, exts: [{ extver: 1, header: a.header, data: a.data }, { extver: 2, header: { ...b.header, EXTVER: 2 }, data: b.data }] });
    const bias = makeAstro({
      name: 'b.fits',
      exts: [{ extver: 1, data: makeTestFrame(W, H, () => 100, { var: 0.25 }) }, { extver: 2, data: makeTestFrame(W, H, () => 300, { var: 0.25 }) }],
    });
    subtractBias.run(f, {}, frameCtx({ bias }));
    expect(f.exts.map((e) => cardOf(e.header, 'SATURATE'))).toEqual([RAW_SAT - 100, RAW_SAT - 300]);
    expect(cardOf(f.primary, 'SATURATE')).toBe(RAW_SAT - 300);
  });
});
