/**
 * Per-pixel rejection on a SORTED window of values, the inner loop of
 * combine.ts. The caller gathers the N values of one output pixel into a
 * scratch Float64Array (with their variances co-moved in a second one when the
 * inputs carry VAR), sorts them, and keeps the survivors as the window
 * v[win[0]..win[1]). Because the values are sorted, minmax and every symmetric
 * clip only move the window's ends, and the median is an index lookup; only
 * varclip (whose limits differ per value) has to compact the window.
 *
 * Everything here works on plain typed arrays with no allocation so V8 keeps
 * the hot loop monomorphic.
 */

/** astropy's mad_std factor, 1/Phi^-1(3/4): MAD of a Gaussian times this is its sigma. */
export const MAD_TO_SIGMA = 1.482602218505602;
/** Winsorized sigma clipping (IRAF/PixInsight): clamp at centre +- 1.5 sigma ... */
export const WINSOR_CLAMP = 1.5;
/** ... and correct the winsorized std by 1.134 (the std of a Gaussian clamped at +-1.5 sigma is 0.882 sigma). */
export const WINSOR_CORRECTION = 1.134;
/** Winsorization stops when sigma changes by less than this fraction (PixInsight's value). */
export const WINSOR_TOLERANCE = 0.0005;
const WINSOR_MAX_STEPS = 50;

/** Insertion sort of v[0..m): for the ~5-40 values of a stack it beats any O(m log m) sort. */
export function sortValues(v: Float64Array, m: number): void {
  for (let i = 1; i < m; i++) {
    const x = v[i];
    let j = i - 1;
    while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; j--; }
    v[j + 1] = x;
  }
}

/** As sortValues, moving w (the variances) along with v. */
export function sortValuesWith(v: Float64Array, w: Float64Array, m: number): void {
  for (let i = 1; i < m; i++) {
    const x = v[i], y = w[i];
    let j = i - 1;
    while (j >= 0 && v[j] > x) { v[j + 1] = v[j]; w[j + 1] = w[j]; j--; }
    v[j + 1] = x; w[j + 1] = y;
  }
}

/**
 * Shell sort (Ciura gaps) for large stacks, where insertion sort's m^2 would
 * hurt; still allocation-free and able to co-move w (pass null when there is none).
 */
const GAPS = [701, 301, 132, 57, 23, 10, 4, 1];
export function shellSort(v: Float64Array, w: Float64Array | null, m: number): void {
  for (let g = 0; g < GAPS.length; g++) {
    const gap = GAPS[g];
    if (gap >= m) continue;
    for (let i = gap; i < m; i++) {
      const x = v[i];
      const y = w !== null ? w[i] : 0;
      let j = i;
      while (j >= gap && v[j - gap] > x) {
        v[j] = v[j - gap];
        if (w !== null) w[j] = w[j - gap];
        j -= gap;
      }
      v[j] = x;
      if (w !== null) w[j] = y;
    }
  }
}

/** Median of the sorted window v[lo..hi) (mean of the two middle values when even). */
export function sortedMedian(v: Float64Array, lo: number, hi: number): number {
  const n = hi - lo;
  const mid = lo + (n >> 1);
  return n & 1 ? v[mid] : (v[mid - 1] + v[mid]) * 0.5;
}

/**
 * Population standard deviation (ddof 0, as numpy/ccdproc) of v[lo..hi).
 * Sums are taken about `c` (a value inside the data, the median) so that
 * large offsets such as 30000 ADU flats do not cost precision.
 */
export function windowStd(v: Float64Array, lo: number, hi: number, c: number): number {
  const n = hi - lo;
  let s1 = 0, s2 = 0;
  for (let i = lo; i < hi; i++) { const d = v[i] - c; s1 += d; s2 += d * d; }
  const m1 = s1 / n;
  const variance = s2 / n - m1 * m1;
  return variance > 0 ? Math.sqrt(variance) : 0;
}

/**
 * Median absolute deviation about `c` (the window's median) of the sorted
 * window: the deviations left and right of the middle are each already
 * sorted, so merging them from the middle outward finds the middle deviation
 * in n/2 steps without any scratch.
 */
export function sortedMad(v: Float64Array, lo: number, hi: number, c: number): number {
  const n = hi - lo;
  if (n <= 0) return 0;
  let i = lo + ((n - 1) >> 1);
  let j = i + 1;
  const k1 = (n - 1) >> 1, k2 = n >> 1;
  let a = 0, b = 0;
  for (let r = 0; r <= k2; r++) {
    const dl = i >= lo ? c - v[i] : Infinity;
    const dr = j < hi ? v[j] - c : Infinity;
    let d: number;
    if (dl <= dr) { d = dl; i--; } else { d = dr; j++; }
    if (r === k1) a = d;
    if (r === k2) b = d;
  }
  return (a + b) * 0.5;
}

/**
 * Moves the window ends inward past values below lowLim / above highLim
 * (strict, as ccdproc: a value exactly on a limit survives). Returns false,
 * leaving win untouched, when nothing moved or when the clip would leave no
 * value (we then keep the last non-empty set rather than output nothing).
 */
