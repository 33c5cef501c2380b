/**
 * The stored combine's two promises, measured in bytes (test/memoryProbe.ts):
 * every stored band of every frame is read once (bytes read from IndexedDB
 * equal the frames' stored bytes), and the memory it holds never exceeds
 * its budget, the product's strip buffer and the combine's scratch included.
 * Its result is the in-memory combine's, bit for bit.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { combine, type CombineOptions } from '../src/core/kernels/combine';
import { RESERVE_BYTES, planStrips } from '../src/core/kernels/combineStream';
import { WorkbenchDb } from '../src/db/schema';
import { readPlaneRows, storeFile, stripRowsFor } from '../src/db/files';
import type { FileRecord, StripRecord } from '../src/db/types';
import { PRODUCT_HDU, combineStored } from '../workers/combineStored';
import { memoryProbe, type Probe } from './memoryProbe';
import { releaseScratch } from '../src/core/kernels/scratch';

interface Case {
  W: number;
  H: number;
  N: number;
  /** Rows per stored band (the library's stripRowsFor(width) unless a test says otherwise). */
  band: number;
  withVarDq: boolean;
  options: CombineOptions;
}

let db: WorkbenchDb | undefined;
let k = 0;
afterEach(async () => {
  db?.close();
  await db?.delete();
  db = undefined;
});

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

function bandsOf<T extends Float32Array | Uint16Array>(fileId: string, hdu: number, a: T, W: number, H: number, band: number): StripRecord[] {
  const out: StripRecord[] = [];
  for (let y0 = 0, i = 0; y0 < H; y0 += band, i++) {
    const y1 = Math.min(H, y0 + band);
    out.push({ fileId, hdu, plane: 0, index: i, y0, y1, data: a.slice(y0 * W, y1 * W) });
  }
  return out;
}

/** N frames stored in bands; returns the planes for the in-memory reference and the bytes stored per frame. */
async function setUp(c: Case): Promise<{ db: WorkbenchDb; probe: Probe; ids: string[]; frames: { sci: Float32Array; var?: Float32Array; dq?: Uint16Array }[]; storedBytes: number }> {
  const d = new WorkbenchDb(`budget-${k++}`);
  const probe = memoryProbe(d);
  await d.open();
  db = d;
  const r = lcg(11 + c.W + c.N);
  const n = c.W * c.H;
  const frames = [];
  const ids: string[] = [];
  let storedBytes = 0;
  for (let i = 0; i < c.N; i++) {
    const sci = new Float32Array(n);
    for (let p = 0; p < n; p++) sci[p] = 1000 + 30 * (r() + r() + r() - 1.5) + (r() < 0.01 ? 5000 : 0);
    const id = `f-${i}`;
    ids.push(id);
    const hdus = c.withVarDq
      ? [
          { index: 0, xtension: 'PRIMARY', extname: 'PRIMARY', bitpix: 8, naxis: [], isImage: false },
          { index: 1, xtension: 'IMAGE', extname: 'SCI', bitpix: -32, naxis: [c.W, c.H], isImage: true },
          { index: 2, xtension: 'IMAGE', extname: 'VAR', bitpix: -32, naxis: [c.W, c.H], isImage: true },
          { index: 3, xtension: 'IMAGE', extname: 'DQ', bitpix: 16, naxis: [c.W, c.H], isImage: true },
        ]
      : [{ index: 0, xtension: 'PRIMARY', extname: 'PRIMARY', bitpix: -32, naxis: [c.W, c.H], isImage: true }];
    const rec: FileRecord = {
      id, name: `f${i}.fits`, path: '', size: n * 4, addedAt: i, status: 'ok', message: '',
      hdus, imageHdu: c.withVarDq ? 1 : 0, width: c.W, height: c.H, depth: 1, stripRows: c.band,
      descriptors: { sources: {}, sourceHdu: {} }, auto: { type: 'flat', reason: 'test' }, type: 'flat',
    };
    const strips = bandsOf(id, rec.imageHdu, sci, c.W, c.H, c.band);
    const frame: { sci: Float32Array; var?: Float32Array; dq?: Uint16Array } = { sci };
    if (c.withVarDq) {
      frame.var = new Float32Array(n);
      frame.dq = new Uint16Array(n);
      for (let p = 0; p < n; p++) {
        frame.var[p] = 20 + 10 * r();
        if (r() < 0.01) frame.dq[p] = 8;
      }
      strips.push(...bandsOf(id, 2, frame.var, c.W, c.H, c.band), ...bandsOf(id, 3, frame.dq, c.W, c.H, c.band));
    }
    storedBytes += strips.reduce((s, x) => s + (x.dtype === undefined ? x.data.byteLength : x.data instanceof Blob ? x.data.size : x.data.bytes), 0);
    frames.push(frame);
    await storeFile(d, rec, { fileId: id, hdus: [{ index: 0, extname: 'PRIMARY', cards: [] }] }, strips);
  }
  return { db: d, probe, ids, frames, storedBytes };
}

function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

