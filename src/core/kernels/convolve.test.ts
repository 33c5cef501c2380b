import { describe, expect, it } from 'vitest';
import { median5Filter } from './convolve';
import { selectKth } from './select';

function bruteMedian5(src: Float32Array, w: number, h: number): Float32Array {
  const out = src.slice();
  const buf = new Float32Array(25);
  for (let y = 2; y < h - 2; y++) {
    for (let x = 2; x < w - 2; x++) {
      let n = 0;
      for (let yy = y - 2; yy <= y + 2; yy++) for (let xx = x - 2; xx <= x + 2; xx++) buf[n++] = src[yy * w + xx];
      out[y * w + x] = selectKth(buf, 12);
    }
  }
  return out;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

describe('median5Filter', () => {
  it('equals a brute-force 5x5 median on random, tied and structured data', () => {
    const rnd = lcg(7);
    const w = 41, h = 29;
    const cases: Array<(i: number) => number> = [
      () => rnd() * 1000,
      () => Math.floor(rnd() * 4), // many ties
      (i) => (i % w) * 3 + Math.floor(i / w), // monotone ramp
      (i) => ((i % w) + Math.floor(i / w)) % 2 ? 100 : -5, // checkerboard
    ];
    for (const gen of cases) {
      const src = new Float32Array(w * h);
      for (let i = 0; i < src.length; i++) src[i] = gen(i);
      const out = new Float32Array(w * h);
      median5Filter(src, w, h, out);
      expect(Array.from(out)).toEqual(Array.from(bruteMedian5(src, w, h)));
    }
  });

  it('copies the 2-pixel border and leaves tiny images unchanged', () => {
    const src = Float32Array.from({ length: 36 }, (_, i) => i * i);
    const out = new Float32Array(36);
    median5Filter(src, 6, 6, out);
    expect(out[0]).toBe(0);
    expect(out[6 * 1 + 5]).toBe(11 * 11);
    const tiny = Float32Array.from([3, 1, 2, 5]);
    const o2 = new Float32Array(4);
    median5Filter(tiny, 2, 2, o2);
    expect(Array.from(o2)).toEqual([3, 1, 2, 5]);
  });
});
