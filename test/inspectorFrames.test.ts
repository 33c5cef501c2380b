/**
 * The inspector worker's frame store and measurements in Node, on IndexedDB
 * (fake-indexeddb): planes read from the stored strips equal the file's
 * pixels (raw 16-bit and a product's SCI/VAR/DQ), large planes arrive in
 * chunks with provisional limits then the kernel's, and frames that cannot be
 * read (a missing strip, a deleted file) fail with a message naming them.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkbenchDb } from '../src/db/schema';
import { deleteFiles } from '../src/db/files';
import { parseFits, readImage, writeFits } from '../src/core/fits';
import { zscale } from '../src/core/kernels/zscale';
import { ingestOne } from '../workers/ingest';
import { FrameStore, type Plane } from '../workers/inspector/frames';
import { planeLimits } from '../workers/inspector/panes';
import { Analysis } from '../workers/inspector/analysis';
import type { LoadProgress } from '../workers/inspector/protocol';

const night = path.resolve(__dirname, '../../shared/sample-night');

let db: WorkbenchDb;
let n = 0;
beforeEach(async () => {
  db = new WorkbenchDb(`inspector-${n++}`);
  await db.open();
});
afterEach(async () => {
  db.close();
  await db.delete();
});

async function add(name: string, bytes: Uint8Array): Promise<string> {
  const out = await ingestOne(db, { name, path: '', bytes });
  expect(out.status, out.message).toBe('ok');
  return out.id;
}

describe('FrameStore', () => {
  it('reads a raw frame from its 16-bit strips exactly as the file holds it', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(night, 'raw0020.fits')));
    const id = await add('raw0020.fits', bytes);
    const store = new FrameStore(db, () => false);
    const info = await store.open(id);
    expect(info.images).toEqual([{ index: 0, label: '[0] PRIMARY', hdus: { sci: 0 }, width: 288, height: 256, depth: 1 }]);
    expect(info.product).toBe(false);
    const plane = await store.load({ fileId: id, image: 0, plane: 'sci', slice: 0 });
    const file = readImage(parseFits(bytes, 'raw0020.fits'), bytes, 0);
    expect(plane.complete).toBe(true);
    expect(Array.from(plane.data)).toEqual(Array.from(file.data));
    // The limits a pane shows are the kernel's zscale of the whole frame.
    const z = zscale(file.data, { width: 288, height: 256 });
    expect(planeLimits(plane, { kind: 'zscale' })).toEqual({ low: z.z1, high: z.z2 });

    const analysis = new Analysis(store);
    const ref = { fileId: id, image: 0, plane: 'sci' as const, slice: 0 };
    const probe = analysis.probe(ref, 99, 119, 3);
    expect(probe.values.sci).toBe(file.data[119 * 288 + 99]);
    expect(probe.table[4]).toBe(file.data[119 * 288 + 99]);
    expect(probe.table[1]).toBe(file.data[120 * 288 + 99]); // top row first
    const h = await analysis.histogram({ ref, box: { x0: 10, y0: 10, x1: 19, y1: 29 }, range: 'minmax', bins: 16 });
    expect(h.npix).toBe(200);
    expect(h.counts.reduce((a, c) => a + c, 0)).toBe(200);
    const s = await analysis.surface(ref, 0, 0, 3);
    expect(Array.from(s.x)).toEqual([1, 2, 3, 4]);
    expect(s.z[0][0]).toBe(file.data[0]);
  });

  it("groups a product's SCI, VAR and DQ and reads each into its own kind of array", async () => {
    const w = 40, h = 30;
    const sci = Float32Array.from({ length: w * h }, (_, i) => 100 + (i % 7) * 0.25);
    const vars = Float32Array.from({ length: w * h }, (_, i) => 10 + (i % 5));
    const dq = Uint16Array.from({ length: w * h }, (_, i) => (i % 97 === 0 ? 8 : i % 211 === 0 ? 5 : 0));
    sci[17] = NaN;
    const bytes = writeFits([
      { cards: [{ key: 'IMAGETYP', value: 'object' }] },
      { cards: [], extname: 'SCI', data: sci, width: w, height: h },
      { cards: [], extname: 'VAR', data: vars, width: w, height: h },
      { cards: [], extname: 'DQ', data: dq, width: w, height: h },
    ]);
    const id = await add('p_reduced.fits', bytes);
    const store = new FrameStore(db, () => false);
    const info = await store.open(id);
    expect(info.images).toHaveLength(1);
    expect(info.images[0].hdus).toEqual({ sci: 1, var: 2, dq: 3 });
    const ref = { fileId: id, image: 0, slice: 0 };
    const [s, v, d] = await Promise.all((['sci', 'var', 'dq'] as const).map((plane) => store.load({ ...ref, plane })));
    expect(s.data).toBeInstanceOf(Float32Array);
    expect(d.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(v.data)).toEqual(Array.from(vars));
    expect(Array.from(d.data)).toEqual(Array.from(dq));
    expect(Number.isNaN(s.data[17])).toBe(true);
    const analysis = new Analysis(store);
    const counts = await analysis.dqBitCounts({ ...ref, plane: 'dq' });
    expect(counts[3]).toBe(Array.from(dq).filter((x) => x & 8).length);
    expect(counts[0]).toBe(Array.from(dq).filter((x) => x & 1).length);
    expect(counts[2]).toBe(Array.from(dq).filter((x) => x & 4).length);
    const p = analysis.probe({ ...ref, plane: 'sci' }, 0, 0, 1);
    expect(p.values).toEqual({ sci: sci[0], var: vars[0], dq: dq[0] });
  });

  it('reads a large plane in chunks, announcing each; limits are provisional until every row is in', async () => {
    const w = 2048, h = 2560; // 5.2 M pixels: two reads
    const px = new Float32Array(w * h);
    for (let i = 0; i < px.length; i++) px[i] = 1000 + ((i * 7919) % 101) + (i >= w * 2048 ? 500 : 0);
    const id = await add('big.fits', writeFits([{ cards: [], data: px, width: w, height: h }]));
    const store = new FrameStore(db, () => false);
    const news: LoadProgress[] = [];
    let provisional: ReturnType<typeof planeLimits> | undefined;
    store.onProgress((p, plane: Plane) => {
      news.push(p);
      if (!plane.complete) provisional = planeLimits(plane, { kind: 'minmax' });
    });
    await store.open(id);
    const plane = await store.load({ fileId: id, image: 0, plane: 'sci', slice: 0 });
    expect(news.map((p) => p.loadedRows)).toEqual([2048, 2560]);
    // The first chunk's min/max did not see the brighter top rows; the final limits do.
    expect(provisional).toEqual({ low: 1000, high: 1100 });
    expect(planeLimits(plane, { kind: 'minmax' })).toEqual({ low: 1000, high: 1600 });
  });

  it('reads any plane of a cube', async () => {
    const w = 8, h = 6, d = 3;
    const px = Float32Array.from({ length: w * h * d }, (_, i) => Math.floor(i / (w * h)) * 1000 + (i % (w * h)) + 0.5);
    const id = await add('cube.fits', writeFits([{ cards: [], data: px, width: w, height: h }]));
    const store = new FrameStore(db, () => false);
    const info = await store.open(id);
    expect(info.images[0].depth).toBe(d);
    const third = await store.load({ fileId: id, image: 0, plane: 'sci', slice: 2 });
    expect(Array.from(third.data)).toEqual(Array.from(px.subarray(2 * w * h)));
    await expect(store.load({ fileId: id, image: 0, plane: 'sci', slice: 3 })).rejects.toThrow(/no plane 4/);
  });

  it('says which frame is broken: a strip missing, a file deleted', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(night, 'raw0001.fits')));
    const id = await add('raw0001.fits', bytes);
    await db.strips.delete([id, 0, 0, 0]);
    const store = new FrameStore(db, () => false);
    await store.open(id);
    await expect(store.load({ fileId: id, image: 0, plane: 'sci', slice: 0 })).rejects.toThrow(/raw0001\.fits: its stored pixels are incomplete/);
    await expect(store.load({ fileId: id, image: 0, plane: 'dq', slice: 0 })).rejects.toThrow(/no DQ plane/);

    // A strip cut short (a damaged record) is refused too, not read as a shifted image.
    const cut = await add('raw0003.fits', new Uint8Array(readFileSync(path.join(night, 'raw0003.fits'))));
    const strip = (await db.strips.get([cut, 0, 0, 0]))!;
    if (strip.dtype !== undefined) throw new Error('a typed-array strip was expected (no staging in Node)');
    await db.strips.put({ ...strip, data: strip.data.slice(0, strip.data.length - 1) });
    await expect(new FrameStore(db, () => false).load({ fileId: cut, image: 0, plane: 'sci', slice: 0 })).rejects.toThrow(/holds \d+ values, not \d+/);

    const other = await add('raw0002.fits', new Uint8Array(readFileSync(path.join(night, 'raw0002.fits'))));
    await deleteFiles(db, [other]);
    await expect(new FrameStore(db, () => false).open(other)).rejects.toThrow(/no longer in the library/);
  });
});
