/**
 * Strips as the ingest stores them and as earlier builds did
 * (src/db/stripStaging.ts), on fake-indexeddb and a fake OPFS (./fakeOpfs.ts):
 * Blob strips of an earlier build (./earlierBuild.ts) read back value for
 * value as the same files stored as typed arrays (the reference: the path
 * without a file, itself checked against astropy's pixels by the ingest
 * tests), and export to a workspace byte for byte alike; an OPFS that refuses
 * (full) leaves the strips typed arrays and the file stored; an earlier
 * build's staging leftovers are swept by age only. (Pixel files themselves:
 * ./pixelFiles.test.ts.)
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { WorkbenchDb } from '../src/db/schema';
import { STAGING_DIRECTORY, StripStaging, removeStale, stripValues } from '../src/db/stripStaging';
import { PIXELS_DIRECTORY } from '../src/db/pixelFiles';
import { exportWorkspace } from '../src/db/workspace';
import { ingestOne } from '../workers/ingest';
import { FakeOpfs } from './fakeOpfs';
import { useTestDb } from './testDb';
import { FILES, planesOf } from './ingestFixtures';
import { storeAsEarlierBuild } from './earlierBuild';

describe("an earlier build's Blob strips", () => {
  let plain!: WorkbenchDb;
  let earlier!: WorkbenchDb;
  useTestDb('staging-plain', (d) => { plain = d; });
  useTestDb('staging-earlier', (d) => { earlier = d; });

  it('read back exactly as the typed-array ones', async () => {
    for (const f of FILES) {
      expect((await ingestOne(plain, f, false)).status).toBe('ok');
      expect((await storeAsEarlierBuild(earlier, f)).status).toBe('ok');
    }
    const strips = await earlier.strips.toArray();
    expect(strips.length).toBe(await plain.strips.count());
    for (const s of strips) {
      expect(s.data).toBeInstanceOf(Blob);
      const twin = await plain.strips.get([s.fileId, s.hdu, s.plane, s.index]);
      const v = await stripValues(s);
      expect(v.constructor).toBe(twin!.data.constructor);
      expect(v).toEqual(twin!.data);
    }
    const [a, b] = [await planesOf(plain), await planesOf(earlier)];
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) expect(b.get(k), k).toEqual(v);
  });

  it('export to a workspace byte for byte as typed arrays do', async () => {
    const pixels = async (db: WorkbenchDb) => {
      const m = await exportWorkspace(db, async () => undefined, { now: new Date(0) });
      return m.entries.filter((e) => e.name.startsWith('pixels/')).map((e) => `${e.name} ${e.size} ${e.sha256}`).sort();
    };
    const [a, b] = [await pixels(plain), await pixels(earlier)];
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});

describe('an OPFS that refuses', () => {
  let db!: WorkbenchDb;
  useTestDb('staging-full', (d) => { db = d; });

  it('leaves the strips typed arrays and stores the file all the same', async () => {
    const fs = new FakeOpfs(1024); // smaller than any file's pixels
    const out = await ingestOne(db, FILES[0], new StripStaging(fs.getRoot, 0));
    expect(out.status).toBe('ok');
    const strips = await db.strips.toArray();
    expect(strips.length).toBeGreaterThan(0);
    for (const s of strips) expect(s.dtype).toBeUndefined();
    expect((await db.files.get(out.id))!.pixelFile).toBeUndefined();
    expect(fs.list(PIXELS_DIRECTORY)).toEqual([]);
    expect(fs.used).toBe(0);
  });
});

describe("an earlier build's staging leftovers", () => {
  /** A staging directory with a file last modified 11 minutes ago and one just now. */
  const leftovers = async (fs: FakeOpfs, now: number) => {
    const dir = await (await fs.getRoot()).getDirectoryHandle(STAGING_DIRECTORY, { create: true });
    for (const name of ['old.bin', 'young.bin']) {
      const h = await dir.getFileHandle(name, { create: true });
      const s = await (h as unknown as { createSyncAccessHandle(): Promise<FileSystemSyncAccessHandle> }).createSyncAccessHandle();
      s.write(new Uint8Array(10), { at: 0 });
      s.close();
    }
    ((await dir.getFileHandle('old.bin')) as unknown as { touch(t: number): void }).touch(now - 11 * 60_000);
    return dir;
  };

  it('are removed when older than the age given, and younger ones (another live writer) kept', async () => {
    const fs = new FakeOpfs();
    const now = Date.now();
    expect(await removeStale(await leftovers(fs, now), 10 * 60_000, now)).toBe(1);
    expect(fs.list(STAGING_DIRECTORY)).toEqual(['young.bin']);
  });

  let db!: WorkbenchDb;
  useTestDb('staging-leftovers', (d) => { db = d; });

  it('are swept by the first file written to a pixel file', async () => {
    const fs = new FakeOpfs();
    await leftovers(fs, Date.now());
    expect((await ingestOne(db, FILES[0], new StripStaging(fs.getRoot, 0))).status).toBe('ok');
    expect(fs.list(STAGING_DIRECTORY)).toEqual(['young.bin']);
    expect(fs.list(PIXELS_DIRECTORY)).toHaveLength(1);
  });
});
