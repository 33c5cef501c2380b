/**
 * flagCosmicRays on a flat sky in electrons with Poisson-like noise, a few
 * hits (single pixels and short tracks of thousands of electrons) and stars:
 * the hits are flagged DQ 8 and replaced near the sky, stars are not touched,
 * and a saturated star (DQ 4) is not taken for a cosmic ray.
 */
import { describe, expect, it } from 'vitest';
import { DQ } from '../../kernels/dq';
import { clearCompactGroups, flagCosmicRays, varianceBeyondCounts } from './cosmics';
import { addStar, cardOf, defaultsOf, frameCtx, makeAstro, makeRng, recipeValues, skyFrame } from '../testing/frames';

const W = 100, H = 100, SKY = 200, RN = 5;
const SIGMA = Math.sqrt(SKY + RN * RN);

const hits = [
  { x: 20, y: 20, e: 3000 },
  { x: 70, y: 15, e: 5000 },
  { x: 15, y: 80, e: 2500 },
  // Tracks of 2 and 3 pixels.
  { x: 40, y: 70, e: 4000 }, { x: 41, y: 70, e: 3500 },
  { x: 80, y: 60, e: 3000 }, { x: 81, y: 61, e: 3200 }, { x: 82, y: 62, e: 2800 },
];
const star = { x: 50.3, y: 40.6, flux: 60000, fwhm: 3.5 };
const satStar = { x: 75.2, y: 85.4, flux: 2e6, fwhm: 3.5 };
const SAT = 30000;

function scene(withSaturated: boolean) {
  const { frame } = skyFrame({ width: W, height: H, sky: SKY, readNoise: RN, stars: [star], seed: 11 });
  const clean = frame.sci.slice();
  for (const h of hits) frame.sci[h.y * W + h.x] += h.e;
  frame.dq = new Uint16Array(W * H);
  if (withSaturated) {
    addStar(frame.sci, W, H, satStar);
    for (let i = 0; i < frame.sci.length; i++) {
      if (frame.sci[i] >= SAT) {
        frame.sci[i] = SAT;
        frame.dq[i] = DQ.saturated;
      }
    }
  }
  return { f: makeAstro({ name: 'sci.fits', primary: { RDNOISE: RN }, bunit: 'electron', exts: [{ data: frame }] }), clean };
}

/** Every hit flagged DQ 8 and replaced by the median of its neighbours: within a few sky sigmas of the sky (`unit` data units per electron). */
function expectHitsCleaned(d: { sci: Float32Array; dq?: Uint16Array }, unit = 1): void {
  for (const h of hits) {
    const i = h.y * W + h.x;
    expect(d.dq![i] & DQ.cosmicRay, `hit at ${h.x},${h.y}`).toBe(DQ.cosmicRay);
    expect(Math.abs(d.sci[i] - SKY * unit), `value at ${h.x},${h.y}`).toBeLessThan(4 * SIGMA * unit);
  }
}

const near = (x: number, y: number, c: { x: number; y: number }, r: number) => Math.hypot(x - c.x, y - c.y) <= r;

