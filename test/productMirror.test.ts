/**
 * The OPFS copies of reduced frames (src/db/productMirror.ts) on the
 * IndexedDB store, on a fake OPFS (./fakeOpfs.ts): a product marked
 * readAgain is read back from its copy once published, exactly as written
 * and without IndexedDB; nothing else is copied; a copy is never readable
 * before its product is published and never outlives a product that failed;
 * the copies stay within their limit (reduced frames' copies already read go
 * first, then the oldest, and masters' last) and
 * leave the quota alone when it is short; a copy that cannot be made never
 * fails the product.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { ProductInfo } from '../src/core/pipeline/products';
import type { ReadAgain } from '../src/core/pipeline/store';
import { OpfsScratch, SCRATCH_DIRECTORY, clearScratchDirectory } from '../src/db/opfsScratch';
import { IdbPixelStore } from '../src/db/pixelStore';
import { ProductMirror, type QuotaEstimate } from '../src/db/productMirror';
import type { WorkbenchDb } from '../src/db/schema';
import { useTestDb } from './testDb';
import { readPlanes } from './productPlanes';
import { FakeOpfs } from './fakeOpfs';
import { PIXELS_DIRECTORY, usePixelRoot } from '../src/db/pixelFiles';

const W = 260;
const H = 90;
/** One product's planes: SCI and VAR float32, DQ uint16. */
const COPY_BYTES = W * H * (4 + 4 + 2);
const plenty: QuotaEstimate = async () => ({ quota: 2 ** 40, usage: 0 });

function planes(seed: number) {
  return {
    sci: Float32Array.from({ length: W * H }, (_, i) => Math.cos(i * 0.13 + seed) * 500 + seed),
    var: Float32Array.from({ length: W * H }, (_, i) => (i % 89) + seed),
    dq: Uint16Array.from({ length: W * H }, (_, i) => (i * 3 + seed) % 7),
  };
}

function info(name: string): ProductInfo {
  return {
    kind: 'reduced', recipe: 'reduceScience', runKey: `key-${name}`, signature: 's', inputs: [], calibrations: {},
    params: {} as ProductInfo['params'], createdAt: 0, valid: true, bunit: 'electron',
  };
}

/** Writes a product in bands of 17 rows (SCI, then VAR, then DQ) and publishes it unless told not to. */
async function writeProduct(store: IdbPixelStore, name: string, seed: number, opts: { readAgain?: ReadAgain | 'never'; publish?: boolean } = {}) {
  const readAgain = opts.readAgain === 'never' ? undefined : opts.readAgain ?? 'once';
  const w = await store.create({ role: 'product', name, readAgain, exts: [{ extver: 1, width: W, height: H, var: true, dq: true }] });
  const p = planes(seed);
  for (const plane of ['sci', 'var', 'dq'] as const) {
    for (let y = 0; y < H; y += 17) await w.writeRows(0, plane, y, p[plane].subarray(y * W, Math.min(H, y + 17) * W));
  }
  if (opts.publish === false) return { w, p, id: w.id };
  const id = await w.commit({ primary: [{ key: 'OBJECT', value: name }], exts: [[]] }, info(name));
  return { w, p, id };
}

async function readAll(store: IdbPixelStore, id: string) {
  const planes = await readPlanes(store, id, W, H);
  return { ...planes, band: await store.readRows(planes.f, 0, 'sci', 31, 58, new Float32Array(27 * W)) };
}

