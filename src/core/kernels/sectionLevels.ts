/**
 * A raw frame's level where a flat is judged: the median of a regular sample
 * of its data section and how many of the section's pixels are at or above
 * the saturation level, for all its pixels or for one colour of a Bayer
 * mosaic (one sub-lattice). addDQ measures it for checkFlatLevel during a
 * run, and the ingest on colour frames (with fewer samples, of the first
 * image only), so that the Calibrations view can say before a run which
 * flats the check will refuse, judging figures measured as the check's are.
 */
import { medianInPlace } from './select';
import { sampleStride } from './stats';
import { sectionLattice } from './lattice';
import { parseSection } from './section';
import { borrow } from './scratch';

/** A section [x0, x1) x [y0, y1) of a plane, 0-based. */
export interface SectionBounds {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** The bounds of a header's data section (DATASEC) in a width x height plane: the whole plane without one, or with one that does not parse or fit (trimData says what is wrong with it). */
export function dataSectionBounds(datasec: string | undefined, width: number, height: number): SectionBounds {
  if (datasec) {
    try {
      return parseSection(datasec, width, height);
    } catch {
      // The whole plane, below.
    }
  }
  return { x0: 0, x1: width, y0: 0, y1: height };
}

export interface SectionLevels {
  /** Median of the sample (finite values only); NaN when it has none. */
  median: number;
  /** Pixels at or above the saturation level. */
  saturated: number;
  /** Pixels measured. */
  count: number;
}

/**
 * The level of `sec` of a `width`-wide plane: all its pixels, or those of
 * sub-lattice `lattice` (x0, y0 of LATTICES). The median is of every
 * `stride`-th pixel in row-major order, at most about `samples` of them;
 * the saturated count sees every pixel.
 */
export function sectionLevels(
  sci: Float32Array | Float64Array, width: number, sec: SectionBounds, sat: number,
  lattice?: readonly [number, number], samples = 500_000,
): SectionLevels {
  if (lattice) return latticeLevels(sci, width, sec, lattice, sat, samples);
  const w = sec.x1 - sec.x0, h = sec.y1 - sec.y0;
  // Row by row, a call each: kernels/chunks.ts says why (calls of 60-100 ms instead of 15 in the app).
  let saturated = 0;
  if (sat < Infinity) {
    for (let y = sec.y0; y < sec.y1; y++) saturated += countAtOrAbove(sci, y * width + sec.x0, y * width + sec.x1, sat);
  }
  // Every `stride`-th pixel of the section in row-major order (k counts the section's pixels).
  const stride = sampleStride(w * h, w, samples);
  // The sample (2 MB of a 2k frame, for every frame) is the scratch pool's.
  const median = borrow(Float32Array, Math.ceil((w * h) / stride), (sample) => {
    let n = 0;
    for (let r = 0; r < h; r++) {
      const first = (stride - ((r * w) % stride)) % stride; // the row's first sampled column
      n = sampleRow(sci, (sec.y0 + r) * width + sec.x0, first, w, stride, sample, n);
    }
    return n ? medianInPlace(sample, n) : NaN;
  });
  return { median, saturated, count: w * h };
}

/** sectionLevels of one colour of a mosaic: the section's pixels of the sub-lattice (x0, y0). */
function latticeLevels(
  sci: Float32Array | Float64Array, width: number, sec: SectionBounds, lattice: readonly [number, number], sat: number, samples: number,
): SectionLevels {
  const { fx, fy, w, h } = sectionLattice(sec, lattice);
  const stride = sampleStride(w * h, w, samples);
  let saturated = 0;
  const median = borrow(Float32Array, Math.ceil((w * h) / stride), (sample) => {
    let n = 0, k = 0;
    for (let r = 0; r < h; r++) {
      const row = (fy + 2 * r) * width + fx;
      for (let c = 0; c < w; c++, k++) {
        const v = sci[row + 2 * c];
        if (v >= sat) saturated++;
        if (k % stride === 0 && v - v === 0) sample[n++] = v;
      }
    }
    return n ? medianInPlace(sample, n) : NaN;
  });
  return { median, saturated, count: w * h };
}

/** Appends the finite values of row[x] for x = first, first + stride, ... < w to sample from n; returns the new n. */
function sampleRow(sci: Float32Array | Float64Array, row: number, first: number, w: number, stride: number, sample: Float32Array, n: number): number {
  for (let x = first; x < w; x += stride) {
    const v = sci[row + x];
    if (v - v === 0) sample[n++] = v;
  }
  return n;
}

function countAtOrAbove(sci: Float32Array | Float64Array, i0: number, i1: number, level: number): number {
  let k = 0;
  for (let i = i0; i < i1; i++) if (sci[i] >= level) k++;
  return k;
}
