/**
 * measureGain on flats made at a known gain, where nothing gives the gain:
 * what it reads, what it leaves on the members, when it warns and when it
 * does nothing; and measuredGainOf, where a later step finds the gain.
 */
import { describe, expect, it } from 'vitest';
import { measureGain, measuredGainOf, MEASURED_GAIN_KEY } from './gain';
import type { AstroFrame } from '../astroFrame';
import type { StoredFrame } from '../store';
import { frameCtx, groupCtx, makeAstro, makeMember, makeRng, makeTestFrame } from '../testing/frames';

const W = 300, H = 300;
const GAIN = 0.6;

/** A flat in ADU, bias out: `electrons` at every pixel, its Poisson noise over the gain, extra Gaussian noise of `flicker` ADU. */
function flat(seed: number, electrons = 12_000, cards: Record<string, number | string> = {}, flicker = 0, response = (_x: number, _y: number) => 1): AstroFrame {
  const rng = makeRng(seed);
  const data = makeTestFrame(W, H, (x, y) => Math.round(rng.poisson(electrons * response(x, y)) / GAIN + flicker * rng.normal()));
  // As after subtractBias: the camera's level out.
  return makeAstro({ name: `f${seed}.fits`, primary: cards, exts: [{ data }], meta: { levelRemoved: 'bias' } });
}

const stored = (name: string): StoredFrame => ({ id: name, name, primary: [], exts: [], singleHdu: true });

function group(frames: AstroFrame[]) {
  const members = frames.map((f) => makeMember(stored(f.name)));
  const ctx = groupCtx(async (m) => frames[members.indexOf(m)]);
  return { members, ctx };
}

