/**
 * checkFlatLevel's judgement of a raw flat, in one place: the step applies it
 * to the figures addDQ measured during a run, and the Calibrations view to
 * the ones the ingest measured, to say before a run which flats the step
 * will refuse, in the step's own words.
 */

/** The level of one part of a flat: all its pixels, or one colour (one sub-lattice) of a mosaic. */
export interface PartLevel {
  median: number;
  saturatedFraction: number;
  /** The colour of a mosaic's part (R, G or B); none for a frame of one colour. */
  colour?: string;
}

/** What the flat is judged by: its brightest part's median and its most saturated part's fraction. */
export interface FlatLevelFigures {
  median: number;
  saturatedFraction: number;
  /** Of a colour mosaic: the colours the median and the fraction are of. */
  colours?: { median: string; saturated: string };
}

export interface FlatLevelLimits {
  /** Lowest median allowed, as a fraction of the saturation level. */
  low: number;
  /** Highest median allowed, as a fraction of the saturation level. */
  high: number;
  /** Largest fraction of saturated pixels allowed. */
  maxSaturated: number;
}

/**
 * The figures of a flat from those of its parts: a colour flat is as bright
 * as its brightest colour and as saturated as its most saturated one (a flat
 * whose green pixels all clip has a median within bounds and half its pixels
 * saturated, and spoils the master's green).
 */
export function flatLevelFigures(parts: readonly PartLevel[]): FlatLevelFigures {
  if (!parts.length) throw new Error('flatLevelFigures: no parts measured');
  const brightest = parts.reduce((b, f) => (f.median > b.median ? f : b), parts[0]);
  const mostSaturated = parts.reduce((b, f) => (f.saturatedFraction > b.saturatedFraction ? f : b), parts[0]);
  const colours = brightest.colour && mostSaturated.colour ? { median: brightest.colour, saturated: mostSaturated.colour } : undefined;
  return { median: brightest.median, saturatedFraction: mostSaturated.saturatedFraction, ...(colours ? { colours } : {}) };
}

/**
 * The reason a flat is refused, or undefined when its level is usable (or
 * cannot be judged: no median, no saturation level). `ok` says why a usable
 * one is, for the run's log.
 */
export function judgeFlatLevel(
  level: { median?: number; saturatedFraction?: number; saturation?: number; colours?: FlatLevelFigures['colours'] },
  limits: FlatLevelLimits,
): { refused: string } | { ok: string } | { unjudged: string } {
  const { median, saturation, colours } = level;
  const satFrac = level.saturatedFraction ?? 0;
  if (satFrac > limits.maxSaturated) {
    return { refused: `${(100 * satFrac).toFixed(0)}% of ${colours ? `the ${colours.saturated} pixels` : 'pixels'} saturated (more than ${(100 * limits.maxSaturated).toFixed(0)}% allowed)` };
  }
  if (saturation === undefined || !(saturation > 0)) return { unjudged: 'no saturation level known' };
  if (median === undefined || !Number.isFinite(median)) return { unjudged: 'no median measured' };
  const what = colours ? `the ${colours.median} pixels' median` : 'median';
  const frac = median / saturation;
  const { low, high } = limits;
  if (frac < low) return { refused: `${what} ${median.toFixed(0)} ADU is ${frac.toFixed(2)} of saturation ${saturation}: too faint (allowed ${low}-${high})` };
  if (frac > high) return { refused: `${what} ${median.toFixed(0)} ADU is ${frac.toFixed(2)} of saturation ${saturation}: near saturation (allowed ${low}-${high})` };
  return { ok: `${what} ${median.toFixed(0)} ADU = ${frac.toFixed(2)} of saturation: usable` };
}
