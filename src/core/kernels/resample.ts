/**
 * Sub-pixel shift of a frame by interpolation.
 *
 * Convention: shiftFrame(f, dx, dy) moves the content by (+dx, +dy):
 * out(x, y) = in(x - dx, y - dy). To align a frame whose stars sit at
 * ref + (dx, dy) (registration's offset), shift it by (-dx, -dy).
 *
 * A constant shift means every output pixel sees the same fractional
 * position, so the 1-D kernel weights are computed once per axis and applied
 * in two separable passes (rows, then columns). Weights are normalized to sum
 * to 1: a constant image stays constant and, away from the edges, total flux
 * is preserved (each input pixel's weights over the outputs also sum to 1).
 *
 * VAR: out = sum of w^2 * VAR (separable, squared weights), which is exact for
 * independent input pixels. DQ: OR over the input pixels with non-zero weight.
 * Output pixels whose non-zero-weight footprint leaves the input get
 * SCI = 0, VAR = 0 and DQ noData (16). Zero rather than NaN because NaN
 * poisons sums in later steps (combine, statistics); the DQ bit says the
 * value means nothing.
 */
import type { Frame } from './frame';
import { DQ } from './dq';
import { scratch, takeZeroedFrom, type Allocator } from './scratch';

export type ResampleKernel = 'bilinear' | 'bicubic' | 'lanczos3';

/** Keys' cubic convolution kernel with a = -0.5. */
function keys(t: number): number {
  const a = -0.5;
  const x = Math.abs(t);
  if (x < 1) return (a + 2) * x * x * x - (a + 3) * x * x + 1;
  if (x < 2) return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a;
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const p = Math.PI * x;
  return Math.sin(p) / p;
}

function lanczos3(t: number): number {
  return Math.abs(t) < 3 ? sinc(t) * sinc(t / 3) : 0;
}

export interface Taps {
  /** Offsets relative to the output pixel index: input index = out + offset[k]. */
  offset: Int32Array;
  weight: Float64Array;
}

/**
 * 1-D taps for sampling the input at position p - shift from output pixel p.
 * Taps with zero weight are dropped (an integer shift leaves a single tap of
 * weight 1), so they neither widen the no-data edge nor spread DQ bits.
 */
export function kernelTaps(kernel: ResampleKernel, shift: number): Taps {
  const base = Math.floor(-shift); // input index = p + base + k
  const frac = -shift - base; // in [0, 1)
  const support = kernel === 'bilinear' ? 1 : kernel === 'bicubic' ? 2 : 3;
  const fn = kernel === 'bilinear' ? (t: number) => Math.max(0, 1 - Math.abs(t)) : kernel === 'bicubic' ? keys : lanczos3;
  const offs: number[] = [], ws: number[] = [];
  for (let k = -support + 1; k <= support; k++) {
    const wgt = fn(k - frac);
    if (Math.abs(wgt) < 1e-12) continue;
    offs.push(base + k);
    ws.push(wgt);
  }
  const sum = ws.reduce((s, v) => s + v, 0);
  return { offset: Int32Array.from(offs), weight: Float64Array.from(ws.map((v) => v / sum)) };
}

/** Range [lo, hi] of output indices whose taps all fall inside [0, n). */
function validRange(t: Taps, n: number): [number, number] {
  let minOff = Infinity, maxOff = -Infinity;
  for (const o of t.offset) { minOff = Math.min(minOff, o); maxOff = Math.max(maxOff, o); }
  return [Math.max(0, -minOff), Math.min(n - 1, n - 1 - maxOff)];
}

/**
 * One 1-D pass: dst[p] = sum_k w[k] * src[p + off[k]] for p in rows y0..y1,
 * columns x0..x1. Six taps (lanczos3, the default) get a loop with the taps in
 * local variables, summed in the same order as the generic loop, so results
 * are bit-identical and about twice as fast.
 */
