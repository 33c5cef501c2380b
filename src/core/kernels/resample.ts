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

/** Rows then columns, on the valid rectangle only; one monomorphic function so the engine keeps it fast. */
function separablePass(
  src: Float32Array, dst: Float32Array, tmp: Float64Array, w: number,
  ox: Int32Array, wx: Float64Array, oy: Int32Array, wy: Float64Array,
  x0: number, x1: number, y0: number, y1: number,
): void {
  const nx = ox.length, ny = oy.length;
  const rowOffsets = new Int32Array(ny);
  for (let k = 0; k < ny; k++) rowOffsets[k] = oy[k] * w;
  const h = src.length / w;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = x0; x <= x1; x++) {
      const p = row + x;
      let s = 0;
      for (let k = 0; k < nx; k++) s += wx[k] * src[p + ox[k]];
      tmp[p] = s;
    }
  }
  for (let y = y0; y <= y1; y++) {
    const row = y * w;
    for (let x = x0; x <= x1; x++) {
      const p = row + x;
      let s = 0;
      for (let k = 0; k < ny; k++) s += wy[k] * tmp[p + rowOffsets[k]];
      dst[p] = s;
    }
  }
}

export function shiftFrame(frame: Frame, dx: number, dy: number, kernel: ResampleKernel = 'lanczos3'): Frame {
  const { width: w, height: h } = frame;
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) throw new Error('shiftFrame: shift must be finite');
  const tx = kernelTaps(kernel, dx), ty = kernelTaps(kernel, dy);
  const [x0, x1] = validRange(tx, w), [y0, y1] = validRange(ty, h);
  const n = w * h;
  const out: Frame = { width: w, height: h, sci: new Float32Array(n) };
  const tmp = new Float64Array(n);
  const sq = (a: Float64Array) => a.map((v) => v * v);

  separablePass(frame.sci, out.sci, tmp, w, tx.offset, tx.weight, ty.offset, ty.weight, x0, x1, y0, y1);
  if (frame.var) {
    out.var = new Float32Array(n);
    separablePass(frame.var, out.var, tmp, w, tx.offset, sq(tx.weight), ty.offset, sq(ty.weight), x0, x1, y0, y1);
  }
  out.dq = new Uint16Array(n);
  const dqOut = out.dq;
  if (frame.dq) {
    const src = frame.dq;
    const tdq = new Uint16Array(n);
    for (let y = 0; y < h; y++) {
      for (let x = x0; x <= x1; x++) {
        const p = y * w + x;
        let b = 0;
        for (let k = 0; k < tx.offset.length; k++) b |= src[p + tx.offset[k]];
        tdq[p] = b;
      }
    }
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const p = y * w + x;
        let b = 0;
        for (let k = 0; k < ty.offset.length; k++) b |= tdq[p + ty.offset[k] * w];
        dqOut[p] = b;
      }
    }
  }
  // Everything outside the valid rectangle has no data (SCI and VAR are already 0 there).
  for (let y = 0; y < h; y++) {
    const inside = y >= y0 && y <= y1;
    for (let x = 0; x < w; x++) {
      if (!inside || x < x0 || x > x1) dqOut[y * w + x] = DQ.noData;
    }
  }
  return out;
}
