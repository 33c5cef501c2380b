/**
 * Small image filters shared by the cosmic-ray, background and source kernels:
 * the exact 5x5 median (median5Filter over a whole image, median5Sampler at
 * single pixels) and a cheap lower bound of it (median5Floor).
 *
 * Exact medians without branches
 * ------------------------------
 * On noisy data a comparison network is dominated by mispredicted branches:
 * every "if (a > b) swap" is a coin toss. Here every compare-exchange is
 * arithmetic on integer keys.
 *
 * Keys. A float32 value's bits read as an int32, with the magnitude bits
 * flipped when the sign bit is set, give an integer key that sorts exactly as
 * the value does (-0 just below +0); the map is its own inverse. Keys are
 * integers below 2^31 in magnitude, so in double precision
 *     min(a, b) = (a + b - |a - b|) / 2,   max(a, b) = (a + b + |a - b|) / 2
 * are exact and no branch depends on the data (V8 compiles Math.min/max and
 * `a < b ? a : b` to branches). The result is always one of the input values,
 * bit for bit. NaN is given the largest key: it counts as larger than every
 * number, and comes out (as NaN) only where it is the median.
 *
 * Network. Columns first: each 5-pixel column of the current output row is
 * sorted once (9 compare-exchanges) and serves the five windows that contain
 * it. Output pixels are then taken in pairs, x and x+1, whose windows share
 * the four columns x-1 .. x+2:
 *   1. the sorted columns x-1, x and x+1, x+2 are merged into two sorted lists
 *      of 10 (Batcher's odd-even merge, 13 compare-exchanges; each merged
 *      pair of columns serves the output pairs on either side of it, so one
 *      merge per output pair);
 *   2. the 13th smallest of a window of 25 is at rank 13 - j of the 20 shared
 *      values when j values of the window's own column lie below it, so only
 *      ranks 8..13 of the 20 matter: Batcher's merge of the two lists of 10
 *      without the comparators that do not lead to those six outputs (36
 *      min/max);
 *   3. the k-th smallest of two sorted lists s and e is
 *      min over i + j = k of max(s_i, e_j) (with e_0 = -inf); with those six
 *      ranks T0..T5 and the window's own sorted column e0..e4,
 *      median = min(T5, max(T4, e0), max(T3, e1), max(T2, e2), max(T1, e3), max(T0, e4)).
 * About 60 min/max per pixel in all (a plain 25-input median network takes
 * 99 compare-exchanges); in V8 about 8x faster than sorting columns with
 * branches and finishing with quickselect, as this filter did before.
 * convolve.test proves the composition on every binary 5x5 window (enough for
 * a min/max network, by the 0-1 principle) and compares it with a sort on
 * random, tied and special values.
 */

const SIGN_OFF = 0x7fffffff;
const EXP_ALL = 0x7f800000;

/** Order-preserving key of a float32 bit pattern; NaN (any sign) gets the largest key. */
function keyOf(bits: number): number {
  return (bits & SIGN_OFF) > EXP_ALL ? SIGN_OFF : bits ^ ((bits >> 31) & SIGN_OFF);
}

/** Float32 bit pattern of a key (the key map is its own inverse). */
function bitsOf(key: number): number {
  const k = key | 0;
  return k ^ ((k >> 31) & SIGN_OFF);
}

/*
 * The stages below spell out every compare-exchange of keys a, b as
 *     s = a + b; t = Math.abs(a - b); a = (s - t) * 0.5; b = (s + t) * 0.5;
 * and a lone min or max as (a + b -/+ Math.abs(a - b)) * 0.5: as helper
 * functions they would exceed V8's inlining budget, and a call per
 * comparison costs more than the comparison. Each stage is one loop over a
 * row, so V8 optimises each on its own, early.
 */

