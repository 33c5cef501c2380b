/**
 * measureReadNoise: a master bias's read noise where nothing gives it (MaxIm
 * and SBIG cameras write no RDNOISE), and the card that says it.
 *
 * How: the robust sigma (1.4826 MAD, as astropy's mad_std) of the difference
 * of two biases, over sqrt 2 (Janesick's method, IRAF findgain's bias part).
 * The difference cancels what the two frames share (the bias's fixed
 * pattern, hot pixels) and the median takes out an offset between them (a
 * bias level that drifts from frame to frame, which no overscan removed);
 * the MAD is not moved by the few pixels a cosmic ray hit; and it does not
 * depend on how the stack rejects. Without it a bias's VAR was 0 and every
 * frame it calibrated lacked the read noise in its VAR: on a MaxIm-style
 * night made with 9 e-, a reduced frame's VAR was 303 e^2 where its sky
 * varies by 392.
 */
import { robustSigma } from '../../kernels/stats';
import { give, take } from '../../kernels/scratch';
import { extractDescriptors } from '../../classify/descriptors';
import { setCard } from '../cards';
import type { Card } from '../../fits/types';
import type { AstroFrame } from '../astroFrame';
import { activeMembers, type GroupPrimitive, type Member } from '../primitive';

/** Robust sigma of a - b over sqrt 2, over the pixels finite and unflagged in both. */
export function differenceNoise(a: AstroFrame['exts'][number]['data'], b: AstroFrame['exts'][number]['data']): number {
  const n = a.sci.length;
  const d = take(Float32Array, n);
  const mask = a.dq || b.dq ? take(Uint16Array, n) : undefined;
  try {
    for (let i = 0; i < n; i++) d[i] = a.sci[i] - b.sci[i];
    if (mask) for (let i = 0; i < n; i++) mask[i] = (a.dq?.[i] ?? 0) | (b.dq?.[i] ?? 0);
    // The difference is gathered in place: robustSigma reads each value before it writes over it.
    return robustSigma(d, { mask, scratch: d }) / Math.SQRT2;
  } finally {
    give(d, mask);
  }
}

export const measureReadNoise: GroupPrimitive = {
  kind: 'group',
  name: 'measureReadNoise',
  doc: 'Where no header and no parameter gives the read noise: measures it from two biases (robust sigma of their difference over sqrt 2) and gives the frames that VAR; the master says it (RDNOISE).',
  params: [],
  async run(members, _p, ctx) {
    const act = activeMembers(members);
    // addVariance left these extensions without VAR: nothing gave their read noise. Nothing to do elsewhere.
    const todo = act[0]?.meta.readNoiseUnknown ?? [];
    if (!todo.length) {
      ctx.log('the read noise is known (header or parameter): nothing to measure');
      return;
    }
    if (act.length < 2) {
      ctx.warn(`only one bias (${act[0].ref.name}): its read noise cannot be measured and no header gives it: assumed 0 e-`);
      for (const k of todo) ctx.setConstantVar(act[0], k, 0);
      return;
    }
    const first = await ctx.readFrame(act[0]);
    const second = await ctx.readFrame(act[1]);
    const values: (number | undefined)[] = first.exts.map(() => undefined);
    for (const k of todo) {
      const rn = differenceNoise(first.exts[k].data, second.exts[k].data);
      if (!Number.isFinite(rn)) {
        ctx.warn(`ext ${first.exts[k].extver}: no pixel to measure the read noise on (${act[0].ref.name}, ${act[1].ref.name}): assumed 0 e-`);
        continue;
      }
      values[k] = rn;
      ctx.log(`ext ${first.exts[k].extver}: read noise ${rn.toPrecision(4)} ${first.bunit === 'electron' ? 'e-' : 'ADU'} (robust sigma of ${act[0].ref.name} - ${act[1].ref.name} over sqrt 2)`);
    }
    for (const m of act) {
      for (const k of m.meta.readNoiseUnknown ?? []) ctx.setConstantVar(m, k, (values[k] ?? 0) ** 2);
      m.measuredReadNoise = { values, how: MEASURED_READ_NOISE };
    }
  },
};

/** The comment of a measured read noise's card (the log names the two frames; a card's comment has 47 characters). */
export const MEASURED_READ_NOISE = "e-, measured on two biases' difference";
/** ...where no gain was known to turn it into electrons. */
export const MEASURED_READ_NOISE_ADU = "ADU (no gain known), from two biases";

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
    const d = extractDescriptors(headers.primary, ext);
    if (noise === undefined || (d.readNoise !== undefined && d.readNoise >= 0)) return undefined;
    const known = gain ?? (d.gain !== undefined && d.gain > 0 ? d.gain : undefined);
    const g = bunit === 'adu' ? known ?? 1 : 1;
    const rn = Math.round(noise * g * 1000) / 1000;
    const how = bunit === 'adu' && known === undefined ? MEASURED_READ_NOISE_ADU : measured.how;
    setCard(ext, 'RDNOISE', rn, how);
    if (headers.exts.length === 1) setCard(headers.primary, 'RDNOISE', rn, how);
    return rn;
  });
}
