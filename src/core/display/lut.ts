/**
 * The lookup table that turns pixel values into colours, built once per
 * change of limits, scale, colormap, contrast/bias or invert, so rendering is
 * one multiply, one clamp and one table read per screen pixel.
 *
 * A value v falls in cell k = round((v - low) * (LUT_SIZE - 1) / (high - low)),
 * clamped to [0, LUT_SIZE - 1]; cell k holds the colour of x = k / (LUT_SIZE - 1)
 * after the scale function. 65536 cells keep even the steep start of DS9's log
 * scale (slope ~145 at x = 0) below one grey level per cell.
 *
 * Colour from a display fraction y follows SAOImage's colorbar (tksao
 * colorbar.C, as JS9 ports it): the colormap's cells are stretched about the
 * bias by the contrast, cell j -> floor(((j / n - bias) * contrast + 0.5) * n),
 * clipped; invert reverses the cells and mirrors the bias. Contrast 1 and
 * bias 0.5 leave the colormap as it is.
 *
 * Colours are packed as little-endian RGBA words, so a Uint32Array over an
 * ImageData's bytes takes them as they are.
 */
import { COLORMAP_SIZE, colormap, type ColormapName } from './colormaps';
import { DEFAULT_EXPONENT, scaleForward, type ScaleName } from './scale';
import { LITTLE_ENDIAN } from '../endian';

export const LUT_SIZE = 65536;

export interface DisplayParams {
  /** Display limits: values at or below `low` get the first colour, at or above `high` the last. */
  low: number;
  high: number;
  scale: ScaleName;
  /** Exponent of the log and pow scales. */
  exponent?: number;
  colormap: ColormapName;
  /** DS9 contrast (default 1) and bias (default 0.5). */
  contrast: number;
  bias: number;
  invert: boolean;
}

export const DEFAULT_CONTRAST = 1;
export const DEFAULT_BIAS = 0.5;

/** One RGBA pixel as the word a Uint32Array view of ImageData bytes holds. */
export function packRGBA(r: number, g: number, b: number, a = 255): number {
  return LITTLE_ENDIAN ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

export function unpackRGBA(word: number): [number, number, number, number] {
  return LITTLE_ENDIAN
    ? [word & 255, (word >>> 8) & 255, (word >>> 16) & 255, word >>> 24]
    : [word >>> 24, (word >>> 16) & 255, (word >>> 8) & 255, word & 255];
}

/** The colormap cell (0 .. COLORMAP_SIZE - 1) a display fraction y shows, after contrast, bias and invert. */
export function colormapCell(y: number, contrast: number, bias: number, invert: boolean): number {
  const n = COLORMAP_SIZE;
  let j = Math.floor(y * n);
  if (j >= n) j = n - 1;
  if (j < 0) j = 0;
  if (invert) j = n - 1 - j;
  const b = invert ? 1 - bias : bias;
  const r = Math.floor(((j / n - b) * contrast + 0.5) * n);
  return r < 0 ? 0 : r >= n ? n - 1 : r;
}

/** Packed colour of display fraction y. */
export function colourAt(y: number, p: Pick<DisplayParams, 'colormap' | 'contrast' | 'bias' | 'invert'>): number {
  const map = colormap(p.colormap);
  const c = colormapCell(y, p.contrast, p.bias, p.invert) * 3;
  return packRGBA(map[c], map[c + 1], map[c + 2]);
}

/** How values map to cells: cell = (v - low) * factor, rounded and clamped. */
export interface LutMapping {
  low: number;
  factor: number;
}

/** Limits made usable: equal or reversed limits become a hair-wide range, so every value still maps. */
export function lutMapping(low: number, high: number): LutMapping {
  let hi = high;
  if (!(hi > low)) hi = low + (Math.abs(low) * 1e-6 || 1e-6);
  return { low, factor: (LUT_SIZE - 1) / (hi - low) };
}

/**
 * The LUT_SIZE packed colours. `cdf` (LUT_SIZE fractions, from histequ.ts) is
 * required for the histequ scale and ignored by the others.
 */
export function buildLut(p: DisplayParams, cdf?: Float32Array): Uint32Array {
  const lut = new Uint32Array(LUT_SIZE);
  const map = colormap(p.colormap);
  const exponent = p.exponent ?? DEFAULT_EXPONENT;
  if (p.scale === 'histequ' && !cdf) throw new Error('histogram equalization needs the frame distribution (cdf)');
  // The colour of a colormap cell, packed once per cell rather than once per LUT entry.
  const cells = new Uint32Array(COLORMAP_SIZE);
  for (let c = 0; c < COLORMAP_SIZE; c++) cells[c] = packRGBA(map[c * 3], map[c * 3 + 1], map[c * 3 + 2]);
  const toCell = new Uint16Array(COLORMAP_SIZE);
  for (let j = 0; j < COLORMAP_SIZE; j++) toCell[j] = colormapCell((j + 0.5) / COLORMAP_SIZE, p.contrast, p.bias, p.invert);
  for (let k = 0; k < LUT_SIZE; k++) {
    const x = k / (LUT_SIZE - 1);
    const y = p.scale === 'histequ' ? cdf![k] : scaleForward(p.scale, x, exponent);
    let j = Math.floor(y * COLORMAP_SIZE);
    if (j >= COLORMAP_SIZE) j = COLORMAP_SIZE - 1;
    else if (!(j >= 0)) j = 0;
    lut[k] = cells[toCell[j]];
  }
  return lut;
}
