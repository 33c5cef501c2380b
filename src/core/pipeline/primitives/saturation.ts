/**
 * SATURATE follows the pixels through the steps, as about the lowest value a
 * saturated pixel reads in the frame as it is now: the raw saturation level
 * (addDQ writes it) less the overscan level subtracted (its highest line),
 * less the master bias and dark (their median: a few hot pixels should not
 * lower it for all; a saturated pixel where the bias is above its median
 * reads that much lower), times the gain (ADUToElectrons), over the flat
 * where it is highest. A reader that takes pixels at or above SATURATE for
 * saturated (SExtractor's SATUR_KEY) then catches them; the pipeline's own
 * flags are in DQ (bit 4), set on the raw values. Without this, a reduced
 * frame said 65535 x gain where its saturated pixels read ~1000 ADU less,
 * and a star saturated in the raw frame passed for unsaturated.
 */
import type { AstroFrame } from '../astroFrame';
import type { Card } from '../../fits/types';
import { cardNumber, deleteCards, setCard } from '../cards';
import { sampledMedian } from '../../kernels/stats';
import type { Frame } from '../../kernels/frame';

// Short enough to fit beside a number in an 80-column card (47 characters are left there).
const COMMENT = 'about the lowest a saturated pixel reads';

/**
 * Applies `move` to SATURATE of extension k, and to the primary header's:
 * a one-extension frame keeps it there too; a frame of several extensions
 * then says the lowest of theirs.
 */
export function moveSaturation(frame: AstroFrame, k: number, move: (level: number) => number): void {
  const unit = frame.bunit === 'electron' ? 'e-' : frame.bunit === 'adu' ? 'ADU' : frame.bunit;
  const headers = frame.exts.length === 1 ? [frame.exts[k].header, frame.primary] : [frame.exts[k].header];
  for (const h of headers) {
    const sat = cardNumber(h, 'SATURATE');
    if (sat !== undefined) setCard(h, 'SATURATE', Math.round(move(sat) * 1000) / 1000, `${COMMENT}, ${unit}`);
  }
  if (frame.exts.length > 1) lowestSaturation(frame.primary, frame.exts.map((e) => e.header));
}

/**
 * Where `target` has a SATURATE (a frame's primary header, a mosaic's copy
 * of its first piece), sets it to the lowest of the `parts`' levels, or
 * removes it when a part has none (no level can be vouched for then).
 */
export function lowestSaturation(target: Card[], parts: readonly Card[][]): void {
  if (cardNumber(target, 'SATURATE') === undefined) return;
  const levels = parts.map((h) => cardNumber(h, 'SATURATE'));
  if (levels.some((l) => l === undefined)) { deleteCards(target, ['SATURATE']); return; }
  const comment = parts.map((h) => h.find((c) => c.key.toUpperCase() === 'SATURATE')?.comment).find((c) => c !== undefined) ?? COMMENT;
  setCard(target, 'SATURATE', Math.min(...(levels as number[])), comment);
}

/** Samples enough for a level that only moves SATURATE (a master's median to a small fraction of its noise). */
const LEVEL_SAMPLES = 20_000;

// A master calibrates every frame of a night: its figures are measured once per plane, not per frame.
const levels = new WeakMap<Float32Array, number>();
const highs = new WeakMap<Float32Array, number>();

/** Median of a plane from a strided sample, NaN and infinities ignored: a master's typical level (0 when it has none). */
export function typicalLevel(plane: Frame): number {
  const known = levels.get(plane.sci);
  if (known !== undefined) return known;
  const median = sampledMedian(plane.sci, plane.width, undefined, LEVEL_SAMPLES);
  const level = Number.isNaN(median) ? 0 : median;
  levels.set(plane.sci, level);
  return level;
}

/** The highest value of a flat over its pixels without DQ flags (every pixel when it has no DQ). */
export function highestFlat(flat: Frame): number {
  const known = highs.get(flat.sci);
  if (known !== undefined) return known;
  let hi = -Infinity;
  const { sci, dq } = flat;
  for (let i = 0; i < sci.length; i++) {
    const v = sci[i];
    if (v > hi && (!dq || dq[i] === 0)) hi = v;
  }
  highs.set(flat.sci, hi);
  return hi;
}
