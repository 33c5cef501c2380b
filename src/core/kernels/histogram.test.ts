import { describe, expect, it } from 'vitest';
import { histogram } from './histogram';
import { f32, part1 } from './reference/part1';

describe('histogram against numpy.histogram', () => {
  for (const [name, ref] of Object.entries(part1.stats)) {
    it(`${name}: 20 bins over min..max`, () => {
      const h = histogram(f32(ref.data), { bins: 20 });
      expect(Array.from(h.counts)).toEqual(ref.histogram20.counts);
      Array.from(h.edges).forEach((e, i) => expect(e).toBe(ref.histogram20.edges[i]));
      expect(h.underflow + h.overflow).toBe(0);
    });
    it(`${name}: 7 bins on an explicit range`, () => {
      const r = ref.histogram7_centered;
      const h = histogram(f32(ref.data), { bins: 7, range: r.range });
      expect(Array.from(h.counts)).toEqual(r.counts);
      const total = h.counts.reduce((s, c) => s + c, 0) + h.underflow + h.overflow;
      expect(total + h.nanCount).toBe(ref.data.length);
    });
  }
});

describe('histogram by hand', () => {
  it('bins, last bin closed, out of range and NaN counted apart', () => {
    const a = new Float32Array([0, 0.5, 1, 1.5, 2, -1, 3, NaN]);
    const h = histogram(a, { bins: 2, range: [0, 2] });
    expect(Array.from(h.counts)).toEqual([2, 3]);
    expect(h).toMatchObject({ underflow: 1, overflow: 1, nanCount: 1 });
    expect(Array.from(h.edges)).toEqual([0, 1, 2]);
  });

  it('constant data widens the range by 0.5 like numpy', () => {
    const h = histogram(new Float32Array(10).fill(3), { bins: 4 });
    expect(h.lo).toBe(2.5);
    expect(h.hi).toBe(3.5);
    expect(Array.from(h.counts)).toEqual([0, 0, 10, 0]);
  });

  it('percentile auto range ignores a few extreme pixels', () => {
    const a = new Float32Array(1000);
    for (let i = 0; i < 1000; i++) a[i] = i % 100;
    a[0] = 1e6;
    const h = histogram(a, { bins: 10, auto: 'percentile', percentiles: [0, 99] });
    expect(h.hi).toBeLessThan(100);
    expect(h.overflow).toBeGreaterThanOrEqual(1);
  });

  it('masked pixels are not counted anywhere', () => {
    const a = new Float32Array([1, 2, 3, NaN]);
    const h = histogram(a, { bins: 3, range: [1, 3], mask: new Uint8Array([1, 0, 0, 1]) });
    expect(Array.from(h.counts)).toEqual([0, 1, 1]);
    expect(h.nanCount).toBe(0);
  });

  it('refuses bad options', () => {
    expect(() => histogram(new Float32Array(3), { bins: 0 })).toThrow(RangeError);
    expect(() => histogram(new Float32Array(3), { range: [2, 1] })).toThrow(RangeError);
  });
});