describe('flagCosmicRays', () => {
  it('flags the hits DQ 8, replaces them near the sky, leaves the star alone', () => {
    const { f, clean } = scene(false);
    const starBefore: number[] = [];
    for (let y = 30; y < 52; y++) for (let x = 40; x < 62; x++) starBefore.push(f.exts[0].data.sci[y * W + x]);
    const ctx = frameCtx();
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), ctx);
    const d = f.exts[0].data;
    expectHitsCleaned(d);
    // Nothing flagged away from the hits (the odd noise pixel aside: at most a couple in 10^4).
    let stray = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (!(d.dq![y * W + x] & DQ.cosmicRay)) continue;
        if (hits.some((h) => Math.abs(h.x - x) <= 1 && Math.abs(h.y - y) <= 1)) continue;
        expect(near(x, y, star, 8), `flag on the star at ${x},${y}`).toBe(false);
        stray++;
      }
    }
    expect(stray).toBeLessThanOrEqual(2);
    // The star's pixels are unchanged.
    const starAfter: number[] = [];
    for (let y = 30; y < 52; y++) for (let x = 40; x < 62; x++) starAfter.push(d.sci[y * W + x]);
    expect(starAfter).toEqual(starBefore);
    // Pixels not flagged keep their values.
    let changed = 0;
    for (let i = 0; i < d.sci.length; i++) if (!d.dq![i] && !hits.some((h) => h.y * W + h.x === i) && d.sci[i] !== clean[i]) changed++;
    expect(changed).toBe(0);
    const n = cardOf(f.exts[0].header, 'NCOSMIC') as number;
    expect(n).toBeGreaterThanOrEqual(hits.length);
    expect(cardOf(f.primary, 'NCOSMIC')).toBe(n);
    expect(ctx.warnings).toEqual([]);
  });

  it('leaves alone a star the frame edge cuts through (astroscrappy flags its edge pixels)', () => {
    // Stars centred 1 and 2 px inside the left and top edges: the 7x7 fine-structure filter does not fit there.
    const edgeStars = [{ x: 1.2, y: 30.4, flux: 60000, fwhm: 3.2 }, { x: 60.3, y: 2.1, flux: 40000, fwhm: 3.2 }];
    const { frame } = skyFrame({ width: W, height: H, sky: SKY, readNoise: RN, stars: edgeStars, seed: 5 });
    const f = makeAstro({ name: 'sci.fits', primary: { RDNOISE: RN }, bunit: 'electron', exts: [{ data: frame }] });
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), frameCtx());
    const dq = f.exts[0].data.dq!;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (dq[y * W + x] & DQ.cosmicRay) for (const s of edgeStars) expect(near(x, y, s, 6), `flag on the edge star at ${x},${y}`).toBe(false);
      }
    }
  });

  it('does not take the columns beside a dead column (DQ 1) for cosmic rays', () => {
    const { f } = scene(false);
    const d = f.exts[0].data;
    const DEAD = 30;
    for (let y = 0; y < H; y++) { d.sci[y * W + DEAD] = 0; d.dq![y * W + DEAD] = DQ.bad; }
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), frameCtx());
    const beside: string[] = [];
    for (let y = 0; y < H; y++) for (const x of [DEAD - 1, DEAD + 1]) if (d.dq![y * W + x] & DQ.cosmicRay) beside.push(`${x},${y}`);
    expect(beside).toEqual([]);
    // The dead column itself is left as it was, and the hits are still found.
    for (let y = 0; y < H; y++) expect(d.sci[y * W + DEAD]).toBe(0);
    for (const h of hits) expect(d.dq![h.y * W + h.x] & DQ.cosmicRay).toBe(DQ.cosmicRay);
  });

  it('does not cut a trough into a star a dead column crosses: the column is filled from its neighbours', () => {
    const { f } = scene(false);
    const d = f.exts[0].data;
    const DEAD = Math.round(star.x);
    for (let y = 0; y < H; y++) { d.sci[y * W + DEAD] = 0; d.dq![y * W + DEAD] = DQ.bad; }
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), frameCtx());
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) if (d.dq![y * W + x] & DQ.cosmicRay) expect(near(x, y, star, 8), `flag on the star at ${x},${y}`).toBe(false);
    }
  });

  it('keeps the other DQ bits of a flagged pixel and its neighbours', () => {
    const { f } = scene(false);
    const d = f.exts[0].data;
    const h = hits[0];
    d.dq![h.y * W + h.x] = DQ.nonLinear;
    d.dq![h.y * W + h.x + 1] = DQ.nonLinear;
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), frameCtx());
    expect(d.dq![h.y * W + h.x]).toBe(DQ.nonLinear | DQ.cosmicRay);
    expect(d.dq![h.y * W + h.x + 1] & DQ.nonLinear).toBe(DQ.nonLinear);
  });

  it('a resampled frame: the fill values (SCI 0, DQ no data) are neither flagged nor changed', () => {
    const { frame } = skyFrame({ width: W, height: H, sky: SKY, readNoise: RN, seed: 17 });
    frame.dq = new Uint16Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < 6; x++) { frame.sci[y * W + x] = 0; frame.dq[y * W + x] = DQ.noData; }
    const f = makeAstro({ name: 'sci.fits', primary: { RDNOISE: RN }, bunit: 'electron', exts: [{ data: frame }] });
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), frameCtx());
    let flagged = 0;
    for (let i = 0; i < W * H; i++) if (frame.dq[i] & DQ.cosmicRay) flagged++;
    // The sky's own noise may give a pixel or two in 10^4 (as in the first test), never the edge of the fill.
    expect(flagged).toBeLessThanOrEqual(2);
    for (let y = 0; y < H; y++) for (let x = 0; x < 8; x++) expect(frame.dq[y * W + x] & DQ.cosmicRay, `${x},${y}`).toBe(0);
    for (let y = 0; y < H; y++) expect(frame.sci[y * W]).toBe(0);
  });

  it("gives a replaced pixel its neighbours' VAR, not the hit's", () => {
    const { f } = scene(false);
    const d = f.exts[0].data;
    // VAR as addVariance makes it: the counts plus the read noise squared (the hits' thousands of electrons included).
    d.var = Float32Array.from(d.sci, (v) => Math.max(v, 0) + RN * RN);
    const before = hits.map((h) => d.var![h.y * W + h.x]);
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), frameCtx());
    hits.forEach((h, k) => {
      const v = d.var![h.y * W + h.x];
      expect(before[k], `VAR of the hit at ${h.x},${h.y} before`).toBeGreaterThan(2000);
      // The sky's VAR, within what the median of up to 24 noisy neighbours scatters.
      expect(Math.abs(v / (SKY + RN * RN) - 1), `VAR at ${h.x},${h.y}: ${v}`).toBeLessThan(0.15);
    });
    // Left alone when the pixels are only flagged.
    const { f: g } = scene(false);
    g.exts[0].data.var = Float32Array.from(g.exts[0].data.sci, (v) => Math.max(v, 0) + RN * RN);
    const kept = g.exts[0].data.var.slice();
    flagCosmicRays.run(g, recipeValues('reduceScience', 'flagCosmicRays', { replace: false }), frameCtx());
    expect(g.exts[0].data.var).toEqual(kept);
  });

  it('flags a large blob of a hit on the sky (sharp edges), where a star\'s core of the same size would be spared', () => {
    const { f } = scene(false);
    const d = f.exts[0].data;
    // 5 x 5 pixels of 3000 e- each on the sky, far from the star and the other hits: an alpha particle, say.
    for (let y = 60; y < 65; y++) for (let x = 60; x < 65; x++) d.sci[y * W + x] += 3000;
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), frameCtx());
    let flagged = 0;
    for (let y = 60; y < 65; y++) for (let x = 60; x < 65; x++) if (d.dq![y * W + x] & DQ.cosmicRay) flagged++;
    expect(flagged).toBeGreaterThanOrEqual(16);
  });

  it('only flags when replace is off', () => {
    const { f } = scene(false);
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays', { replace: false }), frameCtx());
    const h = hits[0];
    expect(f.exts[0].data.dq![h.y * W + h.x]).toBe(DQ.cosmicRay);
    expect(f.exts[0].data.sci[h.y * W + h.x]).toBeGreaterThan(SKY + 2000);
  });

  it('does not take a saturated star (DQ 4) for a cosmic ray', () => {
    const { f } = scene(true);
    const before: number[] = [];
    for (let y = 70; y < 100; y++) for (let x = 60; x < 90; x++) before.push(f.exts[0].data.sci[y * W + x]);
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), frameCtx());
    const d = f.exts[0].data;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (d.dq![y * W + x] & DQ.cosmicRay) expect(near(x, y, satStar, 10), `flag on the saturated star at ${x},${y}`).toBe(false);
      }
    }
    const after: number[] = [];
    for (let y = 70; y < 100; y++) for (let x = 60; x < 90; x++) after.push(d.sci[y * W + x]);
    expect(after).toEqual(before);
    // The real hits are still found.
    for (const h of hits) expect(d.dq![h.y * W + h.x] & DQ.cosmicRay).toBe(DQ.cosmicRay);
  });

  it('warns when the frame is still in ADU', () => {
    const { f } = scene(false);
    f.bunit = 'adu';
    const ctx = frameCtx();
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), ctx);
    expect(ctx.warnings).toEqual([expect.stringMatching(/in ADU/)]);
  });
});

