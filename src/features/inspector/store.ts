/**
 * The inspector's state: the frames open (like DS9's frames), which one is
 * shown, how each is displayed and where it is looked at, the layout (one,
 * blink, side by side), the locks, the tool the left button works with, and
 * the marks the user made (crosshair, region, line, star).
 *
 * Locks work as DS9's "lock frame / scale / colorbar": with the view locked,
 * panning or zooming one frame moves the others the same way (shifted by the
 * registration offsets when aligning); with the display locked, limits,
 * scale and colormap changes apply to every frame.
 */
import { create } from 'zustand';
import { DEFAULT_BIAS, DEFAULT_CONTRAST } from '../../core/display/lut';
import { DEFAULT_EXPONENT } from '../../core/display/scale';
import type { LimitsMode, Limits } from '../../core/display/limits';
import type { Box } from '../../core/display/regionStats';
import type { ProfileModel } from '../../core/display/radial';
import { fitView, type Size, type View } from '../../core/display/viewport';
import type { DisplaySettings, FrameInfo, PlaneKind } from '../../../workers/inspector/protocol';

export type Layout = 'single' | 'blink' | 'tile';
export type Tool = 'pan' | 'region' | 'line' | 'star';
export type Panel = 'histogram' | 'cuts' | 'region' | 'radial' | 'surface' | 'header';

export interface PlaneProgress {
  loadedRows: number;
  height: number;
  error?: string;
}

export interface InspectedFrame {
  fileId: string;
  name: string;
  info?: FrameInfo;
  /** Why the frame cannot be shown (deleted, pixels missing). */
  error?: string;
  image: number;
  plane: PlaneKind;
  slice: number;
  /** Limits mode per plane kind: DQ is shown min/max, SCI and VAR by zscale, unless the user says otherwise. */
  limitsByPlane: Record<PlaneKind, LimitsMode>;
  display: Omit<DisplaySettings, 'limits'>;
  /** Undefined until a pane sizes it to fit. */
  view?: View;
  /** The limits of the last picture (what the toolbar shows). */
  drawn?: Limits;
  progress: Partial<Record<PlaneKind, PlaneProgress>>;
}

export interface Cursor {
  fileId: string;
  /** Continuous image position (0-based) and the pixel under it. */
  x: number;
  y: number;
  ix: number;
  iy: number;
}

export interface Marks {
  /** DS9's crosshair: where the cuts and the 3D view look. */
  crosshair?: { fileId: string; ix: number; iy: number };
  region?: { fileId: string; box: Box };
  line?: { fileId: string; x0: number; y0: number; x1: number; y1: number };
  star?: { fileId: string; x: number; y: number };
}

interface InspectorState {
  frames: InspectedFrame[];
  current?: string;
  layout: Layout;
  blink: { playing: boolean; interval: number };
  locks: { view: boolean; display: boolean; align: boolean };
  /** The DQ overlay: shown or not, which bits, how opaque. */
  overlay: { on: boolean; bits: number; opacity: number };
  tool: Tool;
  panel: Panel;
  marks: Marks;
  cursor?: Cursor;
  tableSize: 5 | 7 | 9;
  profileModel: ProfileModel;
  /** Offsets (their pixel = reference pixel + offset) of frames a stack registered, when aligning. */
  offsets: Map<string, { dx: number; dy: number }>;
  /** The last star measured (fitted centre and FWHM), drawn as a circle. */
  starFit?: { fileId: string; x: number; y: number; fwhm: number };
  /** Device size of the pane showing the current frame (the panner draws its outline, keys zoom about its centre). */
  canvas?: Size;

  add(frames: { fileId: string; name: string }[], select?: string): void;
  remove(fileId: string): void;
  select(fileId: string): void;
  step(delta: number): void;
  patchFrame(fileId: string, patch: Partial<InspectedFrame>): void;
  setProgress(fileId: string, plane: PlaneKind, progress: PlaneProgress): void;
  /** Changes the display of the current frame (every frame when the display is locked). */
  setDisplay(patch: Partial<Omit<DisplaySettings, 'limits'>>): void;
  setLimits(mode: LimitsMode): void;
  /** Moves one frame's view; the others follow when the view is locked. */
  setView(fileId: string, view: View): void;
  setPlane(plane: PlaneKind): void;
  setLayout(layout: Layout): void;
  setBlink(patch: Partial<InspectorState['blink']>): void;
  setLocks(patch: Partial<InspectorState['locks']>): void;
  setOverlay(patch: Partial<InspectorState['overlay']>): void;
  setTool(tool: Tool): void;
  setPanel(panel: Panel): void;
  mark(patch: Partial<Marks>): void;
  setCursor(cursor: Cursor | undefined): void;
  setTableSize(size: 5 | 7 | 9): void;
  setProfileModel(model: ProfileModel): void;
  setOffsets(offsets: Map<string, { dx: number; dy: number }>): void;
}

