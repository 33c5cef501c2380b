/**
 * A run's scratch frames on the IndexedDB store: in OPFS files where the
 * realm has sync access handles (a fake OPFS here, ./fakeOpfs.ts; the real
 * one is checked in Chromium by e2e/scratch.spec.ts), else as IndexedDB
 * strips (fake-indexeddb, as in Node). Both read back any rows written, leave
 * nothing behind, and give the same masters as a run that kept every frame in
 * memory; a full quota names the frame.
 */
import 'fake-indexeddb/auto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFits } from '../src/core/fits';
import { executeRun, type LogEntry } from '../src/core/pipeline/engine';
import { buildPlan, runsToDo } from '../src/core/pipeline/plan';
import { executePlan } from '../src/core/pipeline/scheduler';
import type { StoredFrame } from '../src/core/pipeline/store';
import { StorageFullError } from '../src/db/errors';
import { productFitsParts } from '../src/db/exportFits';
import { OpfsScratch, SCRATCH_DIRECTORY, clearScratchDirectory, opfsScratchSupported } from '../src/db/opfsScratch';
import { IdbPixelStore } from '../src/db/pixelStore';
import { WorkbenchDb } from '../src/db/schema';
import { useTestDb } from './testDb';
import { ingestOne } from '../workers/ingest';
import { loadPlanInput } from '../workers/pipelineClient';
import { FakeOpfs } from './fakeOpfs';

const NIGHT = path.resolve(__dirname, '../../shared/sample-night');
const W = 300;
const H = 70;

function planes(seed: number) {
  const sci = Float32Array.from({ length: W * H }, (_, i) => Math.sin(i * 0.37 + seed) * 1000 + seed);
  const vr = Float32Array.from({ length: W * H }, (_, i) => (i % 97) + seed);
  const dq = Uint16Array.from({ length: W * H }, (_, i) => (i * 7 + seed) % 5);
  return { sci, var: vr, dq };
}

/** Writes two extensions in bands of 13 rows; returns what was written. */
async function writeScratch(store: IdbPixelStore, name: string) {
  const w = await store.create({ role: 'scratch', name, exts: [1, 2].map((extver) => ({ extver, width: W, height: H, var: true, dq: true })) });
  const data = [planes(1), planes(2)];
  for (const [k, p] of data.entries()) {
    for (const plane of ['sci', 'var', 'dq'] as const) {
      for (let y = 0; y < H; y += 13) {
        const y1 = Math.min(H, y + 13);
        await w.writeRows(k, plane, y, p[plane].subarray(y * W, y1 * W));
      }
    }
  }
  const id = await w.commit({ primary: [{ key: 'OBJECT', value: name }], exts: [[], []] });
  return { id, data };
}

async function readBack(store: IdbPixelStore, frame: StoredFrame, data: ReturnType<typeof planes>[]) {
  expect(frame.exts.map((e) => [e.extver, e.width, e.height, e.planes.var !== undefined, e.planes.dq !== undefined])).toEqual([[1, W, H, true, true], [2, W, H, true, true]]);
  for (const [k, p] of data.entries()) {
    // Arbitrary ranges, whole planes, a single row; into arrays of the plane's type and of the other one.
    for (const [y0, y1] of [[0, H], [5, 6], [17, 61], [H - 1, H]]) {
      const sci = await store.readRows(frame, k, 'sci', y0, y1, new Float32Array((y1 - y0) * W));
      expect(sci).toEqual(p.sci.subarray(y0 * W, y1 * W));
      const vr = await store.readRows(frame, k, 'var', y0, y1, new Float32Array((y1 - y0) * W));
      expect(vr).toEqual(p.var.subarray(y0 * W, y1 * W));
      const dq = await store.readRows(frame, k, 'dq', y0, y1, new Uint16Array((y1 - y0) * W));
      expect(dq).toEqual(p.dq.subarray(y0 * W, y1 * W));
      const dqAsFloat = await store.readRows(frame, k, 'dq', y0, y1, new Float32Array((y1 - y0) * W));
      expect(dqAsFloat).toEqual(Float32Array.from(p.dq.subarray(y0 * W, y1 * W)));
    }
  }
}

