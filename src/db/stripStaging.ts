/**
 * Pixel strips of an ingested file written to a file among the library's
 * pixel files (./pixelFiles.ts) before the transaction that stores the file,
 * its strip records pointing into it; and strips read back however they
 * were stored.
 *
 * Why: in a worker, put() of a typed-array strip costs the calling thread
 * 10-13 ms per MB on a machine where fresh memory is dear (3.8-5 ms where it
 * is not): Chromium clones the value, and compresses and wraps a large one
 * itself. A plane is then stored at 50-65 MB/s (120-170). Written to an OPFS
 * file through a sync access handle it costs the thread ~1 ms per MB, and
 * IndexedDB then stores only the small records (measured by
 * bench.html?only=storage, `BENCH_ONLY=storage npm run bench:browser`,
 * Chromium 156, 2 cores). The file is nobody's until the transaction
 * commits: it is removed if the transaction fails or the file was already
 * stored (a duplicate), and a page that dies in between leaves it to the
 * start-up sweep (sweepPixelFiles). Pixel files need no copy from
 * IndexedDB, so profiles in memory (a private window) store the same way as
 * profiles on disk.
 *
 * Earlier builds stored a raw frame's strips as Blob slices of a staging
 * file, which IndexedDB copied into its blob store (and kept the file as a
 * copy for the pipeline: ./rawCopies.ts). Their databases are read as they
 * are; the staging files their dead pages left are swept here on first use
 * (removeStale).
 *
 * Every strip carries its element type (`dtype`) where its values are not a
 * typed array: a Blob (earlier builds) or a pixel file's ref. Small batches,
 * writers without OPFS (Node, the page's main thread, a browser without sync
 * access handles) and older databases store typed arrays, and every reader
 * takes all three (stripValues).
 */
import { STRIP_ARRAY, dtypeOf, type StripData } from '../core/workspace/format';
import { realmShared, type ScratchRoot } from './opfsScratch';
import { isQuotaError } from './errors';
import { PIXELS_DIRECTORY, readPixelRef } from './pixelFiles';
import type { StripRecord } from './types';

/** The directory where earlier builds staged strips (their leftovers are swept: removeStale). */
export const STAGING_DIRECTORY = 'strip-staging';
/**
 * Fewer bytes than this go as typed arrays: a pixel file costs its own
 * handle and removal (~7 ms), more than a strip or two's clone saves where
 * memory is cheap (3.8 ms per MB); a stack written band by band (2-3 strips
 * of 1 MB a call) was slower through a file. From 4 MB the file wins on both
 * kinds of machine.
 */
export const MIN_STAGED_BYTES = 4 * 2 ** 20;
/** Staging files older than this are leftovers of a page that died. */
export const STALE_MS = 10 * 60_000;

/** A strip's values as a typed array, whether it was stored as one or as a Blob. */
export async function stripValues(s: StripRecord): Promise<StripData> {
  if (s.dtype === undefined) return s.data;
  const buf = s.data instanceof Blob ? await s.data.arrayBuffer() : await readPixelRef(s.data);
  return new STRIP_ARRAY[s.dtype](buf);
}

/**
 * Copies the rows of strip `s` (its values `v`, all its rows) that fall in
 * [y0, y1) into `out`, which holds rows y0 on; returns how many rows that is.
 * TypedArray.set converts: 16-bit raw values become float32 pixels exactly.
 */
export function placeStrip(s: Pick<StripRecord, 'y0' | 'y1'>, v: StripData, width: number, y0: number, y1: number, out: Float32Array | Uint16Array): number {
  const from = Math.max(y0, s.y0);
  const to = Math.min(y1, s.y1);
  if (to <= from) return 0;
  out.set(v.subarray((from - s.y0) * width, (to - s.y0) * width), (from - y0) * width);
  return to - from;
}

/** The pixel file the records of a store point into (its name, which the file's record keeps). */
export interface StagedFile {
  name: string;
}

/** Strips ready to be put, and what to do if their file is not to be kept. */
export interface StagedStrips {
  records: StripRecord[];
  /** The pixel file the records point into, when they were written to one. */
  file?: StagedFile;
  /** Removes the pixel file; for when the transaction failed or stored nothing. Never throws. */
  release(): Promise<void>;
}

type ArrayStrip = Extract<StripRecord, { dtype?: undefined }>;
type FileHandleWithSync = FileSystemFileHandle & { createSyncAccessHandle(): Promise<FileSystemSyncAccessHandle> };

/** Writes a file's strips into a new pixel file and gives back records that point into it. */
export class StripStaging {
  /** Earlier builds' staging leftovers, swept once per realm on first use. */
  private swept: Promise<unknown> | undefined;
  /** Set when OPFS refused: every later call stores typed arrays. */
  private broken = false;

  constructor(
    private readonly root: ScratchRoot = () => navigator.storage.getDirectory(),
    /** Batches of fewer bytes go as typed arrays (tests write small ones). */
    private readonly minBytes = MIN_STAGED_BYTES,
  ) {}

