/**
 * Noise of differences of frames: the read noise of two biases (their
 * difference's sigma over sqrt 2) and a detector's gain from two flats
 * (Janesick's photon transfer, as IRAF's findgain).
 *
 * What two frames share cancels in their difference: a bias's fixed pattern,
 * a flat's pixel-to-pixel response and vignetting (the second flat scaled to
 * the first's level first). What is left is each frame's own noise.
 */
import type { Frame } from './frame';
import { give, take } from './scratch';
import { medianAndRobustSigma, sampledMedian } from './stats';
import { LATTICES, latticeOf } from './lattice';

/** The std of a unit Gaussian cut at +-3: a std of values clipped at 3 sigma over this is the Gaussian's sigma again. */
const CLIPPED_STD_AT_3 = 0.986582;

/**
 * The sigma of `values` (finite), robust and not rounded: it starts as the
 * robust one (1.4826 MAD) and is then the std of the values within 3 sigma
 * of their mean, corrected for that cut, until it settles. Values of whole
 * numbers (differences of frames of whole ADU) have a median and MAD of
 * whole numbers too, and the MAD alone could only say multiples of 1.05
 * (2.1 for a true 2.5); the clipped std is not rounded so, and still leaves
 * out the few wild values (cosmic rays). NaN for fewer than 2 values.
 * `scratch` (at least as long) is overwritten.
 */
export function clippedSigma(values: Float32Array, scratch: Float32Array): number {
  const m = values.length;
  if (m < 2) return NaN;
  // The robust start reorders what it reads: a copy, so `values` stays whole for the clipping.
  scratch.set(values);
  const start = medianAndRobustSigma(scratch.subarray(0, m), { scratch });
  let c = start.median;
  let s = start.sigma;
  if (!(s > 0)) s = clippedStats(values, -Infinity, Infinity).std;
  for (let iter = 0; iter < 20 && s > 0; iter++) {
    const r = clippedStats(values, c - 3 * s, c + 3 * s);
    if (r.count < 2) break;
    const next = r.std / CLIPPED_STD_AT_3;
    const settled = Math.abs(next - s) <= 1e-6 * s;
    c = r.mean;
    s = next;
    if (settled) break;
  }
  return s;
}

/** Mean, std (population) and count of the values within [lo, hi]. */
function clippedStats(values: Float32Array, lo: number, hi: number): { mean: number; std: number; count: number } {
  let sum = 0, sum2 = 0, count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v >= lo && v <= hi) { sum += v; sum2 += v * v; count++; }
  }
  const mean = sum / count;
  return { mean, std: Math.sqrt(Math.max(0, sum2 / count - mean * mean)), count };
}

/** Whether pixel i of the planes is a measurement in both: finite, no DQ bit. */
const good = (a: Frame, b: Frame, i: number) => a.sci[i] - a.sci[i] === 0 && b.sci[i] - b.sci[i] === 0 && !a.dq?.[i] && !b.dq?.[i];

/**
 * The noise of one of two frames from their difference: its sigma over
 * sqrt 2 (clippedSigma), over the pixels finite and unflagged in both. NaN
 * when fewer than 2 are.
 */
export function differenceNoise(a: Frame, b: Frame): number {
  const n = a.sci.length;
  if (b.sci.length !== n) throw new Error(`frames of ${n} and ${b.sci.length} pixels cannot be differenced`);
  const d = take(Float32Array, n);
  const w = take(Float32Array, n);
  try {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = a.sci[i] - b.sci[i];
      if (v - v === 0 && !a.dq?.[i] && !b.dq?.[i]) d[m++] = v;
    }
    return clippedSigma(d.subarray(0, m), w) / Math.SQRT2;
  } finally {
    give(d, w);
  }
}

export interface PhotonTransfer {
  /** e- per data unit. */
  gain: number;
  /** The two frames' median levels, data units. */
  levels: [number, number];
}

/**
 * The gain (electrons per data unit) from two flats of the same
 * illumination (bias and dark already out, still in data units). With b
 * scaled to a's level (k = median a / median b), d = a - k b holds only the
 * two frames' photon noise, of variance (a + k^2 b) / gain at each pixel.
 * The variance is taken from differences of horizontally neighbouring
 * pixels of d, each over the local level they should have (their sum's
 * expectation, from the same two pixels): z = (d_i - d_i+1) / sqrt(L_i) has
 * variance 2 / gain wherever the light falls. So what does not change from
 * one pixel to the next (twilight's gradient moving between the
 * exposures) does not count, and vignetting does not either (over the
 * frame's median level instead, a vignetted flat read 1% high). The read
 * noise is left out: a flat's photon noise outweighs it (at 5000 ADU and
 * 0.25 e-/ADU, 8 ADU of read noise is 0.3% of the variance).
 *
 * A colour mosaic (`mosaic`, a 2 x 2 Bayer pattern) has each colour scaled
 * on its own (twilight reddens between two flats: one k left a colour's
 * pattern in d, 2% of the level for a 2% change) and neighbours taken two
 * pixels apart, of one colour. Undefined when a level is not positive or
 * no pair of pixels is good.
 */
export function photonTransferGain(a: Frame, b: Frame, mosaic = false): PhotonTransfer | undefined {
  const { width: w, height: h } = a;
  if (b.width !== w || b.height !== h) throw new Error(`frames of ${w}x${h} and ${b.width}x${b.height} cannot be differenced`);
  const ma = sampledMedian(a.sci, w, a.dq), mb = sampledMedian(b.sci, w, b.dq);
  if (!(ma > 0 && mb > 0)) return undefined;
  // k of each pixel's colour: index (x & 1) + 2 (y & 1), all four the same without a mosaic.
  const ks = mosaic ? LATTICES.map(([x0, y0]) => latticeRatio(a, b, x0, y0)) : [1, 1, 1, 1].map(() => ma / mb);
  if (!ks.every((k) => k > 0)) return undefined;
  const step = mosaic ? 2 : 1;
  const z = take(Float32Array, w * h);
  const s = take(Float32Array, w * h);
  try {
    let m = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0, i = y * w; x < w - step; x++, i++) {
        const j = i + step;
        if (!good(a, b, i) || !good(a, b, j)) continue;
        const k = ks[(x & 1) + 2 * (y & 1)], k2 = k * k;
        const level = (a.sci[i] + a.sci[j] + k2 * (b.sci[i] + b.sci[j])) / 2;
        if (!(level > 0)) continue;
        z[m++] = (a.sci[i] - k * b.sci[i] - (a.sci[j] - k * b.sci[j])) / Math.sqrt(level);
      }
    }
    const sigma = clippedSigma(z.subarray(0, m), s);
    return sigma > 0 ? { gain: 2 / (sigma * sigma), levels: [ma, mb] } : undefined;
  } finally {
    give(z, s);
  }
}

/** median a / median b over the sub-lattice (x0, y0): one colour of a mosaic. */
function latticeRatio(a: Frame, b: Frame, x0: number, y0: number): number {
  const la = latticeOf(a, x0, y0), lb = latticeOf(b, x0, y0);
  try {
    return sampledMedian(la.sci, la.width, la.dq) / sampledMedian(lb.sci, lb.width, lb.dq);
  } finally {
    for (const f of [la, lb]) give(f.sci, f.var, f.dq);
  }
}
