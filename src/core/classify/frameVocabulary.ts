/**
 * The words observatories and capture programs use for a frame's type, mapped
 * to the five types the workbench knows. Matching ignores case, spaces,
 * underscores, hyphens and dots, and a trailing 'frame' ('Bias Frame' = 'BIAS'
 * = 'bias'), so one table serves MaxIm DL, N.I.N.A., SharpCap, ASCOM, IRAF,
 * Gemini, LCO, DECam and Subaru spellings.
 */

export type FrameType = 'bias' | 'dark' | 'flat' | 'science' | 'unclassified';

export interface Meaning {
  type: FrameType;
  /** What the word means, for the reason shown to the user ('dark for flats', 'arc/comparison lamp'). */
  what: string;
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

export function normalizeTypeWord(value: string): string {
  let w = value.toLowerCase().replace(/[\s_\-.]+/g, '');
  if (w.length > 5 && w.endsWith('frame')) w = w.slice(0, -5);
  return w;
}

/** Meaning of a frame-type value, or undefined when the word is not known. */
export function interpretTypeWord(value: string): Meaning | undefined {
  return Object.prototype.hasOwnProperty.call(WORDS, normalizeTypeWord(value))
    ? WORDS[normalizeTypeWord(value)]
    : undefined;
}
