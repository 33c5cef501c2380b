/**
 * The streamed combine through IndexedDB: more frames than the memory budget
 * holds at once, read strip by strip, must give exactly the in-memory result.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { combine, type CombineOptions } from '../src/core/kernels/combine';
import { combineScratchBytes } from '../src/core/kernels/combine';
import { RESERVE_BYTES } from '../src/core/kernels/combineStream';
import { WorkbenchDb } from '../src/db/schema';
import { readPlaneRows, storeFile, toStrips } from '../src/db/files';
import { STALE_WRITE_MS, markWriting, sweepOrphanStrips } from '../src/db/products';
import { writeFits } from '../src/core/fits';
import { ingestOne } from '../workers/ingest';
import type { FileRecord } from '../src/db/types';
import { PRODUCT_HDU, combineStored } from '../workers/combineStored';

const W = 64, H = 97, N = 20;
let db: WorkbenchDb;
let k = 0;
let frames: Float32Array[];
let ids: string[];

function frameRecord(i: number): FileRecord {
  return {
    id: `frame-${i}`, name: `f${i}.fits`, path: '', size: W * H * 2, addedAt: i, status: 'ok', message: '',
    hdus: [{ index: 0, xtension: 'PRIMARY', extname: 'PRIMARY', bitpix: 16, naxis: [W, H], isImage: true }],
    imageHdu: 0, width: W, height: H, depth: 1, stripRows: 13,
    descriptors: { sources: {}, sourceHdu: {} }, auto: { type: 'flat', reason: 'test' }, type: 'flat',
  };
}

beforeEach(async () => {
  db = new WorkbenchDb(`combine-${k++}`);
  await db.open();
  frames = [];
  ids = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < N; i++) {
    const a = new Float32Array(W * H);
    for (let p = 0; p < a.length; p++) a[p] = 1000 + 30 * (rand() + rand() + rand() - 1.5) + (rand() < 0.01 ? 5000 : 0);
    frames.push(a);
    const rec = frameRecord(i);
    ids.push(rec.id);
    await storeFile(db, rec, { fileId: rec.id, hdus: [{ index: 0, extname: 'PRIMARY', cards: [{ key: 'OBJECT', value: 'flat' }] }] }, toStrips(rec.id, 0, 0, a, W, H, 13));
  }
});
afterEach(async () => {
  db.close();
  await db.delete();
});

/**
 * A budget for strips of `rows` rows of these frames (SCI only): each frame's rows with the stored
 * records of one frame more, the outputs, the combine's scratch and reserve, and the product's
 * one-strip buffer (97 rows here). test/combineBudget.test.ts measures that it holds.
 */
function budgetFor(rows: number): number {
  return rows * W * ((N + 1) * 4 + 10) + combineScratchBytes(N) + RESERVE_BYTES + H * W * 10;
}

async function readProduct(id: string) {
  const rec = (await db.files.get(id))!;
  return {
    rec,
    sci: await readPlaneRows(db, rec, PRODUCT_HDU.sci, 0, 0, H, new Float32Array(W * H)),
    var: await readPlaneRows(db, rec, PRODUCT_HDU.var, 0, 0, H, new Float32Array(W * H)),
    dq: await readPlaneRows(db, rec, PRODUCT_HDU.dq, 0, 0, H, new Uint16Array(W * H)),
  };
}

