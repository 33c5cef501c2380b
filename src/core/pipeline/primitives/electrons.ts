/**
 * ADUToElectrons and addVariance (DRAGONS' ADUToElectrons / addVAR). Gain and
 * read noise come from the header of each extension (GAIN or EGAIN,
 * RDNOISE/READNOIS/...; CMOS capture programs' GAIN is a setting, see
 * classify/descriptors.ts) unless the user sets them. A value the step had to
 * guess is a warning, in the log and in the product.
 */
import { addVarianceFromNoise, toElectrons } from '../../kernels/arith';
import { extractDescriptors } from '../../classify/descriptors';
import { cardNumber, setCard } from '../cards';
import type { Card } from '../../fits/types';
import { normalizeKey } from '../../classify/headerLookup';
import type { AstroFrame } from '../astroFrame';
import { bool, optNum, param, type FrameContext, type FramePrimitive } from '../primitive';
import { moveSaturation } from './saturation';
import { MEASURED_GAIN_COMMENT, MEASURED_GAIN_KEY, measuredGainOf } from './gain';

/** Gain (e-/ADU) of extension k as given: the parameter, else the header's; undefined when neither gives one. */
function givenGain(frame: AstroFrame, k: number, override: number | undefined): { gain: number; key?: string } | undefined {
  if (override !== undefined) return { gain: override };
  const d = extractDescriptors(frame.primary, frame.exts[k].header);
  return d.gain !== undefined && d.gain > 0 ? { gain: d.gain, key: d.sources.gain } : undefined;
}

/** Gain (e-/ADU) of extension k: the parameter, the header, the one measured on the flats (gain.ts), or 1 with a warning. */
export function gainOf(frame: AstroFrame, k: number, override: number | undefined, ctx: FrameContext): { gain: number; key?: string } {
  const given = givenGain(frame, k, override);
  if (given) {
    if (given.key) ctx.used('gain', given.gain);
    return given;
  }
  const measured = measuredGainOf(frame, k, ctx);
  if (measured) {
    ctx.used('gain', measured.gain);
    return { gain: measured.gain };
  }
  ctx.used('gain', 1);
  // No frame name: the same warning for every frame of a master is then said once, with a count.
  ctx.warn(`extension ${frame.exts[k].extver}: no gain in the header (GAIN/EGAIN) and none given: assumed 1 e-/ADU`);
  return { gain: 1 };
}

/** The read noise (e-) an extension's headers give (its own, else the primary's), if they do. */
export function readNoiseInHeaders(primary: readonly Card[], ext: readonly Card[]): number | undefined {
  return readNoiseCard(primary, ext)?.value;
}

/**
 * Whether a read-noise card's comment says its value is in ADU: a master
 * bias's, measured where no gain was known (readNoise.ts), and the frames'
 * that took it from there (calibrate.ts). Every other is in electrons.
 */
export const readNoiseCommentInAdu = (comment: string | undefined): boolean => /^ADU\b/.test(comment ?? '');

/** The read-noise card of an extension's headers (its own, else the primary's): key, value, and whether it is in ADU. */
export function readNoiseCard(primary: readonly Card[], ext: readonly Card[]): { key: string; value: number; adu: boolean } | undefined {
  const d = extractDescriptors(primary, ext);
  const key = d.sources.readNoise;
  if (!(d.readNoise !== undefined && d.readNoise >= 0 && key)) return undefined;
  const card = (d.sourceHdu.readNoise === 'primary' ? primary : ext).find((c) => normalizeKey(c.key) === key);
  return { key, value: d.readNoise, adu: readNoiseCommentInAdu(card?.comment) };
}

/** Read noise (e-) of extension k in its headers, if they say (one in ADU as it is: readNoiseOf converts). */
export function headerReadNoise(frame: AstroFrame, k: number): number | undefined {
  return readNoiseInHeaders(frame.primary, frame.exts[k].header);
}

/** The extensions whose headers give no read noise. */
function withoutReadNoise(frame: AstroFrame): number[] {
  return frame.exts.map((_, k) => k).filter((k) => headerReadNoise(frame, k) === undefined);
}

/**
 * Read noise (e-) of extension k: the parameter, the header, or 0 with a
 * warning. A header's in ADU (measured on a master bias with no gain known)
 * goes through the gain known now: `gain`, the header's, the one measured
 * on the flats; else it is taken as it is, at the 1 e-/ADU the frame is
 * then taken to have.
 */
