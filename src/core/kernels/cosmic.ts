/**
 * Single-frame cosmic-ray detection after L.A.Cosmic (van Dokkum 2001, PASP
 * 113, 1420), following astroscrappy's steps with full (not separable) median
 * filters, i.e. astroscrappy's `sepmed=False, cleantype='medmask'`:
 *
 *   noise  N  = sqrt(med5(I) + rn^2)                      (I in electrons)
 *               or sqrt(med5(I) + VAR - max(I, 0)) given VAR (see `variance`)
 *   L+        = Laplacian of the 2x-subsampled image, negatives clipped, rebinned
 *   S         = L+ / (2 N),   S' = S - med5(S)
 *   F         = (med3(I) - med7(med3(I))) / N, clipped below at 0.01
 *   candidate = S' > sigclip and S'/F > objlim, not masked
 *   grown once into 3x3 neighbours with S' > sigclip, then once more with
 *   S' > sigclip*sigfrac; found pixels are replaced by the median of their
 *   5x5 neighbours that are neither cosmic rays nor masked, and the search
 *   repeats (niter times, or until nothing new is found).
 *
 * Speed. The result is that of evaluating every step at every pixel, bit for
 * bit; the work is not. On a sky-limited frame about 1% of the pixels need
 * the median filters:
 *  - med5(I) enters only through N, and N only through S = L+ / (2N). Pass 1
 *    bounds S from above at every pixel with a cheap lower bound of med5(I)
 *    (median5Floor: the least of the window's five column medians) and
 *    computes N and S exactly (median5Sampler) only where that bound exceeds
 *    a threshold being tested, and where med5(S) needs them. When that is a
 *    large part of the frame (a noise model far off the data), the whole
 *    image is filtered at once instead (median5Filter).
 *  - S' <= S since S >= 0, so a test S' > t fails wherever S <= t: S' and its
 *    med5(S) are computed only where S passes first, F only where S' passes.
 *  - a later pass only recomputes what lies within 6 px of a pixel the
 *    cleaning changed (the furthest any change can propagate through the
 *    filters and the two growth steps); elsewhere its answer would equal the
 *    previous pass's, which is already in the mask.
 *
 * Border handling as astroscrappy's filters: where a median window does not
 * fit, the filter returns its input value; so S' = 0 within 2 px of the edge
 * (no detection there). The Laplacian replicates edge pixels, so the border
 * has no spurious signal. One exception, where astroscrappy's choice flags
 * stars: the 7x7 median of the fine-structure image is taken over the part
 * of its window inside the frame (IRAF's L.A.Cosmic extends the image
 * instead). Returning med3 there made F = 0 within 3 px of the edge, so any
 * star the edge cut passed the objlim test: on the sample night 20-47 edge
 * pixels of stars per frame were flagged and replaced. Elsewhere the mask is
 * astroscrappy's, pixel for pixel (cosmic.test.ts).
 */
import { selectKth } from './select';
import { median5Filter, median5Floor, median5Sampler } from './convolve';
import { give, take, takeZeroed } from './scratch';

export interface CosmicOptions {
  /** Laplacian-to-noise limit for a cosmic-ray pixel. Default 4.5. */
  sigclip?: number;
  /** Fraction of sigclip used for neighbouring pixels. Default 0.3. */
  sigfrac?: number;
  /** Minimum contrast between Laplacian and fine-structure images. Default 5. */
  objlim?: number;
  /** Electrons per data unit. Default 1. */
  gain?: number;
  /** Read noise in electrons. Default 6.5. */
  readnoise?: number;
  /** Saturation level in data units; saturated stars (grown by 2 px) are excluded. Default 65536. */
  satlevel?: number;
  /** Maximum number of detect-and-clean passes. Default 4. */
  niter?: number;
  /** Return the cleaned image as well. Default true. */
  clean?: boolean;
}

export interface CosmicResult {
  /** 1 where a cosmic ray was found. */
  mask: Uint8Array;
  /** Input with cosmic-ray pixels replaced (data units), when requested. */
  cleaned?: Float32Array;
  /** Number of pixels flagged. */
  nFound: number;
}

