/**
 * Where a run keeps the frames its per-frame steps have processed until the
 * stack reads them: in memory while they fit the run's budget, else written
 * to scratch storage through the store (and read back strip by strip). So a
 * master made of 200 frames of 4k x 4k costs the budget, not 200 frames.
 *
 * Planes that carry no information are not kept: a VAR plane that is one
 * number everywhere (a bias's read noise) is kept as that number, a DQ plane
 * of zeros as nothing; reading them back fills the band. A master bias of
 * fifteen frames then holds fifteen SCI planes, not forty-five planes, in
 * memory and in scratch alike.
 */
import { sampledMedian } from '../kernels/stats';
import type { Frame } from '../kernels/frame';
import { astroHeaders, frameBytes, loadFrame, unitOf, type AstroFrame } from './astroFrame';
import type { Member } from './primitive';
import type { PixelStore, PlaneKind, StoredExt } from './store';
import { frameHeadersOf, writeFrame } from './writeFrame';
import { give, take, takeZeroed } from '../kernels/scratch';

export interface Geometry {
  exts: { extver: number; width: number; height: number; var: boolean; dq: boolean }[];
}

/** What is remembered of a parked frame's dropped planes, in memory or in scratch. */
interface Dropped {
  /** The planes the frame has (a dropped plane still counts: it is read back filled). */
  geometry: Geometry;
  /** Per extension: the constant of a dropped VAR plane. */
  constVar: (number | undefined)[];
  /** Per extension: a dropped DQ plane was all zero. */
  zeroDq: boolean[];
}

/** A frame parked in memory. */
interface Parked extends Dropped {
  frame: AstroFrame;
  size: number;
}

function constantOf(a: Float32Array): number | undefined {
  const v = a[0];
  for (let i = 1; i < a.length; i++) if (a[i] !== v) return undefined;
  return v;
}