export function readNoiseOf(frame: AstroFrame, k: number, override: number | undefined, ctx: FrameContext, gain?: number): number {
  if (override !== undefined) return override;
  const card = readNoiseCard(frame.primary, frame.exts[k].header);
  if (card) {
    const g = card.adu ? givenGain(frame, k, gain)?.gain ?? measuredGainOf(frame, k, ctx)?.gain : undefined;
    const rn = g !== undefined ? Number((card.value * g).toPrecision(6)) : card.value;
    ctx.used('readNoise', rn);
    return rn;
  }
  ctx.used('readNoise', 0);
  ctx.warn(`extension ${frame.exts[k].extver}: no read noise in the header (RDNOISE/READNOIS) and none given: assumed 0 e-`);
  return 0;
}

/** The comment ADUToElectrons gives the gain card it sets to 1 (GAIN or EGAIN, whichever gave the gain). */
export const ELECTRONS_GAIN_COMMENT = 'e-/ADU: data in electrons';

export const ADUToElectrons: FramePrimitive = {
  kind: 'frame',
  name: 'ADUToElectrons',
  // Where no gain is given: the gain the master flat measured (GAINMEAS).
  consults: 'flat',
  doc: 'Multiplies by the gain so pixels are in electrons (BUNIT = electron); VAR by the gain squared. Without a gain (header or parameter) the pixels stay in ADU, and the gain the master flat measured (GAINMEAS) serves VAR and the cosmic-ray search.',
  params: [
    param('gain', 'number', null, 'Gain in e-/ADU; empty = GAIN/EGAIN from the header', { nullable: true, min: 1e-6 }),
  ],
  run(frame, p, ctx) {
    if (frame.bunit === 'electron') return { skipped: 'already in electrons' };
    // Without a gain the pixels stay in ADU and say so (BUNIT = adu): multiplied by an assumed 1 and
    // labelled electrons, a product of a camera at 1.6 e-/ADU read 38% low to anything that trusts
    // BUNIT (a N.I.N.A.-style night without EGAIN: sky level 0.62 of the truth in electrons).
    // A gain measured on the flats (measureGain) is noted (GAINMEAS), for VAR and the cosmic-ray search,
    // but not applied: gain.ts says why.
    const missing = frame.exts.findIndex((_, k) => !givenGain(frame, k, optNum(p, 'gain')));
    if (missing >= 0) {
      const measured = frame.exts.map((ext, k) => {
        const m = measuredGainOf(frame, k, ctx);
        if (m) setCard(ext.header, MEASURED_GAIN_KEY, m.gain, MEASURED_GAIN_COMMENT);
        return m;
      });
      if (frame.exts.length === 1 && measured[0]) setCard(frame.primary, MEASURED_GAIN_KEY, measured[0].gain, MEASURED_GAIN_COMMENT);
      const m = measured[missing];
      ctx.warn(`extension ${frame.exts[missing].extver}: no gain in the header (GAIN/EGAIN) and none given: the pixels stay in ADU (set ADUToElectrons' gain to have them in electrons)${m ? `; VAR and the cosmic-ray search use ${m.gain} e-/ADU, ${m.from}` : ''}`);
      return { skipped: 'no gain in the header (GAIN/EGAIN) and none given: the pixels stay in ADU' };
    }
    // Said before the extensions are converted: their SATURATE cards name the unit they move into.
    frame.bunit = 'electron';
    const gains = frame.exts.map((ext, k) => {
      const { gain, key } = gainOf(frame, k, optNum(p, 'gain'), ctx);
      toElectrons(ext.data, gain, ext.data);
      setCard(ext.header, 'BUNIT', 'electron', 'pixel unit');
      // The saturation level follows the pixels into electrons (and the primary's with it: see moveSaturation).
      moveSaturation(frame, k, (s) => s * gain);
      setCard(ext.header, 'GAINORIG', gain, `e-/ADU applied by ADUToElectrons${key ? ` (from ${key})` : ''}`);
      // A read noise in ADU (a master bias's, measured with no gain known) goes into electrons too.
      const rn = readNoiseCard(frame.primary, ext.header);
      if (rn?.adu) {
        const value = Number((rn.value * gain).toPrecision(6));
        for (const cards of frame.exts.length === 1 ? [ext.header, frame.primary] : [ext.header]) setCard(cards, rn.key, value, `e-, was ${rn.value} ADU (x GAINORIG)`);
      }
      // The data are in electrons now: their gain is 1, or a reader would apply it twice.
      if (key && cardNumber(ext.header, key) !== undefined) setCard(ext.header, key, 1, `${ELECTRONS_GAIN_COMMENT} (was ${gain}, see GAINORIG)`);
      ctx.log(`ext ${ext.extver}: x ${gain} e-/ADU${key ? ` (${key})` : ' (parameter)'}`);
      return { gain, key };
    });
    setCard(frame.primary, 'BUNIT', 'electron', 'pixel unit');
    // The same for the gain keyword in the primary header, where single-extension frames keep it.
    const first = gains[0];
    if (first.key && cardNumber(frame.primary, first.key) !== undefined && gains.every((g) => g.key === first.key)) {
      setCard(frame.primary, first.key, 1, `${ELECTRONS_GAIN_COMMENT} (was ${first.gain})`);
    }
  },
};

