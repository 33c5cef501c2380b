/**
 * A colour camera's Bayer mosaic by its 2 x 2 structure: the four
 * sub-lattices (the pixels of one colour: rows y0, y0 + 2, ...; columns x0,
 * x0 + 2, ...), and the means of 2 x 2 blocks, which hold one pixel of each
 * colour (pipeline/primitives/cfa.ts says where they are used).
 */
import type { Frame } from './frame';
import { take } from './scratch';

/** The size of the sub-lattice starting at (x0, y0) of a width x height plane. */
function latticeSize(width: number, height: number, x0: number, y0: number): { w: number; h: number } {
  return { w: (width - x0 + 1) >> 1, h: (height - y0 + 1) >> 1 };
}

/** The sub-lattice (x0, y0) of one plane of a width-wide frame, into `out` (latticeSize's pixels). */
export function latticePlane<T extends Float32Array | Uint16Array | Uint8Array>(src: T, width: number, height: number, x0: number, y0: number, out: T): T {
  const { w, h } = latticeSize(width, height, x0, y0);
  for (let y = 0; y < h; y++) {
    const from = (y0 + 2 * y) * width + x0, to = y * w;
    for (let x = 0; x < w; x++) out[to + x] = src[from + 2 * x];
  }
  return out;
}

/** The sub-lattice starting at (x0, y0), x0 and y0 each 0 or 1, as a frame of its own (copies, from the scratch pool). */
export function latticeOf(f: Frame, x0: number, y0: number): Frame {
  const { w, h } = latticeSize(f.width, f.height, x0, y0);
  const plane = <T extends Float32Array | Uint16Array>(src: T, out: T): T => latticePlane(src, f.width, f.height, x0, y0, out);
  return {
    width: w,
    height: h,
    sci: plane(f.sci, take(Float32Array, w * h)),
    var: f.var && plane(f.var, take(Float32Array, w * h)),
    dq: f.dq && plane(f.dq, take(Uint16Array, w * h)),
  };
}

/**
 * The pixels of a section [x0, x1) x [y0, y1) that lie on sub-lattice
 * `lattice` (all of them when it is undefined): the first column and row,
 * the step between them, and how many columns and rows.
 */
export function sectionLattice(
  sec: { x0: number; x1: number; y0: number; y1: number }, lattice?: readonly [number, number],
): { fx: number; fy: number; step: number; w: number; h: number } {
  const step = lattice ? 2 : 1;
  const fx = lattice ? sec.x0 + ((lattice[0] - sec.x0) & 1) : sec.x0;
  const fy = lattice ? sec.y0 + ((lattice[1] - sec.y0) & 1) : sec.y0;
  return { fx, fy, step, w: Math.max(0, Math.ceil((sec.x1 - fx) / step)), h: Math.max(0, Math.ceil((sec.y1 - fy) / step)) };
}

/** The (x0, y0) of the four sub-lattices; a pixel (x, y) is in number ((y & 1) << 1) | (x & 1). */
export const LATTICES: readonly (readonly [number, number])[] = [[0, 0], [1, 0], [0, 1], [1, 1]];

/**
 * The mean of the 2 x 2 block starting at each pixel (right and down; the
 * last column and row take their own pixels again): every block holds one
 * pixel of each colour of a Bayer mosaic, so the result has no colour
 * pattern, at the mosaic's own sampling, shifted by half a pixel (its pixel
 * (x, y) is centred on (x + 0.5, y + 0.5) of f) and smoothed by a 2-pixel
 * box. DQ is the OR of the block's. From the scratch pool.
 */
export function blockMeans(f: Frame): Frame {
  const W = f.width, H = f.height;
  const sci = take(Float32Array, W * H);
  const dq = f.dq ? take(Uint16Array, W * H) : undefined;
  for (let y = 0; y < H; y++) {
    const a = y * W, b = (y + 1 < H ? y + 1 : y) * W;
    for (let x = 0; x < W; x++) {
      const x1 = x + 1 < W ? x + 1 : x;
      sci[a + x] = (f.sci[a + x] + f.sci[a + x1] + f.sci[b + x] + f.sci[b + x1]) * 0.25;
      if (dq) dq[a + x] = f.dq![a + x] | f.dq![a + x1] | f.dq![b + x] | f.dq![b + x1];
    }
  }
  return { width: W, height: H, sci, dq };
}