/** Sorts the 5-pixel column at every x of the key rows r0..r4 into cols[5x..5x+4] (9 compare-exchanges). */
function sortColumns(r0: Float64Array, r1: Float64Array, r2: Float64Array, r3: Float64Array, r4: Float64Array, w: number, cols: Float64Array): void {
  for (let x = 0; x < w; x++) {
    let a = r0[x], b = r1[x], c = r2[x], d = r3[x], e = r4[x], s: number, t: number;
    s = a + b; t = Math.abs(a - b); a = (s - t) * 0.5; b = (s + t) * 0.5;
    s = d + e; t = Math.abs(d - e); d = (s - t) * 0.5; e = (s + t) * 0.5;
    s = c + e; t = Math.abs(c - e); c = (s - t) * 0.5; e = (s + t) * 0.5;
    s = c + d; t = Math.abs(c - d); c = (s - t) * 0.5; d = (s + t) * 0.5;
    s = a + d; t = Math.abs(a - d); a = (s - t) * 0.5; d = (s + t) * 0.5;
    s = a + c; t = Math.abs(a - c); a = (s - t) * 0.5; c = (s + t) * 0.5;
    s = b + e; t = Math.abs(b - e); b = (s - t) * 0.5; e = (s + t) * 0.5;
    s = b + d; t = Math.abs(b - d); b = (s - t) * 0.5; d = (s + t) * 0.5;
    s = b + c; t = Math.abs(b - c); b = (s - t) * 0.5; c = (s + t) * 0.5;
    const o = 5 * x;
    cols[o] = a; cols[o + 1] = b; cols[o + 2] = c; cols[o + 3] = d; cols[o + 4] = e;
  }
}

/**
 * Merges the sorted columns j and j+1 into merged[10j..10j+9] for odd j:
 * Batcher's odd-even merge of two sorted 5-lists (13 compare-exchanges).
 */
function mergeColumnPairs(cols: Float64Array, w: number, merged: Float64Array): void {
  for (let j = 1; j + 1 < w; j += 2) {
    const p = 5 * j;
    let a0 = cols[p], a1 = cols[p + 1], a2 = cols[p + 2], a3 = cols[p + 3], a4 = cols[p + 4];
    let b0 = cols[p + 5], b1 = cols[p + 6], b2 = cols[p + 7], b3 = cols[p + 8], b4 = cols[p + 9];
    let s: number, t: number;
    // Merge the even positions (a0 a2 a4 | b0 b2 b4) ...
    s = a0 + b0; t = Math.abs(a0 - b0); a0 = (s - t) * 0.5; b0 = (s + t) * 0.5;
    s = a4 + b4; t = Math.abs(a4 - b4); a4 = (s - t) * 0.5; b4 = (s + t) * 0.5;
    s = b0 + a4; t = Math.abs(b0 - a4); b0 = (s - t) * 0.5; a4 = (s + t) * 0.5;
    s = a2 + b2; t = Math.abs(a2 - b2); a2 = (s - t) * 0.5; b2 = (s + t) * 0.5;
    s = b0 + a2; t = Math.abs(b0 - a2); b0 = (s - t) * 0.5; a2 = (s + t) * 0.5;
    s = a4 + b2; t = Math.abs(a4 - b2); a4 = (s - t) * 0.5; b2 = (s + t) * 0.5;
    // ... evens now a0 b0 a2 a4 b2 b4; the odd positions (a1 a3 | b1 b3) ...
    s = a1 + b1; t = Math.abs(a1 - b1); a1 = (s - t) * 0.5; b1 = (s + t) * 0.5;
    s = a3 + b3; t = Math.abs(a3 - b3); a3 = (s - t) * 0.5; b3 = (s + t) * 0.5;
    s = b1 + a3; t = Math.abs(b1 - a3); b1 = (s - t) * 0.5; a3 = (s + t) * 0.5;
    // ... odds now a1 b1 a3 b3; and interleave.
    s = b0 + a1; t = Math.abs(b0 - a1); b0 = (s - t) * 0.5; a1 = (s + t) * 0.5;
    s = a2 + b1; t = Math.abs(a2 - b1); a2 = (s - t) * 0.5; b1 = (s + t) * 0.5;
    s = a4 + a3; t = Math.abs(a4 - a3); a4 = (s - t) * 0.5; a3 = (s + t) * 0.5;
    s = b2 + b3; t = Math.abs(b2 - b3); b2 = (s - t) * 0.5; b3 = (s + t) * 0.5;
    const o = 10 * j;
    merged[o] = a0; merged[o + 1] = b0; merged[o + 2] = a1; merged[o + 3] = a2; merged[o + 4] = b1;
    merged[o + 5] = a4; merged[o + 6] = a3; merged[o + 7] = b2; merged[o + 8] = b3; merged[o + 9] = b4;
  }
}