export const DEFAULT_DISPLAY: Omit<DisplaySettings, 'limits'> = {
  scale: 'linear',
  exponent: DEFAULT_EXPONENT,
  colormap: 'grey',
  contrast: DEFAULT_CONTRAST,
  bias: DEFAULT_BIAS,
  invert: false,
};

export const DEFAULT_LIMITS: Record<PlaneKind, LimitsMode> = { sci: { kind: 'zscale' }, var: { kind: 'zscale' }, dq: { kind: 'minmax' } };

export function displayOf(f: InspectedFrame): DisplaySettings {
  return { ...f.display, limits: f.limitsByPlane[f.plane] };
}

/** The view of frame `to` that shows what `view` shows of frame `from`, given registration offsets. */
/**
 * Views that are a fit of the image to its pane, as "Fit" or the first
 * showing made them: while a frame keeps such a view (no zoom or pan since),
 * a pane that changes size fits it again, as DS9 does in zoom-to-fit mode.
 * Any zoom or pan makes a new View object, which is not in the set.
 */
const fittedViews = new WeakSet<View>();

export function fittedView(image: Size, pane: Size): View {
  const v = fitView(image, pane);
  fittedViews.add(v);
  return v;
}

export function isFitted(view: View | undefined): boolean {
  return view !== undefined && fittedViews.has(view);
}

export function alignedView(view: View, from: string, to: string, offsets: ReadonlyMap<string, { dx: number; dy: number }>): View {
  const a = offsets.get(from);
  const b = offsets.get(to);
  if (!a || !b) return view;
  const aligned = { ...view, cx: view.cx - a.dx + b.dx, cy: view.cy - a.dy + b.dy };
  // The view of a fitted frame, aligned, is still "fitted": its pane refits it when it changes size.
  if (fittedViews.has(view)) fittedViews.add(aligned);
  return aligned;
}