describe('combineStored', () => {
  const cases: CombineOptions[] = [
    { method: 'median' },
    { method: 'mean', reject: 'sigclip', lsigma: 3, hsigma: 3 },
    { method: 'mean', reject: 'minmax', nlow: 1, nhigh: 2 },
    { method: 'sum', reject: 'madclip' },
  ];
  for (const options of cases) {
    it(`streams ${options.method}/${options.reject ?? 'none'} within a one-band budget and matches the in-memory combine exactly`, async () => {
      const memoryBytes = budgetFor(25);
      const steps: number[] = [];
      const out = await combineStored(db, { fileIds: ids, options, memoryBytes }, (done) => steps.push(done));
      expect(steps.at(-1)).toBe(Math.ceil(H / 13)); // combined one 13-row stored band at a time...
      expect(out.stripRows).toBe(H); // ...stored in the library's usual bands
      expect(out.strips).toBe(1);
      const mem = combine(frames.map((sci) => ({ sci })), options);
      const prod = await readProduct(out.id);
      expect(prod.sci).toEqual(mem.sci);
      expect(prod.var).toEqual(mem.var);
      expect(prod.dq).toEqual(mem.dq);
      expect(prod.rec.type).toBe('product');
      expect(prod.rec.name).toBe('f0_stack.fits');
      const headers = await db.headers.get(out.id);
      const primary = headers!.hdus[0].cards;
      expect(primary.find((c) => c.key === 'NCOMBINE')?.value).toBe(N);
      expect(primary.find((c) => c.key === 'IMCMB020')?.value).toBe('f19.fits');
    });
  }

  it('a cancelled combine publishes nothing and leaves no strips behind', async () => {
    const token = { cancelled: false };
    const before = await db.strips.count();
    await expect(
      combineStored(db, { fileIds: ids, options: { method: 'median' }, memoryBytes: budgetFor(20) }, (done) => { if (done === 2) token.cancelled = true; }, token),
    ).rejects.toThrow(/cancelled/);
    expect(await db.files.where('type').equals('product').count()).toBe(0);
    expect(await db.strips.count()).toBe(before);
  });

  it('refuses frames of different sizes, naming them', async () => {
    await db.files.update('frame-3', { width: 32 });
    await expect(combineStored(db, { fileIds: ids, options: { method: 'mean' }, memoryBytes: 4e6 })).rejects.toThrow(/f3\.fits is 32x97/);
  });

  it('aligns combine strips to the stored bands when the budget allows', async () => {
    const memoryBytes = budgetFor(30);
    const steps: number[] = [];
    const out = await combineStored(db, { fileIds: ids, options: { method: 'median' }, memoryBytes }, (_done, total) => steps.push(total));
    expect(steps[0]).toBe(Math.ceil(H / 26)); // 30 rows rounded down to two 13-row bands
    const prod = await readProduct(out.id);
    expect(prod.sci).toEqual(combine(frames.map((sci) => ({ sci })), { method: 'median' }).sci);
  });

  it('sweeps strips left by an interrupted run, not those of a run still writing', async () => {
    const strip = (fileId: string) => ({ fileId, hdu: 1, plane: 0, index: 0, y0: 0, y1: 1, data: new Float32Array(W) });
    await db.strips.bulkPut([strip('product-dead'), strip('product-live'), strip('product-stale')]);
    await markWriting(db, 'product-live', 'live.fits');
    await db.writing.put({ fileId: 'product-stale', name: 'stale.fits', heartbeat: Date.now() - STALE_WRITE_MS - 1 });
    expect(await sweepOrphanStrips(db)).toBe(2);
    expect(await db.strips.where('fileId').equals('product-dead').count()).toBe(0);
    expect(await db.strips.where('fileId').equals('product-stale').count()).toBe(0);
    expect(await db.strips.where('fileId').equals('product-live').count()).toBe(1);
    expect(await db.writing.get('product-stale')).toBeUndefined();
    expect(await db.strips.where('fileId').equals('frame-0').count()).toBe(Math.ceil(H / 13));
  });

  it('combines ingested SCI/VAR/DQ files with their variance and mask', async () => {
    const mk = (k: number) => {
      const sci = new Float32Array(W * H).fill(100 + k);
      const v = new Float32Array(W * H).fill(4);
      const dq = new Uint16Array(W * H);
      dq[5] = k === 0 ? 8 : 0; // a cosmic ray in the first frame only: masked, not combined
      sci[5] = k === 0 ? 9999 : sci[5];
      return writeFits([
        { cards: [{ key: 'OBJECT', value: 'm' }] },
        { extname: 'SCI', data: sci, width: W, height: H, cards: [] },
        { extname: 'VAR', data: v, width: W, height: H, cards: [] },
        { extname: 'DQ', data: dq, width: W, height: H, cards: [] },
      ]);
    };
    const outs = [];
    for (let k = 0; k < 3; k++) outs.push(await ingestOne(db, { name: `m${k}_flat.fits`, path: '', bytes: mk(k) }));
    expect(outs.every((o) => o.status === 'ok')).toBe(true);
    const res = await combineStored(db, { fileIds: outs.map((o) => o.id), options: { method: 'mean' }, memoryBytes: 4e6 });
    expect(res.name).toBe('m0_flat_stack.fits');
    const prod = await readProduct(res.id);
    expect(prod.sci[0]).toBeCloseTo(101, 5);
    expect(prod.var[0]).toBeCloseTo(4 / 3, 5); // mean(VAR)/n
    expect(prod.sci[5]).toBeCloseTo(101.5, 5); // the masked 9999 is left out
    expect(prod.dq[5]).toBe(0);
  });
});