export const addVariance: FramePrimitive = {
  kind: 'frame',
  name: 'addVariance',
  doc: 'Adds read noise squared and, when asked, the Poisson term of the counts to VAR (created when absent).',
  params: [
    param('readNoise', 'number', null, 'Read noise in electrons; empty = RDNOISE/READNOIS from the header', { nullable: true, min: 0 }),
    param('poisson', 'boolean', true, 'Add the Poisson variance of the counts left after bias and dark (subtractDark adds that of the dark current it took out)'),
    param('gain', 'number', null, 'Gain in e-/ADU, used only while the frame is in ADU; empty = from the header', { nullable: true, min: 1e-6 }),
  ],
  run(frame, p, ctx) {
    const poisson = bool(p, 'poisson');
    // A bias's extensions (no Poisson term) whose read noise nothing gives: a VAR of zeros would say they
    // have no noise. measureReadNoise, next, measures it from two biases and gives them that VAR.
    const measured = ctx.later('measureReadNoise') && optNum(p, 'readNoise') === undefined;
    const unknown = !poisson && measured ? withoutReadNoise(frame).filter((k) => !frame.exts[k].data.var) : [];
    if (unknown.length) frame.meta.readNoiseUnknown = unknown;
    if (unknown.length && unknown.length === frame.exts.length) {
      return { skipped: 'no read noise in the header (RDNOISE/READNOIS) and none given: measureReadNoise measures it' };
    }
    // No overscan, bias or dark took the camera's level out (a CMOS night of darks without biases): the
    // Poisson term would count that level as detected electrons (on a N.I.N.A.-style night, a master
    // dark's VAR 104 ADU^2 where its scatter says 0.6, a reduced frame's 44% too high). Frames to be
    // stacked get no VAR: the stack measures it from their scatter.
    if (poisson && !frame.meta.levelRemoved) {
      if (ctx.later('stackFrames')) {
        frame.meta.varFromScatter = true;
        // Darks without a bias: what no header says of their noise, measureReadNoise measures from two of them.
        const quiet = measured ? withoutReadNoise(frame) : [];
        if (quiet.length) frame.meta.readNoiseUnknown = quiet;
        return { skipped: 'the bias level is still in the pixels (no overscan, bias or dark subtracted): VAR is left to the stack, which measures it from the frames\' scatter' };
      }
      ctx.warn('the bias level is still in the pixels (no overscan, bias or dark subtracted): VAR counts it as Poisson noise');
    }
    frame.exts.forEach((ext, k) => {
      if (unknown.includes(k)) return;
      const inAdu = frame.bunit === 'adu';
      const rn = readNoiseOf(frame, k, optNum(p, 'readNoise'), ctx, inAdu ? optNum(p, 'gain') : undefined);
      const gain = inAdu ? gainOf(frame, k, optNum(p, 'gain'), ctx).gain : 1;
      addVarianceFromNoise(ext.data, { readNoise: rn, gain, bunit: inAdu ? 'adu' : 'electron', poissonFromData: poisson });
      ctx.log(`ext ${ext.extver}: VAR += ${inAdu ? `(${rn} e- / ${gain})^2` : `${rn}^2`}${poisson ? ' + Poisson' : ''}`);
    });
  },
};
