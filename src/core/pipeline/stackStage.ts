/**
 * The stack step, streamed: for every band of output rows, each frame's rows
 * are read (from memory or storage), shifted onto the reference grid when
 * the frame was registered (only the rows the interpolation needs, plus its
 * margin), and combined; the band goes straight to the product (or to
 * memory, when steps follow the stack). Memory stays within the budget
 * whatever the number and size of the frames (kernels/combineStream.ts).
 */
import { combineStreamed } from '../kernels/combineStream';
import type { CombineInput, CombineOptions, CombineResult } from '../kernels/combine';
import { kernelTaps, shiftFrame } from '../kernels/resample';
import type { Frame } from '../kernels/frame';
import { DQ } from '../kernels/dq';
import type { CancelCheck } from '../cancel';
import type { StepValues } from './params';
import { activeMembers, choice, num, type Member } from './primitive';
import type { Geometry, Parking } from './parking';
import type { FrameWriter } from './store';
import { take, takeZeroedFrom, type Allocator, type ScratchType } from '../kernels/scratch';

export interface StackOutput {
  geometry: Geometry;
  /** Filled when no writer was given (steps follow the stack). */
  frames?: Frame[];
}

export interface StackContext {
  parking: Parking;
  memoryBytes: number;
  cancel?: CancelCheck;
  progress?: (fraction: number) => void;
  log: (message: string) => void;
}

/** The combine options stackFrames' values and the members' scales give. */
export function combineOptions(members: readonly Member[], p: StepValues): CombineOptions {
  const operation = choice<CombineOptions['method']>(p, 'operation');
  const opts: CombineOptions = {
    method: operation,
    reject: choice<NonNullable<CombineOptions['reject']>>(p, 'reject'),
    lsigma: num(p, 'lsigma'),
    hsigma: num(p, 'hsigma'),
    maxIters: num(p, 'maxIters'),
    nlow: num(p, 'nlow'),
    nhigh: num(p, 'nhigh'),
    dqMask: num(p, 'dqMask'),
  };
  const scale = choice<'none' | 'median' | 'reference'>(p, 'scale');
  if (scale === 'median') {
    opts.scale = members.map((m) => {
      const med = m.meta.median;
      if (!(med !== undefined && med > 0)) throw new Error(`${m.ref.name}: median ${med} cannot scale the frame (needs a positive level)`);
      return 1 / med;
    });
  } else if (scale === 'reference') {
    // As scaleToReference set them (1, 0 and 1 when it did not run).
    opts.scale = members.map((m) => m.scale);
    opts.zero = members.map((m) => m.zero);
    if (operation === 'mean' && members.some((m) => m.weight !== members[0].weight)) {
      opts.weights = members.map((m) => m.weight);
    }
  }
  return opts;
}

/** What shifting a member onto the reference grid adds per pixel of each member's strip (its own temporaries). */
export const SHIFT_BYTES_PER_PIXEL = 16;
/**
 * What the shifts keep once, per pixel of a band (a strip and the kernel's
 * margin rows): the last band read and the pass's temporaries (float32 SCI
 * and VAR, uint16 DQ, float64 and uint16 scratch), given back to the strip's
 * allocator for the next member while the strip is combined.
 */
export const SHIFT_SHARED_BYTES_PER_PIXEL = 4 + 4 + 2 + 8 + 2;

/** The streamed combine's accounting of what the members' shifts keep once (none without a shift). */
export function shiftShared(act: readonly Member[], width: number): { sharedBytesPerPixel: number; reserveBytes: number } {
  const margin = Math.max(0, ...act.map((m) => (m.shift ? kernelTaps(m.shift.kernel, m.shift.dy).offset.length - 1 : 0)));
  if (!act.some((m) => m.shift)) return { sharedBytesPerPixel: 0, reserveBytes: 0 };
  return { sharedBytesPerPixel: SHIFT_SHARED_BYTES_PER_PIXEL, reserveBytes: margin * width * SHIFT_SHARED_BYTES_PER_PIXEL };
}

