/**
 * What a product's primary header says about how it was made (DESIGN.md
 * section 4): FILTER, NCOMBINE and IMCMB001... for its inputs, BIASIM /
 * DARKIM / FLATIM for its calibrations (written by the steps that applied
 * them), one HISTORY line per primitive with its parameters, a timestamp
 * keyword per step (DRAGONS' habit: the keyword says the step ran and when),
 * the recipe, and the quality figures (written by detectSources).
 */
import type { Card } from '../fits/types';
import { addHistory, cardNumber, cardValue, deleteCards, setCard } from './cards';
import { ELECTRONS_GAIN_COMMENT, readNoiseCommentInAdu } from './primitives/electrons';
import { MEASURED_GAIN_COMMENT, MEASURED_GAIN_KEY } from './primitives/gain';
import { extractDescriptors } from '../classify/descriptors';
import { msToMjd } from '../classify/dates';
import { frameTime } from './facts';
import { formatStepValues, type StepValues } from './params';
import { isMasterKind, type FrameRef, type LeftOut, type ProductKind, type StackMember } from './products';

/** Timestamp keyword of each primitive (8 characters, FITS standard). */
export const STAMP: Record<string, string> = {
  addDQ: 'ADDDQ',
  overscanCorrect: 'SUBOVER',
  trimData: 'TRIMDATA',
  subtractBias: 'BIASCORR',
  subtractDark: 'DARKCORR',
  checkFlatLevel: 'FLATCHK',
  ADUToElectrons: 'ADU2ELEC',
  addVariance: 'ADDVAR',
  measureReadNoise: 'RDNMEAS',
  flatCorrect: 'FLATCORR',
  flagCosmicRays: 'CRCORR',
  detectSources: 'DETSRC',
  tileArrays: 'TILEARRS',
  selectFrames: 'SELFRAME',
  adjustOffsets: 'ALIGNED',
  scaleToReference: 'SCALEREF',
  resample: 'RESAMPLD',
  stackFrames: 'STACKED',
  normalizeFlat: 'NORMFLAT',
  flagFlatBadPixels: 'FLATBPM',
};

/** Cards that say when (each step's timestamp, the file's DATE): they differ between two runs of the same product. */
export const WHEN_KEYS: ReadonlySet<string> = new Set([...Object.values(STAMP), 'DATE']);

export interface StepRecord {
  step: string;
  values: StepValues;
  /** ISO time the step ended. */
  at: string;
  /** Why it did not apply, when it did not. */
  skipped?: string;
  /** What its empty parameters took, per parameter (each distinct value once). */
  used?: Record<string, string[]>;
  /** Every frame had it done already (a stack's members came with their stars): it did not run here. */
  satisfied?: boolean;
}

export function stepHistory(cards: Card[], rec: StepRecord): void {
  // "gain=auto(1.6)": what an empty parameter (or the choice 'auto') meant for these frames.
  const params = formatStepValues(rec.values, rec.used);
  const note = rec.skipped ? ` (skipped: ${rec.skipped})` : rec.satisfied ? ' (not run: every frame had what it gives)' : '';
  addHistory(cards, `${rec.step}${params ? `: ${params}` : ''}${note}`);
  // A step that did not run here keeps the time it ran at, where the header has it (a stack's
  // detectSources: its reference frame's); otherwise every step has its stamp.
  const key = STAMP[rec.step];
  if (key && !(rec.satisfied && cardValue(cards, key) !== undefined)) {
    setCard(cards, key, rec.at.slice(0, 19), `${rec.step}${rec.skipped ? ' skipped' : rec.satisfied ? ' not run' : ''} (UTC)`);
  }
}