function clipEnds(v: Float64Array, win: Int32Array, lowLim: number, highLim: number): boolean {
  const lo = win[0], hi = win[1];
  let nlo = lo, nhi = hi;
  while (nlo < hi && v[nlo] < lowLim) nlo++;
  while (nhi > nlo && v[nhi - 1] > highLim) nhi--;
  if ((nlo === lo && nhi === hi) || nhi <= nlo) return false;
  win[0] = nlo; win[1] = nhi;
  return true;
}

/**
 * IRAF/DRAGONS minmax: drop the nlow lowest and nhigh highest values. When
 * some inputs were masked at this pixel the counts are scaled by
 * nGood/nFrames (IRAF imcombine: int(nGood*nlow/N + 0.001)) so a masked
 * pixel does not lose extra good values.
 */
export function rejectMinmax(win: Int32Array, nFrames: number, nlow: number, nhigh: number): void {
  const g = win[1] - win[0];
  let dl = nlow, dh = nhigh;
  if (g !== nFrames) {
    dl = Math.floor((g * nlow) / nFrames + 0.001);
    dh = Math.floor((g * nhigh) / nFrames + 0.001);
  }
  win[0] += dl;
  win[1] -= dh;
  if (win[1] < win[0]) win[1] = win[0];
}

/** Sigma clipping about the median with sigma = std of the survivors; iterates until nothing changes or maxIters passes. */
export function rejectSigclip(v: Float64Array, win: Int32Array, lsigma: number, hsigma: number, maxIters: number): void {
  for (let it = 0; it < maxIters; it++) {
    const lo = win[0], hi = win[1];
    if (hi - lo < 2) return;
    const c = sortedMedian(v, lo, hi);
    const s = windowStd(v, lo, hi, c);
    if (!clipEnds(v, win, c - lsigma * s, c + hsigma * s)) return;
  }
}

/** As rejectSigclip with sigma = 1.4826 * MAD about the median (astropy's mad_std). */
export function rejectMadclip(v: Float64Array, win: Int32Array, lsigma: number, hsigma: number, maxIters: number): void {
  for (let it = 0; it < maxIters; it++) {
    const lo = win[0], hi = win[1];
    if (hi - lo < 2) return;
    const c = sortedMedian(v, lo, hi);
    const s = MAD_TO_SIGMA * sortedMad(v, lo, hi, c);
    if (!clipEnds(v, win, c - lsigma * s, c + hsigma * s)) return;
  }
}

/**
 * Winsorized sigma clipping (IRAF/PixInsight): a robust sigma is found by
 * clamping the values at median +- 1.5 sigma and taking 1.134 * their std,
 * repeated until sigma settles; then values beyond lsigma/hsigma of that
 * sigma from the median are rejected, and the whole repeats. Needs at least 3
 * values to say anything.
 */
export function rejectWinsorized(v: Float64Array, win: Int32Array, lsigma: number, hsigma: number, maxIters: number): void {
  for (let it = 0; it < maxIters; it++) {
    const lo = win[0], hi = win[1];
    const n = hi - lo;
    if (n < 3) return;
    const c = sortedMedian(v, lo, hi);
    let s = windowStd(v, lo, hi, c);
    for (let step = 0; step < WINSOR_MAX_STEPS; step++) {
      const t0 = c - WINSOR_CLAMP * s, t1 = c + WINSOR_CLAMP * s;
      let s1 = 0, s2 = 0;
      for (let i = lo; i < hi; i++) {
        let x = v[i];
        if (x < t0) x = t0; else if (x > t1) x = t1;
        const d = x - c;
        s1 += d; s2 += d * d;
      }
      const m1 = s1 / n;
      const variance = s2 / n - m1 * m1;
      const sNew = WINSOR_CORRECTION * (variance > 0 ? Math.sqrt(variance) : 0);
      const settled = Math.abs(sNew - s) <= WINSOR_TOLERANCE * s;
      s = sNew;
      if (settled) break;
    }
    if (!clipEnds(v, win, c - lsigma * s, c + hsigma * s)) return;
  }
}

/**
 * DRAGONS varclip: reject values whose deviation from the median exceeds
 * lsigma/hsigma times their OWN sqrt(VAR). The limits differ per value, so a
 * rejected value may sit inside the sorted window: survivors are compacted
 * (keeping their order) instead of moving the ends. `f` (the values' frame
 * indices, or null) is compacted along with v and w so the caller still knows
 * which frames survived.
 */
export function rejectVarclip(
  v: Float64Array, w: Float64Array, f: Float64Array | null, win: Int32Array, lsigma: number, hsigma: number, maxIters: number,
): void {
  for (let it = 0; it < maxIters; it++) {
    const lo = win[0], hi = win[1];
    if (hi - lo < 2) return;
    const c = sortedMedian(v, lo, hi);
    let kept = 0;
    for (let i = lo; i < hi; i++) {
      const d = v[i] - c, sd = Math.sqrt(w[i]);
      if (!(d > hsigma * sd || -d > lsigma * sd)) kept++;
    }
    if (kept === hi - lo || kept === 0) return;
    let o = lo;
    for (let i = lo; i < hi; i++) {
      const d = v[i] - c, sd = Math.sqrt(w[i]);
      if (!(d > hsigma * sd || -d > lsigma * sd)) {
        v[o] = v[i]; w[o] = w[i];
        if (f !== null) f[o] = f[i];
        o++;
      }
    }
    win[1] = o;
  }
}
