import { describe, expect, it } from 'vitest';
import { LATTICES, blockMeans, latticeOf, putLattice } from './lattice';
import type { Frame } from './frame';

const frame = (w: number, h: number): Frame => ({
  width: w,
  height: h,
  sci: Float32Array.from({ length: w * h }, (_, i) => i),
  var: Float32Array.from({ length: w * h }, (_, i) => 1000 + i),
  dq: Uint16Array.from({ length: w * h }, (_, i) => i % 7),
});

describe('the four 2 x 2 sub-lattices', () => {
  it('take every pixel of their colour once, odd sizes included, and put back what was changed', () => {
    const f = frame(5, 3);
    const seen = new Set<number>();
    for (const [x0, y0] of LATTICES) {
      const s = latticeOf(f, x0, y0);
      // 5 x 3: columns 0,2,4 or 1,3; rows 0,2 or 1.
      expect([s.width, s.height]).toEqual([x0 ? 2 : 3, y0 ? 1 : 2]);
      for (let y = 0; y < s.height; y++) {
        for (let x = 0; x < s.width; x++) {
          const i = (y0 + 2 * y) * 5 + x0 + 2 * x;
          expect([s.sci[y * s.width + x], s.var![y * s.width + x], s.dq![y * s.width + x]]).toEqual([i, 1000 + i, i % 7]);
          seen.add(i);
          s.sci[y * s.width + x] = -i;
          s.dq![y * s.width + x] |= 8;
        }
      }
      putLattice(f, s, x0, y0);
    }
    expect(seen.size).toBe(15);
    expect(Array.from(f.sci)).toEqual(Array.from({ length: 15 }, (_, i) => -i));
    expect(Array.from(f.dq!)).toEqual(Array.from({ length: 15 }, (_, i) => (i % 7) | 8));
    expect(f.var![7]).toBe(1007);
  });

  it('gives a frame without DQ the DQ its sub-lattices got', () => {
    const f: Frame = { width: 2, height: 2, sci: new Float32Array(4) };
    const s = latticeOf(f, 1, 1);
    expect(s.dq).toBeUndefined();
    s.dq = Uint16Array.of(8);
    putLattice(f, s, 1, 1);
    expect(Array.from(f.dq!)).toEqual([0, 0, 0, 8]);
  });
});

describe('blockMeans', () => {
  it('are the means of the 2 x 2 block right and down of each pixel, DQ their OR; the last column and row repeat their own', () => {
    const f = frame(5, 3);
    const b = blockMeans(f);
    expect([b.width, b.height]).toEqual([5, 3]);
    // (0,0): {0,1,5,6}; (4,0): {4,4,9,9}; (1,2): {11,12,11,12}; (4,2): {14} four times.
    expect(b.sci[0]).toBe(3);
    expect(b.sci[4]).toBe(6.5);
    expect(b.sci[11]).toBe(11.5);
    expect(b.sci[14]).toBe(14);
    expect(b.dq![0]).toBe(0 | 1 | 5 | 6);
    expect(b.dq![14]).toBe(14 % 7);
  });
});
