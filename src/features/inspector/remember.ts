/**
 * The inspector's open frames outlive a reload, as a viewer's session does
 * (DS9 backups, a browser's tabs): which frames are open, in which order,
 * the one shown, the layout, and each frame's plane, limits and display
 * settings. Not the zoom or pan (a reopened frame fits its pane) nor marks or
 * the readout. Kept in localStorage (a few hundred bytes); brought back the
 * first time the inspector is shown after the reload, without the frames
 * deleted from the library since.
 */
import { PERCENT_CLIPS, type LimitsMode } from '../../core/display/limits';
import { isColormapName } from '../../core/display/colormaps';
import { SCALE_NAMES } from '../../core/display/scale';
import type { PlaneKind } from '../../../workers/inspector/protocol';
import { DEFAULT_DISPLAY, DEFAULT_LIMITS, useInspector, type InspectedFrame, type Layout } from './store';

export const REMEMBER_KEY = 'ccd-workbench:inspector';

export interface RememberedFrame {
  fileId: string;
  name: string;
  plane: PlaneKind;
  display: InspectedFrame['display'];
  limitsByPlane: Record<PlaneKind, LimitsMode>;
}

export interface Remembered {
  frames: RememberedFrame[];
  current?: string;
  layout: Layout;
}

/** Where it is kept: the page's localStorage (absent in Node, where nothing is kept). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const defaultStore = (): KeyValueStore | null => (typeof localStorage === 'undefined' ? null : localStorage);

const PLANES: readonly PlaneKind[] = ['sci', 'var', 'dq'];
const LAYOUTS: readonly Layout[] = ['single', 'blink', 'tile'];

/** What of the inspector's state is kept. */
export function snapshot(s: { frames: readonly InspectedFrame[]; current?: string; layout: Layout }): Remembered {
  return {
    frames: s.frames.map((f) => ({ fileId: f.fileId, name: f.name, plane: f.plane, display: f.display, limitsByPlane: f.limitsByPlane })),
    current: s.current,
    layout: s.layout,
  };
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Limits the views can set (a user's low below the high, a percentile of the menu), else undefined. */
function limitsOf(m: unknown): LimitsMode | undefined {
  const l = m as Partial<Record<'kind' | 'percent' | 'low' | 'high', unknown>> | null;
  if (!l || typeof l !== 'object') return undefined;
  if (l.kind === 'zscale' || l.kind === 'minmax') return { kind: l.kind };
  if (l.kind === 'percent') return PERCENT_CLIPS.includes(l.percent as never) ? { kind: 'percent', percent: l.percent as number } : undefined;
  return l.kind === 'user' && finite(l.low) && finite(l.high) && l.low < l.high ? { kind: 'user', low: l.low, high: l.high } : undefined;
}

/** Display settings as the views can set them (DisplayBar, contrastBiasAt); a value they could not have set takes its default. */
function displayOf(d: unknown): InspectedFrame['display'] {
  const x = (d && typeof d === 'object' ? d : {}) as Partial<Record<keyof InspectedFrame['display'], unknown>>;
  const within = (v: unknown, lo: number, hi: number, dflt: number) => (finite(v) && v >= lo && v <= hi ? v : dflt);
  return {
    scale: SCALE_NAMES.includes(x.scale as never) ? (x.scale as InspectedFrame['display']['scale']) : DEFAULT_DISPLAY.scale,
    exponent: finite(x.exponent) && x.exponent > 1 ? x.exponent : DEFAULT_DISPLAY.exponent,
    colormap: typeof x.colormap === 'string' && isColormapName(x.colormap) ? x.colormap : DEFAULT_DISPLAY.colormap,
    contrast: within(x.contrast, 0, 10, DEFAULT_DISPLAY.contrast),
    bias: within(x.bias, 0, 1, DEFAULT_DISPLAY.bias),
    invert: typeof x.invert === 'boolean' ? x.invert : DEFAULT_DISPLAY.invert,
  };
}

/**
 * What was kept, made safe to show: a frame's limits or display setting the
 * views could not have set (a "user" choice taken from a flat plane's equal
 * limits, a value edited by hand) takes its default, for that frame only; an
 * entry that is not one at all (damaged, another shape) gives undefined.
 * Frames appear once each.
 */
export function parseRemembered(text: string | null): Remembered | undefined {
  if (!text) return undefined;
  let r: Partial<Remembered>;
  try {
    r = JSON.parse(text) as Partial<Remembered>;
  } catch {
    return undefined;
  }
  if (!r || typeof r !== 'object' || !Array.isArray(r.frames)) return undefined;
  const seen = new Set<string>();
  const frames: RememberedFrame[] = [];
  for (const f of r.frames as unknown[]) {
    const x = f as Partial<RememberedFrame> | null;
    if (!x || typeof x.fileId !== 'string' || typeof x.name !== 'string' || seen.has(x.fileId)) continue;
    seen.add(x.fileId);
    const kept = (x.limitsByPlane ?? {}) as Partial<Record<PlaneKind, unknown>>;
    frames.push({
      fileId: x.fileId,
      name: x.name,
      plane: PLANES.includes(x.plane as PlaneKind) ? (x.plane as PlaneKind) : 'sci',
      display: displayOf(x.display),
      limitsByPlane: { sci: limitsOf(kept.sci) ?? DEFAULT_LIMITS.sci, var: limitsOf(kept.var) ?? DEFAULT_LIMITS.var, dq: limitsOf(kept.dq) ?? DEFAULT_LIMITS.dq },
    });
  }
  const layout = LAYOUTS.includes(r.layout as Layout) ? (r.layout as Layout) : 'single';
  return { frames, current: typeof r.current === 'string' ? r.current : undefined, layout };
}

/** How long the kept state waits for the next change before it is written (a right-drag changes contrast at every move). */
export const KEEP_DELAY_MS = 300;

/**
 * Keeps the inspector's state in `store` as it changes: only when what is
 * kept changed (not on a readout or a frame's loading), KEEP_DELAY_MS after
 * the last change, and at once when the page is hidden or left. `null`: no
 * store. Returns the function that stops keeping (writing what is pending).
 */
export function keepInspector(store: KeyValueStore | null = defaultStore()): () => void {
  if (!store) return () => undefined;
  let last = JSON.stringify(snapshot(useInspector.getState()));
  let pending: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const write = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === undefined) return;
    try {
      store.setItem(REMEMBER_KEY, pending);
    } catch {
      // A full or refused localStorage: the session is simply not kept.
    }
    pending = undefined;
  };
  const unsubscribe = useInspector.subscribe((s, before) => {
    // A readout or a mark changes none of these: nothing to compare then.
    if (s.frames === before.frames && s.current === before.current && s.layout === before.layout) return;
    const now = JSON.stringify(snapshot(s));
    if (now === last) return;
    last = now;
    pending = now;
    timer ??= setTimeout(write, KEEP_DELAY_MS);
  });
  const target = typeof window === 'undefined' ? undefined : window;
  target?.addEventListener('pagehide', write);
  return () => {
    write();
    unsubscribe();
    target?.removeEventListener('pagehide', write);
  };
}

