/**
 * Colour cameras (one-shot colour: a Bayer filter mosaic over the pixels,
 * which N.I.N.A., SharpCap, Ekos, SGP and MaxIm name in BAYERPAT, e.g.
 * 'RGGB'). Calibration works on the mosaic pixel by pixel, as on any frame,
 * and the products stay mosaics for the user's colour tools to debayer.
 * These steps must not mix the colours of neighbouring pixels:
 * - L.A.Cosmic: a pixel's neighbours are of other colours, and differ from it
 *   by the scene's colour, not by noise. On a night made with astropy with an
 *   orange sky it flagged 13 thousand pixels of a 640 x 480 frame (4%; and
 *   astroscrappy 50 thousand); each colour's pixels on their own, with the
 *   stars' cores left out, 19 and none on a star (flagCosmicRays).
 * - A sub-pixel shift blends each pixel with neighbours of other colours: a
 *   stack of such frames is no mosaic. Shifts are rounded to whole even
 *   pixels instead, which keep every pixel on a pixel of its colour
 *   (resample; the registration error is then up to 1 px, as Siril's
 *   registration of undebayered frames without drizzle).
 * - A master flat's colours differ by the flat lamp's colour and the
 *   filters' response (a red pixel under a bluish panel may get a third of a
 *   green one's light). normalizeFlat brings each colour to 1 on its own, so
 *   that dividing by the flat does not tint the frames (Siril's
 *   equalize_cfa), and flagFlatBadPixels compares each pixel with the local
 *   level of its own colour, where the mosaic's mixed one flagged every red
 *   pixel of such a flat as bad.
 */
import type { Card } from '../../fits/types';
import { cardValue } from '../cards';
import { LATTICES } from '../../kernels/lattice';
import type { AstroFrame } from '../astroFrame';

/** Keywords naming the mosaic's pattern, first found wins. COLORTYP: MaxIm DL's older files. */
const PATTERN_KEYS = ['BAYERPAT', 'COLORTYP'];

/** The 2 x 2 colour pattern ('RGGB', ...) an extension's headers name (its own first, then the primary's), if any. */
export function cfaPattern(primary: readonly Card[], ext?: readonly Card[]): string | undefined {
  for (const cards of [ext, primary]) {
    if (!cards) continue;
    for (const key of PATTERN_KEYS) {
      const v = cardValue(cards, key);
      if (typeof v !== 'string') continue;
      const p = v.trim().toUpperCase();
      if (/^[RGB]{4}$/.test(p)) return p;
    }
  }
  return undefined;
}

/**
 * The pattern of a mosaic whose new first pixel was pixel (px, py) of the old
 * one (trimming, flipping): the pattern repeats every 2 pixels, so only
 * their parity counts. A reader's XBAYROFF/YBAYROFF still apply on top.
 */
export function movedPattern(pattern: string, px: number, py: number): string {
  const at = (r: number, c: number) => pattern[((r + py) & 1) * 2 + ((c + px) & 1)];
  return at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1);
}

/**
 * The first pixel, of the old mosaic, of what a trim (or flip) keeps, in
 * the pattern's own terms: BAYERPAT names the pattern from the first row
 * written, except where ROWORDER = 'TOP-DOWN' (N.I.N.A., SharpCap): there
 * it starts from the top row, the last one of the FITS array.
 * `sec` is 0-based with exclusive ends (kernels/section.ts).
 */
export function trimOrigin(
  sec: { x0: number; x1: number; y0: number; y1: number; flipX?: boolean; flipY?: boolean }, height: number, topDown: boolean,
): { px: number; py: number } {
  const px = sec.flipX ? sec.x1 - 1 : sec.x0;
  const py = topDown ? (sec.flipY ? height - 1 - sec.y0 : height - sec.y1) : sec.flipY ? sec.y1 - 1 : sec.y0;
  return { px, py };
}

/** Whether the extension's rows are written top down (ROWORDER = 'TOP-DOWN', its own card first, then the primary's). */
export function rowsTopDown(primary: readonly Card[], ext?: readonly Card[]): boolean {
  for (const cards of [ext, primary]) {
    const v = cards && cardValue(cards, 'ROWORDER');
    if (typeof v === 'string') return v.trim().toUpperCase() === 'TOP-DOWN';
  }
  return false;
}

/**
 * The colour of each sub-lattice of a mosaic's FITS array, in LATTICES
 * order (x and y counted from the array's first pixel): under ROWORDER =
 * 'TOP-DOWN' the pattern counts rows from the top, the array's last row.
 */
export function latticeColours(pattern: string, height: number, topDown: boolean): string[] {
  return LATTICES.map(([x, y]) => pattern[2 * ((topDown ? height - 1 - y : y) & 1) + x]);
}

/** A frame's mosaic as its first extension's headers describe it: the pattern, and each sub-lattice's colour (latticeColours); undefined for a frame of one colour. */
export function mosaicOf(frame: AstroFrame): { pattern: string; colours: string[] } | undefined {
  const e0 = frame.exts[0];
  const pattern = e0 && cfaPattern(frame.primary, e0.header);
  return pattern ? { pattern, colours: latticeColours(pattern, e0.data.height, rowsTopDown(frame.primary, e0.header)) } : undefined;
}