describe('a frame left in ADU, with the gain measured on its flats', () => {
  // The scene at 0.25 e-/ADU (CMOS at high gain): every number 4 times larger in ADU than in electrons.
  const G = 0.25;
  function inAdu(measured: boolean) {
    const { f } = scene(false);
    f.bunit = 'adu';
    const d = f.exts[0].data;
    for (let i = 0; i < d.sci.length; i++) d.sci[i] /= G;
    if (measured) f.meta.measuredGain = [G];
    return f;
  }
  const flaggedAway = (f: ReturnType<typeof inAdu>) => {
    let n = 0;
    const dq = f.exts[0].data.dq!;
    for (let i = 0; i < dq.length; i++) if (dq[i] & DQ.cosmicRay && !hits.some((h) => Math.abs(h.x - (i % W)) <= 1 && Math.abs(h.y - Math.floor(i / W)) <= 1)) n++;
    return n;
  };

  it('is searched in electrons through that gain and put back in ADU: the hits, not the sky', () => {
    const f = inAdu(true);
    const before = f.exts[0].data.sci.slice();
    const ctx = frameCtx();
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), ctx);
    const d = f.exts[0].data;
    expectHitsCleaned(d, 1 / G);
    expect(flaggedAway(f)).toBeLessThanOrEqual(2);
    // Back in ADU: what was not replaced is what it was, to float rounding.
    let worst = 0;
    for (let i = 0; i < d.sci.length; i++) if (!d.dq![i]) worst = Math.max(worst, Math.abs(d.sci[i] - before[i]) / Math.abs(before[i]));
    expect(worst).toBeLessThan(1e-6);
    expect(ctx.warnings).toEqual([]);
    expect(ctx.logs).toContainEqual('ext 1: searched in electrons through the measured gain, 0.25 e-/ADU');
  });

  it('at an assumed 1 e-/ADU, the sky itself was taken for hits', () => {
    // Measured (seed 11): 317 pixels flagged away from the hits (3% of the frame), against at most 2 above:
    // the noise model's Poisson term is then half the true noise.
    const f = inAdu(false);
    const ctx = frameCtx();
    flagCosmicRays.run(f, recipeValues('reduceScience', 'flagCosmicRays'), ctx);
    expect(flaggedAway(f)).toBeGreaterThan(100);
    expect(ctx.warnings).toEqual([expect.stringMatching(/in ADU/)]);
  });
});

