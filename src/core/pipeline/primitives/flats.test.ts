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
    expect(checkFlatLevel.run(rawFlat(5000), p, frameCtx())).toEqual({ refused: 'median 5000 ADU is 0.08 of saturation 65535: too faint (allowed 0.2-0.8)' });
  });

  it('refuses a flat too bright', () => {
    expect(checkFlatLevel.run(rawFlat(60000), p, frameCtx())).toEqual({ refused: 'median 60000 ADU is 0.92 of saturation 65535: near saturation (allowed 0.2-0.8)' });
  });

  it('refuses a mostly saturated flat, saying how much is saturated', () => {
    expect(checkFlatLevel.run(rawFlat(30000, 0.6), p, frameCtx())).toEqual({ refused: '60% of pixels saturated (more than 50% allowed)' });
  });

  it('follows its limits', () => {
    expect(checkFlatLevel.run(rawFlat(5000), recipeValues('makeMasterFlat', 'checkFlatLevel', { low: 0.05 }), frameCtx())).toBe('unchanged');
    expect(checkFlatLevel.run(rawFlat(30000, 0.3), recipeValues('makeMasterFlat', 'checkFlatLevel', { maxSaturated: 0.2 }), frameCtx())).toEqual({ refused: expect.stringMatching(/^30% of pixels saturated/) });
  });

  it('lets a flat through, with a note, when no saturation level is known', () => {
    // Float data, no SATURATE, and no pile-up at the maximum (a lamp's gradient).
    const f = makeAstro({ exts: [{ data: makeTestFrame(10, 10, (x, y) => 20000 + 100 * x + 10 * y), header: {} }] });
    addDQ.run(f, defaultsOf(addDQ), frameCtx());
    const ctx = frameCtx();
    expect(checkFlatLevel.run(f, p, ctx)).toBe('unchanged');
    expect(ctx.logs.join('\n')).toMatch(/no saturation level known/);
  });
});

describe('checkFlatLevel of a float flat without SATURATE', () => {
  it('refuses it where its pixels pile up at the maximum (a converter clipped at 65535.0)', () => {
    const rng = makeRng(5);
    // 30000 ADU with photon noise, 95% of it clipped at 65535.0 by a camera program writing floats.
    const f = makeAstro({ exts: [{ data: makeTestFrame(40, 30, (x, y) => ((x * 31 + y * 17) % 20 === 0 ? 30000 + 170 * rng.normal() : 65535)), header: {} }] });
    addDQ.run(f, defaultsOf(addDQ), frameCtx());
    expect(f.meta.saturation).toBe(65535);
    expect(checkFlatLevel.run(f, recipeValues('makeMasterFlat', 'checkFlatLevel'), frameCtx())).toEqual({ refused: '95% of pixels saturated (more than 50% allowed)' });
  });
});

