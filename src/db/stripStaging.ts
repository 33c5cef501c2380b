/**
 * Pixel strips written to a file in the Origin Private File System, then
 * stored as references into it, a file among the library's pixel files
 * (./pixelFiles.ts: the ingest's way), or handed to IndexedDB as Blob slices
 * of a staging file (the way of earlier builds, whose databases hold them);
 * and read back whichever way they were stored.
 *
 * Why: in a worker, put() of a typed-array strip costs the calling thread
 * 10-13 ms per MB on a machine where fresh memory is dear (3.8-5 ms where it
 * is not): Chromium clones the value, and compresses and wraps a large one
 * itself. A plane is then stored at 50-65 MB/s (120-170). The same bytes
 * written to an OPFS file through a sync access handle and put() as Blob
 * slices of that file cost the thread ~1 ms per MB and store at 320-420 MB/s
 * (~460): the browser copies the file into IndexedDB's own blob store
 * itself, off the worker. Blob strips also read back faster (126-138 against
 * 63-74 MB/s, 8 reads in flight). Measured by bench.html?only=storage
 * (`BENCH_ONLY=storage npm run bench:browser`), Chromium 156, 2 cores.
 *
 * The stored value is a Blob that IndexedDB owns: a profile on disk copies
 * the bytes when the transaction commits, so the staging file is removed (or
 * kept as a copy that the pipeline reads: ./rawCopies.ts) once the
 * transaction has completed, and removed if it failed, and the raw files'
 * pixels stay in IndexedDB as DESIGN.md says. A profile in memory (a private window, an
 * automation context) keeps the Blob itself instead, which reads the staging
 * file: removing it loses the pixels (e2e/bigFrames.spec.ts found it). So
 * each realm first checks which kind it has (keepsCopies): a small staging
 * file is stored, removed, and read back; where the bytes did not survive,
 * strips go as typed arrays.
 *
 * The ingest stages (each file's strips, through StripStaging). Products
 * are not staged: their strips point into the pixel files their runs wrote.
 * Pixel files need no copy from IndexedDB, so they serve profiles in memory
 * too; the copy check below only decides for Blob slices.
 *
 * A strip stored as a Blob or as a pixel file's ref carries its element type (`dtype`); older
 * databases, in-memory profiles and writers without OPFS (Node, the page's
 * main thread, a browser without sync access handles) store typed arrays,
 * and every reader takes all three (stripValues).
 *
 * A page that dies between writing a staging file and removing it leaves the
 * file behind: the ingest's staging directory is swept when a worker first
 * stages, of files older than STALE_MS (no transaction takes that long; a
 * younger one may belong to another tab's writer).
 */
import Dexie from 'dexie';
import { STRIP_ARRAY, dtypeOf, type StripData } from '../core/workspace/format';
import { realmShared, type ScratchRoot } from './opfsScratch';
import { isQuotaError } from './errors';
import { PIXELS_DIRECTORY, readPixelRef } from './pixelFiles';
import type { StripRecord } from './types';

/** The directory under the origin's private root that holds the staging files. */
export const STAGING_DIRECTORY = 'strip-staging';
/**
 * Fewer bytes than this go as typed arrays: a staging file costs its own
 * handle and removal (~7 ms), more than a strip or two's clone saves where
 * memory is cheap (3.8 ms per MB); a stack written band by band (2-3 strips
 * of 1 MB a call) was slower staged there. From 4 MB staging wins on both
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

/** A staging file the records of a store are slices of, or (`refs`) the pixel file they point into (./pixelFiles.ts). */
export interface StagedFile {
  dir: FileSystemDirectoryHandle;
  name: string;
  refs?: boolean;
}

/** Strips ready to be put, and what to do once their transaction has ended. */
export interface StagedStrips {
  records: StripRecord[];
  /** The staging file the records are slices of, when they were staged. */
  file?: StagedFile;
  /** Removes the staging file; call it after the transaction that stored the records completed or failed. Never throws. */
  release(): Promise<void>;
}

type ArrayStrip = Extract<StripRecord, { dtype?: undefined }>;
type FileHandleWithSync = FileSystemFileHandle & { createSyncAccessHandle(): Promise<FileSystemSyncAccessHandle> };

/** Whether IndexedDB keeps its own copy of a Blob slice of a file in `dir` (see keepsCopies). */
export type CopyCheck = (dir: FileSystemDirectoryHandle) => Promise<boolean>;

