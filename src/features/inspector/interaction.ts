/**
 * Pure rules of the image pane's pointer and keyboard handling, kept apart so
 * they read (and test) without a DOM.
 */
import { MAX_ZOOM, MIN_ZOOM } from '../../core/display/viewport';

/**
 * Zoom steps of the wheel and the +/- keys: 1/n when zoomed out, whole
 * numbers when zoomed in, so every image pixel is the same number of device
 * pixels (DS9 zooms by whole factors too).
 */
export const ZOOM_LADDER: readonly number[] = [
  ...[64, 48, 32, 24, 16, 12, 8, 6, 5, 4, 3, 2, 1.5].map((n) => 1 / n),
  1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64, 96, 128,
].filter((z) => z >= MIN_ZOOM && z <= MAX_ZOOM);

/** The next zoom step above (direction 1) or below (-1) the current zoom. */
export function nextZoom(zoom: number, direction: 1 | -1): number {
  const eps = 1e-9;
  if (direction > 0) return ZOOM_LADDER.find((z) => z > zoom * (1 + eps)) ?? ZOOM_LADDER[ZOOM_LADDER.length - 1];
  for (let i = ZOOM_LADDER.length - 1; i >= 0; i--) if (ZOOM_LADDER[i] < zoom * (1 - eps)) return ZOOM_LADDER[i];
  return ZOOM_LADDER[0];
}

/** DS9/JS9 right-button drag: the horizontal position sets the bias, the vertical the contrast (0 at the top, 10 at the bottom). */
export function contrastBiasAt(x: number, y: number, width: number, height: number): { contrast: number; bias: number } {
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return { bias: clamp(x / width), contrast: clamp(y / height) * 10 };
}

/** Zoom as DS9 shows it: '4', '1/8', '0.37'. */
export function formatZoom(zoom: number): string {
  if (zoom >= 1) return Number.isInteger(zoom) ? String(zoom) : zoom.toFixed(2);
  const inv = 1 / zoom;
  return Math.abs(inv - Math.round(inv)) < 1e-6 ? `1/${Math.round(inv)}` : zoom.toFixed(3);
}
