import { describe, expect, it } from 'vitest';
import { combine, type CombineInput, type RejectMethod } from './combine';
import { medianNetwork, sortColumns, sortColumnsWithIndex, sortingNetwork } from './combine-network';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}

describe('sorting networks', () => {
  it('sort every 0/1 input for n up to 14 (so, by the 0-1 principle, every input)', () => {
    for (let n = 1; n <= 14; n++) {
      const net = sortingNetwork(n);
      const med = medianNetwork(n);
      const B = 1 << n;
      const buf = new Float64Array(n * B), bm = new Float64Array(n * B);
      for (let q = 0; q < B; q++) for (let k = 0; k < n; k++) buf[k * B + q] = bm[k * B + q] = (q >> k) & 1;
      sortColumns(buf, B, B, net);
      sortColumns(bm, B, B, med);
      let bad = 0;
      for (let q = 0; q < B; q++) {
        let ones = 0;
        for (let k = 0; k < n; k++) ones += (q >> k) & 1;
        for (let k = 0; k < n; k++) if (buf[k * B + q] !== (k >= n - ones ? 1 : 0)) bad++;
        const mid = n >> 1;
        if (bm[mid * B + q] !== (mid >= n - ones ? 1 : 0)) bad++;
        if ((n & 1) === 0 && bm[(mid - 1) * B + q] !== (mid - 1 >= n - ones ? 1 : 0)) bad++;
      }
      expect(bad, `n=${n}`).toBe(0);
      expect(med.length).toBeLessThanOrEqual(net.length);
    }
  });

  it('carries frame indices along with the values', () => {
    const r = lcg(1);
    const n = 23, B = 50;
    const buf = new Float64Array(n * B), ix = new Float64Array(n * B), orig = new Float64Array(n * B);
    for (let k = 0; k < n; k++) for (let q = 0; q < B; q++) { orig[k * B + q] = buf[k * B + q] = Math.round(r() * 10); ix[k * B + q] = k; }
    sortColumnsWithIndex(buf, ix, B, B, sortingNetwork(n));
    for (let q = 0; q < B; q++) {
      const seen = new Set<number>();
      for (let k = 0; k < n; k++) {
        if (k > 0) expect(buf[k * B + q]).toBeGreaterThanOrEqual(buf[(k - 1) * B + q]);
        const f = ix[k * B + q];
        seen.add(f);
        expect(orig[f * B + q]).toBe(buf[k * B + q]);
      }
      expect(seen.size).toBe(n);
    }
  });
});

describe('combine through the networks', () => {
  /** Reference for one pixel: plain JS sort, then the same rules as combine.ts. */
  function refPixel(vals: number[], vars: number[], reject: RejectMethod, method: 'mean' | 'median'): { sci: number; var: number } {
    const order = vals.map((_, i) => i).sort((a, b) => vals[a] - vals[b] || a - b);
    let lo = 0, hi = order.length;
    if (reject === 'minmax') { lo = 1; hi -= 2; }
    const used = order.slice(lo, hi);
    const k = used.length;
    const sv = used.map((i) => vals[i]);
    const sumVar = used.reduce((a, i) => a + vars[i], 0);
    const sci = method === 'mean' ? sv.reduce((a, b) => a + b, 0) / k : k & 1 ? sv[k >> 1] : (sv[k / 2 - 1] + sv[k / 2]) / 2;
    return { sci, var: (method === 'median' && k > 2 ? Math.PI / 2 : 1) * sumVar / (k * k) };
  }

  it('every stack size up to 64 agrees with a plain sort, ties included, with and without VAR', () => {
    const r = lcg(9);
    const npx = 40;
    for (let N = 4; N <= 64; N += N < 20 ? 1 : 7) {
      const inputs: CombineInput[] = [];
      for (let k = 0; k < N; k++) {
        // integers in a narrow range: many ties, as raw ADU stacks have
        const sci = Float32Array.from({ length: npx }, () => Math.round(100 + r() * 6));
        const v = Float32Array.from({ length: npx }, () => 1 + Math.round(r() * 9));
        inputs.push({ sci, var: v });
      }
      for (const reject of ['none', 'minmax'] as RejectMethod[]) {
        for (const method of ['mean', 'median'] as const) {
          const res = combine(inputs, { method, reject, nlow: 1, nhigh: 2 });
          for (let p = 0; p < npx; p++) {
            const e = refPixel(inputs.map((f) => f.sci[p]), inputs.map((f) => f.var![p]), reject, method);
            expect(res.sci[p], `N=${N} ${method}/${reject} p=${p}`).toBeCloseTo(e.sci, 4);
            expect(res.var[p]).toBeCloseTo(e.var, 5);
          }
        }
      }
    }
  });

  it('gives exact answers when values span more than 2^28 (network min/max inexact)', () => {
    // 1e-9 next to 3e10: x + y loses the small value in float64 arithmetic min/max.
    const vals = [3e10, 1e-9, 2e-9, 5, 3e10 + 2048, 7, 1e-9];
    const vars = [1, 2, 3, 4, 5, 6, 7];
    const inputs = vals.map((x, i) => ({ sci: new Float32Array([x, x]), var: new Float32Array([vars[i], vars[i]]) }));
    const f32 = vals.map((x) => Math.fround(x));
    const med = combine(inputs, { method: 'median' });
    expect(med.sci[0]).toBe(Math.fround(5));
    const mm = combine(inputs, { method: 'mean', reject: 'minmax', nlow: 1, nhigh: 1 });
    // drops one 1e-9 (the first frame with it) and 3e10+2048
    const used = [0, 2, 3, 5, 6];
    expect(mm.sci[0]).toBeCloseTo(Math.fround(used.reduce((a, i) => a + f32[i], 0) / 5), -3);
    expect(mm.var[0]).toBeCloseTo(used.reduce((a, i) => a + vars[i], 0) / 25, 6);
  });
});