/**
 * Medians of the windows x and x+1 for x = 2, 4, ... < w - 2, into outBits
 * (float32 bits) from offset orow: the windows share the merged lists at
 * 10(x-1) and 10(x+1); their own columns are x-2 and x+3.
 */
function medianPairs(cols: Float64Array, merged: Float64Array, w: number, outBits: Int32Array, orow: number): void {
  for (let x = 2; x < w - 2; x += 2) {
    const p = 10 * (x - 1), q = 10 * (x + 1);
    let s: number, t: number;
    // Ranks 8..13 of the 20 shared values: Batcher's merge of the two lists
    // of 10, without the comparators that do not lead to those ranks.
    // Positions 0 4 8 of each list:
    let a = merged[p], b = merged[q];
    const a1 = (a + b + Math.abs(a - b)) * 0.5; // max(L0, R0)
    a = merged[p + 8]; b = merged[q + 8];
    const b1 = (a + b - Math.abs(a - b)) * 0.5; // min(L8, R8)
    s = a1 + b1; t = Math.abs(a1 - b1);
    const a2 = (s - t) * 0.5, b2 = (s + t) * 0.5;
    a = merged[p + 4]; b = merged[q + 4]; s = a + b; t = Math.abs(a - b);
    const c0 = (s - t) * 0.5, c1 = (s + t) * 0.5;
    const x1 = (a2 + c0 + Math.abs(a2 - c0)) * 0.5, x2 = (b2 + c1 - Math.abs(b2 - c1)) * 0.5;
    // Positions 2 6:
    a = merged[p + 2]; b = merged[q + 2];
    const d0 = (a + b + Math.abs(a - b)) * 0.5;
    a = merged[p + 6]; b = merged[q + 6];
    const e0 = (a + b - Math.abs(a - b)) * 0.5;
    s = d0 + e0; t = Math.abs(d0 - e0);
    const d1 = (s - t) * 0.5, e1 = (s + t) * 0.5;
    // Even positions merged:
    const y2 = (x1 + d1 + Math.abs(x1 - d1)) * 0.5;
    s = x2 + e1; t = Math.abs(x2 - e1);
    const y3 = (s - t) * 0.5, y4 = (s + t) * 0.5;
    // Positions 1 5 9:
    a = merged[p + 1]; b = merged[q + 1];
    const f0 = (a + b + Math.abs(a - b)) * 0.5;
    a = merged[p + 9]; b = merged[q + 9];
    const g0 = (a + b - Math.abs(a - b)) * 0.5;
    s = f0 + g0; t = Math.abs(f0 - g0);
    const f1 = (s - t) * 0.5, g1 = (s + t) * 0.5;
    a = merged[p + 5]; b = merged[q + 5]; s = a + b; t = Math.abs(a - b);
    const h0 = (s - t) * 0.5, h1 = (s + t) * 0.5;
    const z1 = (f1 + h0 + Math.abs(f1 - h0)) * 0.5, z2 = (g1 + h1 - Math.abs(g1 - h1)) * 0.5;
    // Positions 3 7:
    a = merged[p + 3]; b = merged[q + 3];
    const i0 = (a + b + Math.abs(a - b)) * 0.5;
    a = merged[p + 7]; b = merged[q + 7];
    const j0 = (a + b - Math.abs(a - b)) * 0.5;
    s = i0 + j0; t = Math.abs(i0 - j0);
    const i1 = (s - t) * 0.5, j1 = (s + t) * 0.5;
    // Odd positions merged:
    s = z1 + i1; t = Math.abs(z1 - i1);
    const u1 = (s - t) * 0.5, u2 = (s + t) * 0.5;
    const u3 = (z2 + j1 - Math.abs(z2 - j1)) * 0.5;
    // Interleave: T0..T5 are ranks 8..13.
    s = y2 + u1; t = Math.abs(y2 - u1);
    const T0 = (s - t) * 0.5, T1 = (s + t) * 0.5;
    s = y3 + u2; t = Math.abs(y3 - u2);
    const T2 = (s - t) * 0.5, T3 = (s + t) * 0.5;
    s = y4 + u3; t = Math.abs(y4 - u3);
    const T4 = (s - t) * 0.5, T5 = (s + t) * 0.5;
    // Each window: min(T5, max(T4, e0), max(T3, e1), max(T2, e2), max(T1, e3), max(T0, e4)).
    for (let k = 0; k < 2; k++) {
      if (x + k >= w - 2) break;
      const e = k === 0 ? 5 * (x - 2) : 5 * (x + 3);
      let m = T5, v: number;
      a = cols[e]; v = (T4 + a + Math.abs(T4 - a)) * 0.5; m = (m + v - Math.abs(m - v)) * 0.5;
      a = cols[e + 1]; v = (T3 + a + Math.abs(T3 - a)) * 0.5; m = (m + v - Math.abs(m - v)) * 0.5;
      a = cols[e + 2]; v = (T2 + a + Math.abs(T2 - a)) * 0.5; m = (m + v - Math.abs(m - v)) * 0.5;
      a = cols[e + 3]; v = (T1 + a + Math.abs(T1 - a)) * 0.5; m = (m + v - Math.abs(m - v)) * 0.5;
      a = cols[e + 4]; v = (T0 + a + Math.abs(T0 - a)) * 0.5; m = (m + v - Math.abs(m - v)) * 0.5;
      outBits[orow + x + k] = bitsOf(m);
    }
  }
}

