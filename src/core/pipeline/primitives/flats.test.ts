/**
 * Flat-field steps: refusing flats by their raw level (after addDQ measured
 * it), normalizing the master, and flagging the bad pixels a master flat
 * shows without flagging its vignetting.
 */
import { describe, expect, it } from 'vitest';
import { DQ } from '../../kernels/dq';
import { addDQ } from './dq';
import { checkFlatLevel, flagFlatBadPixels, normalizeFlat } from './flats';
import { cardOf, defaultsOf, frameCtx, makeAstro, makeRng, makeTestFrame, med, recipeValues } from '../testing/frames';

/** A raw flat at `level` ADU (16-bit unsigned), `satFraction` of its data pixels at 65535; 10 overscan columns at 1000. */
function rawFlat(level: number, satFraction = 0) {
  const W = 50, H = 40, DW = 40;
  let k = 0;
  const nSat = Math.round(satFraction * DW * H);
  const data = makeTestFrame(W, H, (x) => {
    if (x >= DW) return 1000;
    return k++ < nSat ? 65535 : level;
  });
  const f = makeAstro({ name: 'flat.fits', primary: { IMAGETYP: 'Flat Field' }, exts: [{ data, header: { DATASEC: `[1:${DW},1:${H}]`, BIASSEC: `[${DW + 1}:${W},1:${H}]` }, adcLimit: 65535 }] });
  addDQ.run(f, recipeValues('makeMasterFlat', 'addDQ'), frameCtx());
  return f;
}

describe('checkFlatLevel', () => {
  const p = recipeValues('makeMasterFlat', 'checkFlatLevel');

  it('passes a flat at 40% of saturation, unchanged', () => {
    const ctx = frameCtx();
    expect(checkFlatLevel.run(rawFlat(26000), p, ctx)).toBe('unchanged');
    expect(ctx.logs.join('\n')).toMatch(/usable/);
  });

  it('refuses a flat too faint, with the numbers in the reason', () => {
    expect(checkFlatLevel.run(rawFlat(5000), p, frameCtx())).toEqual({ refused: 'median 5000 ADU is 0.08 of saturation 65535 (allowed 0.2-0.8)' });
  });

  it('refuses a flat too bright', () => {
    expect(checkFlatLevel.run(rawFlat(60000), p, frameCtx())).toEqual({ refused: 'median 60000 ADU is 0.92 of saturation 65535 (allowed 0.2-0.8)' });
  });

  it('refuses a mostly saturated flat, saying how much is saturated', () => {
    expect(checkFlatLevel.run(rawFlat(30000, 0.6), p, frameCtx())).toEqual({ refused: '60% of pixels saturated (more than 50% allowed)' });
  });

  it('follows its limits', () => {
    expect(checkFlatLevel.run(rawFlat(5000), recipeValues('makeMasterFlat', 'checkFlatLevel', { low: 0.05 }), frameCtx())).toBe('unchanged');
    expect(checkFlatLevel.run(rawFlat(30000, 0.3), recipeValues('makeMasterFlat', 'checkFlatLevel', { maxSaturated: 0.2 }), frameCtx())).toEqual({ refused: expect.stringMatching(/^30% of pixels saturated/) });
  });

  it('lets a flat through, with a note, when no saturation level is known', () => {
    const f = makeAstro({ exts: [{ data: makeTestFrame(10, 10, 5), header: {} }] });
    addDQ.run(f, defaultsOf(addDQ), frameCtx());
    const ctx = frameCtx();
    expect(checkFlatLevel.run(f, p, ctx)).toBe('unchanged');
    expect(ctx.logs.join('\n')).toMatch(/no saturation level known/);
  });
});