/** A member's strip, with the arrays made for it (not views of a parked frame): back to the strip's allocator once combined. */
type MemberStrip = CombineInput & { made: (Float32Array | Uint16Array | undefined)[] };

/** Rows [y0, y1) of a member on the reference grid: read with the interpolation's margin, shifted, cut. */
async function readMember(
  parking: Parking, m: Member, ext: number, width: number, height: number, planes: { var: boolean; dq: boolean }, y0: number, y1: number, alloc: Allocator,
): Promise<MemberStrip> {
  // Frames parked in memory are read as views: the combine only reads them. Anything else is read
  // into arrays from `alloc` (the strip's), listed in `made`.
  const made: (Float32Array | Uint16Array)[] = [];
  const read = async (a: number, b: number): Promise<Frame> => {
    const n = (b - a) * width;
    const plane = async <T extends Float32Array | Uint16Array>(kind: 'sci' | 'var' | 'dq', type: ScratchType<T>): Promise<T> => {
      const view = parking.view(m, ext, kind, a, b) as T | undefined;
      if (view) return view;
      const into = alloc.take(type, n);
      made.push(into);
      return parking.readRows(m, ext, kind, a, b, into);
    };
    return {
      width,
      height: b - a,
      sci: await plane('sci', Float32Array),
      var: planes.var ? await plane('var', Float32Array) : undefined,
      dq: planes.dq ? await plane('dq', Uint16Array) : undefined,
    };
  };
  if (!m.shift) {
    const f = await read(y0, y1);
    return { sci: f.sci, var: f.var, dq: f.dq, made };
  }
  const { dx, dy, kernel } = m.shift;
  // Output row y takes input rows y + offset over the kernel's taps (offsets near -dy). The band is
  // those rows only: strip height + taps - 1 rows, whatever the dither, so memory does not grow with it.
  const offs = kernelTaps(kernel, dy).offset;
  const lo = y0 + Math.min(...offs), hi = y1 + Math.max(...offs);
  const a = Math.max(0, lo), b = Math.min(height, hi);
  let band: Frame;
  if (a === lo && b === hi) {
    band = await read(a, b);
  } else {
    // Rows beyond the frame's edge: no data, so every output pixel that needs them is flagged.
    const n = (hi - lo) * width;
    band = { width, height: hi - lo, sci: takeZeroedFrom(alloc, Float32Array, n), var: planes.var ? takeZeroedFrom(alloc, Float32Array, n) : undefined, dq: alloc.take(Uint16Array, n).fill(DQ.noData) };
    made.push(band.sci, band.dq!, ...(band.var ? [band.var] : []));
    if (b > a) {
      // The rows inside the frame, read straight into the band (arrays of their own would be of a
      // size no other band takes: they would sit in the scratch pool, uncounted).
      const at = (a - lo) * width, end = (b - lo) * width;
      await parking.readRows(m, ext, 'sci', a, b, band.sci.subarray(at, end));
      if (band.var) await parking.readRows(m, ext, 'var', a, b, band.var.subarray(at, end));
      if (planes.dq) await parking.readRows(m, ext, 'dq', a, b, band.dq!.subarray(at, end));
      else band.dq!.fill(0, at, end);
    }
  }
  // In band coordinates output row y0 + r is band row r: the same fractional shift, moved by the band's start.
  const s = shiftFrame(band, dx, dy + lo - y0, kernel, alloc);
  // The band is done with; the shifted planes (also from `alloc`) go back once combined.
  alloc.give(...made.splice(0));
  const n = (y1 - y0) * width;
  return { sci: s.sci.subarray(0, n), var: s.var?.subarray(0, n), dq: s.dq?.subarray(0, n), made: [s.sci, s.var, s.dq] };
}

/**
 * Combines the active members. With a writer, bands go to it as they are
 * made; without one, the result is returned in memory.
 */
