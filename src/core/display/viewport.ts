/**
 * Where the frame sits on the screen. Image coordinates are 0-based with
 * pixel centres at integers (pixel i covers [i - 0.5, i + 0.5)); FITS and DS9
 * count from 1, so FITS x = image x + 1. The y axis points up, as in DS9:
 * row 0 is at the bottom. Screen coordinates are canvas device pixels from
 * the top-left corner. `zoom` is device pixels per image pixel.
 */

export interface View {
  /** Image point at the centre of the canvas. */
  cx: number;
  cy: number;
  zoom: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MIN_ZOOM = 1 / 64;
export const MAX_ZOOM = 128;

export function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

export function screenToImage(view: View, canvas: Size, sx: number, sy: number): { x: number; y: number } {
  return { x: view.cx + (sx - canvas.width / 2) / view.zoom, y: view.cy - (sy - canvas.height / 2) / view.zoom };
}

export function imageToScreen(view: View, canvas: Size, x: number, y: number): { sx: number; sy: number } {
  return { sx: canvas.width / 2 + (x - view.cx) * view.zoom, sy: canvas.height / 2 - (y - view.cy) * view.zoom };
}

/** The pixel (0-based column and row) under a screen point, or undefined outside the frame. */
export function pixelAt(view: View, canvas: Size, frame: Size, sx: number, sy: number): { ix: number; iy: number } | undefined {
  const { x, y } = screenToImage(view, canvas, sx, sy);
  const ix = Math.floor(x + 0.5);
  const iy = Math.floor(y + 0.5);
  if (ix < 0 || iy < 0 || ix >= frame.width || iy >= frame.height) return undefined;
  return { ix, iy };
}

/** The whole frame in the canvas, centred (DS9 "zoom fit"). */
export function fitView(frame: Size, canvas: Size): View {
  const zoom = clampZoom(Math.min(canvas.width / frame.width, canvas.height / frame.height));
  return { cx: (frame.width - 1) / 2, cy: (frame.height - 1) / 2, zoom };
}

/** Zoom by `factor` keeping the image point under (sx, sy) where it is. */
export function zoomAbout(view: View, canvas: Size, factor: number, sx: number, sy: number): View {
  const zoom = clampZoom(view.zoom * factor);
  const p = screenToImage(view, canvas, sx, sy);
  return {
    zoom,
    cx: p.x - (sx - canvas.width / 2) / zoom,
    cy: p.y + (sy - canvas.height / 2) / zoom,
  };
}

/** Moves the view by a screen displacement (a drag of dx, dy device pixels moves the image with the pointer). */
export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, cx: view.cx - dx / view.zoom, cy: view.cy + dy / view.zoom };
}

/** The image rectangle the canvas shows (continuous coordinates), for the panner. */
export function visibleRect(view: View, canvas: Size): { x0: number; y0: number; x1: number; y1: number } {
  const a = screenToImage(view, canvas, 0, canvas.height);
  const b = screenToImage(view, canvas, canvas.width, 0);
  return { x0: a.x, y0: a.y, x1: b.x, y1: b.y };
}

/** Keeps at least part of the frame in view: the centre stays within the frame. */
export function clampCentre(view: View, frame: Size): View {
  return {
    ...view,
    cx: Math.min(frame.width - 0.5, Math.max(-0.5, view.cx)),
    cy: Math.min(frame.height - 0.5, Math.max(-0.5, view.cy)),
  };
}
