import { describe, expect, it } from 'vitest';
import { MIN_AT, pileUpMaximum } from './pileUp';
import { makeRng } from '../pipeline/testing/frames';

/** n values of a Gaussian of mean m and sigma s, rounded to whole ADU as a converter writes them, as float32. */
function noise(n: number, m: number, s: number, seed = 1): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => Math.round(m + s * rng.normal()));
}

describe('pileUpMaximum', () => {
  it('finds the limit of a clipped flat, and of a frame with a saturated star core', () => {
    const flat = noise(10_000, 70_000, 260).map((v) => Math.min(v, 65535));
    expect(pileUpMaximum(flat)).toBe(65535);
    // Sky at 1000 ADU with a star whose core (25 px) the converter clipped, its wings spread below.
    const sky = noise(10_000, 1000, 12);
    for (let i = 0; i < 25; i++) sky[i] = 65535;
    for (let i = 25; i < 60; i++) sky[i] = 2000 + 1500 * (i - 25);
    expect(pileUpMaximum(sky)).toBe(65535);
  });

  it('claims nothing of an unclipped frame: a bias, a lone star peak, a constant-free gradient, too few pixels', () => {
    // Noise on whole ADU: its highest value is shared by a few pixels, with many more just below.
    const bias = noise(100_000, 1000, 5);
    const top = Math.max(...bias);
    expect(bias.filter((v) => v === top).length).toBeGreaterThan(0);
    expect(pileUpMaximum(bias)).toBeUndefined();
    const star = noise(10_000, 1000, 12);
    star[5] = 40_000;
    expect(pileUpMaximum(star)).toBeUndefined();
    const few = noise(10_000, 1000, 12);
    for (let i = 0; i < MIN_AT - 1; i++) few[i] = 65535;
    expect(pileUpMaximum(few)).toBeUndefined();
    expect(pileUpMaximum(Float32Array.from({ length: 1000 }, (_, i) => 20_000 + i))).toBeUndefined();
  });

  it('ignores NaN and infinities, and says nothing of a frame without a positive maximum', () => {
    const flat = new Float64Array(100).fill(65535);
    flat[0] = NaN;
    flat[1] = Infinity;
    expect(pileUpMaximum(flat)).toBe(65535);
    expect(pileUpMaximum(new Float32Array(50).fill(-3))).toBeUndefined();
    expect(pileUpMaximum(new Float32Array([NaN, NaN]))).toBeUndefined();
  });
});
