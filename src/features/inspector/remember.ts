/**
 * The inspector's open frames outlive a reload, as a viewer's session does
 * (DS9 backups, a browser's tabs): which frames are open, in which order,
 * the one shown, the layout, and each frame's plane and display settings.
 * Not the zoom or pan (a reopened frame fits its pane) nor marks or the
 * readout. Kept in localStorage (a few hundred bytes, read before the first
 * paint of the view); a frame deleted from the library since is not reopened.
 */
import type { LimitsMode } from '../../core/display/limits';
import { isColormapName } from '../../core/display/colormaps';
import { SCALE_NAMES } from '../../core/display/scale';
import type { PlaneKind } from '../../../workers/inspector/protocol';
import { DEFAULT_DISPLAY, useInspector, type InspectedFrame, type Layout } from './store';

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

const defaultStore = (): KeyValueStore | undefined => (typeof localStorage === 'undefined' ? undefined : localStorage);

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

const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);

/** Limits the views could have set: a mode they know, with numbers where it takes them (a user's low below the high). */
function validLimits(m: unknown): boolean {
  const l = m as Partial<Record<'kind' | 'percent' | 'low' | 'high', unknown>> | null;
  if (!l || typeof l !== 'object') return false;
  if (l.kind === 'zscale' || l.kind === 'minmax') return true;
  if (l.kind === 'percent') return finite(l.percent) && (l.percent as number) > 0 && (l.percent as number) <= 100;
  return l.kind === 'user' && finite(l.low) && finite(l.high) && (l.low as number) < (l.high as number);
}

/** Display settings the views could have set (a missing one takes its default when restored). */
function validDisplay(d: unknown): boolean {
  const x = d as Partial<Record<keyof InspectedFrame['display'], unknown>> | null;
  if (!x || typeof x !== 'object') return false;
  return (x.scale === undefined || SCALE_NAMES.includes(x.scale as never))
    && (x.colormap === undefined || (typeof x.colormap === 'string' && isColormapName(x.colormap)))
    && [x.exponent, x.contrast, x.bias].every((v) => v === undefined || finite(v))
    && (x.invert === undefined || typeof x.invert === 'boolean');
}

/** What was kept, or undefined when nothing was or it cannot be read (an older or damaged entry is ignored, never trusted in part). */
export function parseRemembered(text: string | null): Remembered | undefined {
  if (!text) return undefined;
  try {
    const r = JSON.parse(text) as Partial<Remembered>;
    if (!r || !Array.isArray(r.frames) || !LAYOUTS.includes(r.layout as Layout)) return undefined;
    const frames = r.frames.filter((f): f is RememberedFrame =>
      !!f && typeof f.fileId === 'string' && typeof f.name === 'string' && PLANES.includes(f.plane)
      && validDisplay(f.display) && typeof f.limitsByPlane === 'object' && f.limitsByPlane !== null
      && PLANES.every((p) => validLimits(f.limitsByPlane[p])));
    if (frames.length !== r.frames.length) return undefined;
    return { frames, current: typeof r.current === 'string' ? r.current : undefined, layout: r.layout as Layout };
  } catch {
    return undefined;
  }
}

/**
 * Keeps the inspector's state in `store` as it changes (only when what is
 * kept changed: not on every readout or load progress). Returns the
 * unsubscribe function.
 */
export function keepInspector(store: KeyValueStore | undefined = defaultStore()): () => void {
  if (!store) return () => undefined;
  let last = JSON.stringify(snapshot(useInspector.getState()));
  return useInspector.subscribe((s) => {
    const now = JSON.stringify(snapshot(s));
    if (now === last) return;
    last = now;
    try {
      store.setItem(REMEMBER_KEY, now);
    } catch {
      // A full or refused localStorage: the session is simply not kept.
    }
  });
}

/**
 * Reopens the frames kept before the reload, those of them still in the
 * library (`exists` says which, by id, with their current names), into an
 * inspector that has none open. Returns how many were reopened.
 */
export async function restoreInspector(
  exists: (ids: string[]) => Promise<Map<string, string>>,
  store: KeyValueStore | undefined = defaultStore(),
): Promise<number> {
  const kept = parseRemembered(store?.getItem(REMEMBER_KEY) ?? null);
  if (!kept?.frames.length || useInspector.getState().frames.length) return 0;
  const names = await exists(kept.frames.map((f) => f.fileId));
  const frames = kept.frames.filter((f) => names.has(f.fileId));
  // Frames opened meanwhile (another view asked for one) win: the kept ones are not mixed in.
  if (!frames.length || useInspector.getState().frames.length) return 0;
  const s = useInspector.getState();
  s.add(frames.map((f) => ({ fileId: f.fileId, name: names.get(f.fileId) ?? f.name })));
  useInspector.setState((st) => ({
    frames: st.frames.map((f) => {
      const k = frames.find((x) => x.fileId === f.fileId);
      return k ? { ...f, plane: k.plane, display: { ...DEFAULT_DISPLAY, ...k.display }, limitsByPlane: { ...f.limitsByPlane, ...k.limitsByPlane } } : f;
    }),
    current: frames.some((f) => f.fileId === kept.current) ? kept.current : frames[0].fileId,
    layout: kept.layout,
    blink: { ...st.blink, playing: kept.layout === 'blink' },
  }));
  return frames.length;
}
