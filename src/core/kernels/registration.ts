/**
 * Translation between two frames of the same field.
 *
 * Convention: the offset (dx, dy) is where the reference's content sits in
 * the target: a star at (x, y) in the reference is at (x + dx, y + dy) in the
 * target. To align the target on the reference, shift it by (-dx, -dy)
 * (resample.ts's shiftFrame).
 *
 * Star lists: every pair (reference star, target star) among the brightest
 * `maxStars` of each votes for its difference; the densest cell of a grid
 * of those votes (summed with its 8 neighbours, so a true offset on a cell
 * border is not split) is the first guess. It is robust to missing and extra
 * stars because wrong pairs scatter their votes while right pairs pile up.
 * The guess is refined by matching each reference star to the nearest target
 * star within `tolerance` of the predicted position (one-to-one), taking the
 * median offset of the matches, repeating until the match set is stable;
 * the final offset is the mean of the matched differences (sub-pixel), rms
 * is the scatter of the matched residuals.
 *
 * Fallback, when fewer than minMatches stars match: FFT cross-correlation of
 * central power-of-two cutouts (mean-subtracted, Hann-tapered, zero padded to
 * twice their size so the correlation does not wrap) with a sub-pixel peak
 * along each axis, refined by re-sampling the target cutout at the current
 * estimate (see offsetFromCrossCorrelation).
 */
import type { Frame } from './frame';
import { medianInPlace } from './select';
import { globalBackground } from './background';
import { detectSources } from './sources';
import { kernelTaps } from './resample';

export interface StarXY {
  x: number;
  y: number;
  /** Used to pick the brightest stars; lists without it are used in the given order. */
  flux?: number;
}

export interface StarOffset {
  dx: number;
  dy: number;
  nMatched: number;
  /** Rms of the matched pairs' residuals about the offset, px. */
  rms: number;
}

export interface StarMatchOptions {
  /** Brightest stars used from each list. Default 50. */
  maxStars?: number;
  /** Matching radius and vote-cell size, px. Default 2. */
  tolerance?: number;
  /** Largest offset considered, px. Default: unlimited. */
  maxShift?: number;
}

function brightest(list: StarXY[], n: number): StarXY[] {
  const hasFlux = list.every((s) => s.flux !== undefined);
  const sorted = hasFlux ? [...list].sort((a, b) => (b.flux as number) - (a.flux as number)) : list;
  return sorted.slice(0, n);
}

/** One-to-one nearest matches within tol of ref + (dx, dy), closest pairs first. */
export function matchPairs(ref: StarXY[], tgt: StarXY[], dx: number, dy: number, tol: number): Array<[number, number]> {
  const cands: Array<[number, number, number]> = [];
  for (let i = 0; i < ref.length; i++) {
    for (let j = 0; j < tgt.length; j++) {
      const d = Math.hypot(tgt[j].x - ref[i].x - dx, tgt[j].y - ref[i].y - dy);
      if (d <= tol) cands.push([d, i, j]);
    }
  }
  cands.sort((a, b) => a[0] - b[0]);
  const usedR = new Set<number>(), usedT = new Set<number>();
  const out: Array<[number, number]> = [];
  for (const [, i, j] of cands) {
    if (usedR.has(i) || usedT.has(j)) continue;
    usedR.add(i); usedT.add(j);
    out.push([i, j]);
  }
  return out;
}

