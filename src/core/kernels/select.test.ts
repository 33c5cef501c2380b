import { describe, expect, it } from 'vitest';
import { medianInPlace, selectKth } from './select';

describe('selection', () => {
  it('finds every order statistic of a shuffled array', () => {
    const n = 101;
    const base = Array.from({ length: n }, (_, i) => i * 1.5 - 20);
    for (let k = 0; k < n; k++) {
      const a = Float64Array.from(base).sort(() => 0);
      for (let i = n - 1; i > 0; i--) { const j = (i * 7919) % (i + 1); const t = a[i]; a[i] = a[j]; a[j] = t; }
      expect(selectKth(a, k)).toBe(base[k]);
    }
  });
  it('takes medians of odd, even, constant and sub-ranges', () => {
    expect(medianInPlace(new Float32Array([5, 1, 3]))).toBe(3);
    expect(medianInPlace(new Float32Array([4, 1, 3, 2]))).toBe(2.5);
    expect(medianInPlace(new Float32Array(1000).fill(7))).toBe(7);
    expect(medianInPlace(new Float64Array([99, 3, 1, 2, 99]), 3, 1)).toBe(2);
    expect(medianInPlace(new Float32Array(0))).toBeNaN();
  });
});
