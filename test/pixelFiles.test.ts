/**
 * Products' pixels in files of the Origin Private File System
 * (src/db/pixelFiles.ts), on fake-indexeddb and a fake OPFS (./fakeOpfs.ts):
 * a product reads back value for value as the same product stored as
 * typed-array strips (the path without OPFS, the reference), through the
 * store, readPlaneRows and a workspace export; its strip records point into
 * one file named by its id and nothing is left in the run's scratch; a
 * discarded or failed product leaves no file; deleting a product, remaking
 * it in its slot and the start-up sweeps remove its file; a file that went
 * missing is an error naming the product; an OPFS that refuses the file
 * leaves the product to IndexedDB's typed arrays. Ingested files staged into
 * pixel files read back as typed-array ones do (through the page's reader,
 * the pipeline's file handle and a workspace export), one file each, named by
 * their record, kept while it is listed and removed with it.
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductInfo } from '../src/core/pipeline/products';
import { deleteFiles, readPlaneRows } from '../src/db/files';
import { OpfsScratch, SCRATCH_DIRECTORY } from '../src/db/opfsScratch';
import { PIXELS_DIRECTORY, PIXEL_SWEEP_AGE_MS, readPixelRef, usePixelRoot } from '../src/db/pixelFiles';
import { IdbPixelStore } from '../src/db/pixelStore';
import { discardRunWrites, markWriting, sweepOrphanStrips } from '../src/db/products';
import type { WorkbenchDb } from '../src/db/schema';
import { exportWorkspace, importWorkspace } from '../src/db/workspace';
import { bytesSource } from '../src/core/workspace/archive';
import { FakeOpfs } from './fakeOpfs';
import { useTestDb } from './testDb';
import { FILES, planesOf } from './ingestFixtures';
import { STAGING_DIRECTORY, StripStaging } from '../src/db/stripStaging';
import { RawCopies } from '../src/db/rawCopies';
import { STRIP_ARRAY } from '../src/core/workspace/format';
import { ingestOne } from '../workers/ingest';
import { readPlanes } from './productPlanes';

const W = 300;
const H = 1000; // several strips of 873 rows (stripRowsFor(300))

function info(runKey: string): ProductInfo {
  return {
    kind: 'reduced', recipe: 'reduceScience', runKey, signature: 's', inputs: [], calibrations: {},
    params: {} as ProductInfo['params'], createdAt: 0, valid: true, bunit: 'electron',
  };
}

function planes(seed: number) {
  const sci = Float32Array.from({ length: W * H }, (_, i) => Math.sin(i * 0.01 + seed) * 1e4 + (i % 7) / 3);
  sci[12345] = NaN;
  return {
    sci,
    var: Float32Array.from({ length: W * H }, (_, i) => 100 + ((i + seed) % 1000)),
    dq: Uint16Array.from({ length: W * H }, (_, i) => (i * 7919 + seed) % 65536),
  };
}

/** Writes a product (DQ in two calls of uneven height) and publishes it unless told not to. */
async function writeProduct(store: IdbPixelStore, runKey: string, seed: number, publish = true) {
  const p = planes(seed);
  const w = await store.create({ role: 'product', name: `${runKey}.fits`, exts: [{ extver: 1, width: W, height: H, var: true, dq: true }] });
  await w.writeRows(0, 'sci', 0, p.sci);
  await w.writeRows(0, 'var', 0, p.var);
  await w.writeRows(0, 'dq', 0, p.dq.subarray(0, 401 * W));
  await w.writeRows(0, 'dq', 401, p.dq.subarray(401 * W));
  const id = publish ? await w.commit({ primary: [], exts: [[]] }, info(runKey)) : w.id;
  return { w, p, id };
}

const readAll = (store: IdbPixelStore, id: string) => readPlanes(store, id, W, H);

