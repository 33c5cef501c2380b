/**
 * The recipes end to end through executeRun on a MemoryStore, on a tiny
 * simulated night whose truth is known: a fixed bias pattern, a dark current
 * with a hot pixel, a vignetted flat, a sky level, Gaussian stars and a
 * cosmic-ray hit. Raw frames carry an overscan strip, BIASSEC/DATASEC,
 * GAIN/RDNOISE, DATE-OBS, FILTER, EXPTIME and IMAGETYP, as a camera writes
 * them. Every expected number below comes from that truth and the noise
 * model, not from running the code.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DQ } from '../kernels/dq';
import { kernelTaps } from '../kernels/resample';
import { executeRun, type RunInput, type RunResult } from './engine';
import { MemoryStore } from './memoryStore';
import { STAMP } from './provenance';
import { RECIPES } from './recipes';
import { ELECTRONS_GAIN_COMMENT } from './primitives/electrons';
import type { FrameRef } from './products';
import {
  addReduced, box, cardOf, toCards, hasCard, historyOf, med, meanOf, productOf, rawInput, rawMefInput, rmsOf, rsigma, runSpecFor, starGrid,
  type Camera, type Exposure, type StarSpec,
} from './testing/frames';

// ---------------------------------------------------------------- the night

const DW = 96, DH = 80, G = 2, RN = 6;
const RN_ADU2 = (RN / G) ** 2 + 1 / 12; // read noise and the converter's rounding, ADU^2
const biasPattern = (x: number, y: number) => 4 * Math.sin(x / 6) + 3 * Math.cos(y / 5);
const HOT = { x: 70, y: 20 };
const darkRate = (x: number, y: number) => (x === HOT.x && y === HOT.y ? 2 : 0.05); // e-/s
const flatTruth = (x: number, y: number) =>
  (1 - (0.15 * ((x - 48) ** 2 + (y - 40) ** 2)) / (48 ** 2 + 40 ** 2)) * (1 + 0.03 * Math.sin(x / 4) * Math.cos(y / 9));
const CAM: Camera = { width: DW, height: DH, overscan: 16, gain: G, readNoise: RN, biasLevel: 1000, biasSlope: 0.05, biasPattern, darkCurrent: darkRate, flat: flatTruth };

const grid = (f: (x: number, y: number) => number, w = DW, h = DH) => {
  const a = new Float64Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[y * w + x] = f(x, y);
  return a;
};
const FLAT_MEDIAN = med(grid(flatTruth));

const N_BIAS = 8, N_DARK = 5, DARK_T = 300;
const FLAT_LEVELS = [40000, 45000, 50000, 55000, 48000]; // e- before the flat's response
const SKY = 300; // e- per pixel before the flat's response, in 300 s
const sciStars = starGrid({ nx: 4, ny: 3, x0: 18, y0: 18, step: 20, fwhm: 3.2, fluxes: [30000, 50000, 70000, 90000], seed: 21 });
const COSMICS = [{ x: 48, y: 28, electrons: 4000 }, { x: 28, y: 48, electrons: 3000 }, { x: 29, y: 48, electrons: 3500 }];

const date = (h: number, m: number) => `2024-03-01T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
const bias = (i: number): Exposure => ({ id: `bias${i + 1}`, imagetyp: 'Bias Frame', exptime: 0, dateObs: date(17, i), seed: 100 + i });
const dark = (i: number): Exposure => ({ id: `dark${i + 1}`, imagetyp: 'Dark Frame', exptime: DARK_T, dateObs: date(17, 20 + 6 * i), seed: 200 + i });
const flat = (i: number, level: number): Exposure => ({ id: `flat${i + 1}`, imagetyp: 'Flat Field', exptime: 5, filter: 'R', dateObs: date(18, i), illumination: level, seed: 300 + i });
const science: Exposure = {
  id: 'sci1', imagetyp: 'Light Frame', exptime: DARK_T, filter: 'R', object: 'M67', dateObs: date(21, 0),
  illumination: SKY, stars: sciStars, cosmics: COSMICS, seed: 400,
};

// A star bright enough to saturate the converter in its core.
const saturatedScience: Exposure = {
  ...science, id: 'sci2', dateObs: date(21, 10), cosmics: [], seed: 401,
  stars: [{ x: 47.3, y: 39.6, flux: 2e7, fwhm: 3.2 }],
};

const refOf = (e: Exposure): RunInput => ({ id: e.id, name: `${e.id}.fits` });
const withCals = (e: Exposure, calibrations: RunInput['calibrations']): RunInput => ({ ...refOf(e), calibrations });

describe('recipes on a simulated night', () => {
  const store = new MemoryStore();
  const biases = Array.from({ length: N_BIAS }, (_, i) => bias(i));
  const darks = Array.from({ length: N_DARK }, (_, i) => dark(i));
  // The first flat is saturated (far above the converter's range): it must be refused.
  const flats = [flat(0, 300000), ...FLAT_LEVELS.map((l, i) => flat(i + 1, l))];
  let biasRun: RunResult, darkRun: RunResult, flatRun: RunResult, sciRun: RunResult, satRun: RunResult;
  let biasRef: FrameRef, darkRef: FrameRef, flatRef: FrameRef;

  beforeAll(async () => {
    for (const e of [...biases, ...darks, ...flats, science, saturatedScience]) store.add(rawInput(CAM, e));
    biasRun = await executeRun(runSpecFor('makeMasterBias', biases.map(refOf)), store);
    biasRef = biasRun.product;
    darkRun = await executeRun(runSpecFor('makeMasterDark', darks.map((d) => withCals(d, { bias: biasRef }))), store);
    darkRef = darkRun.product;
    flatRun = await executeRun(runSpecFor('makeMasterFlat', flats.map((f) => withCals(f, { bias: biasRef }))), store);
    flatRef = flatRun.product;
    sciRun = await executeRun(runSpecFor('reduceScience', [withCals(science, { bias: biasRef, dark: darkRef, flat: flatRef })]), store);
    satRun = await executeRun(runSpecFor('reduceScience', [withCals(saturatedScience, { bias: biasRef, dark: darkRef, flat: flatRef })]), store);
  });

  const planes = (ref: FrameRef) => productOf(store, ref.id).planes[0];

  describe('makeMasterBias', () => {
    it('equals the fixed bias pattern within rn/g/sqrt(N)', () => {
      const p = planes(biasRef);
      expect([p.width, p.height]).toEqual([DW, DH]);
      const diff = Array.from(p.sci, (v, i) => v - biasPattern(i % DW, Math.floor(i / DW)));
      const expected = Math.sqrt(RN_ADU2 / N_BIAS);
      expect(rmsOf(diff) / expected).toBeGreaterThan(0.88);
      expect(rmsOf(diff) / expected).toBeLessThan(1.12);
      // Overscan and bias level gone: no offset left (noise of the mean ~0.02, the overscan fit's ~0.05).
      expect(Math.abs(meanOf(diff))).toBeLessThan(0.15);
    });

    it('has VAR = (rn/g)^2 / N and a clean DQ', () => {
      const p = planes(biasRef);
      expect(med(p.var!)).toBeCloseTo((RN / G) ** 2 / N_BIAS, 5);
      expect(p.dq!.every((v) => v === 0)).toBe(true);
    });

    it('records its inputs, steps and type in the header and the record', () => {
      const prod = productOf(store, biasRef.id);
      const h = prod.stored.primary;
      expect(prod.name).toBe('bias1_bias.fits');
      expect(cardOf(h, 'NCOMBINE')).toBe(N_BIAS);
      for (let i = 0; i < N_BIAS; i++) expect(cardOf(h, `IMCMB${String(i + 1).padStart(3, '0')}`)).toBe(`bias${i + 1}.fits`);
      expect(hasCard(h, `IMCMB${String(N_BIAS + 1).padStart(3, '0')}`)).toBe(false);
      expect(cardOf(h, 'PRODTYPE')).toBe('MASTER BIAS');
      expect(cardOf(h, 'IMAGETYP')).toBe('MASTER BIAS');
      expect(cardOf(h, 'RECIPE')).toBe('makeMasterBias');
      expect(cardOf(h, 'BUNIT')).toBe('adu');
      const hist = historyOf(h);
      for (const s of RECIPES.makeMasterBias.steps) {
        expect(hist.filter((l) => l.startsWith(`${s.id}`)), s.id).toHaveLength(1);
        expect(cardOf(h, STAMP[s.id]), STAMP[s.id]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      }
      // What each empty parameter meant for these frames: the header's read noise (RN / G ADU... given in e-, as the camera
      // writes it), the overscan model chosen and the sections read from the header.
      expect(hist).toContain(`addVariance: readNoise=auto(${RN}) poisson=false gain=auto(${G})`);
      expect(hist.find((l) => l.startsWith('overscanCorrect:'))).toMatch(/^overscanCorrect: function=auto\((spline|none)\) .* biassec=auto\(\[\d+:\d+,\d+:\d+\]\)$/);
      expect(hist.find((l) => l.startsWith('trimData:'))).toMatch(/^trimData: section=auto\(\[1:96,1:80\]\)$/);
      expect(hist.find((l) => l.startsWith('addDQ:'))).toMatch(/^addDQ: saturation=auto\(65535\) nonLinear=auto$/);
      // The first frame's own overscan figures are not the master's.
      for (const key of ['OVERSCAN', 'OVERRMS']) expect(hasCard(prod.stored.exts[0].header, key), key).toBe(false);
      // SATURATE follows the pixels: the raw limit less the overscan subtracted (~1000 ADU and a slope), in ADU.
      const sat = cardOf(prod.stored.exts[0].header, 'SATURATE') as number;
      expect(sat).toBeLessThan(65535 - CAM.biasLevel);
      expect(sat).toBeGreaterThan(65535 - CAM.biasLevel - 20);
      expect(prod.info.kind).toBe('bias');
      expect(prod.info.inputs.map((i) => i.name)).toEqual(biases.map((b) => `${b.id}.fits`));
      expect(prod.info.bunit).toBe('adu');
      expect(prod.info.filter).toBeUndefined();
      expect(prod.info.time).toBe(meanOf(biases.map((b) => Date.parse(`${b.dateObs}Z`))));
      expect(prod.info.leftOut).toBeUndefined();
    });
  });

  describe('makeMasterDark', () => {
    it('equals the dark current x exposure in ADU within its noise, the hot pixel included', () => {
      const p = planes(darkRef);
      const b = planes(biasRef);
      // master dark - truth = mean dark noise - (master bias - pattern): add the latter back.
      const resid: number[] = [];
      for (let y = 0; y < DH; y++) {
        for (let x = 0; x < DW; x++) {
          if (x === HOT.x && y === HOT.y) continue;
          const i = y * DW + x;
          resid.push(p.sci[i] - (darkRate(x, y) * DARK_T) / G + (b.sci[i] - biasPattern(x, y)));
        }
      }
      const perFrame = RN_ADU2 + (0.05 * DARK_T) / G ** 2;
      const expected = Math.sqrt(perFrame / N_DARK);
      expect(rmsOf(resid) / expected).toBeGreaterThan(0.88);
      expect(rmsOf(resid) / expected).toBeLessThan(1.15);
      expect(Math.abs(meanOf(resid))).toBeLessThan(0.1);
      const hot = p.sci[HOT.y * DW + HOT.x];
      expect(Math.abs(hot - (2 * DARK_T) / G)).toBeLessThan(4 * Math.sqrt((RN_ADU2 + (2 * DARK_T) / G ** 2) / N_DARK + RN_ADU2 / N_BIAS));
    });

    it('keeps the exposure (EXPTIME card, record) and names its bias', () => {
      const prod = productOf(store, darkRef.id);
      expect(cardOf(prod.stored.primary, 'EXPTIME')).toBe(DARK_T);
      expect(prod.info.exptime).toBe(DARK_T);
      expect(cardOf(prod.stored.primary, 'BIASIM')).toBe('bias1_bias.fits');
      expect(cardOf(prod.stored.primary, 'PRODTYPE')).toBe('MASTER DARK');
      expect(cardOf(prod.stored.primary, 'IMAGETYP')).toBe('MASTER DARK');
      expect(prod.info.bunit).toBe('adu');
      expect(prod.info.calibrations.bias?.id).toBe(biasRef.id);
      // VAR: each dark's (bias VAR + (rn/g)^2 + counts/g), mean over N / N.
      const v = med(planes(darkRef).var!);
      const expected = ((RN / G) ** 2 / N_BIAS + (RN / G) ** 2 + (0.05 * DARK_T) / G ** 2) / N_DARK;
      expect(Math.abs(v / expected - 1)).toBeLessThan(0.03);
    });
  });

  describe('makeMasterFlat', () => {
    it('refuses the saturated flat and lists it with its reason', () => {
      const info = flatRun.info;
      expect(info.leftOut).toEqual([{ id: 'flat1', name: 'flat1.fits', reason: '100% of pixels saturated (more than 50% allowed)', step: 'checkFlatLevel' }]);
      const h = productOf(store, flatRef.id).stored.primary;
      expect(cardOf(h, 'NCOMBINE')).toBe(FLAT_LEVELS.length);
      expect(cardOf(h, 'IMCMB001')).toBe('flat2.fits');
      expect(historyOf(h)).toContain('left out flat1.fits: 100% of pixels saturated (more than 50% allowed)');
      expect(flatRun.log.some((e) => e.level === 'warn' && /flat1\.fits refused/.test(e.message))).toBe(true);
    });

    it('keeps a refused flat the user overruled, with a warning saying so', async () => {
      const inputs = flats.map((f) => ({ ...withCals(f, { bias: biasRef }), ...(f.id === 'flat1' ? { accept: ['checkFlatLevel'] } : {}) }));
      const run = await executeRun(runSpecFor('makeMasterFlat', inputs, { id: 'overruled' }), store);
      expect(run.info.leftOut).toBeUndefined();
      expect(cardOf(productOf(store, run.product.id).stored.primary, 'NCOMBINE')).toBe(FLAT_LEVELS.length + 1);
      expect(run.info.warnings).toContainEqual(expect.stringMatching(/^flat1\.fits kept though checkFlatLevel would refuse it \(overruled by you\): 100% of pixels saturated/));
      expect(run.info.kept).toEqual([{ id: 'flat1', name: 'flat1.fits', step: 'checkFlatLevel', reason: '100% of pixels saturated (more than 50% allowed)' }]);
    });

    it('is normalized to median 1 and equals the true response within its noise', () => {
      const p = planes(flatRef);
      expect(med(p.sci)).toBeCloseTo(1, 5);
      const z: number[] = [];
      const sig2: number[] = [];
      for (let y = 0; y < DH; y++) {
        for (let x = 0; x < DW; x++) {
          const f = flatTruth(x, y);
          // Each flat scaled by 1/median: its noise sqrt(f L + rn^2) / (median(f) L); the mean of 5 divides the variance by 25.
          const s2 = FLAT_LEVELS.reduce((a, L) => a + (f * L + RN * RN) / (FLAT_MEDIAN * L) ** 2, 0) / FLAT_LEVELS.length ** 2;
          sig2.push(s2);
          z.push((p.sci[y * DW + x] - f / FLAT_MEDIAN) / Math.sqrt(s2));
        }
      }
      expect(rmsOf(z)).toBeGreaterThan(0.88);
      expect(rmsOf(z)).toBeLessThan(1.12);
      expect(Math.abs(meanOf(z))).toBeLessThan(0.1);
      // VAR carries the same noise.
      expect(Math.abs(med(p.var!) / med(sig2) - 1)).toBeLessThan(0.05);
      expect(p.dq!.every((v) => v === 0)).toBe(true);
    });

    it("is a ratio without unit (BUNIT '', no SATURATE or GAINORIG), of filter R, a MASTER FLAT", () => {
      const prod = productOf(store, flatRef.id);
      expect(prod.info.bunit).toBe('none');
      expect(cardOf(prod.stored.primary, 'BUNIT')).toBeUndefined();
      // An empty BUNIT, which astropy reads as dimensionless (CCDData.read refuses a frame without one).
      expect(cardOf(prod.stored.exts[0].header, 'BUNIT')).toBe('');
      for (const key of ['SATURATE', 'GAINORIG', 'RDNOISE']) expect(cardOf(prod.stored.exts[0].header, key), key).toBeUndefined();
      // The raw flats' read noise (the camera writes RDNOISE in the primary header) says nothing of a ratio.
      expect(cardOf(prod.stored.primary, 'RDNOISE')).toBeUndefined();
      expect(prod.info.filter).toBe('R');
      expect(cardOf(prod.stored.primary, 'FILTER')).toBe('R');
      expect(cardOf(prod.stored.primary, 'PRODTYPE')).toBe('MASTER FLAT');
      expect(cardOf(prod.stored.primary, 'FLATNORM')).toBeDefined();
      expect(prod.info.exptime).toBe(5);
    });
  });

  describe('reduceScience', () => {
    const sky = SKY * FLAT_MEDIAN; // a flat normalized to median 1 leaves the sky at S x median(response)
    const onStar = (x: number, y: number) => sciStars.some((s) => Math.hypot(s.x - x, s.y - y) < 8);
    const onHit = (x: number, y: number) => COSMICS.some((c) => Math.abs(c.x - x) <= 1 && Math.abs(c.y - y) <= 1);

    it('gives the sky in electrons, flat-fielded, with VAR matching the pixel scatter', () => {
      const p = planes(sciRun.product);
      expect([p.width, p.height]).toEqual([DW, DH]);
      const skyPix = box(p.sci, DW, 0, DW, 0, DH, (x, y) => !onStar(x, y) && !onHit(x, y) && !(x === HOT.x && y === HOT.y));
      const noise = Math.sqrt(sky + RN * RN);
      expect(Math.abs(med(skyPix) - sky)).toBeLessThan(4 * (1.25 * noise) / Math.sqrt(skyPix.length));
      // The flat pattern is gone: the sky's scatter is noise, which VAR accounts for (read noise, Poisson, the masters' noise).
      const varSky = box(p.var!, DW, 0, DW, 0, DH, (x, y) => !onStar(x, y) && !onHit(x, y));
      expect(Math.abs(rsigma(skyPix) / Math.sqrt(med(varSky)) - 1)).toBeLessThan(0.05);
      // VAR ~ sky + rn^2 (the masters add a little: g^2 (VAR bias + VAR dark)).
      expect(med(varSky) / (sky + RN * RN)).toBeGreaterThan(1);
      expect(med(varSky) / (sky + RN * RN)).toBeLessThan(1.12);
      // The frame's sky figure is a clipped median over everything, star wings included: a little high on so crowded a frame.
      expect(Math.abs(sciRun.info.quality!.sky - sky)).toBeLessThan(1.5);
      expect(Math.abs(sciRun.info.quality!.skyNoise / Math.sqrt(med(varSky)) - 1)).toBeLessThan(0.06);
    });

    it('counts in VAR the shot noise of the dark current the master dark took out (the hot pixel most)', () => {
      const p = planes(sciRun.product);
      const i = HOT.y * DW + HOT.x;
      const nbr = box(p.var!, DW, HOT.x - 3, HOT.x + 4, HOT.y - 3, HOT.y + 4, (x, y) => x !== HOT.x || y !== HOT.y);
      // The frame's own 600 e- of dark current there (585 more than its neighbours' 15) and the master
      // dark's noise of it (a mean of N_DARK darks: 585 / N_DARK), divided by the flat squared.
      const f = flatTruth(HOT.x, HOT.y) / FLAT_MEDIAN;
      const expected = (585 * (1 + 1 / N_DARK)) / (f * f);
      // Measured 659.9 against 659.6; the hot pixel's own Poisson term moves with its value (+-31 e^2).
      // Without the frame's shot noise it would be 132.
      expect(Math.abs((p.var![i] - med(nbr)) / expected - 1)).toBeLessThan(0.08);
      expect(p.dq![i]).toBe(0);
    });

    it('keeps SATURATE at or below every pixel saturated in the raw frame (a reader that cuts at it catches them all)', () => {
      const p = planes(satRun.product);
      const sat = cardOf(productOf(store, satRun.product.id).stored.exts[0].header, 'SATURATE') as number;
      const saturated: number[] = [];
      for (let i = 0; i < p.sci.length; i++) if (p.dq![i] & DQ.saturated) saturated.push(p.sci[i]);
      expect(saturated.length).toBeGreaterThan(4);
      const lowest = Math.min(...saturated);
      expect(lowest).toBeGreaterThanOrEqual(sat);
      // Not far below either: the raw limit less the ~1000 ADU bias, in electrons, over the flat at its highest
      // (the vignetted flat is normalized to its median, so its highest is a few per cent above 1).
      const expected = (65535 - CAM.biasLevel) * G / (Math.max(...grid(flatTruth)) / FLAT_MEDIAN);
      expect(Math.abs(sat / expected - 1)).toBeLessThan(0.01);
      // It was 65535 x gain: more than every one of them.
      expect(65535 * G).toBeGreaterThan(lowest);
    });

    it('flags the cosmic-ray hits and measures the FWHM of the stars', () => {
      const p = planes(sciRun.product);
      for (const c of COSMICS) {
        expect(p.dq![c.y * DW + c.x] & DQ.cosmicRay, `hit at ${c.x},${c.y}`).toBe(DQ.cosmicRay);
        expect(Math.abs(p.sci[c.y * DW + c.x] - sky)).toBeLessThan(5 * Math.sqrt(sky + RN * RN));
      }
      const q = sciRun.info.quality!;
      expect(Math.abs(q.fwhm / 3.2 - 1)).toBeLessThan(0.05);
      expect(q.nStars).toBe(sciStars.length);
      expect(sciRun.info.stars).toHaveLength(sciStars.length);
    });

    it('says which calibrations it applied, and every step, in the header and the record', () => {
      const prod = productOf(store, sciRun.product.id);
      const h = prod.stored.primary;
      expect(prod.name).toBe('sci1_reduced.fits');
      expect(cardOf(h, 'BIASIM')).toBe('bias1_bias.fits');
      expect(cardOf(h, 'DARKIM')).toBe('dark1_dark.fits');
      expect(cardOf(h, 'FLATIM')).toBe('flat1_flat.fits');
      expect(hasCard(h, 'DARKSCL')).toBe(false);
      expect(cardOf(h, 'PRODTYPE')).toBe('REDUCED');
      // FITS's DATE (when written) and the observation's MJD-OBS, from DATE-OBS (2024-03-01T21:00 = MJD 60370.875).
      expect(cardOf(h, 'DATE')).toBe(new Date(prod.info.createdAt).toISOString().slice(0, 19));
      expect(cardOf(h, 'MJD-OBS') as number).toBeCloseTo(60370.875, 8);
      expect(cardOf(h, 'BUNIT')).toBe('electron');
      expect(cardOf(h, 'OBJECT')).toBe('M67');
      expect(hasCard(h, 'NCOMBINE')).toBe(false);
      const hist = historyOf(h);
      for (const s of RECIPES.reduceScience.steps) expect(hist.some((l) => l.startsWith(s.id)), s.id).toBe(true);
      expect(prod.info.calibrations).toEqual({ bias: biasRef, dark: darkRef, flat: flatRef });
      expect(prod.info.kind).toBe('reduced');
      expect(prod.info.exptime).toBe(DARK_T);
      expect(prod.info.filter).toBe('R');
      expect(sciRun.info.warnings).toBeUndefined();
    });
  });
});

// ---------------------------------------------------------------- stacking

describe('stackScience', () => {
  const S = 128, SKY_E = 200, RN_E = 5, FWHM = 3.2;
  const field: StarSpec[] = [
    ...starGrid({ nx: 4, ny: 4, x0: 22, y0: 22, step: 26, fwhm: FWHM, fluxes: [20000, 40000, 60000], seed: 8 }),
    { x: 60.4, y: 61.7, flux: 200000, fwhm: FWHM },
  ];
  const BRIGHT = field[field.length - 1];
  const shifts = [{ dx: 0, dy: 0 }, { dx: 3.3, dy: -2.7 }, { dx: -4.6, dy: 1.2 }, { dx: 2.25, dy: 5.4 }];

  const reduced = (store: MemoryStore, i: number, shift: { dx: number; dy: number }, fwhm = FWHM) =>
    addReduced(store, { id: `red${i + 1}`, field, shift, fwhm, size: S, sky: SKY_E, readNoise: RN_E, seed: 500 + i, dateObs: `2024-03-01T22:0${i}:00` });

  let store: MemoryStore;
  let run: RunResult;
  let inputs: RunInput[];
  beforeAll(async () => {
    store = new MemoryStore();
    inputs = shifts.map((s, i) => reduced(store, i, s));
    // A fifth frame with 2.5 times the FWHM: selectFrames leaves it out.
    inputs.splice(2, 0, reduced(store, 9, { dx: 1, dy: 1 }, 2.5 * FWHM));
    run = await executeRun(runSpecFor('stackScience', inputs), store);
  });

  it('stacks a colour mosaic (BAYERPAT) without interpolating: each pixel a mean of its frames\' pixels whole even pixels away', async () => {
    const mosaicStore = new MemoryStore();
    const bayer = toCards({ BAYERPAT: 'RGGB' });
    const three = shifts.slice(0, 3).map((sh, i) =>
      addReduced(mosaicStore, { id: `osc${i + 1}`, field, shift: sh, fwhm: FWHM, size: S, sky: SKY_E, readNoise: RN_E, seed: 700 + i, dateObs: `2024-03-01T22:0${i}:00`, primary: bayer }));
    const r = await executeRun(runSpecFor('stackScience', three), mosaicStore);
    const members = r.info.members!;
    // Offsets (3.3, -2.7) and (-4.6, 1.2) as measured; shifted by the nearest whole even pixels against them.
    expect(members.map((m) => m.shifted)).toEqual([undefined, { dx: -4, dy: 2 }, { dx: 4, dy: -2 }]);
    const h = productOf(mosaicStore, r.product.id).stored.primary;
    expect(historyOf(h).some((l) => /^osc2_reduced\.fits: offset 3\.\d+ -2\.\d+ \(stars, \d+ stars\) shifted -4 2 \(whole pixels\)/.test(l))).toBe(true);
    expect(cardOf(h, 'BAYERPAT')).toBe('RGGB');
    // Every stack pixel is the frames' pixels at those whole shifts, scaled, weighted and averaged (3 values
    // never clip at 3 sigma): to float32 rounding, where a sub-pixel shift would blend 36 neighbours.
    const planes = await Promise.all(three.map(async (t) => mosaicStore.readRows(await mosaicStore.open(t.id), 0, 'sci', 0, S, new Float32Array(S * S))));
    const out = productOf(mosaicStore, r.product.id).planes[0].sci;
    let worst = 0;
    for (let y = 10; y < S - 10; y += 7) {
      for (let x = 10; x < S - 10; x += 5) {
        let sum = 0, wsum = 0;
        members.forEach((m, i) => {
          const sx = m.shifted?.dx ?? 0, sy = m.shifted?.dy ?? 0;
          sum += m.weight * (planes[i][(y - sy) * S + (x - sx)] * m.scale + m.zero);
          wsum += m.weight;
        });
        worst = Math.max(worst, Math.abs(out[y * S + x] - sum / wsum) / Math.max(1, Math.abs(sum / wsum)));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('recovers the sub-pixel offsets of the frames from their stars', () => {
    const members = run.info.members!;
    expect(members.map((m) => m.name)).toEqual(['red1_reduced.fits', 'red2_reduced.fits', 'red3_reduced.fits', 'red4_reduced.fits']);
    expect(members[0]).toMatchObject({ dx: 0, dy: 0, method: 'reference' });
    members.forEach((m, i) => {
      expect(Math.abs(m.dx - shifts[i].dx), `dx of ${m.name}`).toBeLessThan(0.05);
      expect(Math.abs(m.dy - shifts[i].dy), `dy of ${m.name}`).toBeLessThan(0.05);
      if (i > 0) expect(m.method).toBe('stars');
      // Same exposure, same field: scale 1 within the photometric noise, weights alike.
      expect(Math.abs(m.scale - 1)).toBeLessThan(0.01);
      expect(m.weight).toBeGreaterThan(0.85);
    });
  });

  it('lists the blurred frame as left out, with its reason', () => {
    expect(run.info.leftOut).toEqual([{ id: 'red10', name: 'red10_reduced.fits', reason: expect.stringMatching(/^FWHM \d+\.\d\d px > 2 x the median/), step: 'selectFrames' }]);
    const h = productOf(store, run.product.id).stored.primary;
    expect(cardOf(h, 'NCOMBINE')).toBe(4);
    expect(historyOf(h).some((l) => l.startsWith('left out red10_reduced.fits: FWHM'))).toBe(true);
    expect(historyOf(h).filter((l) => / offset .* scale /.test(l))).toHaveLength(4);
    expect(cardOf(h, 'PRODTYPE')).toBe('STACK');
  });

  it('lowers the noise by sqrt(N) (times what resampling smooths), as VAR says', () => {
    const p = productOf(store, run.product.id).planes[0];
    // Per-pixel variance after lanczos3 shifts: sigma^2 x sum(w^2) per axis; the mean of 4 divides by 16.
    const sumW2 = (shift: number) => Array.from(kernelTaps('lanczos3', shift).weight).reduce((a, w) => a + w * w, 0);
    const factor = shifts.reduce((a, s) => a + sumW2(-s.dx) * sumW2(-s.dy), 0) / shifts.length ** 2;
    const single = Math.sqrt(SKY_E + RN_E * RN_E);
    const clear = (x: number, y: number) => x > 12 && y > 12 && x < S - 12 && y < S - 12 && field.every((s) => Math.hypot(s.x - x, s.y - y) > 9);
    const skyPix = box(p.sci, S, 0, S, 0, S, clear);
    const measured = rsigma(skyPix);
    expect(Math.abs(measured / (single * Math.sqrt(factor)) - 1)).toBeLessThan(0.06);
    // Plainly below one frame's noise over sqrt(N).
    expect(measured).toBeLessThan(single / 2);
    expect(Math.abs(Math.sqrt(med(box(p.var!, S, 0, S, 0, S, clear))) / measured - 1)).toBeLessThan(0.06);
    // Zero offsets bring every frame to the reference's sky.
    expect(Math.abs(med(skyPix) - SKY_E)).toBeLessThan(0.5);
  });

  it('preserves a star\'s flux within 1%', () => {
    const p = productOf(store, run.product.id).planes[0];
    let sum = 0, n = 0;
    const ann: number[] = [];
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const d = Math.hypot(x - BRIGHT.x, y - BRIGHT.y);
        if (d <= 10) { sum += p.sci[y * S + x]; n++; }
        else if (d >= 14 && d <= 20 && field.every((s) => s === BRIGHT || Math.hypot(s.x - x, s.y - y) > 9)) ann.push(p.sci[y * S + x]);
      }
    }
    const flux = sum - n * med(ann);
    expect(Math.abs(flux / BRIGHT.flux - 1)).toBeLessThan(0.01);
  });

  it('says the gain and read noise of a mean of N frames (N x 1 e-/ADU, rn / sqrt N), and counts only the frames combined', async () => {
    const own = new MemoryStore();
    // As ADUToElectrons leaves a reduced frame: GAIN 1 (it was 2), the read noise in electrons.
    const cards = [{ key: 'GAIN', value: 1, comment: `${ELECTRONS_GAIN_COMMENT} (was 2, see GAINORIG)` }, { key: 'RDNOISE', value: RN_E }];
    const ins = shifts.map((s, i) => addReduced(own, { id: `g${i + 1}`, field, shift: s, fwhm: FWHM, size: S, sky: SKY_E, readNoise: RN_E, seed: 700 + i, dateObs: `2024-03-01T22:0${i}:00`, primary: cards }));
    const r = await executeRun(runSpecFor('stackScience', ins), own);
    const h = productOf(own, r.product.id).stored.primary;
    const w = r.info.members!.map((m) => m.weight);
    const nEff = w.reduce((a, b) => a + b, 0) ** 2 / w.reduce((a, b) => a + b * b, 0);
    expect(nEff).toBeGreaterThan(3.5);
    expect(cardOf(h, 'GAIN') as number).toBeCloseTo(nEff, 3);
    expect(cardOf(h, 'RDNOISE') as number).toBeCloseTo(RN_E / Math.sqrt(nEff), 3);
    // A sum is electrons still: gain 1, read noise rn sqrt N. A median counts as a mean of 2N/pi frames.
    const byOperation = async (operation: string) => {
      const s = await executeRun(runSpecFor('stackScience', ins, { values: { stackFrames: { operation } } }), own);
      return productOf(own, s.product.id).stored.primary;
    };
    const sum = await byOperation('sum');
    expect([cardOf(sum, 'GAIN'), cardOf(sum, 'RDNOISE')]).toEqual([1, RN_E * 2]);
    const median = await byOperation('median');
    expect(cardOf(median, 'GAIN') as number).toBeCloseTo(8 / Math.PI, 3);
    expect(cardOf(median, 'RDNOISE') as number).toBeCloseTo(RN_E / Math.sqrt(8 / Math.PI), 3);
    // Frames left in ADU (no gain given): the gain measured on the flats and the read noise in ADU, the same way.
    const aduCards = [{ key: 'GAINMEAS', value: 0.25, comment: 'e-/ADU, photon transfer of the flats (pixels ADU)' }, { key: 'RDNOISE', value: 8, comment: 'ADU, from master bias b.fits' }];
    const aduIns = shifts.map((s, i) => addReduced(own, { id: `a${i + 1}`, field, shift: s, fwhm: FWHM, size: S, sky: SKY_E, readNoise: RN_E, seed: 700 + i, dateObs: `2024-03-01T22:0${i}:00`, primary: aduCards, bunit: 'adu' }));
    const aduRun = await executeRun(runSpecFor('stackScience', aduIns), own);
    const ha = productOf(own, aduRun.product.id).stored.primary;
    expect(cardOf(ha, 'BUNIT')).toBe('adu');
    const wa = aduRun.info.members!.map((m) => m.weight);
    const nEffA = wa.reduce((a, b) => a + b, 0) ** 2 / wa.reduce((a, b) => a + b * b, 0);
    expect(cardOf(ha, 'GAINMEAS') as number).toBeCloseTo(0.25 * nEffA, 3);
    expect(ha.find((c) => c.key === 'RDNOISE')).toMatchObject({ value: expect.closeTo(8 / Math.sqrt(nEffA), 3), comment: expect.stringMatching(/^ADU, read noise of the mean of 4 frames/) });
    // The stack of the suite left its blurred frame out: 4 of 5 combined.
    const hs = productOf(store, run.product.id).stored.primary;
    expect(cardOf(hs, 'NCOMBINE')).toBe(4);
    expect([1, 2, 3, 4, 5].map((i) => cardOf(hs, `IMCMB00${i}`))).toEqual(['red1_reduced.fits', 'red2_reduced.fits', 'red3_reduced.fits', 'red4_reduced.fits', undefined]);
  });

  it('has no data only where no frame covers the pixel', () => {
    const p = productOf(store, run.product.id).planes[0];
    // Every pixel is covered by the reference frame at least.
    let noData = 0;
    for (const v of p.dq!) if (v & DQ.noData) noData++;
    expect(noData).toBe(0);
  });
});

// ---------------------------------------------------------------- multi-extension raw frames

describe('multi-extension raw frames', () => {
  const AMPS: Camera[] = [
    { width: 48, height: 60, overscan: 12, gain: 2.0, readNoise: 5, biasLevel: 1000, biasPattern: (x) => 2 * Math.sin(x / 3) },
    { width: 48, height: 60, overscan: 12, gain: 2.5, readNoise: 7, biasLevel: 1500, biasPattern: (_x, y) => 3 * Math.cos(y / 4) },
  ];
  const SKY_E = 400;
  const N = 5;
  let store: MemoryStore;
  let biasRun: RunResult, sciRun: RunResult;
  beforeAll(async () => {
    store = new MemoryStore();
    const biases = Array.from({ length: N }, (_, i): Exposure => ({ id: `mb${i + 1}`, imagetyp: 'BIAS', exptime: 0, dateObs: date(17, i), seed: 600 + i }));
    for (const b of biases) store.add(rawMefInput(AMPS, b));
    const sci: Exposure = {
      id: 'msci', imagetyp: 'OBJECT', exptime: 60, filter: 'V', dateObs: date(22, 0), illumination: SKY_E, seed: 700,
      stars: [{ x: 24.3, y: 30.2, flux: 60000, fwhm: 3 }],
    };
    store.add(rawMefInput(AMPS, sci));
    biasRun = await executeRun(runSpecFor('makeMasterBias', biases.map(refOf)), store);
    sciRun = await executeRun(runSpecFor('reduceScience', [withCals(sci, { bias: biasRun.product })]), store);
  });

  it('makes a master bias with one SCI/VAR/DQ per EXTVER, each its amplifier\'s pattern and noise', () => {
    const prod = productOf(store, biasRun.product.id);
    expect(prod.stored.exts.map((e) => [e.extver, e.width, e.height, e.planes.var !== undefined, e.planes.dq !== undefined])).toEqual([
      [1, 48, 60, true, true],
      [2, 48, 60, true, true],
    ]);
    AMPS.forEach((amp, k) => {
      const p = prod.planes[k];
      const diff = Array.from(p.sci, (v, i) => v - amp.biasPattern!(i % 48, Math.floor(i / 48)));
      const expected = Math.sqrt(((amp.readNoise / amp.gain) ** 2 + 1 / 12) / N);
      expect(Math.abs(rmsOf(diff) / expected - 1), `ext ${k + 1}`).toBeLessThan(0.15);
      expect(med(p.var!)).toBeCloseTo((amp.readNoise / amp.gain) ** 2 / N, 5);
    });
  });

  it('measures each amplifier\'s read noise where no header gives it, and each reduced extension counts its own', async () => {
    const quiet = AMPS.map((a) => ({ ...a, noReadNoise: true }));
    const s2 = new MemoryStore();
    const biases = Array.from({ length: N }, (_, i): Exposure => ({ id: `qb${i + 1}`, imagetyp: 'BIAS', exptime: 0, dateObs: date(17, i), seed: 600 + i }));
    for (const b of biases) s2.add(rawMefInput(quiet, b));
    const sci: Exposure = { id: 'qsci', imagetyp: 'OBJECT', exptime: 60, filter: 'V', dateObs: date(22, 0), illumination: SKY_E, seed: 700 };
    s2.add(rawMefInput(quiet, sci));
    const bias = await executeRun(runSpecFor('makeMasterBias', biases.map(refOf)), s2);
    expect(bias.info.warnings ?? []).toEqual([]);
    const master = productOf(s2, bias.product.id);
    const reduced = productOf(s2, (await executeRun(runSpecFor('reduceScience', [withCals(sci, { bias: bias.product })]), s2)).product.id);
    AMPS.forEach((amp, k) => {
      // 48 x 60 pixels of one difference: the sigma is good to ~1.3%; rounding to whole ADU adds ~0.5%
      // (measured 5.022 and 7.121 for 5 and 7 e-).
      const rn = Number(cardOf(master.stored.exts[k].header, 'RDNOISE'));
      expect(Math.abs(rn / amp.readNoise - 1), `ext ${k + 1}: ${rn}`).toBeLessThan(0.05);
      expect(cardOf(reduced.stored.exts[k].header, 'RDNOISE')).toBe(rn);
      const v = med(reduced.planes[k].var!);
      const expectedVar = SKY_E + rn ** 2 + rn ** 2 / N;
      // (measured: within 0.1% and 0.2%)
      expect(Math.abs(v / expectedVar - 1), `VAR of ext ${k + 1}`).toBeLessThan(0.01);
    });
  });

  it('reduces a science frame extension by extension, each with its own gain', () => {
    const prod = productOf(store, sciRun.product.id);
    expect(prod.stored.exts.map((e) => e.extver)).toEqual([1, 2]);
    AMPS.forEach((amp, k) => {
      const p = prod.planes[k];
      const far = box(p.sci, 48, 0, 48, 0, 60, (x, y) => Math.hypot(x - 24.3, y - 30.2) > 10);
      // Sky in electrons whatever the amplifier's gain (noise of the median ~0.5 e-).
      expect(Math.abs(med(far) - SKY_E), `ext ${k + 1}`).toBeLessThan(2.5);
      const v = box(p.var!, 48, 0, 48, 0, 60, (x, y) => Math.hypot(x - 24.3, y - 30.2) > 10);
      const expectedVar = SKY_E + amp.readNoise ** 2 + amp.gain ** 2 * ((amp.readNoise / amp.gain) ** 2 / N);
      expect(Math.abs(med(v) / expectedVar - 1), `VAR of ext ${k + 1}`).toBeLessThan(0.03);
      expect(p.dq).toBeDefined();
    });
    expect(historyOf(prod.stored.primary)).toContain('subtractDark: scale=false shotNoise=true (skipped: no master dark)');
    expect(historyOf(prod.stored.primary)).toContain('flatCorrect: minValue=auto (skipped: no master flat)');
  });
});
