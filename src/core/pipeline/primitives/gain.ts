/**
 * measureGain: a detector's gain where nothing gives it (a CMOS camera's
 * GAIN card is a setting, INDI writes none), from the master flat's own
 * frames, and where the frames a master flat calibrates find it.
 *
 * Without it the pixels' Poisson noise was taken at 1 e-/ADU. On a camera
 * of 0.25 e-/ADU (CMOS at high gain) L.A.Cosmic's noise model was then half
 * the true noise, and it flagged and replaced 1700-1900 pixels of sky and
 * star a 256 x 256 frame (about 20 hits were made): the stacks' star fluxes
 * fell to 0.93-0.95 and their FWHM rose from 3.3 to 3.9 px.
 *
 * The measured gain does not turn the pixels into electrons: they stay in
 * ADU as the camera gave them (BUNIT = adu) and the product says the gain
 * (GAINMEAS), which VAR's Poisson term and the cosmic-ray search use. A
 * measured gain is a few tenths of a percent uncertain on small frames,
 * and no reader should take a pixel value as electrons on that basis.
 */
import { photonTransferGain } from '../../kernels/photonTransfer';
import { extractDescriptors } from '../../classify/descriptors';
import { astroHeaders, matchingExt, type AstroFrame } from '../astroFrame';
import { cardNumber } from '../cards';
import type { Card } from '../../fits/types';
import { cfaPattern } from './cfa';
import { activeMembers, optNum, type FrameContext, type GroupContext, type GroupPrimitive } from '../primitive';

/** The card a master flat says its measured gain in (each extension's, and the primary's for one). */
export const MEASURED_GAIN_KEY = 'GAINMEAS';
/** Its comment (the log names the flats). */
export const MEASURED_GAIN_COMMENT = 'e-/ADU, photon transfer of the flats (pixels ADU)';

/** Pairs of flats measured at most: each reads two frames, and three pairs say the gain to a few tenths of a percent. */
const MAX_PAIRS = 4;

const GAIN_GIVEN = 'the gain is given (ADUToElectrons)';
const GAIN_KNOWN = 'the gain is known (header)';
const gainGiven = (ctx: Pick<GroupContext, 'laterValues'>) => optNum(ctx.laterValues('ADUToElectrons') ?? {}, 'gain') !== undefined;
/** The extensions (indices) whose headers give no gain: the ones to measure. */
const withoutGain = (primary: Card[], exts: readonly Card[][]) => exts.map((_, k) => k).filter((k) => !(extractDescriptors(primary, exts[k]).gain! > 0));

export const measureGain: GroupPrimitive = {
  kind: 'group',
  name: 'measureGain',
  doc: "Where no header and no parameter gives the gain: measures it on pairs of the flats (their levels over the variance of their difference, Janesick's photon transfer). The master says it (GAINMEAS); frames it calibrates use it for VAR and the cosmic-ray search, their pixels left in ADU.",
  params: [],
  skipsFor(members, _p, ctx) {
    if (gainGiven(ctx)) return GAIN_GIVEN;
    // Every frame's headers give it (run() looks at the first frame left in: one of these).
    const known = members.every((m) => {
      const h = astroHeaders(m.stored);
      return h.exts.length > 0 && !withoutGain(h.primary, h.exts).length;
    });
    return known ? GAIN_KNOWN : undefined;
  },
  async run(members, _p, ctx) {
    if (gainGiven(ctx)) return { skipped: GAIN_GIVEN };
    const act = activeMembers(members);
    if (!act.length) return { skipped: 'no frame' };
    let a = await ctx.readFrame(act[0]);
    const todo = withoutGain(a.primary, a.exts.map((e) => e.header));
    if (!todo.length) return { skipped: GAIN_KNOWN };
    if (act.length < 2) {
      ctx.warn(`only one flat (${act[0].ref.name}): the gain cannot be measured, and no header gives it`);
      return;
    }
    // The camera's level still in the flats (no overscan, bias or dark) counts as light: the gain reads
    // high by its share of their level (a 1000 ADU offset under 20 000 ADU of flat: 5%).
    if (!a.meta.levelRemoved) ctx.warn("the flats still hold the camera's level (no overscan, bias or dark subtracted): the gain measured on them reads high by that level's share of theirs");
    const found = todo.map(() => [] as number[]);
    for (let i = 1; i < act.length && i <= MAX_PAIRS; i++) {
      const b = await ctx.readFrame(act[i]);
      todo.forEach((k, j) => {
        const r = photonTransferGain(a.exts[k].data, b.exts[k].data, cfaPattern(a.primary, a.exts[k].header) !== undefined);
        if (!r) return;
        found[j].push(r.gain);
        ctx.log(`ext ${a.exts[k].extver}: ${r.gain.toPrecision(4)} e-/ADU from ${act[i - 1].ref.name} and ${act[i].ref.name} (levels ${r.levels.map((l) => l.toFixed(0)).join(', ')} ADU)`);
      });
      a = b;
    }
    const values: (number | undefined)[] = a.exts.map(() => undefined);
    todo.forEach((k, j) => {
      const g = [...found[j]].sort((x, y) => x - y);
      if (!g.length) {
        ctx.warn(`ext ${a.exts[k].extver}: no pair of flats to measure the gain on`);
        return;
      }
      // The median of the pairs: one pair whose lamp flickered does not move it.
      const gain = g.length % 2 ? g[g.length >> 1] : (g[g.length / 2 - 1] + g[g.length / 2]) / 2;
      values[k] = Number(gain.toPrecision(4));
      if (g[g.length - 1] - g[0] > 0.1 * gain) ctx.warn(`ext ${a.exts[k].extver}: the pairs of flats disagree on the gain (${g[0].toPrecision(3)}-${g[g.length - 1].toPrecision(3)} e-/ADU): is the light steady?`);
      ctx.log(`ext ${a.exts[k].extver}: gain ${values[k]} e-/ADU (median of ${g.length} pair${g.length === 1 ? '' : 's'})`);
    });
    for (const m of act) m.meta = { ...m.meta, measuredGain: values };
  },
};

/** GAINMEAS of an extension (its own card, else the primary's where there is one extension). */
function cardOf(f: Pick<AstroFrame, 'primary' | 'exts'>, ext: AstroFrame['exts'][number]): number | undefined {
  const g = cardNumber(ext.header, MEASURED_GAIN_KEY) ?? (f.exts.length === 1 ? cardNumber(f.primary, MEASURED_GAIN_KEY) : undefined);
  return g !== undefined && g > 0 ? g : undefined;
}

/**
 * The gain measured for extension k of a frame in ADU: its own master's (a
 * flat's frames, after measureGain), the one ADUToElectrons noted on it
 * (GAINMEAS), or the one its master flat says (when the step consults the
 * flat); undefined when none has one.
 */
export function measuredGainOf(frame: AstroFrame, k: number, ctx: Pick<FrameContext, 'calibration'>): { gain: number; from: string } | undefined {
  const own = frame.meta.measuredGain?.[k];
  if (own !== undefined) return { gain: own, from: 'measured on these flats' };
  const noted = cardOf(frame, frame.exts[k]);
  if (noted !== undefined) return { gain: noted, from: `${MEASURED_GAIN_KEY} of the frame` };
  const flat = ctx.calibration('flat');
  const ext = flat && matchingExt(frame, k, flat);
  const g = ext && cardOf(flat, ext);
  return g !== undefined ? { gain: g, from: `measured on ${flat!.name}` } : undefined;
}
