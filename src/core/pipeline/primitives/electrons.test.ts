/**
 * ADUToElectrons and addVariance: where the gain and read noise come from
 * (GAIN, EGAIN of CMOS capture programs, the parameters), what happens
 * without them, and the arithmetic on SCI, VAR and the header.
 */
import { describe, expect, it } from 'vitest';
import { ADUToElectrons, addVariance } from './electrons';
import { cardOf, defaultsOf, frameCtx, makeAstro, makeTestFrame, recipeValues } from '../testing/frames';

const W = 6, H = 5;
const sciFn = (x: number, y: number) => (x === 0 && y === 0 ? -20 : 100 * (x + 1) + y);

/** A frame in ADU whose bias level a master bias took out (as addVariance sees it in a recipe). */
function adu(primary: Record<string, string | number | boolean> = {}, ext: Record<string, string | number> = {}, withVar = true) {
  return makeAstro({ name: 'f.fits', primary, exts: [{ data: makeTestFrame(W, H, sciFn, withVar ? { var: 3 } : {}), header: ext }], meta: { levelRemoved: 'bias' } });
}

describe('ADUToElectrons', () => {
  it('multiplies SCI by GAIN, VAR by GAIN^2, scales SATURATE and sets BUNIT', () => {
    const f = adu({ GAIN: 2.5 }, { SATURATE: 60000 });
    const ctx = frameCtx();
    expect(ADUToElectrons.run(f, recipeValues('reduceScience', 'ADUToElectrons'), ctx)).toBeUndefined();
    const d = f.exts[0].data;
    expect(d.sci[2 * W + 3]).toBeCloseTo(2.5 * 402, 4);
    expect(d.var![7]).toBeCloseTo(3 * 6.25, 5);
    expect(f.bunit).toBe('electron');
    expect(cardOf(f.primary, 'BUNIT')).toBe('electron');
    expect(cardOf(f.exts[0].header, 'BUNIT')).toBe('electron');
    expect(cardOf(f.exts[0].header, 'SATURATE')).toBe(150000);
    expect(cardOf(f.exts[0].header, 'GAINORIG')).toBe(2.5);
    expect(ctx.warnings).toEqual([]);
  });

  it('reads e-/ADU from EGAIN when GAIN is a CMOS gain setting (N.I.N.A.)', () => {
    const f = adu({ GAIN: 120, OFFSET: 30, EGAIN: 0.25, SWCREATE: 'N.I.N.A. 3.0.0.9001' });
    ADUToElectrons.run(f, defaultsOf(ADUToElectrons), frameCtx());
    expect(f.exts[0].data.sci[1]).toBeCloseTo(0.25 * 200, 5);
    expect(cardOf(f.exts[0].header, 'GAINORIG')).toBe(0.25);
  });

  it('takes each extension\'s own GAIN', () => {
    const f = makeAstro({
      primary: { GAIN: 9 },
      exts: [{ data: makeTestFrame(2, 2, 10), header: { GAIN: 2 } }, { data: makeTestFrame(2, 2, 10), header: { GAIN: 3 } }],
    });
    ADUToElectrons.run(f, defaultsOf(ADUToElectrons), frameCtx());
    expect(f.exts[0].data.sci[0]).toBe(20);
    expect(f.exts[1].data.sci[0]).toBe(30);
  });

  it('lets the gain parameter override the header', () => {
    const f = adu({ GAIN: 2.5 });
    ADUToElectrons.run(f, recipeValues('reduceScience', 'ADUToElectrons', { gain: 1.5 }), frameCtx());
    expect(f.exts[0].data.sci[1]).toBeCloseTo(300, 5);
  });

  it('leaves the pixels in ADU, saying so, without a gain (an N.I.N.A. GAIN setting alone is not one)', () => {
    for (const primary of [{}, { GAIN: 139, OFFSET: 21 }] as Record<string, number>[]) {
      const f = adu(primary);
      const ctx = frameCtx();
      expect(ADUToElectrons.run(f, defaultsOf(ADUToElectrons), ctx)).toEqual({ skipped: 'no gain in the header (GAIN/EGAIN) and none given: the pixels stay in ADU' });
      expect(f.exts[0].data.sci[1]).toBe(200);
      expect(f.bunit).toBe('adu');
      expect(f.exts[0].header.find((c) => c.key === 'BUNIT')).toBeUndefined();
      expect(ctx.warnings).toHaveLength(1);
      expect(ctx.warnings[0]).toMatch(/no gain.*the pixels stay in ADU/);
    }
  });

  it('is skipped on a frame already in electrons', () => {
    const f = adu({ GAIN: 2 });
    f.bunit = 'electron';
    expect(ADUToElectrons.run(f, defaultsOf(ADUToElectrons), frameCtx())).toEqual({ skipped: 'already in electrons' });
    expect(f.exts[0].data.sci[1]).toBe(200);
  });
});