describe('measureGain', () => {
  it('measures consecutive pairs of at most 5 flats, gives every member the median, and says each pair', async () => {
    // Levels differ (twilight): each pair is scaled to its first frame's.
    const frames = [1, 2, 3, 4, 5, 6].map((s) => flat(s, 8_000 + 1_000 * s));
    const { members, ctx } = group(frames);
    expect(await measureGain.run(members, {}, ctx)).toBeUndefined();
    expect(ctx.reads).toEqual(['f1.fits', 'f2.fits', 'f3.fits', 'f4.fits', 'f5.fits']);
    expect(ctx.logs.slice(0, 4)).toEqual([1, 2, 3, 4].map((s) => expect.stringMatching(new RegExp(`^ext 1: 0\\.\\d+ e-/ADU from f${s}\\.fits and f${s + 1}\\.fits \\(levels \\d+, \\d+ ADU\\)$`))));
    expect(ctx.logs[4]).toMatch(/^ext 1: gain 0\.\d+ e-\/ADU \(median of 4 pairs\)$/);
    const g = members[0].meta.measuredGain![0]!;
    // 90 000 pixel differences a pair: each good to 0.5%, their median to about 0.3%.
    expect(g / GAIN).toBeGreaterThan(0.99);
    expect(g / GAIN).toBeLessThan(1.01);
    expect(members.every((m) => m.meta.measuredGain?.[0] === g)).toBe(true);
    expect(ctx.warnings).toEqual([]);
  });

  it('warns when the pairs disagree by more than 10% (a flickering lamp)', async () => {
    // The third flat's 100 ADU of extra noise beside its 183 ADU of photon noise: the second pair's
    // difference has 15% more variance, and reads the gain 13% low.
    const frames = [flat(11), flat(12), flat(13, 12_000, {}, 100)];
    const { members, ctx } = group(frames);
    await measureGain.run(members, {}, ctx);
    expect(ctx.warnings).toEqual([expect.stringMatching(/^ext 1: the pairs of flats disagree on the gain \(0\.\d+-0\.\d+ e-\/ADU\): is the light steady\?$/)]);
    expect(members[0].meta.measuredGain![0]).toBeGreaterThan(0);
  });

  it("measures a colour camera's flats colour by colour (BAYERPAT)", async () => {
    // Twilight reddens between the flats: red +5%, blue -5%. Taken for one colour, the pair read 0.21 of the gain.
    const rggb = (redder: number) => (x: number, y: number) => [[0.5 * (1 + redder), 1], [1, 0.35 * (1 - redder)]][y & 1][x & 1];
    const frames = [flat(41, 20_000, { BAYERPAT: 'RGGB' }, 0, rggb(0)), flat(42, 20_000, { BAYERPAT: 'RGGB' }, 0, rggb(0.05))];
    const { members, ctx } = group(frames);
    await measureGain.run(members, {}, ctx);
    const g = members[0].meta.measuredGain![0]!;
    expect(g / GAIN).toBeGreaterThan(0.985);
    expect(g / GAIN).toBeLessThan(1.015);
  });

  it('does nothing where the gain is given: by a later ADUToElectrons parameter, or by the header', async () => {
    const { members, ctx } = group([flat(21), flat(22)]);
    ctx.laterValues = (name) => (name === 'ADUToElectrons' ? { gain: 1.2 } : undefined);
    expect(await measureGain.run(members, {}, ctx)).toEqual({ skipped: 'the gain is given (ADUToElectrons)' });
    expect(ctx.reads).toEqual([]);
    const carded = group([flat(23, 12_000, { EGAIN: 0.6 }), flat(24, 12_000, { EGAIN: 0.6 })]);
    expect(await measureGain.run(carded.members, {}, carded.ctx)).toEqual({ skipped: 'the gain is known (header)' });
    expect(carded.ctx.reads).toEqual(['f23.fits']);
    expect(carded.members[0].meta.measuredGain).toBeUndefined();
  });

  it("warns when the flats still hold the camera's level, which it would count as light", async () => {
    const frames = [flat(51), flat(52)];
    for (const f of frames) f.meta = {};
    const { members, ctx } = group(frames);
    await measureGain.run(members, {}, ctx);
    expect(ctx.warnings).toEqual([expect.stringMatching(/^the flats still hold the camera's level/)]);
  });

  it('warns for a lone flat and leaves it without a gain', async () => {
    const { members, ctx } = group([flat(31)]);
    await measureGain.run(members, {}, ctx);
    expect(ctx.warnings).toEqual(['only one flat (f31.fits): the gain cannot be measured, and no header gives it']);
    expect(members[0].meta.measuredGain).toBeUndefined();
  });
});

describe('measuredGainOf', () => {
  const frame = (cards: Record<string, number> = {}, meta = {}) =>
    makeAstro({ name: 's.fits', primary: cards, exts: [{ data: makeTestFrame(4, 4, 1) }], meta });

  it("takes the frame's own measured gain, then its GAINMEAS card, then its master flat's", () => {
    expect(measuredGainOf(frame({}, { measuredGain: [0.61] }), 0, frameCtx())).toEqual({ gain: 0.61, from: 'measured on these flats' });
    expect(measuredGainOf(frame({ [MEASURED_GAIN_KEY]: 0.62 }), 0, frameCtx())).toEqual({ gain: 0.62, from: 'GAINMEAS of the frame' });
    const master = makeAstro({ name: 'master_flat_R.fits', exts: [{ data: makeTestFrame(4, 4, 1), header: { [MEASURED_GAIN_KEY]: 0.63 } }] });
    expect(measuredGainOf(frame(), 0, frameCtx({ flat: master }))).toEqual({ gain: 0.63, from: 'measured on master_flat_R.fits' });
    expect(measuredGainOf(frame(), 0, frameCtx())).toBeUndefined();
  });

  it("matches a mosaic's extensions by EXTVER, and takes no primary card for more than one", () => {
    const data = () => makeTestFrame(4, 4, 1);
    const sci = makeAstro({ name: 's.fits', exts: [{ data: data(), extver: 2 }] });
    const master = makeAstro({
      name: 'm.fits',
      primary: { [MEASURED_GAIN_KEY]: 9 },
      exts: [
        { data: data(), extver: 1, header: { [MEASURED_GAIN_KEY]: 0.5 } },
        { data: data(), extver: 2, header: { [MEASURED_GAIN_KEY]: 0.7 } },
      ],
    });
    expect(measuredGainOf(sci, 0, frameCtx({ flat: master }))?.gain).toBe(0.7);
    const bare = makeAstro({ name: 'm2.fits', primary: { [MEASURED_GAIN_KEY]: 9 }, exts: [{ data: data(), extver: 1 }, { data: data(), extver: 2 }] });
    expect(measuredGainOf(sci, 0, frameCtx({ flat: bare }))).toBeUndefined();
  });
});
