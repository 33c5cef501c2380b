/**
 * detectSources on Gaussian stars of known FWHM, ellipticity and flux on a
 * noisy sky: the quality figures, the star list and the header cards.
 */
import { describe, expect, it } from 'vitest';
import { DQ } from '../../kernels/dq';
import { detectSources } from './sources';
import { addStar, cardOf, frameCtx, makeAstro, makeMember, makeRng, recipeValues, skyFrame, starGrid, type StarSpec } from '../testing/frames';
import { MemoryStore } from '../memoryStore';

const W = 200, H = 200, SKY = 100, RN = 5, FWHM = 3.5;
const NOISE = Math.sqrt(SKY + RN * RN);
const FLUXES = [20000, 35000, 50000, 80000, 120000];

function field(stars: StarSpec[], seed = 5) {
  const { frame } = skyFrame({ width: W, height: H, sky: SKY, readNoise: RN, stars, seed });
  return makeAstro({ name: 'sci.fits', bunit: 'electron', exts: [{ data: frame }] });
}

/** The true star nearest a measured position. */
function nearest(stars: StarSpec[], x: number, y: number): StarSpec {
  return stars.reduce((a, b) => (Math.hypot(b.x - x, b.y - y) < Math.hypot(a.x - x, a.y - y) ? b : a));
}