export const useInspector = create<InspectorState>((set, get) => ({
  frames: [],
  current: undefined,
  layout: 'single',
  blink: { playing: false, interval: 500 },
  locks: { view: false, display: false, align: false },
  overlay: { on: false, bits: 0xffff, opacity: 0.6 },
  tool: 'pan',
  panel: 'histogram',
  marks: {},
  cursor: undefined,
  tableSize: 5,
  profileModel: 'moffat',
  offsets: new Map(),

  add(frames, select) {
    set((s) => {
      const known = new Set(s.frames.map((f) => f.fileId));
      const template = s.frames.find((f) => f.fileId === s.current);
      const added = frames
        .filter((f) => !known.has(f.fileId))
        .map<InspectedFrame>((f) => ({
          fileId: f.fileId,
          name: f.name,
          image: 0,
          plane: 'sci',
          slice: 0,
          limitsByPlane: s.locks.display && template ? { ...template.limitsByPlane } : { ...DEFAULT_LIMITS },
          display: s.locks.display && template ? { ...template.display } : { ...DEFAULT_DISPLAY },
          // A locked view opens new frames where the others are.
          view: s.locks.view && template?.view ? alignedView(template.view, template.fileId, f.fileId, s.offsets) : undefined,
          progress: {},
        }));
      return { frames: [...s.frames, ...added], current: select ?? s.current ?? frames[0]?.fileId };
    });
  },

  remove(fileId) {
    set((s) => {
      const at = s.frames.findIndex((f) => f.fileId === fileId);
      const frames = s.frames.filter((f) => f.fileId !== fileId);
      const current = s.current === fileId ? frames[Math.min(at, frames.length - 1)]?.fileId : s.current;
      const marks = Object.fromEntries(Object.entries(s.marks).filter(([, m]) => m.fileId !== fileId));
      return { frames, current, marks, cursor: s.cursor?.fileId === fileId ? undefined : s.cursor };
    });
  },

  // A readout left from hovering another frame would read as this one's (the blink's steps keep it: the pointer is still over the pane).
  select: (fileId) => set((s) => ({ current: fileId, cursor: s.cursor?.fileId === fileId ? s.cursor : undefined })),

  step(delta) {
    const { frames, current } = get();
    if (!frames.length) return;
    const at = frames.findIndex((f) => f.fileId === current);
    set({ current: frames[(at + delta + frames.length) % frames.length].fileId });
  },

  patchFrame: (fileId, patch) => set((s) => ({ frames: s.frames.map((f) => (f.fileId === fileId ? { ...f, ...patch } : f)) })),

  setProgress: (fileId, plane, progress) =>
    set((s) => ({ frames: s.frames.map((f) => (f.fileId === fileId ? { ...f, progress: { ...f.progress, [plane]: progress } } : f)) })),

  setDisplay(patch) {
    set((s) => ({
      frames: s.frames.map((f) => (s.locks.display || f.fileId === s.current ? { ...f, display: { ...f.display, ...patch } } : f)),
    }));
  },

  setLimits(mode) {
    set((s) => {
      const cur = s.frames.find((f) => f.fileId === s.current);
      if (!cur) return {};
      return {
        frames: s.frames.map((f) => {
          if (f.fileId === s.current) return { ...f, limitsByPlane: { ...f.limitsByPlane, [f.plane]: mode } };
          // Locked: the same mode on every frame's same plane (user limits too, as DS9's lock scale limits).
          if (s.locks.display) return { ...f, limitsByPlane: { ...f.limitsByPlane, [cur.plane]: mode } };
          return f;
        }),
      };
    });
  },

  setView(fileId, view) {
    set((s) => ({
      frames: s.frames.map((f) => {
        if (f.fileId === fileId) return { ...f, view };
        if (!s.locks.view) return f;
        return { ...f, view: s.locks.align ? alignedView(view, fileId, f.fileId, s.offsets) : view };
      }),
    }));
  },

  setPlane(plane) {
    set((s) => ({ frames: s.frames.map((f) => (f.fileId === s.current ? { ...f, plane } : f)) }));
  },

  // A new layout moves the panes under the pointer: a readout of a frame other than the current one is dropped (it returns when the pointer moves).
  setLayout: (layout) => set((s) => ({
    layout, blink: { ...s.blink, playing: layout === 'blink' },
    cursor: s.cursor?.fileId === s.current ? s.cursor : undefined,
  })),
  setBlink: (patch) => set((s) => ({ blink: { ...s.blink, ...patch } })),
  setLocks(patch) {
    set((s) => {
      const locks = { ...s.locks, ...patch };
      const cur = s.frames.find((f) => f.fileId === s.current);
      if (!cur) return { locks };
      // Locking lines every frame up with the current one at once.
      const view = cur.view && locks.view && (patch.view || patch.align) ? cur.view : undefined;
      const display = patch.display ? cur : undefined;
      return {
        locks,
        frames: s.frames.map((f) => {
          if (f.fileId === cur.fileId) return f;
          let g = f;
          if (view) g = { ...g, view: locks.align ? alignedView(view, cur.fileId, f.fileId, s.offsets) : view };
          if (display) g = { ...g, display: { ...display.display }, limitsByPlane: { ...display.limitsByPlane } };
          return g;
        }),
      };
    });
  },
  setOverlay: (patch) => set((s) => ({ overlay: { ...s.overlay, ...patch } })),
  setTool: (tool) => set({ tool }),
  setPanel: (panel) => set({ panel }),
  mark: (patch) => set((s) => ({ marks: { ...s.marks, ...patch } })),
  setCursor: (cursor) => set({ cursor }),
  setTableSize: (tableSize) => set({ tableSize }),
  setProfileModel: (profileModel) => set({ profileModel }),
  setOffsets: (offsets) => set({ offsets }),
}));

/** Why a frame cannot be shown: the frame itself (deleted, unreadable) or the plane on display (pixels missing). */
export function frameError(f: InspectedFrame | undefined): string | undefined {
  return f?.error ?? f?.progress[f.plane]?.error;
}

export function currentFrame(s: Pick<InspectorState, 'frames' | 'current'>): InspectedFrame | undefined {
  return s.frames.find((f) => f.fileId === s.current);
}
