/**
 * Raw frames' copies that earlier builds kept (src/db/rawCopies.ts, made here
 * by ./earlierBuild.ts), on fake-indexeddb and a fake OPFS (./fakeOpfs.ts):
 * every plane read from a copy equals the plane read from IndexedDB (the
 * reference, itself checked against astropy's pixels by the ingest tests),
 * whole or in part; the pipeline's store reads the copy, and IndexedDB
 * wherever the copy does not match or its record does not name it; the sweep
 * removes the copies of removed files, and the oldest ones when the origin is
 * over half its quota; a full disk at the ingest frees them.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { deleteFiles, readPlaneRows } from '../src/db/files';
import { IdbPixelStore } from '../src/db/pixelStore';
import { RAW_COPIES_DIRECTORY, RawCopies, sweepRawCopies } from '../src/db/rawCopies';
import type { WorkbenchDb } from '../src/db/schema';
import { ingestOne } from '../workers/ingest';
import { FakeOpfs } from './fakeOpfs';
import { useTestDb } from './testDb';
import { FILES } from './ingestFixtures';
import { storeAsEarlierBuild } from './earlierBuild';


const roomy = async () => ({ quota: 1e12, usage: 0 });

/** Every image plane of every stored file: [file id, HDU, width, height]. */
async function planes(db: WorkbenchDb): Promise<[string, number, number, number][]> {
  const out: [string, number, number, number][] = [];
  for (const f of await db.files.toArray()) for (const h of f.hdus.filter((x) => x.isImage && x.naxis.length >= 2)) out.push([f.id, h.index, h.naxis[0], h.naxis[1]]);
  return out;
}

/** A fake OPFS with an earlier build's raw copies on it. */
function onDisk() {
  const fs = new FakeOpfs();
  return { fs, copies: new RawCopies(fs.getRoot) };
}

async function ingestAll(db: WorkbenchDb, { fs }: ReturnType<typeof onDisk>) {
  for (const f of FILES) expect((await storeAsEarlierBuild(db, f, fs)).status).toBe('ok');
}

/** The bytes of a copy in the fake OPFS, by its name. */
function copyBytes(fs: FakeOpfs, name: string): { bytes: Uint8Array } {
  const dir = fs.root.children.get(RAW_COPIES_DIRECTORY) as unknown as { children: Map<string, { bytes: Uint8Array }> };
  return dir.children.get(name)!;
}

describe("an earlier build's raw copies", () => {
  let db!: WorkbenchDb;
  useTestDb('raw-copies', (d) => { db = d; });

  it('read every plane as IndexedDB does, whole and in part', async () => {
    const disk = onDisk();
    const { fs, copies } = disk;
    await ingestAll(db, disk);
    const names = (await db.files.toArray()).map((f) => f.rawCopy!).sort();
    expect(fs.list(RAW_COPIES_DIRECTORY).sort()).toEqual(names);
    const all = await planes(db);
    expect(all.length).toBeGreaterThan(FILES.length); // the MEF's extensions too
    for (const [id, hdu, w, h] of all) {
      const rec = (await db.files.get(id))!;
      const file = { id, width: w, stripRows: rec.stripRows, copy: rec.rawCopy! };
      const want = await readPlaneRows(db, file, hdu, 0, 0, h, new Float32Array(w * h));
      expect(await copies.readPlaneRows(db, file, hdu, 0, 0, h, new Float32Array(w * h)), `${id} HDU ${hdu}`).toEqual(want);
      // Rows across a strip's edge, where there is one.
      const y0 = Math.max(0, Math.min(h - 3, file.stripRows - 2));
      const y1 = Math.min(h, y0 + 5);
      expect(await copies.readPlaneRows(db, file, hdu, 0, y0, y1, new Float32Array(w * (y1 - y0)))).toEqual(want.subarray(y0 * w, y1 * w));
    }
    // A file dropped again stores nothing, and its copy stays.
    expect((await ingestOne(db, FILES[0], false, copies)).stored).toBe('duplicate');
    expect(fs.list(RAW_COPIES_DIRECTORY).sort()).toEqual(names);
  });

});

describe('the pipeline store', () => {
  let db!: WorkbenchDb;
  useTestDb('raw-copies-store', (d) => { db = d; });

  it('reads a raw frame from its copy, and from IndexedDB wherever the copy does not match or is gone', async () => {
    const disk = onDisk();
    const { fs, copies } = disk;
    await ingestAll(db, disk);
    const raw = (await db.files.toArray()).find((f) => f.name === 'raw0001.fits')!;
    const n = raw.width * raw.height;
    const store = new IdbPixelStore(db, { scratch: false, mirror: false, pixels: false, rawCopies: copies });
    const frame = await store.open(raw.id);
    const want = await readPlaneRows(db, raw, raw.imageHdu, 0, 0, raw.height, new Float32Array(n));
    expect(await store.readRows(frame, 0, 'sci', 0, raw.height, new Float32Array(n))).toEqual(want);
    // Proof that the copy is what was read: a changed byte shows (the size still matches).
    const copy = copyBytes(fs, raw.rawCopy!);
    const changed = copy.bytes.slice();
    changed[0] ^= 1;
    copy.bytes = changed;
    const got = await store.readRows(frame, 0, 'sci', 0, raw.height, new Float32Array(n));
    expect(got[0]).not.toBe(want[0]);
    expect(got.subarray(1)).toEqual(want.subarray(1));
    // A copy one byte short is not the stored strips: IndexedDB is read.
    copy.bytes = changed.slice(0, -1);
    expect(await copies.readPlaneRows(db, { ...raw, copy: raw.rawCopy! }, raw.imageHdu, 0, 0, raw.height, new Float32Array(n))).toBeUndefined();
    expect(await store.readRows(frame, 0, 'sci', 0, raw.height, new Float32Array(n))).toEqual(want);
    // No copy at all: the same.
    await (await fs.getRoot()).getDirectoryHandle(RAW_COPIES_DIRECTORY).then((d) => d.removeEntry(raw.rawCopy!));
    expect(await store.readRows(frame, 0, 'sci', 0, raw.height, new Float32Array(n))).toEqual(want);
    expect(store.readsFrom(raw.id)).toBeUndefined();
  });

});

