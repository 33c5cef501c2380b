import { describe, expect, it } from 'vitest';
import { median5Filter, median5Floor, median5Sampler } from './convolve';
import { selectKth } from './select';

/** The total order of median5Filter: -0 just below +0, NaN above everything (+Infinity included). */
function cmp(a: number, b: number): number {
  const an = Number.isNaN(a), bn = Number.isNaN(b);
  if (an || bn) return Number(an) - Number(bn);
  if (a === b) return Number(Object.is(b, -0)) - Number(Object.is(a, -0));
  return a < b ? -1 : 1;
}

function bruteMedian5(src: Float32Array, w: number, h: number): Float32Array {
  const out = src.slice();
  const buf: number[] = [];
  for (let y = 2; y < h - 2; y++) {
    for (let x = 2; x < w - 2; x++) {
      buf.length = 0;
      for (let yy = y - 2; yy <= y + 2; yy++) for (let xx = x - 2; xx <= x + 2; xx++) buf.push(src[yy * w + xx]);
      buf.sort(cmp);
      out[y * w + x] = buf[12];
    }
  }
  return out;
}

/** The least of the five column medians of each 5x5 window; the input where the window does not fit. */
function bruteFloor5(src: Float32Array, w: number, h: number): Float32Array {
  const out = src.slice();
  for (let y = 2; y < h - 2; y++) {
    for (let x = 2; x < w - 2; x++) {
      let best = NaN;
      for (let xx = x - 2; xx <= x + 2; xx++) {
        const col: number[] = [];
        for (let yy = y - 2; yy <= y + 2; yy++) col.push(src[yy * w + xx]);
        col.sort(cmp);
        if (xx === x - 2 || cmp(col[2], best) < 0) best = col[2];
      }
      out[y * w + x] = best;
    }
  }
  return out;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Same values bit for bit (NaN payloads aside), so -0 and +0 differ. */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
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
      // Same as the quickselect the filter replaced.
      const buf = new Float32Array(25);
      for (let y = 2; y < h - 2; y++) {
        for (let x = 2; x < w - 2; x++) {
          let n = 0;
          for (let yy = y - 2; yy <= y + 2; yy++) for (let xx = x - 2; xx <= x + 2; xx++) buf[n++] = src[yy * w + xx];
          expect(out[y * w + x]).toBe(selectKth(buf, 12));
        }
      }
    }
  });

  it('handles every size, signs, zeros, infinities, NaN and values far apart in magnitude', () => {
    const rnd = lcg(11);
    const specials = [0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1, 600];
    for (const [w, h] of [[5, 5], [6, 5], [5, 6], [7, 7], [8, 9], [9, 8], [12, 11], [33, 6]]) {
      for (let trial = 0; trial < 20; trial++) {
        const src = new Float32Array(w * h);
        const mode = trial % 4;
        for (let i = 0; i < src.length; i++) {
          const r = rnd();
          if (mode === 0) src[i] = (r - 0.5) * 2000;
          else if (mode === 1) src[i] = specials[Math.floor(r * specials.length)];
          else if (mode === 2) src[i] = r < 0.3 ? specials[Math.floor(rnd() * specials.length)] : Math.floor((r - 0.5) * 8);
          else src[i] = (r - 0.5) * 10 ** Math.floor(rnd() * 80 - 40);
        }
        const out = new Float32Array(w * h);
        median5Filter(src, w, h, out);
        const want = bruteMedian5(src, w, h);
        expect(sameValues(out, want), `${w}x${h} trial ${trial}`).toBe(true);
        const floor = new Float32Array(w * h);
        median5Floor(src, w, h, floor);
        expect(sameValues(floor, bruteFloor5(src, w, h)), `floor ${w}x${h} trial ${trial}`).toBe(true);
        for (let i = 0; i < w * h; i++) expect(cmp(floor[i], out[i])).toBeLessThanOrEqual(0);
        const at = median5Sampler(src, w, h);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(Object.is(at(x, y), want[y * w + x])).toBe(true);
      }
    }
  });

  it('is a correct median network: every 5x5 window of 0s and 1s (0-1 principle)', () => {
    // A min/max network that gives the median of every binary input gives it for all
    // inputs. A de Bruijn sequence over the 32 possible 5-pixel columns holds every
    // run of 5 columns, i.e. every binary 5x5 window, exactly once: 2^25 windows, in
    // strips of 5 rows overlapping by 4 columns. Each window is met at one of the two
    // positions of a pair; both positions run the same code on their own column and
    // the four shared ones, so about half the windows are checked at either.
    const seq = deBruijn32x5();
    const n = seq.length;
    const seen = new Uint8Array(n / 8); // each run of 5 columns exactly once
    for (let i = 0, code = 0; i < n + 4; i++) {
      code = ((code << 5) | seq[i % n]) & (n - 1);
      if (i >= 4) seen[code >> 3] |= 1 << (code & 7);
    }
    expect(seen.every((b) => b === 255)).toBe(true);
    const pop = new Uint8Array(32);
    for (let v = 0; v < 32; v++) pop[v] = (v & 1) + ((v >> 1) & 1) + ((v >> 2) & 1) + ((v >> 3) & 1) + ((v >> 4) & 1);
    const strip = 1 << 16, w = strip + 4;
    const cols = new Uint8Array(w);
    const src = new Float32Array(5 * w), out = new Float32Array(5 * w);
    let bad = 0, checked = 0;
    for (let start = 0; start < n; start += strip) {
      for (let x = 0; x < w; x++) cols[x] = seq[(start + x) % n];
      for (let r = 0; r < 5; r++) for (let x = 0; x < w; x++) src[r * w + x] = (cols[x] >> r) & 1;
      median5Filter(src, w, 5, out);
      let ones = pop[cols[0]] + pop[cols[1]] + pop[cols[2]] + pop[cols[3]];
      for (let x = 2; x < w - 2; x++) {
        ones += pop[cols[x + 2]];
        if (out[2 * w + x] !== (ones >= 13 ? 1 : 0)) bad++;
        ones -= pop[cols[x - 2]];
        checked++;
      }
    }
    expect(checked).toBe(n);
    expect(bad).toBe(0);
  }, 120_000);

  it('median5Floor is a lower bound of the median, close to it on noise', () => {
    const rnd = lcg(3);
    const w = 64, h = 61;
    const src = new Float32Array(w * h);
    for (let i = 0; i < src.length; i++) src[i] = 600 + 25 * (rnd() + rnd() + rnd() + rnd() - 2) * 1.7 + (rnd() < 0.01 ? 5000 : 0);
    const med = new Float32Array(w * h), floor = new Float32Array(w * h);
    median5Filter(src, w, h, med);
    median5Floor(src, w, h, floor);
    let gap = 0;
    for (let i = 0; i < src.length; i++) {
      expect(floor[i]).toBeLessThanOrEqual(med[i]);
      gap += med[i] - floor[i];
    }
    expect(gap / src.length).toBeLessThan(25);
    expect(Array.from(floor)).toEqual(Array.from(bruteFloor5(src, w, h)));
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
    median5Floor(tiny, 2, 2, o2);
    expect(Array.from(o2)).toEqual([3, 1, 2, 5]);
    expect(median5Sampler(tiny, 2, 2)(1, 1)).toBe(5);
  });

  it('works on views into a larger buffer', () => {
    const rnd = lcg(5);
    const backing = new Float32Array(3 + 9 * 8 + 2);
    for (let i = 0; i < backing.length; i++) backing[i] = Math.round(rnd() * 50);
    const src = backing.subarray(3, 3 + 72);
    const outBacking = new Float32Array(80).fill(-1);
    const out = outBacking.subarray(5, 77);
    median5Filter(src, 9, 8, out);
    expect(Array.from(out)).toEqual(Array.from(bruteMedian5(src, 9, 8)));
    expect(outBacking[4]).toBe(-1);
    expect(outBacking[77]).toBe(-1);
  });
});

/** De Bruijn sequence B(32, 5) (Fredricksen-Kessler-Maiorana), length 32^5. */
function deBruijn32x5(): Uint8Array {
  const k = 32, n = 5;
  const out = new Uint8Array(k ** n);
  const a = new Int32Array(n + 1);
  let len = 0;
  let t = 1;
  a[0] = 0;
  // Iterative FKM: generate Lyndon words in lexicographic order.
  for (let i = 1; i <= n; i++) a[i] = 0;
  let p = 1;
  // Standard iterative form over the prenecklace a[1..n].
  for (;;) {
    if (n % p === 0) for (let j = 1; j <= p; j++) out[len++] = a[j];
    // next prenecklace
    t = n;
    while (t > 0 && a[t] === k - 1) t--;
    if (t === 0) break;
    a[t]++;
    for (let j = t + 1; j <= n; j++) a[j] = a[j - t];
    p = t;
  }
  if (len !== out.length) throw new Error(`de Bruijn length ${len}`);
  return out;
}
