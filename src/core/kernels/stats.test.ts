import { describe, expect, it } from 'vitest';
import {
  MAD_TO_SIGMA, frameStats, gatherValid, mad, mean, meanStd, median, medianAndRobustSigma, minMax, modeEstimate, percentile,
  percentiles, robustSigma, sigmaClippedStats,
  sampledMedianAndSigma,
} from './stats';
import { close, f32, part1 } from './reference/part1';

describe('stats against numpy/astropy (part1.json)', () => {
  for (const [name, ref] of Object.entries(part1.stats)) {
    const data = f32(ref.data);
    it(`${name}: mean, median, std, min/max, MAD`, () => {
      expect(close(mean(data), ref.mean, 1e-12, 1)).toBe(true);
      expect(median(data)).toBe(ref.median);
      expect(close(meanStd(data).std, ref.std, 1e-10, 1e-9)).toBe(true);
      expect(minMax(data)).toMatchObject({ min: ref.min, max: ref.max });
      expect(close(mad(data), ref.mad, 1e-12, 1e-12)).toBe(true);
      expect(close(robustSigma(data), ref.mad_std, 1e-12, 1e-12)).toBe(true);
      const both = medianAndRobustSigma(data);
      expect(both.median).toBe(ref.median);
      expect(close(both.sigma, ref.mad_std, 1e-12, 1e-12)).toBe(true);
    });
    it(`${name}: percentiles like numpy linear`, () => {
      const got = percentiles(data, ref.percentiles.q);
      got.forEach((v, i) => expect(close(v, ref.percentiles.values[i], 1e-12, 1e-9)).toBe(true));
    });
    it(`${name}: sigma_clipped_stats`, () => {
      for (const c of ref.sigma_clipped) {
        const s = sigmaClippedStats(data, {
          sigma: c.args.sigma, sigmaLower: c.args.sigma_lower, sigmaUpper: c.args.sigma_upper, maxiters: c.args.maxiters,
        });
        expect(close(s.mean, c.mean, 1e-10, 1e-9), `mean ${JSON.stringify(c.args)}`).toBe(true);
        expect(s.median).toBe(c.median);
        expect(close(s.std, c.std, 1e-9, 1e-9), `std ${JSON.stringify(c.args)}`).toBe(true);
      }
    });
  }

  it('sigma clipping with a mask', () => {
    const ref = part1.masked;
    const data = f32(part1.stats[ref.name].data);
    const mask = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i += ref.mask_every) mask[i] = 1;
    const s = sigmaClippedStats(data, { mask, sigma: 3, maxiters: 5 });
    expect(close(s.mean, ref.mean, 1e-10)).toBe(true);
    expect(s.median).toBe(ref.median);
    expect(close(s.std, ref.std, 1e-9)).toBe(true);
    expect(median(data, { mask })).toBe(ref.median_plain);
    expect(close(mean(data, { mask }), ref.mean_plain, 1e-12)).toBe(true);
  });
});

describe('stats by hand', () => {
  const v = new Float32Array([5, 1, NaN, 3, 2, Infinity, 4]);

  it('skips NaN/Inf and masked pixels', () => {
    expect(mean(v)).toBe(3);
    expect(median(v)).toBe(3);
    const dq = new Uint16Array([0, 0, 0, 0, 0, 0, 4]); // exclude the 4
    expect(median(v, { mask: dq })).toBe(2.5);
    expect(minMax(v, { mask: dq })).toEqual({ min: 1, max: 5, count: 4 });
    expect(gatherValid(v).n).toBe(5);
  });

  it('MAD and robust sigma', () => {
    // |x - 3| = 2,2,0,1,1 -> MAD 1
    expect(mad(v)).toBe(1);
    expect(robustSigma(v)).toBeCloseTo(MAD_TO_SIGMA, 15);
  });

  it('percentile interpolation', () => {
    const a = new Float32Array([10, 20, 30, 40]);
    expect(percentile(a, 0)).toBe(10);
    expect(percentile(a, 100)).toBe(40);
    expect(percentile(a, 50)).toBe(25);
    expect(percentile(a, 25)).toBeCloseTo(17.5, 12);
    // Order of requests is kept.
    expect(percentiles(a, [100, 0, 50])).toEqual([40, 10, 25]);
    expect(() => percentile(a, 101)).toThrow(RangeError);
  });

  it('empty input gives NaN, not a throw', () => {
    const e = new Float32Array([NaN, NaN]);
    expect(mean(e)).toBeNaN();
    expect(median(e)).toBeNaN();
    expect(percentile(e, 50)).toBeNaN();
    expect(sigmaClippedStats(e)).toMatchObject({ count: 0 });
    expect(sigmaClippedStats(e).mean).toBeNaN();
    expect(frameStats(e)).toMatchObject({ count: 0, nanCount: 2, saturatedFraction: 0 });
  });

  it('constant input', () => {
    const c = new Float32Array(50).fill(4.5);
    const s = sigmaClippedStats(c);
    expect(s).toMatchObject({ mean: 4.5, median: 4.5, std: 0, count: 50, iterations: 1 });
    expect(modeEstimate(c)).toBe(4.5);
    expect(mad(c)).toBe(0);
  });

  it('sigma clipping removes an outlier and converges', () => {
    const a = new Float32Array(101);
    for (let i = 0; i < 101; i++) a[i] = (i % 10) - 4.5;
    a[50] = 1000;
    const s = sigmaClippedStats(a, { sigma: 3, maxiters: null });
    expect(s.count).toBe(100);
    expect(s.upper).toBeLessThan(1000);
    // Ten each of -4.5, -3.5, ..., 4.5 remain: symmetric about 0.
    expect(s.median).toBe(0);
    expect(s.mean).toBeCloseTo(0, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(8.25), 12);
  });

  it('mode estimate: Pearson default and SExtractor factors', () => {
    // Skewed set: mean 3, median 2 -> 3*2 - 2*3 = 0 ; 2.5*2 - 1.5*3 = 0.5
    const a = new Float32Array([1, 2, 2, 3, 7]);
    expect(modeEstimate(a, { clip: false })).toBeCloseTo(0, 12);
    expect(modeEstimate(a, { clip: false, medianFactor: 2.5, meanFactor: 1.5 })).toBeCloseTo(0.5, 12);
  });

  it('reuses a scratch buffer and leaves the input untouched', () => {
    const a = new Float32Array([3, 1, 2]);
    const scratch = new Float32Array(10);
    expect(median(a, { scratch })).toBe(2);
    expect(Array.from(a)).toEqual([3, 1, 2]);
  });

  it('rejects a mask of the wrong length', () => {
    expect(() => mean(new Float32Array(3), { mask: new Uint8Array(2) })).toThrow(/mask length/);
  });
});

