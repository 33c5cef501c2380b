/**
 * Fixed-bin histogram, NaN- and mask-aware, with numpy.histogram's bin rule:
 * `bins` equal bins over [lo, hi]; every bin is half-open [e_i, e_i+1) except
 * the last, which includes hi. Values outside the range are counted apart
 * (underflow / overflow) rather than dropped silently.
 */
import { type Mask, type Pixels, minMax, percentiles } from './stats';

export interface HistogramOptions {
  /** Number of bins. Default 256. */
  bins?: number;
  /** Explicit [lo, hi]. When absent the range comes from `auto`. */
  range?: readonly [number, number];
  /**
   * How to choose the range when `range` is absent: 'minmax' (default) uses
   * the data's min and max; 'percentile' uses `percentiles` (default
   * [0.5, 99.5]) so a few hot pixels do not squash the rest into one bin.
   */
  auto?: 'minmax' | 'percentile';
  percentiles?: readonly [number, number];
  mask?: Mask;
}

export interface Histogram {
  /** counts[i] = values in [edges[i], edges[i+1]) (last bin closed). */
  counts: Uint32Array;
  /** bins + 1 edges. */
  edges: Float64Array;
  /** Range actually used. */
  lo: number;
  hi: number;
  /** Good values below lo / above hi. */
  underflow: number;
  overflow: number;
  /** Non-finite values (masked ones are not counted anywhere). */
  nanCount: number;
}

export function histogram(data: Pixels, opts: HistogramOptions = {}): Histogram {
  const bins = opts.bins ?? 256;
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const { mask } = opts;
  let lo: number;
  let hi: number;
  if (opts.range) {
    [lo, hi] = opts.range;
    if (!(Number.isFinite(lo) && Number.isFinite(hi)) || lo > hi) {
      throw new RangeError(`histogram range [${lo}, ${hi}] must be finite with lo <= hi`);
    }
  } else if (opts.auto === 'percentile') {
    [lo, hi] = percentiles(data, opts.percentiles ?? [0.5, 99.5], { mask });
  } else {
    ({ min: lo, max: hi } = minMax(data, { mask }));
  }
  if (Number.isNaN(lo)) {
    // No good pixel: an empty histogram on [0, 1] keeps the shape usable for plotting.
    lo = 0;
    hi = 1;
  }
  if (lo === hi) {
    // numpy widens a degenerate range by 0.5 on each side.
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  const width = hi - lo;
  const step = width / bins;
  for (let i = 0; i <= bins; i++) edges[i] = i * step + lo; // numpy.linspace's formula
  edges[bins] = hi;
  const counts = new Uint32Array(bins);
  const norm = bins / width;
  let underflow = 0;
  let overflow = 0;
  let nanCount = 0;
  for (let i = 0; i < data.length; i++) {
    if (mask && mask[i] !== 0) continue;
    const v = data[i];
    if (v - v !== 0) {
      nanCount++;
      continue;
    }
    if (v < lo) {
      underflow++;
      continue;
    }
    if (v > hi) {
      overflow++;
      continue;
    }
    let b = Math.floor((v - lo) * norm);
    if (b >= bins) b = bins - 1;
    // The multiply can land one bin off next to an edge: correct against the edges, as numpy does.
    else if (v < edges[b]) b--;
    else if (v >= edges[b + 1] && b < bins - 1) b++;
    counts[b]++;
  }
  return { counts, edges, lo, hi, underflow, overflow, nanCount };
}
