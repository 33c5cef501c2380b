/**
 * 1-D least-squares fitting: orthogonal polynomials and cubic B-splines,
 * with optional iterative sigma rejection (IRAF icfit / DRAGONS fit_1D style).
 *
 * x is mapped onto [-1, 1] (polynomials) or [0, pieces] (splines) from
 * [xmin, xmax] (default: the data's range) so that high orders stay well
 * conditioned; the normal equations A^T W A c = A^T W y are then solved by
 * Cholesky. The Chebyshev/Legendre basis keeps A^T W A near-diagonal, which
 * is what makes the normal equations safe here; the B-spline basis is banded
 * (4 non-zero functions per point).
 */

export type PolyBasis = 'chebyshev' | 'legendre';

export interface PolyModel {
  kind: 'poly';
  basis: PolyBasis;
  /** Degree: order 1 is a straight line. */
  order: number;
  /** order + 1 coefficients of the basis functions on the normalized x. */
  coeffs: Float64Array;
  xmin: number;
  xmax: number;
}

export interface SplineModel {
  kind: 'spline';
  /** Number of equal polynomial pieces between xmin and xmax (IRAF spline3 "order"). */
  pieces: number;
  /** pieces + 3 uniform cubic B-spline coefficients. */
  coeffs: Float64Array;
  xmin: number;
  xmax: number;
}

export type Model1D = PolyModel | SplineModel;

export interface FitOptions {
  /** Per-point weights (0 excludes a point). Default all 1. */
  weights?: ArrayLike<number>;
  /** Interval mapped onto the basis domain. Defaults to the min and max of x. */
  xmin?: number;
  xmax?: number;
}

export interface PolyFitOptions extends FitOptions {
  /** Polynomial degree. Required. */
  order: number;
  /** Default 'chebyshev'. */
  basis?: PolyBasis;
}

export interface SplineFitOptions extends FitOptions {
  /** Number of cubic pieces, >= 1. Required. */
  pieces: number;
}

function xRange(x: ArrayLike<number>, opts: FitOptions): [number, number] {
  let lo = opts.xmin;
  let hi = opts.xmax;
  if (lo === undefined || hi === undefined) {
    let a = Infinity;
    let b = -Infinity;
    for (let i = 0; i < x.length; i++) {
      if (x[i] < a) a = x[i];
      if (x[i] > b) b = x[i];
    }
    lo ??= a;
    hi ??= b;
  }
  return [lo, hi];
}

/** Fills out[0..order] with the basis functions at normalized u in [-1, 1]. */
function polyBasis(basis: PolyBasis, order: number, u: number, out: Float64Array): void {
  out[0] = 1;
  if (order >= 1) out[1] = u;
  if (basis === 'chebyshev') {
    for (let k = 1; k < order; k++) out[k + 1] = 2 * u * out[k] - out[k - 1];
  } else {
    for (let k = 1; k < order; k++) out[k + 1] = ((2 * k + 1) * u * out[k] - k * out[k - 1]) / (k + 1);
  }
}

function normalize(x: number, xmin: number, xmax: number): number {
  return xmax === xmin ? 0 : (2 * x - (xmin + xmax)) / (xmax - xmin);
}

/**
 * Spline position: the piece index j (coefficients j..j+3 are active) and the
 * four uniform cubic B-spline values at x. Points outside [xmin, xmax]
 * extrapolate the end pieces.
 */
function splineBasis(pieces: number, xmin: number, xmax: number, x: number, b: Float64Array): number {
  const s = xmax === xmin ? 0 : ((x - xmin) / (xmax - xmin)) * pieces;
  let j = Math.floor(s);
  if (j < 0) j = 0;
  else if (j > pieces - 1) j = pieces - 1;
  const t = s - j;
  const t2 = t * t;
  const t3 = t2 * t;
  const omt = 1 - t;
  b[0] = (omt * omt * omt) / 6;
  b[1] = (3 * t3 - 6 * t2 + 4) / 6;
  b[2] = (-3 * t3 + 3 * t2 + 3 * t + 1) / 6;
  b[3] = t3 / 6;
  return j;
}

/**
 * Solves the symmetric positive semi-definite system M c = r in place
 * (M is m x m row-major, only the lower triangle is read). A basis function
 * no point constrains (pivot ~ 0) gets coefficient 0 instead of an
 * exception, so a spline piece without data does not poison the fit.
 */
