/**
 * Rendering a view of a frame into RGBA words (a Uint32Array over ImageData
 * bytes). Nearest-neighbour sampling at the centre of every device pixel:
 * at high zoom each image pixel is a sharp square of exactly `zoom` device
 * pixels (no smoothing anywhere), zoomed out it picks one pixel per device
 * pixel, as DS9 does.
 *
 * Cost: one table read per device pixel plus the value's cell; screen rows
 * that show the same image row (zoom > 1) are copied, not recomputed.
 */
import type { LutMapping } from './lut';
import { LUT_SIZE } from './lut';
import type { Size, View } from './viewport';

export type PlaneData = Float32Array | Uint16Array;

/**
 * CSS colours of what is not data: outside the frame (the page's image
 * background) and NaN pixels (a cyan no colormap here ends in, so a NaN is
 * never taken for a value; the colorbar shows it as a swatch).
 */
export const BACKGROUND_CSS = '#0b1119';
export const NAN_CSS = '#00d0ff';

export interface RenderTarget {
  pixels: Uint32Array;
  width: number;
  height: number;
}

export interface RenderColours {
  /** Outside the frame (and rows not loaded yet). */
  background: number;
  nan: number;
}

/** For each device column, the image column it shows, or -1 outside the frame. */
export function columnMap(view: View, frameWidth: number, canvasWidth: number): Int32Array {
  const cols = new Int32Array(canvasWidth);
  const half = canvasWidth / 2;
  for (let sx = 0; sx < canvasWidth; sx++) {
    const ix = Math.floor(view.cx + (sx + 0.5 - half) / view.zoom + 0.5);
    cols[sx] = ix >= 0 && ix < frameWidth ? ix : -1;
  }
  return cols;
}

/** The image row a device row shows, or -1 outside the frame. */
export function rowAt(view: View, frameHeight: number, canvasHeight: number, sy: number): number {
  const iy = Math.floor(view.cy - (sy + 0.5 - canvasHeight / 2) / view.zoom + 0.5);
  return iy >= 0 && iy < frameHeight ? iy : -1;
}

/**
 * Paints `view` of `data` (frame.width x frame.height, row 0 at the bottom)
 * into `target`. `loaded` (one flag per image row) marks rows still being
 * read, shown as background; absent, every row is there.
 */
export function renderView(
  data: PlaneData,
  frame: Size,
  view: View,
  lut: Uint32Array,
  mapping: LutMapping,
  target: RenderTarget,
  colours: RenderColours,
  loaded?: Uint8Array,
): void {
  const { pixels, width: W, height: H } = target;
  const cols = columnMap(view, frame.width, W);
  const { low, factor } = mapping;
  const last = LUT_SIZE - 1;
  const first = lut[0];
  const top = lut[last];
  const { background, nan } = colours;
  let previousRow = -2;
  for (let sy = 0; sy < H; sy++) {
    const out = sy * W;
    const iy = rowAt(view, frame.height, H, sy);
    if (iy === previousRow && sy > 0) {
      pixels.copyWithin(out, out - W, out);
      continue;
    }
    previousRow = iy;
    if (iy < 0 || (loaded && !loaded[iy])) {
      pixels.fill(background, out, out + W);
      continue;
    }
    const row = iy * frame.width;
    for (let sx = 0; sx < W; sx++) {
      const ix = cols[sx];
      if (ix < 0) {
        pixels[out + sx] = background;
        continue;
      }
      const t = (data[row + ix] - low) * factor;
      // NaN fails every comparison and falls through to its own colour.
      pixels[out + sx] = t >= 0 ? (t < last ? lut[(t + 0.5) | 0] : top) : t < 0 ? first : nan;
    }
  }
}

/**
 * Paints the pixels of `dq` that have any of `bits` over `target`, blending
 * the colour of their lowest shown bit (`bitColours[b]` for bit value 2^b)
 * at `opacity` (0..1). Same sampling as renderView.
 */
export function overlayMask(
  dq: Uint16Array,
  frame: Size,
  view: View,
  target: RenderTarget,
  bits: number,
  bitColours: Uint32Array,
  opacity: number,
): void {
  if (!bits) return;
  const { pixels, width: W, height: H } = target;
  const cols = columnMap(view, frame.width, W);
  const a = Math.round(Math.min(1, Math.max(0, opacity)) * 256);
  const keep = 256 - a;
  for (let sy = 0; sy < H; sy++) {
    const iy = rowAt(view, frame.height, H, sy);
    if (iy < 0) continue;
    const row = iy * frame.width;
    const out = sy * W;
    for (let sx = 0; sx < W; sx++) {
      const ix = cols[sx];
      if (ix < 0) continue;
      const m = dq[row + ix] & bits;
      if (!m) continue;
      const c = bitColours[31 - Math.clz32(m & -m)];
      const p = pixels[out + sx];
      // Channel-wise blend of two packed words (alpha stays opaque).
      const rb = ((((p & 0xff00ff) * keep + (c & 0xff00ff) * a) >>> 8) & 0xff00ff);
      const g = ((((p & 0x00ff00) * keep + (c & 0x00ff00) * a) >>> 8) & 0x00ff00);
      pixels[out + sx] = (0xff000000 | rb | g) >>> 0;
    }
  }
}