/**
 * Reopens the frames kept before the reload, those of them still in the
 * library (`exists` says which, by id, with their current names), into an
 * inspector that has none open. Returns how many were reopened.
 */
export async function restoreInspector(
  exists: (ids: string[]) => Promise<Map<string, string>>,
  store: KeyValueStore | null = defaultStore(),
): Promise<number> {
  const kept = parseRemembered(store?.getItem(REMEMBER_KEY) ?? null);
  if (!kept?.frames.length || useInspector.getState().frames.length) return 0;
  const names = await exists(kept.frames.map((f) => f.fileId));
  const frames = kept.frames.filter((f) => names.has(f.fileId));
  // Checked again after the wait: frames opened meanwhile (by a caller that did not wait for this) are left alone.
  if (!frames.length || useInspector.getState().frames.length) return 0;
  useInspector.getState().add(frames.map((f) => ({ fileId: f.fileId, name: names.get(f.fileId) ?? f.name })));
  // Blink and side by side need two frames: with one left, it is shown alone.
  const layout = frames.length < 2 ? 'single' : kept.layout;
  useInspector.setState((st) => ({
    frames: st.frames.map((f) => {
      const k = frames.find((x) => x.fileId === f.fileId);
      return k ? { ...f, plane: k.plane, display: k.display, limitsByPlane: k.limitsByPlane } : f;
    }),
    current: frames.some((f) => f.fileId === kept.current) ? kept.current : frames[0].fileId,
    layout,
    blink: { ...st.blink, playing: layout === 'blink' },
  }));
  return frames.length;
}