/**
 * Exact 5x5 median filter; the 2-px border is copied from the input (as
 * astroscrappy's medfilt5 does), and images under 5 px either way are copied
 * whole. NaN counts as larger than every number; -0 as just below +0.
 */
export function median5Filter(src: Float32Array, w: number, h: number, out: Float32Array): void {
  out.set(src);
  if (w < 5 || h < 5) return;
  const bits = new Int32Array(src.buffer, src.byteOffset, src.length);
  const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
  // Keys of the five input rows of the current output row, as a ring.
  const rows: Float64Array[] = [];
  for (let r = 0; r < 5; r++) rows.push(new Float64Array(w));
  const cols = new Float64Array(5 * w);
  const merged = new Float64Array(10 * w);
  for (let r = 0; r < 4; r++) toKeys(bits, r * w, w, rows[r]);
  for (let y = 2; y < h - 2; y++) {
    toKeys(bits, (y + 2) * w, w, rows[(y + 2) % 5]);
    sortColumns(rows[(y - 2) % 5], rows[(y - 1) % 5], rows[y % 5], rows[(y + 1) % 5], rows[(y + 2) % 5], w, cols);
    mergeColumnPairs(cols, w, merged);
    medianPairs(cols, merged, w, outBits, y * w);
  }
}

function toKeys(bits: Int32Array, o: number, w: number, dst: Float64Array): void {
  for (let x = 0; x < w; x++) dst[x] = keyOf(bits[o + x]);
}

/**
 * A lower bound of the 5x5 median at every pixel, for a fraction of its cost:
 * the least of the medians of the window's five columns. Each column has
 * three values at or above its median, so 15 of the 25 values are at or
 * above the least of them, and so is the 13th smallest. Where the window does
 * not fit the bound is the input value, which is what median5Filter returns
 * there. Exact keys as in median5Filter, so the bound is a pixel value.
 *
 * Two output rows y, y+1 are done together: their column windows share the
 * four pixels of rows y-1 .. y+2, whose 2nd and 3rd smallest c1 <= c2 take 8
 * min/max; the median of those four and a fifth value p is p clamped to
 * [c1, c2]. Along the row, windows x and x+1 share the minimum of four
 * column medians.
 */
export function median5Floor(src: Float32Array, w: number, h: number, out: Float32Array): void {
  out.set(src);
  if (w < 5 || h < 5) return;
  const bits = new Int32Array(src.buffer, src.byteOffset, src.length);
  const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
  const rows: Float64Array[] = [];
  for (let r = 0; r < 6; r++) rows.push(new Float64Array(w));
  const medA = new Float64Array(w), medB = new Float64Array(w);
  for (let r = 0; r < 4; r++) toKeys(bits, r * w, w, rows[r]);
  for (let y = 2; y < h - 2; y += 2) {
    const pair = y + 1 < h - 2;
    toKeys(bits, (y + 2) * w, w, rows[(y + 2) % 6]);
    if (pair) toKeys(bits, (y + 3) * w, w, rows[(y + 3) % 6]);
    columnMedianPairs(rows[(y - 2) % 6], rows[(y - 1) % 6], rows[y % 6], rows[(y + 1) % 6], rows[(y + 2) % 6], pair ? rows[(y + 3) % 6] : rows[(y - 2) % 6], w, medA, medB);
    minOf5Columns(medA, w, outBits, y * w);
    if (pair) minOf5Columns(medB, w, outBits, (y + 1) * w);
  }
}

