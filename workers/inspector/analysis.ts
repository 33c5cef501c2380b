/**
 * The inspector's measurements on loaded planes: thin adapters from a plane
 * reference to the pure kernels of src/core (cuts, box statistics, star
 * fits, histograms), waiting for the plane to finish loading first.
 */
import { columnCut, lineCut, pixelBox, rowCut, type Cut } from '../../src/core/display/cuts';
import { boxStats, clipBox, type Box, type RegionStats } from '../../src/core/display/regionStats';
import { measureStar, type ProfileModel, type StarFit } from '../../src/core/display/radial';
import { histogram } from '../../src/core/kernels/histogram';
import type { PlaneKind } from '../../src/core/display/frameImages';
import type { FrameStore, Plane } from './frames';
import type { CutRequest, HistogramRequest, HistogramResult, PlaneRef, Probe, Surface } from './protocol';

export class Analysis {
  constructor(private readonly frames: FrameStore) {}

  /** Values of every loaded plane at (ix, iy) and a size x size table of the given plane around it. */
  probe(ref: PlaneRef, ix: number, iy: number, size: number): Probe {
    const image = this.frames.image(ref);
    const values: Partial<Record<PlaneKind, number>> = {};
    if (image) {
      for (const kind of ['sci', 'var', 'dq'] as const) {
        if (image.hdus[kind] === undefined) continue;
        const p = this.frames.peek({ ...ref, plane: kind });
        if (p && p.loaded[iy] && ix >= 0 && ix < p.width) values[kind] = p.data[iy * p.width + ix];
      }
    }
    const shown = this.frames.peek(ref);
    const n = Math.max(1, Math.min(15, Math.floor(size))) | 1;
    const table = shown && shown.complete ? pixelBox(shown.data, shown.width, shown.height, ix, iy, n) : new Float64Array(n * n).fill(NaN);
    return { ix, iy, values, table, size: n };
  }

  async dqBitCounts(ref: PlaneRef): Promise<number[]> {
    const p = await this.frames.load(ref);
    const counts = new Array<number>(16).fill(0);
    const d = p.data;
    for (let i = 0; i < d.length; i++) {
      let m = d[i];
      while (m) {
        const low = m & -m;
        counts[31 - Math.clz32(low)]++;
        m ^= low;
      }
    }
    return counts;
  }

  async histogram(req: HistogramRequest): Promise<HistogramResult> {
    const plane = await this.frames.load(req.ref);
    const data = req.box ? boxValues(plane, req.box) : plane.data;
    const h = histogram(data, { bins: req.bins, ...(req.range === 'minmax' ? {} : { range: [req.range.low, req.range.high] as const }) });
    return { counts: h.counts, edges: h.edges, underflow: h.underflow, overflow: h.overflow, nanCount: h.nanCount, npix: data.length };
  }

  async cut(ref: PlaneRef, req: CutRequest): Promise<Cut> {
    const p = await this.frames.load(ref);
    if (req.kind === 'row') return rowCut(p.data, p.width, p.height, req.iy);
    if (req.kind === 'column') return columnCut(p.data, p.width, p.height, req.ix);
    return lineCut(p.data, p.width, p.height, req.x0, req.y0, req.x1, req.y1);
  }

  async regionStats(ref: PlaneRef, box: Box): Promise<RegionStats> {
    const p = await this.frames.load(ref);
    return boxStats(p.data, p.width, p.height, box);
  }

  async star(ref: PlaneRef, x: number, y: number, model: ProfileModel): Promise<StarFit | undefined> {
    const p = await this.frames.load(ref);
    return measureStar(p.data, p.width, p.height, x, y, { model });
  }

  async surface(ref: PlaneRef, ix: number, iy: number, half: number): Promise<Surface> {
    const p = await this.frames.load(ref);
    const box = clipBox({ x0: ix - half, y0: iy - half, x1: ix + half, y1: iy + half }, p.width, p.height);
    if (!box) throw new RangeError('the cursor is outside the frame');
    const x = Float64Array.from({ length: box.x1 - box.x0 + 1 }, (_, k) => box.x0 + k + 1);
    const y = Float64Array.from({ length: box.y1 - box.y0 + 1 }, (_, k) => box.y0 + k + 1);
    const z = Array.from(y, (_, r) => Float64Array.from(x, (_, c) => p.data[(box.y0 + r) * p.width + box.x0 + c]));
    return { x, y, z };
  }
}

/** The pixels of a box, row by row (a copy). */
function boxValues(p: Plane, region: Box): Float32Array {
  const box = clipBox(region, p.width, p.height);
  if (!box) throw new RangeError('the region lies outside the frame');
  const w = box.x1 - box.x0 + 1;
  const out = new Float32Array(w * (box.y1 - box.y0 + 1));
  for (let y = box.y0; y <= box.y1; y++) out.set(p.data.subarray(y * p.width + box.x0, y * p.width + box.x1 + 1), (y - box.y0) * w);
  return out;
}
