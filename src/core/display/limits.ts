/**
 * Display limits, DS9's "scale limits" menu:
 *  - zscale: the IRAF algorithm of kernels/zscale.ts with DS9's defaults
 *    (contrast 0.25, 600 samples, 120 per line), on the whole frame;
 *  - minmax: the smallest and largest finite values;
 *  - a percentage (99.5, 99, 98, 95, 90): the range holding that share of the
 *    pixels, the rest cut equally from both ends (99.5 -> the 0.25th and
 *    99.75th percentiles, numpy's linear interpolation, exact);
 *  - user: the user's low and high.
 * NaN and infinities never count.
 */
import { exactPercentiles } from '../kernels/ranks';
import { minMax } from '../kernels/stats';
import { zscale } from '../kernels/zscale';

export const PERCENT_CLIPS = [99.5, 99, 98, 95, 90] as const;

export type LimitsMode =
  | { kind: 'zscale' }
  | { kind: 'minmax' }
  | { kind: 'percent'; percent: number }
  | { kind: 'user'; low: number; high: number };

export interface Limits {
  low: number;
  high: number;
}

export function limitsLabel(mode: LimitsMode): string {
  switch (mode.kind) {
    case 'zscale':
      return 'zscale';
    case 'minmax':
      return 'min/max';
    case 'percent':
      return `${mode.percent}%`;
    case 'user':
      return 'user';
  }
}

/** Limits of a width x height plane; NaN limits when it has no finite pixel. */
export function computeLimits(data: ArrayLike<number>, width: number, height: number, mode: LimitsMode): Limits {
  switch (mode.kind) {
    case 'zscale': {
      const z = zscale(data, { width, height });
      return { low: z.z1, high: z.z2 };
    }
    case 'minmax': {
      const { min, max } = minMax(data);
      return { low: min, high: max };
    }
    case 'percent': {
      const cut = (100 - mode.percent) / 2;
      const [low, high] = exactPercentiles(data, [cut, 100 - cut]);
      return { low, high };
    }
    case 'user':
      return { low: mode.low, high: mode.high };
  }
}
