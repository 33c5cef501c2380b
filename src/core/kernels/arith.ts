/**
 * Frame arithmetic with variance propagation and DQ OR, as DRAGONS'
 * NDAstroData arithmetic does (errors uncorrelated):
 *   a + b, a - b : V = Va + Vb
 *   a * b        : V = Va b^2 + Vb a^2
 *   a / b        : V = Va / b^2 + a^2 Vb / b^4
 *   k * a        : V = k^2 Va
 * A missing VAR plane counts as zero variance; the output has VAR when any
 * input has it, and DQ when any input has it (or a division needs it).
 *
 * Division by zero (or by a non-finite divisor) gives sci 0, VAR 0 and DQ
 * noData (16) on that pixel: a finite fill value that every later step
 * skips through DQ, instead of Inf/NaN leaking into sums.
 *
 * Every function takes `out`: omitted -> a new frame; the input frame itself
 * -> in place; another frame of the same size -> written there (its VAR/DQ
 * planes are created if needed).
 */
import type { Frame } from './frame';
import { DQ } from './dq';
import { CHUNK } from './chunks';
import { take, takeZeroed } from './scratch';

function sameShape(a: Frame, b: Frame, what: string): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`${what}: frames differ in size (${a.width}x${a.height} vs ${b.width}x${b.height})`);
  }
}

/** Output frame with sci, and var/dq planes present when asked. Planes are not cleared. */
function target(a: Frame, out: Frame | undefined, withVar: boolean, withDq: boolean): Frame {
  const n = a.width * a.height;
  if (out) {
    sameShape(a, out, 'out');
    // Drop planes the result does not have, so stale ones in `out` never survive.
    if (!withVar) out.var = undefined;
    else if (!out.var) out.var = take(Float32Array, n);
    if (!withDq) out.dq = undefined;
    else if (!out.dq) out.dq = take(Uint16Array, n);
    return out;
  }
  return {
    width: a.width,
    height: a.height,
    sci: take(Float32Array, n),
    var: withVar ? take(Float32Array, n) : undefined,
    dq: withDq ? take(Uint16Array, n) : undefined,
  };
}

/**
 * DQ of the result = ad | bd, the inputs' DQ planes (either may be absent).
 * The callers take the inputs' planes before target(): when `out` is an
 * input, target() gives it the planes it lacked, and reading them after
 * would OR (or add) a plane of zeros, a pass over fresh memory for nothing.
 */
function orDq(o: Frame, ad: Uint16Array | undefined, bd?: Uint16Array): void {
  const od = o.dq;
  if (!od) return;
  const n = od.length;
  if (ad && bd) for (let i0 = 0; i0 < n; i0 += CHUNK) orRange(ad, bd, od, i0, Math.min(n, i0 + CHUNK));
  else if (ad) { if (ad !== od) od.set(ad); }
  else if (bd) { if (bd !== od) od.set(bd); }
  else od.fill(0);
}

// addSub's per-pixel loops run in chunks, one call each: chunks.ts says why (a call of ~0.24 s
// instead of 0.05 s in the app's master flats).

function orRange(a: Uint16Array, b: Uint16Array, o: Uint16Array, i0: number, i1: number): void {
  for (let i = i0; i < i1; i++) o[i] = a[i] | b[i];
}

function addRange(a: Float32Array, b: Float32Array, o: Float32Array, i0: number, i1: number): void {
  for (let i = i0; i < i1; i++) o[i] = a[i] + b[i];
}

function subtractRange(a: Float32Array, b: Float32Array, o: Float32Array, i0: number, i1: number): void {
  for (let i = i0; i < i1; i++) o[i] = a[i] - b[i];
}

function addSub(a: Frame, b: Frame, sign: 1 | -1, out?: Frame): Frame {
  sameShape(a, b, sign > 0 ? 'add' : 'subtract');
  const av = a.var, bv = b.var, ad = a.dq, bd = b.dq; // before target(): see orDq
  const o = target(a, out, !!(av || bv), !!(ad || bd));
  const as = a.sci, bs = b.sci, os = o.sci;
  const n = os.length;
  const op = sign > 0 ? addRange : subtractRange;
  for (let i0 = 0; i0 < n; i0 += CHUNK) op(as, bs, os, i0, Math.min(n, i0 + CHUNK));
  const ov = o.var;
  if (ov) {
    if (av && bv) for (let i0 = 0; i0 < n; i0 += CHUNK) addRange(av, bv, ov, i0, Math.min(n, i0 + CHUNK));
    else if (av) { if (av !== ov) ov.set(av); }
    else if (bv) { if (bv !== ov) ov.set(bv); }
  }
  orDq(o, ad, bd);
  return o;
}

/** a + b. */
export function add(a: Frame, b: Frame, out?: Frame): Frame {
  return addSub(a, b, 1, out);
}

