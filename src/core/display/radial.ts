/**
 * A star measured where the user clicked, as IRAF imexamine's 'r' and DS9's
 * radial profile do it:
 *  1. the brightest pixel (of the 3x3 median-filtered frame, so a lone
 *     cosmic ray or hot pixel does not win) within `searchRadius` of the click;
 *  2. a first centre and width from the background-subtracted moments there;
 *  3. a least-squares fit of a circular Gaussian or Moffat profile plus a
 *     flat background to every pixel within the fit radius, centre free: the
 *     refined centroid, the amplitude, the width and so the FWHM;
 *  4. the radial profile: every pixel's value against its distance from the
 *     fitted centre, with the fitted curve beside it.
 *
 *   Gaussian  B + A exp(-r^2 / 2 sigma^2)      FWHM = 2 sqrt(2 ln 2) sigma
 *   Moffat    B + A (1 + r^2 / alpha^2)^-beta  FWHM = 2 alpha sqrt(2^(1/beta) - 1)
 *
 * Coordinates are 0-based with pixel centres at integers (FITS = +1). The
 * model is evaluated at pixel centres, not integrated over pixels: for a
 * FWHM of 3 px this overestimates the FWHM by about 1% (sigma^2 + 1/12).
 */
import { levenbergMarquardt, type LeastSquaresProblem } from './levmar';
import { medianInPlace } from '../kernels/select';
import { MAD_TO_SIGMA } from '../kernels/stats';

export type ProfileModel = 'gaussian' | 'moffat';

export const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/**
 * Moffat's beta is kept within [1.01, MAX_BETA]: beyond ~50 the profile is a
 * Gaussian to within the noise, and an unbounded beta creeps off to infinity
 * on a Gaussian star (with alpha after it) without changing the FWHM.
 */
export const MAX_BETA = 50;
const MOFFAT_BOUNDS: [number, number][] = [[-Infinity, Infinity], [-Infinity, Infinity], [-Infinity, Infinity], [-Infinity, Infinity], [1e-3, Infinity], [1.01, MAX_BETA]];

export interface StarOptions {
  model?: ProfileModel;
  /** How far from the click the star's peak may be (pixels). Default 5. */
  searchRadius?: number;
  /** Pixels within this distance of the centre enter the fit; default 3 x the first FWHM estimate, within [6, 30]. */
  fitRadius?: number;
}

export interface StarFit {
  model: ProfileModel;
  /** Fitted centre, 0-based. */
  x: number;
  y: number;
  background: number;
  amplitude: number;
  fwhm: number;
  /** Gaussian sigma, or Moffat alpha and beta. */
  sigma?: number;
  alpha?: number;
  beta?: number;
  /** Root mean square of the fit residuals. */
  rms: number;
  /** The brightest pixel the search found (0-based). */
  peak: { ix: number; iy: number; value: number };
  fitRadius: number;
  /** Every fitted pixel: distance from the centre and value. */
  profile: { r: Float64Array; value: Float64Array };
  /** The fitted model along r = 0 .. fitRadius. */
  curve: { r: Float64Array; value: Float64Array };
  /** Pixels left out of the fit as outliers (hot pixels, cosmic rays in the wings). */
  rejected: number;
  iterations: number;
  converged: boolean;
}

/** A Moffat's FWHM from alpha and beta. */
export function moffatFwhm(alpha: number, beta: number): number {
  return 2 * alpha * Math.sqrt(Math.pow(2, 1 / beta) - 1);
}

function smoothedPeak(data: ArrayLike<number>, w: number, h: number, x: number, y: number, radius: number) {
  const cx = Math.round(x);
  const cy = Math.round(y);
  let best = -Infinity;
  let bx = -1;
  let by = -1;
  const box = new Float64Array(9);
  for (let iy = Math.max(1, cy - radius); iy <= Math.min(h - 2, cy + radius); iy++) {
    for (let ix = Math.max(1, cx - radius); ix <= Math.min(w - 2, cx + radius); ix++) {
      if ((ix - cx) ** 2 + (iy - cy) ** 2 > radius * radius) continue;
      let k = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) box[k++] = data[(iy + dy) * w + ix + dx];
      // NaN never compares greater: a box with a NaN pixel is skipped.
      const s = box.some(Number.isNaN) ? NaN : medianInPlace(box);
      if (s > best) {
        best = s;
        bx = ix;
        by = iy;
      }
    }
  }
  return bx < 0 ? undefined : { ix: bx, iy: by, value: data[by * w + bx] };
}