/**
 * Writes strips to OPFS staging files and gives back records whose values
 * are slices of them, or, `intoPixelFiles`, records that point into a file
 * written among the library's pixel files (./pixelFiles.ts), which IndexedDB
 * does not copy: a raw frame's pixels are then written once.
 */
export class StripStaging {
  /** The staging directory (its leftovers swept on first use). */
  private dir: Promise<FileSystemDirectoryHandle> | undefined;
  /** Whether this profile's IndexedDB keeps copies of Blob slices (keepsCopies), asked once, where Blob slices would be stored. */
  private blobsKept: Promise<boolean> | undefined;
  /** Set when OPFS refused: every later call stores typed arrays. */
  private broken = false;

  constructor(
    private readonly root: ScratchRoot = () => navigator.storage.getDirectory(),
    /** Batches of fewer bytes go as typed arrays (tests stage small ones). */
    private readonly minBytes = MIN_STAGED_BYTES,
    private readonly copies: CopyCheck = keepsCopies,
    /** Records point into a pixel file the strips are written to, rather than being Blob slices IndexedDB copies. */
    private readonly intoPixelFiles = false,
  ) {}

  private directory(): Promise<FileSystemDirectoryHandle> {
    this.dir ??= (async () => {
      const dir = await (await this.root()).getDirectoryHandle(STAGING_DIRECTORY, { create: true });
      await removeStale(dir, STALE_MS);
      return dir;
    })();
    this.dir.catch(() => (this.dir = undefined));
    return this.dir;
  }

  private blobs(): Promise<boolean> {
    this.blobsKept ??= this.directory().then(this.copies).then((kept) => {
      if (!kept) console.info('pixel strips go to IndexedDB as arrays: this profile keeps Blobs in memory, not copies of them');
      return kept;
    }, () => false);
    return this.blobsKept;
  }

  /**
   * The records to put, their typed-array values replaced by references into
   * one pixel file or by slices of one staging file. When OPFS cannot take
   * them (full, gone, refused) the records come back as they were: storing
   * them is then IndexedDB's to accept or refuse, as without staging.
   */
  async stage(strips: readonly StripRecord[]): Promise<StagedStrips> {
    const arrays = strips.filter((s): s is ArrayStrip => s.dtype === undefined && s.data.byteLength > 0);
    const bytes = arrays.reduce((n, s) => n + s.data.byteLength, 0);
    const asTheyAre: StagedStrips = { records: [...strips], release: async () => undefined };
    if (this.broken || bytes === 0 || bytes < this.minBytes) return asTheyAre;
    const name = `${crypto.randomUUID()}.bin`;
    let dir: FileSystemDirectoryHandle | undefined;
    try {
      // A pixel file is written where it stays, before the transaction, so no committed record ever points at a
      // file not there (a page that dies before it commits leaves the file to sweepPixelFiles).
      dir = this.intoPixelFiles ? await (await this.root()).getDirectoryHandle(PIXELS_DIRECTORY, { create: true }) : await this.directory();
      if (!this.intoPixelFiles && !(await this.blobs())) return asTheyAre;
      const fh = await writeFile(dir, name, arrays.map((s) => s.data), bytes);
      const at = new Map<StripRecord, number>();
      let offset = 0;
      for (const s of arrays) {
        at.set(s, offset);
        offset += s.data.byteLength;
      }
      const key = (s: StripRecord) => ({ fileId: s.fileId, hdu: s.hdu, plane: s.plane, index: s.index, y0: s.y0, y1: s.y1 });
      const staged = dir;
      if (this.intoPixelFiles) {
        const records = strips.map((s): StripRecord => {
          const from = at.get(s);
          const a = s.data as StripData;
          return from === undefined ? s : { ...key(s), data: { file: name, offset: from, bytes: a.byteLength }, dtype: dtypeOf(a) };
        });
        return { records, file: { dir, name, refs: true }, release: () => staged.removeEntry(name).catch(() => undefined) };
      }
      const file = await fh.getFile();
      const records = strips.map((s): StripRecord => {
        const from = at.get(s);
        const a = s.data as StripData;
        return from === undefined ? s : { ...key(s), data: file.slice(from, from + a.byteLength), dtype: dtypeOf(a) };
      });
      return { records, file: { dir, name }, release: () => staged.removeEntry(name).catch(() => undefined) };
    } catch (err) {
      await dir?.removeEntry(name).catch(() => undefined);
      // OPFS is an accelerator here, never a reason to fail a write: the values go as they are. A full
      // quota may pass (space freed later); any other refusal turns staging off for this realm.
      if (!isQuotaError(err)) this.broken = true;
      console.warn('pixel strips go to IndexedDB as arrays: OPFS staging failed:', err);
      return asTheyAre;
    }
  }

