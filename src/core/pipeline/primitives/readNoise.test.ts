/**
 * measureReadNoise against the noise the frames were made with: a bias
 * pattern, an offset between the frames and cosmic rays must not move it;
 * and the RDNOISE card that says it on the master.
 */
import { describe, expect, it } from 'vitest';
import { DQ } from '../../kernels/dq';
import type { Card } from '../../fits/types';
import { measureReadNoise, noteMeasuredReadNoise } from './readNoise';
import { differenceNoise } from '../../kernels/photonTransfer';
import { cardOf, groupCtx, makeAstro, makeMember, makeRng, makeTestFrame } from '../testing/frames';
import type { AstroFrame } from '../astroFrame';
import type { StoredFrame } from '../store';

const W = 400, H = 400;
const pattern = (x: number, y: number) => 1000 + 6 * Math.sin(x / 7) + 0.02 * y;

/** A bias: the pattern, an offset, Gaussian noise of `sigma`, and a few cosmic rays; in whole ADU when `round`. */
function bias(seed: number, sigma: number, offset = 0, cosmics = 0, round = false): AstroFrame {
  const rng = makeRng(seed);
  const f = makeTestFrame(W, H, (x, y) => {
    const v = pattern(x, y) + offset + sigma * rng.normal();
    return round ? Math.round(v) : v;
  });
  for (let i = 0; i < cosmics; i++) f.sci[Math.floor(rng.uniform() * W * H)] += 500 + 3000 * rng.uniform();
  return makeAstro({ name: `b${seed}.fits`, exts: [{ data: f }], meta: { readNoiseUnknown: [0] } });
}

const stored = (name: string): StoredFrame => ({ id: name, name, primary: [], exts: [], singleHdu: true });

describe('differenceNoise', () => {
  it('gives the noise of one frame, whatever their shared pattern, an offset between them, and cosmic rays', () => {
    // 160 000 pixels: the robust sigma is good to ~0.3% (1.17 / sqrt(n)).
    const rn = differenceNoise(bias(1, 5).exts[0].data, bias(2, 5, 37, 400).exts[0].data);
    expect(rn).toBeGreaterThan(5 * 0.99);
    expect(rn).toBeLessThan(5 * 1.01);
  });

  it('is not rounded by frames of whole ADU (no overscan subtracted): their difference is whole numbers, its MAD too', () => {
    // Rounding adds 1/12 ADU^2 of noise to each frame: sqrt(2.5^2 + 1/12) = 2.5166. The MAD alone said 2.10.
    for (const [sigma, seed] of [[2.5, 10], [1.5, 12], [6, 14]] as const) {
      const truth = Math.sqrt(sigma ** 2 + 1 / 12);
      const rn = differenceNoise(bias(seed, sigma, 0, 300, true).exts[0].data, bias(seed + 1, sigma, 4, 300, true).exts[0].data);
      expect(rn, `sigma ${sigma}`).toBeGreaterThan(truth * 0.99);
      expect(rn, `sigma ${sigma}`).toBeLessThan(truth * 1.01);
    }
  });

  it('leaves out pixels flagged in either frame', () => {
    const a = bias(3, 4).exts[0].data, b = bias(4, 4).exts[0].data;
    a.dq = new Uint16Array(W * H);
    // Half the frame wildly off but flagged: the other half alone decides.
    for (let i = 0; i < (W * H) / 2; i++) { a.sci[i] += 1000 * ((i % 7) - 3); a.dq[i] = DQ.bad; }
    const rn = differenceNoise(a, b);
    expect(rn).toBeGreaterThan(4 * 0.985);
    expect(rn).toBeLessThan(4 * 1.015);
  });
});