export interface ProvenanceOptions {
  kind: ProductKind;
  recipe: string;
  /** The frames combined (not those left out). */
  inputs: readonly FrameRef[];
  leftOut?: readonly LeftOut[];
  members?: readonly StackMember[];
  warnings?: readonly string[];
  signature: string;
  bunit: 'adu' | 'electron' | 'none';
  filter?: string;
  /** A stack's combine operation (stackFrames' operation): its gain and read noise follow from it. */
  operation?: string;
  /** When the product was made (ms since epoch): its DATE card. */
  createdAt?: number;
  /** The extension headers of the product, for the few cards they must lose too. */
  extHeaders?: Card[][];
}

const KIND_TYPE: Record<ProductKind, string> = {
  bias: 'MASTER BIAS',
  dark: 'MASTER DARK',
  flat: 'MASTER FLAT',
  reduced: 'REDUCED',
  stack: 'STACK',
};

/** Frames a weighted mean counts as, (sum w)^2 / sum w^2: N for equal weights. */
function effectiveFrames(members: readonly StackMember[], used: number): number {
  let s = 0, s2 = 0;
  for (const m of members) { s += m.weight; s2 += m.weight * m.weight; }
  return s2 > 0 ? (s * s) / s2 : used;
}

/**
 * The gain and read noise of a stack in electrons, by how it was combined.
 * Each frame's gain is 1 once in electrons. A mean of N frames counts as N
 * exposures (SExtractor's convention for averaged images: gain N, read noise
 * rn / sqrt N; N weighted by the frames' weights; a weighted mean by 1/VAR
 * as N, its weights being near equal for frames alike); a median as a mean
 * of 2N/pi (its efficiency, N >= 3); a sum is electrons still (gain 1, read
 * noise rn sqrt N). The reference frame's cards said 1 and rn, and a tool
 * that takes Poisson noise from the gain was off N times. Only the gain card
 * ADUToElectrons set is changed (a MaxIm-style GAIN is a camera setting).
 * A stack left in ADU (no gain given) says the same of the gain measured on
 * the flats (GAINMEAS) and of its read noise, in ADU (a sum is then ADU
 * still: gain as measured, read noise rn sqrt N).
 */
function noiseOfCombined(headers: Card[][], operation: string, nEff: number, n: number): void {
  const text = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
  const asMean = operation === 'median' ? (n >= 3 ? (2 * n) / Math.PI : n) : operation === 'wmean' ? n : nEff;
  const [gain, rnFactor, what] = operation === 'sum'
    ? [1, Math.sqrt(n), `the sum of ${n} frames`]
    : [asMean, 1 / Math.sqrt(asMean), `the ${operation} of ${n} frames (as ${text(asMean)} exposures)`];
  for (const h of headers) {
    for (const c of h) {
      const key = c.key.toUpperCase();
      if ((key === 'GAIN' || key === 'EGAIN') && c.value === 1 && (c.comment ?? '').startsWith(ELECTRONS_GAIN_COMMENT)) {
        setCard(h, c.key, Math.round(gain * 1e4) / 1e4, `e-/ADU of ${what}`);
      }
    }
    const measured = cardNumber(h, MEASURED_GAIN_KEY);
    if (measured !== undefined) setCard(h, MEASURED_GAIN_KEY, Number((measured * gain).toPrecision(4)), `${MEASURED_GAIN_COMMENT}, of ${what}`);
    for (const key of ['RDNOISE', 'READNOIS']) {
      const rn = cardNumber(h, key);
      if (rn === undefined) continue;
      // The unit leads where it is ADU: readNoiseCommentInAdu reads it so.
      const adu = readNoiseCommentInAdu(h.find((c) => c.key.toUpperCase() === key)?.comment);
      setCard(h, key, Math.round(rn * rnFactor * 1e4) / 1e4, adu ? `ADU, read noise of ${what}` : `read noise of ${what}, e-`);
    }
  }
}

/**
 * Cards every product gets on top of its first input's header. Masters say
 * what they are in IMAGETYP/OBSTYPE-style words and NCOMBINE, so that this
 * workbench (and DRAGONS, IRAF, MaxIm) recognise them as processed
 * calibrations when they come back as files.
 */
