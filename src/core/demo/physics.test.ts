import { describe, expect, it } from 'vitest';
import { medianInPlace } from '../kernels/select';
import { DETECTOR } from './options';
import { rowBias } from './plan';
import { simulateNight, type RawFrame } from './simulate';
import { demoDetector, demoTruth, type DemoFrameTruth } from './truth';

const OPTS = { seed: 11, width: 192, height: 160, nBias: 2, nFlatPerFilter: 2, nSciencePerFilter: 2, nSecondTarget: 0 };
const W = OPTS.width;
const H = OPTS.height;
const NX = W + DETECTOR.overscan;
const G = DETECTOR.gain;
const RN_ADU = DETECTOR.readNoise / G;

const frames: RawFrame[] = [];
simulateNight(OPTS, (f) => frames.push(f));
const truth = demoTruth(OPTS);
const det = demoDetector(OPTS);
const byIndex = (i: number) => ({ raw: frames[i].pixels, t: truth.frames[i] });

function median(values: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(values));
}
/** 1.4826 * MAD: the noise, blind to stars and cosmic rays. */
function robustStd(values: ArrayLike<number>): number {
  const m = median(values);
  return 1.4826 * median(Array.from(values, (v) => Math.abs(v - m)));
}
/** Median of the clean overscan (BIASSEC) of a row. */
function overscanRow(raw: Uint16Array, y: number): number {
  const v: number[] = [];
  for (let x = W + 1; x < NX; x++) v.push(raw[y * NX + x]);
  return median(v);
}
/** Image area minus its overscan row by row, as ADU (what an overscan correction gives). */
function overscanCorrected(raw: Uint16Array): Float64Array {
  const out = new Float64Array(W * H);
  for (let y = 0; y < H; y++) {
    const b = overscanRow(raw, y);
    for (let x = 0; x < W; x++) out[y * W + x] = raw[y * NX + x] - b;
  }
  return out;
}
/** Pixels of the inner image area, away from the edge glow, hot and low columns. */
function cleanPixels(img: ArrayLike<number>, width = W): number[] {
  const bad = new Set([truth.defects.lowColumn, ...truth.defects.hotColumns.map((c) => c.x)]);
  const v: number[] = [];
  for (let y = 8; y < H - 8; y++) for (let x = 24; x < W - 8; x++) if (!bad.has(x)) v.push(img[y * width + x]);
  return v;
}

describe('bias frames', () => {
  const { raw, t } = byIndex(0);
  it('sit at ~1000 ADU with 5 e- / 1.5 e-/ADU of read noise', () => {
    expect(t.kind).toBe('bias');
    const m = median(cleanPixels(raw, NX));
    expect(Math.abs(m - (truth.biasLevel + t.bias.offset))).toBeLessThan(1.5);
    const os: number[] = [];
    for (let y = 0; y < H; y++) for (let x = W + 1; x < NX; x++) os.push(raw[y * NX + x] - rowBias(t.bias, y, H));
    // Rounding to integers adds 1/12 ADU^2 of variance.
    const sd = Math.sqrt(os.reduce((s, v) => s + v * v, 0) / os.length);
    expect(sd).toBeGreaterThan(0.95 * Math.hypot(RN_ADU, Math.sqrt(1 / 12)));
    expect(sd).toBeLessThan(1.05 * Math.hypot(RN_ADU, Math.sqrt(1 / 12)));
  });

  it('drift with the row the same way in the overscan and in the image, so overscan correction removes it', () => {
    const imgRow: number[] = [];
    const osRow: number[] = [];
    const model: number[] = [];
    for (let y = 0; y < H; y++) {
      const v: number[] = [];
      for (let x = 24; x < W - 8; x++) if (!truth.defects.hotColumns.some((c) => c.x === x)) v.push(raw[y * NX + x]);
      imgRow.push(v.reduce((s, a) => s + a, 0) / v.length);
      let s = 0;
      for (let x = W + 1; x < NX; x++) s += raw[y * NX + x];
      osRow.push(s / (NX - W - 1));
      model.push(rowBias(t.bias, y, H));
    }
    const spread = Math.max(...model) - Math.min(...model);
    expect(spread).toBeGreaterThan(3);
    const resid = osRow.map((v, y) => v - model[y]);
    const diff = imgRow.map((v, y) => v - osRow[y]);
    const sd = (a: number[]) => {
      const m = a.reduce((s, v) => s + v, 0) / a.length;
      return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
    };
    // Row means of 31 overscan pixels scatter by RN/sqrt(31) ~ 0.6 ADU around the model.
    expect(sd(resid)).toBeLessThan(0.8);
    expect(sd(diff)).toBeLessThan(0.8);
    expect(sd(model)).toBeGreaterThan(1.2);
  });

  it('carry the fixed pattern (hot columns, readout-edge glow) that the truth map holds', () => {
    const corr = overscanCorrected(raw);
    const columns = [0, 1, ...truth.defects.hotColumns.map((c) => c.x), W >> 1];
    for (const x of columns) {
      const diff: number[] = [];
      for (let y = 0; y < H; y++) diff.push(corr[y * W + x] - det.biasStructure[y * W + x]);
      // Column median of 160 rows: noise ~ 1.25 * 3.3 / sqrt(160) ~ 0.35 ADU, and the offset of the overscan median.
      expect(Math.abs(median(diff))).toBeLessThan(1.2);
    }
    for (const c of truth.defects.hotColumns) expect(det.biasStructure[(H - 1) * W + c.x]).toBeGreaterThanOrEqual(c.adu - 1e-3);
    expect(det.biasStructure[0]).toBeCloseTo(truth.edgeGlow.adu, 5);
  });
});