const DEFAULTS = {
  sigclip: 4.5,
  sigfrac: 0.3,
  objlim: 5,
  gain: 1,
  readnoise: 6.5,
  satlevel: 65536,
  niter: 4,
  clean: true,
};

/**
 * The noise model N = sqrt(med5 + e2), the median floored at 1e-5 as
 * astroscrappy does; e2 is rn^2, or the pixel's variance beyond its counts
 * (which may be negative where a flat above 1 scaled VAR down more than the
 * counts: the sum is floored too). Non-decreasing in the median either way.
 */
function noiseOf(m5: number, e2: number): number {
  const t = (m5 < 0.00001 ? 0.00001 : m5) + e2;
  return Math.sqrt(t < 0.00001 ? 0.00001 : t);
}

/**
 * What the noise model adds to the counts' own variance: rn^2, or with VAR
 * given, the pixel's VAR beyond its counts, VAR g^2 - max(I, 0), read from
 * the input (the cleaning does not change it) at each use rather than kept
 * as a plane: no 16 MB more per 2k frame (the term as a whole costs the
 * browser bench night about 0.5 CPU s of ~22, README "Speed").
 */
interface Extra { rn2: number; v: Float32Array | null; data: Float32Array; gain: number; g2: number }

function extraAt(ex: Extra, i: number): number {
  if (ex.v === null) return ex.rn2;
  const c = ex.data[i] * ex.gain;
  const e = ex.v[i] * ex.g2 - (c > 0 ? c : 0);
  return e - e === 0 ? e : ex.rn2;
}

/**
 * Median of the 3x3 window centred on (x, y) of `src`, or src itself where
 * the window does not fit. `buf` must hold 9 values.
 */
function median3At(src: Float32Array, w: number, h: number, x: number, y: number, buf: Float32Array): number {
  if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1) return src[y * w + x];
  let n = 0;
  for (let yy = y - 1; yy <= y + 1; yy++) {
    const row = yy * w;
    for (let xx = x - 1; xx <= x + 1; xx++) buf[n++] = src[row + xx];
  }
  return selectKth(buf, 4, 0, 8);
}

/**
 * Clipped Laplacian of the 2x-subsampled image, rebinned: each of the 4
 * sub-pixels sees two copies of itself and two neighbours. `(t + |t|) / 2`
 * is t where t > 0 and 0 elsewhere, exactly, without a branch.
 */
function laplacePlus(v: number, l: number, r: number, u: number, d: number): number {
  const v2 = 2 * v;
  let s = 0, t: number;
  t = v2 - l - u; s += (t + Math.abs(t)) * 0.5;
  t = v2 - r - u; s += (t + Math.abs(t)) * 0.5;
  t = v2 - l - d; s += (t + Math.abs(t)) * 0.5;
  t = v2 - r - d; s += (t + Math.abs(t)) * 0.5;
  return s / 4;
}

/** laplacePlus at (x, y), replicating edge pixels. */
function laplacePlusAt(img: Float32Array, w: number, h: number, x: number, y: number): number {
  const i = y * w + x;
  return laplacePlus(img[i], img[x > 0 ? i - 1 : i], img[x < w - 1 ? i + 1 : i], img[y > 0 ? i - w : i], img[y < h - 1 ? i + w : i]);
}

/**
 * Upper bounds of S = L+ / (2N) at every pixel, in place: `floor` holds a
 * lower bound of med5(I) on entry (median5Floor) and the bound of S on exit.
 * N is non-decreasing in the median and S non-increasing in N, roundings to
 * float32 included, so the bound is never below the S computed exactly (and
 * is S where `floor` holds the median itself). Returns the pixels whose bound
 * exceeds thr, in order.
 */
