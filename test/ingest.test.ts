/**
 * Ingest end to end in Node: bytes -> records in IndexedDB (fake-indexeddb),
 * duplicates, bad files, and a full disk that must leave the database as it was.
 */
import 'fake-indexeddb/auto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkbenchDb } from '../src/db/schema';
import { integerKind, readRows } from '../src/db/files';
import { frameStats } from '../src/core/kernels/stats';
import { ingestOne } from '../workers/ingest';
import { parseFits, readImage, writeFits } from '../src/core/fits';
import { predictRefusal } from '../src/features/calibrations/model';

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

describe('integerKind: which planes are stored as 16-bit integers', () => {
  it('keeps whole numbers of 16 bits as integers and anything else as float', () => {
    expect(integerKind(Float32Array.of(0, 1, 65535))).toBe('u16');
    expect(integerKind(Float32Array.of(-32768, 0, 32767))).toBe('i16');
    expect(integerKind(Float32Array.of(-1, 40000))).toBeUndefined();
    expect(integerKind(Float32Array.of(1, 2.5))).toBeUndefined();
    expect(integerKind(Float32Array.of(1, NaN))).toBeUndefined();
    expect(integerKind(Float32Array.of(65536))).toBeUndefined();
    expect(integerKind(Float64Array.of(1, 2 + 1e-9))).toBeUndefined();
  });
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
    // Raw 16-bit frames are kept as 16-bit integers (exactly: the rows above compare equal).
    const strips = await db.strips.where('fileId').equals(first.id).toArray();
    expect(strips.every((st) => st.data instanceof Uint16Array)).toBe(true);

  });

  it('lists a larger frame with a sampled median and noise within a hundredth of the noise of the full figures', async () => {
    // 1000 x 600 (sampled every 3rd pixel) of Gaussian noise (sigma 20 about 1000) with a gradient, a few hot pixels and one cold column.
    const w = 1000;
    const h = 600;
    const px = new Uint16Array(w * h);
    let seed = 12345;
    const uniform = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
    for (let i = 0; i < px.length; i++) {
      const gauss = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      px[i] = Math.round(1000 + 0.02 * (i % w) + 20 * gauss);
    }
    for (let y = 0; y < h; y++) px[y * w + 700] = 10;
    for (let k = 0; k < 50; k++) px[k * 11_987] = 65535;
    const bytes = writeFits([{ cards: [{ key: 'IMAGETYP', value: 'object' }], data: px, width: w, height: h }]);
    const out = await ingestOne(db, { name: 'big.fits', path: '', bytes });
    expect(out.status, out.message).toBe('ok');
    const rec = (await db.files.get(out.id))!;
    const all = Float32Array.from(px);
    const full = frameStats(all, {});
    expect(Math.abs(rec.stats!.median - full.median)).toBeLessThan(0.01 * full.robustSigma);
    expect(Math.abs(rec.stats!.robustSigma / full.robustSigma - 1)).toBeLessThan(0.01);
    expect([rec.stats!.min, rec.stats!.max]).toEqual([10, 65535]);
    expect(rec.stats!.saturatedFraction).toBeCloseTo(50 / (w * h), 12);
    expect(await readRows(db, rec, 0, h)).toEqual(all);
  });

  it("measures the listing's statistics on the data section, not the overscan beside it", async () => {
    // A saturated flat as the sample night's: 256 data columns at 65535, 32 overscan columns at bias level.
    const w = 288, h = 64;
    const px = new Uint16Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = x < 256 ? (x % 100 === 0 ? 30000 : 65535) : 1000;
    const cards = [{ key: 'IMAGETYP', value: 'flat' }, { key: 'SATURATE', value: 65535 }, { key: 'DATASEC', value: '[1:256,1:64]' }, { key: 'BIASSEC', value: '[257:288,1:64]' }];
    const out = await ingestOne(db, { name: 'satflat.fits', path: '', bytes: writeFits([{ cards, data: px, width: w, height: h }]) });
    const rec = (await db.files.get(out.id))!;
    // 3 of every 256 data columns are unsaturated (x = 0, 100, 200): 253/256 saturated, 98.8%; with the
    // overscan it would be 253/288 = 87.8%.
    expect(rec.stats!.saturatedFraction).toBeCloseTo(253 / 256, 12);
    expect(rec.stats!.median).toBe(65535);
    expect(rec.stats!.min).toBe(30000);
    expect(rec.message).toContain('99% of pixels at saturation');
    // The pixels stored are the whole frame, overscan included.
    expect((await readRows(db, rec, 0, 1))[270]).toBe(1000);
  });

  it('finds the saturation of a float flat without SATURATE where its pixels pile up, as addDQ does', async () => {
    // A camera program writing BITPIX -32: 95% of the pixels clipped at 65535.0, the rest at the lamp's level.
    const w = 128, h = 40;
    const px = new Float32Array(w * h);
    for (let i = 0; i < px.length; i++) px[i] = i % 20 === 0 ? 30000 + (i % 7) : 65535;
    const out = await ingestOne(db, { name: 'floatflat.fits', path: '', bytes: writeFits([{ cards: [{ key: 'IMAGETYP', value: 'Flat Field' }], data: px, width: w, height: h }]) });
    const rec = (await db.files.get(out.id))!;
    expect(rec.hdus[0].bitpix).toBe(-32);
    expect(rec.stats!.saturatedFraction).toBeCloseTo(0.95, 12);
    expect(rec.message).toContain('95% of pixels at saturation (65535)');
  });

  it("measures each colour of a colour (Bayer) flat, so that the view judges it as checkFlatLevel will", async () => {
    // RGGB, 64 x 32 data and 8 overscan columns; every green pixel clips, red and blue do not. Counted
    // from the top (ROWORDER), the array's first row is the pattern's second: G B.
    const w = 72, h = 32;
    const level: Record<string, number> = { R: 20000, G: 65535, B: 30000 };
    const px = new Uint16Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = x < 64 ? level['RGGB'[2 * ((h - 1 - y) & 1) + (x & 1)]] : 1000;
    const cards = [
      { key: 'IMAGETYP', value: 'Flat Field' }, { key: 'SATURATE', value: 65535 }, { key: 'BAYERPAT', value: 'RGGB' },
      { key: 'ROWORDER', value: 'TOP-DOWN' }, { key: 'DATASEC', value: '[1:64,1:32]' },
    ];
    const out = await ingestOne(db, { name: 'greenclip.fits', path: '', bytes: writeFits([{ cards, data: px, width: w, height: h }]) });
    const rec = (await db.files.get(out.id))!;
    // Half the data section is saturated: not "mostly", so the figures of all pixels pass the check.
    expect(rec.stats!.saturatedFraction).toBe(0.5);
    expect(rec.stats!.colours).toEqual([
      { colour: 'G', median: 65535, saturatedFraction: 1 },
      { colour: 'B', median: 30000, saturatedFraction: 0 },
      { colour: 'R', median: 20000, saturatedFraction: 0 },
      { colour: 'G', median: 65535, saturatedFraction: 1 },
    ]);
    const limits = { low: 0.2, high: 0.8, maxSaturated: 0.5 };
    const { median, saturatedFraction, colours } = rec.stats!;
    expect(predictRefusal({ median, saturatedFraction, saturation: 65535 }, limits)).toBeUndefined();
    expect(predictRefusal({ median, saturatedFraction, colours, saturation: 65535 }, limits)).toBe('100% of the G pixels saturated (more than 50% allowed)');
    // A frame of one colour has no colour figures.
    const grey = await ingestOne(db, { name: 'grey.fits', path: '', bytes: writeFits([{ cards: cards.filter((c) => c.key !== 'BAYERPAT'), data: px, width: w, height: h }]) });
    expect((await db.files.get(grey.id))!.stats!.colours).toBeUndefined();
  });

  it('stores the same bytes once', async () => {
    const a = await ingestOne(db, item(night, 'raw0001.fits'));
    const b = await ingestOne(db, { ...item(night, 'raw0001.fits'), name: 'copy.fits' });
    expect(a.stored).toBe('stored');
    expect(b.stored).toBe('duplicate');
    // Under another name: said which file it is (the listing shows that one).
    expect(b.message).toBe('the same bytes as raw0001.fits, already in the library');
    expect((await ingestOne(db, item(night, 'raw0001.fits'))).message).toBe('');
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
