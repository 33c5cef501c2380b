/**
 * A run's scratch frames in the Origin Private File System.
 *
 * Why here and not in IndexedDB: scratch is a run's private working space
 * (frames its per-frame steps processed, waiting for its combine: in a
 * browser every one of them, as these files cost about what memory does,
 * see EngineOptions.parkingBytes; written once and read back band by band
 * by its stack, removed when the run ends), not stored data. Nothing else ever reads it, it needs no
 * transaction, index or structured clone, and it must be fast: in a worker
 * IndexedDB writes 170-270 MB/s and reads 250-620 MB/s on an idle machine
 * (less under a reduction's load), while a FileSystemSyncAccessHandle writes
 * 1.6-2 GB/s and reads 12-18 GB/s (bench.html?only=storage), straight from
 * and into the caller's typed arrays, with no message to another process per
 * call. The same class writes the products' pixel files, which are the
 * library's own (./pixelFiles.ts: another directory, never cleared).
 *
 * Sync access handles exist only in dedicated workers (the pipeline's), so
 * the IndexedDB scratch stays as the fallback: Node tests on fake-indexeddb,
 * and a browser or realm without them (see IdbPixelStore).
 *
 * One file per frame, its planes one after the other (each plane's rows
 * contiguous; SCI and VAR float32, DQ uint16), sized up front so a full quota
 * fails before any pixel is written, and one open handle per frame until the
 * run removes it. A new file starts as a spare of its size where one
 * is ready (./spareFiles.ts: written ahead by a helper worker, so the run's
 * writes land on pages that exist). A crashed or reloaded page leaves its files behind: the page
 * clears the directory when a reduction starts (clearScratchDirectory), under
 * the reduction lock, before any run starts.
 */
import { StorageFullError, isQuotaError } from './errors';
import { tracked } from '../core/pending';
import type { PixelRef } from './pixelFiles';
import type { SpareFiles } from './spareFiles';

/** The directory under the origin's private root that holds every scratch file. */
export const SCRATCH_DIRECTORY = 'pipeline-scratch';

/** One plane of a scratch frame, by its HDU index in the frame's layout. */
export interface ScratchPlaneSpec {
  hdu: number;
  width: number;
  height: number;
  /** DQ planes are uint16; SCI and VAR float32. */
  dq: boolean;
}

/** Bytes of one plane in a scratch file: SCI and VAR float32, DQ uint16. */
export function planeBytes(p: ScratchPlaneSpec): number {
  return p.width * p.height * (p.dq ? 2 : 4);
}

/** Bytes of a file of these planes. */
export function planesBytes(planes: Iterable<ScratchPlaneSpec>): number {
  let bytes = 0;
  for (const p of planes) bytes += planeBytes(p);
  return bytes;
}

/** The parts of the OPFS API used here (so tests can hand in a fake root). */
export type ScratchRoot = () => Promise<FileSystemDirectoryHandle>;

type Pixels = Float32Array | Uint16Array;

/** True in a realm that can write scratch through sync access handles (a dedicated worker of a browser that has them). */
export function opfsScratchSupported(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    typeof navigator.storage?.getDirectory === 'function' &&
    typeof FileSystemFileHandle !== 'undefined' &&
    typeof (FileSystemFileHandle.prototype as { createSyncAccessHandle?: unknown }).createSyncAccessHandle === 'function'
  );
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

interface Plane extends ScratchPlaneSpec {
  offset: number;
  /** Rows written so far (rows come top to bottom). */
  next: number;
}