describe('products in pixel files', () => {
  let db!: WorkbenchDb;
  let plain!: WorkbenchDb;
  useTestDb('pixel-files', (d) => { db = d; });
  useTestDb('pixel-files-plain', (d) => { plain = d; });
  // One origin's files for the whole block, as its database is.
  let fs = new FakeOpfs();
  const filed = () => new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror: false, pixels: new OpfsScratch(fs.getRoot, PIXELS_DIRECTORY) });
  beforeAll(() => usePixelRoot(fs.getRoot));
  afterAll(() => usePixelRoot(undefined));

  it('read back exactly as the typed-array product, from one file named by the product, nothing left in scratch', async () => {
    const { id, p } = await writeProduct(filed(), 'a', 1);
    const reference = await writeProduct(new IdbPixelStore(plain, { scratch: false, mirror: false, pixels: false }), 'a', 1);
    expect(fs.list(PIXELS_DIRECTORY)).toEqual([id]);
    expect(fs.list(SCRATCH_DIRECTORY)).toEqual([]);
    const strips = await db.strips.where('fileId').equals(id).toArray();
    expect(strips.length).toBe(await plain.strips.where('fileId').equals(reference.id).count());
    for (const s of strips) expect(s.data).toMatchObject({ file: id });
    // Through the store (a new one: no handle of the writer's), and through readPlaneRows as the page reads.
    const got = await readAll(filed(), id);
    expect(got.sci).toEqual(p.sci);
    expect(got.var).toEqual(p.var);
    expect(got.dq).toEqual(p.dq);
    expect(await readPlaneRows(db, { id, width: W, stripRows: 873 }, 1, 0, 870, 880, new Float32Array(10 * W))).toEqual(p.sci.subarray(870 * W, 880 * W));
    // The library's figures are the typed-array product's.
    expect((await db.files.get(id))!.stats).toEqual((await plain.files.get(reference.id))!.stats);
  });

  it('export to a workspace byte for byte as typed-array products do', async () => {
    const pixels = async (d: WorkbenchDb) => {
      const m = await exportWorkspace(d, async () => undefined, { now: new Date(0) });
      return m.entries.filter((e) => e.name.startsWith('pixels/')).map((e) => `${e.size} ${e.sha256}`).sort();
    };
    const [a, b] = [await pixels(plain), await pixels(db)];
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });

  it('leave no file when discarded, and a run whose worker died leaves none either', async () => {
    const before = fs.list(PIXELS_DIRECTORY);
    const { w } = await writeProduct(filed(), 'gone', 2, false);
    expect(fs.list(PIXELS_DIRECTORY)).toContain(w.id);
    await w.discard();
    expect(fs.list(PIXELS_DIRECTORY)).toEqual(before);
    // A worker killed mid-write: its file stays open no more, and the page discards what its run wrote.
    const store = new IdbPixelStore(db, { scratch: false, mirror: false, pixels: new OpfsScratch(fs.getRoot, PIXELS_DIRECTORY), run: { id: 'run-dead', finish: () => ({}) } });
    const dead = await writeProduct(store, 'dead', 3, false);
    (dead.w as unknown as { discard(): Promise<void> }).discard = async () => undefined;
    await fs.root.getDirectoryHandle(PIXELS_DIRECTORY).then(async (d) => {
      // Chromium releases a terminated worker's handles: the fake's file is closed by hand.
      for (const [, e] of d.children) if ('open' in e) e.open = false;
    });
    expect(await discardRunWrites(db, 'run-dead')).toBe(1);
    expect(fs.list(PIXELS_DIRECTORY)).not.toContain(dead.id);
  });

  it('never exist without a writing record naming them: a page that dies as the file is made leaves it to be removed at once', async () => {
    // The moment the pixel file appears, its writing record must already be there (else only the
    // ten-minute sweep would find the file: e2e/nothingLost.spec.ts, a reload mid-reduction).
    const pixels = new OpfsScratch(fs.getRoot, PIXELS_DIRECTORY);
    const create = pixels.create.bind(pixels);
    let recordAtFile: unknown = 'not made';
    pixels.create = async (id, name, specs) => {
      recordAtFile = await db.writing.get(id);
      return create(id, name, specs);
    };
    const store = new IdbPixelStore(db, { scratch: false, mirror: false, pixels });
    const w = await store.create({ role: 'product', name: 'early.fits', exts: [{ extver: 1, width: W, height: H, var: true, dq: true }] });
    expect(recordAtFile).toMatchObject({ fileId: w.id, name: 'early.fits' });
    await w.discard();
    expect(fs.list(PIXELS_DIRECTORY)).not.toContain(w.id);
    expect(await db.writing.get(w.id)).toBeUndefined();
  });

  it('are removed with their product: deleted by the user, or remade in the same slot', async () => {
    const first = await writeProduct(filed(), 'slot', 4);
    const again = await writeProduct(filed(), 'slot', 5);
    expect(await db.files.get(first.id)).toBeUndefined();
    expect(fs.list(PIXELS_DIRECTORY)).not.toContain(first.id);
    expect(fs.list(PIXELS_DIRECTORY)).toContain(again.id);
    await deleteFiles(db, [again.id]);
    expect(fs.list(PIXELS_DIRECTORY)).not.toContain(again.id);
    expect(await db.strips.where('fileId').equals(again.id).count()).toBe(0);
  });

  it('still open in a worker when their product is deleted go once the handle closes', async () => {
    const { w, id } = await writeProduct(filed(), 'held', 10, false);
    await w.commit({ primary: [], exts: [[]] }, info('held'));
    const dir = await fs.root.getDirectoryHandle(PIXELS_DIRECTORY);
    const handle = await dir.getFileHandle(id);
    const held = await handle.createSyncAccessHandle(); // as a worker's mirror holds it
    await deleteFiles(db, [id]);
    expect(fs.list(PIXELS_DIRECTORY)).toContain(id);
    held.close();
    await expect.poll(() => fs.list(PIXELS_DIRECTORY), { timeout: 2000 }).not.toContain(id);
  });

  it('left behind by a page that died are swept once old, and never a live writer\'s or a listed product\'s', async () => {
    const listed = await writeProduct(filed(), 'listed', 6);
    const writer = await writeProduct(filed(), 'writing', 7, false); // its heartbeat is fresh: a live run
    const dir = await fs.root.getDirectoryHandle(PIXELS_DIRECTORY);
    for (const name of ['orphan-old', 'orphan-young']) {
      const h = await dir.getFileHandle(name, { create: true });
      if (name === 'orphan-old') h.touch(Date.now() - PIXEL_SWEEP_AGE_MS - 1000);
    }
    for (const [name, e] of dir.children) if ('open' in e && name !== 'orphan-young') e.open = false;
    // Old files of the listed product and of the live writer are kept: a record or a heartbeat names them.
    for (const name of [listed.id, writer.id]) (await dir.getFileHandle(name)).touch(0);
    await sweepOrphanStrips(db);
    const left = () => fs.list(PIXELS_DIRECTORY);
    expect(left()).not.toContain('orphan-old');
    for (const name of [listed.id, writer.id, 'orphan-young']) expect(left()).toContain(name);
    // The writer's heartbeat gone stale (its page died): its file goes at once, however young.
    (await dir.getFileHandle(writer.id)).touch(Date.now());
    await markWriting(db, writer.id, 'writing.fits');
    await db.writing.update(writer.id, { heartbeat: 0 });
    await sweepOrphanStrips(db);
    expect(left()).not.toContain(writer.id);
    for (const name of [listed.id, 'orphan-young']) expect(left()).toContain(name);
  });

  it('missing from storage are an error naming the product, not zeros', async () => {
    const { id } = await writeProduct(filed(), 'lost', 8);
    await (await fs.root.getDirectoryHandle(PIXELS_DIRECTORY)).removeEntry(id);
    usePixelRoot(fs.getRoot); // a new page: nothing remembered of the file
    await expect(readAll(filed(), id)).rejects.toThrow(new RegExp(`pixels of product ${id} are missing`));
    await expect(readPixelRef({ file: id, offset: 0, bytes: 4 })).rejects.toThrow(/missing/);
  });

  it('go to IndexedDB as typed arrays when OPFS refuses the file (full)', async () => {
    fs = new FakeOpfs(1024);
    usePixelRoot(fs.getRoot);
    const { id, p } = await writeProduct(filed(), 'full', 9);
    const strips = await db.strips.where('fileId').equals(id).toArray();
    expect(strips.length).toBeGreaterThan(0);
    for (const s of strips) expect(s.dtype).toBeUndefined();
    expect(fs.list(PIXELS_DIRECTORY)).toEqual([]);
    expect((await readAll(filed(), id)).sci).toEqual(p.sci);
  });
});

