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

/** The colour of value v: its LUT cell, the first or last beyond the limits; NaN fails every comparison and gets its own colour. */
function colourOf(v: number, low: number, factor: number, lut: Uint32Array, nan: number): number {
  const t = (v - low) * factor;
  return t >= 0 ? (t < LUT_SIZE - 1 ? lut[(t + 0.5) | 0] : lut[LUT_SIZE - 1]) : t < 0 ? lut[0] : nan;
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
      pixels[out + sx] = colourOf(data[row + ix], low, factor, lut, nan);
    }
  }
}

/**
 * For a view zoomed out (zoom < 1), each device pixel's mean of the finite
 * image pixels whose centres it covers (NaN where all are NaN, or where it
 * shows nothing), and whether it shows the frame at all (0 outside it, and
 * where a row is not loaded yet): the panner's overview. Picking one pixel in every 1/zoom, as
 * renderView does, aliases any pattern finer than that: a colour camera's
 * 2 x 2 mosaic becomes moiré. Every image pixel in the view is read once.
 */
export function viewMeans(data: PlaneData, frame: Size, view: View, canvas: Size, loaded?: Uint8Array): { values: Float32Array; shown: Uint8Array } {
  const { width: W, height: H } = canvas;
  // NaN where nothing is shown too: the limits computed from the means skip it.
  const values = new Float32Array(W * H).fill(NaN), shown = new Uint8Array(W * H);
  const step = 1 / view.zoom;
  // Device column sx covers image x in [a, a + step): the pixels whose centres lie there. Two pixels
  // or more wide, it takes whole 2 x 2 cells (from an even column, an even count): a colour mosaic's
  // cells hold one pixel of each colour, and a footprint of 3 would weigh the colours differently
  // from one device pixel to the next, a faint checkerboard.
  const whole = step >= 2;
  const c0 = new Int32Array(W), c1 = new Int32Array(W);
  for (let sx = 0; sx < W; sx++) {
    const a = view.cx + (sx - W / 2) * step;
    [c0[sx], c1[sx]] = span(Math.ceil(a), Math.ceil(a + step), frame.width, whole);
  }
  const sums = new Float64Array(W), counts = new Int32Array(W);
  for (let sy = 0; sy < H; sy++) {
    // Device row sy covers image y in [b, b + step), b its bottom edge (row 0 is the frame's bottom).
    const b = view.cy - (sy + 1 - H / 2) * step;
    const [r0, r1] = span(Math.ceil(b), Math.ceil(b + step), frame.height, whole);
    let missing = r0 === r1;
    for (let iy = r0; iy < r1 && !missing; iy++) if (loaded && !loaded[iy]) missing = true;
    if (missing) continue;
    sums.fill(0);
    counts.fill(0);
    for (let iy = r0; iy < r1; iy++) {
      const row = iy * frame.width;
      for (let sx = 0; sx < W; sx++) {
        let sum = 0, n = 0;
        for (let ix = c0[sx], end = c1[sx]; ix < end; ix++) {
          const v = data[row + ix];
          if (v - v === 0) { sum += v; n++; }
        }
        sums[sx] += sum;
        counts[sx] += n;
      }
    }
    const out = sy * W;
    for (let sx = 0; sx < W; sx++) {
      if (c0[sx] === c1[sx]) continue;
      shown[out + sx] = 1;
      values[out + sx] = counts[sx] ? sums[sx] / counts[sx] : NaN;
    }
  }
  return { values, shown };
}

/** The pixels [lo, hi) of an axis `n` long within it; with `whole`, widened to whole 2-pixel cells (an even start and count, where the axis allows). */
function span(lo: number, hi: number, n: number, whole: boolean): [number, number] {
  lo = Math.max(0, lo);
  hi = Math.min(n, hi);
  if (hi <= lo) return [0, 0];
  if (whole) {
    lo &= ~1;
    if ((hi - lo) & 1) hi = Math.min(n, hi + 1);
  }
  return [lo, hi];
}

/** Paints viewMeans' values (one per device pixel) into `target`, background where nothing is shown. */
export function paintValues(
  means: { values: Float32Array; shown: Uint8Array }, lut: Uint32Array, mapping: LutMapping, target: RenderTarget, colours: RenderColours,
): void {
  const { values, shown } = means;
  const { pixels } = target;
  const { low, factor } = mapping;
  for (let i = 0; i < pixels.length; i++) {
    if (!shown[i]) {
      pixels[i] = colours.background;
      continue;
    }
    pixels[i] = colourOf(values[i], low, factor, lut, colours.nan);
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