describe('scratch frames', () => {
  let db: WorkbenchDb;
  useTestDb('scratch-store', (d) => (db = d));

  const scratchStrips = async () => (await db.strips.toArray()).filter((s) => s.fileId.startsWith('scratch-')).length;

  it('in Node (no sync access handles) are IndexedDB strips', async () => {
    expect(opfsScratchSupported()).toBe(false);
    const store = new IdbPixelStore(db);
    const { id, data } = await writeScratch(store, 'a.fits (scratch)');
    expect(await scratchStrips()).toBeGreaterThan(0);
    await readBack(store, await store.open(id), data);
    await store.removeScratch(id);
    expect(await scratchStrips()).toBe(0);
    expect(await db.writing.count()).toBe(0);
  });

  it('go to one OPFS file each when there is OPFS: read back as written, removed after, nothing in IndexedDB', async () => {
    const fs = new FakeOpfs();
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot) });
    const one = await writeScratch(store, 'a.fits (scratch)');
    const two = await writeScratch(store, 'b.fits (scratch)');
    expect(fs.list(SCRATCH_DIRECTORY).sort()).toEqual([one.id, two.id].sort());
    expect(fs.used).toBe(2 * 2 * W * H * (4 + 4 + 2));
    expect(await scratchStrips()).toBe(0);
    expect(await db.writing.count()).toBe(0);
    await readBack(store, await store.open(one.id), one.data);
    await readBack(store, await store.open(two.id), two.data);
    await store.removeScratch(one.id);
    expect(fs.list(SCRATCH_DIRECTORY)).toEqual([two.id]);
    await store.removeScratch(two.id);
    await store.removeScratch(two.id); // twice is harmless
    expect(fs.list(SCRATCH_DIRECTORY)).toEqual([]);
    expect(fs.used).toBe(0);
  });

  it('refuse rows out of order and a commit with missing rows; a discarded frame leaves no file', async () => {
    const fs = new FakeOpfs();
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot) });
    const w = await store.create({ role: 'scratch', name: 'c.fits (scratch)', exts: [{ extver: 1, width: W, height: H, var: false, dq: false }] });
    await w.writeRows(0, 'sci', 0, new Float32Array(10 * W));
    await expect(w.writeRows(0, 'sci', 20, new Float32Array(W))).rejects.toThrow(/in order/);
    await expect(w.commit({ primary: [], exts: [[]] })).rejects.toThrow(/10 of 70 rows/);
    await w.discard();
    await w.discard();
    expect(fs.list(SCRATCH_DIRECTORY)).toEqual([]);
  });

  it('a full quota is a StorageFullError naming the frame, and leaves no file', async () => {
    const fs = new FakeOpfs(W * H * 4);
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot) });
    const err = await store.create({ role: 'scratch', name: 'big.fits (scratch)', exts: [{ extver: 1, width: W, height: H, var: true, dq: false }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as Error).message).toMatch(/^big\.fits \(scratch\): not written — the browser's storage quota is full, so the run stopped.*restart the run/);
    expect(fs.list(SCRATCH_DIRECTORY)).toEqual([]);
    expect(await scratchStrips()).toBe(0);
  });

  it('fall back to IndexedDB when OPFS fails for another reason', async () => {
    const broken = new OpfsScratch(async () => { throw new DOMException('no OPFS here', 'SecurityError'); });
    const store = new IdbPixelStore(db, { scratch: broken });
    const { id, data } = await writeScratch(store, 'd.fits (scratch)');
    expect(await scratchStrips()).toBeGreaterThan(0);
    await readBack(store, await store.open(id), data);
    await store.removeScratch(id);
    expect(await scratchStrips()).toBe(0);
  });

  it('left by a crashed page are cleared; a missing directory or no OPFS is nothing to clear', async () => {
    expect(await clearScratchDirectory()).toBe(0); // Node: no OPFS at all
    const fs = new FakeOpfs();
    expect(await clearScratchDirectory(fs.getRoot)).toBe(0);
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot) });
    await writeScratch(store, 'e.fits (scratch)'); // never removed: an orphan (its handle still open, as in a live worker)
    const dir = await (await fs.getRoot()).getDirectoryHandle(SCRATCH_DIRECTORY);
    await dir.getFileHandle('scratch-old', { create: true });
    await dir.getDirectoryHandle('leftover', { create: true });
    // The open file stays (a worker still has it); the rest goes.
    expect(await clearScratchDirectory(fs.getRoot)).toBe(2);
    expect(fs.list(SCRATCH_DIRECTORY)).toHaveLength(1);
  });
});

