/**
 * What a product knows about itself: which recipe made it from which frames
 * with which calibrations and parameters, when it may be used as a
 * calibration, and what the pipeline measured on it. Stored with the product
 * (IndexedDB) and summarized in its FITS header.
 */
import type { ResolvedParams } from './params';

export type ProductKind = 'bias' | 'dark' | 'flat' | 'reduced' | 'stack';
export type CalibrationStep = 'bias' | 'dark' | 'flat';
/** Every calibration step, in the order a frame goes through them. */
export const CALIBRATION_STEPS: readonly CalibrationStep[] = ['bias', 'dark', 'flat'];

/** A master (bias, dark or flat): a product that calibrates other frames. */
export const isMasterKind = (k: string | undefined): k is CalibrationStep => k === 'bias' || k === 'dark' || k === 'flat';

export const PRODUCT_LABEL: Record<ProductKind, string> = {
  bias: 'master bias',
  dark: 'master dark',
  flat: 'master flat',
  reduced: 'reduced',
  stack: 'stack',
};

/** Per-frame quality figures (the pipeline's measureQuality step). */
export interface QualityFigures {
  /** Median FWHM of the stars used, pixels (NaN when no star was measured). */
  fwhm: number;
  /** Median ellipticity 1 - b/a of those stars. */
  ellipticity: number;
  /** Sky level (clipped median), in the frame's unit. */
  sky: number;
  /** Sky noise (clipped standard deviation), same unit. */
  skyNoise: number;
  /** Stars used for FWHM and ellipticity. */
  nStars: number;
}

export interface FrameRef {
  id: string;
  name: string;
}

/** A star as detectSources measured it (0-based pixel coordinates, centres at integers). */
export interface Star {
  x: number;
  y: number;
  /** Aperture flux above the local sky. */
  flux: number;
  fwhm: number;
  ellipticity: number;
  peak: number;
  /** Index of the extension it was found in. */
  ext: number;
}

/** A frame the run left out, and why (a refused flat, a frame dropped from a stack). */
export interface LeftOut extends FrameRef {
  reason: string;
  /** The step that refused the frame (absent when it never reached one: a reduction that failed). */
  step?: string;
}

/** A frame a step would have refused, kept because the user overruled the step. */
export interface Kept extends FrameRef {
  step: string;
  reason: string;
}

/** Where a stacked frame went: its offset to the reference and how it was weighted. */
export interface StackMember extends FrameRef {
  dx: number;
  dy: number;
  method: 'reference' | 'stars' | 'xcorr';
  nMatched: number;
  scale: number;
  zero: number;
  weight: number;
  /** The shift applied where it is not the offset's opposite: a colour mosaic's, whole even pixels (primitives/cfa.ts). */
  shifted?: { dx: number; dy: number };
}

export interface ProductInfo {
  kind: ProductKind;
  recipe: string;
  /** Identity of the planned run that made it (same key = same product slot). */
  runKey: string;
  /** Hash of inputs, calibrations and parameters: differs from the plan's when the product is stale. */
  signature: string;
  runId?: string;
  inputs: FrameRef[];
  /** Calibrations used, per step (for a master made of frames with different ones, the first frame's). */
  calibrations: Partial<Record<CalibrationStep, FrameRef>>;
  params: ResolvedParams;
  createdAt: number;
  /**
   * Masters: when they may be used (ms since epoch, inclusive), set when the
   * user edits it; absent, it is the association rules' window around `time`
   * (so changing the rules' window changes it too).
   */
  validity?: { start: number; end: number };
  /** False: marked invalid by the user, never chosen by the rules. */
  valid: boolean;
  /** Mid-time of the inputs, ms since epoch (association's "closest in time"). */
  time?: number;
  exptime?: number;
  filter?: string;
  /** 'none': a normalized flat, a ratio. */
  bunit: 'adu' | 'electron' | 'none';
  quality?: QualityFigures;
  /** Reduced frames: the stars detectSources kept (brightest first), so a stack need not find them again. */
  stars?: Star[];
  leftOut?: LeftOut[];
  /** Frames kept although a step refused them (the user's overrules), with the refusal. */
  kept?: Kept[];
  members?: StackMember[];
  warnings?: string[];
}

/**
 * How many frames went into a product, and how many were planned. A frame
 * a step refused (a saturated flat) is among the inputs and left out; a
 * stack's frame whose reduction failed never became an input, and is only
 * left out.
 */
export function framesUsed(info: Pick<ProductInfo, 'inputs' | 'leftOut'>): { used: number; planned: number } {
  const left = new Set((info.leftOut ?? []).map((l) => l.id));
  const used = info.inputs.filter((i) => !left.has(i.id)).length;
  return { used, planned: used + left.size };
}

/**
 * The product's warnings less those that only say a frame was refused or
 * left out ("raw0013.fits refused: 97% of pixels saturated"): a view that
 * lists the left-out frames with their reasons need not say them twice.
 */
export function warningsBesidesLeftOut(info: Pick<ProductInfo, 'warnings' | 'leftOut'>): string[] {
  const said = new Set((info.leftOut ?? []).flatMap((l) => [`${l.name} refused: ${l.reason}`, `${l.name} left out: ${l.reason}`]));
  return (info.warnings ?? []).filter((w) => !said.has(w));
}

/**
 * One line for the library: what made the product from how many frames,
 * counting only those combined ("master flat made by makeMasterFlat from 5
 * of 6 frames: 1 left out").
 */
export function madeFrom(info: Pick<ProductInfo, 'kind' | 'recipe' | 'inputs' | 'leftOut'>): string {
  const { used, planned } = framesUsed(info);
  const what = `${PRODUCT_LABEL[info.kind]} made by ${info.recipe}`;
  if (used === planned) return `${what} from ${used} frame${used === 1 ? '' : 's'}`;
  return `${what} from ${used} of ${planned} frames: ${planned - used} left out`;
}

/** File name without the FITS extensions ('raw0001.fits.fz' -> 'raw0001'). */
export function baseName(name: string): string {
  return name.replace(/\.(fits|fit|fts)(\.gz|\.fz)?$/i, '').replace(/\.(gz|fz)$/i, '');
}

const SUFFIX: Record<ProductKind, string> = {
  bias: '_bias',
  dark: '_dark',
  flat: '_flat',
  reduced: '_reduced',
  stack: '_stack',
};

/** `<first input>_bias.fits`, `<input>_reduced.fits`, ... (DESIGN.md section 4). */
export function productName(kind: ProductKind, firstInput: string): string {
  return `${baseName(firstInput)}${SUFFIX[kind]}.fits`;
}
