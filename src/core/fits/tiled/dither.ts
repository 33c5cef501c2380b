/**
 * Restoring quantized floating-point tiles (the fpack/cfitsio scheme, Pence et
 * al. 2010): value = (q - r + 0.5) * ZSCALE + ZZERO with r from a fixed
 * sequence of 10000 uniform deviates, so the dither added at compression is
 * subtracted exactly. The sequence is cfitsio's fits_init_randoms (Park-Miller
 * minimal standard generator, a = 16807, m = 2^31 - 1, seed 1); the start
 * position depends on ZDITHER0 and the tile's row number (fits_unquantize).
 */

export const N_RANDOM = 10000;
/** Integer that marks an undefined (NaN) pixel in a quantized tile. */
export const NULL_VALUE = -2147483647;
/** SUBTRACTIVE_DITHER_2 keeps exact zeros as this integer. */
export const ZERO_VALUE = -2147483646;

export type Quantize = 'NO_DITHER' | 'SUBTRACTIVE_DITHER_1' | 'SUBTRACTIVE_DITHER_2';

let randoms: Float64Array | undefined;

/** cfitsio's fits_rand_value table. */
export function ditherRandoms(): Float64Array {
  if (randoms) return randoms;
  const a = 16807;
  const m = 2147483647;
  let seed = 1;
  const r = new Float64Array(N_RANDOM);
  for (let i = 0; i < N_RANDOM; i++) {
    const temp = a * seed; // < 2^46: exact in a double
    seed = temp - m * Math.floor(temp / m);
    r[i] = seed / m;
  }
  randoms = r;
  return r;
}

/**
 * Undo quantization of one tile in place order: `q` the integers, `out[start..]`
 * receives values. `nullValue` integers (when given) become NaN.
 */
export function unquantize(
  q: ArrayLike<number>,
  out: Float64Array,
  scale: number,
  zero: number,
  method: Quantize,
  ditherSeed: number,
  tileRow: number,
  nullValue: number | undefined,
): void {
  const n = q.length;
  if (method === 'NO_DITHER') {
    for (let i = 0; i < n; i++) {
      const v = q[i];
      out[i] = v === nullValue ? NaN : v * scale + zero;
    }
    return;
  }
  const r = ditherRandoms();
  let iseed = (((tileRow - 1 + ditherSeed - 1) % N_RANDOM) + N_RANDOM) % N_RANDOM;
  let next = Math.floor(r[iseed] * 500);
  const keepZero = method === 'SUBTRACTIVE_DITHER_2';
  for (let i = 0; i < n; i++) {
    const v = q[i];
    if (v === nullValue) out[i] = NaN;
    else if (keepZero && v === ZERO_VALUE) out[i] = 0;
    else out[i] = (v - r[next] + 0.5) * scale + zero;
    next++;
    if (next === N_RANDOM) {
      iseed++;
      if (iseed === N_RANDOM) iseed = 0;
      next = Math.floor(r[iseed] * 500);
    }
  }
}