describe('a copy its record does not name', () => {
  let db!: WorkbenchDb;
  useTestDb('raw-copies-stale', (d) => { db = d; });

  it('is never read: one left by an earlier ingest of the same bytes', async () => {
    const { fs, copies } = onDisk();
    const first = await storeAsEarlierBuild(db, FILES[2], fs);
    const old = (await db.files.get(first.id))!.rawCopy!;
    // Removed while its copy was open in a reader (the sweep skips it), then added again.
    await deleteFiles(db, [first.id]);
    expect((await storeAsEarlierBuild(db, FILES[2], fs)).stored).toBe('stored');
    const rec = (await db.files.get(first.id))!;
    expect(rec.rawCopy).not.toBe(old);
    expect(fs.list(RAW_COPIES_DIRECTORY).sort()).toEqual([old, rec.rawCopy].sort());
    // The old copy made wrong (as another version's strips could be): the new record's pixels are read all the same.
    const stale = copyBytes(fs, old);
    stale.bytes = stale.bytes.map((b) => b ^ 0xff);
    const n = rec.width * rec.height;
    const want = await readPlaneRows(db, rec, rec.imageHdu, 0, 0, rec.height, new Float32Array(n));
    const store = new IdbPixelStore(db, { scratch: false, mirror: false, pixels: false, rawCopies: copies });
    expect(await store.readRows(await store.open(rec.id), 0, 'sci', 0, rec.height, new Float32Array(n))).toEqual(want);
    expect(store.readsFrom(rec.id)).toBe('raw copy');
    // The sweep removes the copy no record names.
    expect(await sweepRawCopies(db, fs.getRoot, roomy)).toBe(1);
    expect(fs.list(RAW_COPIES_DIRECTORY)).toEqual([rec.rawCopy]);
  });

});

describe('sweeping raw copies', () => {
  let db!: WorkbenchDb;
  useTestDb('raw-copies-sweep', (d) => { db = d; });

  it('removes the copies of files no longer in the library, and the oldest while usage is over half the quota', async () => {
    const disk = onDisk();
    const { fs } = disk;
    await ingestAll(db, disk);
    const files = await db.files.orderBy('addedAt').toArray();
    // deleteFiles sweeps through navigator.storage, absent in Node: the sweep is called as the page would.
    await deleteFiles(db, [files[0].id]);
    expect(await sweepRawCopies(db, fs.getRoot, roomy)).toBe(1);
    expect(fs.list(RAW_COPIES_DIRECTORY).sort()).toEqual(files.slice(1).map((f) => f.rawCopy!).sort());
    // Over half the quota by one byte less than the oldest copy: that copy goes, and only it.
    const dir = fs.root.children.get(RAW_COPIES_DIRECTORY) as unknown as { children: Map<string, { bytes: Uint8Array; modified: number }> };
    const left = files.slice(1);
    left.forEach((f, k) => (dir.children.get(f.rawCopy!)!.modified = 1000 + k));
    const oldest = dir.children.get(left[0].rawCopy!)!.bytes.length;
    const quota = 2 * (fs.used - oldest + 1);
    expect(await sweepRawCopies(db, fs.getRoot, async () => ({ quota, usage: fs.used }))).toBe(1);
    expect(fs.list(RAW_COPIES_DIRECTORY).sort()).toEqual(left.slice(1).map((f) => f.rawCopy!).sort());
    // Every file still listed and within room: nothing goes.
    expect(await sweepRawCopies(db, fs.getRoot, roomy)).toBe(0);
  });
});

describe('a full disk at the ingest', () => {
  let db!: WorkbenchDb;
  useTestDb('raw-copies-quota', (d) => { db = d; });

  it('frees the copies and stores the file, where only they stood in its way', async () => {
    const { fs, copies } = onDisk();
    expect((await storeAsEarlierBuild(db, FILES[0], fs)).status).toBe('ok');
    expect(fs.list(RAW_COPIES_DIRECTORY)).toHaveLength(1);
    // IndexedDB refuses the next file once, as Chromium does at its quota.
    const put = db.strips.bulkPut.bind(db.strips);
    let refusals = 0;
    db.strips.bulkPut = ((...args: Parameters<typeof put>) => {
      if (refusals++ === 0) throw new DOMException('quota', 'QuotaExceededError');
      return put(...args);
    }) as typeof put;
    try {
      const out = await ingestOne(db, FILES[2], false, copies);
      expect(out.status, out.message).toBe('ok');
      expect(out.stored).toBe('stored');
    } finally {
      db.strips.bulkPut = put;
    }
    expect(refusals).toBe(2);
    // The first file's copy made the room; the second file needs none.
    expect(fs.list(RAW_COPIES_DIRECTORY)).toEqual([]);
  });

  it('is reported as before when there are no copies to free', async () => {
    const { copies } = onDisk();
    const put = db.strips.bulkPut.bind(db.strips);
    db.strips.bulkPut = (() => { throw new DOMException('quota', 'QuotaExceededError'); }) as typeof put;
    try {
      const out = await ingestOne(db, FILES[3], false, copies);
      expect(out.stored).toBe('failed');
      expect(out.message).toMatch(/mef\.fits/);
    } finally {
      db.strips.bulkPut = put;
    }
    expect(await db.files.where('name').equals('mef.fits').count()).toBe(0);
  });
});

