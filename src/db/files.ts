/**
 * Repository for stored files: their listing records, headers and pixel strips.
 * A file is written in one transaction or not at all, so a failure (a full
 * disk above all) never leaves half a file behind.
 */
import type { WorkbenchDb } from './schema';
import type { ScratchPool, ScratchType } from '../core/kernels/scratch';
import { STRIP_ARRAY, type StripData } from '../core/workspace/format';
import { StorageFullError, explainFull, isQuotaError } from './errors';
import type { FileRecord, HeaderRecord, StripRecord, TypeDecision } from './types';
import { placeStrip, storeStrips, stripValues, type StripStaging } from './stripStaging';
import { sweepRawCopies } from './rawCopies';
import { removePixelFiles } from './pixelFiles';

export type StoreOutcome = 'stored' | 'duplicate' | 'replaced-error';

/**
 * Stores a file with its headers and strips. The same bytes (same SHA-256 id)
 * are stored once; a previous *error* record for the same id is replaced only
 * when the new attempt succeeded (it cannot: same bytes, same result — but the
 * reader may have been fixed since, so a retry is honoured).
 */
export async function storeFile(
  db: WorkbenchDb,
  record: FileRecord,
  headers: HeaderRecord | undefined,
  strips: StripRecord[],
  staging?: StripStaging | false,
): Promise<StoreOutcome> {
  try {
    // The strips' pixel file is written (./stripStaging.ts) before the transaction: it cannot wait for anything but the database.
    return await storeStrips(staging, strips, (records, file) => db.transaction('rw', db.files, db.headers, db.strips, async () => {
      const existing = await db.files.get(record.id);
      if (existing && (existing.status === 'ok' || record.status === 'error')) return 'duplicate';
      if (existing) await db.strips.where('fileId').equals(record.id).delete();
      // The record names the pixel file its strips point into.
      await db.files.put(file ? { ...record, pixelFile: file.name } : record);
      if (headers) await db.headers.put(headers);
      if (records.length) await db.strips.bulkPut(records);
      return existing ? 'replaced-error' : 'stored';
    }), (outcome) => outcome !== 'duplicate');
  } catch (err) {
    if (isQuotaError(err)) throw await explainFull(new StorageFullError(record.name));
    throw err;
  }
}

export function findFile(db: WorkbenchDb, id: string): Promise<FileRecord | undefined> {
  return db.files.get(id);
}

/** A readable file of this name and size stored at or after `since` (a worker's outcome lost with the worker). */
export async function findStoredSince(db: WorkbenchDb, name: string, size: number, since: number): Promise<FileRecord | undefined> {
  const named = await db.files.where('name').equals(name).toArray();
  return named.find((f) => f.status === 'ok' && f.size === size && f.addedAt >= since);
}

export function countFiles(db: WorkbenchDb): Promise<number> {
  return db.files.count();
}

export function listFiles(db: WorkbenchDb): Promise<FileRecord[]> {
  return db.files.orderBy('addedAt').toArray();
}

export function getHeaders(db: WorkbenchDb, fileId: string): Promise<HeaderRecord | undefined> {
  return db.headers.get(fileId);
}

/** The user's tag for many files at once; `null` returns them to the automatic tag. */
export async function retagFiles(db: WorkbenchDb, ids: string[], decision: TypeDecision | null): Promise<void> {
  await db.transaction('rw', db.files, async () => {
    for (const id of ids) {
      const rec = await db.files.get(id);
      if (!rec || rec.status !== 'ok') continue;
      const user = decision ?? undefined;
      await db.files.update(id, { user, type: (user ?? rec.auto).type });
    }
  });
}

export async function deleteFiles(db: WorkbenchDb, ids: string[]): Promise<void> {
  const pixelFiles = await db.transaction('rw', db.files, db.headers, db.strips, async () => {
    const named = (await db.files.bulkGet(ids)).flatMap((f) => (f?.pixelFile ? [f.pixelFile] : []));
    await db.files.bulkDelete(ids);
    await db.headers.bulkDelete(ids);
    for (const id of ids) await db.strips.where('fileId').equals(id).delete();
    return named;
  });
  // Their pixel files and raw copies too, so removing files frees the disk they held.
  await removePixelFiles(pixelFiles);
  await sweepRawCopies(db).catch(() => 0);
}