export async function stackMembers(members: readonly Member[], p: StepValues, ctx: StackContext, writer?: FrameWriter): Promise<StackOutput> {
  const act = activeMembers(members);
  if (!act.length) throw new Error('no frame left to stack');
  const geometry = ctx.parking.geometry(act[0]);
  for (const m of act.slice(1)) {
    const g = ctx.parking.geometry(m);
    const same = g.exts.length === geometry.exts.length && g.exts.every((e, k) => e.width === geometry.exts[k].width && e.height === geometry.exts[k].height);
    if (!same) {
      const shape = (x: Geometry) => x.exts.map((e) => `${e.width}x${e.height}`).join(', ');
      throw new Error(`${m.ref.name} is ${shape(g)} where ${act[0].ref.name} is ${shape(geometry)}: frames of one stack must have the same shape`);
    }
  }
  const opts = combineOptions(act, p);
  const frames: Frame[] = [];
  const nExt = geometry.exts.length;
  for (let k = 0; k < nExt; k++) {
    const { width, height } = geometry.exts[k];
    const gs = act.map((m) => ctx.parking.geometry(m).exts[k]);
    const planes = { var: gs.every((g) => g.var), dq: gs.some((g) => g.dq) };
    // Every frame's VAR one and the same number (a bias's read noise) and a plain mean: the mean's
    // VAR is that number over the values used, so the VAR planes need not be read and summed.
    const c = ctx.parking.constantVar(act[0], k);
    const constantVar = planes.var && opts.method === 'mean' && !opts.weights && c !== undefined
      && act.every((m) => ctx.parking.constantVar(m, k) === c)
      && (!opts.scale || Array.from(opts.scale).every((s) => s === opts.scale![0]))
      ? c * (opts.scale ? opts.scale[0] ** 2 : 1)
      : undefined;
    if (constantVar !== undefined) planes.var = false;
    // A frame without DQ reads as all good.
    const source = {
      nFrames: act.length,
      width,
      height,
      bytesPerPixelPerFrame: 4 + (planes.var ? 4 : 0) + (planes.dq ? 2 : 0) + (act.some((m) => m.shift) ? SHIFT_BYTES_PER_PIXEL : 0),
      ...shiftShared(act, width),
      readStrip: (i: number, y0: number, y1: number, alloc: Allocator) => readMember(ctx.parking, act[i], k, width, height, { var: planes.var, dq: planes.dq && gs[i].dq }, y0, y1, alloc),
      release: (_i: number, strip: CombineInput, alloc: Allocator) => alloc.give(...(strip as MemberStrip).made),
    };
    // Every row is written by a strip. From the pool: given back once the product is written (engine).
    const n = width * height;
    const out: Frame | undefined = writer ? undefined : { width, height, sci: take(Float32Array, n), var: take(Float32Array, n), dq: take(Uint16Array, n) };
    const sink = {
      // The writer and `out` copy each strip: the stream reuses its arrays.
      copies: true,
      async writeStrip(y0: number, _y1: number, r: CombineResult) {
        if (constantVar !== undefined) {
          for (let i = 0; i < r.var.length; i++) r.var[i] = r.nUsed![i] ? constantVar / r.nUsed![i] : 0;
        }
        if (writer) {
          await writer.writeRows(k, 'sci', y0, r.sci);
          await writer.writeRows(k, 'var', y0, r.var);
          await writer.writeRows(k, 'dq', y0, r.dq);
        } else if (out) {
          out.sci.set(r.sci, y0 * width);
          out.var!.set(r.var, y0 * width);
          out.dq!.set(r.dq, y0 * width);
        }
      },
    };
    await combineStreamed(source, { ...opts, maps: constantVar !== undefined, memoryBytes: ctx.memoryBytes }, sink, (done, total) => ctx.progress?.((k + done / total) / nExt), ctx.cancel);
    if (out) frames.push(out);
  }
  ctx.log(`${act.length} frames combined: ${opts.method}${opts.reject && opts.reject !== 'none' ? ` with ${opts.reject} rejection` : ''}${opts.weights ? ', weighted' : ''}`);
  return { geometry: { exts: geometry.exts.map((e) => ({ ...e, var: true, dq: true })) }, frames: writer ? undefined : frames };
}