describe('masters of the sample night with every frame spilled to scratch', () => {
  const db = new WorkbenchDb('scratch-night');
  const fs = new FakeOpfs();
  const products = new Map<string, Map<string, Uint8Array[]>>();
  const logs = new Map<string, LogEntry[]>();

  beforeAll(async () => {
    await db.open();
    // Biases and flats only: the runs that park frames.
    for (const name of readdirSync(NIGHT).filter((n) => /^raw00(0\d|1\d)\.fits$/.test(n)).sort()) {
      const out = await ingestOne(db, { name, path: '', bytes: new Uint8Array(readFileSync(path.join(NIGHT, name))) });
      expect(out.status).toBe('ok');
    }
    const plan = buildPlan(await loadPlanInput(db));
    const keys = new Set(runsToDo(plan).map((r) => r.key));
    expect(keys.size).toBe(3);
    const ways = { memory: [64 * 2 ** 20, false], indexeddb: [2 ** 20, false], opfs: [2 ** 20, new OpfsScratch(fs.getRoot)] } as const;
    for (const [way, [memoryBytes, scratch]] of Object.entries(ways)) {
      const out = new Map<string, Uint8Array[]>();
      const result = await executePlan(plan, async (spec) => {
        const r = await executeRun(spec, new IdbPixelStore(db, { scratch }), {}, { memoryBytes });
        logs.set(`${way} ${spec.output.name}`, r.log);
        return r;
      }, { concurrency: 1, only: keys });
      for (const o of result.outcomes.values()) expect(o.status).toBe('done');
      for (const rec of await db.files.where('type').equals('product').toArray()) {
        const { name, parts } = await productFitsParts(db, rec.id);
        const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
        const fits = parseFits(bytes, name);
        out.set(name, fits.hdus.slice(1).map((h) => bytes.slice(h.dataOffset, h.dataOffset + h.dataBytes)));
      }
      products.set(way, out);
    }
  }, 120_000);

  afterAll(async () => {
    db.close();
    await db.delete();
  });

  it('spill in both stores and say so in the run log', () => {
    for (const way of ['indexeddb', 'opfs']) {
      for (const name of ['raw0001_bias.fits', 'raw0008_flat.fits', 'raw0014_flat.fits']) {
        const storage = logs.get(`${way} ${name}`)!.find((e) => e.step === 'storage')!.message;
        expect(storage, `${way} ${name}`).toMatch(/MB of it scratch/);
      }
    }
    for (const name of ['raw0001_bias.fits', 'raw0008_flat.fits']) {
      expect(logs.get(`memory ${name}`)!.find((e) => e.step === 'storage')!.message).not.toMatch(/scratch/);
    }
    expect(fs.writes).toBeGreaterThan(0);
  });

  it('give the masters of a run that kept its frames in memory, pixel for pixel', () => {
    const ref = products.get('memory')!;
    expect([...ref.keys()].sort()).toEqual(['raw0001_bias.fits', 'raw0008_flat.fits', 'raw0014_flat.fits']);
    for (const way of ['indexeddb', 'opfs']) {
      const got = products.get(way)!;
      expect([...got.keys()].sort()).toEqual([...ref.keys()].sort());
      for (const [name, units] of ref) {
        units.forEach((u, k) => expect(Buffer.from(got.get(name)![k]).equals(Buffer.from(u)), `${way} ${name} HDU ${k + 1}`).toBe(true));
      }
    }
  });

  it('leave no scratch behind, in OPFS or IndexedDB', async () => {
    expect(fs.list(SCRATCH_DIRECTORY)).toEqual([]);
    expect(fs.used).toBe(0);
    expect((await db.strips.toArray()).filter((s) => s.fileId.startsWith('scratch-'))).toEqual([]);
    expect(await db.writing.count()).toBe(0);
  });
});