/** Rows [y0, y1) of one plane, assembled from the stored strips (float32 planes: pixels, variance). */
export function readRows(
  db: WorkbenchDb,
  file: Pick<FileRecord, 'id' | 'imageHdu' | 'width' | 'stripRows'>,
  y0: number,
  y1: number,
  plane = 0,
  hdu = file.imageHdu,
): Promise<Float32Array> {
  return readPlaneRows(db, file, hdu, plane, y0, y1, new Float32Array((y1 - y0) * file.width));
}

/** Rows [y0, y1) of one stored plane into `out` (a Uint16Array for DQ planes). */
export async function readPlaneRows<T extends Float32Array | Uint16Array>(
  db: WorkbenchDb,
  file: Pick<FileRecord, 'id' | 'width' | 'stripRows'>,
  hdu: number,
  plane: number,
  y0: number,
  y1: number,
  out: T,
): Promise<T> {
  const { width, stripRows } = file;
  const first = Math.floor(y0 / stripRows);
  const last = Math.floor((y1 - 1) / stripRows);
  const strips = await db.strips
    .where('[fileId+hdu+plane+index]')
    .between([file.id, hdu, plane, first], [file.id, hdu, plane, last], true, true)
    .toArray();
  // Blob strips (stored through OPFS staging) are read all at once, then assembled.
  const values = await Promise.all(strips.map(stripValues));
  let covered = 0;
  strips.forEach((s, k) => {
    const v = values[k];
    if (v.length !== (s.y1 - s.y0) * width) throw new Error(`${file.id}: a stored strip of HDU ${hdu} (rows ${s.y0}-${s.y1}) holds ${v.length} values, not ${(s.y1 - s.y0) * width}`);
    covered += placeStrip(s, v, width, y0, y1, out);
  });
  // A missing strip would silently read as zeros: refuse instead.
  if (covered !== y1 - y0) throw new Error(`${file.id}: stored pixels are incomplete (rows ${y0}-${y1} of HDU ${hdu})`);
  return out;
}

/**
 * Splits a plane into row strips; copies, so each strip clones only its own
 * bytes. A plane of whole numbers that fit 16 bits (a raw CCD frame: BITPIX
 * 16, or 32 with small values) is kept as 16-bit integers, exactly, at half
 * the bytes of float32: half the disk, and half the reading of every run.
 * Readers assemble rows with TypedArray.set, which converts. With a `pool`
 * the strips' arrays are taken from it (the caller gives them back once
 * stored: IndexedDB and staging copy them before the store resolves).
 */
export function toStrips(
  fileId: string,
  hdu: number,
  plane: number,
  data: Float32Array | Float64Array,
  width: number,
  height: number,
  stripRows: number,
  /** What the header already says of the values (ImagePixels.integerKind): no scan then. */
  known?: 'u16' | 'i16',
  pool?: ScratchPool,
): StripRecord[] {
  const strips: StripRecord[] = [];
  const kind = known ?? integerKind(data);
  const type = STRIP_ARRAY[kind ?? 'f32'] as ScratchType<StripData>;
  for (let index = 0, y0 = 0; y0 < height; index++, y0 += stripRows) {
    const y1 = Math.min(height, y0 + stripRows);
    const part = data.subarray(y0 * width, y1 * width);
    const stored = pool ? pool.take(type, part.length) : new type(part.length);
    stored.set(part);
    strips.push({ fileId, hdu, plane, index, y0, y1, data: stored });
  }
  return strips;
}

/** 'u16' or 'i16' when every value is a whole number in that type's range (no NaN), else undefined. */
export function integerKind(data: Float32Array | Float64Array): 'u16' | 'i16' | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // NaN fails the comparison; a fraction fails the truncation.
    if (!(v >= -32768 && v <= 65535) || Math.trunc(v) !== v) return undefined;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0) return 'u16';
  if (hi <= 32767) return 'i16';
  return undefined;
}

/** About 1 MB (256 Ki float32 pixels) per strip: small enough to stream, large enough to keep IndexedDB calls few. */
export function stripRowsFor(width: number): number {
  return Math.max(1, Math.floor((256 * 1024) / Math.max(1, width)));
}