/** Offset from two star lists; null when fewer than 1 pair matches. */
export function offsetFromStars(ref: StarXY[], target: StarXY[], opts: StarMatchOptions = {}): StarOffset | null {
  const { maxStars = 50, tolerance = 2, maxShift = Infinity } = opts;
  const r = brightest(ref, maxStars), t = brightest(target, maxStars);
  if (r.length === 0 || t.length === 0) return null;

  // Vote grid: cell size = tolerance.
  const votes = new Map<string, number>();
  const key = (cx: number, cy: number) => `${cx},${cy}`;
  for (const a of r) {
    for (const b of t) {
      const ddx = b.x - a.x, ddy = b.y - a.y;
      if (Math.abs(ddx) > maxShift || Math.abs(ddy) > maxShift) continue;
      const k = key(Math.floor(ddx / tolerance), Math.floor(ddy / tolerance));
      votes.set(k, (votes.get(k) ?? 0) + 1);
    }
  }
  let best = -1, bx = 0, by = 0;
  for (const k of votes.keys()) {
    const [cx, cy] = k.split(',').map(Number);
    let s = 0;
    for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) s += votes.get(key(cx + i, cy + j)) ?? 0;
    if (s > best) { best = s; bx = cx; by = cy; }
  }
  if (best < 1) return null;
  // First guess: median of the differences in the winning 3x3 cells.
  const gx: number[] = [], gy: number[] = [];
  for (const a of r) {
    for (const b of t) {
      const ddx = b.x - a.x, ddy = b.y - a.y;
      const cx = Math.floor(ddx / tolerance), cy = Math.floor(ddy / tolerance);
      if (Math.abs(cx - bx) <= 1 && Math.abs(cy - by) <= 1) { gx.push(ddx); gy.push(ddy); }
    }
  }
  let dx = medianInPlace(gx), dy = medianInPlace(gy);

  let pairs: Array<[number, number]> = [];
  for (let iter = 0; iter < 10; iter++) {
    const next = matchPairs(r, t, dx, dy, tolerance);
    if (next.length === 0) break;
    const ox = next.map(([i, j]) => t[j].x - r[i].x), oy = next.map(([i, j]) => t[j].y - r[i].y);
    const ndx = medianInPlace(ox), ndy = medianInPlace(oy);
    const same = next.length === pairs.length && next.every((p, k) => p[0] === pairs[k][0] && p[1] === pairs[k][1]);
    pairs = next;
    dx = ndx; dy = ndy;
    if (same) break;
  }
  if (pairs.length === 0) return null;
  let sx = 0, sy = 0;
  for (const [i, j] of pairs) { sx += t[j].x - r[i].x; sy += t[j].y - r[i].y; }
  dx = sx / pairs.length; dy = sy / pairs.length;
  let ss = 0;
  for (const [i, j] of pairs) ss += (t[j].x - r[i].x - dx) ** 2 + (t[j].y - r[i].y - dy) ** 2;
  return { dx, dy, nMatched: pairs.length, rms: Math.sqrt(ss / pairs.length) };
}

// ---- FFT cross-correlation ----

/** In-place iterative radix-2 complex FFT; n = re.length must be a power of two. inverse scales by 1/n. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n & (n - 1)) throw new Error('fft: length must be a power of two');
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(ang), wi = Math.sin(ang);
    const half = len >> 1;
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < half; k++) {
        const a = i + k, b = a + half;
        const xr = re[b] * cr - im[b] * ci, xi = re[b] * ci + im[b] * cr;
        re[b] = re[a] - xr; im[b] = im[a] - xi;
        re[a] += xr; im[a] += xi;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr; cr = ncr;
      }
    }
  }
  if (inverse) for (let i = 0; i < n; i++) { re[i] /= n; im[i] /= n; }
}

/** 2-D FFT of an n x n row-major array, rows then columns. */
export function fft2(re: Float64Array, im: Float64Array, n: number, inverse = false): void {
  const rr = new Float64Array(n), ri = new Float64Array(n);
  for (let y = 0; y < n; y++) {
    const o = y * n;
    rr.set(re.subarray(o, o + n)); ri.set(im.subarray(o, o + n));
    fft(rr, ri, inverse);
    re.set(rr, o); im.set(ri, o);
  }
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) { rr[y] = re[y * n + x]; ri[y] = im[y * n + x]; }
    fft(rr, ri, inverse);
    for (let y = 0; y < n; y++) { re[y * n + x] = rr[y]; im[y * n + x] = ri[y]; }
  }
}

export interface XcorrOffset {
  dx: number;
  dy: number;
  /** Normalized correlation at the peak (1 = identical cutouts). */
  peak: number;
}

/** Hann taper of length n at index i. */
function hann(i: number, n: number): number {
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
}

