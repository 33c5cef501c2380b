import { describe, expect, it } from 'vitest';
import { combine, combineRange, makeCombineResult, type CombineInput, type CombineMethod, type CombineOptions, type RejectMethod } from './combine';
import { DQ } from './dq';
import ref from './reference/combine.json';

const METHODS: CombineMethod[] = ['mean', 'median', 'wmean', 'sum'];
const REJECTS: RejectMethod[] = ['none', 'minmax', 'sigclip', 'madclip', 'winsorized', 'varclip'];

/** Deterministic pseudo-random numbers (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function stack(nFrames: number, n: number, f: (frame: number, p: number) => number, v?: (frame: number, p: number) => number): CombineInput[] {
  const out: CombineInput[] = [];
  for (let k = 0; k < nFrames; k++) {
    const sci = new Float32Array(n);
    for (let p = 0; p < n; p++) sci[p] = f(k, p);
    let vr: Float32Array | undefined;
    if (v) { vr = new Float32Array(n); for (let p = 0; p < n; p++) vr[p] = v(k, p); }
    out.push({ sci, var: vr });
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number | null>, rel: number, skip?: (p: number) => boolean): void {
  expect(actual.length).toBe(expected.length);
  let bad = 0, first = '';
  for (let p = 0; p < actual.length; p++) {
    if (skip?.(p)) continue;
    const e = expected[p] as number;
    const a = actual[p];
    if (!(Math.abs(a - e) <= rel * Math.max(Math.abs(e), 1e-30))) { if (!bad) first = `pixel ${p}: ${a} vs ${e}`; bad++; }
  }
  expect(bad, first).toBe(0);
}

describe('combine: every method and rejection', () => {
  it('combines a constant stack to the constant, VAR 0, nothing rejected', () => {
    for (const withVar of [false, true]) {
      const inputs = stack(7, 50, () => 123.25, withVar ? () => 4 : undefined);
      for (const method of METHODS) {
        if (method === 'wmean' && !withVar) continue;
        for (const reject of REJECTS) {
          const r = combine(inputs, { method, reject, maps: true, nlow: 1, nhigh: 2 });
          const expected = method === 'sum' ? 123.25 * r.nUsed![0] : 123.25;
          for (let p = 0; p < 50; p++) expect(r.sci[p], `${method}/${reject}`).toBe(expected);
          if (!withVar) for (let p = 0; p < 50; p++) expect(r.var[p]).toBe(0);
          expect(r.dq.every((d) => d === 0)).toBe(true);
          expect(r.rejectMap!.every((c) => c === (reject === 'minmax' ? 3 : 0))).toBe(true);
        }
      }
    }
  });

  it('ignores planted outliers with every rejection', () => {
    const r = lcg(7);
    const n = 200, N = 15;
    const inputs = stack(N, n, () => 1000 + gauss(r) * 10, () => 100);
    // one high and one low outlier in every pixel, in varying frames
    for (let p = 0; p < n; p++) {
      inputs[p % N].sci[p] = 60000;
      inputs[(p * 7 + 3) % N === p % N ? (p + 1) % N : (p * 7 + 3) % N].sci[p] = -5000;
    }
    for (const reject of ['minmax', 'sigclip', 'madclip', 'winsorized', 'varclip'] as RejectMethod[]) {
      const res = combine(inputs, { method: 'mean', reject, maps: true });
      for (let p = 0; p < n; p++) {
        expect(Math.abs(res.sci[p] - 1000), `${reject} pixel ${p}`).toBeLessThan(15);
        expect(res.rejectMap![p]).toBeGreaterThanOrEqual(2);
        expect(res.nUsed![p] + res.rejectMap![p]).toBe(N);
      }
    }
    // without rejection the mean is dragged far off
    const plain = combine(inputs, { method: 'mean' });
    expect(plain.sci[0]).toBeGreaterThan(3000);
  });

  it('minmax drops exactly nlow lowest and nhigh highest, and rejectMap counts them', () => {
    const inputs = stack(6, 1, (k) => [5, 1, 9, 3, 7, 100][k]);
    const r = combine(inputs, { method: 'mean', reject: 'minmax', nlow: 2, nhigh: 1, maps: true });
    expect(r.sci[0]).toBeCloseTo((5 + 9 + 7) / 3, 6);
    expect(r.rejectMap![0]).toBe(3);
    expect(r.nUsed![0]).toBe(3);
    const s = combine(inputs, { method: 'sum', reject: 'minmax', nlow: 0, nhigh: 1 });
    expect(s.sci[0]).toBe(25);
    expect(() => combine(inputs, { method: 'mean', reject: 'minmax', nlow: 3, nhigh: 3 })).toThrow(/reject all/);
  });

  it('median of odd and even stacks, mean and sum', () => {
    const odd = stack(5, 1, (k) => [4, 1, 3, 10, 2][k]);
    expect(combine(odd, { method: 'median' }).sci[0]).toBe(3);
    expect(combine(odd, { method: 'median', reject: 'minmax' }).sci[0]).toBe(3);
    const even = stack(4, 1, (k) => [4, 1, 3, 2][k]);
    expect(combine(even, { method: 'median' }).sci[0]).toBe(2.5);
    expect(combine(even, { method: 'mean' }).sci[0]).toBe(2.5);
    expect(combine(even, { method: 'sum' }).sci[0]).toBe(10);
  });

  it('sigclip iterates to convergence, maxIters 1 does one pass', () => {
    // A second, milder outlier only shows once the big one is gone.
    const vals = [10, 10.5, 9.5, 10.2, 9.8, 10.1, 9.9, 10.3, 9.7, 14, 1000];
    const inputs = stack(vals.length, 1, (k) => vals[k]);
    const once = combine(inputs, { method: 'mean', reject: 'sigclip', maxIters: 1, maps: true });
    const conv = combine(inputs, { method: 'mean', reject: 'sigclip', maps: true });
    expect(once.rejectMap![0]).toBe(1);
    expect(conv.rejectMap![0]).toBe(2);
    expect(conv.sci[0]).toBeCloseTo(10, 5);
  });

  it('winsorized and MAD clipping resist a heavy tail that fools plain sigma from the std', () => {
    // 4 of 12 values are far off: std-based sigma is inflated, robust sigmas are not.
    const vals = [100, 101, 99, 100.5, 99.5, 100.2, 99.8, 100, 130, 131, 129, 132];
    const inputs = stack(vals.length, 1, (k) => vals[k]);
    for (const reject of ['madclip', 'winsorized'] as RejectMethod[]) {
      const r = combine(inputs, { method: 'mean', reject, maps: true });
      expect(r.rejectMap![0], reject).toBe(4);
      expect(r.sci[0]).toBeCloseTo(100, 5);
    }
  });

  it('varclip rejects by each value\'s own VAR, even inside the sorted range', () => {
    // frame 2 sits only 3 away from the median but claims a tiny variance: rejected;
    // frame 4 is 30 away but claims a huge variance: kept.
    const vals = [100, 100, 103, 100, 130, 100, 100];
    const vars = [1, 1, 0.01, 1, 10000, 1, 1];
    const inputs = stack(vals.length, 1, (k) => vals[k], (k) => vars[k]);
    const r = combine(inputs, { method: 'mean', reject: 'varclip', maps: true });
    expect(r.rejectMap![0]).toBe(1);
    expect(r.sci[0]).toBeCloseTo((100 * 5 + 130) / 6, 4);
    expect(r.var[0]).toBeCloseTo((5 + 10000) / 36, 2);
    // Without VAR planes varclip falls back to sigclip.
    const nv = stack(vals.length, 1, (k) => vals[k]);
    const a = combine(nv, { method: 'mean', reject: 'varclip' });
    const b = combine(nv, { method: 'mean', reject: 'sigclip' });
    expect(a.sci[0]).toBe(b.sci[0]);
  });
});

describe('combine: variance', () => {
  const N = 9, n = 64, V = 4;
  const r = lcg(3);
  const withVar = stack(N, n, () => 500 + gauss(r), () => V);

  it('mean of n equal-variance frames has VAR V/n, sum n*V, median (pi/2) V/n', () => {
    const mean = combine(withVar, { method: 'mean' });
    const med = combine(withVar, { method: 'median' });
    const sum = combine(withVar, { method: 'sum' });
    for (let p = 0; p < n; p++) {
      expect(mean.var[p]).toBeCloseTo(V / N, 6);
      expect(med.var[p]).toBeCloseTo((Math.PI / 2) * V / N, 6);
      expect(sum.var[p]).toBeCloseTo(V * N, 5);
    }
  });

  it('VAR counts only the values used after rejection', () => {
    const res = combine(withVar, { method: 'mean', reject: 'minmax', nlow: 1, nhigh: 1 });
    for (let p = 0; p < n; p++) expect(res.var[p]).toBeCloseTo(V / (N - 2), 6);
  });

  it('weighted mean uses 1/VAR weights and VAR 1/sum(1/VAR)', () => {
    const inputs = stack(3, 1, (k) => [10, 20, 40][k], (k) => [1, 4, 4][k]);
    const w = combine(inputs, { method: 'wmean' });
    const sw = 1 + 0.25 + 0.25;
    expect(w.sci[0]).toBeCloseTo((10 + 5 + 10) / sw, 5);
    expect(w.var[0]).toBeCloseTo(1 / sw, 6);
    // equal variances: wmean == mean
    const eq = combine(withVar, { method: 'wmean' });
    const mean = combine(withVar, { method: 'mean' });
    for (let p = 0; p < n; p++) expect(eq.sci[p]).toBeCloseTo(mean.sci[p], 3);
    expect(() => combine(stack(3, 1, () => 1), { method: 'wmean' })).toThrow(/VAR/);
  });

  it('without VAR planes: VAR from the scatter, s^2/n (ddof 0), median times pi/2, n=1 gives 0', () => {
    const inputs = stack(4, 1, (k) => [1, 2, 3, 4][k]);
    const s2 = 1.25; // population variance of 1..4
    expect(combine(inputs, { method: 'mean' }).var[0]).toBeCloseTo(s2 / 4, 6);
    expect(combine(inputs, { method: 'sum' }).var[0]).toBeCloseTo(s2 * 4, 6);
    expect(combine(inputs, { method: 'median' }).var[0]).toBeCloseTo((Math.PI / 2) * s2 / 4, 6);
    const one = stack(1, 1, () => 7);
    expect(combine(one, { method: 'mean' }).var[0]).toBe(0);
    expect(combine(one, { method: 'median' }).sci[0]).toBe(7);
  });

  it('scale and zero apply before rejection, VAR scales by scale^2', () => {
    // Flats at different levels: scaled to one level they agree, so nothing is clipped.
    const levels = [1000, 2000, 4000, 500, 1500];
    const inputs = stack(5, 1, (k) => levels[k], (k) => levels[k]);
    const scale = levels.map((l) => 1 / l);
    const r = combine(inputs, { method: 'mean', reject: 'sigclip', scale, maps: true });
    expect(r.sci[0]).toBeCloseTo(1, 6);
    expect(r.rejectMap![0]).toBe(0);
    const expectedVar = levels.reduce((a, l) => a + l / (l * l), 0) / 25;
    expect(r.var[0]).toBeCloseTo(expectedVar, 8);
    const z = combine(stack(2, 1, (k) => [1, 3][k]), { method: 'mean', zero: [10, 20], scale: [2, 1] });
    expect(z.sci[0]).toBe((1 * 2 + 10 + 3 + 20) / 2);
  });
});

describe('combine: masks and DQ', () => {
  it('honours dqMask, propagates unmasked bits, and handles all-masked pixels as DRAGONS', () => {
    const inputs = stack(4, 3, (k) => [10, 20, 30, 1000][k]);
    const dq = [new Uint16Array(3), new Uint16Array(3), new Uint16Array(3), new Uint16Array(3)];
    // pixel 0: frame 3 is a cosmic ray -> excluded
    dq[3][0] = DQ.cosmicRay;
    // pixel 1: every frame flagged -> combined anyway, output flagged with the OR
    dq[0][1] = DQ.bad; dq[1][1] = DQ.saturated; dq[2][1] = DQ.bad; dq[3][1] = DQ.bad;
    // pixel 2: frame 3 non-linear, but only 'bad' is masked -> used, bit propagates
    dq[3][2] = DQ.nonLinear;
    inputs.forEach((f, k) => (f.dq = dq[k]));
    const r = combine(inputs, { method: 'mean', maps: true });
    expect(r.sci[0]).toBe(20);
    expect(r.dq[0]).toBe(0);
    expect(r.nUsed![0]).toBe(3);
    expect(r.rejectMap![0]).toBe(0);
    expect(r.sci[1]).toBe(265);
    expect(r.dq[1]).toBe(DQ.bad | DQ.saturated);
    expect(r.nUsed![1]).toBe(4);
    const partial = combine(inputs, { method: 'mean', dqMask: DQ.bad | DQ.cosmicRay });
    expect(partial.sci[2]).toBe(265);
    expect(partial.dq[2]).toBe(DQ.nonLinear);
    // the same through the sorted-block path (median) and the one-by-one path (pixel 0)
    const med = combine(inputs, { method: 'median', dqMask: DQ.bad | DQ.cosmicRay, maps: true });
    expect(med.dq[2]).toBe(DQ.nonLinear);
    expect(med.sci[2]).toBe(25);
    expect(med.sci[0]).toBe(20);
    expect(med.nUsed![0]).toBe(3);
    // pixel 1 under this mask: only the saturated frame is usable
    expect(med.sci[1]).toBe(20);
    expect(med.dq[1]).toBe(DQ.saturated);
    expect(combine(inputs, { method: 'mean' }).sci[2]).toBe(20);
  });

  it('output DQ is the OR over the values combined, not over values rejection removed', () => {
    // 15 frames near 100; frame 6 (99.9, near the median) is non-linear and
    // survives every rejection. Pixels 0/1: frame 3 is a saturated high
    // outlier; pixels 2/3: frame 0 a bad low outlier. Pixels 1 and 3 also have
    // a NaN in frame 5, which sends them down the one-by-one path (0 and 2 go
    // through the sorted blocks). dqMask 0: flags do not exclude anything.
    const base = [100, 100.5, 99.5, 100.2, 99.8, 100.1, 99.9, 100.3, 99.7, 100.4, 99.6, 100, 100.2, 99.8, 100.1];
    const N = base.length;
    const make = (withVar: boolean): CombineInput[] => {
      const inputs = stack(N, 4, (k, p) => {
        if (k === 5 && (p === 1 || p === 3)) return NaN;
        if (k === 3 && p < 2) return 10000;
        if (k === 0 && p >= 2) return -9000;
        return base[k];
      }, withVar ? () => 1 : undefined);
      inputs.forEach((f, k) => {
        f.dq = new Uint16Array(4);
        if (k === 6) f.dq.fill(DQ.nonLinear);
        if (k === 3) f.dq[0] = f.dq[1] = DQ.saturated;
        if (k === 0) f.dq[2] = f.dq[3] = DQ.bad;
      });
      return inputs;
    };
    for (const withVar of [false, true]) {
      const inputs = make(withVar);
      for (const method of METHODS) {
        if (method === 'wmean' && !withVar) continue;
        for (const reject of ['minmax', 'sigclip', 'madclip', 'winsorized', 'varclip'] as RejectMethod[]) {
          // nlow/nhigh 2: with one value masked IRAF's scaling makes that 1 each.
          const r = combine(inputs, { method, reject, dqMask: 0, nlow: 2, nhigh: 2, maps: true });
          for (let p = 0; p < 4; p++) {
            const what = `${method}/${reject}/${withVar ? 'var' : 'novar'} pixel ${p}`;
            expect(r.dq[p], what).toBe(DQ.nonLinear);
            const mean = method === 'sum' ? r.sci[p] / r.nUsed![p] : r.sci[p];
            expect(Math.abs(mean - 100), what).toBeLessThan(0.5);
          }
        }
      }
    }
  });

  it('output DQ of varclip (which rejects inside the sorted range) and of large stacks', () => {
    // Frame 2 is rejected from the middle of the sorted values; frame 4 is kept.
    const vals = [100, 100, 103, 100, 130, 100, 100, NaN];
    const vars = [1, 1, 0.01, 1, 10000, 1, 1, 1];
    const dqs = [0, 0, DQ.saturated, 0, DQ.nonLinear, 0, 0, 0];
    for (const nFrames of [7, 8]) { // 7: sorted blocks, 8: the NaN frame forces one by one
      const inputs = stack(nFrames, 1, (k) => vals[k], (k) => vars[k]);
      inputs.forEach((f, k) => (f.dq = Uint16Array.of(dqs[k])));
      for (const method of ['mean', 'wmean', 'median'] as CombineMethod[]) {
        const r = combine(inputs, { method, reject: 'varclip', dqMask: 0, maps: true });
        expect(r.rejectMap![0]).toBe(1);
        expect(r.dq[0], `${nFrames} ${method}`).toBe(DQ.nonLinear);
      }
    }
    // 70 frames: one by one with Shell sort.
    const r = lcg(19);
    const big = stack(70, 1, () => 100 + gauss(r), () => 1);
    big.forEach((f) => (f.dq = new Uint16Array(1)));
    big[10].sci[0] = 5000; big[10].dq![0] = DQ.saturated;
    big[20].sci[0] = 100; big[20].dq![0] = DQ.nonLinear;
    for (const reject of ['sigclip', 'varclip', 'minmax'] as RejectMethod[]) {
      const res = combine(big, { method: 'median', reject, dqMask: 0, nlow: 0, nhigh: 1, maps: true });
      expect(res.rejectMap![0], reject).toBeGreaterThanOrEqual(1);
      expect(res.dq[0], reject).toBe(DQ.nonLinear);
    }
  });

  it('output DQ of a pixel the block path hands back (values too far apart to match)', () => {
    // 1e-25 next to ~1 is not exact through the network's min/max, so the
    // rejected tiny value cannot be matched to its frame: the pixel is redone
    // one by one, which must still drop the rejected values' flags.
    const vals = [1, 1.01, 0.99, 1.02, 0.98, 1.03, 0.97, 1.0, 1.01, 0.99, 1e-25, 3e9];
    const dqs = [0, 0, 0, DQ.nonLinear, 0, 0, 0, 0, 0, 0, DQ.bad, DQ.saturated];
    for (const withVar of [false, true]) {
      const inputs = stack(vals.length, 1, (k) => vals[k], withVar ? () => 1e-4 : undefined);
      inputs.forEach((f, k) => (f.dq = Uint16Array.of(dqs[k])));
      const r = combine(inputs, { method: 'mean', reject: 'sigclip', dqMask: 0, maps: true });
      expect(r.rejectMap![0]).toBe(2);
      expect(r.dq[0]).toBe(DQ.nonLinear);
      expect(r.sci[0]).toBeCloseTo(1, 5);
      if (withVar) expect(r.var[0]).toBeCloseTo(1e-4 / 10, 9);
    }
  });

  it('output DQ agrees between the sorted-block and the one-by-one paths on random flags', () => {
    // The same stack plus one all-NaN frame: the NaN changes no value (it is
    // excluded) but sends every pixel one by one, so VAR, DQ and sci must match.
    const r = lcg(23);
    const N = 12, n = 300;
    const inputs = stack(N, n, () => 1000 + gauss(r) * 5, () => 20 + 10 * r());
    for (const f of inputs) {
      f.dq = new Uint16Array(n);
      // any bit but cosmicRay, which marks the planted outliers below
      for (let p = 0; p < n; p++) if (r() < 0.3) f.dq[p] = [1, 2, 4, 16, 32, 64][Math.floor(r() * 6)];
    }
    for (let p = 0; p < n; p++) {
      inputs[p % N].sci[p] = 1000 + (r() < 0.5 ? -1 : 1) * (200 + 1000 * r());
      inputs[p % N].dq![p] |= DQ.cosmicRay;
    }
    const withNan = [...inputs, { sci: new Float32Array(n).fill(NaN), var: new Float32Array(n), dq: new Uint16Array(n) }];
    let dropped = 0;
    for (const method of METHODS) {
      for (const reject of ['sigclip', 'madclip', 'winsorized', 'varclip'] as RejectMethod[]) {
        const opts: CombineOptions = { method, reject, dqMask: 0, maps: true };
        const a = combine(inputs, opts), b = combine(withNan, opts);
        expect(b.sci, `${method}/${reject}`).toEqual(a.sci);
        expect(b.var, `${method}/${reject}`).toEqual(a.var);
        expect(b.dq, `${method}/${reject}`).toEqual(a.dq);
        for (let p = 0; p < n; p++) if ((a.dq[p] & DQ.cosmicRay) === 0) dropped++;
      }
    }
    // the planted outliers were rejected, and their flag with them
    expect(dropped).toBeGreaterThan(METHODS.length * 4 * n * 0.9);
  });

  it('every input masked: fill values (noData, unilluminated) are never combined', () => {
    // pixel 0: a noData zero and a cosmic-ray-flagged 5000 -> the 5000, flagged.
    // pixel 1: only fill values -> 0, VAR 0, noData plus the inputs' bits.
    // pixel 2: a bad 10 and a (noData | bad) zero -> the 10.
    // pixel 3: unmasked values as usual.
    const a = [0, 0, 0, 10], b = [5000, 0, 10, 20];
    const aDq = [DQ.noData, DQ.unilluminated, DQ.noData | DQ.bad, 0];
    const bDq = [DQ.cosmicRay, DQ.noData, DQ.bad, 0];
    for (const withVar of [false, true]) {
      const inputs: CombineInput[] = [
        { sci: Float32Array.from(a), dq: Uint16Array.from(aDq), var: withVar ? new Float32Array(4).fill(3) : undefined },
        { sci: Float32Array.from(b), dq: Uint16Array.from(bDq), var: withVar ? new Float32Array(4).fill(7) : undefined },
      ];
      for (const method of ['mean', 'median', 'sum'] as CombineMethod[]) {
        for (const reject of ['none', 'sigclip'] as RejectMethod[]) {
          const what = `${method}/${reject}/${withVar}`;
          const r = combine(inputs, { method, reject, maps: true });
          expect(r.sci[0], what).toBe(5000);
          expect(r.var[0], what).toBe(withVar ? 7 : 0);
          expect(r.dq[0], what).toBe(DQ.cosmicRay);
          expect(r.nUsed![0]).toBe(1);
          expect(r.sci[1], what).toBe(0);
          expect(r.var[1], what).toBe(0);
          expect(r.dq[1], what).toBe(DQ.noData | DQ.unilluminated);
          expect(r.nUsed![1]).toBe(0);
          expect(r.sci[2], what).toBe(10);
          expect(r.dq[2], what).toBe(DQ.bad);
          expect(r.sci[3], what).toBe(method === 'sum' ? 30 : 15);
          expect(r.dq[3], what).toBe(0);
        }
      }
    }
  });

  it('skips NaN values; a pixel with no finite value gets noData', () => {
    const inputs = stack(3, 2, (k, p) => (p === 1 ? NaN : k === 0 ? NaN : k));
    const r = combine(inputs, { method: 'median', maps: true });
    expect(r.sci[0]).toBe(1.5);
    expect(r.nUsed![0]).toBe(2);
    expect(r.sci[1]).toBe(0);
    expect(r.dq[1]).toBe(DQ.noData);
  });

  it('drops values that overflow float32 once scaled, and refuses non-finite scales', () => {
    const inputs = stack(5, 300, (k) => [1e38, 2, 3, 4, 5][k]);
    const r = combine(inputs, { method: 'median', scale: [10, 1, 1, 1, 1], maps: true });
    expect(r.sci[0]).toBe(3.5);
    expect(r.nUsed![299]).toBe(4);
    expect(() => combine(inputs, { method: 'mean', scale: [1, 1, NaN, 1, 1] })).toThrow(/finite/);
  });

  it('thresholds drop raw values outside [lthreshold, hthreshold]', () => {
    const inputs = stack(4, 1, (k) => [5, 10, 12, 50000][k]);
    expect(combine(inputs, { method: 'mean', lthreshold: 6, hthreshold: 40000 }).sci[0]).toBe(11);
  });

  it('rejects bad inputs with clear errors', () => {
    expect(() => combine([], { method: 'mean' })).toThrow(/no inputs/);
    expect(() => combine([{ sci: new Float32Array(2) }, { sci: new Float32Array(3) }], { method: 'mean' })).toThrow(/pixels/);
    expect(() => combine([{ sci: new Float32Array(2), var: new Float32Array(2) }, { sci: new Float32Array(2) }], { method: 'mean' })).toThrow(/VAR/);
    expect(() => combine(stack(2, 1, () => 1), { method: 'mean', scale: [1] })).toThrow(/scales/);
  });
});

describe('combine: large stacks and ranges', () => {
  it('Shell-sort path (many frames) agrees with the insertion-sort path', () => {
    const r = lcg(11);
    const N = 70, n = 40;
    const inputs = stack(N, n, () => 10 + gauss(r), () => 1);
    for (let p = 0; p < n; p++) inputs[(p * 13) % N].sci[p] = 500;
    for (const reject of ['minmax', 'sigclip', 'madclip', 'winsorized', 'varclip'] as RejectMethod[]) {
      const big = combine(inputs, { method: 'median', reject, maps: true });
      // reference: same pixels, values pre-sorted so every path sees one order
      for (let p = 0; p < n; p++) {
        const col = inputs.map((f) => f.sci[p]).sort((a, b) => a - b);
        const sorted = col.map((x) => ({ sci: new Float32Array([x]), var: new Float32Array([1]) }));
        const one = combine(sorted, { method: 'median', reject, maps: true });
        expect(big.sci[p]).toBe(one.sci[0]);
        expect(big.rejectMap![p]).toBe(one.rejectMap![0]);
      }
      expect(big.rejectMap!.every((c) => c >= 1)).toBe(true);
    }
  });

  it('combineRange fills only its range and equals the whole-slab result', () => {
    const r = lcg(5);
    const inputs = stack(6, 30, () => gauss(r));
    const opts: CombineOptions = { method: 'mean', reject: 'sigclip', maps: true };
    const whole = combine(inputs, opts);
    const out = makeCombineResult(30, true);
    combineRange(inputs, opts, out, 0, 12);
    combineRange(inputs, opts, out, 12, 30);
    expect(out.sci).toEqual(whole.sci);
    expect(out.var).toEqual(whole.var);
    expect(out.rejectMap).toEqual(whole.rejectMap);
  });
});

describe('combine: per-frame weights (method mean)', () => {
  /** One float32 ulp, relative: the accuracy of a float32 output. */
  const F32 = 2 ** -23;

  /**
   * Reference for one pixel: the weighted mean and VAR of the values `keep`
   * says survive, straight from the definitions in combine.ts.
   */
  function weightedRef(x: number[], a: number[], vr: number[] | null, keep: boolean[]): { sci: number; var: number } {
    let sa = 0, sax = 0, sa2 = 0, sa2v = 0;
    x.forEach((xi, i) => { if (keep[i]) { sa += a[i]; sax += a[i] * xi; sa2 += a[i] ** 2; if (vr) sa2v += a[i] ** 2 * vr[i]; } });
    const m = sax / sa;
    if (vr) return { sci: m, var: sa2v / sa ** 2 };
    let d2 = 0;
    x.forEach((xi, i) => { if (keep[i]) d2 += a[i] * (xi - m) ** 2; });
    return { sci: m, var: (d2 / sa) * sa2 / sa ** 2 };
  }

  /** A noisy stack with outliers, random DQ bits (some masked) and a few NaNs. */
  function messy(N: number, n: number, seed: number, withVar: boolean): CombineInput[] {
    const r = lcg(seed);
    const inputs = stack(N, n, () => 1000 + gauss(r) * 5, withVar ? () => 20 + 10 * r() : undefined);
    for (const f of inputs) {
      f.dq = new Uint16Array(n);
      for (let p = 0; p < n; p++) {
        const u = r();
        if (u < 0.03) f.dq[p] = DQ.bad; else if (u < 0.2) f.dq[p] = DQ.nonLinear;
        if (r() < 0.01) f.sci[p] = NaN;
      }
    }
    for (let p = 0; p < n; p++) inputs[p % N].sci[p] = 1000 + (r() < 0.5 ? -1 : 1) * (200 + 1000 * r());
    return inputs;
  }

  it('equal weights give the unweighted result: SCI bit for bit, VAR within float32 rounding', () => {
    // 12 frames: sorted blocks and (masked / NaN pixels) one by one; 70: Shell sort one by one.
    for (const N of [12, 70]) {
      for (const withVar of [false, true]) {
        const inputs = messy(N, 300, 29 + N, withVar);
        for (const reject of REJECTS) {
          const opts: CombineOptions = { method: 'mean', reject, dqMask: DQ.bad, nlow: 2, nhigh: 1, maps: true };
          const plain = combine(inputs, opts);
          for (const c of [1, 2.5, 0.1, 1e-300]) {
            const what = `${N} frames, ${withVar ? 'VAR' : 'no VAR'}, ${reject}, weights ${c}`;
            const w = combine(inputs, { ...opts, weights: new Array<number>(N).fill(c) });
            expect(w.sci, what).toEqual(plain.sci);
            expectClose(w.var, plain.var, F32);
            expect(w.dq, what).toEqual(plain.dq);
            expect(w.nUsed, what).toEqual(plain.nUsed);
            expect(w.rejectMap, what).toEqual(plain.rejectMap);
          }
        }
      }
    }
  });

  it('weighted mean and VAR of a small stack, with and without VAR planes', () => {
    const x = [10, 20, 40, 70], a = [1, 3, 0.5, 2], vr = [4, 1, 9, 2];
    const keep = [true, true, true, true];
    const withVar = combine(stack(4, 1, (k) => x[k], (k) => vr[k]), { method: 'mean', weights: a });
    const e = weightedRef(x, a, vr, keep);
    expect(withVar.sci[0]).toBeCloseTo((10 + 60 + 20 + 140) / 6.5, 5);
    expect(withVar.sci[0]).toBe(Math.fround(e.sci));
    expect(withVar.var[0]).toBe(Math.fround((4 + 9 + 0.25 * 9 + 4 * 2) / 6.5 ** 2));
    const noVar = combine(stack(4, 1, (k) => x[k]), { method: 'mean', weights: a });
    const e2 = weightedRef(x, a, null, keep);
    expect(noVar.sci[0]).toBe(Math.fround(e2.sci));
    expect(noVar.var[0]).toBe(Math.fround(e2.var));
  });

  it('a frame of weight 0 changes neither SCI nor VAR, but still takes part in rejection, nUsed and DQ', () => {
    const r = lcg(31);
    for (const withVar of [false, true]) {
      const base = stack(6, 40, () => 500 + gauss(r) * 3, withVar ? () => 9 + r() : undefined);
      const wild = stack(1, 40, (_k, p) => (p % 3 === 0 ? NaN : -3000 + p * 100), withVar ? () => 1e6 : undefined)[0];
      wild.dq = new Uint16Array(40).fill(DQ.nonLinear);
      const weights = [1, 2, 0.5, 1.5, 3, 1];
      const without = combine(base, { method: 'mean', weights, maps: true });
      const withZero = combine([...base.slice(0, 3), wild, ...base.slice(3)], { method: 'mean', weights: [1, 2, 0.5, 0, 1.5, 3, 1], dqMask: 0, maps: true });
      expect(withZero.sci).toEqual(without.sci);
      expect(withZero.var).toEqual(without.var);
      for (let p = 0; p < 40; p++) {
        const finite = p % 3 !== 0;
        expect(withZero.nUsed![p]).toBe(finite ? 7 : 6);
        expect(withZero.dq[p]).toBe(finite ? DQ.nonLinear : 0);
      }
    }
    // Rejection is unweighted: the weight-0 outlier is still clipped (and
    // counted), and it still pulls the median and std the clip uses.
    const vals = [10, 10.2, 9.8, 10.1, 9.9, 10.3, 9.7, 10, 10.2, 9.8, 10.1, 9.9, 1000];
    const clip = combine(stack(13, 1, (k) => vals[k]), { method: 'mean', reject: 'sigclip', weights: [...new Array<number>(12).fill(1), 0], maps: true });
    expect(clip.rejectMap![0]).toBe(1);
    expect(clip.sci[0]).toBe(combine(stack(12, 1, (k) => vals[k]), { method: 'mean' }).sci[0]);
    // With weight 0 on a value near the median instead, nothing is clipped
    // and the outlier is averaged in.
    const kept = combine(stack(13, 1, (k) => vals[k]), { method: 'mean', reject: 'sigclip', lsigma: 10, hsigma: 10, weights: [0, ...new Array<number>(12).fill(1)], maps: true });
    expect(kept.rejectMap![0]).toBe(0);
    expect(kept.sci[0]).toBeCloseTo((vals.reduce((t, y) => t + y, 0) - 10) / 12, 4);
  });

  it('where every surviving value weighs 0, the plain mean of the survivors is used', () => {
    // Pixel 0: only the weight-0 frames 2 and 3 are unmasked; pixel 1: every frame is used.
    const x = [[1, 2], [3, 4], [10, 10], [20, 30]];
    const vr = [[1, 1], [1, 1], [4, 4], [8, 8]];
    for (const withVar of [false, true]) {
      const inputs: CombineInput[] = x.map((xs, k) => ({
        sci: Float32Array.from(xs),
        var: withVar ? Float32Array.from(vr[k]) : undefined,
        dq: Uint16Array.of(k < 2 ? DQ.bad : 0, 0),
      }));
      const r = combine(inputs, { method: 'mean', weights: [1, 3, 0, 0], maps: true });
      expect(r.sci[0]).toBe(15);
      expect(r.var[0]).toBe(withVar ? (4 + 8) / 4 : 25 / 2);
      expect(r.nUsed![0]).toBe(2);
      expect(r.sci[1]).toBe((2 + 3 * 4) / 4);
    }
  });

  it('survivors that all weigh very little still get a finite VAR', () => {
    // Frame 0 (weight 1) is NaN: the survivors weigh 1e-200 and 3e-200, whose squares underflow.
    const inputs = stack(3, 1, (k) => [NaN, 10, 20][k], (k) => [1, 4, 8][k]);
    const r = combine(inputs, { method: 'mean', weights: [1, 1e-200, 3e-200] });
    expect(r.sci[0]).toBeCloseTo(17.5, 5);
    expect(r.var[0]).toBeCloseTo((4 + 9 * 8) / 16, 5);
    const nv = combine(inputs.map((f) => ({ sci: f.sci })), { method: 'mean', weights: [1, 1e-200, 3e-200] });
    // s2 = (1 * 7.5^2 + 3 * 2.5^2) / 4, times sum(a^2)/sum(a)^2 = 10/16
    expect(nv.var[0]).toBeCloseTo(((7.5 ** 2 + 3 * 2.5 ** 2) / 4) * (10 / 16), 5);
  });

  it('sorted blocks and one by one agree (weights, every rejection, ties, DQ)', () => {
    // Integer-valued data has many ties, which minmax can split between kept
    // and rejected; weights that are small dyadic numbers make every weighted
    // sum exact, so both paths must agree bit for bit. An all-NaN frame
    // changes no value but sends every pixel one by one (with it minmax's
    // nlow 2 / nhigh 3 scale down to 1 / 2, IRAF's rule for a masked value);
    // a NaN in frame 0 at pixel 7 sends only that pixel one by one.
    const r = lcg(37);
    const N = 12, n = 300;
    const weights = [1, 2, 0.5, 3, 1.5, 0.25, 1, 4, 2, 0.75, 1, 0];
    for (const withVar of [false, true]) {
      const inputs = stack(N, n, () => Math.round(1000 + gauss(r) * 3), withVar ? () => Math.round(20 + 10 * r()) : undefined);
      for (const f of inputs) {
        f.dq = new Uint16Array(n);
        for (let p = 0; p < n; p++) if (r() < 0.2) f.dq[p] = [1, 2, 16, 64][Math.floor(r() * 4)];
      }
      for (let p = 0; p < n; p++) { inputs[p % N].sci[p] = p % 2 ? 5000 : -2000; inputs[p % N].dq![p] |= DQ.cosmicRay; }
      const withNan = [...inputs, { sci: new Float32Array(n).fill(NaN), var: withVar ? new Float32Array(n) : undefined, dq: new Uint16Array(n) }];
      const oneNan = inputs.map((f, k) => ({ ...f, sci: Float32Array.from(f.sci, (x, p) => (k === 0 && p === 7 ? NaN : x)) }));
      for (const reject of REJECTS) {
        const what = `${withVar ? 'VAR' : 'no VAR'} ${reject}`;
        const opts: CombineOptions = { method: 'mean', reject, dqMask: 0, nlow: 1, nhigh: 2, maps: true };
        const a = combine(inputs, { ...opts, weights });
        const b = combine(withNan, { ...opts, weights: [...weights, 1], nlow: 2, nhigh: 3 });
        const c = combine(oneNan, { ...opts, weights });
        expect(b.sci, what).toEqual(a.sci);
        expect(b.var, what).toEqual(a.var);
        expect(b.dq, what).toEqual(a.dq);
        expect(b.nUsed, what).toEqual(a.nUsed);
        for (let p = 0; p < n; p++) {
          if (p === 7) continue;
          expect(c.sci[p], `${what} pixel ${p}`).toBe(a.sci[p]);
          expect(c.var[p], `${what} pixel ${p}`).toBe(a.var[p]);
          expect(c.dq[p], `${what} pixel ${p}`).toBe(a.dq[p]);
        }
        // The outliers went, and their flag with them.
        for (let p = 0; p < n; p++) if (reject !== 'none') expect(a.dq[p] & DQ.cosmicRay, `${what} pixel ${p}`).toBe(0);
      }
      // minmax against its definition: the stable order by value then
      // frame, its first 1 and last 2 dropped.
      const mm = combine(inputs, { method: 'mean', reject: 'minmax', dqMask: 0, weights, nlow: 1, nhigh: 2 });
      let ties = 0;
      for (let p = 0; p < n; p++) {
        const x = inputs.map((f) => f.sci[p]);
        const order = x.map((_, k) => k).sort((i, j) => x[i] - x[j] || i - j);
        if (x[order[0]] === x[order[1]] || x[order[N - 3]] === x[order[N - 2]]) ties++;
        const keep = new Array<boolean>(N).fill(false);
        order.slice(1, N - 2).forEach((k) => (keep[k] = true));
        const e = weightedRef(x, weights, withVar ? inputs.map((f) => f.var![p]) : null, keep);
        expect(mm.sci[p], `minmax pixel ${p}`).toBe(Math.fround(e.sci));
        expectClose([mm.var[p]], [e.var], F32);
      }
      // the data do split runs of equal values
      expect(ties).toBeGreaterThan(20);
    }
  });

  it('large stacks (Shell sort, one by one) against the definition', () => {
    const r = lcg(41);
    const N = 70, n = 30;
    const weights = Array.from({ length: N }, (_, k) => 0.5 + (k % 7) * 0.25);
    const inputs = stack(N, n, () => Math.round(100 + gauss(r) * 2), () => 4 + (r() < 0.5 ? 1 : 0));
    for (let p = 0; p < n; p++) { inputs[(p * 13) % N].sci[p] = 900; inputs[(p * 17 + 1) % N].sci[p] = -500; }
    const mm = combine(inputs, { method: 'mean', reject: 'minmax', nlow: 3, nhigh: 2, weights });
    const sc = combine(inputs, { method: 'mean', reject: 'sigclip', weights, maps: true });
    for (let p = 0; p < n; p++) {
      const x = inputs.map((f) => f.sci[p]), vr = inputs.map((f) => f.var![p]);
      const order = x.map((_, k) => k).sort((i, j) => x[i] - x[j] || i - j);
      const keep = new Array<boolean>(N).fill(false);
      order.slice(3, N - 2).forEach((k) => (keep[k] = true));
      const e = weightedRef(x, weights, vr, keep);
      expect(mm.sci[p]).toBe(Math.fround(e.sci));
      expectClose([mm.var[p]], [e.var], F32);
      // sigclip (median centre, std ddof 0, strict limits) until nothing changes
      let kept = x.map(() => true);
      for (let it = 0; it < 10; it++) {
        const s = x.filter((_, k) => kept[k]).sort((i, j) => i - j);
        const med = s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        const mu = s.reduce((t, y) => t + y, 0) / s.length;
        const sd = Math.sqrt(s.reduce((t, y) => t + (y - mu) ** 2, 0) / s.length);
        const next = x.map((y, k) => kept[k] && y >= med - 3 * sd && y <= med + 3 * sd);
        if (next.every((b, k) => b === kept[k])) break;
        kept = next;
      }
      const es = weightedRef(x, weights, vr, kept);
      expect(sc.nUsed![p]).toBe(kept.filter(Boolean).length);
      expectClose([sc.sci[p]], [es.sci], F32);
      expectClose([sc.var[p]], [es.var], F32);
    }
  });

  it('refuses weights that are not one finite number >= 0 per input, not all 0, for method mean', () => {
    const inputs = stack(3, 1, (k) => k, () => 1);
    for (const method of ['median', 'sum', 'wmean'] as CombineMethod[]) {
      expect(() => combine(inputs, { method, weights: [1, 1, 1] })).toThrow(/weights apply to method 'mean' only/);
    }
    expect(() => combine(inputs, { method: 'mean', weights: [1, 1] })).toThrow(/2 weights for 3 inputs/);
    expect(() => combine(inputs, { method: 'mean', weights: [1, -1, 1] })).toThrow(/weight 1 is -1/);
    expect(() => combine(inputs, { method: 'mean', weights: [1, NaN, 1] })).toThrow(/finite number >= 0/);
    expect(() => combine(inputs, { method: 'mean', weights: [Infinity, 1, 1] })).toThrow(/finite number >= 0/);
    expect(() => combine(inputs, { method: 'mean', weights: [0, 0, 0] })).toThrow(/every weight is 0/);
    const out = makeCombineResult(1);
    expect(() => combineRange(inputs, { method: 'mean', weights: Float64Array.of(0, 0, 0) }, out, 0, 1)).toThrow(/every weight is 0/);
  });
});