describe('ingested files in pixel files', () => {
  let db!: WorkbenchDb;
  let plain!: WorkbenchDb;
  useTestDb('pixel-files-ingest', (d) => { db = d; });
  useTestDb('pixel-files-ingest-plain', (d) => { plain = d; });
  let elsewhere!: WorkbenchDb;
  useTestDb('pixel-files-ingest-elsewhere', (d) => { elsewhere = d; });
  const fs = new FakeOpfs();
  const staging = new StripStaging(fs.getRoot, 0);
  beforeAll(() => usePixelRoot(fs.getRoot));
  afterAll(() => usePixelRoot(undefined));

  it('point into one file each, named by its record, which reads back exactly as typed-array strips; nothing staged is left', async () => {
    for (const f of FILES) {
      expect((await ingestOne(plain, f, false)).status).toBe('ok');
      expect((await ingestOne(db, f, staging)).status).toBe('ok');
    }
    const records = await db.files.toArray();
    expect(fs.list(PIXELS_DIRECTORY).sort()).toEqual(records.map((r) => r.pixelFile).sort());
    expect(fs.list(STAGING_DIRECTORY)).toEqual([]);
    for (const r of records) {
      expect(r.rawCopy).toBeUndefined();
      const strips = await db.strips.where('fileId').equals(r.id).toArray();
      for (const s of strips) expect(s.data).toMatchObject({ file: r.pixelFile });
      // The element types are those the typed-array path chose (16-bit raw frames stay 16-bit).
      for (const s of strips) expect(STRIP_ARRAY[s.dtype!]).toBe((await plain.strips.get([s.fileId, s.hdu, s.plane, s.index]))!.data.constructor);
    }
    const [a, b] = [await planesOf(plain), await planesOf(db)];
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(b.get(k), k).toEqual(v);
    // The same file again: a duplicate, and no second pixel file.
    expect((await ingestOne(db, FILES[0], staging)).stored).toBe('duplicate');
    expect(fs.list(PIXELS_DIRECTORY)).toHaveLength(FILES.length);
  });

  it('are read by the pipeline through a file handle, as the page reads them', async () => {
    const raw = (await db.files.toArray()).find((f) => f.name === 'raw0001.fits')!;
    const store = new IdbPixelStore(db, { scratch: false, mirror: false, pixels: false, rawCopies: new RawCopies(fs.getRoot) });
    const frame = await store.open(raw.id);
    const want = await readPlaneRows(db, raw, raw.imageHdu, 0, 0, raw.height, new Float32Array(raw.width * raw.height));
    expect(await store.readRows(frame, 0, 'sci', 0, raw.height, new Float32Array(raw.width * raw.height))).toEqual(want);
    expect(store.readsFrom(raw.id)).toBe('raw copy');
    expect(await store.readRows(frame, 0, 'sci', 100, 101, new Float32Array(raw.width))).toEqual(want.subarray(100 * raw.width, 101 * raw.width));
  });

  it('export to a workspace as typed-array files do, and import elsewhere as typed arrays, naming no pixel file', async () => {
    const exported = async (d: WorkbenchDb) => {
      const m = await exportWorkspace(d, async () => undefined, { now: new Date(0) });
      return m.entries.filter((e) => e.name.startsWith('pixels/')).map((e) => `${e.name} ${e.size} ${e.sha256}`).sort();
    };
    expect(await exported(db)).toEqual(await exported(plain));
    const chunks: Uint8Array[] = [];
    await exportWorkspace(db, (c) => { chunks.push(c.slice()); });
    await importWorkspace(elsewhere, bytesSource(new Uint8Array(Buffer.concat(chunks))));
    for (const f of await elsewhere.files.toArray()) expect(f.pixelFile, f.name).toBeUndefined();
    for (const st of await elsewhere.strips.toArray()) expect(st.dtype).toBeUndefined();
    const [a, b] = [await planesOf(plain), await planesOf(elsewhere)];
    for (const [k, v] of a) expect(b.get(k), k).toEqual(v);
  });

  it('stay while their file is listed, however old, and go with it', async () => {
    const dir = await fs.root.getDirectoryHandle(PIXELS_DIRECTORY);
    for (const name of fs.list(PIXELS_DIRECTORY)) (await dir.getFileHandle(name)).touch(0);
    await sweepOrphanStrips(db);
    expect(fs.list(PIXELS_DIRECTORY)).toHaveLength(FILES.length);
    const raw = (await db.files.toArray()).find((f) => f.name === 'raw0001.fits')!;
    await deleteFiles(db, [raw.id]);
    expect(fs.list(PIXELS_DIRECTORY)).not.toContain(raw.pixelFile);
    expect(fs.list(PIXELS_DIRECTORY)).toHaveLength(FILES.length - 1);
  });
});