/** n x n cutout of img sampled at (ox + x + ex, oy + y + ey), Keys bicubic; null if it would leave the image. */
function cutout(img: Float32Array, width: number, height: number, ox: number, oy: number, n: number, ex: number, ey: number): Float32Array | null {
  const tx = kernelTaps('bicubic', -ex), ty = kernelTaps('bicubic', -ey);
  const minX = ox + Math.min(...tx.offset), maxX = ox + n - 1 + Math.max(...tx.offset);
  const minY = oy + Math.min(...ty.offset), maxY = oy + n - 1 + Math.max(...ty.offset);
  if (minX < 0 || minY < 0 || maxX >= width || maxY >= height) return null;
  const rows = new Float64Array(n * (maxY - minY + 1));
  for (let yy = minY; yy <= maxY; yy++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let k = 0; k < tx.offset.length; k++) s += tx.weight[k] * img[yy * width + ox + x + tx.offset[k]];
      rows[(yy - minY) * n + x] = s;
    }
  }
  const out = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let k = 0; k < ty.offset.length; k++) s += ty.weight[k] * rows[(oy + y + ty.offset[k] - minY) * n + x];
      out[y * n + x] = s;
    }
  }
  return out;
}

/**
 * Correlation of two n x n cutouts: each gets its mean removed (weighted by
 * its taper, so a tapered cutout sums to zero and a leftover pedestal in the
 * other adds nothing), the reference always and the target optionally a Hann
 * taper; zero padding to 2n keeps lags from wrapping. Returns the sub-pixel
 * peak lag and the normalized peak height.
 */
function correlateCutouts(a: Float32Array, b: Float32Array, n: number, taperTarget: boolean): XcorrOffset {
  const m = 2 * n;
  const prep = (cut: Float32Array, tapered: boolean): Float64Array => {
    let sw = 0, swv = 0;
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      const v = cut[y * n + x];
      if (!Number.isFinite(v)) continue;
      const wt = tapered ? hann(x, n) * hann(y, n) : 1;
      sw += wt; swv += wt * v;
    }
    const mean = sw > 0 ? swv / sw : 0;
    const out = new Float64Array(m * m);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      const v = cut[y * n + x];
      const wt = tapered ? hann(x, n) * hann(y, n) : 1;
      out[y * m + x] = Number.isFinite(v) ? (v - mean) * wt : 0;
    }
    return out;
  };
  const ar = prep(a, true), br = prep(b, taperTarget);
  let na = 0, nb = 0;
  for (let i = 0; i < ar.length; i++) { na += ar[i] * ar[i]; nb += br[i] * br[i]; }
  const ai = new Float64Array(m * m), bi = new Float64Array(m * m);
  fft2(ar, ai, m); fft2(br, bi, m);
  // c(k) = sum_x a(x) b(x + k)  <=>  C = conj(A) B
  for (let i = 0; i < m * m; i++) {
    const r = ar[i] * br[i] + ai[i] * bi[i];
    const im = ar[i] * bi[i] - ai[i] * br[i];
    ar[i] = r; ai[i] = im;
  }
  fft2(ar, ai, m, true);
  let best = -Infinity, bk = 0;
  for (let i = 0; i < m * m; i++) if (ar[i] > best) { best = ar[i]; bk = i; }
  const px = bk % m, py = (bk / m) | 0;
  const at = (x: number, y: number) => ar[(((y % m) + m) % m) * m + (((x % m) + m) % m)];
  // Gaussian (log-parabola) interpolation suits the Gaussian-like peaks of
  // star fields; plain parabola where a neighbour is not positive.
  const sub = (l: number, c: number, r: number) => {
    if (l > 0 && r > 0 && c > 0) {
      const ll = Math.log(l), lc = Math.log(c), lr = Math.log(r);
      const d = ll - 2 * lc + lr;
      if (d < 0) return (0.5 * (ll - lr)) / d;
    }
    const d = l - 2 * c + r;
    return d < 0 ? (0.5 * (l - r)) / d : 0;
  };
  const fx = sub(at(px - 1, py), best, at(px + 1, py));
  const fy = sub(at(px, py - 1), best, at(px, py + 1));
  const lag = (p: number) => (p >= n ? p - m : p);
  return { dx: lag(px) + fx, dy: lag(py) + fy, peak: na > 0 && nb > 0 ? best / Math.sqrt(na * nb) : 0 };
}

