import { describe, expect, it } from 'vitest';
import { combine, type CombineInput, type CombineOptions, type CombineResult, type RejectMethod } from './combine';
import { combineScratchBytes } from './combine';
import {
  CancelledError, DEFAULT_BYTES_PER_PIXEL_PER_FRAME, OUTPUT_BYTES_PER_PIXEL, bytesForStrips, combineStreamed, planStrips,
  type StripSink, type StripSource,
} from './combineStream';
import { DQ } from './dq';
import type { Allocator, ScratchType } from './scratch';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}

const NF = 20, W = 64, H = 97, n = W * H;

/** The budget for strips of `rows` rows: the planes, the outputs (with maps) and the fixed costs. */
function budgetFor(rows: number, bpp: number): number {
  return rows * W * (NF * bpp + OUTPUT_BYTES_PER_PIXEL) + combineScratchBytes(NF);
}

/** 20 noisy frames with outliers, VAR, and a few masked pixels (one pixel masked in every frame). */
function makeFrames(): CombineInput[] {
  const r = lcg(42);
  const frames: CombineInput[] = [];
  for (let k = 0; k < NF; k++) {
    const sci = new Float32Array(n), vr = new Float32Array(n), dq = new Uint16Array(n);
    for (let p = 0; p < n; p++) {
      sci[p] = 100 + (p % W) * 0.1 + (r() + r() + r() - 1.5) * 4 + (r() < 0.02 ? 500 : 0);
      vr[p] = 5 + r();
      if (r() < 0.01) dq[p] = DQ.cosmicRay;
    }
    dq[5 * W + 7] = DQ.bad;
    frames.push({ sci, var: vr, dq });
  }
  return frames;
}

/**
 * An in-memory source that counts how many pixels are alive at once. Its
 * strips are copies into arrays from the stream's allocator (a carving of the
 * scratch pool when the sink copies), given back once combined, as the
 * pipeline's stack source does.
 */
function memorySource(frames: CombineInput[], withVar: boolean): StripSource & { peakRows: number } {
  const src = {
    nFrames: frames.length, width: W, height: H, peakRows: 0,
    bytesPerPixelPerFrame: withVar ? DEFAULT_BYTES_PER_PIXEL_PER_FRAME : 6,
    async readStrip(k: number, y0: number, y1: number, alloc: Allocator): Promise<CombineInput> {
      src.peakRows = Math.max(src.peakRows, y1 - y0);
      const f = frames[k];
      const copy = <T extends Float32Array | Uint16Array>(type: ScratchType<T>, from: T) => {
        const a = alloc.take(type, (y1 - y0) * W);
        a.set(from.subarray(y0 * W, y1 * W));
        return a;
      };
      return { sci: copy(Float32Array, f.sci), var: withVar ? copy(Float32Array, f.var!) : undefined, dq: copy(Uint16Array, f.dq!) };
    },
    release(_k: number, strip: CombineInput, alloc: Allocator) {
      alloc.give(strip.sci, strip.var, strip.dq);
    },
  };
  return src;
}

