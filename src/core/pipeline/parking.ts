/**
 * Where a run keeps the frames its per-frame steps have processed until the
 * stack reads them: in memory while they fit the run's budget, else written
 * to scratch storage through the store (and read back strip by strip). So a
 * master made of 200 frames of 4k x 4k costs the budget, not 200 frames.
 */
import { frameStats } from '../kernels/stats';
import { astroHeaders, frameBytes, loadFrame, type AstroFrame } from './astroFrame';
import type { Member } from './primitive';
import type { PixelStore, PlaneKind, StoredExt } from './store';
import { frameHeadersOf } from './writeFrame';
import { writeFrame } from './writeFrame';

export interface Geometry {
  exts: { extver: number; width: number; height: number; var: boolean; dq: boolean }[];
}

export class Parking {
  private inMemory = new Map<Member, AstroFrame>();
  private bytes = 0;
  readonly scratch: string[] = [];

  constructor(private readonly store: PixelStore, private readonly budgetBytes: number) {}

  /** Keeps a processed frame for the member; measures its median (flats are scaled by it). */
  async park(member: Member, frame: AstroFrame): Promise<void> {
    member.meta = { ...member.meta, ...frame.meta, median: medianOf(frame) };
    const size = frameBytes(frame);
    if (this.bytes + size <= this.budgetBytes) {
      this.inMemory.set(member, frame);
      this.bytes += size;
      return;
    }
    const id = await writeFrame(this.store, 'scratch', `${member.ref.name} (scratch)`, frame, frameHeadersOf(frame));
    this.scratch.push(id);
    member.stored = await this.store.open(id);
  }

  geometry(member: Member): Geometry {
    const f = this.inMemory.get(member);
    if (f) return { exts: f.exts.map((e) => ({ extver: e.extver, width: e.data.width, height: e.data.height, var: !!e.data.var, dq: !!e.data.dq })) };
    return { exts: member.stored.exts.map((e: StoredExt) => ({ extver: e.extver, width: e.width, height: e.height, var: e.planes.var !== undefined, dq: e.planes.dq !== undefined })) };
  }

  /** Primary and extension headers of the member's current frame. */
  headers(member: Member): { primary: AstroFrame['primary']; exts: AstroFrame['primary'][] } {
    const f = this.inMemory.get(member);
    if (f) return { primary: f.primary, exts: f.exts.map((e) => e.header) };
    return astroHeaders(member.stored);
  }

  async frame(member: Member): Promise<AstroFrame> {
    const f = this.inMemory.get(member);
    if (f) return f;
    const loaded = await loadFrame(this.store, member.stored);
    loaded.meta = { ...member.meta };
    return loaded;
  }

  async readRows<T extends Float32Array | Uint16Array>(member: Member, ext: number, plane: PlaneKind, y0: number, y1: number, out: T): Promise<T> {
    const f = this.inMemory.get(member);
    if (!f) return this.store.readRows(member.stored, ext, plane, y0, y1, out);
    const d = f.exts[ext].data;
    const src = plane === 'sci' ? d.sci : plane === 'var' ? d.var : d.dq;
    if (!src) throw new Error(`${member.ref.name} has no ${plane.toUpperCase()} plane`);
    out.set(src.subarray(y0 * d.width, y1 * d.width) as never);
    return out;
  }

  /** Frees what the run kept: memory now, scratch storage through the store. */
  async release(): Promise<void> {
    this.inMemory.clear();
    this.bytes = 0;
    for (const id of this.scratch.splice(0)) await this.store.removeScratch(id);
  }
}

/** Median of the good pixels of every extension (sampled on big frames: its error is far below the noise). */
export function medianOf(frame: AstroFrame): number {
  const meds = frame.exts.map((e) => {
    const n = e.data.sci.length;
    return frameStats(e.data.sci, { mask: e.data.dq, sample: n > 4_000_000 ? 7 : 1 }).median;
  });
  meds.sort((a, b) => a - b);
  return meds[meds.length >> 1];
}