describe('twilight flats', () => {
  const flats = truth.frames.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === 'flat');
  it('have medians of 20-30 kADU, the truth level times the flat pattern', () => {
    for (const { t, i } of flats) {
      const raw = frames[i].pixels;
      const m = median(cleanPixels(raw, NX));
      expect(m).toBeGreaterThan(19500);
      expect(m).toBeLessThan(30500);
      const corr = overscanCorrected(raw);
      const pattern = det.flats.get(t.filter)!;
      const light = Array.from(corr, (v, k) => (v - det.biasStructure[k]) / pattern[k]);
      expect(median(cleanPixels(light)) / t.flatLevelAdu!).toBeCloseTo(1, 2);
    }
  });

  it('have Poisson plus read noise: the scaled difference of two flats has the predicted variance', () => {
    const [a, b] = flats.filter(({ t }) => t.filter === 'V');
    const ca = overscanCorrected(frames[a.i].pixels);
    const cb = overscanCorrected(frames[b.i].pixels);
    const pa = cleanPixels(ca);
    const pb = cleanPixels(cb);
    const ma = median(pa);
    const mb = median(pb);
    const s = ma / mb;
    const diff = pa.map((v, k) => v - s * pb[k]);
    const mean = diff.reduce((x, v) => x + v, 0) / diff.length;
    const measured = diff.reduce((x, v) => x + (v - mean) ** 2, 0) / diff.length;
    // Var in ADU^2 = signal/gain + (RN/gain)^2 + rounding, for each frame.
    const one = (m: number) => m / G + RN_ADU ** 2 + 1 / 12;
    const predicted = one(ma) + s * s * one(mb);
    expect(measured / predicted).toBeGreaterThan(0.95);
    expect(measured / predicted).toBeLessThan(1.05);
  });

  it('show vignetting (~15% darker corners) and push a CTI trail into the first overscan column only', () => {
    const f = det.flats.get('V')!;
    const centre = f[(H >> 1) * W + (W >> 1)];
    const corners = [f[0], f[W - 1], f[(H - 1) * W], f[H * W - 1]];
    for (const c of corners) expect(c / centre).toBeGreaterThan(0.8);
    expect(Math.min(...corners) / centre).toBeLessThan(0.9);
    const { raw } = byIndex(flats[0].i);
    const first: number[] = [];
    const clean: number[] = [];
    const last: number[] = [];
    for (let y = 0; y < H; y++) {
      first.push(raw[y * NX + W]);
      clean.push(raw[y * NX + W + 1]);
      last.push(raw[y * NX + W - 1] - raw[y * NX + W + 1]);
    }
    const trail = median(first) - median(clean);
    expect(trail / (DETECTOR.ctiTrail * median(last))).toBeCloseTo(1, 1);
  });
});

