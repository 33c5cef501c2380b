/**
 * The canvases the page handed over (OffscreenCanvas): the image panes, the
 * panner and the magnifier. A draw request is kept and painted in the next
 * task, so the requests that queued up meanwhile (a burst of pan or zoom)
 * paint once with the last state, and a plane whose rows are still arriving is
 * repainted as they land. Limits and lookup tables are cached: changing the colormap rebuilds
 * only the table; panning rebuilds nothing.
 */
import { buildLut, lutMapping, packRGBA, type DisplayParams } from '../../src/core/display/lut';
import { histequCdf, histequInverse } from '../../src/core/display/histequ';
import { computeLimits, type Limits, type LimitsMode } from '../../src/core/display/limits';
import { BACKGROUND_CSS, NAN_CSS, overlayMask, renderView, viewMeans, paintValues } from '../../src/core/display/render';
import { dqBitColours } from '../../src/core/display/dqBits';
import { planeKey, type FrameStore, type Plane } from './frames';
import type { DrawResult, PaneState } from './protocol';

const cssWord = (css: string) => packRGBA(parseInt(css.slice(1, 3), 16), parseInt(css.slice(3, 5), 16), parseInt(css.slice(5, 7), 16));
const COLOURS = { background: cssWord(BACKGROUND_CSS), nan: cssWord(NAN_CSS) };
const BIT_COLOURS = dqBitColours();
/** Histogram equalization counts at most this many pixels (evenly spread): the distribution of 4 million is the frame's. */
const HISTEQU_SAMPLES = 4 * 2 ** 20;

interface Pane {
  canvas: OffscreenCanvas;
  ctx: OffscreenCanvasRenderingContext2D;
  image?: ImageData;
  state?: PaneState;
  waiting: ((r: DrawResult) => void)[];
  scheduled: boolean;
  paints: number;
}

/** The rows derived figures come from: all of a complete plane, else the first chunk that landed (computed once, not per chunk). */
function sampleRows(plane: Plane): { data: Plane['data']; rows: number; tag: string } | undefined {
  if (plane.complete) return { data: plane.data, rows: plane.height, tag: 'all' };
  if (!plane.firstRows) return undefined;
  const [y0, y1] = plane.firstRows;
  return { data: plane.data.subarray(y0 * plane.width, y1 * plane.width), rows: y1 - y0, tag: 'first' };
}

/** Limits of a plane for a mode: of the whole plane once complete, provisional (its first chunk) before. Cached. */
export function planeLimits(plane: Plane, mode: LimitsMode): Limits {
  if (mode.kind === 'user') return { low: mode.low, high: mode.high };
  const sample = sampleRows(plane);
  if (!sample) return { low: NaN, high: NaN };
  const key = `limits|${sample.tag}|${JSON.stringify(mode)}`;
  let limits = plane.derived.get(key) as Limits | undefined;
  if (!limits) {
    limits = computeLimits(sample.data, plane.width, sample.rows, mode);
    plane.derived.set(key, limits);
  }
  return limits;
}

export class Panes {
  private panes = new Map<string, Pane>();
  private luts = new Map<string, Uint32Array>();

  constructor(private readonly frames: FrameStore) {
    frames.onProgress((_p, plane) => this.refresh(planeKey(plane.ref)));
  }

  attach(id: string, canvas: OffscreenCanvas): void {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('this browser cannot draw on a canvas in a worker');
    // The page's background until the first picture (an opaque canvas starts black).
    ctx.fillStyle = BACKGROUND_CSS;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    this.panes.set(id, { canvas, ctx, waiting: [], scheduled: false, paints: 0 });
  }

  resize(id: string, width: number, height: number): void {
    const pane = this.panes.get(id);
    if (!pane) return;
    const w = Math.max(1, Math.round(width));
    const h = Math.max(1, Math.round(height));
    if (pane.canvas.width === w && pane.canvas.height === h) return;
    pane.canvas.width = w;
    pane.canvas.height = h;
    pane.image = undefined;
    pane.ctx.fillStyle = BACKGROUND_CSS;
    pane.ctx.fillRect(0, 0, w, h);
    this.schedule(id);
  }

  detach(id: string): void {
    const pane = this.panes.get(id);
    this.panes.delete(id);
    pane?.waiting.forEach((w) => w({ limits: { low: NaN, high: NaN }, loadedRows: 0, height: 0, ms: 0, paints: pane.paints, error: 'closed' }));
  }

  /** Keys of the planes some pane shows (the memory budget keeps them). */
  shownKeys(): Set<string> {
    const out = new Set<string>();
    for (const p of this.panes.values()) if (p.state) out.add(planeKey(p.state.ref));
    return out;
  }

  draw(id: string, state: PaneState): Promise<DrawResult> {
    const pane = this.panes.get(id);
    if (!pane) return Promise.reject(new Error(`no pane ${id}`));
    pane.state = state;
    return new Promise((resolve) => {
      pane.waiting.push(resolve);
      this.schedule(id);
    });
  }

  /** Repaints the panes that show this plane, or overlay it as DQ (more rows arrived). */
  private refresh(key: string): void {
    for (const [id, pane] of this.panes) {
      const s = pane.state;
      if (s && (planeKey(s.ref) === key || (s.overlay?.bits && planeKey({ ...s.ref, plane: 'dq' }) === key))) this.schedule(id);
    }
  }

