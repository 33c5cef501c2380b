/**
 * A frame as recipes see it, after DRAGONS' AstroData: a primary header and
 * one or more science extensions (one per amplifier or CCD), each with its
 * own header and SCI/VAR/DQ planes. Primitives work on these in memory, one
 * frame at a time; whole stacks are streamed by the engine instead.
 */
import type { Card } from '../fits/types';
import type { Frame } from '../kernels/frame';
import { HeaderLookup } from '../classify/headerLookup';
import type { QualityFigures, Star } from './products';
import type { StepValues } from './params';
import { splitPixelKeywords, withoutStructural } from './cards';
import type { PixelStore, StoredFrame } from './store';
import { take } from '../kernels/scratch';

export interface AstroExt {
  extver: number;
  /** Extension header: sections, WCS, per-amplifier gain and noise (no structural keywords). */
  header: Card[];
  data: Frame;
  /** Where raw integer data saturate without a SATURATE keyword (the converter's limit), from BITPIX/BZERO as stored. */
  adcLimit?: number;
}

/** Facts steps leave for later steps and for the product record. */
export interface FrameMeta {
  /** Raw level figures measured by addDQ, before any correction (of a colour mosaic: its brightest colour's median, its most saturated colour's fraction). */
  rawMedian?: number;
  saturation?: number;
  saturatedFraction?: number;
  /** Of a colour mosaic: the colours rawMedian and saturatedFraction are of. */
  rawColours?: { median: string; saturated: string };
  /** Stars found by detectSources (clean ones, brightest first). */
  stars?: Star[];
  quality?: QualityFigures;
  /** The detectSources values that measured `stars` and `quality`. */
  measuredWith?: StepValues;
  /** Exposure time, s (from the header; darks are scaled by it). */
  exptime?: number;
  /** Observation time, ms since epoch. */
  time?: number;
  /** Median of the frame's good pixels as it went into a stack (flats are scaled by its inverse). */
  median?: number;
  /** Extensions addVariance left without VAR, their read noise unknown: measureReadNoise measures it. */
  readNoiseUnknown?: number[];
  /**
   * addVariance left the frame's VAR to its stack's scatter (its pixels hold
   * the camera's level: darks without a bias): measureReadNoise then measures
   * the noise of its difference with another (read and dark-current noise)
   * but gives it no VAR.
   */
  varFromScatter?: boolean;
  /**
   * The step that took the bias level (the camera's pedestal) out of the
   * pixels, first: the overscan (every extension's), a master bias, or a
   * master dark (which holds the level where no bias was taken out of it).
   * Unset, the pixels still hold it: addVariance's Poisson term would count
   * it as detected electrons.
   */
  levelRemoved?: 'overscan' | 'bias' | 'dark';
  /**
   * Per extension, the gain (e-/ADU) measureGain measured on a master
   * flat's frames where no header and no parameter gave one (undefined
   * where one did): their VAR and the master's GAINMEAS card use it.
   */
  measuredGain?: (number | undefined)[];
}

export interface AstroFrame {
  /** Store id of the file it came from. */
  id: string;
  name: string;
  primary: Card[];
  exts: AstroExt[];
  /** 'none' for a normalized flat: a ratio, without unit. */
  bunit: PixelUnit;
  meta: FrameMeta;
}

/**
 * Without a SATURATE keyword, raw integer data saturate at the converter's
 * limit: 65535 for unsigned 16-bit (BITPIX 16 + BZERO 32768), 32767 for
 * signed 16-bit, 255 for 8-bit. Float or scaled data have no such limit.
 */
export function adcLimit(cards: readonly Card[]): number | undefined {
  const h = new HeaderLookup(cards);
  const bitpix = h.num('BITPIX')?.value;
  const bzero = h.num('BZERO')?.value ?? 0;
  const bscale = h.num('BSCALE')?.value ?? 1;
  if (bscale !== 1) return undefined;
  if (bitpix === 16 && bzero === 32768) return 65535;
  if (bitpix === 16 && bzero === 0) return 32767;
  if (bitpix === 8 && bzero === 0) return 255;
  return undefined;
}

/** Header lookup for one extension: its own cards first for pixel keywords, the primary's for the rest. */
export function lookup(frame: Pick<AstroFrame, 'primary' | 'exts'>, ext: number): HeaderLookup {
  return new HeaderLookup(frame.primary, frame.exts[ext]?.header);
}

export type PixelUnit = 'adu' | 'electron' | 'none';

export function unitOf(primary: readonly Card[], ext?: readonly Card[]): 'adu' | 'electron' {
  const u = new HeaderLookup(primary, ext).str('BUNIT')?.value.toLowerCase() ?? '';
  return /^(electron|e-|e$)/.test(u) ? 'electron' : 'adu';
}

/** Headers of a stored frame as an AstroFrame holds them (pixel keywords of a single-HDU file moved to its extension). */
export function astroHeaders(stored: StoredFrame): { primary: Card[]; exts: Card[][] } {
  if (stored.singleHdu) {
    const { primary, pixel } = splitPixelKeywords(stored.primary);
    return { primary, exts: [pixel] };
  }
  return { primary: withoutStructural(stored.primary), exts: stored.exts.map((e) => withoutStructural(e.header)) };
}

/** Reads every plane of every extension (one frame in memory: what a per-frame step needs). */
export async function loadFrame(store: PixelStore, stored: StoredFrame): Promise<AstroFrame> {
  const headers = astroHeaders(stored);
  const exts: AstroExt[] = [];
  for (const [k, e] of stored.exts.entries()) {
    const n = e.width * e.height;
    const data: Frame = {
      width: e.width,
      height: e.height,
      // Planes from the scratch pool (every row is read into them): Parking and the engine give a run's frames back.
      sci: await store.readRows(stored, k, 'sci', 0, e.height, take(Float32Array, n)),
      var: e.planes.var !== undefined ? await store.readRows(stored, k, 'var', 0, e.height, take(Float32Array, n)) : undefined,
      dq: e.planes.dq !== undefined ? await store.readRows(stored, k, 'dq', 0, e.height, take(Uint16Array, n)) : undefined,
    };
    exts.push({ extver: e.extver, header: headers.exts[k], data, adcLimit: adcLimit(stored.singleHdu ? stored.primary : e.header) });
  }
  return {
    id: stored.id,
    name: stored.name,
    primary: headers.primary,
    exts,
    bunit: unitOf(headers.primary, headers.exts[0]),
    meta: {},
  };
}

/** Bytes the pixels of a frame hold (for the engine's memory budget). */
export function frameBytes(frame: AstroFrame): number {
  let b = 0;
  for (const e of frame.exts) b += e.data.sci.byteLength + (e.data.var?.byteLength ?? 0) + (e.data.dq?.byteLength ?? 0);
  return b;
}

/** The calibration's extension that goes with extension k of the frame: same EXTVER, else the k-th of as many. */
export function matchingExt(frame: Pick<AstroFrame, 'exts'>, k: number, cal: Pick<AstroFrame, 'exts'>): AstroExt | undefined {
  const ext = frame.exts[k];
  return cal.exts.find((e) => e.extver === ext.extver) ?? (cal.exts.length === frame.exts.length ? cal.exts[k] : undefined);
}