/** One scratch frame: a file and its open sync access handle. */
export class ScratchFile {
  private closed = false;

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly dir: FileSystemDirectoryHandle,
    private handle: FileSystemSyncAccessHandle,
    private readonly planes: Map<number, Plane>,
  ) {}

  private plane(hdu: number): Plane {
    const p = this.planes.get(hdu);
    if (!p) throw new Error(`${this.name}: no plane at HDU ${hdu} in its scratch file`);
    if (this.closed) throw new Error(`${this.name}: its scratch file was removed`);
    return p;
  }

  /** Rows from y0 on (the next rows of the plane, in order). */
  write(hdu: number, y0: number, data: Pixels): void {
    const p = this.plane(hdu);
    if (y0 !== p.next) throw new Error(`${this.name}: scratch rows must come in order (got ${y0}, expected ${p.next})`);
    if (data.length % p.width) throw new Error(`${this.name}: ${data.length} pixels are not whole rows of ${p.width}`);
    const rows = data.length / p.width;
    if (y0 + rows > p.height) throw new Error(`${this.name}: rows ${y0}-${y0 + rows} beyond the plane's ${p.height}`);
    // The plane's own type, converted only when the caller's is not it.
    const typed = p.dq ? (data instanceof Uint16Array ? data : Uint16Array.from(data)) : data instanceof Float32Array ? data : Float32Array.from(data);
    const at = p.offset + y0 * p.width * typed.BYTES_PER_ELEMENT;
    let wrote: number;
    try {
      wrote = this.handle.write(bytesOf(typed), { at });
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError(this.name, 'run');
      throw err;
    }
    if (wrote !== typed.byteLength) throw new StorageFullError(this.name, 'run');
    p.next = y0 + rows;
  }

  /** Rows of the plane written so far. */
  rowsWritten(hdu: number): number {
    return this.plane(hdu).next;
  }

  /** Rows [y0, y1) of a plane into `out`. */
  read<T extends Pixels>(hdu: number, y0: number, y1: number, out: T): T {
    const p = this.plane(hdu);
    if (y0 < 0 || y1 > p.next || y1 < y0) throw new Error(`${this.name}: scratch rows ${y0}-${y1} were not written (${p.next} of ${p.height})`);
    const n = (y1 - y0) * p.width;
    const mine = p.dq ? out instanceof Uint16Array : out instanceof Float32Array;
    // Straight into the caller's array when it has the plane's type; else through one of that type.
    const into: Pixels = mine ? out.subarray(0, n) : p.dq ? new Uint16Array(n) : new Float32Array(n);
    const at = p.offset + y0 * p.width * into.BYTES_PER_ELEMENT;
    const got = this.handle.read(bytesOf(into), { at });
    if (got !== into.byteLength) throw new Error(`${this.name}: its scratch file is short (read ${got} of ${into.byteLength} bytes)`);
    if (!mine) out.set(into as never);
    return out;
  }

  /**
   * The planes' rows as references into the file, in strips of
   * `stripRows(width)` rows: a published product's strip records
   * (./pixelFiles.ts). The handle stays open. Every row must have been written.
   */
  refs(stripRows: (width: number) => number): { hdu: number; index: number; y0: number; y1: number; data: PixelRef; dtype: 'f32' | 'u16' }[] {
    for (const [hdu, p] of this.planes) if (p.next !== p.height) throw new Error(`${this.name}: HDU ${hdu} has ${p.next} of ${p.height} rows`);
    const out: ReturnType<ScratchFile['refs']> = [];
    for (const [hdu, p] of this.planes) {
      const rows = stripRows(p.width);
      const rowBytes = p.width * (p.dq ? 2 : 4);
      for (let index = 0, y0 = 0; y0 < p.height; index++, y0 += rows) {
        const y1 = Math.min(p.height, y0 + rows);
        out.push({ hdu, index, y0, y1, data: { file: this.id, offset: p.offset + y0 * rowBytes, bytes: (y1 - y0) * rowBytes }, dtype: p.dq ? 'u16' : 'f32' });
      }
    }
    return out;
  }

  /** Opens the file again after `close`, to read it (a published product's copy: ./productMirror.ts). */
  async reopen(): Promise<void> {
    if (!this.closed) return;
    const fh = await tracked(`OPFS getFileHandle ${this.id}`, this.dir.getFileHandle(this.id));
    this.handle = await tracked(`OPFS createSyncAccessHandle ${this.id}`, fh.createSyncAccessHandle());
    this.closed = false;
  }

  /** Bytes of the file's planes. */
  get size(): number {
    return planesBytes(this.planes.values());
  }

  /** Closes the handle (the file stays). Safe more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.handle.close();
    } catch { /* already closed (a terminated realm) */ }
  }

  /** Closes the handle and deletes the file. Safe more than once. */
  async remove(): Promise<void> {
    this.close();
    try {
      await tracked(`OPFS removeEntry ${this.id}`, this.dir.removeEntry(this.id));
    } catch (err) {
      // Gone already (removed twice, or the directory cleared): nothing to do.
      if ((err as { name?: string })?.name !== 'NotFoundError') throw err;
    }
  }
}

