/**
 * SATURATE follows the pixels through the steps, as the lowest value a
 * saturated pixel can read in the frame as it is now: the raw saturation
 * level (addDQ writes it) less the overscan level subtracted, less the master
 * bias and dark (their median: a few hot pixels should not lower it for
 * all), times the gain (ADUToElectrons), over the flat where it is highest.
 * A reader that takes pixels at or above SATURATE for saturated
 * (SExtractor's SATUR_KEY) then catches every one of them; the pipeline's
 * own flags are in DQ (bit 4), set on the raw values. Without this, a
 * reduced frame said 65535 x gain where its saturated pixels read ~1000 ADU
 * less, and a star saturated in the raw frame passed for unsaturated.
 */
import type { AstroFrame } from '../astroFrame';
import { cardNumber, setCard } from '../cards';
import { medianInPlace } from '../../kernels/select';
import type { Frame } from '../../kernels/frame';

/** Applies `move` to SATURATE of extension k (and of the primary header, where a one-extension frame keeps it too). */
export function moveSaturation(frame: AstroFrame, k: number, move: (level: number) => number): void {
  const unit = frame.bunit === 'electron' ? 'electrons' : frame.bunit === 'adu' ? 'ADU' : frame.bunit;
  const comment = `lowest value a saturated pixel reads here, ${unit}`;
  const headers = frame.exts.length === 1 ? [frame.exts[k].header, frame.primary] : [frame.exts[k].header];
  for (const h of headers) {
    const sat = cardNumber(h, 'SATURATE');
    if (sat !== undefined) setCard(h, 'SATURATE', Math.round(move(sat) * 1000) / 1000, comment);
  }
}

/** Samples enough for a level that only moves SATURATE (a master's median to a small fraction of its noise). */
const LEVEL_SAMPLES = 20_000;

// A master calibrates every frame of a night: its figures are measured once per plane, not per frame.
const levels = new WeakMap<Float32Array, number>();
const highs = new WeakMap<Float32Array, number>();

/** Median of a plane from a strided sample, NaN ignored: a master's typical level. */
export function typicalLevel(plane: Frame): number {
  const known = levels.get(plane.sci);
  if (known !== undefined) return known;
  const n = plane.sci.length;
  let step = Math.max(1, Math.ceil(n / LEVEL_SAMPLES));
  // Not a divisor of the width, or the sample would be a few columns.
  while (step > 1 && plane.width % step === 0) step++;
  const sample = new Float64Array(Math.ceil(n / step));
  let m = 0;
  for (let i = 0; i < n; i += step) {
    const v = plane.sci[i];
    if (v === v) sample[m++] = v;
  }
  const level = m ? medianInPlace(sample, m) : 0;
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