/** Median of the finite pixels in the annulus [r0, r1) around (x, y). */
function annulusMedian(data: ArrayLike<number>, w: number, h: number, x: number, y: number, r0: number, r1: number): number {
  const values: number[] = [];
  for (let iy = Math.max(0, Math.floor(y - r1)); iy <= Math.min(h - 1, Math.ceil(y + r1)); iy++) {
    for (let ix = Math.max(0, Math.floor(x - r1)); ix <= Math.min(w - 1, Math.ceil(x + r1)); ix++) {
      const r2 = (ix - x) ** 2 + (iy - y) ** 2;
      const v = data[iy * w + ix];
      if (r2 >= r0 * r0 && r2 < r1 * r1 && v - v === 0) values.push(v);
    }
  }
  return medianInPlace(values);
}

/** A 3x3 median-filtered copy of the (2 half + 1)^2 window around (cx, cy), clipped to the frame. */
function medianWindow(data: ArrayLike<number>, w: number, h: number, cx: number, cy: number, half: number) {
  const x0 = Math.max(0, cx - half), x1 = Math.min(w - 1, cx + half);
  const y0 = Math.max(0, cy - half), y1 = Math.min(h - 1, cy + half);
  const width = x1 - x0 + 1, height = y1 - y0 + 1;
  const out = new Float64Array(width * height);
  const box = new Float64Array(9);
  for (let iy = y0; iy <= y1; iy++) {
    for (let ix = x0; ix <= x1; ix++) {
      let k = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = ix + dx, yy = iy + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const v = data[yy * w + xx];
          if (v - v === 0) box[k++] = v;
        }
      }
      out[(iy - y0) * width + (ix - x0)] = k ? medianInPlace(box, k) : NaN;
    }
  }
  return { data: out, width, height, x0, y0 };
}

/** Background-subtracted first and second moments within `radius`: a first centre and sigma. */
function moments(data: ArrayLike<number>, w: number, h: number, x: number, y: number, bg: number, radius: number) {
  let s0 = 0, sx = 0, sy = 0;
  const pts: [number, number, number][] = [];
  for (let iy = Math.max(0, Math.floor(y - radius)); iy <= Math.min(h - 1, Math.ceil(y + radius)); iy++) {
    for (let ix = Math.max(0, Math.floor(x - radius)); ix <= Math.min(w - 1, Math.ceil(x + radius)); ix++) {
      if ((ix - x) ** 2 + (iy - y) ** 2 > radius * radius) continue;
      const v = data[iy * w + ix] - bg;
      if (!(v > 0)) continue;
      s0 += v; sx += v * ix; sy += v * iy;
      pts.push([ix, iy, v]);
    }
  }
  if (!(s0 > 0)) return undefined;
  const mx = sx / s0;
  const my = sy / s0;
  let s2 = 0;
  for (const [ix, iy, v] of pts) s2 += v * ((ix - mx) ** 2 + (iy - my) ** 2);
  return { x: mx, y: my, sigma: Math.sqrt(s2 / s0 / 2) };
}

interface Pixels { x: Float64Array; y: Float64Array; v: Float64Array; n: number }

function pixelsWithin(data: ArrayLike<number>, w: number, h: number, x: number, y: number, radius: number): Pixels {
  const cap = (2 * Math.ceil(radius) + 1) ** 2;
  const out: Pixels = { x: new Float64Array(cap), y: new Float64Array(cap), v: new Float64Array(cap), n: 0 };
  for (let iy = Math.max(0, Math.ceil(y - radius)); iy <= Math.min(h - 1, Math.floor(y + radius)); iy++) {
    for (let ix = Math.max(0, Math.ceil(x - radius)); ix <= Math.min(w - 1, Math.floor(x + radius)); ix++) {
      const v = data[iy * w + ix];
      if ((ix - x) ** 2 + (iy - y) ** 2 > radius * radius || v - v !== 0) continue;
      out.x[out.n] = ix; out.y[out.n] = iy; out.v[out.n] = v; out.n++;
    }
  }
  return out;
}