describe('checkFlatLevel of a colour (Bayer) flat', () => {
  const p = recipeValues('makeMasterFlat', 'checkFlatLevel');
  /** A raw RGGB flat, 40 x 40, each colour at its level (R, G, B), `rows` as ROWORDER says. */
  const colourRaw = (r: number, g: number, b: number, rowOrder?: string) => {
    const level = { R: r, G: g, B: b } as Record<string, number>;
    const data = makeTestFrame(40, 40, (x, y) => level['RGGB'[2 * ((rowOrder === 'TOP-DOWN' ? 39 - y : y) & 1) + (x & 1)]]);
    const f = makeAstro({ name: 'flat.fits', primary: { IMAGETYP: 'Flat Field', BAYERPAT: 'RGGB', ...(rowOrder ? { ROWORDER: rowOrder } : {}) }, exts: [{ data, adcLimit: 65535 }] });
    addDQ.run(f, recipeValues('makeMasterFlat', 'addDQ'), frameCtx());
    return f;
  };

  it('refuses a flat whose green pixels all clip, which one level for all passed', () => {
    // Half the pixels (the greens) at 65535: the median of all lies within bounds, and half is not "mostly".
    expect(checkFlatLevel.run(colourRaw(20000, 65535, 30000), p, frameCtx())).toEqual({ refused: '100% of the G pixels saturated (more than 50% allowed)' });
  });

  it('judges the level by the brightest colour: a faint red under a bluish lamp passes, an overexposed blue does not', () => {
    const ctx = frameCtx();
    expect(checkFlatLevel.run(colourRaw(6000, 30000, 20000), p, ctx)).toBe('unchanged');
    expect(ctx.logs.join('\n')).toMatch(/the G pixels' median 30000 ADU = 0\.46 of saturation: usable/);
    expect(checkFlatLevel.run(colourRaw(10000, 40000, 60000), p, frameCtx())).toEqual({ refused: "the B pixels' median 60000 ADU is 0.92 of saturation 65535: near saturation (allowed 0.2-0.8)" });
  });

  it('names the colours as ROWORDER = TOP-DOWN counts the pattern\'s rows', () => {
    expect(checkFlatLevel.run(colourRaw(10000, 40000, 60000, 'TOP-DOWN'), p, frameCtx())).toEqual({ refused: "the B pixels' median 60000 ADU is 0.92 of saturation 65535: near saturation (allowed 0.2-0.8)" });
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

  /** An RGGB colour flat under a bluish lamp: red pixels get 0.35 of a green one's light, blue 0.6; 20% vignetting. */
  const colourFlat = (N = 64, pattern = 'RGGB') => {
    const resp = { R: 0.35, G: 1, B: 0.6 } as Record<string, number>;
    const c = (N - 1) / 2;
    const data = makeTestFrame(N, N, (x, y) => 20000 * resp[pattern[2 * (y & 1) + (x & 1)]] * (1 - 0.2 * (Math.hypot(x - c, y - c) / Math.hypot(c, c)) ** 2), { var: 100 });
    return { data, f: makeAstro({ primary: { BAYERPAT: pattern }, exts: [{ data }], bunit: 'electron' }) };
  };
  const latticeMedian = (sci: Float32Array, N: number, x0: number, y0: number) => {
    const v: number[] = [];
    for (let y = y0; y < N; y += 2) for (let x = x0; x < N; x += 2) v.push(sci[y * N + x]);
    return med(Float32Array.from(v));
  };

  it('brings each colour of a Bayer flat to 1 on its own (VAR by its square), recording each level', () => {
    const { data, f } = colourFlat();
    const raw = data.sci.slice();
    const levels = [[0, 0], [1, 0], [0, 1], [1, 1]].map(([x, y]) => latticeMedian(raw, 64, x, y));
    const ctx = frameCtx();
    normalizeFlat.run(f, defaultsOf(normalizeFlat), ctx);
    const sci = f.exts[0].data.sci;
    for (const [k, [x, y]] of [[0, 0], [1, 0], [0, 1], [1, 1]].entries()) {
      expect(latticeMedian(sci, 64, x, y)).toBeCloseTo(1, 6);
      expect(cardOf(f.primary, `FLATNRM${k + 1}`) as number).toBeCloseTo(levels[k], 1);
      const i = (10 + y) * 64 + 10 + x;
      expect(f.exts[0].data.var![i]).toBeCloseTo(100 / levels[k] ** 2, 12);
    }
    // The vignetting stays: a corner's red pixel is 0.8 of the centre's.
    expect(sci[0] / sci[32 * 64 + 32]).toBeCloseTo(raw[0] / raw[32 * 64 + 32], 5);
    expect(ctx.logs.join('\n')).toMatch(/each colour of the RGGB mosaic normalized by its own median: R 6\d{3}\.\d+, G 1\d{4}\.\d, G 1\d{4}\.\d, B 1\d{4}\.\d/);
  });

  it('normalizes a Bayer flat as one when told to (eachColour off), and any flat without BAYERPAT as one', () => {
    const { data, f } = colourFlat();
    const level = med(data.sci);
    normalizeFlat.run(f, defaultsOf(normalizeFlat, { eachColour: false }), frameCtx());
    expect(cardOf(f.primary, 'FLATNORM') as number).toBeCloseTo(level, 2);
    expect(cardOf(f.primary, 'FLATNRM1')).toBeUndefined();
    const plain = colourFlat().f;
    plain.primary = plain.primary.filter((c) => c.key !== 'BAYERPAT');
    normalizeFlat.run(plain, defaultsOf(normalizeFlat), frameCtx());
    expect(cardOf(plain.primary, 'FLATNRM1')).toBeUndefined();
  });

  it('measures each colour in statsec, whatever the parity of its corner', () => {
    // Left half 500 x the colour's response, right half 2000 x; statsec = the right half from an odd column.
    const resp = [0.5, 1, 1, 0.25];
    const f = makeAstro({ primary: { BAYERPAT: 'RGGB' }, exts: [{ data: makeTestFrame(20, 10, (x, y) => (x < 9 ? 500 : 2000) * resp[2 * (y & 1) + (x & 1)]) }] });
    normalizeFlat.run(f, defaultsOf(normalizeFlat, { statsec: '[10:20,1:10]' }), frameCtx());
    const sci = f.exts[0].data.sci;
    for (let y = 0; y < 2; y++) {
      for (let x = 9; x < 11; x++) expect(sci[y * 20 + x]).toBeCloseTo(1, 6);
      for (let x = 0; x < 2; x++) expect(sci[y * 20 + x]).toBeCloseTo(0.25, 6);
    }
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
  it('judges each pixel of a Bayer flat against its own colour: none of a dim colour flagged, its defects are', () => {
    // RGGB under a bluish lamp (red 0.35 of green: 0.47 of a 2 x 2 block's mean, under the 0.5 limit),
    // 30% vignetting, 0.5% noise; a dead red pixel (0.4 of its colour) and a hot blue one (2x).
    const N = 128, c = (N - 1) / 2, rmax = Math.hypot(c, c);
    const resp = [0.35, 1, 1, 0.6];
    const rng = makeRng(5);
    const dead = { x: 40, y: 60 }, hot = { x: 71, y: 91 };
    const data = makeTestFrame(N, N, (x, y) => {
      let v = resp[2 * (y & 1) + (x & 1)] * (1 - 0.3 * (Math.hypot(x - c, y - c) / rmax) ** 2) * (1 + 0.005 * rng.normal());
      if (x === dead.x && y === dead.y) v *= 0.4;
      if (x === hot.x && y === hot.y) v *= 2;
      return v;
    });
    const f = makeAstro({ primary: { BAYERPAT: 'RGGB' }, exts: [{ data }] });
    flagFlatBadPixels.run(f, defaultsOf(flagFlatBadPixels), frameCtx());
    const dq = f.exts[0].data.dq!;
    const flagged: string[] = [];
    for (let i = 0; i < dq.length; i++) if (dq[i] & DQ.bad) flagged.push(`${i % N},${Math.floor(i / N)}`);
    expect(flagged).toEqual([`${dead.x},${dead.y}`, `${hot.x},${hot.y}`]);
    expect(cardOf(f.primary, 'NBADPIX')).toBe(2);
    // Without BAYERPAT most of the same flat's 4096 red pixels are "bad": the reason for the colour's own level.
    const plain = makeAstro({ exts: [{ data: makeTestFrame(N, N, (x, y) => data.sci[y * N + x]) }] });
    flagFlatBadPixels.run(plain, defaultsOf(flagFlatBadPixels), frameCtx());
    expect(cardOf(plain.primary, 'NBADPIX') as number).toBeGreaterThan(0.7 * (N * N) / 4);
  });
});