export function choleskySolve(M: Float64Array, r: Float64Array, m: number): Float64Array {
  let maxDiag = 0;
  for (let i = 0; i < m; i++) maxDiag = Math.max(maxDiag, Math.abs(M[i * m + i]));
  const tol = maxDiag * 1e-13;
  const dead = new Uint8Array(m);
  for (let j = 0; j < m; j++) {
    let d = M[j * m + j];
    for (let k = 0; k < j; k++) d -= M[j * m + k] * M[j * m + k];
    if (!(d > tol)) {
      dead[j] = 1;
      for (let i = j; i < m; i++) M[i * m + j] = 0;
      continue;
    }
    const l = Math.sqrt(d);
    M[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let s = M[i * m + j];
      for (let k = 0; k < j; k++) s -= M[i * m + k] * M[j * m + k];
      M[i * m + j] = s / l;
    }
  }
  const c = new Float64Array(m);
  // Forward: L z = r.
  for (let i = 0; i < m; i++) {
    if (dead[i]) continue;
    let s = r[i];
    for (let k = 0; k < i; k++) s -= M[i * m + k] * c[k];
    c[i] = s / M[i * m + i];
  }
  // Backward: L^T c = z.
  for (let i = m - 1; i >= 0; i--) {
    if (dead[i]) {
      c[i] = 0;
      continue;
    }
    let s = c[i];
    for (let k = i + 1; k < m; k++) s -= M[k * m + i] * c[k];
    c[i] = s / M[i * m + i];
  }
  return c;
}

function checkXY(x: ArrayLike<number>, y: ArrayLike<number>, w?: ArrayLike<number>): void {
  if (x.length !== y.length) throw new RangeError(`x (${x.length}) and y (${y.length}) differ in length`);
  if (w && w.length !== x.length) throw new RangeError(`weights (${w.length}) and x (${x.length}) differ in length`);
}

/** Weighted least-squares polynomial fit in a Chebyshev (default) or Legendre basis. */
export function fitPolynomial(x: ArrayLike<number>, y: ArrayLike<number>, opts: PolyFitOptions): PolyModel {
  const { order, weights } = opts;
  const basis = opts.basis ?? 'chebyshev';
  if (!Number.isInteger(order) || order < 0) throw new RangeError(`polynomial order must be an integer >= 0, got ${order}`);
  checkXY(x, y, weights);
  const [xmin, xmax] = xRange(x, opts);
  const m = order + 1;
  const M = new Float64Array(m * m);
  const r = new Float64Array(m);
  const b = new Float64Array(m);
  for (let i = 0; i < x.length; i++) {
    const w = weights ? weights[i] : 1;
    const yi = y[i];
    if (!(w > 0) || yi - yi !== 0) continue;
    polyBasis(basis, order, normalize(x[i], xmin, xmax), b);
    for (let p = 0; p < m; p++) {
      const wb = w * b[p];
      r[p] += wb * yi;
      for (let q = 0; q <= p; q++) M[p * m + q] += wb * b[q];
    }
  }
  return { kind: 'poly', basis, order, coeffs: choleskySolve(M, r, m), xmin, xmax };
}

/**
 * Weighted least-squares cubic spline with `pieces` equal pieces over
 * [xmin, xmax] (uniform knots, continuous up to the 2nd derivative), the
 * function IRAF calls spline3 with order = pieces.
 */
export function fitSpline(x: ArrayLike<number>, y: ArrayLike<number>, opts: SplineFitOptions): SplineModel {
  const { pieces, weights } = opts;
  if (!Number.isInteger(pieces) || pieces < 1) throw new RangeError(`spline pieces must be an integer >= 1, got ${pieces}`);
  checkXY(x, y, weights);
  const [xmin, xmax] = xRange(x, opts);
  const m = pieces + 3;
  const M = new Float64Array(m * m);
  const r = new Float64Array(m);
  const b = new Float64Array(4);
  for (let i = 0; i < x.length; i++) {
    const w = weights ? weights[i] : 1;
    const yi = y[i];
    if (!(w > 0) || yi - yi !== 0) continue;
    const j = splineBasis(pieces, xmin, xmax, x[i], b);
    for (let p = 0; p < 4; p++) {
      const wb = w * b[p];
      r[j + p] += wb * yi;
      for (let q = 0; q <= p; q++) M[(j + p) * m + (j + q)] += wb * b[q];
    }
  }
  return { kind: 'spline', pieces, coeffs: choleskySolve(M, r, m), xmin, xmax };
}

/** Value of a fitted model at x. */
export function evaluateModel(model: Model1D, x: number): number {
  if (model.kind === 'poly') {
    const b = new Float64Array(model.order + 1);
    polyBasis(model.basis, model.order, normalize(x, model.xmin, model.xmax), b);
    let s = 0;
    for (let k = 0; k <= model.order; k++) s += model.coeffs[k] * b[k];
    return s;
  }
  const b = new Float64Array(4);
  const j = splineBasis(model.pieces, model.xmin, model.xmax, x, b);
  const c = model.coeffs;
  return c[j] * b[0] + c[j + 1] * b[1] + c[j + 2] * b[2] + c[j + 3] * b[3];
}