/** FileSystemFileHandle.move (Chromium 110+ in the origin's file system; TypeScript's DOM types lack it). */
type MovableHandle = FileSystemFileHandle & { move(dir: FileSystemDirectoryHandle, name: string): Promise<void> };

/** Where a worker's runs put their scratch frames, and the products they are making where strips are staged (./stripStaging.ts). */
export class OpfsScratch {
  private dir?: Promise<FileSystemDirectoryHandle>;
  private spareDir?: Promise<FileSystemDirectoryHandle>;
  private spares?: SpareFiles;
  private spareDepth = 0;

  constructor(
    private readonly root: ScratchRoot = () => navigator.storage.getDirectory(),
    /** The directory its files go to: the run's scratch, or the products' pixel files (./pixelFiles.ts). */
    private readonly directoryName = SCRATCH_DIRECTORY,
  ) {}

  private directory(): Promise<FileSystemDirectoryHandle> {
    this.dir ??= tracked('OPFS getDirectory', this.root()).then((r) => tracked(`OPFS getDirectoryHandle ${this.directoryName}`, r.getDirectoryHandle(this.directoryName, { create: true })));
    // A failure is not kept: the next frame asks again.
    this.dir.catch(() => (this.dir = undefined));
    return this.dir;
  }

  /**
   * New files start as spares of their size where one is ready (./spareFiles.ts),
   * and each new file asks for `depth` more of its size: the frames a run parks
   * come one size after another, a night's products at one size.
   */
  useSpares(spares: SpareFiles | undefined, depth: number): void {
    this.spares = spares;
    this.spareDepth = depth;
  }

  /**
   * Spare `spare` of the scratch directory, moved into this directory as `id`
   * and opened; undefined when that failed, and then neither the spare nor a
   * file `id` is left. A browser without move() stops using spares.
   */
  private async fromSpare(spare: string, dir: FileSystemDirectoryHandle, id: string): Promise<FileSystemSyncAccessHandle | undefined> {
    let from: FileSystemDirectoryHandle | undefined;
    let moved = false;
    try {
      this.spareDir ??= this.root().then((r) => r.getDirectoryHandle(SCRATCH_DIRECTORY, { create: true }));
      from = await this.spareDir;
      const fh = await tracked(`OPFS spare ${spare}`, from.getFileHandle(spare));
      await tracked(`OPFS move ${spare} to ${id}`, (fh as MovableHandle).move(dir, id));
      moved = true;
      return await tracked(`OPFS createSyncAccessHandle ${id}`, fh.createSyncAccessHandle());
    } catch (err) {
      this.spareDir = undefined;
      if (err instanceof TypeError || (err as { name?: string })?.name === 'NotSupportedError') this.spares = undefined;
      await (moved ? dir.removeEntry(id) : from?.removeEntry(spare))?.catch(() => undefined);
      return undefined;
    }
  }