/** Index of the first element that differs (Object.is, so NaN and -0 count), -1 if none; vitest's toEqual is slow on big typed arrays. */
function firstDiff(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): number {
  if (!a || !b) return a === b ? -1 : 0;
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** `copies`: the sink says it copies each strip, so the stream cuts the strips' arrays out of the scratch pool's buffers. */
function memorySink(copies = false): StripSink & { out: CombineResult; strips: [number, number][] } {
  const out: CombineResult = { sci: new Float32Array(n), var: new Float32Array(n), dq: new Uint16Array(n), rejectMap: new Uint16Array(n), nUsed: new Uint16Array(n) };
  const sink = {
    out, strips: [] as [number, number][], copies,
    async writeStrip(y0: number, y1: number, r: CombineResult): Promise<void> {
      sink.strips.push([y0, y1]);
      out.sci.set(r.sci, y0 * W); out.var.set(r.var, y0 * W); out.dq.set(r.dq, y0 * W);
      if (r.rejectMap) out.rejectMap!.set(r.rejectMap, y0 * W);
      if (r.nUsed) out.nUsed!.set(r.nUsed, y0 * W);
    },
  };
  return sink;
}

describe('planStrips', () => {
  const s = { nFrames: 10, width: 100, height: 500, bytesPerPixelPerFrame: 10 };
  const fixed = combineScratchBytes(10);
  it('plans the tallest strip whose planes, outputs, scratch and sink buffer fit the budget', () => {
    const perRow = 100 * (10 * 10 + OUTPUT_BYTES_PER_PIXEL - 4); // no maps: no rejectMap or nUsed
    expect(planStrips(fixed + 7 * perRow + 5000, s, 5000)).toEqual({ rows: 7, bytes: fixed + 7 * perRow + 5000 });
    expect(planStrips(fixed + 7 * perRow + 4999, s, 5000).rows).toBe(6);
    expect(planStrips(fixed + 7 * (perRow + 400), { ...s, maps: true }).rows).toBe(7);
    expect(planStrips(1e12, s).rows).toBe(500);
    expect(bytesForStrips(7, { ...s, reserveBytes: 3000 }, 5000)).toBe(fixed + 7 * perRow + 8000);
  });
  it('plans whole stored bands, and refuses a budget below one band (or row) of every frame, with the least it needs', () => {
    const perRow = 100 * (10 * 10 + OUTPUT_BYTES_PER_PIXEL - 4);
    expect(planStrips(fixed + 47 * perRow, { ...s, alignRows: 16 }).rows).toBe(32);
    expect(planStrips(fixed + 16 * perRow, { ...s, alignRows: 16 }).rows).toBe(16);
    const kb = (b: number) => Math.ceil(b / 1024);
    expect(() => planStrips(fixed + 15 * perRow, { ...s, alignRows: 16 })).toThrow(
      `budget of ${kb(fixed + 15 * perRow)} kB is too small for 10 frames 100 pixels wide: one 16-row stored band of each, with the output, needs ${kb(fixed + 16 * perRow)} kB`,
    );
    expect(() => planStrips(fixed + perRow - 1, s)).toThrow(/one row of each/);
    // A band taller than the frame: the frame is the band.
    expect(planStrips(fixed + 500 * perRow, { ...s, alignRows: 4096 }).rows).toBe(500);
    expect(() => planStrips(fixed + 499 * perRow, { ...s, alignRows: 4096 })).toThrow(/one 500-row stored band/);
  });
});

describe('combineStreamed', () => {
  const frames = makeFrames();
  const budget3Rows = budgetFor(3, DEFAULT_BYTES_PER_PIXEL_PER_FRAME);
  const rejects: RejectMethod[] = ['none', 'minmax', 'sigclip', 'madclip', 'winsorized', 'varclip'];

  it('equals the in-memory combine exactly, for every method and rejection, within a 3-row budget, its arrays cut from the pool or not', async () => {
    for (const [withVar, copies] of [[true, false], [false, false], [true, true], [false, true]]) {
      const inputs = withVar ? frames : frames.map((f) => ({ sci: f.sci, dq: f.dq }));
      for (const method of ['mean', 'median', 'wmean', 'sum'] as const) {
        if (method === 'wmean' && !withVar) continue;
        for (const reject of rejects) {
          const opts: CombineOptions = { method, reject, nlow: 2, nhigh: 3, lsigma: 2.5, hsigma: 2.5, maps: true };
          const whole = combine(inputs, opts);
          const src = memorySource(frames, withVar);
          const sink = memorySink(copies);
          await combineStreamed(src, { ...opts, memoryBytes: withVar ? budget3Rows : budgetFor(3, 6) }, sink);
          expect(src.peakRows).toBe(3);
          expect(sink.strips.length).toBe(Math.ceil(H / 3));
          const tag = `${method}/${reject}/${withVar ? 'var' : 'novar'}${copies ? '/cut' : ''}`;
          expect(firstDiff(sink.out.sci, whole.sci), tag).toBe(-1);
          expect(firstDiff(sink.out.var, whole.var), tag).toBe(-1);
          expect(firstDiff(sink.out.dq, whole.dq), tag).toBe(-1);
          expect(firstDiff(sink.out.rejectMap, whole.rejectMap), tag).toBe(-1);
          expect(firstDiff(sink.out.nUsed, whole.nUsed), tag).toBe(-1);
        }
      }
    }
  });

  it('reports progress per strip and covers every row once', async () => {
    const calls: [number, number][] = [];
    const sink = memorySink();
    await combineStreamed(memorySource(frames, true), { method: 'median', memoryBytes: budgetFor(10, 10) }, sink, (d, t) => calls.push([d, t]));
    expect(calls.length).toBe(10);
    expect(calls[9]).toEqual([10, 10]);
    let y = 0;
    for (const [y0, y1] of sink.strips) { expect(y0).toBe(y); y = y1; }
    expect(y).toBe(H);
  });

  it('stops between strips when cancelled (flag or AbortSignal-like)', async () => {
    const token = { cancelled: false };
    const sink = memorySink();
    const run = combineStreamed(memorySource(frames, true), { method: 'mean', memoryBytes: budget3Rows }, sink, (d) => { if (d === 2) token.cancelled = true; }, token);
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(sink.strips.length).toBe(2);
    const ac = new AbortController();
    ac.abort();
    await expect(combineStreamed(memorySource(frames, true), { method: 'mean', memoryBytes: budget3Rows }, memorySink(), undefined, ac.signal)).rejects.toThrow(CancelledError);
  });

  it('refuses a strip of the wrong size', async () => {
    const src = memorySource(frames, true);
    const bad: StripSource = { ...src, readStrip: async (k, y0, y1, alloc) => ({ sci: (await src.readStrip(k, y0, y1, alloc)).sci.subarray(1) }) };
    await expect(combineStreamed(bad, { method: 'mean', memoryBytes: budget3Rows }, memorySink())).rejects.toThrow(/expected/);
  });
});
