/**
 * Inspector worker: holds the planes of the frames the inspector shows,
 * paints its canvases and measures what the user asks for, so the page never
 * touches a pixel and never waits on one. See ./inspector/protocol.ts.
 */
import * as Comlink from 'comlink';
import { holdLifeline } from './lifeline';
import { getDb } from '../src/db/schema';
import { FrameStore } from './inspector/frames';
import { Panes, planeLimits } from './inspector/panes';
import { Analysis } from './inspector/analysis';
import type { InspectorApi } from './inspector/protocol';

// The memory budget never drops a plane a pane shows: the store asks the panes.
let panes: Panes | undefined;
const frames = new FrameStore(getDb(), (key) => panes?.shownKeys().has(key) ?? false);
panes = new Panes(frames);
const analysis = new Analysis(frames);

const api: InspectorApi = {
  async warm() {
    await getDb().open();
  },
  open: (fileId) => frames.open(fileId),
  close: async (fileId) => frames.close(fileId),
  async watch(onProgress) {
    frames.onProgress((p) => void onProgress(p));
  },
  async load(ref) {
    await frames.load(ref);
  },
  attachPane: async (id, canvas) => panes!.attach(id, canvas),
  resizePane: async (id, w, h) => panes!.resize(id, w, h),
  detachPane: async (id) => panes!.detach(id),
  draw: (id, state) => panes!.draw(id, state),
  async limits(ref, mode) {
    return planeLimits(await frames.load(ref), mode);
  },
  async histequValues(ref, low, high, fractions) {
    return panes!.histequValues(await frames.load(ref), low, high, fractions);
  },
  probe: async (ref, ix, iy, size) => {
    const p = analysis.probe(ref, ix, iy, size);
    return Comlink.transfer(p, [p.table.buffer]);
  },
  dqBitCounts: (ref) => analysis.dqBitCounts(ref),
  histogram: async (req) => {
    const h = await analysis.histogram(req);
    return Comlink.transfer(h, [h.counts.buffer, h.edges.buffer]);
  },
  cut: async (ref, req) => {
    const c = await analysis.cut(ref, req);
    return Comlink.transfer(c, [c.distance.buffer, c.x.buffer, c.y.buffer, c.values.buffer]);
  },
  regionStats: (ref, box) => analysis.regionStats(ref, box),
  star: (ref, x, y, model) => analysis.star(ref, x, y, model),
  surface: (ref, ix, iy, half) => analysis.surface(ref, ix, iy, half),
};

holdLifeline();
Comlink.expose(api);