  /**
   * Stages the strips, runs `store` with the records to put, then removes the
   * staging file whatever happened, unless `keep` (given the file once `store`
   * succeeded) took it over and said so (a raw frame's copy: ./rawCopies.ts).
   */
  async storeWith<T>(strips: readonly StripRecord[], store: StoreStaged<T>, keep?: KeepStaged<T>): Promise<T> {
    const staged = await this.stage(strips);
    let kept = false;
    try {
      const result = await store(staged.records, staged.file);
      if (keep && staged.file) kept = await keep(staged.file, staged.records, result);
      return result;
    } finally {
      if (!kept) await staged.release();
    }
  }
}

/** The database keepsCopies stores its test value in; apart from the library's, so its schema is not the library's concern. */
export const COPY_CHECK_DB = 'ccd-workbench-staging-check';

/**
 * Whether this profile's IndexedDB stores a copy of a Blob slice of an OPFS
 * file (a profile on disk), rather than the Blob itself (a profile in
 * memory), tested rather than guessed from the browser: a small file is
 * written, a slice of it stored, the file removed, and the value read back.
 * Any failure on the way answers no: typed arrays are always safe.
 */
export async function keepsCopies(dir: FileSystemDirectoryHandle): Promise<boolean> {
  const name = `check-${crypto.randomUUID()}.bin`;
  // As large as the least batch staged: a backend could keep small values inline and large ones as files.
  const bytes = new Uint8Array(MIN_STAGED_BYTES);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + (i >> 12) + 7) & 255;
  const db = new Dexie(COPY_CHECK_DB);
  db.version(1).stores({ check: '' });
  try {
    const slice = (await (await writeFile(dir, name, [bytes], bytes.length)).getFile()).slice();
    await db.table('check').put(slice, name);
    await dir.removeEntry(name);
    // Read through a new connection, the first one closed, as a later page would.
    db.close();
    await db.open();
    const back = (await db.table('check').get(name)) as Blob | undefined;
    const got = back ? new Uint8Array(await back.arrayBuffer()) : undefined;
    return got !== undefined && got.length === bytes.length && got.every((v, i) => v === bytes[i]);
  } catch {
    return false;
  } finally {
    await dir.removeEntry(name).catch(() => undefined);
    // Only this check's record: other workers check at the same time.
    await db.table('check').delete(name).catch(() => undefined);
    db.close();
  }
}

/** Writes `parts` one after the other into a new file `name` of `dir`, and gives back its handle (its sync access handle closed). */
async function writeFile(dir: FileSystemDirectoryHandle, name: string, parts: readonly ArrayBufferView[], bytes: number): Promise<FileSystemFileHandle> {
  const fh = (await dir.getFileHandle(name, { create: true })) as FileHandleWithSync;
  const handle = await fh.createSyncAccessHandle();
  try {
    handle.truncate(bytes);
    let offset = 0;
    for (const a of parts) {
      const wrote = handle.write(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), { at: offset });
      if (wrote !== a.byteLength) throw new Error(`staging wrote ${wrote} of ${a.byteLength} bytes`);
      offset += a.byteLength;
    }
  } finally {
    // No flush(): it would sync the file to disk, and the file is only read by the browser, through getFile().
    handle.close();
  }
  return fh;
}

/** Removes the staging files last modified more than `ageMs` ago; returns how many. */
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
export const defaultStripStaging = realmShared(() => new StripStaging(undefined, MIN_STAGED_BYTES, keepsCopies, true));

/** Stores the records to put; `file` is the staging file they are slices of, where they were staged. */
export type StoreStaged<T> = (records: StripRecord[], file?: StagedFile) => Promise<T>;
/** Takes over a staging file once its records are stored (true: kept, the staging must not remove it). Never throws. */
export type KeepStaged<T> = (file: StagedFile, records: readonly StripRecord[], stored: T) => Promise<boolean>;

/** Stores the strips through `staging` when there is one (`false`: none), else as they are. */
export function storeStrips<T>(staging: StripStaging | false | undefined, strips: readonly StripRecord[], store: StoreStaged<T>, keep?: KeepStaged<T>): Promise<T> {
  return staging ? staging.storeWith(strips, store, keep) : store([...strips]);
}
