/**
 * A saturation level read off the pixels themselves, for raw frames whose
 * header gives none and whose data type has no limit to take (float data: a
 * capture program that writes BITPIX -32, or a converter that rescaled).
 *
 * A clipped converter leaves a spike in the histogram at its limit: many
 * pixels hold exactly the frame's maximum, and few lie just below it (a
 * flat over the limit: nearly all of them at 65535.0; a saturated star's
 * core: a few dozen there, its wings spread far lower). An unclipped
 * frame's maximum is a lone value in a tail that thickens below it (a
 * bias's noise, a star's peak). So: at least MIN_AT pixels at the maximum,
 * and at least twice as many as in the percent of the range below it.
 * Without both, nothing is claimed: a frame with a saturated core of a few
 * pixels goes unflagged, as it did before, rather than a bias's highest
 * noise values being flagged saturated.
 */

/** Fewest pixels at the maximum that can make a pile-up. */
export const MIN_AT = 10;

/** The frame's maximum when pixels pile up there (see the module comment), else undefined. NaN and infinities are ignored. */
export function pileUpMaximum(values: Float32Array | Float64Array): number | undefined {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > max && v !== Infinity) max = v;
  }
  if (!(max > 0)) return undefined;
  // The percent of the range below the maximum (at least one unit: integer data written as floats).
  const floor = max - Math.max(0.01 * max, 1);
  let at = 0, below = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === max) at++;
    else if (v >= floor && v < max) below++;
  }
  return at >= MIN_AT && at >= 2 * below ? max : undefined;
}
