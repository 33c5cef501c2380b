/**
 * Raw frames read by the pipeline at file speed, into its own pooled arrays:
 * from the pixel files their strips point into (readPixelFile: how the
 * ingest stores a raw frame now, ./pixelFiles.ts), or from the copies that
 * earlier builds kept (readPlaneRows), instead of as IndexedDB Blobs.
 *
 * Why: reading a frame's Blob strips from IndexedDB makes the browser's
 * process read its blob files into fresh buffers and pipe the bytes to the
 * page's process, where they land in new ArrayBuffers, at ~100 MB/s under a
 * reduction's load, on the core the worker shares with IndexedDB. On the
 * browser bench night (41 raw frames of 8 MB) the browser's thread pool took
 * 118-120 thousand page faults over the reduction, 32-35 thousand with the
 * copies, and the master bias read its 15 frames and its parked ones in 0.9
 * s instead of 1.6. A sync access handle reads the same bytes in place at GB/s
 * (./opfsScratch.ts).
 *
 * What a copy is (earlier builds made them; no build makes them now): the
 * ingest's staging file, which held the file's Blob strips one after the
 * other in key order (HDU, plane, strip), kept under its own random name,
 * which the file's record names (FileRecord.rawCopy), so that a copy left by
 * an earlier ingest of the same bytes, by another version of the app or
 * another tab is never read for these strips. A copy is only ever read where
 * its size is that of the record's strips (every strip a Blob with its
 * element type), and any mismatch, missing copy or refusal reads IndexedDB
 * as before.
 *
 * Bounded: `sweepRawCopies` (before each reduction, and after files are
 * removed) removes the copies of files no longer in the library, then the
 * oldest ones while usage is over half the quota; a file the ingest could not
 * store for want of room is tried again once every copy is gone
 * (freeRawCopies), and a run halted by a full disk finds room when restarted
 * (the sweep before it): copies never cost the library space it needs. The
 * storage meter says how much of the usage they are.
 */
import type { WorkbenchDb } from './schema';
import type { StripRecord } from './types';
import { STRIP_ARRAY, type StripData, type StripDtype } from '../core/workspace/format';
import { borrow, type ScratchType } from '../core/kernels/scratch';
import { realmShared, type ScratchRoot } from './opfsScratch';
import { placeStrip } from './stripStaging';
import type { QuotaEstimate } from './productMirror';
import { tracked } from '../core/pending';
import { PIXELS_DIRECTORY, type PixelRef } from './pixelFiles';

/** The directory under the origin's private root that holds the copies. */
export const RAW_COPIES_DIRECTORY = 'raw-copies';

type BlobStrip = Extract<StripRecord, { data: Blob }>;
type RefStrip = Extract<StripRecord, { data: PixelRef }>;
type SyncOpen = FileSystemFileHandle & { createSyncAccessHandle(opts?: { mode?: string }): Promise<FileSystemSyncAccessHandle> };

const keyOrder = (a: StripRecord, b: StripRecord) => a.hdu - b.hdu || a.plane - b.plane || a.index - b.index;

/** Whether the records are Blob strips in key order: the layout of an earlier build's staging file, which a copy is. */
function makesCopy(records: readonly StripRecord[]): records is BlobStrip[] {
  return records.length > 0 && records.every((r, k) => r.data instanceof Blob && r.dtype !== undefined && (k === 0 || keyOrder(records[k - 1], r) < 0));
}

export class RawCopies {
  private dir?: Promise<FileSystemDirectoryHandle>;

  constructor(private readonly root: ScratchRoot = () => navigator.storage.getDirectory()) {}

  private directory(): Promise<FileSystemDirectoryHandle> {
    this.dir ??= this.root().then((r) => r.getDirectoryHandle(RAW_COPIES_DIRECTORY, { create: true }));
    this.dir.catch(() => (this.dir = undefined));
    return this.dir;
  }

  /** Rows of a plane of a file whose strips point into a pixel file, read as a copy is (readPixelFileRows). */
  readPixelFile<T extends Float32Array | Uint16Array>(
    db: WorkbenchDb, file: { id: string; width: number; stripRows: number }, hdu: number, plane: number, y0: number, y1: number, out: T,
  ): Promise<T | undefined> {
    return readPixelFileRows(this.root, db, file, hdu, plane, y0, y1, out);
  }

  /** Removes every copy not open (storage is full: see freeRawCopies); returns the bytes freed. */
  free(): Promise<number> {
    return freeRawCopies(this.root);
  }

