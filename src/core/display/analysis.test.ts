/** The inspector's analysis kernels against numpy, scipy and astropy (reference/make_analysis.py). */
import { describe, expect, it } from 'vitest';
import ref from './reference/analysis_expected.json';
import { columnCut, lineCut, pixelBox, rowCut } from './cuts';
import { boxStats } from './regionStats';
import { measureStar, moffatFwhm, FWHM_PER_SIGMA } from './radial';
import { exactPercentiles } from '../kernels/ranks';

const W = ref.width;
const H = ref.height;
const frame = Float32Array.from(ref.frame, (v) => (v === null ? NaN : v));

describe('cuts', () => {
  it('a row and a column are the pixels themselves', () => {
    const row = rowCut(frame, W, H, 12);
    expect(row.values[12]).toBe(65000);
    expect(Array.from(row.values)).toEqual(Array.from(frame.subarray(12 * W, 13 * W)));
    const col = columnCut(frame, W, H, 7);
    expect(col.values[5]).toBeNaN();
    for (let y = 0; y < H; y++) if (y !== 5) expect(col.values[y]).toBe(frame[y * W + 7]);
    expect(() => rowCut(frame, W, H, H)).toThrow(/outside/);
  });

  it('a line is sampled every pixel with bilinear interpolation, as scipy map_coordinates(order=1)', () => {
    for (const { line, values } of ref.lines) {
      const [x0, y0, x1, y1] = line;
      const cut = lineCut(frame, W, H, x0, y0, x1, y1);
      expect(cut.values.length).toBe(values.length);
      values.forEach((v, k) => {
        if (v === null) expect(cut.values[k]).toBeNaN();
        else expect(cut.values[k]).toBeCloseTo(v, 6);
      });
    }
  });

  it('the pixel table is centred on the pixel, top row first, NaN outside', () => {
    const box = pixelBox(frame, W, H, 0, 29, 5);
    // Top-left corner is outside (x = -2, y = 31).
    expect(box[0]).toBeNaN();
    // Centre (row 2, column 2) is the pixel itself.
    expect(box[2 * 5 + 2]).toBe(frame[29 * W + 0]);
    // One row down is y = 28.
    expect(box[3 * 5 + 2]).toBe(frame[28 * W + 0]);
    expect(box[2 * 5 + 3]).toBe(frame[29 * W + 1]);
  });
});

describe('box statistics match numpy and astropy mad_std', () => {
  for (const b of ref.boxes) {
    it(`box ${b.box.join(',')}`, () => {
      const [x0, y0, x1, y1] = b.box;
      const s = boxStats(frame, W, H, { x0, y0, x1, y1 });
      expect(s.npix).toBe(b.npix);
      expect(s.sum).toBeCloseTo(b.sum, 6);
      expect(s.mean).toBeCloseTo(b.mean, 9);
      expect(s.median).toBe(b.median);
      expect(s.std).toBeCloseTo(b.std, 9);
      expect(s.robustSigma).toBeCloseTo(b.robustSigma, 9);
      expect(s.min).toBe(b.min);
      expect(s.max).toBe(b.max);
    });
  }
  it('clips to the frame and refuses a box outside it', () => {
    const s = boxStats(frame, W, H, { x0: 35, y0: 25, x1: 60, y1: 80 });
    expect(s.box).toEqual({ x0: 35, y0: 25, x1: 39, y1: 29 });
    expect(s.npix).toBe(25);
    expect(() => boxStats(frame, W, H, { x0: 50, y0: 0, x1: 60, y1: 3 })).toThrow(/outside/);
  });
});

describe('exact percentiles', () => {
  it('match numpy.percentile', () => {
    const got = exactPercentiles(frame, ref.percentiles.p);
    got.forEach((v, k) => expect(v).toBeCloseTo(ref.percentiles.values[k], 8));
  });
});

describe('star measurement', () => {
  for (const kind of ['moffat', 'gaussian'] as const) {
    const star = ref[kind];
    const img = Float64Array.from(star.pixels);
    it(`${kind}: centre and FWHM as astropy.modeling's fit, and the truth within the noise`, () => {
      const fit = measureStar(img, star.width, star.height, 28, 31, { model: kind, fitRadius: 12 })!;
      expect(fit).toBeDefined();
      expect(fit.converged).toBe(true);
      // Same model, nearly the same pixels (within 12 px of our centre, not the true one).
      expect(Math.abs(fit.x - star.astropy.x)).toBeLessThan(0.01);
      expect(Math.abs(fit.y - star.astropy.y)).toBeLessThan(0.01);
      expect(Math.abs(fit.fwhm / star.astropy.fwhm - 1)).toBeLessThan(0.005);
      expect(Math.abs(fit.background - star.astropy.background)).toBeLessThan(1);
      expect(Math.abs(fit.fwhm / star.truth.fwhm - 1)).toBeLessThan(0.01);
      // The profile is every fitted pixel, its distance from the fitted centre.
      expect(fit.profile.r.length).toBeGreaterThan(400);
      expect(Math.min(...fit.profile.r)).toBeLessThan(0.75);
    });
  }

  it('recovers a noiseless Moffat exactly, from a click a few pixels off', () => {
    const w = 50, h = 40, x0 = 21.3, y0 = 17.8, alpha = 2.6, beta = 3.2;
    const img = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img[y * w + x] = 250 + 1.2e4 * Math.pow(1 + ((x - x0) ** 2 + (y - y0) ** 2) / alpha ** 2, -beta);
    const fit = measureStar(img, w, h, 24, 15)!;
    expect(fit.x).toBeCloseTo(x0, 4);
    expect(fit.y).toBeCloseTo(y0, 4);
    expect(fit.alpha).toBeCloseTo(alpha, 3);
    expect(fit.beta).toBeCloseTo(beta, 3);
    expect(fit.fwhm).toBeCloseTo(moffatFwhm(alpha, beta), 4);
    expect(fit.background).toBeCloseTo(250, 1);
  });

  it('recovers a noiseless Gaussian exactly', () => {
    const w = 40, h = 40, x0 = 19.6, y0 = 20.2, sigma = 1.3;
    const img = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img[y * w + x] = 10 + 900 * Math.exp(-((x - x0) ** 2 + (y - y0) ** 2) / (2 * sigma * sigma));
    const fit = measureStar(img, w, h, 20, 20, { model: 'gaussian' })!;
    expect(fit.fwhm).toBeCloseTo(FWHM_PER_SIGMA * sigma, 4);
    expect(fit.x).toBeCloseTo(x0, 4);
  });

  it('finds nothing on flat sky, at an edge, or in NaN', () => {
    const flat = new Float32Array(30 * 30).fill(100);
    expect(measureStar(flat, 30, 30, 15, 15)).toBeUndefined();
    expect(measureStar(new Float32Array(900).fill(NaN), 30, 30, 15, 15)).toBeUndefined();
  });

  it('is not fooled by a cosmic ray beside the star', () => {
    const w = 40, h = 40, x0 = 20.2, y0 = 19.7;
    const img = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img[y * w + x] = 100 + 3000 * Math.exp(-((x - x0) ** 2 + (y - y0) ** 2) / (2 * 1.5 ** 2));
    img[17 * w + 23] = 60000;
    const fit = measureStar(img, w, h, 22, 18, { model: 'gaussian' })!;
    expect(Math.hypot(fit.peak.ix - x0, fit.peak.iy - y0)).toBeLessThan(1);
    // The hot pixel lies within the fit radius but not within the star's core: the centre holds.
    expect(Math.hypot(fit.x - x0, fit.y - y0)).toBeLessThan(0.1);
  });
});