function allZero(a: Uint16Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

export class Parking {
  private inMemory = new Map<Member, Parked>();
  /** Frames written to scratch without their dropped planes. */
  private spilled = new Map<Member, Dropped>();
  private bytes = 0;
  readonly scratch: string[] = [];

  /** `withMedian`: measure each frame's median as it is parked (a stack scaled by inverse medians needs it). */
  constructor(private readonly store: PixelStore, private readonly budgetBytes: number, private readonly withMedian = false) {}

  /** Keeps a processed frame for the member. */
  async park(member: Member, frame: AstroFrame): Promise<void> {
    member.meta = { ...member.meta, ...frame.meta, median: this.withMedian ? medianOf(frame) : undefined };
    const geometry: Geometry = { exts: frame.exts.map((e) => ({ extver: e.extver, width: e.data.width, height: e.data.height, var: !!e.data.var, dq: !!e.data.dq })) };
    const constVar: (number | undefined)[] = [];
    const zeroDq: boolean[] = [];
    for (const e of frame.exts) {
      const c = e.data.var ? constantOf(e.data.var) : undefined;
      constVar.push(c);
      if (c !== undefined) {
        give(e.data.var);
        e.data.var = undefined;
      }
      const z = e.data.dq ? allZero(e.data.dq) : false;
      zeroDq.push(z);
      if (z) {
        give(e.data.dq);
        e.data.dq = undefined;
      }
    }
    // A DQ plane of zeros says nothing: the stack is faster without it.
    geometry.exts.forEach((g, k) => { if (zeroDq[k]) g.dq = false; });
    // Parked again (a later stage of frame steps): the frame is no longer the one in memory.
    const before = this.inMemory.get(member);
    if (before) {
      this.inMemory.delete(member);
      this.bytes -= before.size;
    }
    const size = frameBytes(frame);
    if (this.bytes + size <= this.budgetBytes) {
      this.inMemory.set(member, { frame, geometry, constVar, zeroDq, size });
      this.bytes += size;
      return;
    }
    const id = await writeFrame(this.store, 'scratch', `${member.ref.name} (scratch)`, frame, frameHeadersOf(frame));
    this.scratch.push(id);
    member.stored = await this.store.open(id);
    this.spilled.set(member, { geometry, constVar, zeroDq });
    // Written (the store copies what it is given): the planes go back to the pool for the next frame.
    for (const e of frame.exts) give(e.data.sci, e.data.var, e.data.dq);
  }

  /** The frame's dropped planes, wherever it is parked. */
  private dropped(member: Member): Dropped | undefined {
    return this.inMemory.get(member) ?? this.spilled.get(member);
  }

  /** The full frame again: dropped planes made whole. */
  private restore(p: Dropped & { frame: AstroFrame }): AstroFrame {
    p.frame.exts.forEach((e, k) => {
      const n = e.data.width * e.data.height;
      const c = p.constVar[k];
      if (c !== undefined && !e.data.var) e.data.var = take(Float32Array, n).fill(c);
      if (p.zeroDq[k] && !e.data.dq) e.data.dq = takeZeroed(Uint16Array, n);
    });
    return p.frame;
  }

  geometry(member: Member): Geometry {
    const p = this.dropped(member);
    if (p) return p.geometry;
    return { exts: member.stored.exts.map((e: StoredExt) => ({ extver: e.extver, width: e.width, height: e.height, var: e.planes.var !== undefined, dq: e.planes.dq !== undefined })) };
  }

  /** Primary and extension headers of the member's current frame. */
  headers(member: Member): { primary: AstroFrame['primary']; exts: AstroFrame['primary'][] } {
    const p = this.inMemory.get(member);
    if (p) return { primary: p.frame.primary, exts: p.frame.exts.map((e) => e.header) };
    return astroHeaders(member.stored);
  }

  /**
   * Gives the member's extension a VAR of one number everywhere, as if its
   * frame had had that plane when parked (a VAR a group step measured): read
   * back, restored and stacked like a dropped constant VAR. A member not
   * parked (its steps changed nothing) is read from its input with it.
   */
  setConstantVar(member: Member, ext: number, value: number): void {
    let p = this.dropped(member);
    if (!p) {
      const geometry = this.geometry(member);
      p = { geometry, constVar: geometry.exts.map(() => undefined), zeroDq: geometry.exts.map(() => false) };
      this.spilled.set(member, p);
    }
    const g = p.geometry.exts[ext];
    if (g.var && p.constVar[ext] === undefined) throw new Error(`${member.ref.name}: extension ${g.extver} has a VAR plane of its own`);
    p.constVar[ext] = value;
    g.var = true;
  }

  /** The value of a VAR plane that was one number everywhere (kept as that number), else undefined. */
  constantVar(member: Member, ext: number): number | undefined {
    return this.dropped(member)?.constVar[ext];
  }

  unit(member: Member): AstroFrame['bunit'] {
    const p = this.inMemory.get(member);
    if (p) return p.frame.bunit;
    const h = astroHeaders(member.stored);
    return unitOf(h.primary, h.exts[0]);
  }

  async frame(member: Member): Promise<AstroFrame> {
    const p = this.inMemory.get(member);
    if (p) {
      // Made whole in place: the budget then understates it, but only until the run ends (group steps read one frame at a time).
      const frame = this.restore(p);
      // What group steps said of the member since it was parked (measureGain's gain) goes with it, as from storage.
      frame.meta = { ...member.meta };
      return frame;
    }
    const loaded = await loadFrame(this.store, member.stored);
    loaded.meta = { ...member.meta };
    const spilled = this.spilled.get(member);
    return spilled ? this.restore({ ...spilled, frame: loaded }) : loaded;
  }

  /** Rows of a plane held in memory, as a view (no copy); undefined when the plane is not in memory as an array. */
  view(member: Member, ext: number, plane: PlaneKind, y0: number, y1: number): Float32Array | Uint16Array | undefined {
    const d = this.inMemory.get(member)?.frame.exts[ext].data;
    const src = d && (plane === 'sci' ? d.sci : plane === 'var' ? d.var : d.dq);
    return src && d ? src.subarray(y0 * d.width, y1 * d.width) : undefined;
  }

  async readRows<T extends Float32Array | Uint16Array>(member: Member, ext: number, plane: PlaneKind, y0: number, y1: number, out: T): Promise<T> {
    const p = this.dropped(member);
    if (!p) return this.store.readRows(member.stored, ext, plane, y0, y1, out);
    const d: Frame | undefined = this.inMemory.get(member)?.frame.exts[ext].data;
    const src = d && (plane === 'sci' ? d.sci : plane === 'var' ? d.var : d.dq);
    if (src && d) {
      out.set(src.subarray(y0 * d.width, y1 * d.width) as never);
      return out;
    }
    if (!d && (plane === 'sci' || member.stored.exts[ext].planes[plane] !== undefined)) return this.store.readRows(member.stored, ext, plane, y0, y1, out);
    if (plane === 'var' && p.constVar[ext] !== undefined) return out.fill(p.constVar[ext]!) as T;
    if (plane === 'dq' && p.zeroDq[ext]) return out.fill(0) as T;
    throw new Error(`${member.ref.name} has no ${plane.toUpperCase()} plane`);
  }

  /**
   * Frees what the run kept: memory now, scratch storage through the store.
   * A frame leaves the scratch list once removed, so a removal that failed is
   * tried again by the next release (the first failure is thrown after every
   * frame was tried).
   */
  async release(): Promise<void> {
    this.inMemory.clear();
    this.spilled.clear();
    this.bytes = 0;
    const failures: unknown[] = [];
    for (const id of [...this.scratch]) {
      try {
        await this.store.removeScratch(id);
        this.scratch.splice(this.scratch.indexOf(id), 1);
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length) throw failures[0];
  }
}

/** Median of the good pixels of every extension (the median of the extensions' medians). */
export function medianOf(frame: AstroFrame): number {
  const meds = frame.exts.map((e) => sampledMedian(e.data.sci, e.data.width, e.data.dq));
  meds.sort((a, b) => a - b);
  return meds[meds.length >> 1];
}
