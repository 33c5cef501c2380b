/**
 * Single-frame cosmic-ray detection after L.A.Cosmic (van Dokkum 2001, PASP
 * 113, 1420), following astroscrappy's steps with full (not separable) median
 * filters, i.e. astroscrappy's `sepmed=False, cleantype='medmask'`:
 *
 *   noise  N  = sqrt(med5(I) + rn^2)                      (I in electrons)
 *   L+        = Laplacian of the 2x-subsampled image, negatives clipped, rebinned
 *   S         = L+ / (2 N),   S' = S - med5(S)
 *   F         = (med3(I) - med7(med3(I))) / N, clipped below at 0.01
 *   candidate = S' > sigclip and S'/F > objlim, not masked
 *   grown once into 3x3 neighbours with S' > sigclip, then once more with
 *   S' > sigclip*sigfrac; found pixels are replaced by the median of their
 *   5x5 neighbours that are neither cosmic rays nor masked, and the search
 *   repeats (niter times, or until nothing new is found).
 *
 * Speed: the only filter evaluated on every pixel is med5(I) in the first
 * pass. med5(S) is needed only where S > sigclip*sigfrac (S' <= S since S >= 0),
 * F only at candidates, and a later pass only recomputes what lies within 6 px
 * of a pixel the cleaning changed (the furthest any change can propagate
 * through the filters and the two growth steps); elsewhere its answer would
 * equal the previous pass's, which is already in the mask.
 *
 * Border handling as astroscrappy's filters: where a median window does not
 * fit, the filter returns its input value. The Laplacian replicates edge
 * pixels, so the border has no spurious signal.
 */
import type { Frame } from './frame';
import { DQ } from './dq';
import { selectKth } from './select';
import { median5Filter } from './convolve';

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
 * Median of the (2r+1)^2 window centred on (x, y) of `src`, or src itself
 * where the window does not fit. `buf` must hold (2r+1)^2 values.
 */
function windowMedian(src: Float32Array, w: number, h: number, x: number, y: number, r: number, buf: Float32Array): number {
  if (x < r || y < r || x >= w - r || y >= h - r) return src[y * w + x];
  let n = 0;
  for (let yy = y - r; yy <= y + r; yy++) {
    const row = yy * w;
    for (let xx = x - r; xx <= x + r; xx++) buf[n++] = src[row + xx];
  }
  return selectKth(buf, n >> 1, 0, n - 1);
}