  private schedule(id: string): void {
    const pane = this.panes.get(id);
    if (!pane || pane.scheduled || !pane.state) return;
    pane.scheduled = true;
    const paint = () => {
      pane.scheduled = false;
      if (!this.panes.has(id) || !pane.state) return;
      pane.paints++;
      const result = this.paint(pane, pane.state);
      const waiting = pane.waiting.splice(0);
      for (const w of waiting) w(result);
    };
    // The next task rather than the worker's animation frame: measured, waiting for the frame
    // lost a paint in six while panning (51 against 58 pictures a second).
    setTimeout(paint, 0);
  }

  private lut(plane: Plane, params: DisplayParams): Uint32Array {
    const key = `${params.low}|${params.high}|${params.scale}|${params.exponent}|${params.colormap}|${params.contrast}|${params.bias}|${params.invert}${params.scale === 'histequ' ? `|${planeKey(plane.ref)}|${plane.complete}` : ''}`;
    let lut = this.luts.get(key);
    if (!lut) {
      const cdf = params.scale === 'histequ' ? this.cdf(plane, params.low, params.high) : undefined;
      lut = buildLut(params, cdf);
      // A handful of tables (256 kB each) covers blinking frames with different limits.
      if (this.luts.size >= 16) this.luts.delete(this.luts.keys().next().value!);
      this.luts.set(key, lut);
    }
    return lut;
  }

  /** The values whose cells first reach these display fractions under histogram equalization. */
  histequValues(plane: Plane, low: number, high: number, fractions: readonly number[]): number[] {
    const cdf = this.cdf(plane, low, high);
    return fractions.map((y) => histequInverse(cdf, y, low, high));
  }

  private cdf(plane: Plane, low: number, high: number): Float32Array {
    const sample = sampleRows(plane);
    const key = `cdf|${sample?.tag}|${low}|${high}`;
    let cdf = plane.derived.get(key) as Float32Array | undefined;
    if (!cdf) {
      cdf = histequCdf(sample?.data ?? new Float32Array(0), low, high, HISTEQU_SAMPLES);
      plane.derived.set(key, cdf);
    }
    return cdf;
  }

  private paint(pane: Pane, state: PaneState): DrawResult {
    const t0 = performance.now();
    const { canvas, ctx } = pane;
    if (!pane.image || pane.image.width !== canvas.width || pane.image.height !== canvas.height) {
      pane.image = new ImageData(canvas.width, canvas.height);
    }
    const pixels = new Uint32Array(pane.image.data.buffer);
    const target = { pixels, width: canvas.width, height: canvas.height };
    let plane: Plane;
    try {
      plane = this.frames.plane(state.ref);
    } catch (err) {
      pixels.fill(COLOURS.background);
      ctx.putImageData(pane.image, 0, 0);
      return { limits: { low: NaN, high: NaN }, loadedRows: 0, height: 0, ms: 0, paints: pane.paints, error: err instanceof Error ? err.message : String(err) };
    }
    const frame = { width: plane.width, height: plane.height };
    if (state.sampling === 'mean' && state.view.zoom < 1 && plane.loadedRows) return this.paintMeans(pane, state, plane, target);
    const limits = planeLimits(plane, state.display.limits);
    if (plane.loadedRows && Number.isFinite(limits.low) && Number.isFinite(limits.high)) {
      const params: DisplayParams = { ...state.display, low: limits.low, high: limits.high };
      renderView(plane.data, frame, state.view, this.lut(plane, params), lutMapping(limits.low, limits.high), target, COLOURS, plane.complete ? undefined : plane.loaded);
    } else {
      // Nothing loaded yet, or no finite pixel at all: NaN everywhere there is frame.
      renderView(plane.data, frame, state.view, new Uint32Array(1), { low: 0, factor: NaN }, target, COLOURS, plane.loaded);
    }
    if (state.overlay?.bits) {
      const dq = this.frames.peek({ ...state.ref, plane: 'dq' });
      if (dq?.complete) overlayMask(dq.data as Uint16Array, frame, state.view, target, state.overlay.bits, BIT_COLOURS, state.overlay.opacity);
      else if (this.frames.image(state.ref)?.hdus.dq !== undefined) this.frames.plane({ ...state.ref, plane: 'dq' });
    }
    ctx.putImageData(pane.image, 0, 0);
    return { limits, loadedRows: plane.loadedRows, height: plane.height, ms: performance.now() - t0, paints: pane.paints, error: plane.error };
  }

  /**
   * The panner's overview: the mean of the pixels each device pixel covers
   * (viewMeans), with limits of its own from those means by the same rule
   * (typed limits as typed). A colour mosaic's means stand below most of its
   * pixels (the greens zscale follows), and would show nearly black with the
   * frame's own limits.
   */
  private paintMeans(pane: Pane, state: PaneState, plane: Plane, target: { pixels: Uint32Array; width: number; height: number }): DrawResult {
    const t0 = performance.now();
    const frame = { width: plane.width, height: plane.height };
    const means = viewMeans(plane.data, frame, state.view, target, plane.complete ? undefined : plane.loaded);
    const mode = state.display.limits;
    const limits = computeLimits(means.values, target.width, target.height, mode);
    if (Number.isFinite(limits.low) && Number.isFinite(limits.high)) {
      paintValues(means, this.lut(plane, { ...state.display, low: limits.low, high: limits.high }), lutMapping(limits.low, limits.high), target, COLOURS);
    } else {
      paintValues(means, new Uint32Array(1), { low: 0, factor: NaN }, target, COLOURS);
    }
    pane.ctx.putImageData(pane.image!, 0, 0);
    return { limits, loadedRows: plane.loadedRows, height: plane.height, ms: performance.now() - t0, paints: pane.paints, error: plane.error };
  }
}
