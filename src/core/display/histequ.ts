/**
 * Histogram equalization (DS9's "histequ" scale): each LUT cell's display
 * fraction is the share of the pixels within the limits whose cell is at or
 * below it, so every colour is used by about as many pixels. Pixels outside
 * the limits are left out of the count (they show the end colours), as in DS9.
 * NaN is never counted.
 */
import { LUT_SIZE, lutMapping } from './lut';

/**
 * LUT_SIZE display fractions in [0, 1], non-decreasing; the identity when no
 * pixel lies within the limits. `maxSamples` caps the pixels counted: a large
 * frame is sampled with an odd stride (so no column pattern is favoured).
 */
export function histequCdf(data: ArrayLike<number>, low: number, high: number, maxSamples = Infinity): Float32Array {
  const { factor } = lutMapping(low, high);
  const counts = new Float64Array(LUT_SIZE);
  const last = LUT_SIZE - 1;
  const stride = data.length > maxSamples ? Math.ceil(data.length / maxSamples) | 1 : 1;
  let total = 0;
  for (let i = 0; i < data.length; i += stride) {
    const t = (data[i] - low) * factor;
    // NaN fails both comparisons and is skipped with the out-of-range values.
    if (t >= 0 && t <= last) {
      counts[(t + 0.5) | 0]++;
      total++;
    }
  }
  const cdf = new Float32Array(LUT_SIZE);
  if (total === 0) {
    for (let k = 0; k < LUT_SIZE; k++) cdf[k] = k / last;
    return cdf;
  }
  let run = 0;
  for (let k = 0; k < LUT_SIZE; k++) {
    run += counts[k];
    cdf[k] = run / total;
  }
  return cdf;
}

/** The value whose cell first reaches display fraction y: the colorbar's labels under histequ. */
export function histequInverse(cdf: Float32Array, y: number, low: number, high: number): number {
  let a = 0;
  let b = LUT_SIZE - 1;
  while (a < b) {
    const m = (a + b) >> 1;
    if (cdf[m] >= y) b = m;
    else a = m + 1;
  }
  return low + (a / (LUT_SIZE - 1)) * (high - low);
}
