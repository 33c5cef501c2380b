/**
 * Pixel strips handed to IndexedDB as slices of a file in the Origin Private
 * File System, and read back whichever way they were stored.
 *
 * Why: in a worker, put() of a 1 MB typed-array strip costs the calling thread
 * 3.8-5 ms (Chromium clones the value, and compresses and wraps a large one
 * itself) and a plane is stored at 120-170 MB/s. The same bytes written to an
 * OPFS file through a sync access handle (~1.5 GB/s) and put() as Blob slices
 * of that file cost the thread 0.8 ms per MB, and the plane is stored at
 * ~460 MB/s: the browser copies the file into IndexedDB's own blob store
 * itself, off the worker. Blob strips also read back faster (~590 against
 * ~385 MB/s, 8 reads in flight). Measured by bench.html?only=storage
 * (`BENCH_ONLY=storage npm run bench:browser`), Chromium 156, 2 cores.
 *
 * The stored value is a Blob that IndexedDB owns: it copies the bytes when
 * the transaction commits, so the staging file is removed once the
 * transaction has completed (or failed), and the library's pixels stay in
 * IndexedDB as DESIGN.md says. A strip stored as a Blob carries its element
 * type (`dtype`); older databases and writers without OPFS (Node, the page's
 * main thread, a browser without sync access handles) store typed arrays, and
 * every reader takes both (stripValues).
 *
 * A page that dies between writing a staging file and removing it leaves the
 * file behind: each staging writer removes, when it starts, the files older
 * than STALE_MS (no transaction takes that long; a younger one may belong to
 * another tab's writer).
 */
import type { StripData, StripDtype } from '../core/workspace/format';
import { opfsScratchSupported, type ScratchRoot } from './opfsScratch';
import type { StripRecord } from './types';

/** The directory under the origin's private root that holds the staging files. */
export const STAGING_DIRECTORY = 'strip-staging';
/**
 * Fewer bytes than this go as typed arrays: a staging file costs its own
 * handle and removal (~7 ms), more than a few strips' clone saves; a stack
 * written band by band (2-3 strips a call) was slower staged.
 */
export const MIN_STAGED_BYTES = 8 * 2 ** 20;
/** Staging files older than this are leftovers of a page that died. */
export const STALE_MS = 10 * 60_000;

/** A strip's values as a typed array, whether it was stored as one or as a Blob. */
export async function stripValues(s: StripRecord): Promise<StripData> {
  if (s.dtype === undefined) return s.data;
  const buf = await s.data.arrayBuffer();
  return s.dtype === 'u16' ? new Uint16Array(buf) : s.dtype === 'i16' ? new Int16Array(buf) : new Float32Array(buf);
}

/** The element type of a typed-array strip. */
export function dtypeOfArray(a: StripData): StripDtype {
  return a instanceof Uint16Array ? 'u16' : a instanceof Int16Array ? 'i16' : 'f32';
}

/** Strips ready to be put, and what to do once their transaction has ended. */
export interface StagedStrips {
  records: StripRecord[];
  /** Removes the staging file; call it after the transaction that stored the records completed or failed. Never throws. */
  release(): Promise<void>;
}

type SyncHandle = FileSystemSyncAccessHandle;
type ArrayStrip = Extract<StripRecord, { dtype?: undefined }>;
type FileHandleWithSync = FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncHandle> };

/** Writes strips to OPFS staging files and gives back records whose values are slices of them. */
export class StripStaging {
  private dir: Promise<FileSystemDirectoryHandle> | undefined;
  /** Set when OPFS refused: every later call stores typed arrays. */
  private broken = false;

  constructor(
    private readonly root: ScratchRoot = () => navigator.storage.getDirectory(),
    /** Batches of fewer bytes go as typed arrays (tests stage small ones). */
    private readonly minBytes = MIN_STAGED_BYTES,
  ) {}

  private directory(): Promise<FileSystemDirectoryHandle> {
    this.dir ??= (async () => {
      const dir = await (await this.root()).getDirectoryHandle(STAGING_DIRECTORY, { create: true });
      await removeStale(dir, STALE_MS);
      return dir;
    })();
    return this.dir;
  }

  /**
   * The records to put, their typed-array values replaced by slices of one
   * staging file. When OPFS cannot take them (full, gone, refused) the records
   * come back as they were: storing them is then IndexedDB's to accept or
   * refuse, as without staging.
   */
  async stage(strips: readonly StripRecord[]): Promise<StagedStrips> {
    const arrays = strips.filter((s): s is ArrayStrip => !(s.data instanceof Blob) && s.data.byteLength > 0);
    const bytes = arrays.reduce((n, s) => n + s.data.byteLength, 0);
    if (this.broken || bytes === 0 || bytes < this.minBytes) return { records: [...strips], release: async () => undefined };
    const name = `${crypto.randomUUID()}.bin`;
    let dir: FileSystemDirectoryHandle | undefined;
    let handle: SyncHandle | undefined;
    try {
      dir = await this.directory();
      const fh = (await dir.getFileHandle(name, { create: true })) as FileHandleWithSync;
      handle = await fh.createSyncAccessHandle();
      handle.truncate(bytes);
      const at = new Map<StripRecord, number>();
      let offset = 0;
      for (const s of arrays) {
        const a = s.data;
        const wrote = handle.write(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), { at: offset });
        if (wrote !== a.byteLength) throw new Error(`staging wrote ${wrote} of ${a.byteLength} bytes`);
        at.set(s, offset);
        offset += a.byteLength;
      }
      // No flush(): it would sync the file to disk, and the file is only read by the browser, through getFile().
      handle.close();
      handle = undefined;
      const file = await fh.getFile();
      const records = strips.map((s): StripRecord => {
        const from = at.get(s);
        if (from === undefined) return s;
        const a = s.data as StripData;
        return { fileId: s.fileId, hdu: s.hdu, plane: s.plane, index: s.index, y0: s.y0, y1: s.y1, data: file.slice(from, from + a.byteLength), dtype: dtypeOfArray(a) };
      });
      const staged = dir;
      return { records, release: () => staged.removeEntry(name).catch(() => undefined) };
    } catch (err) {
      try { handle?.close(); } catch { /* already closed */ }
      await dir?.removeEntry(name).catch(() => undefined);
      // OPFS is an accelerator here, never a reason to fail a write: the values go as they are.
      this.broken = true;
      console.warn('pixel strips go to IndexedDB as arrays: OPFS staging failed:', err);
      return { records: [...strips], release: async () => undefined };
    }
  }

  /** Stages the strips, runs `store` with the records to put, then removes the staging file whatever happened. */
  async storeWith<T>(strips: readonly StripRecord[], store: (records: StripRecord[]) => Promise<T>): Promise<T> {
    const staged = await this.stage(strips);
    try {
      return await store(staged.records);
    } finally {
      await staged.release();
    }
  }
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

let shared: StripStaging | undefined;

/** This realm's staging, or undefined where sync access handles do not exist (strips are stored as typed arrays then). */
export function defaultStripStaging(): StripStaging | undefined {
  if (!opfsScratchSupported()) return undefined;
  shared ??= new StripStaging();
  return shared;
}

/** Stores the strips through `staging` when there is one, else as they are. */
export function storeStrips<T>(staging: StripStaging | undefined, strips: readonly StripRecord[], store: (records: StripRecord[]) => Promise<T>): Promise<T> {
  return staging ? staging.storeWith(strips, store) : store([...strips]);
}
