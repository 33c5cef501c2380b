/**
 * The kernels that run their loops in chunks (chunks.ts) give every pixel of
 * a frame larger than one chunk and not a whole number of them, the same
 * value as the formula applied to that pixel alone.
 */
import { describe, expect, it } from 'vitest';
import { add, subtract } from './arith';
import { CHUNK } from './chunks';
import { DQ } from './dq';
import { divideByFlat } from './flat';
import type { Frame } from './frame';

const W = 301, H = Math.ceil((2.5 * CHUNK) / 301); // 2.5 chunks and a bit: a partial last chunk
const n = W * H;
const plane = (f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
const frame = (seed: number): Frame => ({
  width: W, height: H,
  sci: plane((i) => 100 + ((i * 7919 + seed) % 1000) / 7),
  var: plane((i) => 1 + ((i * 31 + seed) % 17)),
  dq: Uint16Array.from({ length: n }, (_, i) => ((i + seed) % 97 === 0 ? DQ.bad : 0)),
});

describe('chunked kernels, pixel by pixel', () => {
  it('n is not a whole number of chunks', () => {
    expect(n % CHUNK).not.toBe(0);
    expect(n).toBeGreaterThan(2 * CHUNK);
  });

  it('subtract and add: SCI, VAR and DQ at every pixel', () => {
    const a = frame(1), b = frame(2);
    const d = subtract(a, b), s = add(a, b);
    for (let i = 0; i < n; i++) {
      expect(d.sci[i]).toBe(Math.fround(a.sci[i] - b.sci[i]));
      expect(s.sci[i]).toBe(Math.fround(a.sci[i] + b.sci[i]));
      expect(d.var![i]).toBe(Math.fround(a.var![i] + b.var![i]));
      expect(d.dq![i]).toBe(a.dq![i] | b.dq![i]);
    }
  });

  it('divideByFlat: SCI, VAR and DQ at every pixel, flat holes included', () => {
    const sci = frame(3);
    const flat: Frame = { width: W, height: H, sci: plane((i) => (i % 1009 === 0 ? 0 : 0.8 + (i % 50) / 100)), var: plane(() => 1e-4), dq: new Uint16Array(n) };
    const out = divideByFlat(sci, flat);
    for (let i = 0; i < n; i++) {
      const f = flat.sci[i], x = sci.sci[i];
      if (f === 0) {
        expect([out.sci[i], out.var![i], out.dq![i]]).toEqual([0, 0, sci.dq![i] | DQ.unilluminated]);
        continue;
      }
      expect(out.sci[i]).toBe(Math.fround(x / f));
      const f2 = f * f;
      expect(out.var![i]).toBe(Math.fround(sci.var![i] / f2 + (x * x * flat.var![i]) / (f2 * f2)));
      expect(out.dq![i]).toBe(sci.dq![i]);
    }
  });
});
