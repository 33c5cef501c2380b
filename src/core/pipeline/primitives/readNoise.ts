/**
 * measureReadNoise: a master bias's read noise where nothing gives it (MaxIm
 * and SBIG cameras write no RDNOISE), and the card that says it.
 *
 * How: the sigma of the difference of two biases, over sqrt 2 (Janesick's
 * method, IRAF findgain's bias part): robust, then clipped
 * (kernels/photonTransfer.ts differenceNoise).
 * The difference cancels what the two frames share (the bias's fixed
 * pattern, hot pixels) and the median takes out an offset between them (a
 * bias level that drifts from frame to frame, which no overscan removed);
 * the MAD is not moved by the few pixels a cosmic ray hit; and it does not
 * depend on how the stack rejects. Without it a bias's VAR was 0 and every
 * frame it calibrated lacked the read noise in its VAR: on a MaxIm-style
 * night made with 9 e-, a reduced frame's VAR was 303 e^2 where its sky
 * varies by 392.
 */
import { differenceNoise } from '../../kernels/photonTransfer';
import { extractDescriptors } from '../../classify/descriptors';
import { setCard } from '../cards';
import type { Card } from '../../fits/types';
import type { AstroFrame } from '../astroFrame';
import { activeMembers, type GroupPrimitive, type Member } from '../primitive';
import { readNoiseInHeaders } from './electrons';

export const measureReadNoise: GroupPrimitive = {
  kind: 'group',
  name: 'measureReadNoise',
  doc: 'Where no header and no parameter gives the read noise: measures it from two biases (sigma of their difference over sqrt 2, 3-sigma clipped) and gives them that VAR, or from two darks no bias was subtracted from (read and dark-current noise); the master says it (RDNOISE).',
  params: [],
  async run(members, _p, ctx) {
    const act = activeMembers(members);
    // addVariance left these frames' extensions without VAR: nothing gave their read noise.
    const unknown = act.filter((m) => m.meta.readNoiseUnknown?.length);
    const todo = [...new Set(unknown.flatMap((m) => m.meta.readNoiseUnknown!))].sort((x, y) => x - y);
    if (!todo.length) return { skipped: 'the read noise is known (header or parameter)' };
    if (unknown.length < 2) {
      ctx.warn(`only one frame without read noise (${unknown[0].ref.name}): it cannot be measured and no header gives it: assumed 0 e-`);
      if (!unknown[0].meta.varFromScatter) for (const k of unknown[0].meta.readNoiseUnknown!) ctx.setConstantVar(unknown[0], k, 0);
      return;
    }
    const [ma, mb] = unknown;
    const first = await ctx.readFrame(ma);
    const second = await ctx.readFrame(mb);
    const values: (number | undefined)[] = first.exts.map(() => undefined);
    for (const k of todo) {
      const rn = differenceNoise(first.exts[k].data, second.exts[k].data);
      if (!Number.isFinite(rn)) {
        ctx.warn(`ext ${first.exts[k].extver}: no pixel to measure the read noise on (${ma.ref.name}, ${mb.ref.name}): assumed 0 e-`);
        continue;
      }
      values[k] = rn;
      ctx.log(`ext ${first.exts[k].extver}: read noise ${rn.toPrecision(4)} ${first.bunit === 'electron' ? 'e-' : 'ADU'} (sigma of ${ma.ref.name} - ${mb.ref.name} over sqrt 2)`);
    }
    // Biases: their VAR is the read noise's. Darks that hold the camera's level: their stack measures their
    // VAR from the scatter (a hot pixel's own noise included); what was measured here is their noise, read
    // and dark current, which the frames they calibrate have too.
    const darks = unknown.some((m) => m.meta.varFromScatter);
    for (const m of unknown) {
      if (m.meta.varFromScatter) continue;
      for (const k of m.meta.readNoiseUnknown!) ctx.setConstantVar(m, k, (values[k] ?? 0) ** 2);
    }
    // The master's first frame gives its headers: the card goes where they lack one (noteMeasuredReadNoise).
    for (const m of act) m.measuredReadNoise = { values, how: darks ? MEASURED_DARK_NOISE : MEASURED_READ_NOISE };
  },
};

/** The comment of a measured read noise's card (the log names the two frames; a card's comment has 47 characters). */
export const MEASURED_READ_NOISE = "e-, measured on two biases' difference";
/** ...measured on darks that hold the camera's level: their read and dark-current noise. */
export const MEASURED_DARK_NOISE = "e-, read+dark noise of two darks' difference";
/** ...where no gain was known to turn it into electrons. */
export const MEASURED_READ_NOISE_ADU = "ADU (no gain known), from two frames";

/**
 * Says on a master bias's headers the read noise measureReadNoise measured
 * (in the bias's unit) for each extension whose headers give none: RDNOISE
 * in electrons, through `gain` (the one the frames were given as a
 * parameter), else the header's, else 1 (as ADUToElectrons assumes then,
 * and the comment says so). subtractBias passes it on to the frames it
 * calibrates that give none either, so their VAR counts it. Returns what it
 * set, per extension.
 */
export function noteMeasuredReadNoise(
  headers: { primary: Card[]; exts: Card[][] }, bunit: AstroFrame['bunit'], measured: NonNullable<Member['measuredReadNoise']>, gain?: number,
): (number | undefined)[] {
  return headers.exts.map((ext, k) => {
    const noise = measured.values[k];
    if (noise === undefined || readNoiseInHeaders(headers.primary, ext) !== undefined) return undefined;
    const d = extractDescriptors(headers.primary, ext);
    const known = gain ?? (d.gain !== undefined && d.gain > 0 ? d.gain : undefined);
    const g = bunit === 'adu' ? known ?? 1 : 1;
    const rn = Math.round(noise * g * 1000) / 1000;
    const how = bunit === 'adu' && known === undefined ? MEASURED_READ_NOISE_ADU : measured.how;
    setCard(ext, 'RDNOISE', rn, how);
    if (headers.exts.length === 1) setCard(headers.primary, 'RDNOISE', rn, how);
    return rn;
  });
}