function sUpperBound(img: Float32Array, floor: Float32Array, ex: Extra, w: number, h: number, thr: number): number[] {
  const over: number[] = [];
  for (let y = 0; y < h; y++) {
    const row = y * w;
    if (y === 0 || y === h - 1 || w < 3) {
      for (let x = 0; x < w; x++) boundAt(img, floor, ex, w, h, x, y, thr, over);
      continue;
    }
    boundAt(img, floor, ex, w, h, 0, y, thr, over);
    for (let i = row + 1; i < row + w - 1; i++) {
      floor[i] = laplacePlus(img[i], img[i - 1], img[i + 1], img[i - w], img[i + w]) / (2 * Math.fround(noiseOf(floor[i], extraAt(ex, i))));
      if (floor[i] > thr) over.push(i);
    }
    boundAt(img, floor, ex, w, h, w - 1, y, thr, over);
  }
  return over;
}

/** sUpperBound's step at an edge pixel, where the Laplacian replicates pixels. */
function boundAt(img: Float32Array, floor: Float32Array, ex: Extra, w: number, h: number, x: number, y: number, thr: number, over: number[]): void {
  const i = y * w + x;
  floor[i] = laplacePlusAt(img, w, h, x, y) / (2 * Math.fround(noiseOf(floor[i], extraAt(ex, i))));
  if (floor[i] > thr) over.push(i);
}

/** img = data * gain; returns the pixels where that is not finite, and the (finite) ones at or above `high`. */
function scaleInto(data: Float32Array, gain: number, img: Float32Array, high: number, unusable?: Uint8Array): { nonFinite: number[]; atOrAbove: number[] } {
  const nonFinite: number[] = [], atOrAbove: number[] = [];
  for (let i = 0; i < data.length; i++) {
    img[i] = data[i] * gain;
    if (!Number.isFinite(img[i]) || (unusable !== undefined && unusable[i] !== 0)) { img[i] = NaN; nonFinite.push(i); }
    else if (img[i] >= high) atOrAbove.push(i);
  }
  return { nonFinite, atOrAbove };
}

/** Sets dst to 1 wherever src is set. */
function orInto(dst: Uint8Array, src: Uint8Array): void {
  for (let i = 0; i < dst.length; i++) if (src[i]) dst[i] = 1;
}

/** Marks every pixel within a (2r+1)^2 box of the listed pixels; returns the marked list. `flag` comes back cleared. */
function boxRegion(list: ArrayLike<number>, n: number, r: number, w: number, h: number, flag: Uint8Array): Int32Array {
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = list[k];
    const px = p % w, py = (p / w) | 0;
    const x0 = Math.max(0, px - r), x1 = Math.min(w - 1, px + r);
    const y0 = Math.max(0, py - r), y1 = Math.min(h - 1, py + r);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const q = y * w + x;
        if (!flag[q]) { flag[q] = 1; out.push(q); }
      }
    }
  }
  for (const q of out) flag[q] = 0;
  return Int32Array.from(out);
}