/** Clipped Laplacian of the 2x-subsampled image, rebinned: each of the 4 sub-pixels sees two copies of itself and two neighbours. */
function laplacePlus(img: Float32Array, w: number, h: number, x: number, y: number): number {
  const i = y * w + x;
  const v2 = 2 * img[i];
  const l = img[x > 0 ? i - 1 : i];
  const r = img[x < w - 1 ? i + 1 : i];
  const u = img[y > 0 ? i - w : i];
  const d = img[y < h - 1 ? i + w : i];
  let s = 0, t: number;
  t = v2 - l - u; if (t > 0) s += t;
  t = v2 - r - u; if (t > 0) s += t;
  t = v2 - l - d; if (t > 0) s += t;
  t = v2 - r - d; if (t > 0) s += t;
  return s / 4;
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

/** Saturated stars: pixels at or above satlevel whose 5x5 median is above half of it, grown by 2 px. */
function saturationMask(img: Float32Array, w: number, h: number, satlevel: number, med5: Float32Array): Uint8Array {
  const sat = new Uint8Array(w * h);
  const seeds: number[] = [];
  for (let i = 0; i < w * h; i++) if (img[i] >= satlevel && med5[i] > satlevel / 2) seeds.push(i);
  const flag = new Uint8Array(w * h);
  for (const q of boxRegion(seeds, seeds.length, 2, w, h, flag)) sat[q] = 1;
  return sat;
}

export function detectCosmicRays(
  data: Float32Array,
  width: number,
  height: number,
  options: CosmicOptions & { mask?: Uint8Array } = {},
): CosmicResult {
  const o = { ...DEFAULTS, ...options };
  const w = width, h = height, npix = w * h;
  if (data.length !== npix) throw new Error(`detectCosmicRays: data has ${data.length} values, expected ${npix}`);
  const sigclip = o.sigclip, sigcliplow = o.sigclip * o.sigfrac, objlim = o.objlim;
  const rn2 = o.readnoise * o.readnoise;

  // Work in electrons so the Poisson term of the noise is the median itself.
  const img = new Float32Array(npix);
  const nonFinite: number[] = [];
  for (let i = 0; i < npix; i++) {
    img[i] = data[i] * o.gain;
    if (!Number.isFinite(img[i])) nonFinite.push(i);
  }
  if (nonFinite.length > 0) fillNonFinite(img, nonFinite);

  const noise = new Float32Array(npix);
  const s = new Float32Array(npix);
  const sp = new Float32Array(npix);
  const med3 = new Float32Array(npix);
  const med3Stamp = new Int32Array(npix); // pass number + 1 where med3 is current
  const flag = new Uint8Array(npix);
  const crmask = new Uint8Array(npix);
  const stage = new Uint8Array(npix); // 1 = grown once, 2 = grown twice (scratch, cleared per pass)
  const buf = new Float32Array(49);
  const buf7 = new Float32Array(49); // med7 gathers med3 values, which themselves use buf

  // Pass 1 needs the 5x5 median of the whole image; keep it for the saturation test too.
  median5Filter(img, w, h, noise);
  const bad = saturationMask(img, w, h, o.satlevel * o.gain, noise);
  if (options.mask) {
    if (options.mask.length !== npix) throw new Error('detectCosmicRays: mask size differs from data');
    for (let i = 0; i < npix; i++) if (options.mask[i]) bad[i] = 1;
  }
  for (const i of nonFinite) bad[i] = 1;
  const noiseAt = (m5: number): number => Math.sqrt((m5 < 0.00001 ? 0.00001 : m5) + rn2);
  for (let i = 0; i < npix; i++) noise[i] = noiseAt(noise[i]);

  let nFound = 0;
  let changed: Int32Array | null = null; // null = everything (first pass)

  for (let pass = 0; pass < o.niter; pass++) {
    const stamp = pass + 1;
    // Regions (pixel lists) that must be recomputed this pass.
    let regS: Int32Array | null = null, regSp: Int32Array | null = null, regCand: Int32Array | null = null;
    if (changed) {
      regS = boxRegion(changed, changed.length, 2, w, h, flag);
      regSp = boxRegion(changed, changed.length, 4, w, h, flag);
      regCand = boxRegion(changed, changed.length, 6, w, h, flag);
      for (const q of regS) {
        const x = q % w, y = (q / w) | 0;
        noise[q] = noiseAt(windowMedian(img, w, h, x, y, 2, buf));
      }
    }

    // S = L+ / (2N)
    const computeS = (q: number): void => {
      const x = q % w, y = (q / w) | 0;
      s[q] = laplacePlus(img, w, h, x, y) / (2 * noise[q]);
    };
    if (regS) for (const q of regS) computeS(q);
    else for (let q = 0; q < npix; q++) computeS(q);

    // S' = S - med5(S), only where it can exceed the low threshold.
    const computeSp = (q: number): void => {
      if (s[q] <= sigcliplow) { sp[q] = s[q]; return; }
      const x = q % w, y = (q / w) | 0;
      sp[q] = s[q] - windowMedian(s, w, h, x, y, 2, buf);
    };
    if (regSp) for (const q of regSp) computeSp(q);
    else for (let q = 0; q < npix; q++) computeSp(q);

    const med3At = (q: number): number => {
      if (med3Stamp[q] !== stamp) {
        med3[q] = windowMedian(img, w, h, q % w, (q / w) | 0, 1, buf);
        med3Stamp[q] = stamp;
      }
      return med3[q];
    };
    const fineStructure = (q: number): number => {
      const x = q % w, y = (q / w) | 0;
      const m3 = med3At(q);
      let m7 = m3;
      if (x >= 3 && y >= 3 && x < w - 3 && y < h - 3) {
        let n = 0;
        for (let yy = y - 3; yy <= y + 3; yy++) for (let xx = x - 3; xx <= x + 3; xx++) buf7[n++] = med3At(yy * w + xx);
        m7 = selectKth(buf7, 24, 0, 48);
      }
      const f = (m3 - m7) / noise[q];
      return f < 0.01 ? 0.01 : f;
    };

    // Candidates.
    const cand: number[] = [];
    const testCand = (q: number): void => {
      if (sp[q] > sigclip && !bad[q] && sp[q] / fineStructure(q) > objlim) cand.push(q);
    };
    if (regCand) for (const q of regCand) testCand(q);
    else for (let q = 0; q < npix; q++) testCand(q);

    // Two growth steps into the 3x3 neighbours (astroscrappy's dilate3 skips the 1-px border).
    const grow = (from: number[], level: number, thr: number): number[] => {
      const out: number[] = [];
      for (const p of from) {
        const px = p % w, py = (p / w) | 0;
        if (px < 1 || py < 1 || px >= w - 1 || py >= h - 1) {
          if (stage[p] < level && sp[p] > thr && !bad[p]) { stage[p] = level; out.push(p); }
          continue;
        }
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const q = p + dy * w + dx;
            if (stage[q] < level && sp[q] > thr && !bad[q]) { stage[q] = level; out.push(q); }
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
      if (!crmask[q]) { crmask[q] = 1; nNew++; }
    }
    nFound += nNew;
    if (nNew === 0) break;

    // Clean every flagged pixel with the median of its good 5x5 neighbours; masked
    // neighbours are skipped, so cleaning in place gives the same answer as from a copy.
    const nextChanged: number[] = [];
    for (let q = 0; q < npix; q++) {
      if (!crmask[q]) continue;
      const v = cleanValue(img, crmask, bad, w, h, q, buf);
      if (v !== img[q]) { img[q] = v; nextChanged.push(q); }
    }
    if (nextChanged.length === 0) break;
    changed = Int32Array.from(nextChanged);
  }

  let cleaned: Float32Array | undefined;
  if (o.clean) {
    cleaned = new Float32Array(npix);
    for (let i = 0; i < npix; i++) cleaned[i] = crmask[i] ? img[i] / o.gain : data[i];
  }
  return { mask: crmask, cleaned, nFound };
}

/**
 * NaN/Inf pixels would poison every median and Laplacian around them: they
 * get the median of the finite pixels (a neutral sky-like value) and are
 * masked, so they are never flagged and never used for cleaning.
 */
function fillNonFinite(img: Float32Array, bad: number[]): void {
  const finite = new Float32Array(img.length - bad.length);
  let n = 0;
  for (let i = 0; i < img.length; i++) if (Number.isFinite(img[i])) finite[n++] = img[i];
  const fill = n > 0 ? selectKth(finite, n >> 1, 0, n - 1) : 0;
  for (const i of bad) img[i] = fill;
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

/**
 * Flags cosmic rays in a frame: sets DQ.cosmicRay (creating DQ if absent)
 * and, with `replace`, writes the cleaned values into SCI. Pixels already
 * flagged bad, saturated or without data are excluded from detection and
 * from the cleaning neighbourhoods; no-data pixels are also kept out of the
 * filters (as NaN). Returns the number of pixels flagged.
 */
export function flagCosmicRays(frame: Frame, opts: CosmicOptions & { replace?: boolean } = {}): number {
  const { width: w, height: h } = frame;
  let mask: Uint8Array | undefined;
  let sci = frame.sci;
  if (frame.dq) {
    mask = new Uint8Array(w * h);
    const skip = DQ.bad | DQ.saturated | DQ.noData;
    for (let i = 0; i < w * h; i++) {
      if (!(frame.dq[i] & skip)) continue;
      mask[i] = 1;
      // No-data pixels hold fill values (e.g. 0 after resampling): treat them like NaN.
      if (frame.dq[i] & DQ.noData) {
        if (sci === frame.sci) sci = frame.sci.slice();
        sci[i] = NaN;
      }
    }
  }
  const res = detectCosmicRays(sci, w, h, { ...opts, mask, clean: !!opts.replace });
  if (!frame.dq) frame.dq = new Uint16Array(w * h);
  for (let i = 0; i < w * h; i++) {
    if (!res.mask[i]) continue;
    frame.dq[i] |= DQ.cosmicRay;
    if (res.cleaned) frame.sci[i] = res.cleaned[i];
  }
  return res.nFound;
}