/** a - b (e.g. bias or dark subtraction). */
export function subtract(a: Frame, b: Frame, out?: Frame): Frame {
  return addSub(a, b, -1, out);
}

/** a * b, V = Va b^2 + Vb a^2. */
export function multiply(a: Frame, b: Frame, out?: Frame): Frame {
  sameShape(a, b, 'multiply');
  const av = a.var, bv = b.var, ad = a.dq, bd = b.dq; // before target(): see orDq
  const o = target(a, out, !!(av || bv), !!(ad || bd));
  const as = a.sci, bs = b.sci, os = o.sci, ov = o.var;
  const n = os.length;
  for (let i = 0; i < n; i++) {
    const x = as[i], y = bs[i];
    // Variance first: in-place work may overwrite a.sci/b.sci.
    if (ov) ov[i] = (av ? av[i] * y * y : 0) + (bv ? bv[i] * x * x : 0);
    os[i] = x * y;
  }
  orDq(o, ad, bd);
  return o;
}

/**
 * a / b, V = Va / b^2 + a^2 Vb / b^4. Where b is 0 or not finite the result
 * is sci 0, VAR 0, DQ |= noData; the output always carries DQ.
 */
export function divide(a: Frame, b: Frame, out?: Frame): Frame {
  sameShape(a, b, 'divide');
  const av = a.var, bv = b.var, ad = a.dq, bd = b.dq; // before target(): see orDq
  const o = target(a, out, !!(av || bv), true);
  // OR the DQ before the loop (the loop adds noData on top); in-place safe since only DQ planes are read.
  orDq(o, ad, bd);
  const as = a.sci, bs = b.sci, os = o.sci, ov = o.var, od = o.dq!;
  const n = os.length;
  for (let i = 0; i < n; i++) {
    const x = as[i], y = bs[i];
    if (y === 0 || y - y !== 0) {
      os[i] = 0;
      if (ov) ov[i] = 0;
      od[i] |= DQ.noData;
      continue;
    }
    if (ov) {
      const y2 = y * y;
      ov[i] = (av ? av[i] / y2 : 0) + (bv ? (x * x * bv[i]) / (y2 * y2) : 0);
    }
    os[i] = x / y;
  }
  return o;
}

/** k * a, V = k^2 Va. DQ copied. */
export function scale(a: Frame, k: number, out?: Frame): Frame {
  const o = target(a, out, !!a.var, !!a.dq);
  const as = a.sci, os = o.sci;
  for (let i = 0; i < os.length; i++) os[i] = as[i] * k;
  if (a.var && o.var) {
    const av = a.var, ov = o.var, k2 = k * k;
    for (let i = 0; i < ov.length; i++) ov[i] = av[i] * k2;
  }
  orDq(o, a.dq);
  return o;
}

/** a + c for a constant c (VAR unchanged). */
export function addConstant(a: Frame, c: number, out?: Frame): Frame {
  const o = target(a, out, !!a.var, !!a.dq);
  const as = a.sci, os = o.sci;
  for (let i = 0; i < os.length; i++) os[i] = as[i] + c;
  if (a.var && o.var && a.var !== o.var) o.var.set(a.var);
  orDq(o, a.dq);
  return o;
}

/**
 * ADU -> electrons: sci * gain, VAR * gain^2 (DRAGONS ADUToElectrons). The
 * caller sets BUNIT = 'electron' in the header.
 */
export function toElectrons(a: Frame, gain: number, out?: Frame): Frame {
  if (!(gain > 0)) throw new RangeError(`gain must be > 0, got ${gain}`);
  return scale(a, gain, out);
}

export interface NoiseOptions {
  /** Read noise in electrons. */
  readNoise: number;
  /** e-/ADU. Used only when the frame is in ADU. Default 1. */
  gain?: number;
  /**
   * Units of sci: 'electron' (default, after toElectrons) or 'adu'. DRAGONS
   * adds the read noise while still in ADU as (readNoise/gain)^2 and the
   * Poisson term as max(sci, 0)/gain; in electrons both are rn^2 + max(sci, 0).
   */
  bunit?: 'electron' | 'adu';
  /** Add the Poisson term max(sci, 0) from the data themselves. Default true. */
  poissonFromData?: boolean;
}

/**
 * Adds read-noise and Poisson variance to VAR (created at zero when absent):
 * in electrons VAR += rn^2 + max(sci, 0); in ADU VAR += (rn/g)^2 + max(sci, 0)/g.
 * Adding (not replacing) lets the two terms come at different steps, as in
 * DRAGONS' addVAR(read_noise) / addVAR(poisson_noise). Works in place and
 * returns the frame. Non-finite sci gives no Poisson term.
 */
