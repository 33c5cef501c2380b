/**
 * Overscan subtraction, after DRAGONS subtractOverscan and ccdproc
 * subtract_overscan.
 *
 * The overscan strip (BIASSEC) is collapsed line by line into one level per
 * image row (a strip of columns, the usual serial overscan) or per image
 * column (a strip of rows). The levels are optionally replaced by a smooth
 * model fitted across the lines (polynomial or cubic spline, with iterative
 * rejection of deviant lines), and the level of each line is subtracted from
 * every pixel of that line, overscan included (trim afterwards with DATASEC).
 *
 * Defaults, and how they relate to the two references:
 * - collapse 'median' (ccdproc's median=True; robust to cosmic rays hitting
 *   the strip; ccdproc's own default is the mean).
 * - function 'spline' with order 6 pieces — DRAGONS' default function is a
 *   cubic spline ('spline3'); DRAGONS' order=None (a spline chosen for
 *   reduced chi^2 = 1) is not offered here: the number of pieces is always given.
 *   For 'poly' the order is the degree of a Chebyshev series (default 6;
 *   ccdproc takes any astropy model, e.g. Chebyshev1D(6)). 'none' subtracts
 *   the per-line levels as they are (ccdproc without a model).
 * - lsigma = hsigma = 3, niter = 0 (no rejection unless asked), the DRAGONS
 *   fit_1D names and defaults.
 * - nbiascontam = 0: no strip columns dropped unless asked. DRAGONS drops
 *   columns next to the data (4 for GMOS when left to its instrument
 *   default) because charge bleeds into the first overscan columns.
 *
 * VAR and DQ are left as they are: the overscan level is averaged over many
 * pixels, so its noise is neglected, as both references do.
 */
import type { Frame } from './frame';
import { type Model1D, evaluateModelArray, fitWithRejection } from './fit';
import { type Section, checkSection, parseSection } from './section';
import { medianInPlace } from './select';

export interface OverscanOptions {
  /** Overscan region, FITS form '[x1:x2,y1:y2]' or a parsed Section. */
  biassec: Section | string;
  /**
   * 'columns': the strip is a set of columns, giving one level per row.
   * 'rows': a set of rows, one level per column. Default: 'columns' when the
   * strip is narrower than it is tall (ccdproc's overscan_axis=None rule).
   */
  orientation?: 'columns' | 'rows';
  /** Strip lines next to the data to ignore (bias contamination). Default 0. */
  nbiascontam?: number;
  /**
   * Data section, used only to know on which side of the strip the data lie
   * (for nbiascontam). Default: the side of the strip facing the image centre.
   */
  datasec?: Section | string;
  /** How each line of the strip is reduced to one number. Default 'median'. */
  collapse?: 'median' | 'mean';
  /** Model across lines. Default 'spline'. */
  function?: 'none' | 'poly' | 'spline';
  /** Chebyshev degree ('poly') or number of pieces ('spline'). Default 6. */
  order?: number;
  /** Rejection of deviant lines in the fit, see fit.ts. Defaults 3, 3, 0. */
  lsigma?: number;
  hsigma?: number;
  niter?: number;
  /** Ignore strip pixels with a nonzero DQ when collapsing. Default true. */
  dqAware?: boolean;
  /** Write the result here (may be the input frame for in-place work). Default: a new frame. */
  out?: Frame;
}

export interface OverscanResult {
  frame: Frame;
  orientation: 'columns' | 'rows';
  /** Strip actually used (after nbiascontam), 0-based half-open. */
  strip: Section;
  /** Collapsed level of every line (NaN where the strip had no good pixel). */
  levels: Float64Array;
  /**
   * Level subtracted from every line (the model, or the levels for 'none').
   * With 'none', a line whose strip has no good pixel has a NaN level and
   * comes out NaN; a fitted model bridges such lines.
   */
  model: Float64Array;
  /** Lines excluded from the fit by rejection (or without a good pixel). */
  rejected: Uint8Array;
  /** Fitted model, for plotting at other x; undefined for 'none'. */
  fit?: Model1D;
  /** Mean subtracted level. */
  mean: number;
  /** RMS of levels - model over kept lines; for 'none', of levels about their mean. */
  rms: number;
}