function gaussianProblem(px: Pixels): LeastSquaresProblem {
  // p = [x0, y0, B, A, sigma]
  return {
    n: px.n,
    y: (i) => px.v[i],
    model(p, i, g) {
      const dx = px.x[i] - p[0], dy = px.y[i] - p[1];
      const s2 = p[4] * p[4];
      const r2 = dx * dx + dy * dy;
      const e = Math.exp(-r2 / (2 * s2));
      if (g) {
        g[0] = (p[3] * e * dx) / s2;
        g[1] = (p[3] * e * dy) / s2;
        g[2] = 1;
        g[3] = e;
        g[4] = (p[3] * e * r2) / (s2 * p[4]);
      }
      return p[2] + p[3] * e;
    },
  };
}

function moffatProblem(px: Pixels): LeastSquaresProblem {
  // p = [x0, y0, B, A, alpha, beta]
  return {
    n: px.n,
    y: (i) => px.v[i],
    model(p, i, g) {
      const dx = px.x[i] - p[0], dy = px.y[i] - p[1];
      const a2 = p[4] * p[4];
      const r2 = dx * dx + dy * dy;
      const u = 1 + r2 / a2;
      const ub = Math.pow(u, -p[5]);
      if (g) {
        const k = (2 * p[3] * p[5] * ub) / (u * a2);
        g[0] = k * dx;
        g[1] = k * dy;
        g[2] = 1;
        g[3] = ub;
        g[4] = (k * r2) / p[4];
        g[5] = -p[3] * ub * Math.log(u);
      }
      return p[2] + p[3] * ub;
    },
  };
}

/**
 * Removes from `px` the pixels beyond 6 robust sigma (1.4826 MAD of the
 * residuals) of model `p`, outside 0.75 FWHM of its centre; returns how many.
 * The sigma is at least 2% of the amplitude, so where noise is low a mere
 * difference of shape (a Moffat's wings against the first Gaussian) is kept.
 */
function dropOutliers(px: Pixels, model: ProfileModel, p: Float64Array, fwhm: number): number {
  const residual = new Float64Array(px.n);
  for (let i = 0; i < px.n; i++) residual[i] = px.v[i] - modelAt(model, p, Math.hypot(px.x[i] - p[0], px.y[i] - p[1]));
  const sigma = Math.max(MAD_TO_SIGMA * medianInPlace(Float64Array.from(residual, Math.abs)), 0.02 * Math.abs(p[3]));
  const core = 0.75 * fwhm;
  let kept = 0;
  for (let i = 0; i < px.n; i++) {
    if (Math.abs(residual[i]) > 6 * sigma && Math.hypot(px.x[i] - p[0], px.y[i] - p[1]) > core) continue;
    px.x[kept] = px.x[i]; px.y[kept] = px.y[i]; px.v[kept] = px.v[i]; kept++;
  }
  const dropped = px.n - kept;
  px.n = kept;
  return dropped;
}

