/**
 * Statistics of a box region, the figures DS9's region analysis reports:
 * pixel count, sum, mean, median, standard deviation (population, ddof 0, as
 * numpy.std), robust sigma (1.4826 x MAD, astropy's mad_std), min and max.
 * NaN and infinite pixels are left out and counted apart. Sums are
 * accumulated in double precision; the spread is a second pass about the
 * mean, so a large offset (a sky of 10^4) costs no precision.
 */
import { MAD_TO_SIGMA } from '../kernels/stats';
import { medianInPlace } from '../kernels/select';

/** A box of pixels, 0-based, inclusive corners (any order; clipped to the frame). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface RegionStats {
  /** The box as clipped to the frame (0-based, inclusive). */
  box: Box;
  npix: number;
  nanCount: number;
  sum: number;
  mean: number;
  median: number;
  std: number;
  robustSigma: number;
  min: number;
  max: number;
}

export function clipBox(box: Box, width: number, height: number): Box | undefined {
  const x0 = Math.max(0, Math.min(box.x0, box.x1));
  const x1 = Math.min(width - 1, Math.max(box.x0, box.x1));
  const y0 = Math.max(0, Math.min(box.y0, box.y1));
  const y1 = Math.min(height - 1, Math.max(box.y0, box.y1));
  return x1 >= x0 && y1 >= y0 ? { x0, y0, x1, y1 } : undefined;
}

export function boxStats(data: ArrayLike<number>, width: number, height: number, region: Box): RegionStats {
  const box = clipBox(region, width, height);
  if (!box) throw new RangeError('the region lies outside the frame');
  const values = new Float64Array((box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1));
  let n = 0;
  let nanCount = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0, i = y * width + box.x0; x <= box.x1; x++, i++) {
      const v = data[i];
      if (v - v !== 0) {
        nanCount++;
        continue;
      }
      values[n++] = v;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (n === 0) return { box, npix: 0, nanCount, sum: 0, mean: NaN, median: NaN, std: NaN, robustSigma: NaN, min: NaN, max: NaN };
  const mean = sum / n;
  let ss = 0;
  for (let k = 0; k < n; k++) ss += (values[k] - mean) ** 2;
  const median = medianInPlace(values, n);
  for (let k = 0; k < n; k++) values[k] = Math.abs(values[k] - median);
  const mad = medianInPlace(values, n);
  return { box, npix: n, nanCount, sum, mean, median, std: Math.sqrt(ss / n), robustSigma: MAD_TO_SIGMA * mad, min, max };
}