  /**
   * Rows [y0, y1) of one plane of a file from its copy (`file.copy`, its
   * record's rawCopy), into `out`; undefined when the copy is gone or does
   * not match the file's stored strips (the caller reads IndexedDB then).
   * Only where sync access handles exist.
   */
  async readPlaneRows<T extends Float32Array | Uint16Array>(
    db: WorkbenchDb, file: { id: string; width: number; copy: string }, hdu: number, plane: number, y0: number, y1: number, out: T,
  ): Promise<T | undefined> {
    let handle: FileSystemSyncAccessHandle | undefined;
    try {
      const dir = await this.directory();
      const fh = (await dir.getFileHandle(file.copy)) as SyncOpen;
      // Read-only: several workers may read one copy (Chromium 121+; elsewhere the option is ignored and the handle is exclusive).
      handle = await tracked(`OPFS open copy of ${file.id}`, fh.createSyncAccessHandle({ mode: 'read-only' }));
      const records = (await db.strips.where('fileId').equals(file.id).toArray()).sort(keyOrder);
      if (!makesCopy(records)) return undefined;
      let offset = 0;
      const at = new Map<StripRecord, number>();
      for (const r of records) {
        at.set(r, offset);
        offset += r.data.size;
      }
      if (offset !== handle.getSize()) return undefined;
      const wanted = records.filter((r) => r.hdu === hdu && r.plane === plane && r.y1 > y0 && r.y0 < y1);
      return readStrips(handle, wanted.map((r) => ({ strip: r, at: at.get(r)!, bytes: r.data.size })), file.width, y0, y1, out);
    } catch (err) {
      // No copy (removed for room), open elsewhere, or OPFS gone: IndexedDB has the pixels. Anything else is said once.
      if (!EXPECTED.has((err as { name?: string })?.name ?? '')) warnOnce('a raw frame\'s copy could not be read', err);
      return undefined;
    } finally {
      try { handle?.close(); } catch { /* closed */ }
    }
  }
}

/**
 * Rows [y0, y1) of one plane of a file whose strips point into a pixel file
 * (./pixelFiles.ts: an ingested raw frame's), read through a read-only sync
 * access handle straight into `out`, as a copy is read; undefined when its
 * strips are not such references or the file cannot be read so (the caller
 * reads through readPlaneRows then, which says what is wrong). Only where
 * sync access handles exist.
 */
async function readPixelFileRows<T extends Float32Array | Uint16Array>(
  root: ScratchRoot, db: WorkbenchDb, file: { id: string; width: number; stripRows: number }, hdu: number, plane: number, y0: number, y1: number, out: T,
): Promise<T | undefined> {
  const first = Math.floor(y0 / file.stripRows);
  const last = Math.floor((y1 - 1) / file.stripRows);
  const strips = await db.strips.where('[fileId+hdu+plane+index]').between([file.id, hdu, plane, first], [file.id, hdu, plane, last], true, true).toArray();
  const refs = strips.filter((s): s is RefStrip => s.dtype !== undefined && !(s.data instanceof Blob));
  if (!refs.length || refs.length !== strips.length || refs.some((s) => s.data.file !== refs[0].data.file)) return undefined;
  let handle: FileSystemSyncAccessHandle | undefined;
  try {
    const dir = await (await root()).getDirectoryHandle(PIXELS_DIRECTORY);
    const fh = (await dir.getFileHandle(refs[0].data.file)) as SyncOpen;
    handle = await tracked(`OPFS open pixel file of ${file.id}`, fh.createSyncAccessHandle({ mode: 'read-only' }));
    return readStrips(handle, refs.map((r) => ({ strip: r, at: r.data.offset, bytes: r.data.bytes })), file.width, y0, y1, out);
  } catch (err) {
    if (!EXPECTED.has((err as { name?: string })?.name ?? '')) warnOnce('a pixel file could not be read through a sync access handle', err);
    return undefined;
  } finally {
    try { handle?.close(); } catch { /* closed */ }
  }
}

/**
 * The rows of these strips (each `bytes` bytes at `at` in the handle's file)
 * that fall in [y0, y1), read through a pooled array of the strip's type and
 * placed into `out`; undefined when a strip's size or a read falls short, or
 * the strips do not cover the rows.
 */
