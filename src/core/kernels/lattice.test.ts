import { describe, expect, it } from 'vitest';
import { LATTICES, blockMeans, latticeOf, sectionLattice } from './lattice';
import type { Frame } from './frame';

const frame = (w: number, h: number): Frame => ({
  width: w,
  height: h,
  sci: Float32Array.from({ length: w * h }, (_, i) => i),
  var: Float32Array.from({ length: w * h }, (_, i) => 1000 + i),
  dq: Uint16Array.from({ length: w * h }, (_, i) => i % 7),
});

describe('the four 2 x 2 sub-lattices', () => {
  it('take every pixel of their colour once, odd sizes included, in the order LATTICES says', () => {
    const f = frame(5, 3);
    const seen = new Set<number>();
    LATTICES.forEach(([x0, y0], k) => {
      const s = latticeOf(f, x0, y0);
      // 5 x 3: columns 0,2,4 or 1,3; rows 0,2 or 1.
      expect([s.width, s.height]).toEqual([x0 ? 2 : 3, y0 ? 1 : 2]);
      for (let y = 0; y < s.height; y++) {
        for (let x = 0; x < s.width; x++) {
          const i = (y0 + 2 * y) * 5 + x0 + 2 * x;
          expect([s.sci[y * s.width + x], s.var![y * s.width + x], s.dq![y * s.width + x]]).toEqual([i, 1000 + i, i % 7]);
          expect(((Math.floor(i / 5) & 1) << 1) | ((i % 5) & 1)).toBe(k);
          seen.add(i);
        }
      }
    });
    expect(seen.size).toBe(15);
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

describe('sectionLattice', () => {
  it('finds the first column and row of a sub-lattice inside a section, whatever the parity of its corner', () => {
    const sec = { x0: 3, x1: 10, y0: 2, y1: 7 };
    expect(sectionLattice(sec)).toEqual({ fx: 3, fy: 2, step: 1, w: 7, h: 5 });
    // Columns 4, 6, 8 and rows 2, 4, 6; columns 3, 5, 7, 9 and rows 3, 5.
    expect(sectionLattice(sec, [0, 0])).toEqual({ fx: 4, fy: 2, step: 2, w: 3, h: 3 });
    expect(sectionLattice(sec, [1, 1])).toEqual({ fx: 3, fy: 3, step: 2, w: 4, h: 2 });
    expect(sectionLattice({ x0: 0, x1: 1, y0: 0, y1: 1 }, [1, 1])).toEqual({ fx: 1, fy: 1, step: 2, w: 0, h: 0 });
  });
});