function pass(
  src: Float32Array | Float64Array, dst: Float32Array | Float64Array, w: number,
  off: Int32Array, wt: Float64Array, x0: number, x1: number, y0: number, y1: number,
): void {
  const n = off.length;
  if (n === 6) {
    const o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5];
    const w0 = wt[0], w1 = wt[1], w2 = wt[2], w3 = wt[3], w4 = wt[4], w5 = wt[5];
    for (let y = y0; y <= y1; y++) {
      const row = y * w;
      for (let p = row + x0, end = row + x1; p <= end; p++) {
        let s = w0 * src[p + o0];
        s += w1 * src[p + o1];
        s += w2 * src[p + o2];
        s += w3 * src[p + o3];
        s += w4 * src[p + o4];
        s += w5 * src[p + o5];
        dst[p] = s;
      }
    }
    return;
  }
  for (let y = y0; y <= y1; y++) {
    const row = y * w;
    for (let p = row + x0, end = row + x1; p <= end; p++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += wt[k] * src[p + off[k]];
      dst[p] = s;
    }
  }
}

/** Rows then columns, on the valid rectangle only. */
function separablePass(
  src: Float32Array, dst: Float32Array, tmp: Float64Array, w: number,
  ox: Int32Array, wx: Float64Array, oy: Int32Array, wy: Float64Array,
  x0: number, x1: number, y0: number, y1: number,
): void {
  const h = src.length / w;
  const rowOffsets = new Int32Array(oy.length);
  for (let k = 0; k < oy.length; k++) rowOffsets[k] = oy[k] * w;
  pass(src, tmp, w, ox, wx, x0, x1, 0, h - 1);
  pass(tmp, dst, w, rowOffsets, wy, x0, x1, y0, y1);
}

/** DQ of the output: the OR over the inputs with non-zero weight (rows, then columns). */
function orPass(src: Uint16Array, dst: Uint16Array, w: number, off: Int32Array, x0: number, x1: number, y0: number, y1: number): void {
  const n = off.length;
  if (n === 6) {
    const o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5];
    for (let y = y0; y <= y1; y++) {
      const row = y * w;
      for (let p = row + x0, end = row + x1; p <= end; p++) {
        dst[p] = src[p + o0] | src[p + o1] | src[p + o2] | src[p + o3] | src[p + o4] | src[p + o5];
      }
    }
    return;
  }
  for (let y = y0; y <= y1; y++) {
    const row = y * w;
    for (let p = row + x0, end = row + x1; p <= end; p++) {
      let b = 0;
      for (let k = 0; k < n; k++) b |= src[p + off[k]];
      dst[p] = b;
    }
  }
}

/** Planes and scratch from `alloc` (the scratch pool, or a streamed combine's carving of it). */
export function shiftFrame(frame: Frame, dx: number, dy: number, kernel: ResampleKernel = 'lanczos3', alloc: Allocator = scratch): Frame {
  const { width: w, height: h } = frame;
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) throw new Error('shiftFrame: shift must be finite');
  const tx = kernelTaps(kernel, dx), ty = kernelTaps(kernel, dy);
  const [x0, x1] = validRange(tx, w), [y0, y1] = validRange(ty, h);
  const n = w * h;
  // Outputs zeroed: outside the valid rectangle they stay 0 (a caller may give them back to the pool once done).
  const out: Frame = { width: w, height: h, sci: takeZeroedFrom(alloc, Float32Array, n) };
  const tmp = alloc.take(Float64Array, n); // scratch of both passes
  const sq = (a: Float64Array) => a.map((v) => v * v);

  separablePass(frame.sci, out.sci, tmp, w, tx.offset, tx.weight, ty.offset, ty.weight, x0, x1, y0, y1);
  if (frame.var) {
    out.var = takeZeroedFrom(alloc, Float32Array, n);
    separablePass(frame.var, out.var, tmp, w, tx.offset, sq(tx.weight), ty.offset, sq(ty.weight), x0, x1, y0, y1);
  }
  out.dq = takeZeroedFrom(alloc, Uint16Array, n);
  const dqOut = out.dq;
  if (frame.dq) {
    const tdq = alloc.take(Uint16Array, n);
    const rowOffsets = Int32Array.from(ty.offset, (o) => o * w);
    orPass(frame.dq, tdq, w, tx.offset, x0, x1, 0, h - 1);
    orPass(tdq, dqOut, w, rowOffsets, x0, x1, y0, y1);
    alloc.give(tdq);
  }
  alloc.give(tmp);
  // Everything outside the valid rectangle has no data (SCI and VAR are already 0 there).
  for (let y = 0; y < h; y++) {
    const row = y * w;
    if (y < y0 || y > y1) {
      dqOut.fill(DQ.noData, row, row + w);
    } else {
      dqOut.fill(DQ.noData, row, row + x0);
      dqOut.fill(DQ.noData, row + x1 + 1, row + w);
    }
  }
  return out;
}
