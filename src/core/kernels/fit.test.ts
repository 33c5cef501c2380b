import { describe, expect, it } from 'vitest';
import { choleskySolve, evaluateModel, evaluateModelArray, fitPolynomial, fitSpline, fitWithRejection } from './fit';

const xs = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

describe('fitPolynomial', () => {
  it('recovers a cubic exactly in both bases', () => {
    const x = xs(50);
    const y = x.map((v) => 3 - 0.2 * v + 0.01 * v * v - 1e-4 * v ** 3);
    for (const basis of ['chebyshev', 'legendre'] as const) {
      const m = fitPolynomial(x, y, { order: 3, basis });
      const f = evaluateModelArray(m, x);
      f.forEach((v, i) => expect(v).toBeCloseTo(y[i], 9));
      expect(evaluateModel(m, 60)).toBeCloseTo(3 - 12 + 36 - 21.6, 8); // extrapolation
    }
  });

  it('a high order on many points stays accurate (normalized basis)', () => {
    const x = xs(4096);
    // A degree-10 polynomial in the normalized coordinate: only rounding can spoil the fit.
    const y = x.map((v) => {
      const u = (2 * v - 4095) / 4095;
      return 500 + 10 * u ** 10 - 3 * u ** 7 + u;
    });
    const m = fitPolynomial(x, y, { order: 10 });
    const f = evaluateModelArray(m, x);
    let worst = 0;
    f.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - y[i]))));
    expect(worst).toBeLessThan(1e-8);
  });

  it('order 0 is the weighted mean; zero weights and NaN are ignored', () => {
    const m = fitPolynomial([0, 1, 2, 3], [1, 2, NaN, 100], { order: 0, weights: [1, 3, 1, 0] });
    expect(evaluateModel(m, 1)).toBeCloseTo(1.75, 12);
  });
});

describe('fitSpline', () => {
  it('reproduces a cubic exactly with any number of pieces', () => {
    const x = xs(40);
    const y = x.map((v) => 1 + 0.5 * v - 0.02 * v * v + 3e-4 * v ** 3);
    for (const pieces of [1, 3, 7]) {
      const m = fitSpline(x, y, { pieces });
      evaluateModelArray(m, x).forEach((v, i) => expect(v).toBeCloseTo(y[i], 8));
    }
  });

  it('follows a wiggle better with more pieces', () => {
    const x = xs(200);
    const y = x.map((v) => Math.sin(v / 10));
    const err = (p: number) => {
      const f = evaluateModelArray(fitSpline(x, y, { pieces: p }), x);
      return Math.max(...f.map((v, i) => Math.abs(v - y[i])));
    };
    expect(err(40)).toBeLessThan(3e-4);
    expect(err(2)).toBeGreaterThan(0.1);
  });

  it('a piece without data gets no garbage (singular system handled)', () => {
    const x = [0, 1, 2, 8, 9, 10];
    const y = [1, 1, 1, 1, 1, 1];
    const m = fitSpline(x, y, { pieces: 10 });
    for (const v of evaluateModelArray(m, x)) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('fitWithRejection', () => {
  it('rejects outliers on both sides and refits', () => {
    const x = xs(100);
    const y = x.map((v) => 10 + 0.1 * v + ((v * 37) % 7) * 0.01);
    y[20] += 50;
    y[70] -= 30;
    const plain = fitWithRejection(x, y, { function: 'poly', order: 1 });
    expect(plain.rejected.reduce((s, r) => s + r, 0)).toBe(0);
    const r = fitWithRejection(x, y, { function: 'poly', order: 1 }, { lsigma: 3, hsigma: 3, niter: 5 });
    expect(r.rejected[20]).toBe(1);
    expect(r.rejected[70]).toBe(1);
    expect(r.rejected.reduce((s, v) => s + v, 0)).toBe(2);
    expect(r.rms).toBeLessThan(0.05);
    expect(evaluateModel(r.model, 50)).toBeCloseTo(15.03, 1);
  });

  it('an asymmetric hsigma only rejects high points', () => {
    const x = xs(60);
    const y = x.map((v) => ((v * 13) % 5) - 2);
    y[10] = 40;
    y[11] = -40;
    const r = fitWithRejection(x, y, { function: 'poly', order: 0 }, { lsigma: 100, hsigma: 2, niter: 3 });
    expect(r.rejected[10]).toBe(1);
    expect(r.rejected[11]).toBe(0);
  });
});

describe('choleskySolve', () => {
  it('solves a small SPD system', () => {
    // [[4,2],[2,3]] c = [2, 1] -> c = [0.5, 0]
    const c = choleskySolve(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2);
    expect(c[0]).toBeCloseTo(0.5, 14);
    expect(c[1]).toBeCloseTo(0, 14);
  });
});