describe('clearCompactGroups', () => {
  const w = 40, h = 30;
  const draw = (pixels: [number, number][]) => {
    const m = new Uint8Array(w * h);
    for (const [x, y] of pixels) m[y * w + x] = 1;
    return m;
  };
  const block = (x0: number, y0: number, bw: number, bh: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let y = y0; y < y0 + bh; y++) for (let x = x0; x < x0 + bw; x++) out.push([x, y]);
    return out;
  };

  it("clears a compact blob (a star's core) and keeps hits: spots, tracks, diagonals, sparse groups", () => {
    const core = block(5, 5, 5, 6); // 30 pixels, 5 x 6: a star's core
    const spot = block(20, 3, 3, 3); // a 3 x 3 hit
    const track: [number, number][] = Array.from({ length: 15 }, (_, i) => [20 + i, 20]); // a grazing hit, 15 x 1
    const diagonal: [number, number][] = Array.from({ length: 7 }, (_, i) => [2 + i, 20 + i]); // 7 x 7 box, 7 pixels
    const thick: [number, number][] = [...Array.from({ length: 8 }, (_, i) => [28 + i, 5] as [number, number]), ...Array.from({ length: 8 }, (_, i) => [29 + i, 6] as [number, number])]; // 9 x 2
    const mask = draw([...core, ...spot, ...track, ...diagonal, ...thick]);
    expect(clearCompactGroups(mask, w, h)).toEqual({ pixels: 30, groups: 1 });
    for (const [x, y] of core) expect(mask[y * w + x]).toBe(0);
    for (const [x, y] of [...spot, ...track, ...diagonal, ...thick]) expect(mask[y * w + x], `${x},${y}`).toBe(1);
  });

  it('keeps a 4 x 4 box that is less than half filled (a hit and its grown neighbours)', () => {
    const ring: [number, number][] = [[10, 10], [11, 10], [12, 10], [13, 11], [13, 12], [12, 13], [11, 13]];
    const mask = draw(ring);
    expect(clearCompactGroups(mask, w, h)).toEqual({ pixels: 0, groups: 0 });
  });
});