describe('science frames', () => {
  const sci = truth.frames.map((t, i) => ({ t, i })).filter(({ t }) => t.kind === 'science');

  it('have the truth sky level and Poisson-consistent sky noise', () => {
    for (const { t, i } of sci) {
      const corr = overscanCorrected(frames[i].pixels);
      const bias = det.biasStructure;
      const pattern = det.flats.get(t.filter)!;
      const flatFielded = Array.from(corr, (v, k) => (v - bias[k]) / pattern[k]);
      const px = cleanPixels(flatFielded);
      expect(median(px) / t.skyAdu!).toBeGreaterThan(0.98);
      expect(median(px) / t.skyAdu!).toBeLessThan(1.02);
      // Neighbour differences remove the smooth vignetting that would widen a plain histogram.
      const d: number[] = [];
      for (let k = 0; k + 1 < flatFielded.length; k += 2) if ((k + 1) % W !== 0) d.push((flatFielded[k + 1] - flatFielded[k]) / Math.SQRT2);
      const noise = robustStd(d);
      // Poisson on the sky, read noise, and the 1% pixel-response scatter the truth flat removes again.
      expect(noise / Math.sqrt(t.skyAdu! / G + RN_ADU ** 2)).toBeGreaterThan(0.95);
      expect(noise / Math.sqrt(t.skyAdu! / G + RN_ADU ** 2)).toBeLessThan(1.05);
    }
  });

  it('are hit by 5-20 cosmic rays, sharp and far above the sky', () => {
    for (const { t, i } of sci) {
      const hits = t.cosmics!;
      expect(hits.length).toBeGreaterThanOrEqual(5);
      const raw = frames[i].pixels;
      const sky = DETECTOR.biasLevel + t.skyAdu!;
      for (const c of hits) expect(raw[c.y * NX + c.x]).toBeGreaterThan(sky + 500);
    }
  });

  it('show every bright truth star where the truth puts it, shifted by the dithers', () => {
    const centroids: { x: number; y: number }[][] = [];
    for (const { t, i } of sci) {
      const corr = overscanCorrected(frames[i].pixels);
      const sky = median(cleanPixels(corr));
      const sigma = robustStd(cleanPixels(corr));
      const found: { x: number; y: number }[] = [];
      for (const s of t.stars!) {
        // Skip faint stars, stars at the edge and stars with a cosmic-ray hit inside the centroid box.
        const hit = t.cosmics!.some((c) => Math.abs(c.x - s.x) < 6 && Math.abs(c.y - s.y) < 6);
        if (hit || s.peak / G < 30 * sigma || s.x < 6 || s.y < 6 || s.x > W - 7 || s.y > H - 7) {
          found.push({ x: NaN, y: NaN });
          continue;
        }
        const x0 = Math.round(s.x);
        const y0 = Math.round(s.y);
        let sx = 0, sy = 0, sw = 0;
        for (let y = y0 - 4; y <= y0 + 4; y++) {
          for (let x = x0 - 4; x <= x0 + 4; x++) {
            const v = Math.max(0, corr[y * W + x] - sky);
            sx += v * x;
            sy += v * y;
            sw += v;
          }
        }
        expect(corr[y0 * W + x0] - sky).toBeGreaterThan(10 * sigma);
        found.push({ x: sx / sw, y: sy / sw });
        // A 9x9 box centroid is biased toward the box centre for off-centre stars; 0.25 px is ample.
        expect(Math.abs(sx / sw - s.x)).toBeLessThan(0.25);
        expect(Math.abs(sy / sw - s.y)).toBeLessThan(0.25);
      }
      centroids.push(found);
    }
    expect(centroids.some((c) => c.some((p) => Number.isFinite(p.x)))).toBe(true);
  });

  it('are dithered by non-integer offsets of up to 20 px', () => {
    const shifts = sci.map(({ t }) => [t.dx!, t.dy!]);
    expect(shifts[0]).toEqual([0, 0]);
    for (const [dx, dy] of shifts.slice(1)) {
      for (const d of [dx, dy]) {
        expect(Math.abs(d)).toBeGreaterThanOrEqual(3);
        expect(Math.abs(d)).toBeLessThanOrEqual(20);
        expect(Number.isInteger(d)).toBe(false);
      }
    }
    // Star positions of a frame are the field positions plus the frame's dither.
    const field = truth.targets[0].stars;
    const f = sci[1].t as DemoFrameTruth;
    for (const s of f.stars!) expect(field.some((p) => Math.abs(p.x + f.dx! - s.x) < 1e-9 && Math.abs(p.y + f.dy! - s.y) < 1e-9)).toBe(true);
  });
});

describe('the default night', () => {
  const t = demoTruth();
  it('has 40-80 stars per frame of the main field, with a few near or above saturation', () => {
    const sci = t.frames.filter((f) => f.kind === 'science');
    expect(sci.length).toBe(10);
    for (const f of sci) {
      expect(f.stars!.length).toBeGreaterThanOrEqual(40);
      expect(f.stars!.length).toBeLessThanOrEqual(80);
      expect(f.skyAdu!).toBeGreaterThan(300);
      expect(f.skyAdu!).toBeLessThan(800);
      expect(f.fwhm!).toBeGreaterThan(2.5);
      expect(f.fwhm!).toBeLessThan(3.5);
    }
    const satE = (DETECTOR.saturate - t.biasLevel) * t.gain;
    const near = (f: DemoFrameTruth) => f.stars!.filter((s) => s.peak > 0.5 * satE).length;
    for (const f of sci) expect(near(f)).toBeGreaterThanOrEqual(1);
    expect(sci.some((f) => f.stars!.some((s) => s.peak > 1.1 * satE))).toBe(true);
  });

  it('clips saturated stars at 65535', () => {
    const opts = { nBias: 0, nFlatPerFilter: 0, filters: ['R'], nSciencePerFilter: 1, nSecondTarget: 0 };
    const rt = demoTruth(opts);
    let saturated = 0;
    simulateNight(opts, (fr) => {
      for (let k = 0; k < fr.pixels.length; k++) if (fr.pixels[k] === 65535) saturated++;
    });
    const bright = rt.frames[0].stars!.filter((s) => s.peak / t.gain > 70000);
    expect(bright.length).toBeGreaterThan(0);
    expect(saturated).toBeGreaterThan(0);
  });
});
