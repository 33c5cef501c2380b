/**
 * Pixel strips stored through OPFS staging files (src/db/stripStaging.ts) on
 * fake-indexeddb and a fake OPFS (./fakeOpfs.ts): ingested files
 * read back value for value as the same files stored as typed arrays (the
 * reference: the path without staging, itself checked against astropy's
 * pixels by the ingest tests); the values are Blobs with their element type;
 * no staging file outlives its transaction; an OPFS that refuses (full)
 * leaves the strips as typed arrays and the file stored; a workspace export
 * reads Blob strips; leftovers of a dead page are swept by age only. (Products
 * are not staged: their pixel files are ../src/db/pixelFiles.ts, tested in
 * ./pixelFiles.test.ts.)
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { WorkbenchDb } from '../src/db/schema';
import { COPY_CHECK_DB, STAGING_DIRECTORY, StripStaging, keepsCopies, removeStale, stripValues } from '../src/db/stripStaging';
import { exportWorkspace } from '../src/db/workspace';
import { ingestOne } from '../workers/ingest';
import { FakeOpfs } from './fakeOpfs';
import { useTestDb } from './testDb';
import { FILES, planesOf } from './ingestFixtures';


describe('ingest through OPFS staging', () => {
  let plain!: WorkbenchDb;
  let staged!: WorkbenchDb;
  useTestDb('staging-plain', (d) => { plain = d; });
  useTestDb('staging-staged', (d) => { staged = d; });
  const fs = new FakeOpfs();

  it('stores Blob strips that read back exactly as the typed-array ones, and removes its files', async () => {
    const staging = new StripStaging(fs.getRoot, 0);
    for (const f of FILES) {
      expect((await ingestOne(plain, f, false)).status).toBe('ok');
      expect((await ingestOne(staged, f, staging)).status).toBe('ok');
    }
    const strips = await staged.strips.toArray();
    expect(strips.length).toBe(await plain.strips.count());
    for (const s of strips) {
      expect(s.data).toBeInstanceOf(Blob);
      expect(['u16', 'i16', 'f32']).toContain(s.dtype);
    }
    // The element types are those the typed-array path chose (16-bit raw frames stay 16-bit).
    const kinds = (rows: { fileId: string; hdu: number; index: number; data: unknown; dtype?: string }[]) =>
      rows.map((s) => `${s.fileId}/${s.hdu}/${s.index}:${s.dtype ?? (s.data as object).constructor.name}`).sort();
    expect(kinds(strips).map((k) => k.replace(/:.*/, ''))).toEqual(kinds(await plain.strips.toArray()).map((k) => k.replace(/:.*/, '')));
    for (const s of strips) {
      const twin = await plain.strips.get([s.fileId, s.hdu, s.plane, s.index]);
      const v = await stripValues(s);
      expect(v.constructor).toBe(twin!.data.constructor);
      expect(v).toEqual(twin!.data);
    }
    const [a, b] = [await planesOf(plain), await planesOf(staged)];
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(b.get(k), k).toEqual(v);
    expect(fs.list(STAGING_DIRECTORY)).toEqual([]);
  });

  it('exports a workspace from Blob strips byte for byte as from typed arrays', async () => {
    const pixels = async (db: WorkbenchDb) => {
      const m = await exportWorkspace(db, async () => undefined, { now: new Date(0) });
      return m.entries.filter((e) => e.name.startsWith('pixels/')).map((e) => `${e.name} ${e.size} ${e.sha256}`).sort();
    };
    const [a, b] = [await pixels(plain), await pixels(staged)];
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});

describe('an OPFS that refuses', () => {
  let db!: WorkbenchDb;
  useTestDb('staging-full', (d) => { db = d; });

  it('leaves the strips typed arrays and stores the file all the same', async () => {
    const fs = new FakeOpfs(1024); // smaller than any file's pixels
    const staging = new StripStaging(fs.getRoot, 0, async () => true); // the copy check passed: staging itself fails
    const out = await ingestOne(db, FILES[0], staging);
    expect(out.status).toBe('ok');
    const strips = await db.strips.toArray();
    expect(strips.length).toBeGreaterThan(0);
    for (const s of strips) expect(s.dtype).toBeUndefined();
    expect(fs.list(STAGING_DIRECTORY)).toEqual([]);
    expect(fs.used).toBe(0);
  });
});

describe('the copy check (keepsCopies)', () => {
  it('says yes where IndexedDB keeps the bytes after the staging file is gone, and leaves nothing behind', async () => {
    const fs = new FakeOpfs();
    const dir = await (await fs.getRoot()).getDirectoryHandle(STAGING_DIRECTORY, { create: true });
    expect(await keepsCopies(dir)).toBe(true);
    expect(fs.list(STAGING_DIRECTORY)).toEqual([]);
    // Its own record is gone too (and only its own: workers check side by side).
    const db = await new Promise<IDBDatabase>((ok, no) => { const r = indexedDB.open(COPY_CHECK_DB); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    const left = await new Promise<number>((ok) => { const r = db.transaction('check').objectStore('check').count(); r.onsuccess = () => ok(r.result); });
    db.close();
    expect(left).toBe(0);
  });

  it('says no when the check cannot be made (OPFS full), and staging then stores typed arrays', async () => {
    const fs = new FakeOpfs(1024);
    const dir = await (await fs.getRoot()).getDirectoryHandle(STAGING_DIRECTORY, { create: true });
    expect(await keepsCopies(dir)).toBe(false);
    expect(fs.list(STAGING_DIRECTORY)).toEqual([]);
  });
});

describe('a profile whose IndexedDB keeps Blobs rather than copies (in memory)', () => {
  let db!: WorkbenchDb;
  useTestDb('staging-memory', (d) => { db = d; });

  it('stores ingested files as typed arrays, and makes no staging file', async () => {
    const fs = new FakeOpfs();
    const staging = new StripStaging(fs.getRoot, 0, async () => false);
    expect((await ingestOne(db, FILES[0], staging)).status).toBe('ok');
    const strips = await db.strips.toArray();
    expect(strips.length).toBeGreaterThan(0);
    for (const s of strips) expect(s.dtype).toBeUndefined();
    expect(fs.list(STAGING_DIRECTORY)).toEqual([]);
  });
});

describe('leftover staging files', () => {
  it('are removed when older than the age given, and younger ones (another live writer) kept', async () => {
    const fs = new FakeOpfs();
    const dir = await (await fs.getRoot()).getDirectoryHandle(STAGING_DIRECTORY, { create: true });
    for (const name of ['old.bin', 'young.bin']) {
      const h = await dir.getFileHandle(name, { create: true });
      const s = await (h as unknown as { createSyncAccessHandle(): Promise<FileSystemSyncAccessHandle> }).createSyncAccessHandle();
      s.write(new Uint8Array(10), { at: 0 });
      s.close();
    }
    const now = Date.now();
    ((await dir.getFileHandle('old.bin')) as unknown as { touch(t: number): void }).touch(now - 11 * 60_000);
    expect(await removeStale(dir, 10 * 60_000, now)).toBe(1);
    expect(fs.list(STAGING_DIRECTORY)).toEqual(['young.bin']);
  });
});