describe('the noise model takes what VAR holds beyond the counts', () => {
  // A cooled CCD's 300 s frame: 250 e- of sky, 300 e- of dark current taken out by a master dark (its
  // shot noise stays), 7 e- of read noise. The true noise is sqrt(250 + 300 + 49) = 24.5 e-; the
  // read noise alone gives L.A.Cosmic sqrt(250 + 49) = 17.3.
  const N = 200, SKY4 = 250, DARK = 300, RN4 = 7, HOT4 = 60 * N + 70;
  function darkNight(seed: number) {
    const rng = makeRng(seed);
    const sci = new Float32Array(N * N), v = new Float32Array(N * N);
    for (let i = 0; i < sci.length; i++) {
      sci[i] = SKY4 + Math.sqrt(SKY4 + DARK + RN4 * RN4) * rng.normal();
      v[i] = RN4 * RN4 + Math.max(sci[i], 0) + DARK; // what addVariance and subtractDark give
    }
    // A hot pixel: 10^4 e- of dark current taken out, whose shot noise (100 e-) stays in the pixel and in
    // its VAR; it reads 300 e- above the sky (3 of its own sigmas, 12 of the model's).
    sci[HOT4] += 300;
    v[HOT4] += 300 + 1e4;
    for (const h of [{ x: 30, y: 40, e: 4000 }, { x: 150, y: 90, e: 3000 }, { x: 100, y: 170, e: 5000 }]) {
      const i = h.y * N + h.x;
      sci[i] += h.e;
      v[i] += h.e; // the hit is in the Poisson term too
    }
    return makeAstro({ name: 'dark.fits', primary: { RDNOISE: RN4 }, bunit: 'electron', exts: [{ data: { width: N, height: N, sci, var: v, dq: new Uint16Array(N * N) } }] });
  }
  const flagged = (f: ReturnType<typeof darkNight>) => f.exts[0].data.dq!.reduce((n, d) => n + (d & DQ.cosmicRay ? 1 : 0), 0);

  it('varianceBeyondCounts is the median of VAR - max(sci, 0): the hits (in both) do not move it', () => {
    const f = darkNight(3).exts[0].data;
    expect(varianceBeyondCounts(f.sci, f.var!, N)).toBeCloseTo(DARK + RN4 * RN4, 3);
    // Flagged pixels are left out.
    const dq = new Uint16Array(N * N);
    const v = f.var!.slice();
    for (let i = 0; i < N * N; i += 2) { v[i] += 1000; dq[i] = DQ.bad; }
    expect(varianceBeyondCounts(f.sci, v, N, dq)).toBeCloseTo(DARK + RN4 * RN4, 3);
  });

  it('flags the hits and not the sky, where the read noise alone flags hundreds of sky pixels', () => {
    const withVar = darkNight(5);
    const ctx = frameCtx();
    flagCosmicRays.run(withVar, recipeValues('reduceScience', 'flagCosmicRays'), ctx);
    const readNoiseOnly = darkNight(5);
    flagCosmicRays.run(readNoiseOnly, defaultsOf(flagCosmicRays, { noiseFromVar: false }), frameCtx());
    for (const f of [withVar, readNoiseOnly]) {
      for (const [x, y] of [[30, 40], [150, 90], [100, 170]]) expect(f.exts[0].data.dq![y * N + x] & DQ.cosmicRay).toBe(DQ.cosmicRay);
    }
    // Measured (seed 5): 7 pixels flagged (the 3 hits, 4 of sky) against 87 with the read noise alone:
    // at 1.41 times the noise that model assumes, its 4.5-sigma limit is 3.2 real sigmas.
    expect(flagged(withVar)).toBeLessThanOrEqual(9);
    expect(flagged(readNoiseOnly)).toBeGreaterThan(60);
    // The hot pixel's noise is its own: VAR says so, the read noise cannot.
    expect(withVar.exts[0].data.dq![HOT4] & DQ.cosmicRay).toBe(0);
    expect(readNoiseOnly.exts[0].data.dq![HOT4] & DQ.cosmicRay).toBe(DQ.cosmicRay);
    expect(cardOf(withVar.exts[0].header, 'CRNOISE')).toBeCloseTo(Math.sqrt(DARK + RN4 * RN4), 0);
    expect(cardOf(readNoiseOnly.exts[0].header, 'CRNOISE')).toBe(RN4);
    expect(ctx.logs).toContainEqual(expect.stringMatching(/noise model med5 \+ VAR beyond the counts, typically 18\.\d\d\^2/));
  });
});