describe('product copies in OPFS', () => {
  let db: WorkbenchDb;
  useTestDb('product-mirror', (d) => (db = d));

  const copies = (fs: FakeOpfs) => fs.list(SCRATCH_DIRECTORY).filter((n) => n.startsWith('mirror-')).sort();
  const stripsOf = (id: string) => db.strips.where('fileId').equals(id).count();

  it('reads a published product marked readAgain from its copy, exactly as written, without IndexedDB', async () => {
    const fs = new FakeOpfs();
    const mirror = new ProductMirror(new OpfsScratch(fs.getRoot), 10 * COPY_BYTES, plenty);
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror });
    const { id, p } = await writeProduct(store, 'a_reduced.fits', 1);
    expect(copies(fs)).toEqual([`mirror-${id}`]);
    // The run's storage line can say where its reads came from.
    expect(store.readsFrom(id)).toBe('copy');
    expect(mirror.heldBytes).toBe(COPY_BYTES);
    // The library's copy is whole in IndexedDB, read the same way by a store without copies.
    const fromDb = await readAll(new IdbPixelStore(db, { scratch: false, mirror: false }), id);
    expect(fromDb.sci).toEqual(p.sci);
    expect(fromDb.dq).toEqual(p.dq);
    // With its strips gone from IndexedDB, the next run's store still reads every value: from the copy.
    await db.strips.where('fileId').equals(id).delete();
    const later = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror });
    const got = await readAll(later, id);
    expect(got.sci).toEqual(p.sci);
    expect(got.var).toEqual(p.var);
    expect(got.dq).toEqual(p.dq);
    expect(got.band).toEqual(p.sci.subarray(31 * W, 58 * W));
    await expect(readAll(new IdbPixelStore(db, { scratch: false, mirror: false }), id)).rejects.toThrow(/stored pixels are incomplete/);
  });

  it('takes the product\'s own pixel file as its copy (its bytes written once), and only closes it, never removes it, to make room', async () => {
    const fs = new FakeOpfs();
    usePixelRoot(fs.getRoot);
    try {
      const pixels = new OpfsScratch(fs.getRoot, PIXELS_DIRECTORY);
      const mirror = new ProductMirror(new OpfsScratch(fs.getRoot), 1.5 * COPY_BYTES, async () => ({ quota: 0, usage: 0 }));
      const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror, pixels });
      // No free quota at all: a copy of the mirror's own could not be made, the product's own file is no new bytes.
      const { id, p } = await writeProduct(store, 'a_reduced.fits', 1);
      expect(fs.list(PIXELS_DIRECTORY)).toEqual([id]);
      expect(fs.list(SCRATCH_DIRECTORY)).toEqual([]);
      expect(store.readsFrom(id)).toBe('copy');
      expect(mirror.heldBytes).toBe(COPY_BYTES);
      const strips = await db.strips.where('fileId').equals(id).toArray();
      expect(strips.every((st) => st.dtype !== undefined && !(st.data instanceof Blob) && 'file' in st.data)).toBe(true);
      // Read from the open handle, and through the records by a store without it.
      const fromCopy = await readAll(store, id);
      const fromRecords = await readAll(new IdbPixelStore(db, { scratch: false, mirror: false, pixels: false }), id);
      for (const got of [fromCopy, fromRecords]) {
        expect(got.sci).toEqual(p.sci);
        expect(got.var).toEqual(p.var);
        expect(got.dq).toEqual(p.dq);
        expect(got.band).toEqual(p.sci.subarray(31 * W, 58 * W));
      }
      // A second copy does not fit beside the first unless the first goes: it does (read already), closed, its file kept.
      const second = await writeProduct(store, 'b_reduced.fits', 2);
      expect(store.readsFrom(id)).toBeUndefined();
      expect(store.readsFrom(second.id)).toBe('copy');
      expect(fs.list(PIXELS_DIRECTORY).sort()).toEqual([id, second.id].sort());
      expect((await readAll(new IdbPixelStore(db, { scratch: false, mirror: false, pixels: false }), id)).sci).toEqual(p.sci);
      // A product not read again keeps no copy, and its file.
      const third = await writeProduct(store, 'c_reduced.fits', 3, { readAgain: 'never' });
      expect(store.readsFrom(third.id)).toBeUndefined();
      expect(fs.list(PIXELS_DIRECTORY)).toContain(third.id);
      expect(fs.list(SCRATCH_DIRECTORY)).toEqual([]);
      // Every file closed by the mirror can be removed (deleting the product): none is left open.
      await fs.root.getDirectoryHandle(PIXELS_DIRECTORY).then(async (d) => { await d.removeEntry(id); await d.removeEntry(third.id); });
    } finally {
      usePixelRoot(undefined);
    }
  });

  it('copies only products marked readAgain, and a copy is readable only once its product is published', async () => {
    const fs = new FakeOpfs();
    const mirror = new ProductMirror(new OpfsScratch(fs.getRoot), 10 * COPY_BYTES, plenty);
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror });
    await writeProduct(store, 'a_stack.fits', 2, { readAgain: 'never' });
    expect(copies(fs)).toEqual([]);
    const { w, id } = await writeProduct(store, 'b_reduced.fits', 3, { publish: false });
    expect(copies(fs)).toEqual([`mirror-${id}`]);
    expect(mirror.get(id)).toBeUndefined();
    expect(store.readsFrom(id)).toBeUndefined();
    await w.commit({ primary: [], exts: [[]] }, info('b_reduced.fits'));
    expect(mirror.get(id)).toBeDefined();
  });

  it('leaves no copy behind a product that is discarded', async () => {
    const fs = new FakeOpfs();
    const mirror = new ProductMirror(new OpfsScratch(fs.getRoot), 10 * COPY_BYTES, plenty);
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror });
    const { w, id } = await writeProduct(store, 'c_reduced.fits', 4, { publish: false });
    await w.discard();
    await w.discard();
    expect(copies(fs)).toEqual([]);
    expect(mirror.heldBytes).toBe(0);
    expect(mirror.get(id)).toBeUndefined();
    expect(await stripsOf(id)).toBe(0);
  });

  it('keeps at most its limit, dropping first the copies already read (their stack is made), then the oldest', async () => {
    const fs = new FakeOpfs();
    const mirror = new ProductMirror(new OpfsScratch(fs.getRoot), 2 * COPY_BYTES, plenty);
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror });
    const a = await writeProduct(store, 'd1_reduced.fits', 5);
    const b = await writeProduct(store, 'd2_reduced.fits', 6);
    await readAll(store, b.id); // b's stack has read it; a is older but not read yet
    const c = await writeProduct(store, 'd3_reduced.fits', 7);
    expect(copies(fs)).toEqual([`mirror-${a.id}`, `mirror-${c.id}`].sort());
    expect(mirror.has(b.id)).toBe(false);
    expect(mirror.heldBytes).toBe(2 * COPY_BYTES);
    // b is still read, from IndexedDB.
    expect((await readAll(store, b.id)).var).toEqual(b.p.var);
    // Nothing read: the oldest goes.
    const d = await writeProduct(store, 'd4_reduced.fits', 8);
    expect(copies(fs)).toEqual([`mirror-${c.id}`, `mirror-${d.id}`].sort());
    expect(mirror.has(a.id)).toBe(false);
  });

  it('keeps a master\'s copy, read by every frame it calibrates, over the reduced frames\' copies', async () => {
    const fs = new FakeOpfs();
    const mirror = new ProductMirror(new OpfsScratch(fs.getRoot), 2 * COPY_BYTES, plenty);
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror });
    const master = await writeProduct(store, 'b1_bias.fits', 4, { readAgain: 'often' });
    await readAll(store, master.id); // read by a frame: a master's copy stays all the same
    const a = await writeProduct(store, 'd1_reduced.fits', 5);
    const b = await writeProduct(store, 'd2_reduced.fits', 6);
    expect(copies(fs)).toEqual([`mirror-${master.id}`, `mirror-${b.id}`].sort());
    expect(mirror.has(a.id)).toBe(false);
    expect((await readAll(store, master.id)).sci).toEqual(master.p.sci);
    // Only masters left to make room with: the least recently read goes.
    const m2 = await writeProduct(store, 'f1_flat.fits', 7, { readAgain: 'often' });
    await readAll(store, master.id);
    const m3 = await writeProduct(store, 'f2_flat.fits', 8, { readAgain: 'often' });
    expect(copies(fs)).toEqual([`mirror-${master.id}`, `mirror-${m3.id}`].sort());
    expect(mirror.has(m2.id)).toBe(false);
  });

  it('gives way to the products when the disk fills: the copies keep within a quarter of the free space', async () => {
    let free = 100 * COPY_BYTES;
    const estimate: QuotaEstimate = async () => ({ quota: 1000 * COPY_BYTES, usage: 1000 * COPY_BYTES - free });
    const fs = new FakeOpfs();
    const mirror = new ProductMirror(new OpfsScratch(fs.getRoot), 10 * COPY_BYTES, estimate);
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror });
    const a = await writeProduct(store, 'h1_reduced.fits', 11);
    const b = await writeProduct(store, 'h2_reduced.fits', 12);
    const c = await writeProduct(store, 'h3_reduced.fits', 13);
    expect(mirror.heldBytes).toBe(3 * COPY_BYTES);
    // Products took the disk: room for two copies (a quarter of 9), so the two oldest go for the new one.
    free = 9 * COPY_BYTES;
    const d = await writeProduct(store, 'h4_reduced.fits', 14);
    expect(copies(fs)).toEqual([`mirror-${c.id}`, `mirror-${d.id}`].sort());
    expect(mirror.has(a.id) || mirror.has(b.id)).toBe(false);
    // Less than a quarter for even one: none is made, and those held go.
    free = 3 * COPY_BYTES;
    await writeProduct(store, 'h5_reduced.fits', 15);
    expect(copies(fs)).toEqual([]);
    expect(mirror.heldBytes).toBe(0);
  });

  it('makes no copy when the free quota is short or OPFS refuses, and the product is made all the same', async () => {
    const tight: QuotaEstimate = async () => ({ quota: 1000 * COPY_BYTES, usage: 997 * COPY_BYTES });
    const fs = new FakeOpfs();
    const short = new ProductMirror(new OpfsScratch(fs.getRoot), 10 * COPY_BYTES, tight);
    const one = await writeProduct(new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror: short }), 'e_reduced.fits', 8);
    expect(copies(fs)).toEqual([]);
    expect((await readAll(new IdbPixelStore(db, { scratch: false, mirror: false }), one.id)).sci).toEqual(one.p.sci);
    // OPFS itself full (a fake with room for less than one copy).
    const small = new FakeOpfs(COPY_BYTES / 2);
    const refused = new ProductMirror(new OpfsScratch(small.getRoot), 10 * COPY_BYTES, plenty);
    const two = await writeProduct(new IdbPixelStore(db, { scratch: false, mirror: refused }), 'f_reduced.fits', 9);
    expect(copies(small)).toEqual([]);
    expect(refused.heldBytes).toBe(0);
    expect((await readAll(new IdbPixelStore(db, { scratch: false, mirror: false }), two.id)).dq).toEqual(two.p.dq);
    // No OPFS at all.
    const none = new ProductMirror(new OpfsScratch(async () => { throw new DOMException('no OPFS here', 'SecurityError'); }), 10 * COPY_BYTES, plenty);
    const three = await writeProduct(new IdbPixelStore(db, { scratch: false, mirror: none }), 'g_reduced.fits', 10);
    expect((await readAll(new IdbPixelStore(db, { scratch: false, mirror: false }), three.id)).sci).toEqual(three.p.sci);
  });

  it('lives in the scratch directory, which the page clears around a reduction, waiting for its handle to close', async () => {
    const fs = new FakeOpfs();
    const mirror = new ProductMirror(new OpfsScratch(fs.getRoot), 10 * COPY_BYTES, plenty);
    const store = new IdbPixelStore(db, { scratch: new OpfsScratch(fs.getRoot), mirror });
    const { id } = await writeProduct(store, 'h_reduced.fits', 11);
    // Still open in its worker: left, unless the clearing waits for the handle to close (a terminated
    // worker's close a moment after it goes).
    expect(await clearScratchDirectory(fs.getRoot)).toBe(0);
    expect(fs.list(SCRATCH_DIRECTORY)).toEqual([`mirror-${id}`]);
    setTimeout(() => mirror.get(id)!.close(), 120);
    expect(await clearScratchDirectory(fs.getRoot, 2000)).toBe(1);
    expect(fs.list(SCRATCH_DIRECTORY)).toEqual([]);
  });
});
