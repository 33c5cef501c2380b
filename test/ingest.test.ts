/**
 * Ingest end to end in Node: bytes -> records in IndexedDB (fake-indexeddb),
 * duplicates, bad files, and a full disk that must leave the database as it was.
 */
import 'fake-indexeddb/auto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkbenchDb } from '../src/db/schema';
import { readRows } from '../src/db/files';
import { ingestOne } from '../workers/ingest';
import { parseFits, readImage } from '../src/core/fits';

const SHARED = path.resolve(__dirname, '../../shared');
const night = path.join(SHARED, 'sample-night');
const fixtures = path.join(SHARED, 'fixtures/fits');
const item = (dir: string, name: string) => ({ name, path: '', bytes: new Uint8Array(readFileSync(path.join(dir, name))) });

let db: WorkbenchDb;
let n = 0;
beforeEach(async () => {
  db = new WorkbenchDb(`test-${n++}`);
  await db.open();
});
afterEach(async () => {
  db.close();
  await db.delete();
});

describe('ingest', () => {
  it('stores every sample-night frame with descriptors, type, stats and strips that reassemble the image', async () => {
    const names = readdirSync(night).filter((f) => f.endsWith('.fits')).sort();
    const truth = JSON.parse(readFileSync(path.join(night, 'truth.json'), 'utf8')) as { frames: { file: string; kind: string; filter: string | null }[] };
    for (const name of names) {
      const out = await ingestOne(db, item(night, name));
      expect(out.status, out.message).toBe('ok');
      expect(out.stored).toBe('stored');
    }
    const files = await db.files.toArray();
    expect(files).toHaveLength(27);
    for (const f of truth.frames) {
      const rec = files.find((r) => r.name === f.file)!;
      expect(rec.type).toBe(f.kind === 'sci' ? 'science' : f.kind);
      expect(rec.descriptors.filter ?? null).toBe(f.filter);
      expect(rec.auto.keyword).toBe('IMAGETYP');
      expect(rec.stats!.median).toBeGreaterThan(900);
    }
    // Two flats of the night are saturated: raw uint16 data saturate at 65535 even without SATURATE.
    const saturated = files.filter((r) => r.stats!.saturatedFraction > 0.5).map((r) => r.name).sort();
    expect(saturated).toEqual(['raw0013.fits', 'raw0019.fits']);
    expect(files.find((r) => r.name === 'raw0013.fits')!.message).toMatch(/% of pixels at saturation \(65535\)/);
    // Strips put back together give exactly the decoded image.
    const first = files.find((r) => r.name === 'raw0020.fits')!;
    const bytes = readFileSync(path.join(night, 'raw0020.fits'));
    const img = readImage(parseFits(new Uint8Array(bytes), 'raw0020.fits'), new Uint8Array(bytes), first.imageHdu);
    const rows = await readRows(db, first, 0, first.height);
    expect(rows).toEqual(Float32Array.from(img.data));
    const part = await readRows(db, first, 10, 20);
    expect(part).toEqual(Float32Array.from(img.data.subarray(10 * first.width, 20 * first.width)));
    expect(await db.headers.get(first.id)).toBeDefined();
  });

  it('stores the same bytes once', async () => {
    const a = await ingestOne(db, item(night, 'raw0001.fits'));
    const b = await ingestOne(db, { ...item(night, 'raw0001.fits'), name: 'copy.fits' });
    expect(a.stored).toBe('stored');
    expect(b.stored).toBe('duplicate');
    expect(await db.files.count()).toBe(1);
  });

  it('records a clear per-file error for bad input and keeps what is stored', async () => {
    await ingestOne(db, item(night, 'raw0001.fits'));
    const expected = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8')) as { invalid: Record<string, string> };
    for (const name of Object.keys(expected.invalid)) {
      const out = await ingestOne(db, item(fixtures, name));
      expect(out.status, name).toBe('error');
      expect(out.message, name).toContain(name);
      const rec = await db.files.get(out.id);
      expect(rec?.status).toBe('error');
      expect(await db.strips.where('fileId').equals(out.id).count()).toBe(0);
    }
    const ok = (await db.files.toArray()).filter((f) => f.status === 'ok');
    expect(ok.map((f) => f.name)).toEqual(['raw0001.fits']);
  });

  it('reports a full disk clearly and leaves the database consistent', async () => {
    await ingestOne(db, item(night, 'raw0001.fits'));
    const before = { files: await db.files.count(), strips: await db.strips.count(), headers: await db.headers.count() };
    const original = db.strips.bulkPut.bind(db.strips);
    db.strips.bulkPut = (() => Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))) as unknown as typeof db.strips.bulkPut;
    const out = await ingestOne(db, item(night, 'raw0002.fits'));
    db.strips.bulkPut = original;
    expect(out.status).toBe('error');
    expect(out.stored).toBe('failed');
    expect(out.message).toMatch(/raw0002\.fits.*quota is full/);
    expect({ files: await db.files.count(), strips: await db.strips.count(), headers: await db.headers.count() }).toEqual(before);
    // And once space is back the same file goes in.
    expect((await ingestOne(db, item(night, 'raw0002.fits'))).stored).toBe('stored');
  });
});