async function run(c: Case, memoryBytes: number) {
  const s = await setUp(c);
  releaseScratch(); // what earlier tests left in the scratch pool would be reused unseen
  s.probe.start();
  let out;
  try {
    out = await combineStored(s.db, { fileIds: s.ids, options: c.options, memoryBytes });
  } finally {
    s.probe.stop();
  }
  let read = 0;
  for (const id of s.ids) read += s.probe.readBytes.get(id) ?? 0;
  // The reference: the kernel on whole frames in memory.
  const whole = combine(s.frames, c.options);
  const rec = (await s.db.files.get(out.id))!;
  const n = c.W * c.H;
  const got = {
    sci: await readPlaneRows(s.db, rec, PRODUCT_HDU.sci, 0, 0, c.H, new Float32Array(n)),
    var: await readPlaneRows(s.db, rec, PRODUCT_HDU.var, 0, 0, c.H, new Float32Array(n)),
    dq: await readPlaneRows(s.db, rec, PRODUCT_HDU.dq, 0, 0, c.H, new Uint16Array(n)),
  };
  return { read, stored: s.storedBytes, peak: s.probe.peak, peakAt: s.probe.peakAt, checkpoints: s.probe.checkpoints, whole, got };
}

/** The least budget for which the combine plans strips of `rows` rows (found by bisection on its plan). */
function leastFor(c: Case, rows: number): number {
  const plan = (b: number) => {
    try {
      return planStrips(b, { nFrames: c.N, width: c.W, height: c.H, bytesPerPixelPerFrame: ((c.withVarDq ? 10 : 4) * (c.N + 1)) / c.N, alignRows: c.band, reserveBytes: RESERVE_BYTES }, Math.min(c.H, stripRowsFor(c.W)) * c.W * 10).rows;
    } catch {
      return 0;
    }
  };
  let lo = 0, hi = 2 ** 32;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (plan(mid) >= rows) hi = mid; else lo = mid;
  }
  return hi;
}

describe('combineStored within its budget, reading every band once', () => {
  const cases: [string, Case, (c: Case) => number][] = [
    ['4096 wide, 5 frames, the least budget (a band of each)', { W: 4096, H: 160, N: 5, band: stripRowsFor(4096), withVarDq: false, options: { method: 'median' } }, (c) => leastFor(c, c.band)],
    ['4096 wide, 5 frames, 2.5 bands of budget', { W: 4096, H: 160, N: 5, band: stripRowsFor(4096), withVarDq: false, options: { method: 'mean', reject: 'sigclip' } }, (c) => leastFor(c, c.band) * 2.5],
    ['4096 wide, 3 frames with VAR and DQ', { W: 4096, H: 130, N: 3, band: stripRowsFor(4096), withVarDq: true, options: { method: 'wmean', reject: 'varclip' } }, (c) => leastFor(c, c.band) + 12345],
    ['64 wide, 20 frames in 13-row bands', { W: 64, H: 97, N: 20, band: 13, withVarDq: false, options: { method: 'mean', reject: 'minmax', nlow: 1, nhigh: 2 } }, (c) => leastFor(c, 2 * c.band) + 20 * 13 * 64 * 4],
    ['1000 wide, 4 frames, one band is the whole frame', { W: 1000, H: 200, N: 4, band: stripRowsFor(1000), withVarDq: true, options: { method: 'median', reject: 'madclip' } }, (c) => leastFor(c, c.H)],
  ];
  // The least budgets for one, two and three bands per strip: the tightest the plan can be, so an
  // allocation it leaves out (the product's buffer, a copy) shows.
  const tight: Case = { W: 4096, H: 200, N: 5, band: stripRowsFor(4096), withVarDq: true, options: { method: 'median' } };
  for (const bands of [1, 2, 3]) {
    cases.push([`4096 wide, 5 frames with VAR and DQ, the least budget for ${bands}-band strips`, tight, (c) => leastFor(c, bands * c.band)]);
  }
  for (const [name, c, budget] of cases) {
    it(name, async () => {
      const memoryBytes = Math.round(budget(c));
      const m = await run(c, memoryBytes);
      console.log(`${name}: read ${(m.read / m.stored).toFixed(3)} x the stored bytes; peak ${(m.peak / 2 ** 20).toFixed(2)} MB of a ${(memoryBytes / 2 ** 20).toFixed(2)} MB budget (${m.checkpoints} checkpoints; peak at ${m.peakAt})`);
      expect(m.read).toBe(m.stored);
      expect(m.checkpoints).toBeGreaterThan(0);
      expect(m.peak).toBeLessThanOrEqual(memoryBytes);
      expect(firstDiff(m.got.sci, m.whole.sci)).toBe(-1);
      expect(firstDiff(m.got.var, m.whole.var)).toBe(-1);
      expect(firstDiff(m.got.dq, m.whole.dq)).toBe(-1);
    }, 120_000);
  }

  it('refuses a budget below one band of every frame, naming the least it needs', async () => {
    const c: Case = { W: 4096, H: 160, N: 5, band: stripRowsFor(4096), withVarDq: false, options: { method: 'median' } };
    const s = await setUp(c);
    // Today's 3-row budget: it read each 64-row band about 21 times.
    const memoryBytes = 3 * c.W * (c.N * 4 + 14);
    await expect(combineStored(s.db, { fileIds: s.ids, options: c.options, memoryBytes })).rejects.toThrow(/budget of 408 kB is too small for 5 frames 4096 pixels wide: one 64-row stored band of each, with the output, needs \d+\.\d MB/);
    expect(await s.db.files.where('type').equals('product').count()).toBe(0);
  });
});