export function detectCosmicRays(
  data: Float32Array,
  width: number,
  height: number,
  options: CosmicOptions & {
    /** Pixels never flagged nor used to clean (astroscrappy's inmask); their values still enter the filters. */
    mask?: Uint8Array;
    /** Pixels whose values are not measurements (fill values, a dead column): handled as NaN, filled from their neighbours. */
    unusable?: Uint8Array;
    /**
     * VAR of the data (data units squared, as astroscrappy's invar). The noise model then takes
     * each pixel's variance beyond its counts from it, VAR x gain^2 - max(I, 0) (read noise, dark
     * current, the calibrations' noise), in place of readnoise^2; a hit's counts are in both
     * terms, so a hit does not raise its own noise (exactly so where no flat divided the frame
     * after its Poisson term was taken; divided by a flat f, the hit's counts leave I (1/f - 1)
     * in the term: a little more noise for hits where the flat is low). Where VAR is not finite,
     * readnoise^2.
     */
    variance?: Float32Array;
  } = {},
): CosmicResult {
  const o = { ...DEFAULTS, ...options };
  const w = width, h = height, npix = w * h;
  if (data.length !== npix) throw new Error(`detectCosmicRays: data has ${data.length} values, expected ${npix}`);
  if (options.mask && options.mask.length !== npix) throw new Error('detectCosmicRays: mask size differs from data');
  const sigclip = o.sigclip, sigcliplow = o.sigclip * o.sigfrac, objlim = o.objlim;
  const rn2 = o.readnoise * o.readnoise;
  if (options.variance && options.variance.length !== npix) throw new Error('detectCosmicRays: variance size differs from data');

  // Work in electrons so the Poisson term of the noise is the median itself.
  const gain = o.gain;
  const satlevel = o.satlevel * gain;
  // Whole-frame planes from the scratch pool (./scratch.ts): given back at the end, but for the result's mask.
  const img = take(Float32Array, npix);
  if (options.unusable && options.unusable.length !== npix) throw new Error('detectCosmicRays: unusable size differs from data');
  const { nonFinite, atOrAbove: saturated } = scaleInto(data, gain, img, satlevel, options.unusable);
  if (nonFinite.length > 0) {
    fillNonFinite(img, w, h, nonFinite);
    for (const i of nonFinite) if (img[i] >= satlevel) saturated.push(i); // a fill value as high as saturation
  }

  const ex: Extra = { rn2, v: options.variance ?? null, data, gain, g2: gain * gain };
  const med5Img = median5Sampler(img, w, h);
  const flag = takeZeroed(Uint8Array, npix); // boxRegion's scratch, cleared after each use
  const stage = flag; // the growth steps' scratch (1 = grown once, 2 = twice), also cleared after use
  const crmask = takeZeroed(Uint8Array, npix);
  const bad = takeZeroed(Uint8Array, npix);
  const buf = new Float32Array(49);
  const buf7 = new Float32Array(49); // med7 gathers med3 values, which themselves use buf

  // Saturated stars: pixels at or above satlevel whose 5x5 median is above half of it, grown by 2 px.
  const satSeeds: number[] = [];
  for (const i of saturated) if (med5Img(i % w, (i / w) | 0) > satlevel / 2) satSeeds.push(i);
  for (const q of boxRegion(satSeeds, satSeeds.length, 2, w, h, flag)) bad[q] = 1;
  if (options.mask) orInto(bad, options.mask);
  for (const i of nonFinite) bad[i] = 1;

  // Which per-pixel values are current, as bits of `known`: S, S', med3.
  const S_KNOWN = 1, SP_KNOWN = 2, MED3_KNOWN = 4;
  const known = takeZeroed(Uint8Array, npix);
  const noiseAt = (x: number, y: number): number => Math.fround(noiseOf(med5Img(x, y), extraAt(ex, y * w + x)));

  // S where known; an upper bound of S everywhere (Infinity where the cleaning
  // has changed the pixels it was made from).
  const s = take(Float32Array, npix);
  const sUp = take(Float32Array, npix);
  median5Floor(img, w, h, sUp);
  const maybeCandidates = sUpperBound(img, sUp, ex, w, h, sigclip);
  const sAt = (q: number): number => {
    if (!(known[q] & S_KNOWN)) {
      const x = q % w, y = (q / w) | 0;
      s[q] = laplacePlusAt(img, w, h, x, y) / (2 * noiseAt(x, y));
      known[q] |= S_KNOWN;
    }
    return s[q];
  };
  /**
   * S exactly at every pixel, where so many are needed that the filter over
   * the whole image is cheaper than pixel by pixel (a noise model far off the
   * data, or most of the frame changed by the cleaning).
   */
  const computeAllS = (): void => {
    median5Filter(img, w, h, s);
    sUpperBound(img, s, ex, w, h, Infinity); // with the median itself in place of its bound: S
    for (let i = 0; i < npix; i++) known[i] |= S_KNOWN;
    sUp.set(s);
  };
  /** S > thr, computing S only where its bound does not already rule it out. */
  const sAbove = (q: number, thr: number): boolean => sUp[q] > thr && sAt(q) > thr;

  // S' = S - med5(S), only where it is consulted. S' <= S (S >= 0), so a test
  // S' > thr needs S' only where S > thr.
  const med5S = median5Sampler(s, w, h);
  const sp = take(Float32Array, npix);
  const spAt = (q: number): number => {
    if (!(known[q] & SP_KNOWN)) {
      const x = q % w, y = (q / w) | 0;
      const sq = sAt(q);
      if (sq > sigcliplow) {
        for (let yy = Math.max(0, y - 2); yy <= Math.min(h - 1, y + 2); yy++) {
          for (let xx = Math.max(0, x - 2); xx <= Math.min(w - 1, x + 2); xx++) sAt(yy * w + xx);
        }
        sp[q] = sq - med5S(x, y);
      } else {
        sp[q] = sq;
      }
      known[q] |= SP_KNOWN;
    }
    return sp[q];
  };

  // Fine structure F = (med3 - med7(med3)) / N, clipped below at 0.01; med3 kept for one pass.
  const med3 = take(Float32Array, npix);
  const med3Done: number[] = [];
  const med3At = (q: number): number => {
    if (!(known[q] & MED3_KNOWN)) {
      med3[q] = median3At(img, w, h, q % w, (q / w) | 0, buf);
      known[q] |= MED3_KNOWN;
      med3Done.push(q);
    }
    return med3[q];
  };
  const fineStructure = (q: number): number => {
    const x = q % w, y = (q / w) | 0;
    const m3 = med3At(q);
    // Near the border the window is cut to the frame (as IRAF's L.A.Cosmic extends the image there).
    // astroscrappy returns med3 itself there instead, which makes F = 0 and lets any star that the
    // border cuts through the objlim test: its edge pixels were flagged and replaced.
    let n = 0;
    for (let yy = Math.max(0, y - 3); yy <= Math.min(h - 1, y + 3); yy++) {
      for (let xx = Math.max(0, x - 3); xx <= Math.min(w - 1, x + 3); xx++) buf7[n++] = med3At(yy * w + xx);
    }
    const m7 = selectKth(buf7, n >> 1, 0, n - 1);
    const f = (m3 - m7) / noiseAt(x, y);
    return f < 0.01 ? 0.01 : f;
  };
  const isCandidate = (q: number): boolean => sAbove(q, sigclip) && !bad[q] && spAt(q) > sigclip && spAt(q) / fineStructure(q) > objlim;

  const crList: number[] = [];
  const cand: number[] = [];
  let nFound = 0;
  let changed: Int32Array | null = null; // null = everything (first pass)

  for (let pass = 0; pass < o.niter; pass++) {
    for (const q of med3Done) known[q] &= ~MED3_KNOWN;
    med3Done.length = 0;
    cand.length = 0;
    if (!changed) {
      if (maybeCandidates.length > npix / 64) computeAllS();
      for (const q of maybeCandidates) if (isCandidate(q)) cand.push(q);
    } else {
      // Only what lies within reach of the pixels the cleaning changed.
      const regS = boxRegion(changed, changed.length, 2, w, h, flag);
      const regSp = boxRegion(changed, changed.length, 4, w, h, flag);
      const regCand = boxRegion(changed, changed.length, 6, w, h, flag);
      if (regS.length > npix / 8) computeAllS();
      else for (const q of regS) { known[q] &= ~S_KNOWN; sUp[q] = Infinity; }
      for (const q of regSp) known[q] &= ~SP_KNOWN;
      for (const q of regCand) if (isCandidate(q)) cand.push(q);
    }

    // Two growth steps into the 3x3 neighbours (astroscrappy's dilate3 skips the 1-px border).
    const grow = (from: number[], level: number, thr: number): number[] => {
      const out: number[] = [];
      for (const p of from) {
        const px = p % w, py = (p / w) | 0;
        if (px < 1 || py < 1 || px >= w - 1 || py >= h - 1) {
          if (stage[p] < level && sAbove(p, thr) && !bad[p] && spAt(p) > thr) { stage[p] = level; out.push(p); }
          continue;
        }
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const q = p + dy * w + dx;
            if (stage[q] < level && sAbove(q, thr) && !bad[q] && spAt(q) > thr) { stage[q] = level; out.push(q); }
          }
        }
      }
      return out;
    };
    const grown1 = grow(cand, 1, sigclip);
    const grown2 = grow(grown1, 2, sigcliplow);
    for (const q of grown1) stage[q] = 0;
    let nNew = 0;
    for (const q of grown2) {
      stage[q] = 0;
      if (!crmask[q]) { crmask[q] = 1; crList.push(q); nNew++; }
    }
    nFound += nNew;
    if (nNew === 0) break;

    // Clean every flagged pixel with the median of its good 5x5 neighbours. Flagged
    // and masked neighbours are skipped, so no cleaned value feeds another: the
    // order does not matter, and cleaning in place equals cleaning from a copy.
    const nextChanged: number[] = [];
    for (const q of crList) {
      const v = cleanValue(img, crmask, bad, w, h, q, buf);
      if (v !== img[q]) { img[q] = v; nextChanged.push(q); }
    }
    if (nextChanged.length === 0) break;
    changed = Int32Array.from(nextChanged);
  }

  let cleaned: Float32Array | undefined;
  if (o.clean) {
    cleaned = take(Float32Array, npix);
    cleaned.set(data);
    for (const q of crList) cleaned[q] = img[q] / gain;
  }
  give(img, flag, bad, known, s, sUp, sp, med3);
  return { mask: crmask, cleaned, nFound };
}