describe('addVariance', () => {
  it('in electrons: VAR = rn^2 + max(sci, 0), created when absent, read noise from RDNOISE', () => {
    const f = adu({ RDNOISE: 4 }, {}, false);
    f.bunit = 'electron';
    const ctx = frameCtx();
    addVariance.run(f, recipeValues('reduceScience', 'addVariance'), ctx);
    const v = f.exts[0].data.var!;
    expect(v[0]).toBe(16); // sci -20: no Poisson term
    expect(v[2 * W + 3]).toBeCloseTo(16 + 402, 4);
    expect(ctx.warnings).toEqual([]);
  });

  it('adds to a VAR already there', () => {
    const f = adu({ RDNOISE: 4 });
    f.bunit = 'electron';
    addVariance.run(f, recipeValues('reduceScience', 'addVariance'), frameCtx());
    expect(f.exts[0].data.var![1]).toBeCloseTo(3 + 16 + 200, 4);
  });

  it('in ADU: VAR = (rn/g)^2 + max(sci, 0)/g', () => {
    const f = adu({ RDNOISE: 6, GAIN: 2 }, {}, false);
    addVariance.run(f, recipeValues('reduceScience', 'addVariance'), frameCtx());
    const v = f.exts[0].data.var!;
    expect(v[0]).toBeCloseTo(9, 6);
    expect(v[2 * W + 3]).toBeCloseTo(9 + 402 / 2, 4);
  });

  it("takes a read noise in ADU (a master bias's, measured with no gain known) through the gain known now", () => {
    // 8 ADU at 0.25 e-/ADU measured on the flats: 2 e-. Taken for electrons it had put (8 / 0.25)^2 = 1024 ADU^2 in VAR.
    const f = adu({}, {}, false);
    f.meta.measuredGain = [0.25];
    f.primary.push({ key: 'RDNOISE', value: 8, comment: 'ADU, from master bias b.fits' });
    const ctx = frameCtx();
    addVariance.run(f, recipeValues('reduceScience', 'addVariance'), ctx);
    const v = f.exts[0].data.var!;
    expect(v[0]).toBeCloseTo(64, 4);
    expect(v[2 * W + 3]).toBeCloseTo(64 + 402 / 0.25, 3);
    expect(ctx.usedValues.readNoise).toEqual(['2']);
    // With a gain given, ADUToElectrons turns the card into electrons, and VAR follows.
    const g = adu({ GAIN: 2 }, {}, false);
    g.primary.push({ key: 'RDNOISE', value: 8, comment: 'ADU, from master bias b.fits' });
    ADUToElectrons.run(g, recipeValues('reduceScience', 'ADUToElectrons'), frameCtx());
    expect(g.primary.find((c) => c.key === 'RDNOISE')).toEqual({ key: 'RDNOISE', value: 16, comment: 'e-, was 8 ADU (x GAINORIG)' });
    addVariance.run(g, recipeValues('reduceScience', 'addVariance'), frameCtx());
    expect(g.exts[0].data.var![0]).toBeCloseTo(256, 4);
  });

  it('with poisson off only the read noise goes in (a bias), and the parameters override the header', () => {
    const f = adu({ RDNOISE: 6, GAIN: 2 }, {}, false);
    addVariance.run(f, recipeValues('makeMasterBias', 'addVariance'), frameCtx());
    expect(f.exts[0].data.var!.every((x) => Math.abs(x - 9) < 1e-6)).toBe(true);
    const g = adu({ RDNOISE: 6, GAIN: 2 }, {}, false);
    addVariance.run(g, recipeValues('makeMasterBias', 'addVariance', { readNoise: 5, gain: 2.5 }), frameCtx());
    expect(g.exts[0].data.var!.every((x) => Math.abs(x - 4) < 1e-6)).toBe(true);
  });

  it('warns and takes 0 e- without a read noise (a frame with the Poisson term, or no stack after it)', () => {
    const f = adu({ GAIN: 2 }, {}, false);
    const ctx = frameCtx();
    addVariance.run(f, recipeValues('reduceScience', 'addVariance'), ctx);
    expect(f.exts[0].data.var![7]).toBeCloseTo(201 / 2, 5); // the Poisson term of pixel (1, 1), 201 ADU, only
    expect(ctx.warnings).toEqual([expect.stringMatching(/no read noise.*assumed 0 e-/)]);
    const g = adu({ GAIN: 2 }, {}, false);
    const alone = { ...frameCtx(), later: () => false };
    addVariance.run(g, recipeValues('makeMasterBias', 'addVariance'), alone);
    expect(g.exts[0].data.var!.every((x) => x === 0)).toBe(true);
    expect(alone.warnings).toEqual([expect.stringMatching(/no read noise.*assumed 0 e-/)]);
  });

  it('leaves a bias without VAR when nothing gives its read noise, for measureReadNoise to measure', () => {
    const f = adu({ GAIN: 2 }, {}, false);
    const ctx = frameCtx();
    const out = addVariance.run(f, recipeValues('makeMasterBias', 'addVariance'), ctx);
    expect(out).toEqual({ skipped: expect.stringMatching(/no read noise.*measureReadNoise measures it/) });
    expect(f.exts[0].data.var).toBeUndefined();
    expect(f.meta.readNoiseUnknown).toEqual([0]);
    expect(ctx.warnings).toEqual([]);
    // A read noise given, in the header or as a parameter, or a VAR already there: as before.
    const given = adu({ GAIN: 2 }, {}, false);
    addVariance.run(given, recipeValues('makeMasterBias', 'addVariance', { readNoise: 5 }), frameCtx());
    expect(given.exts[0].data.var!.every((x) => Math.abs(x - 6.25) < 1e-6)).toBe(true);
    const withVar = adu({ GAIN: 2 });
    addVariance.run(withVar, recipeValues('makeMasterBias', 'addVariance'), frameCtx());
    expect(withVar.exts[0].data.var!.every((x) => x === 3)).toBe(true);
  });

  it('leaves frames still holding the bias level (no overscan, bias or dark) to the stack, and warns for one that is not stacked', () => {
    const level = () => makeAstro({ name: 'd.fits', primary: { GAIN: 2, RDNOISE: 4 }, exts: [{ data: makeTestFrame(W, H, 500) }] });
    const dark = level();
    const ctx = frameCtx();
    expect(addVariance.run(dark, recipeValues('makeMasterDark', 'addVariance'), ctx)).toEqual({ skipped: expect.stringMatching(/bias level is still in the pixels.*left to the stack/) });
    expect(dark.exts[0].data.var).toBeUndefined();
    const alone = level();
    const ctx1 = { ...frameCtx(), later: () => false };
    addVariance.run(alone, recipeValues('reduceScience', 'addVariance'), ctx1);
    expect(alone.exts[0].data.var![0]).toBeCloseTo(4 + 250, 4);
    expect(ctx1.warnings).toEqual([expect.stringMatching(/bias level is still in the pixels.*counts it as Poisson noise/)]);
    // Taken out by a dark (a CMOS night's science frame): as usual.
    const darkened = level();
    darkened.meta.levelRemoved = 'dark';
    expect(addVariance.run(darkened, recipeValues('reduceScience', 'addVariance'), frameCtx())).toBeUndefined();
    expect(darkened.exts[0].data.var![0]).toBeCloseTo(4 + 250, 4);
  });
});