describe('normalizeFlat', () => {
  it('divides by the median so it becomes 1 (VAR by its square); FLATNORM records the level', () => {
    const data = makeTestFrame(20, 10, (x, y) => 2000 * (0.9 + 0.01 * x + 0.001 * y), { var: 40 });
    const f = makeAstro({ exts: [{ data }], bunit: 'electron' });
    const level = med(data.sci);
    normalizeFlat.run(f, recipeValues('makeMasterFlat', 'normalizeFlat'), frameCtx());
    expect(med(f.exts[0].data.sci)).toBeCloseTo(1, 6);
    expect(f.exts[0].data.var![0]).toBeCloseTo(40 / level ** 2, 12);
    expect(cardOf(f.primary, 'FLATNORM') as number).toBeCloseTo(level, 2);
  });

  it('leaves DQ-flagged pixels out of the level', () => {
    // Half the pixels at 1000, flagged bad; the rest at 3000.
    const data = makeTestFrame(10, 10, (x) => (x < 5 ? 1000 : 3000), { dq: (x) => (x < 5 ? DQ.bad : 0) });
    const f = makeAstro({ exts: [{ data }] });
    normalizeFlat.run(f, defaultsOf(normalizeFlat), frameCtx());
    expect(f.exts[0].data.sci[9]).toBeCloseTo(1, 6);
  });

  it('keeps the relative response of extensions (one level for the whole frame)', () => {
    const f = makeAstro({ exts: [{ data: makeTestFrame(8, 8, 1000) }, { data: makeTestFrame(8, 8, 1100) }, { data: makeTestFrame(8, 8, 1210) }] });
    normalizeFlat.run(f, defaultsOf(normalizeFlat), frameCtx());
    expect(f.exts[0].data.sci[0]).toBeCloseTo(1000 / 1100, 6);
    expect(f.exts[1].data.sci[0]).toBeCloseTo(1, 6);
    expect(f.exts[2].data.sci[0]).toBeCloseTo(1.1, 6);
  });

  it('measures in statsec when given', () => {
    const f = makeAstro({ exts: [{ data: makeTestFrame(20, 10, (x) => (x < 10 ? 500 : 2000)) }] });
    normalizeFlat.run(f, defaultsOf(normalizeFlat, { statsec: '[11:20,1:10]' }), frameCtx());
    expect(f.exts[0].data.sci[15]).toBeCloseTo(1, 6);
    expect(f.exts[0].data.sci[0]).toBeCloseTo(0.25, 6);
  });
});

describe('flagFlatBadPixels', () => {
  it('flags a dead column and a hot pixel (DQ 1) in a vignetted flat, and not the vignetting', () => {
    const N = 128, c = (N - 1) / 2, rmax = Math.hypot(c, c);
    const rng = makeRng(3);
    const dead = 40, hot = { x: 70, y: 90 };
    const data = makeTestFrame(N, N, (x, y) => {
      // 40% vignetting in the corners, 0.5% noise.
      const v = (1 - 0.4 * (Math.hypot(x - c, y - c) / rmax) ** 2) * (1 + 0.005 * rng.normal());
      if (x === dead) return 0.1 * v;
      if (x === hot.x && y === hot.y) return 3 * v;
      return v;
    });
    const f = makeAstro({ exts: [{ data }], bunit: 'electron' });
    const ctx = frameCtx();
    flagFlatBadPixels.run(f, recipeValues('makeMasterFlat', 'flagFlatBadPixels'), ctx);
    const dq = f.exts[0].data.dq!;
    const wrong: string[] = [];
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++) {
        const expected = x === dead || (x === hot.x && y === hot.y) ? DQ.bad : 0;
        if (dq[y * N + x] !== expected) wrong.push(`${x},${y}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(cardOf(f.primary, 'NBADPIX')).toBe(N + 1);
    // The pixels themselves are not changed.
    expect(f.exts[0].data.sci[0]).toBe(data.sci[0]);
  });

  it('keeps earlier DQ bits and counts only new bad pixels', () => {
    const data = makeTestFrame(32, 32, (x, y) => (x === 3 && y === 3 ? 0.2 : 1), { dq: (x, y) => (x === 3 && y === 3 ? DQ.bad | DQ.saturated : x === 5 && y === 5 ? DQ.cosmicRay : 0) });
    const f = makeAstro({ exts: [{ data }] });
    flagFlatBadPixels.run(f, defaultsOf(flagFlatBadPixels), frameCtx());
    expect(f.exts[0].data.dq![3 * 32 + 3]).toBe(DQ.bad | DQ.saturated);
    expect(f.exts[0].data.dq![5 * 32 + 5]).toBe(DQ.cosmicRay);
    expect(cardOf(f.primary, 'NBADPIX')).toBe(0);
  });
});