/**
 * Offset by cross-correlating central cutouts of side `size` (power of two;
 * default: the largest that is at most 3/4 of the smaller side and 256, so
 * the target cutout can follow the offset).
 * Pass 1 correlates cutouts at the same place, tapering only the reference
 * (tapering both pulls the peak towards zero lag). Later passes resample the
 * target cutout at the current estimate (Keys bicubic), so both hold the same
 * scene, taper both, and add the residual lag; tapering both still pulls a
 * residual towards zero by a fraction, so the residual shrinks geometrically
 * and a few passes reach ~0.01 px. If the cutout would leave the target, the
 * last estimate stands.
 */
export function offsetFromCrossCorrelation(ref: Float32Array, target: Float32Array, width: number, height: number, size?: number): XcorrOffset {
  let n = size ?? 4;
  if (size === undefined) while (n * 2 <= Math.min(0.75 * Math.min(width, height), 256)) n *= 2;
  if (n & (n - 1) || n > Math.min(width, height) || n < 4) throw new Error('offsetFromCrossCorrelation: bad cutout size');
  if (ref.length !== width * height || target.length !== width * height) throw new Error('offsetFromCrossCorrelation: image size differs from width*height');
  const x0 = (width - n) >> 1, y0 = (height - n) >> 1;
  const a = cutout(ref, width, height, x0, y0, n, 0, 0) as Float32Array;
  let res = correlateCutouts(a, cutout(target, width, height, x0, y0, n, 0, 0) as Float32Array, n, false);
  for (let pass = 0; pass < 8; pass++) {
    const b = cutout(target, width, height, x0, y0, n, res.dx, res.dy);
    if (!b) break;
    const r = correlateCutouts(a, b, n, true);
    res = { dx: res.dx + r.dx, dy: res.dy + r.dy, peak: r.peak };
    if (Math.abs(r.dx) < 0.002 && Math.abs(r.dy) < 0.002) break;
  }
  return res;
}

export interface RegisterOptions extends StarMatchOptions {
  /** Fewest matched stars to trust the star solution. Default 3. */
  minMatches?: number;
  /** Detection threshold (sigmas) for the star lists. Default 5. */
  threshold?: number;
}

export interface Registration {
  dx: number;
  dy: number;
  method: 'stars' | 'xcorr';
  /** Matched stars (0 for cross-correlation). */
  nMatched: number;
  /** Rms of matched star residuals (NaN for cross-correlation). */
  rms: number;
  /** Normalized correlation peak (NaN for the star method). */
  peak: number;
}

function starList(f: Frame, threshold: number, maxStars: number): StarXY[] {
  const bg = globalBackground(f.sci);
  if (!(bg.sigma > 0)) return [];
  return detectSources(f.sci, f.width, f.height, { background: bg.median, sigma: bg.sigma, threshold, minArea: 5, maxSources: 4 * maxStars })
    .filter((s) => s.flags === 0)
    .map((s) => ({ x: s.x, y: s.y, flux: s.flux }));
}

/** Offset of `target` relative to `ref` (same size frames): star matching, else cross-correlation. */
export function registerFrames(ref: Frame, target: Frame, opts: RegisterOptions = {}): Registration {
  if (ref.width !== target.width || ref.height !== target.height) throw new Error('registerFrames: frames differ in size');
  const { minMatches = 3, threshold = 5, maxStars = 50 } = opts;
  const sr = starList(ref, threshold, maxStars), st = starList(target, threshold, maxStars);
  const s = offsetFromStars(sr, st, opts);
  if (s && s.nMatched >= minMatches) return { ...s, method: 'stars', peak: NaN };
  const c = offsetFromCrossCorrelation(ref.sci, target.sci, ref.width, ref.height);
  return { dx: c.dx, dy: c.dy, method: 'xcorr', nMatched: 0, rms: NaN, peak: c.peak };
}