/** Measures the star nearest (x, y); undefined when there is none to fit (edge, blank sky, NaN). */
export function measureStar(data: ArrayLike<number>, width: number, height: number, x: number, y: number, opts: StarOptions = {}): StarFit | undefined {
  const model = opts.model ?? 'moffat';
  const peak = smoothedPeak(data, width, height, x, y, opts.searchRadius ?? 5);
  if (!peak) return undefined;
  const bg0 = annulusMedian(data, width, height, peak.ix, peak.iy, 10, 15);
  if (!Number.isFinite(bg0)) return undefined;
  // First guesses from the median-filtered neighbourhood: a hot pixel beside the star cannot drag them.
  const win = medianWindow(data, width, height, peak.ix, peak.iy, 32);
  const first = moments(win.data, win.width, win.height, peak.ix - win.x0, peak.iy - win.y0, bg0, 4);
  if (!first) return undefined;
  const sigma0 = Math.min(10, Math.max(0.6, first.sigma));
  const radius = opts.fitRadius ?? Math.min(30, Math.max(6, 3 * FWHM_PER_SIGMA * sigma0));
  const smooth = pixelsWithin(win.data, win.width, win.height, first.x, first.y, radius);
  const px = pixelsWithin(data, width, height, first.x + win.x0, first.y + win.y0, radius);
  if (px.n < 8 || smooth.n < 8) return undefined;
  const amp0 = Math.max(peak.value - bg0, 1e-6);

  const fwhmOf = (m: ProfileModel, q: Float64Array) => (m === 'gaussian' ? FWHM_PER_SIGMA * Math.abs(q[4]) : moffatFwhm(Math.abs(q[4]), q[5]));
  const pre = levenbergMarquardt(gaussianProblem(smooth), [first.x, first.y, bg0, amp0, sigma0]);
  const start = Float64Array.from([pre.p[0] + win.x0, pre.p[1] + win.y0, pre.p[2], pre.p[3], pre.p[4]]);
  // Least squares follow a hot pixel or a cosmic ray: pixels far off the model outside the
  // star's core are dropped before the fit (against the smoothed first fit) and after it.
  let rejected = dropOutliers(px, 'gaussian', start, fwhmOf('gaussian', start));
  const g = levenbergMarquardt(gaussianProblem(px), start);
  let iterations = pre.iterations + g.iterations;
  let fit = g;
  if (model === 'moffat') {
    const beta0 = 2.5;
    const alpha0 = (FWHM_PER_SIGMA * Math.abs(g.p[4])) / (2 * Math.sqrt(Math.pow(2, 1 / beta0) - 1));
    fit = levenbergMarquardt(moffatProblem(px), [g.p[0], g.p[1], g.p[2], g.p[3], alpha0, beta0], 200, MOFFAT_BOUNDS);
    iterations += fit.iterations;
  }
  for (let round = 0; round < 3; round++) {
    const dropped = dropOutliers(px, model, fit.p, fwhmOf(model, fit.p));
    if (!dropped) break;
    rejected += dropped;
    fit = model === 'gaussian' ? levenbergMarquardt(gaussianProblem(px), fit.p) : levenbergMarquardt(moffatProblem(px), fit.p, 200, MOFFAT_BOUNDS);
    iterations += fit.iterations;
  }
  const p = fit.p;
  const fwhm = fwhmOf(model, p);
  // A fit that wandered off the star (a centre beyond the search) or exploded is no measurement.
  if (!Number.isFinite(fwhm) || !(p[3] > 0) || Math.hypot(p[0] - peak.ix, p[1] - peak.iy) > (opts.searchRadius ?? 5) + 1) return undefined;

  const r = new Float64Array(px.n);
  const value = new Float64Array(px.n);
  for (let i = 0; i < px.n; i++) {
    r[i] = Math.hypot(px.x[i] - p[0], px.y[i] - p[1]);
    value[i] = px.v[i];
  }
  const steps = 121;
  const curve = { r: new Float64Array(steps), value: new Float64Array(steps) };
  for (let k = 0; k < steps; k++) {
    const rr = (radius * k) / (steps - 1);
    curve.r[k] = rr;
    curve.value[k] = modelAt(model, p, rr);
  }
  return {
    model,
    x: p[0],
    y: p[1],
    background: p[2],
    amplitude: p[3],
    fwhm,
    ...(model === 'gaussian' ? { sigma: Math.abs(p[4]) } : { alpha: Math.abs(p[4]), beta: p[5] }),
    rms: Math.sqrt(fit.chi2 / px.n),
    peak,
    fitRadius: radius,
    profile: { r, value },
    curve,
    rejected,
    iterations,
    converged: fit.converged,
  };
}

/** The fitted profile at distance r from the centre. */
export function modelAt(model: ProfileModel, p: ArrayLike<number>, r: number): number {
  if (model === 'gaussian') return p[2] + p[3] * Math.exp(-(r * r) / (2 * p[4] * p[4]));
  return p[2] + p[3] * Math.pow(1 + (r * r) / (p[4] * p[4]), -p[5]);
}