function readStrips<T extends Float32Array | Uint16Array>(
  handle: FileSystemSyncAccessHandle, strips: readonly { strip: StripRecord & { dtype: StripDtype }; at: number; bytes: number }[], width: number, y0: number, y1: number, out: T,
): T | undefined {
  let covered = 0;
  for (const { strip, at, bytes } of strips) {
    const type = STRIP_ARRAY[strip.dtype] as ScratchType<StripData>;
    const n = bytes / type.BYTES_PER_ELEMENT;
    if (n !== (strip.y1 - strip.y0) * width) return undefined;
    const rows = borrow(type, n, (values) =>
      handle.read(new Uint8Array(values.buffer, values.byteOffset, bytes), { at }) === bytes ? placeStrip(strip, values, width, y0, y1, out) : -1);
    if (rows < 0) return undefined;
    covered += rows;
  }
  return covered === y1 - y0 ? out : undefined;
}

/** Errors of a copy that is gone, open in another realm's writer, or of an OPFS that went away: a quiet fallback. */
const EXPECTED = new Set(['NotFoundError', 'NoModificationAllowedError', 'InvalidStateError']);
let warned = false;
/** An unexpected refusal turns the copies off in effect (every frame reads IndexedDB): say so once, in the console. */
function warnOnce(what: string, err: unknown): void {
  if (warned) return;
  warned = true;
  console.warn(`${what}; raw frames are read the slower way:`, err);
}

/** This realm's copies, where sync access handles exist (dedicated workers); undefined elsewhere. */
export const defaultRawCopies = realmShared(() => new RawCopies());

const defaultRoot: ScratchRoot | undefined =
  typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function' ? () => navigator.storage.getDirectory() : undefined;

interface Listed {
  dir: FileSystemDirectoryHandle;
  copies: { name: string; size: number; modified: number }[];
}

/** The copies there are, with their sizes; undefined where there is no directory of them (or no OPFS). */
async function listCopies(root: ScratchRoot | undefined): Promise<Listed | undefined> {
  if (!root) return undefined;
  try {
    const dir = await (await root()).getDirectoryHandle(RAW_COPIES_DIRECTORY);
    const copies: Listed['copies'] = [];
    for await (const [name, entry] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
      if (entry.kind !== 'file') continue;
      const f = await (entry as FileSystemFileHandle).getFile().catch(() => undefined);
      copies.push({ name, size: f?.size ?? 0, modified: f?.lastModified ?? 0 });
    }
    return { dir, copies };
  } catch {
    return undefined; // no copies yet, or OPFS unusable here
  }
}

/** Removes one copy; false when it is open in a worker (a later sweep removes it) or gone. */
async function removeCopy(dir: FileSystemDirectoryHandle, name: string): Promise<boolean> {
  try {
    await dir.removeEntry(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the copies no file's record names (their files were removed), then, oldest
 * first, copies while the origin uses more than half its quota; returns how
 * many were removed. Safe at any time: a copy open in a worker is skipped
 * (removed by a later sweep), and a named copy is removed only for room.
 */
export async function sweepRawCopies(
  db: WorkbenchDb,
  root: ScratchRoot | undefined = defaultRoot,
  estimate: QuotaEstimate = () => navigator.storage.estimate(),
): Promise<number> {
  // Listed before the records are read: a copy is moved here only after the record naming it committed.
  const listed = await listCopies(root);
  if (!listed) return 0;
  const named = new Set<string>();
  await db.files.each((f) => { if (f.rawCopy) named.add(f.rawCopy); });
  let removed = 0;
  const kept: Listed['copies'] = [];
  for (const c of listed.copies) {
    if (!named.has(c.name) && (await removeCopy(listed.dir, c.name))) removed++;
    else kept.push(c);
  }
  try {
    const { quota, usage } = await estimate();
    if (quota !== undefined && usage !== undefined) {
      let over = usage - quota / 2;
      for (const c of kept.sort((a, b) => a.modified - b.modified)) {
        if (over <= 0) break;
        if (await removeCopy(listed.dir, c.name)) {
          removed++;
          over -= c.size;
        }
      }
    }
  } catch { /* no estimate: only the orphans go */ }
  return removed;
}

/** Removes every copy not open in a worker (storage is full: the library's own data comes first); returns the bytes freed. */
export async function freeRawCopies(root: ScratchRoot | undefined = defaultRoot): Promise<number> {
  const listed = await listCopies(root);
  let freed = 0;
  for (const c of listed?.copies ?? []) if (await removeCopy(listed!.dir, c.name)) freed += c.size;
  return freed;
}

/** Bytes the copies take (the storage meter says so: they are part of the origin's usage). */
export async function rawCopiesBytes(root: ScratchRoot | undefined = defaultRoot): Promise<number> {
  return ((await listCopies(root))?.copies ?? []).reduce((n, c) => n + c.size, 0);
}