describe('a colour mosaic (BAYERPAT)', () => {
  // An RGGB mosaic of an orange sky (R 520, G 400, B 280 e-) with a red star, 3 e- of read noise,
  // VAR as addVariance gives it, and three hits on pixels of each colour.
  const N = 160, RN5 = 3;
  const colour = (x: number, y: number) => (x % 2 === 0 && y % 2 === 0 ? 0 : x % 2 === 1 && y % 2 === 1 ? 2 : 1);
  const SKY5 = [520, 400, 280], STAR5 = [1.8, 1, 0.5];
  const HITS5 = [{ x: 40, y: 40, e: 3000 }, { x: 101, y: 60, e: 2500 }, { x: 121, y: 131, e: 4000 }];
  function mosaic(pattern: string | undefined) {
    const rng = makeRng(17);
    const sci = new Float32Array(N * N), v = new Float32Array(N * N);
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++) {
        const c = colour(x, y);
        // A sharp star (FWHM 2.6 px): searched one colour at a time, at half the sampling, it read as hits.
        const star = STAR5[c] * (80000 / (2 * Math.PI * 1.1 ** 2)) * Math.exp(-((x - 80.3) ** 2 + (y - 90.6) ** 2) / (2 * 1.1 ** 2));
        const m = SKY5[c] + star;
        const i = y * N + x;
        sci[i] = m + Math.sqrt(m + RN5 * RN5) * rng.normal();
        v[i] = RN5 * RN5 + Math.max(sci[i], 0);
      }
    }
    for (const h of HITS5) { sci[h.y * N + h.x] += h.e; v[h.y * N + h.x] += h.e; }
    return makeAstro({ name: 'osc.fits', primary: { RDNOISE: RN5, ...(pattern ? { BAYERPAT: pattern } : {}) }, bunit: 'electron', exts: [{ data: { width: N, height: N, sci, var: v, dq: new Uint16Array(N * N) } }] });
  }
  const flaggedAt = (f: ReturnType<typeof mosaic>) => {
    const out: number[] = [];
    f.exts[0].data.dq!.forEach((d, i) => { if (d & DQ.cosmicRay) out.push(i); });
    return out;
  };

  it('searches each colour\'s pixels on their own, stars\' cores left out: the hits, and not the mosaic\'s pattern or a sharp star', () => {
    const osc = mosaic('RGGB');
    const ctx = frameCtx();
    flagCosmicRays.run(osc, recipeValues('reduceScience', 'flagCosmicRays'), ctx);
    const flagged = flaggedAt(osc);
    for (const h of HITS5) expect(flagged, `hit at ${h.x},${h.y}`).toContain(h.y * N + h.x);
    // Measured: the 3 hits and 1 sky pixel.
    expect(flagged.length).toBeLessThanOrEqual(3 + 3);
    for (const i of flagged) expect(Math.hypot((i % N) - 80.3, Math.floor(i / N) - 90.6), 'a flag on the star').toBeGreaterThan(8);
    // The hits are replaced by pixels of their colour: near their colour's sky.
    for (const h of HITS5) expect(Math.abs(osc.exts[0].data.sci[h.y * N + h.x] - SKY5[colour(h.x, h.y)])).toBeLessThan(4 * Math.sqrt(SKY5[colour(h.x, h.y)]));
    expect(ctx.logs).toContainEqual(expect.stringMatching(/colour mosaic \(RGGB\): each colour's pixels searched on their own, the cores of 1 star found on its 2 x 2 block means left out/));
    expect(cardOf(osc.exts[0].header, 'NCOSMIC')).toBe(flagged.length);
    // The same pixels read as one image: the colours' steps are taken for hits (measured: 4842 of 25600).
    const mono = mosaic(undefined);
    flagCosmicRays.run(mono, recipeValues('reduceScience', 'flagCosmicRays'), frameCtx());
    expect(flaggedAt(mono).length).toBeGreaterThan(3000);
  });
});