export function provenanceCards(primary: Card[], o: ProvenanceOptions): void {
  setCard(primary, 'PRODTYPE', KIND_TYPE[o.kind], 'product of the CCD workbench');
  if (isMasterKind(o.kind)) {
    for (const key of ['IMAGETYP', 'OBSTYPE']) {
      if (primary.some((c) => c.key.toUpperCase() === key)) setCard(primary, key, KIND_TYPE[o.kind]);
    }
    if (!primary.some((c) => ['IMAGETYP', 'OBSTYPE'].includes(c.key.toUpperCase()))) setCard(primary, 'IMAGETYP', KIND_TYPE[o.kind]);
  }
  // A stack starts from its reference frame's header: that frame's own quality figures would be wrong here.
  if (o.kind === 'stack') deleteCards(primary, ['FWHM', 'ELLIPTIC', 'SKYLEVEL', 'SKYNOISE', 'NSTARS', 'NCOSMIC']);
  setCard(primary, 'RECIPE', o.recipe, 'recipe that made this product');
  if (o.filter !== undefined) setCard(primary, 'FILTER', o.filter);
  if (o.bunit === 'none') deleteCards(primary, ['BUNIT']);
  else setCard(primary, 'BUNIT', o.bunit, 'pixel unit');
  // A combined product's extensions start from its first frame's: that frame's own measurements (its
  // overscan level and scatter, its cosmic-ray count) are not the product's.
  if (o.kind !== 'reduced') for (const ext of o.extHeaders ?? []) deleteCards(ext, ['NCOSMIC', 'CRNOISE', 'OVERSCAN', 'OVERRMS']);
  if (o.kind !== 'reduced') {
    // What was combined (IRAF's convention): `inputs` are those (the engine hands over the frames it
    // combined); a frame a step refused or the stack rejected is in HISTORY ("left out").
    setCard(primary, 'NCOMBINE', o.inputs.length, 'frames combined');
    o.inputs.slice(0, 999).forEach((f, i) => setCard(primary, `IMCMB${String(i + 1).padStart(3, '0')}`, f.name));
    if (o.kind === 'stack' && (o.bunit === 'electron' || o.bunit === 'adu')) {
      noiseOfCombined([primary, ...(o.extHeaders ?? [])], o.operation ?? 'mean', effectiveFrames(o.members ?? [], o.inputs.length), o.inputs.length);
    }
  }
  for (const m of o.members ?? []) {
    const shifted = m.shifted ? ` shifted ${m.shifted.dx} ${m.shifted.dy} (whole pixels)` : '';
    addHistory(primary, `${m.name}: offset ${m.dx.toFixed(3)} ${m.dy.toFixed(3)} (${m.method}${m.nMatched ? `, ${m.nMatched} stars` : ''})${shifted} scale ${m.scale.toFixed(4)} zero ${m.zero.toFixed(2)} weight ${m.weight.toFixed(3)}`);
  }
  for (const f of o.leftOut ?? []) addHistory(primary, `left out ${f.name}: ${f.reason}`);
  for (const w of o.warnings ?? []) addHistory(primary, `warning: ${w}`);
  setCard(primary, 'PIPESIG', o.signature.slice(0, 60), 'inputs+calibrations+parameters signature');
  // FITS 4.0's DATE: when this HDU was written. MJD-OBS from the observation's date when the header has
  // none: astropy's WCS otherwise works it out and warns (FITSFixedWarning 'datfix') on every read.
  setCard(primary, 'DATE', new Date(o.createdAt ?? Date.now()).toISOString().slice(0, 19), 'date this file was written (UTC)');
  if (cardNumber(primary, 'MJD-OBS') === undefined) {
    const d = extractDescriptors(primary);
    // Only from a date with its time of day: a bare date would say midnight.
    const t = d.dateObs && d.dateObs.length > 10 ? frameTime(d) : undefined;
    if (t !== undefined) setCard(primary, 'MJD-OBS', Math.round(msToMjd(t) * 1e8) / 1e8, 'MJD of the start of the observation (from DATE-OBS)');
  }
}