/** Values of a fitted model at every x (into `out` when given). */
export function evaluateModelArray(model: Model1D, x: ArrayLike<number>, out?: Float64Array): Float64Array {
  const res = out ?? new Float64Array(x.length);
  const b = new Float64Array(model.kind === 'poly' ? model.order + 1 : 4);
  const c = model.coeffs;
  for (let i = 0; i < x.length; i++) {
    if (model.kind === 'poly') {
      polyBasis(model.basis, model.order, normalize(x[i], model.xmin, model.xmax), b);
      let s = 0;
      for (let k = 0; k <= model.order; k++) s += c[k] * b[k];
      res[i] = s;
    } else {
      const j = splineBasis(model.pieces, model.xmin, model.xmax, x[i], b);
      res[i] = c[j] * b[0] + c[j + 1] * b[1] + c[j + 2] * b[2] + c[j + 3] * b[3];
    }
  }
  return res;
}

export type ModelSpec = { function: 'poly'; order: number; basis?: PolyBasis } | { function: 'spline'; pieces: number };

export interface RejectionOptions {
  /** Reject points more than lsigma * rms below the fit. Default 3. */
  lsigma?: number;
  /** Reject points more than hsigma * rms above the fit. Default 3. */
  hsigma?: number;
  /** Rejection iterations after the first fit; 0 = plain fit. Default 0 (DRAGONS fit_1D). */
  niter?: number;
  weights?: ArrayLike<number>;
  xmin?: number;
  xmax?: number;
}

export interface RejectionFit {
  model: Model1D;
  /** 1 where a point was excluded by the rejection (or had weight 0 / a non-finite y). */
  rejected: Uint8Array;
  /** RMS of the residuals of the points kept in the final fit. */
  rms: number;
  /** Rejection iterations actually run. */
  iterations: number;
}

function fitSpec(x: ArrayLike<number>, y: ArrayLike<number>, spec: ModelSpec, w: Float64Array, xmin: number, xmax: number): Model1D {
  return spec.function === 'poly'
    ? fitPolynomial(x, y, { order: spec.order, basis: spec.basis, weights: w, xmin, xmax })
    : fitSpline(x, y, { pieces: spec.pieces, weights: w, xmin, xmax });
}

/**
 * Fit, then up to `niter` times: residual rms over the kept points (about
 * zero, weights ignored), reject every point outside [-lsigma, +hsigma] * rms
 * and refit. The rejection is re-decided from all points each time (as
 * astropy's sigma_clip inside DRAGONS fit_1D), and it stops early when the set
 * of kept points no longer changes.
 */
export function fitWithRejection(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  spec: ModelSpec,
  opts: RejectionOptions = {},
): RejectionFit {
  const lsigma = opts.lsigma ?? 3;
  const hsigma = opts.hsigma ?? 3;
  const niter = opts.niter ?? 0;
  checkXY(x, y, opts.weights);
  const n = x.length;
  const [xmin, xmax] = xRange(x, opts);
  const base = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = opts.weights ? opts.weights[i] : 1;
    base[i] = y[i] - y[i] === 0 && w > 0 ? w : 0;
  }
  const w = Float64Array.from(base);
  const fitted = new Float64Array(n);
  let model = fitSpec(x, y, spec, w, xmin, xmax);
  let iterations = 0;
  let rms = residualRms(model, x, y, w, fitted);
  for (let it = 0; it < niter; it++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      if (base[i] === 0) continue;
      const res = y[i] - fitted[i];
      const keep = res >= -lsigma * rms && res <= hsigma * rms;
      const now = keep ? base[i] : 0;
      if (now !== w[i]) changed++;
      w[i] = now;
    }
    if (changed === 0) break;
    iterations++;
    model = fitSpec(x, y, spec, w, xmin, xmax);
    rms = residualRms(model, x, y, w, fitted);
  }
  const rejected = new Uint8Array(n);
  for (let i = 0; i < n; i++) rejected[i] = w[i] > 0 ? 0 : 1;
  return { model, rejected, rms, iterations };
}

function residualRms(model: Model1D, x: ArrayLike<number>, y: ArrayLike<number>, w: Float64Array, fitted: Float64Array): number {
  evaluateModelArray(model, x, fitted);
  let ss = 0;
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    if (w[i] > 0) {
      const d = y[i] - fitted[i];
      ss += d * d;
      k++;
    }
  }
  return k ? Math.sqrt(ss / k) : NaN;
}
