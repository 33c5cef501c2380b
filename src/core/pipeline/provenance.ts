/**
 * What a product's primary header says about how it was made (DESIGN.md
 * section 4): FILTER, NCOMBINE and IMCMB001... for its inputs, BIASIM /
 * DARKIM / FLATIM for its calibrations (written by the steps that applied
 * them), one HISTORY line per primitive with its parameters, a timestamp
 * keyword per step (DRAGONS' habit: the keyword says the step ran and when),
 * the recipe, and the quality figures (written by detectSources).
 */
import type { Card } from '../fits/types';
import { addHistory, deleteCards, setCard } from './cards';
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

export interface StepRecord {
  step: string;
  values: StepValues;
  /** ISO time the step ended. */
  at: string;
  /** Why it did not apply, when it did not. */
  skipped?: string;
}

export function stepHistory(cards: Card[], rec: StepRecord): void {
  const params = formatStepValues(rec.values);
  addHistory(cards, `${rec.step}${params ? `: ${params}` : ''}${rec.skipped ? ` (skipped: ${rec.skipped})` : ''}`);
  const key = STAMP[rec.step];
  if (key) setCard(cards, key, rec.at.slice(0, 19), `${rec.step}${rec.skipped ? ' skipped' : ''} (UTC)`);
}

export interface ProvenanceOptions {
  kind: ProductKind;
  recipe: string;
  inputs: readonly FrameRef[];
  leftOut?: readonly LeftOut[];
  members?: readonly StackMember[];
  warnings?: readonly string[];
  signature: string;
  bunit: 'adu' | 'electron' | 'none';
  filter?: string;
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
  // A stack's extensions too start from the reference frame's: its cosmic-ray count is not the stack's.
  if (o.kind === 'stack') for (const ext of o.extHeaders ?? []) deleteCards(ext, ['NCOSMIC']);
  if (o.kind !== 'reduced') {
    setCard(primary, 'NCOMBINE', o.inputs.length, 'frames combined');
    o.inputs.slice(0, 999).forEach((f, i) => setCard(primary, `IMCMB${String(i + 1).padStart(3, '0')}`, f.name));
  }
  for (const m of o.members ?? []) {
    addHistory(primary, `${m.name}: offset ${m.dx.toFixed(3)} ${m.dy.toFixed(3)} (${m.method}${m.nMatched ? `, ${m.nMatched} stars` : ''}) scale ${m.scale.toFixed(4)} zero ${m.zero.toFixed(2)} weight ${m.weight.toFixed(3)}`);
  }
  for (const f of o.leftOut ?? []) addHistory(primary, `left out ${f.name}: ${f.reason}`);
  for (const w of o.warnings ?? []) addHistory(primary, `warning: ${w}`);
  setCard(primary, 'PIPESIG', o.signature.slice(0, 60), 'inputs+calibrations+parameters signature');
}