  /** A new file `id` of `size` bytes, open; nothing is left of it when that fails. */
  private async openNew(dir: FileSystemDirectoryHandle, id: string, size: number): Promise<FileSystemSyncAccessHandle> {
    let handle: FileSystemSyncAccessHandle | undefined;
    try {
      const spare = this.spares?.take(size);
      if (spare) handle = await this.fromSpare(spare, dir, id);
      if (!handle) {
        const file = await tracked(`OPFS getFileHandle ${id}`, dir.getFileHandle(id, { create: true }));
        handle = await tracked(`OPFS createSyncAccessHandle ${id}`, file.createSyncAccessHandle());
      }
      handle.truncate(size);
      return handle;
    } catch (err) {
      try { handle?.close(); } catch { /* closed */ }
      await dir.removeEntry(id).catch(() => undefined);
      throw err;
    }
  }

  /** A new scratch file for these planes, sized for all of them (a full quota fails here, naming the frame). */
  async create(id: string, name: string, specs: readonly ScratchPlaneSpec[]): Promise<ScratchFile> {
    const planes = new Map<number, Plane>();
    let size = 0;
    for (const s of specs) {
      planes.set(s.hdu, { ...s, offset: size, next: 0 });
      size += planeBytes(s);
    }
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await this.directory();
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError(name, 'run');
      throw err;
    }
    let handle: FileSystemSyncAccessHandle;
    try {
      try {
        handle = await this.openNew(dir, id, size);
      } catch (err) {
        // Spares count against the quota: where it is full, they go and the file is tried once more.
        if (!isQuotaError(err) || !this.spares?.heldBytes) throw err;
        await this.spares.clear();
        handle = await this.openNew(dir, id, size);
      }
    } catch (err) {
      if (isQuotaError(err)) throw new StorageFullError(name, 'run');
      // The directory may be gone (site data cleared): the next frame looks it up again.
      this.dir = undefined;
      throw err;
    }
    this.spares?.want(size, this.spareDepth);
    return new ScratchFile(id, name, dir, handle, planes);
  }
}

/**
 * A getter of one `make()` for the whole realm, made on first use, where
 * sync access handles exist; undefined elsewhere (Node, the page's main
 * thread), where callers fall back to IndexedDB alone.
 */
export function realmShared<T>(make: () => T): () => T | undefined {
  let one: T | undefined;
  return () => (opfsScratchSupported() ? (one ??= make()) : undefined);
}

/** This realm's OPFS scratch, or undefined where sync access handles do not exist (the IndexedDB scratch is used then). */
export const defaultOpfsScratch = realmShared(() => new OpfsScratch());

/**
 * Removes every file and folder under the scratch directory; returns how many.
 * Only for when no run can be using it (the page holds the reduction lock and
 * has not started a run). A missing directory or a browser without OPFS is
 * nothing to clear. An entry that cannot be removed is still open in a
 * worker: one of a page going away is left for the next time; one of this
 * page's pool just terminated closes a moment later (Chromium releases a
 * terminated worker's sync access handles asynchronously), so with
 * `patienceMs` the entries still open are tried again until then.
 */
export async function clearScratchDirectory(root?: ScratchRoot, patienceMs = 0): Promise<number> {
  const getRoot = root ?? (typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function' ? () => navigator.storage.getDirectory() : undefined);
  if (!getRoot) return 0;
  let dir: FileSystemDirectoryHandle;
  try {
    dir = await (await getRoot()).getDirectoryHandle(SCRATCH_DIRECTORY);
  } catch {
    return 0; // no directory (never spilled), or OPFS unusable here (a private window in some browsers)
  }
  let names: string[] = [];
  try {
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
  } catch {
    return 0;
  }
  const until = Date.now() + patienceMs;
  let removed = 0;
  for (;;) {
    const open: string[] = [];
    for (const name of names) {
      try {
        await dir.removeEntry(name, { recursive: true });
        removed++;
      } catch (err) {
        if ((err as { name?: string })?.name !== 'NotFoundError') open.push(name);
      }
    }
    if (!open.length || Date.now() >= until) return removed;
    names = open;
    await new Promise((r) => setTimeout(r, 50));
  }
}