describe('frameStats', () => {
  const w = 64, h = 48;
  const data = new Float32Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = 100 + ((i * 7919) % 101) / 10; // 100..110, spread
  data[5] = NaN;
  data[6] = 60000;
  data[7] = 65000;

  it('counts, min/max, saturation and robust sigma', () => {
    const s = frameStats(data, { saturation: 60000 });
    expect(s.nanCount).toBe(1);
    expect(s.count).toBe(w * h - 1);
    expect(s.max).toBe(65000);
    expect(s.min).toBe(100);
    expect(s.saturatedFraction).toBeCloseTo(2 / (w * h - 1), 15);
    expect(s.median).toBe(median(data));
    expect(s.robustSigma).toBeCloseTo(robustSigma(data), 6);
  });

  it('a stride samples the order statistics only', () => {
    const s = frameStats(data, { saturation: 60000, sample: 7 });
    expect(s.count).toBe(w * h - 1);
    expect(s.max).toBe(65000);
    const sub = data.filter((_, i) => i % 7 === 0);
    expect(s.median).toBe(median(sub));
    expect(Math.abs(s.median - median(data))).toBeLessThan(0.5);
    // A NaN on a sampled pixel is left out of the sample, and still counted.
    const holed = data.slice();
    holed[14] = NaN;
    const t = frameStats(holed, { saturation: 60000, sample: 7 });
    expect(t.nanCount).toBe(2);
    expect(t.count).toBe(w * h - 2);
    expect(t.median).toBe(median(holed.filter((v, i) => i % 7 === 0 && !Number.isNaN(v))));
  });

  it('every value finite (the loop without a test per value), or an infinity among them (counted with the NaNs)', () => {
    const finite = data.slice();
    finite[5] = 100;
    const s = frameStats(finite, { saturation: 60000 });
    expect(s).toMatchObject({ nanCount: 0, count: w * h, min: 100, max: 65000 });
    expect(s.saturatedFraction).toBe(finite.filter((v) => v >= 60000).length / (w * h));
    // The extremes anywhere, the first and last pixels included.
    finite[0] = -3;
    finite[w * h - 1] = 70000;
    expect(frameStats(finite, { saturation: 60000 })).toMatchObject({ min: -3, max: 70000, saturatedFraction: 3 / (w * h) });
    for (const inf of [Infinity, -Infinity]) {
      const withInf = finite.slice();
      withInf[9] = inf;
      expect(frameStats(withInf, { saturation: 60000 })).toMatchObject({ nanCount: 1, count: w * h - 1, min: -3, max: 70000, saturatedFraction: 3 / (w * h - 1) });
    }
  });

  it('honours the mask', () => {
    const dq = new Uint16Array(w * h);
    dq[7] = 1;
    const s = frameStats(data, { saturation: 60000, mask: dq });
    expect(s.max).toBe(60000);
    expect(s.count).toBe(w * h - 2);
  });
});

describe('sampledMedianAndSigma', () => {
  it('is medianAndRobustSigma of the sample of finite, unflagged pixels (all of them when few)', () => {
    const sci = Float32Array.from([5, 1, 9, NaN, 3, 100, 7, 2]);
    const dq = Uint16Array.from([0, 0, 0, 0, 0, 1, 0, 0]);
    // Good values 5 1 9 3 7 2: median 4, |deviations| 1 3 5 1 3 2: MAD 2.5.
    expect(sampledMedianAndSigma(sci, 8, dq)).toEqual(medianAndRobustSigma(Float32Array.from([5, 1, 9, 3, 7, 2])));
    expect(sampledMedianAndSigma(sci, 8, dq).median).toBe(4);
    expect(sampledMedianAndSigma(sci, 8, dq).sigma).toBeCloseTo(2.5 * 1.482602218505602, 12);
    expect(sampledMedianAndSigma(Float32Array.from([NaN]), 1)).toEqual({ median: NaN, sigma: NaN });
  });
});