/** Medians of the columns (p, c, d, e, f) into medA and (c, d, e, f, q) into medB, at every x. */
function columnMedianPairs(p: Float64Array, c: Float64Array, d: Float64Array, e: Float64Array, f: Float64Array, q: Float64Array, w: number, medA: Float64Array, medB: Float64Array): void {
  for (let x = 0; x < w; x++) {
    let a = c[x], b = d[x], g = e[x], k = f[x], s: number, t: number;
    s = a + b; t = Math.abs(a - b); a = (s - t) * 0.5; b = (s + t) * 0.5;
    s = g + k; t = Math.abs(g - k); g = (s - t) * 0.5; k = (s + t) * 0.5;
    const u = (a + g + Math.abs(a - g)) * 0.5; // max of the two smaller
    const v = (b + k - Math.abs(b - k)) * 0.5; // min of the two larger
    s = u + v; t = Math.abs(u - v);
    const c1 = (s - t) * 0.5, c2 = (s + t) * 0.5;
    let m = p[x];
    m = (m + c2 - Math.abs(m - c2)) * 0.5;
    medA[x] = (m + c1 + Math.abs(m - c1)) * 0.5;
    m = q[x];
    m = (m + c2 - Math.abs(m - c2)) * 0.5;
    medB[x] = (m + c1 + Math.abs(m - c1)) * 0.5;
  }
}

/** For x = 2 .. w-3: the least of med[x-2 .. x+2], as float32 bits into outBits from orow. */
function minOf5Columns(med: Float64Array, w: number, outBits: Int32Array, orow: number): void {
  for (let x = 2; x < w - 2; x += 2) {
    let a = med[x - 1], b = med[x];
    const m1 = (a + b - Math.abs(a - b)) * 0.5;
    a = med[x + 1]; b = med[x + 2];
    const m2 = (a + b - Math.abs(a - b)) * 0.5;
    const m4 = (m1 + m2 - Math.abs(m1 - m2)) * 0.5;
    a = med[x - 2];
    outBits[orow + x] = bitsOf((m4 + a - Math.abs(m4 - a)) * 0.5);
    if (x + 1 < w - 2) {
      a = med[x + 3];
      outBits[orow + x + 1] = bitsOf((m4 + a - Math.abs(m4 - a)) * 0.5);
    }
  }
}

/**
 * The 5x5 median of src at single pixels, as median5Filter computes it there
 * (the input value where the window does not fit), for filtering a few
 * scattered pixels: the same stages run on the 5x5 window alone. The
 * returned function reads src as it is when called.
 */
export function median5Sampler(src: Float32Array, w: number, h: number): (x: number, y: number) => number {
  const bits = new Int32Array(src.buffer, src.byteOffset, src.length);
  const r0 = new Float64Array(5), r1 = new Float64Array(5), r2 = new Float64Array(5), r3 = new Float64Array(5), r4 = new Float64Array(5);
  const cols = new Float64Array(25);
  const merged = new Float64Array(50);
  const one = new Float32Array(5);
  const oneBits = new Int32Array(one.buffer);
  return (x: number, y: number): number => {
    if (x < 2 || y < 2 || x >= w - 2 || y >= h - 2) return src[y * w + x];
    const o = (y - 2) * w + x - 2;
    for (let c = 0; c < 5; c++) {
      r0[c] = keyOf(bits[o + c]); r1[c] = keyOf(bits[o + w + c]); r2[c] = keyOf(bits[o + 2 * w + c]);
      r3[c] = keyOf(bits[o + 3 * w + c]); r4[c] = keyOf(bits[o + 4 * w + c]);
    }
    sortColumns(r0, r1, r2, r3, r4, 5, cols);
    mergeColumnPairs(cols, 5, merged);
    medianPairs(cols, merged, 5, oneBits, 0); // the one window of a 5-wide strip, at x = 2
    return one[2];
  };
}