export function addVarianceFromNoise(frame: Frame, opts: NoiseOptions): Frame {
  const gain = opts.gain ?? 1;
  if (!(gain > 0)) throw new RangeError(`gain must be > 0, got ${gain}`);
  if (!(opts.readNoise >= 0)) throw new RangeError(`readNoise must be >= 0, got ${opts.readNoise}`);
  const inAdu = (opts.bunit ?? 'electron') === 'adu';
  const rnVar = inAdu ? (opts.readNoise / gain) ** 2 : opts.readNoise ** 2;
  const pscale = inAdu ? 1 / gain : 1;
  const poisson = opts.poissonFromData ?? true;
  const n = frame.width * frame.height;
  // Read noise alone on a frame without VAR: one number everywhere.
  if (!frame.var && !poisson) {
    frame.var = take(Float32Array, n).fill(rnVar);
    return frame;
  }
  const v = (frame.var ??= takeZeroed(Float32Array, n));
  const s = frame.sci;
  for (let i = 0; i < n; i++) {
    const x = s[i];
    v[i] += rnVar + (poisson && x > 0 ? x * pscale : 0);
  }
  return frame;
}

/**
 * Adds the shot noise of counts that were subtracted from the frame to its
 * VAR (created at zero when absent): VAR += max(C, 0) * perCount, where C are
 * `counts`' pixels and perCount is 1/gain for a frame in ADU, 1 in electrons.
 * For the dark current a master dark removes: the frame detected those
 * electrons, and a Poisson term taken from the data after the subtraction
 * no longer sees them. Non-finite counts add nothing.
 *
 * `excess`, for a dark that still holds the camera's level (no bias was
 * taken from it): C is then what stands above `level` (its typical pixel),
 * and only where that is more than `sigmas` of the larger of the dark's own
 * noise (sqrt of its VAR) and `spread` (its pixels' robust scatter about the
 * level: fixed-pattern offsets of a few ADU are not dark current): a hot
 * pixel, amp glow. The typical pixel's dark noise is not counted then (it is
 * measured with the read noise, readNoise.ts), nor the noise of a pixel that
 * only scatters above the level.
 */
export function addShotNoise(
  frame: Frame, counts: Frame, perCount: number, excess?: { level: number; sigmas: number; spread: number },
): Frame {
  const n = frame.width * frame.height;
  if (counts.sci.length !== n) throw new RangeError(`addShotNoise: ${counts.sci.length} counts for ${n} pixels`);
  if (!(perCount > 0 && Number.isFinite(perCount))) throw new RangeError(`addShotNoise: perCount must be finite and > 0, got ${perCount}`);
  const v = (frame.var ??= takeZeroed(Float32Array, n));
  const d = counts.sci, level = excess?.level ?? 0;
  // Without `excess` every positive count counts: a threshold of 0.
  const dv = excess ? counts.var : undefined, s2 = excess ? excess.sigmas ** 2 : 0;
  const floor2 = excess && excess.spread > 0 ? excess.spread ** 2 : 0;
  for (let i = 0; i < n; i++) {
    const x = d[i] - level;
    const noise2 = dv !== undefined && dv[i] > floor2 ? dv[i] : floor2;
    // x > 0 first: a NaN count or VAR fails it.
    if (x > 0 && x !== Infinity && x * x >= s2 * noise2) v[i] += x * perCount;
  }
  return frame;
}

/**
 * Flags sci >= level with DQ saturated (4) and, when `nonLinear` is given,
 * nonLinear <= sci < level with DQ nonLinear (2). In place (DQ created if
 * absent). Returns how many pixels got each flag.
 */
export function flagSaturated(
  frame: Frame,
  level: number,
  opts: { nonLinear?: number } = {},
): { saturated: number; nonLinear: number } {
  const n = frame.width * frame.height;
  const dq = (frame.dq ??= takeZeroed(Uint16Array, n));
  const s = frame.sci;
  const nl = opts.nonLinear ?? Infinity;
  let ns = 0, nn = 0;
  for (let i = 0; i < n; i++) {
    const x = s[i];
    if (x >= level) { dq[i] |= DQ.saturated; ns++; }
    else if (x >= nl) { dq[i] |= DQ.nonLinear; nn++; }
  }
  return { saturated: ns, nonLinear: nn };
}

/**
 * ORs a bad-pixel mask into DQ, in place (DQ created if absent). A
 * Uint16Array BPM holds DQ bits (DRAGONS BPM files) and is ORed as is; a
 * Uint8Array is a 0/1 mask whose nonzero pixels get `bit` (default DQ.bad).
 * Returns the number of flagged pixels.
 */
export function applyBadPixelMask(frame: Frame, bpm: Uint8Array | Uint16Array, bit: number = DQ.bad): number {
  const n = frame.width * frame.height;
  if (bpm.length !== n) throw new RangeError(`bad pixel mask has ${bpm.length} pixels, frame has ${n}`);
  const dq = (frame.dq ??= takeZeroed(Uint16Array, n));
  const asBits = bpm instanceof Uint16Array;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const m = bpm[i];
    if (m !== 0) {
      dq[i] |= asBits ? m : bit;
      k++;
    }
  }
  return k;
}