/** The level of every line (and the model across lines) without subtracting anything: subtractOverscan's first half. */
export function overscanLevels(frame: Frame, opts: Omit<OverscanOptions, 'out'>): Omit<OverscanResult, 'frame'> {
  const { width, height } = frame;
  const sec0 = typeof opts.biassec === 'string' ? parseSection(opts.biassec, width, height) : opts.biassec;
  checkSection(sec0, width, height);
  const orientation = opts.orientation ?? (sec0.x1 - sec0.x0 < sec0.y1 - sec0.y0 ? 'columns' : 'rows');
  const nbc = opts.nbiascontam ?? 0;
  if (!Number.isInteger(nbc) || nbc < 0) throw new RangeError(`nbiascontam must be an integer >= 0, got ${nbc}`);
  const strip = { ...sec0, flipX: false, flipY: false };
  if (nbc > 0) {
    const dsec = opts.datasec === undefined ? undefined
      : typeof opts.datasec === 'string' ? parseSection(opts.datasec, width, height) : opts.datasec;
    if (orientation === 'columns') {
      const dataCenter = dsec ? (dsec.x0 + dsec.x1) / 2 : width / 2;
      if (dataCenter < (strip.x0 + strip.x1) / 2) strip.x0 += nbc;
      else strip.x1 -= nbc;
      if (strip.x1 <= strip.x0) throw new RangeError(`nbiascontam ${nbc} leaves no overscan column in ${strip.x1 - strip.x0 + nbc}`);
    } else {
      const dataCenter = dsec ? (dsec.y0 + dsec.y1) / 2 : height / 2;
      if (dataCenter < (strip.y0 + strip.y1) / 2) strip.y0 += nbc;
      else strip.y1 -= nbc;
      if (strip.y1 <= strip.y0) throw new RangeError(`nbiascontam ${nbc} leaves no overscan row in ${strip.y1 - strip.y0 + nbc}`);
    }
  }

  const levels = collapseStrip(frame, strip, orientation, opts.collapse ?? 'median', opts.dqAware ?? true);
  const nlines = levels.length;
  const fn = opts.function ?? 'spline';
  const order = opts.order ?? 6;
  let model: Float64Array;
  let rejected: Uint8Array;
  let fit: Model1D | undefined;
  let rms: number;
  if (fn === 'none') {
    model = levels;
    rejected = new Uint8Array(nlines);
    let s = 0, k = 0;
    for (let i = 0; i < nlines; i++) {
      if (Number.isNaN(levels[i])) rejected[i] = 1;
      else { s += levels[i]; k++; }
    }
    const m = s / k;
    let ss = 0;
    for (let i = 0; i < nlines; i++) if (!rejected[i]) ss += (levels[i] - m) ** 2;
    rms = Math.sqrt(ss / k);
  } else {
    const x = new Float64Array(nlines);
    for (let i = 0; i < nlines; i++) x[i] = i;
    const spec = fn === 'poly'
      ? ({ function: 'poly', order } as const)
      : ({ function: 'spline', pieces: order } as const);
    const res = fitWithRejection(x, levels, spec, {
      lsigma: opts.lsigma, hsigma: opts.hsigma, niter: opts.niter, xmin: 0, xmax: nlines - 1,
    });
    fit = res.model;
    rejected = res.rejected;
    rms = res.rms;
    model = evaluateModelArray(fit, x);
  }
  let msum = 0;
  for (let i = 0; i < nlines; i++) msum += model[i];
  return { orientation, strip, levels, model, rejected, fit, mean: msum / nlines, rms };
}

/** Subtracts one level per line (per row for 'columns', per column for 'rows') from every pixel, overscan included. */
export function subtractLevels(frame: Frame, orientation: 'columns' | 'rows', model: ArrayLike<number>, out?: Frame): Frame {
  const { width, height } = frame;
  const o = prepareOut(frame, out);
  const src = frame.sci;
  const dst = o.sci;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (orientation === 'columns') {
      const lv = model[y];
      for (let x = 0; x < width; x++) dst[row + x] = src[row + x] - lv;
    } else {
      for (let x = 0; x < width; x++) dst[row + x] = src[row + x] - model[x];
    }
  }
  return o;
}

export function subtractOverscan(frame: Frame, opts: OverscanOptions): OverscanResult {
  const res = overscanLevels(frame, opts);
  return { frame: subtractLevels(frame, res.orientation, res.model, opts.out), ...res };
}

/** One level per line of the strip: per image row for 'columns', per image column for 'rows'. */
export function collapseStrip(
  frame: Frame,
  strip: Section,
  orientation: 'columns' | 'rows',
  collapse: 'median' | 'mean',
  dqAware = true,
): Float64Array {
  const { width, sci } = frame;
  const dq = dqAware ? frame.dq : undefined;
  const nlines = orientation === 'columns' ? frame.height : width;
  const across = orientation === 'columns' ? strip.x1 - strip.x0 : strip.y1 - strip.y0;
  const levels = new Float64Array(nlines);
  const buf = new Float32Array(across);
  for (let line = 0; line < nlines; line++) {
    let n = 0;
    for (let a = 0; a < across; a++) {
      const idx = orientation === 'columns'
        ? line * width + strip.x0 + a
        : (strip.y0 + a) * width + line;
      const v = sci[idx];
      if (v - v === 0 && (!dq || dq[idx] === 0)) buf[n++] = v;
    }
    if (n === 0) levels[line] = NaN;
    else if (collapse === 'median') levels[line] = medianInPlace(buf, n);
    else {
      let s = 0;
      for (let i = 0; i < n; i++) s += buf[i];
      levels[line] = s / n;
    }
  }
  return levels;
}

function prepareOut(frame: Frame, out?: Frame): Frame {
  if (out === frame) return out;
  const n = frame.width * frame.height;
  if (out) {
    if (out.width !== frame.width || out.height !== frame.height || out.sci.length !== n) {
      throw new RangeError(`out frame is ${out.width}x${out.height}, expected ${frame.width}x${frame.height}`);
    }
    if (frame.var) (out.var ??= new Float32Array(n)).set(frame.var);
    if (frame.dq) (out.dq ??= new Uint16Array(n)).set(frame.dq);
    return out;
  }
  return {
    width: frame.width,
    height: frame.height,
    sci: new Float32Array(n),
    var: frame.var && Float32Array.from(frame.var),
    dq: frame.dq && Uint16Array.from(frame.dq),
  };
}