describe('measureReadNoise', () => {
  it('measures two of the biases and gives every one that VAR, for the stack', async () => {
    const frames = [bias(5, 3.2), bias(6, 3.2, -12, 200), bias(7, 3.2)];
    const members = frames.map((f) => makeMember(stored(f.name), f.meta));
    const ctx = groupCtx(async (m) => frames[members.indexOf(m)]);
    await measureReadNoise.run(members, {}, ctx);
    expect(ctx.reads).toEqual(['b5.fits', 'b6.fits']);
    expect(ctx.constantVars.map((c) => c.member)).toEqual(['b5.fits', 'b6.fits', 'b7.fits']);
    const v = ctx.constantVars[0].value;
    expect(Math.sqrt(v)).toBeGreaterThan(3.2 * 0.99);
    expect(Math.sqrt(v)).toBeLessThan(3.2 * 1.01);
    expect(ctx.constantVars.every((c) => c.value === v && c.ext === 0)).toBe(true);
    expect(members[2].measuredReadNoise).toEqual({ values: [Math.sqrt(v)], how: "e-, measured on two biases' difference" });
    expect(ctx.logs).toEqual([expect.stringMatching(/^ext 1: read noise 3\.\d+ ADU \(sigma of b5\.fits - b6\.fits over sqrt 2\)$/)]);
    expect(ctx.warnings).toEqual([]);
  });

  it('measures the biases without read noise, whichever comes first', async () => {
    const frames = [bias(20, 2), bias(21, 2), bias(22, 2)];
    const members = frames.map((f, i) => makeMember(stored(f.name), i === 0 ? {} : f.meta));
    const ctx = groupCtx(async (m) => frames[members.indexOf(m)]);
    await measureReadNoise.run(members, {}, ctx);
    expect(ctx.reads).toEqual(['b21.fits', 'b22.fits']);
    expect(ctx.constantVars.map((c) => c.member)).toEqual(['b21.fits', 'b22.fits']);
  });

  it('reads nothing where the read noise was known, and warns for a lone bias', async () => {
    const known = [makeMember(stored('k1.fits')), makeMember(stored('k2.fits'))];
    const ctx = groupCtx();
    expect(await measureReadNoise.run(known, {}, ctx)).toEqual({ skipped: 'the read noise is known (header or parameter)' });
    expect(ctx.reads).toEqual([]);
    expect(ctx.constantVars).toEqual([]);
    const lone = [makeMember(stored('one.fits'), { readNoiseUnknown: [0] })];
    const ctx1 = groupCtx();
    await measureReadNoise.run(lone, {}, ctx1);
    expect(ctx1.reads).toEqual([]);
    expect(ctx1.constantVars).toEqual([{ member: 'one.fits', ext: 0, value: 0 }]);
    expect(ctx1.warnings).toEqual([expect.stringMatching(/only one frame without read noise \(one\.fits\).*assumed 0 e-/)]);
  });
});

describe('noteMeasuredReadNoise', () => {
  const headers = (primary: Card[], ext: Card[] = []) => ({ primary, exts: [ext] });
  const measured = (v: number | undefined) => ({ values: [v], how: "e-, measured on two biases' difference" });

  it('says the read noise in electrons through the gain given, else the header\'s, where no header gives one', () => {
    const h = headers([{ key: 'EGAIN', value: 1.6 }]);
    expect(noteMeasuredReadNoise(h, 'adu', measured(5.625))).toEqual([9]);
    expect(h.exts[0]).toEqual([{ key: 'RDNOISE', value: 9, comment: "e-, measured on two biases' difference" }]);
    expect(cardOf(h.primary, 'RDNOISE')).toBe(9);
    const given = headers([{ key: 'EGAIN', value: 1.6 }]);
    expect(noteMeasuredReadNoise(given, 'adu', measured(5), 2)).toEqual([10]);
    const noGain = headers([]);
    noteMeasuredReadNoise(noGain, 'adu', measured(3.2));
    expect(noGain.exts[0][0]).toMatchObject({ value: 3.2, comment: 'ADU (no gain known), from two frames' });
    const unity = headers([{ key: 'GAIN', value: 1 }]);
    noteMeasuredReadNoise(unity, 'adu', measured(3.2));
    expect(unity.exts[0][0].comment).toBe("e-, measured on two biases' difference");
  });

  it('leaves a header that gives one, and an extension nothing was measured for', () => {
    const h = headers([{ key: 'READNOIS', value: 7 }]);
    expect(noteMeasuredReadNoise(h, 'adu', measured(5))).toEqual([undefined]);
    expect(h.exts[0]).toEqual([]);
    const none = headers([]);
    expect(noteMeasuredReadNoise(none, 'adu', measured(undefined))).toEqual([undefined]);
    expect(none.exts[0]).toEqual([]);
  });
});