describe('combine: against astropy/ccdproc (reference/combine.json)', () => {
  const R = ref as unknown as Record<string, number[]> & { nFrames: number; width: number; height: number; lsigma: number; hsigma: number; nlow: number; nhigh: number; lthreshold: number; hthreshold: number };
  const N = R.nFrames, n = R.width * R.height;
  const inputs: CombineInput[] = [];
  const anyMasked = new Uint8Array(n);
  for (let k = 0; k < N; k++) {
    const sci = Float32Array.from(R.data.slice(k * n, (k + 1) * n));
    const vr = Float32Array.from(R.var.slice(k * n, (k + 1) * n));
    const dq = new Uint16Array(n);
    for (let p = 0; p < n; p++) if (R.mask[k * n + p]) { dq[p] = DQ.bad; anyMasked[p] = 1; }
    inputs.push({ sci, var: vr, dq });
  }
  const noVar = inputs.map((f) => ({ sci: f.sci, dq: f.dq }));
  // ccdproc 2.4's sigma_clipping drops the input masks: compare those unmasked.
  const plain = inputs.map((f) => ({ sci: f.sci }));
  // Outputs are float32 computed in float64: half a float32 ulp (2^-24 =
  // 6.0e-8) is the best possible, and measured (5.95e-8 at most, every case
  // below); the references carry 10 digits (5e-10). One ulp, 2^-23, is the
  // tolerance: a value rejected differently costs 1e-3 or more.
  const rel = 2 ** -23;
  const base = { lsigma: R.lsigma, hsigma: R.hsigma };

  it('median and mean (ccdproc and numpy)', () => {
    expectClose(combine(noVar, { method: 'median' }).sci, R.median, rel);
    expectClose(combine(noVar, { method: 'median' }).sci, R.np_median, rel);
    const mean = combine(noVar, { method: 'mean' });
    expectClose(mean.sci, R.mean, rel);
    expectClose(mean.sci, R.np_mean, rel);
    expectClose(mean.var, R.mean_var, rel);
  });

  it('one pass of median-centred clipping with mad_std and with std', () => {
    const mad = combine(plain, { method: 'mean', reject: 'madclip', maxIters: 1, ...base, maps: true });
    expectClose(mad.sci, R.mean_madclip, rel);
    expectClose(mad.var, R.mean_madclip_var, rel);
    let masked = 0;
    for (let p = 0; p < n; p++) masked += N - mad.nUsed![p];
    expect(masked).toBe((R as unknown as { madclip_mask_count: number }).madclip_mask_count);
    const sig = combine(plain, { method: 'mean', reject: 'sigclip', maxIters: 1, ...base, maps: true });
    expectClose(sig.sci, R.mean_sigclip, rel);
    expectClose(sig.var, R.mean_sigclip_var, rel);
    masked = 0;
    for (let p = 0; p < n; p++) masked += N - sig.nUsed![p];
    expect(masked).toBe((R as unknown as { sigclip_mask_count: number }).sigclip_mask_count);
    expectClose(combine(plain, { method: 'median', reject: 'sigclip', maxIters: 1, ...base }).sci, R.median_sigclip, rel);
  });

  it('clip_extrema (where nothing is masked) and minmax_clipping thresholds', () => {
    const mm = combine(noVar, { method: 'mean', reject: 'minmax', nlow: R.nlow, nhigh: R.nhigh });
    expectClose(mm.sci, R.mean_minmax, rel, (p) => anyMasked[p] === 1);
    const thr = combine(noVar, { method: 'mean', lthreshold: R.lthreshold, hthreshold: R.hthreshold });
    expectClose(thr.sci, R.mean_threshold, rel);
  });

  it('weighted mean, sum and VAR propagation (numpy)', () => {
    const w = combine(inputs, { method: 'wmean' });
    expectClose(w.sci, R.wmean, rel);
    expectClose(w.var, R.wmean_var, rel);
    const m = combine(inputs, { method: 'mean' });
    expectClose(m.var, R.mean_var_from_var, rel);
    const s = combine(inputs, { method: 'sum' });
    expectClose(s.sci, R.sum, rel);
    expectClose(s.var, R.sum_var, rel);
  });

  it('mean after DQ masks and sigma clipping, VAR from the VAR planes of the values used (numpy, astropy sigma_clip)', () => {
    // Pixels where clipping removed nothing take the VAR sum gathered over
    // the block, those where it removed some sum the survivors one by one,
    // masked pixels go the one-by-one path: all three occur here.
    const a = combine(inputs, { method: 'mean', reject: 'sigclip', ...base, maps: true });
    expectClose(a.sci, R.mean_sigclip_iter, 2 ** -23);
    expectClose(a.var, R.mean_sigclip_iter_var, 2 ** -23);
    let clean = 0, clipped = 0;
    for (let p = 0; p < n; p++) if (!anyMasked[p]) { if (a.rejectMap![p] === 0) clean++; else clipped++; }
    expect(clean).toBeGreaterThan(0);
    expect(clipped).toBeGreaterThan(0);
  });

  it('per-frame weights after DQ masks, sigma clipping and scale/zero, with and without VAR (numpy, astropy sigma_clip)', () => {
    // Masked values excluded via DQ, clipping iterated to convergence (as
    // astropy's sigma_clip with maxiters 10); frame 8 weighs 0. The only
    // error left is the float32 rounding of the output.
    const W = R as unknown as Record<string, number> & { weights: number[]; wscale: number[]; wzero: number[] };
    const f32 = 2 ** -23;
    const cases: [string, CombineOptions][] = [
      ['wt_mean', { method: 'mean' }],
      ['wt_mean_sigclip', { method: 'mean', reject: 'sigclip', ...base }],
      ['wt_mean_scaled_sigclip', { method: 'mean', reject: 'sigclip', ...base, scale: W.wscale, zero: W.wzero }],
    ];
    for (const [key, opts] of cases) {
      const a = combine(inputs, { ...opts, weights: W.weights, maps: true });
      expectClose(a.sci, R[key], f32);
      expectClose(a.var, R[`${key}_var`], f32);
      expect(a.nUsed!.reduce((t, u) => t + u, 0), key).toBe(W[`${key}_used`]);
      const b = combine(noVar, { ...opts, weights: W.weights });
      expectClose(b.sci, R[key], f32);
      expectClose(b.var, R[`${key}_novar_var`], f32);
    }
  });
});
