/**
 * Branch-free sorting of many small columns at once, for combine.ts.
 *
 * Sorting the ~15 values of one pixel with insertion sort costs mostly
 * branch mispredictions (the values of a noisy stack come in random order).
 * Instead, a block of B pixels is laid out frame-major (buf[k*B + q] is frame
 * k of pixel q) and one fixed sorting network is applied to all B columns:
 * each comparator becomes a tight loop over q with no data-dependent branch,
 *   min = (x + y - |x - y|) / 2,  max = (x + y + |x - y|) / 2,
 * which is exact whenever x + y and x - y are (float32 values whose
 * magnitudes are within 2^28 of each other, i.e. every realistic pixel
 * stack); otherwise it is off by at most one float64 ulp of the larger value,
 * far below float32 output precision. The frame indices can be carried along
 * (to find each value's VAR) with the 0/1 swap flag, exact on small integers.
 */

const networks = new Map<number, Int32Array>();

/**
 * Batcher's odd-even merge sort network for n values, as flat (i, j) pairs
 * with i < j (min goes to i). Built for the next power of two and pruned:
 * padding values would be +Infinity at the end and every comparator touching
 * them is a no-op, so dropping those keeps the network correct for n.
 */
export function sortingNetwork(n: number): Int32Array {
  const cached = networks.get(n);
  if (cached) return cached;
  let size = 1;
  while (size < n) size *= 2;
  const pairs: number[] = [];
  const add = (i: number, j: number): void => { if (j < n) pairs.push(i, j); };
  const merge = (lo: number, len: number, r: number): void => {
    const step = r * 2;
    if (step < len) {
      merge(lo, len, step);
      merge(lo + r, len, step);
      for (let i = lo + r; i + r < lo + len; i += step) add(i, i + r);
    } else {
      add(lo, lo + r);
    }
  };
  const sort = (lo: number, len: number): void => {
    if (len > 1) {
      const h = len / 2;
      sort(lo, h);
      sort(lo + h, h);
      merge(lo, len, 1);
    }
  };
  sort(0, size);
  const net = Int32Array.from(pairs);
  networks.set(n, net);
  return net;
}

const medianNetworks = new Map<number, Int32Array>();

/**
 * The comparators of sortingNetwork(n) that decide the middle value(s)
 * (position n>>1, and n/2-1 when n is even): walking the network backward, a
 * comparator is kept when it touches a position that matters, which then
 * makes both its positions matter. About 1/6 fewer comparators; the other
 * positions are left only partly sorted.
 */
export function medianNetwork(n: number): Int32Array {
  const cached = medianNetworks.get(n);
  if (cached) return cached;
  const full = sortingNetwork(n);
  const need = new Uint8Array(n);
  need[n >> 1] = 1;
  if ((n & 1) === 0) need[(n >> 1) - 1] = 1;
  const keep: number[] = [];
  for (let c = full.length - 2; c >= 0; c -= 2) {
    const a = full[c], b = full[c + 1];
    if (need[a] || need[b]) { need[a] = 1; need[b] = 1; keep.push(b, a); }
  }
  const net = Int32Array.from(keep.reverse());
  medianNetworks.set(n, net);
  return net;
}

/** Sorts each of the nb columns buf[k*B + q] (k < the network's n) ascending. */
export function sortColumns(buf: Float64Array, B: number, nb: number, net: Int32Array): void {
  const L = net.length;
  for (let c = 0; c < L; c += 2) {
    const oa = net[c] * B, ob = net[c + 1] * B;
    for (let q = 0; q < nb; q++) {
      const x = buf[oa + q], y = buf[ob + q];
      const s = x + y, d = Math.abs(x - y);
      buf[oa + q] = (s - d) * 0.5;
      buf[ob + q] = (s + d) * 0.5;
    }
  }
}

/** As sortColumns, carrying ix (frame indices, laid out like buf) along with the values. */
export function sortColumnsWithIndex(buf: Float64Array, ix: Float64Array, B: number, nb: number, net: Int32Array): void {
  const L = net.length;
  for (let c = 0; c < L; c += 2) {
    const oa = net[c] * B, ob = net[c + 1] * B;
    for (let q = 0; q < nb; q++) {
      const x = buf[oa + q], y = buf[ob + q];
      const s = x + y, d = Math.abs(x - y);
      buf[oa + q] = (s - d) * 0.5;
      buf[ob + q] = (s + d) * 0.5;
      // Same decision as the min/max above: swap exactly when y < x.
      const sw = +(y < x);
      const ia = ix[oa + q], di = ix[ob + q] - ia;
      ix[oa + q] = ia + sw * di;
      ix[ob + q] -= sw * di;
    }
  }
}
