/**
 * In-place selection (Hoare partition / quickselect with median-of-three).
 * Median without a full sort: O(n) on average. Every statistic and the
 * combine kernels use these so there is one well-tested implementation.
 */
export type NumArray = Float32Array | Float64Array | number[];

/** Rearranges a[lo..hi] so that a[k] holds the value it would have if sorted; returns it. NaN-free input expected. */
export function selectKth(a: NumArray, k: number, lo = 0, hi = a.length - 1): number {
  while (hi > lo) {
    // Median of three as pivot keeps sorted and constant inputs linear.
    const mid = (lo + hi) >>> 1;
    let x = a[lo], y = a[mid], z = a[hi];
    if (x > y) { const t = x; x = y; y = t; }
    if (y > z) { y = z; if (x > y) y = x; }
    const pivot = y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i]; a[i] = a[j]; a[j] = t;
        i++; j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** Median of a[lo..lo+n-1] (mean of the two middle values for even n), reordering that range. NaN for n = 0. */
export function medianInPlace(a: NumArray, n = a.length, lo = 0): number {
  if (n <= 0) return NaN;
  const hi = lo + n - 1;
  const k = lo + (n >> 1);
  const upper = selectKth(a, k, lo, hi);
  if (n & 1) return upper;
  // After selection every value left of k is <= a[k]: the lower middle is their max.
  let lower = -Infinity;
  for (let i = lo; i < k; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}