/**
 * NaN/Inf pixels would poison every median and Laplacian around them: they
 * get the median of the finite pixels of their 5x5 neighbourhood (so a dead
 * column across a star does not cut a trough into it), or of the whole
 * image where none is finite, and are masked, so they are never flagged and
 * never used for cleaning. Neighbours are read before any is filled.
 */
function fillNonFinite(img: Float32Array, w: number, h: number, bad: number[]): void {
  const buf = new Float32Array(25);
  const fills = new Float32Array(bad.length);
  let global: number | undefined;
  bad.forEach((q, k) => {
    const x = q % w, y = (q / w) | 0;
    let n = 0;
    for (let yy = Math.max(0, y - 2); yy <= Math.min(h - 1, y + 2); yy++) {
      for (let xx = Math.max(0, x - 2); xx <= Math.min(w - 1, x + 2); xx++) {
        const v = img[yy * w + xx];
        if (Number.isFinite(v)) buf[n++] = v;
      }
    }
    if (n > 0) fills[k] = selectKth(buf, n >> 1, 0, n - 1);
    else fills[k] = global ??= imageMedian(img, bad.length);
  });
  bad.forEach((q, k) => { img[q] = fills[k]; });
}

/** Median of the finite pixels of img (nBad of which are not), 0 when there is none. */
function imageMedian(img: Float32Array, nBad: number): number {
  const finite = new Float32Array(img.length - nBad);
  let n = 0;
  for (let i = 0; i < img.length; i++) if (Number.isFinite(img[i])) finite[n++] = img[i];
  return n > 0 ? selectKth(finite, n >> 1, 0, n - 1) : 0;
}

/** Median of the 5x5 neighbours that are neither cosmic rays nor masked; the pixel itself when none are. */
function cleanValue(img: Float32Array, crmask: Uint8Array, bad: Uint8Array, w: number, h: number, q: number, buf: Float32Array): number {
  const x = q % w, y = (q / w) | 0;
  let n = 0;
  for (let yy = Math.max(0, y - 2); yy <= Math.min(h - 1, y + 2); yy++) {
    for (let xx = Math.max(0, x - 2); xx <= Math.min(w - 1, x + 2); xx++) {
      const i = yy * w + xx;
      if (!crmask[i] && !bad[i]) buf[n++] = img[i];
    }
  }
  if (n === 0) return img[q];
  // Lower-middle value for even counts keeps the result an actual pixel value, like a selection.
  const k = (n - 1) >> 1;
  const hi = selectKth(buf, k + (n & 1 ? 0 : 1), 0, n - 1);
  if (n & 1) return hi;
  let lo = -Infinity;
  for (let i = 0; i <= k; i++) if (buf[i] > lo) lo = buf[i];
  return (lo + hi) / 2;
}
