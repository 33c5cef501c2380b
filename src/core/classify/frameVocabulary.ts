/**
 * The words observatories and capture programs use for a frame's type, mapped
 * to the five types the workbench knows. Matching ignores case, spaces,
 * underscores, hyphens, dots and parentheses, and a trailing 'frame' ('Bias
 * Frame' = 'BIAS' = 'bias'), so one table serves MaxIm DL, N.I.N.A., SharpCap,
 * ASCOM, IRAF, Gemini, LCO, DECam and Subaru spellings.
 *
 * Words that name a processed calibration made by another tool ('Master
 * Bias', 'MASTER_DARK', 'mflat', 'superbias', 'normflat', 'Bias (master)')
 * carry `master: true`, so the frame is used as a calibration instead of being
 * combined again as a raw frame.
 */

export type FrameType = 'bias' | 'dark' | 'flat' | 'science' | 'unclassified';

export interface Meaning {
  type: FrameType;
  /** What the word means, for the reason shown to the user ('dark for flats', 'arc/comparison lamp'). */
  what: string;
  /** The word names a processed (master) calibration, not a raw frame. Only bias, dark and flat meanings carry it. */
  master?: boolean;
}

const BIAS: Meaning = { type: 'bias', what: 'bias' };
const DARK: Meaning = { type: 'dark', what: 'dark' };
const FLAT: Meaning = { type: 'flat', what: 'flat' };
const SCIENCE: Meaning = { type: 'science', what: 'science' };
const ARC: Meaning = { type: 'unclassified', what: 'arc/comparison lamp frame' };

const WORDS: Record<string, Meaning> = {
  bias: BIAS,
  zero: BIAS,
  dark: DARK,
  darkcurrent: DARK,
  darkflat: { type: 'dark', what: 'dark for flats' },
  flatdark: { type: 'dark', what: 'dark for flats' },
  flat: FLAT,
  flatfield: FLAT,
  domeflat: { type: 'flat', what: 'dome flat' },
  dflat: { type: 'flat', what: 'dome flat' },
  screenflat: { type: 'flat', what: 'dome flat' },
  skyflat: { type: 'flat', what: 'sky flat' },
  sflat: { type: 'flat', what: 'sky flat' },
  twilight: { type: 'flat', what: 'twilight flat' },
  twilightflat: { type: 'flat', what: 'twilight flat' },
  twiflat: { type: 'flat', what: 'twilight flat' },
  lampflat: { type: 'flat', what: 'lamp flat' },
  flatlamp: { type: 'flat', what: 'lamp flat' },
  object: SCIENCE,
  obj: SCIENCE,
  science: SCIENCE,
  sci: SCIENCE,
  light: SCIENCE,
  expose: SCIENCE, // Las Cumbres Observatory
  standard: { type: 'science', what: 'standard star (reduced as science)' },
  std: { type: 'science', what: 'standard star (reduced as science)' },
  comp: ARC,
  comparison: ARC,
  arc: ARC,
  lamp: ARC,
  arclamp: ARC,
  wave: ARC,
  wavecal: ARC,
  focus: { type: 'unclassified', what: 'focus frame' },
  acq: { type: 'unclassified', what: 'acquisition frame' },
  acquisition: { type: 'unclassified', what: 'acquisition frame' },
  acqcal: { type: 'unclassified', what: 'acquisition frame' },
  // Sky frames are kept apart so they are never stacked with the target.
  sky: { type: 'unclassified', what: 'sky (background) frame' },
  guide: { type: 'unclassified', what: 'guider frame' },
  pinhole: { type: 'unclassified', what: 'pinhole/mask calibration' },
  ronchi: { type: 'unclassified', what: 'pinhole/mask calibration' },
  mask: { type: 'unclassified', what: 'pinhole/mask calibration' },
  illum: { type: 'unclassified', what: 'IRAF illumination image' },
  fringe: { type: 'unclassified', what: 'fringe frame' },
  snapshot: { type: 'unclassified', what: 'snapshot (test exposure)' },
  test: { type: 'unclassified', what: 'test exposure' },
  experimental: { type: 'unclassified', what: 'experimental exposure' },
  pointing: { type: 'unclassified', what: 'pointing frame' },
};

/**
 * Processed calibrations as other tools name them, built from the raw words
 * above so every spelling of a bias/dark/flat gets the same master forms:
 * - PixInsight (Weighted) BatchPreprocessing writes IMAGETYP = 'Master Bias',
 *   'Master Dark', 'Master Flat' (StackEngine.imageTypeToMasterKeywordValue);
 *   scripts around ccdproc and other tools write 'MASTER_BIAS', 'masterbias',
 *   'combined bias', ...;
 * - the reversed order some scripts use: 'BIAS_MASTER', 'Bias (master)';
 * - 'super' (IRAF-era 'superbias', 'superflat') and DRAGONS' calibration
 *   type names ('processed_bias');
 * - the short names 'mbias', 'mdark', 'mflat' (AstroImageJ's and many
 *   scripts' master file names), only for the three plain words, to keep the
 *   table unambiguous;
 * - normalized flats: 'normflat', 'normalized flat'.
 * Siril, IRAF zerocombine/flatcombine and DRAGONS keep the raw word and mark
 * the product with keywords instead; see masters.ts.
 */
const MASTER_BASES: Record<string, Meaning> = {
  bias: BIAS,
  zero: BIAS,
  dark: DARK,
  darkflat: { type: 'dark', what: 'dark for flats' },
  flatdark: { type: 'dark', what: 'dark for flats' },
  flat: FLAT,
  flatfield: FLAT,
  domeflat: { type: 'flat', what: 'dome flat' },
  skyflat: { type: 'flat', what: 'sky flat' },
  twilightflat: { type: 'flat', what: 'twilight flat' },
  twiflat: { type: 'flat', what: 'twilight flat' },
  lampflat: { type: 'flat', what: 'lamp flat' },
};

function masterOf(m: Meaning): Meaning {
  return { type: m.type, what: `master ${m.what}`, master: true };
}

for (const [base, meaning] of Object.entries(MASTER_BASES)) {
  const master = masterOf(meaning);
  for (const w of [`master${base}`, `${base}master`, `super${base}`, `processed${base}`, `combined${base}`]) WORDS[w] = master;
}
for (const base of ['bias', 'dark', 'flat']) WORDS[`m${base}`] = masterOf(MASTER_BASES[base]);
for (const w of ['normflat', 'normalizedflat', 'normalisedflat', 'normflatfield']) {
  WORDS[w] = { type: 'flat', what: 'normalized master flat', master: true };
}
// A stacked light is a science product: it is never a calibration, so no master flag.
WORDS.masterlight = { type: 'science', what: 'stacked light frame (master light)' };

export function normalizeTypeWord(value: string): string {
  let w = value.toLowerCase().replace(/[\s_\-.()]+/g, '');
  if (w.length > 5 && w.endsWith('frame')) w = w.slice(0, -5);
  return w;
}

/** Meaning of a frame-type value, or undefined when the word is not known. */
export function interpretTypeWord(value: string): Meaning | undefined {
  return Object.prototype.hasOwnProperty.call(WORDS, normalizeTypeWord(value))
    ? WORDS[normalizeTypeWord(value)]
    : undefined;
}