  /**
   * The records to put, their typed-array values replaced by references into
   * one new pixel file. When OPFS cannot take them (full, gone, refused) the
   * records come back as they were: storing them is then IndexedDB's to
   * accept or refuse, as without a file.
   */
  async stage(strips: readonly StripRecord[]): Promise<StagedStrips> {
    const arrays = strips.filter((s): s is ArrayStrip => s.dtype === undefined && s.data.byteLength > 0);
    const bytes = arrays.reduce((n, s) => n + s.data.byteLength, 0);
    const asTheyAre: StagedStrips = { records: [...strips], release: async () => undefined };
    if (this.broken || bytes === 0 || bytes < this.minBytes) return asTheyAre;
    const name = `${crypto.randomUUID()}.bin`;
    let dir: FileSystemDirectoryHandle | undefined;
    try {
      const root = await this.root();
      await (this.swept ??= root.getDirectoryHandle(STAGING_DIRECTORY).then((d) => removeStale(d, STALE_MS), () => 0));
      // Written where it stays, before the transaction, so no committed record ever points at a file
      // not there (a page that dies before it commits leaves the file to sweepPixelFiles).
      dir = await root.getDirectoryHandle(PIXELS_DIRECTORY, { create: true });
      await writeFile(dir, name, arrays.map((s) => s.data), bytes);
      const at = new Map<StripRecord, number>();
      let offset = 0;
      for (const s of arrays) {
        at.set(s, offset);
        offset += s.data.byteLength;
      }
      const key = (s: StripRecord) => ({ fileId: s.fileId, hdu: s.hdu, plane: s.plane, index: s.index, y0: s.y0, y1: s.y1 });
      const records = strips.map((s): StripRecord => {
        const from = at.get(s);
        const a = s.data as StripData;
        return from === undefined ? s : { ...key(s), data: { file: name, offset: from, bytes: a.byteLength }, dtype: dtypeOf(a) };
      });
      const written = dir;
      return { records, file: { name }, release: () => written.removeEntry(name).catch(() => undefined) };
    } catch (err) {
      await dir?.removeEntry(name).catch(() => undefined);
      // OPFS is an accelerator here, never a reason to fail a write: the values go as they are. A full
      // quota may pass (space freed later); any other refusal turns the files off for this realm.
      if (!isQuotaError(err)) this.broken = true;
      console.warn('pixel strips go to IndexedDB as arrays: OPFS refused their file:', err);
      return asTheyAre;
    }
  }

  /**
   * Writes the strips' file, runs `store` with the records to put, and keeps
   * the file only where `keeps` says the result stored them (a duplicate
   * stored nothing); removes it otherwise, or when `store` throws.
   */
  async storeWith<T>(strips: readonly StripRecord[], store: StoreStaged<T>, keeps: (stored: T) => boolean = () => true): Promise<T> {
    const staged = await this.stage(strips);
    let kept = false;
    try {
      const result = await store(staged.records, staged.file);
      kept = keeps(result);
      return result;
    } finally {
      if (!kept) await staged.release();
    }
  }
}

/** Writes `parts` one after the other into a new file `name` of `dir` (its sync access handle closed after). */
async function writeFile(dir: FileSystemDirectoryHandle, name: string, parts: readonly ArrayBufferView[], bytes: number): Promise<void> {
  const fh = (await dir.getFileHandle(name, { create: true })) as FileHandleWithSync;
  const handle = await fh.createSyncAccessHandle();
  try {
    handle.truncate(bytes);
    let offset = 0;
    for (const a of parts) {
      const wrote = handle.write(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), { at: offset });
      if (wrote !== a.byteLength) throw new Error(`a pixel file took ${wrote} of ${a.byteLength} bytes`);
      offset += a.byteLength;
    }
  } finally {
    // No flush(), as IndexedDB (relaxed durability, Chromium's default) writes its own files.
    handle.close();
  }
}

/** Removes the files of `dir` last modified more than `ageMs` ago (a younger one may be another tab's); returns how many. */
export async function removeStale(dir: FileSystemDirectoryHandle, ageMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  try {
    for await (const [name, entry] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
      if (entry.kind !== 'file') continue;
      try {
        const f = await (entry as FileSystemFileHandle).getFile();
        if (now - f.lastModified > ageMs) { await dir.removeEntry(name); removed++; }
      } catch { /* open in a live writer, or gone meanwhile */ }
    }
  } catch { /* directory unreadable: nothing to sweep */ }
  return removed;
}

/** This realm's staging, or undefined where sync access handles do not exist (strips are stored as typed arrays then). */
export const defaultStripStaging = realmShared(() => new StripStaging());

/** Stores the records to put; `file` is the pixel file they point into, where they were written to one. */
export type StoreStaged<T> = (records: StripRecord[], file?: StagedFile) => Promise<T>;

/** Stores the strips through `staging` when there is one (`false`: none), else as they are. */
export function storeStrips<T>(staging: StripStaging | false | undefined, strips: readonly StripRecord[], store: StoreStaged<T>, keeps?: (stored: T) => boolean): Promise<T> {
  return staging ? staging.storeWith(strips, store, keeps) : store([...strips]);
}