describe('detectSources', () => {
  const stars = starGrid({ nx: 4, ny: 4, x0: 40, y0: 40, step: 40, fwhm: FWHM, fluxes: FLUXES, seed: 1 });
  const p = recipeValues('reduceScience', 'detectSources');

  it('measures FWHM, sky and sky noise, and counts the stars', () => {
    const f = field(stars);
    const ctx = frameCtx();
    expect(detectSources.run(f, p, ctx)).toBe('unchanged');
    const q = f.meta.quality!;
    expect(Math.abs(q.fwhm / FWHM - 1)).toBeLessThan(0.03);
    expect(q.ellipticity).toBeLessThan(0.05);
    expect(Math.abs(q.sky - SKY)).toBeLessThan(0.5);
    expect(Math.abs(q.skyNoise / NOISE - 1)).toBeLessThan(0.05);
    expect(q.nStars).toBe(16);
    expect(ctx.warnings).toEqual([]);
    expect(f.meta.measuredWith).toEqual(p);
    expect(cardOf(f.primary, 'FWHM') as number).toBeCloseTo(q.fwhm, 3);
    expect(cardOf(f.primary, 'NSTARS')).toBe(16);
    expect(cardOf(f.primary, 'SKYLEVEL') as number).toBeCloseTo(q.sky, 2);
    expect(cardOf(f.primary, 'SKYNOISE') as number).toBeCloseTo(q.skyNoise, 2);
  });

  it('lists every star at its position, brightest first, with aperture fluxes proportional to the true ones', () => {
    const f = field(stars);
    detectSources.run(f, p, frameCtx());
    const list = f.meta.stars!;
    expect(list).toHaveLength(16);
    for (let i = 1; i < list.length; i++) expect(list[i].flux).toBeLessThanOrEqual(list[i - 1].flux);
    const ratios: number[] = [];
    for (const s of list) {
      const t = nearest(stars, s.x, s.y);
      // Centroids of stars of S/N > 100: a few hundredths of a pixel.
      expect(Math.hypot(s.x - t.x, s.y - t.y)).toBeLessThan(0.1);
      expect(s.ext).toBe(0);
      ratios.push(s.flux / t.flux);
    }
    // An aperture of 2.5 FWHM holds all of a Gaussian: flux / truth = 1 within the noise (~1% for the faintest).
    for (const r of ratios) expect(Math.abs(r - 1)).toBeLessThan(0.03);
  });

  it('measures the ellipticity of elongated stars (1 - b/a)', () => {
    const elongated = starGrid({ nx: 4, ny: 4, x0: 40, y0: 40, step: 40, fwhm: FWHM, fluxes: FLUXES, seed: 2, ellipticity: 0.3, theta: 0.6 });
    const f = field(elongated, 6);
    detectSources.run(f, p, frameCtx());
    expect(Math.abs(f.meta.quality!.ellipticity - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(f.meta.quality!.fwhm / FWHM - 1)).toBeLessThan(0.03);
  });

  it('keeps saturated stars and flagged pixels out of the quality figures', () => {
    const f = field(stars);
    const d = f.exts[0].data;
    d.dq = new Uint16Array(W * H);
    // Flag the core of the first star as saturated: it must not be used for FWHM.
    const s0 = stars[0];
    d.dq[Math.round(s0.y) * W + Math.round(s0.x)] = DQ.saturated;
    detectSources.run(f, p, frameCtx());
    expect(f.meta.quality!.nStars).toBe(15);
    expect(f.meta.stars!.some((s) => Math.hypot(s.x - s0.x, s.y - s0.y) < 3)).toBe(false);
  });

  it('warns when no star is bright enough to measure', () => {
    const f = field([]);
    const ctx = frameCtx();
    detectSources.run(f, p, ctx);
    expect(f.meta.quality!.nStars).toBe(0);
    expect(Number.isNaN(f.meta.quality!.fwhm)).toBe(true);
    expect(ctx.warnings).toEqual([expect.stringMatching(/no star bright enough/)]);
  });

  it('is satisfied by a member measured with the same values, and only then', () => {
    const store = new MemoryStore();
    const stored = store.add({ id: 'a', name: 'a.fits', primary: [], exts: [{ frame: { width: 2, height: 2, sci: new Float32Array(4) } }] });
    const f = field(stars);
    detectSources.run(f, p, frameCtx());
    const m = makeMember(stored, { quality: f.meta.quality, stars: f.meta.stars, measuredWith: { ...p } });
    expect(detectSources.satisfiedBy!(m, p)).toBe(true);
    // Same values in another key order: still the same.
    const reordered = Object.fromEntries(Object.entries(p).reverse());
    expect(detectSources.satisfiedBy!(m, reordered)).toBe(true);
    expect(detectSources.satisfiedBy!(m, { ...p, threshold: 3 })).toBe(false);
    expect(detectSources.satisfiedBy!(makeMember(stored, { quality: f.meta.quality }), p)).toBe(false);
  });
});

describe('detectSources on a colour mosaic (BAYERPAT)', () => {
  // RGGB: an orange sky (R 1.3, G 1, B 0.7 of 300 e-) and stars of every colour seen through it.
  const factor = (x: number, y: number) => (x % 2 === 0 && y % 2 === 0 ? 1.3 : x % 2 === 1 && y % 2 === 1 ? 0.7 : 1);
  const stars = starGrid({ nx: 4, ny: 4, x0: 40, y0: 40, step: 40, fwhm: FWHM, fluxes: FLUXES, seed: 3 });
  function mosaic(pattern?: string) {
    const model = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) model[y * W + x] = 300 * factor(x, y);
    for (const st of stars) addStar(model, W, H, st, factor);
    const rng = makeRng(9);
    const sci = Float32Array.from(model, (m) => m + Math.sqrt(m + RN * RN) * rng.normal());
    return makeAstro({ name: 'osc.fits', bunit: 'electron', primary: pattern ? { BAYERPAT: pattern } : {}, exts: [{ data: { width: W, height: H, sci } }] });
  }
  // The sky's noise per pixel, each colour's own, as their root mean square.
  const pixelNoise = Math.sqrt([1.3, 1, 1, 0.7].reduce((a, k) => a + 300 * k + RN * RN, 0) / 4);

  it('measures on 2 x 2 block means: the FWHM, the stars\' places and the sky\'s noise of the mosaic\'s pixels', () => {
    const f = mosaic('RGGB');
    detectSources.run(f, recipeValues('reduceScience', 'detectSources'), frameCtx());
    const q = f.meta.quality!;
    // Measured 3.513 for 3.5 (3.77-3.78 for 3.77 on a night made with astropy); 3.705 without the box's width taken out.
    expect(Math.abs(q.fwhm / FWHM - 1)).toBeLessThan(0.015);
    expect(Math.abs(q.skyNoise / pixelNoise - 1)).toBeLessThan(0.05);
    expect(Math.abs(q.sky - 300)).toBeLessThan(1);
    expect(q.nStars).toBe(16);
    for (const st of f.meta.stars!) {
      const t = nearest(stars, st.x, st.y);
      // Measured 0.002-0.042 px (2 x 2 superpixels, weighted by their colours, were off by 0.08-0.17).
      expect(Math.hypot(st.x - t.x, st.y - t.y), `star at ${t.x},${t.y}`).toBeLessThan(0.06);
    }
    // The same pixels as one image: the sky's colours read as noise, three times the real one.
    const mono = mosaic();
    detectSources.run(mono, recipeValues('reduceScience', 'detectSources'), frameCtx());
    expect(mono.meta.quality!.skyNoise / pixelNoise).toBeGreaterThan(2);
  });
});
