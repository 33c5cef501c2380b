/**
 * photonTransferGain against the gain the flats were made with: Poisson
 * electrons, over a gain, plus read noise, rounded to whole ADU as a
 * converter writes them. What two flats share (vignetting, the pixels'
 * response) and what changes smoothly between them (twilight's gradient,
 * the level) must not move it, nor must a few cosmic rays or flagged pixels.
 */
import { describe, expect, it } from 'vitest';
import { DQ } from './dq';
import { photonTransferGain } from './photonTransfer';
import { makeRng, makeTestFrame } from '../pipeline/testing/frames';
import type { Frame } from './frame';

const W = 400, H = 400;

/** A fixed pixel response (1% rms), the same in every flat of the night. */
const prnuRng = makeRng(99);
const PRNU = Float32Array.from({ length: W * H }, () => 1 + 0.01 * prnuRng.normal());

interface FlatSpec {
  /** e-/ADU. */
  gain: number;
  /** Electrons at the centre, before vignetting. */
  electrons: number;
  /** Fractional change of the light from the left edge to the right (twilight's gradient). */
  gradient?: number;
  /** Read noise, e-. */
  readNoise?: number;
  /** A colour mosaic's response of each pixel (its colour's), 1 without. */
  response?: (x: number, y: number) => number;
  seed: number;
}

/** A flat in ADU (bias already out): vignetted 30% at the corners, the pixel response, a gradient. */
function flat(s: FlatSpec): Frame {
  const rng = makeRng(s.seed);
  const rn = s.readNoise ?? 3;
  return makeTestFrame(W, H, (x, y) => {
    const r2 = ((x - W / 2) ** 2 + (y - H / 2) ** 2) / ((W / 2) ** 2 + (H / 2) ** 2);
    const light = s.electrons * (1 - 0.3 * r2) * (1 + (s.gradient ?? 0) * (x / W - 0.5)) * PRNU[y * W + x] * (s.response?.(x, y) ?? 1);
    return Math.round((rng.poisson(light) + rn * rng.normal()) / s.gain);
  });
}

describe('photonTransferGain', () => {
  // 400 x 400 pixels give 160 000 neighbour differences: the variance is
  // good to sqrt(2 / n) = 0.35%, and so the gain. Measured errors below
  // were 0.1-0.5%; the tolerance is 1.2%.
  it.each([0.25, 1.5, 4])('finds a gain of %f e-/ADU whatever the vignetting and pixel response the flats share', (gain) => {
    // 20 000 ADU at the centre at every gain: 5 000 e- at 0.25, 80 000 e- at 4.
    const e = 20_000 * gain;
    const r = photonTransferGain(flat({ gain, electrons: e, seed: 1 }), flat({ gain, electrons: e, seed: 2 }))!;
    expect(r.gain / gain).toBeGreaterThan(1 - 0.012);
    expect(r.gain / gain).toBeLessThan(1 + 0.012);
  });

  it('is not moved by a change of level and of gradient between the flats (twilight), nor by cosmic rays', () => {
    const gain = 1.5;
    const a = flat({ gain, electrons: 30_000, gradient: 0.1, seed: 3 });
    const b = flat({ gain, electrons: 18_000, gradient: -0.05, seed: 4 });
    const rng = makeRng(5);
    for (let i = 0; i < 300; i++) a.sci[Math.floor(rng.uniform() * W * H)] += 2000 + 20_000 * rng.uniform();
    const r = photonTransferGain(a, b)!;
    expect(r.gain / gain).toBeGreaterThan(1 - 0.012);
    expect(r.gain / gain).toBeLessThan(1 + 0.012);
    // The levels are the frames' medians: vignetting puts them below the centre's.
    expect(r.levels[0]).toBeGreaterThan(0.8 * 20_000);
    expect(r.levels[0]).toBeLessThan(20_000);
    expect(r.levels[1] / r.levels[0]).toBeCloseTo(0.6, 2);
  });

  it("scales each colour of a mosaic on its own, and pairs each pixel with its own colour's", () => {
    // RGGB under a bluish panel, and twilight reddening between the two flats: red +4%, blue -4%.
    const rggb = (redder: number) => (x: number, y: number) => [[0.5 * (1 + redder), 1], [1, 0.35 * (1 - redder)]][y & 1][x & 1];
    const gain = 1.2;
    const a = flat({ gain, electrons: 30_000, response: rggb(0), seed: 8 });
    const b = flat({ gain, electrons: 30_000, response: rggb(0.04), seed: 9 });
    const r = photonTransferGain(a, b, true)!;
    expect(r.gain / gain).toBeGreaterThan(1 - 0.012);
    expect(r.gain / gain).toBeLessThan(1 + 0.012);
    // Taken for one colour, the mosaic's pattern is left in the difference: the gain read far too low.
    expect(photonTransferGain(a, b)!.gain / gain).toBeLessThan(0.5);
  });

  it('leaves out what DQ flags and what is not finite', () => {
    const gain = 2;
    const a = flat({ gain, electrons: 40_000, seed: 6 });
    const b = flat({ gain, electrons: 40_000, seed: 7 });
    // A quarter of one flat twice as noisy (a bad amplifier's rows), flagged:
    // unflagged, it read the gain 12% low (its 3-sigma clip trims a little).
    const rng = makeRng(8);
    const sigma = Math.sqrt(20_000 / gain);
    a.dq = new Uint16Array(W * H);
    for (let i = 0; i < (W * H) / 4; i++) {
      a.sci[i] += sigma * rng.normal();
      a.dq[i] = DQ.bad;
    }
    for (let y = 0; y < H; y++) b.sci[y * W + 200] = NaN;
    const r = photonTransferGain(a, b)!;
    expect(r.gain / gain).toBeGreaterThan(1 - 0.012);
    expect(r.gain / gain).toBeLessThan(1 + 0.012);
    a.dq = undefined;
    expect(photonTransferGain(a, b)!.gain / gain).toBeLessThan(0.9);
  });

  it('says nothing of frames with no light, and refuses frames of different sizes', () => {
    const dark = makeTestFrame(W, H, 0);
    expect(photonTransferGain(dark, dark)).toBeUndefined();
    expect(() => photonTransferGain(makeTestFrame(10, 10, 1), makeTestFrame(10, 12, 1))).toThrow(/10x10 and 10x12/);
  });
});
