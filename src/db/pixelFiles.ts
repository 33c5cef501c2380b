/**
 * The library's large pixels, products' and ingested files', as files of the
 * Origin Private File System that their strip records point into (StripRecord
 * with a PixelRef), while the records themselves (file, headers, strips, run)
 * stay in IndexedDB.
 *
 * Why not IndexedDB Blobs: a product was written to an OPFS file as it was
 * made (./opfsScratch.ts: a sync access handle, GB/s), then put into
 * IndexedDB as Blob slices of that file in the transaction that published
 * it, and Chromium copied the 40 MB (at 2048 x 2048) into its own blob
 * store, on the machine's two cores, while the pipeline worker waited:
 * 0.3-0.6 s a product, 15 products on the browser bench night (`npm run
 * bench:browser:night`). The ingest did the same with each raw frame's
 * staging file, and kept the file besides as the copy the pipeline reads
 * (./rawCopies.ts): the raw pixels written twice. Records that point into
 * the file take that copy away (README, "Products in pixel files"): nothing
 * is written twice.
 *
 * Names: every file's record names its pixel file (FileRecord.pixelFile): a
 * product's is named by the product's id, its planes one after the other
 * (ScratchFile's layout), so that a writer's file is known by its `writing`
 * record before the product is published; an ingested file's has a random
 * name, its strips one after the other. A file is written here before the
 * transaction that stores its records, and holds nothing anyone can see until that transaction commits:
 * a file or product is still stored whole or not at all (DESIGN.md, "Storage
 * and runs"). Who removes a file:
 * - the writer, when the product is discarded, the file is a duplicate, or
 *   the transaction fails;
 * - the code that deletes records (a product remade in its slot, files the
 *   user deletes, a dead worker's run), once that transaction has committed;
 * - `sweepPixelFiles`, at start-up, for files no record names and no live
 *   writer holds: what a page that died between the two steps left behind.
 *
 * Readers: `stripValues` (./stripStaging.ts) reads a ref through a File of
 * the file (getFile(), any realm: the page's thread for downloads, the
 * inspector's worker, the pipeline's); the pipeline reads raw frames through
 * read-only sync access handles (./rawCopies.ts, readPixelFile), and the
 * worker that made a product keeps its sync access handle for its later runs
 * (./productMirror.ts). Chromium lets getFile() read a file while a worker
 * holds a sync access handle on it (checked in Chromium 156).
 *
 * Where there is no OPFS with sync access handles (Node, fake-indexeddb
 * tests without a fake OPFS), pixels are stored as typed-array strips in
 * IndexedDB, as before, and databases of earlier builds hold Blob strips:
 * every reader takes the three kinds of strip.
 */
import type { WorkbenchDb } from './schema';
import { OpfsScratch, realmShared, type ScratchRoot } from './opfsScratch';

/** The directory under the origin's private root that holds the products' pixel files. */
export const PIXELS_DIRECTORY = 'library-pixels';

/** Where a strip's bytes are: `bytes` bytes at `offset` of file `file` of the pixel directory. */
export interface PixelRef {
  file: string;
  offset: number;
  bytes: number;
}

/** Files younger than this are never swept: a writer may be between its file and its transaction. */
export const PIXEL_SWEEP_AGE_MS = 10 * 60_000;

const browserRoot: ScratchRoot | undefined =
  typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function' ? () => navigator.storage.getDirectory() : undefined;

/** The root readers and removers use: the origin's, or a test's fake (usePixelRoot). */
let pixelRoot: ScratchRoot | undefined = browserRoot;
let directory: Promise<FileSystemDirectoryHandle> | undefined;

/** Points this realm's readers and removers at another root (tests: a fake OPFS); undefined restores the origin's. */
export function usePixelRoot(root: ScratchRoot | undefined): void {
  pixelRoot = root ?? browserRoot;
  directory = undefined;
  opened.clear();
}

function pixelDirectory(): Promise<FileSystemDirectoryHandle> {
  if (!pixelRoot) return Promise.reject(new Error('this browser has no Origin Private File System, where the products\' pixels are kept'));
  const root = pixelRoot;
  directory ??= root().then((r) => r.getDirectoryHandle(PIXELS_DIRECTORY, { create: true }));
  directory.catch(() => (directory = undefined));
  return directory;
}

/**
 * Files recently read, as File snapshots (a product's file never changes once
 * published, so a snapshot stays good): a plane's strips are read a few at a
 * time, and each getFileHandle + getFile is a round trip to the browser.
 */
const opened = new Map<string, Promise<File>>();
const OPENED_KEPT = 32;

function fileOf(name: string): Promise<File> {
  let f = opened.get(name);
  if (f) {
    opened.delete(name);
  } else {
    f = pixelDirectory().then((d) => d.getFileHandle(name)).then((h) => h.getFile());
    f.catch(() => opened.delete(name));
  }
  opened.set(name, f);
  if (opened.size > OPENED_KEPT) opened.delete(opened.keys().next().value!);
  return f;
}

/** The bytes a ref points at; a clear error when the file is gone or short. */
export async function readPixelRef(ref: PixelRef): Promise<ArrayBuffer> {
  let file: File;
  try {
    file = await fileOf(ref.file);
    if (file.size >= ref.offset + ref.bytes) return await file.slice(ref.offset, ref.offset + ref.bytes).arrayBuffer();
  } catch (err) {
    // A snapshot of a file removed since reads as an error too: forget it, and say what is missing.
    opened.delete(ref.file);
    throw new Error(`the pixels of product ${ref.file} are missing from this browser's storage (${(err as Error)?.name ?? err})`);
  }
  opened.delete(ref.file);
  throw new Error(`the pixel file of product ${ref.file} is short: ${file.size} bytes, a strip needs ${ref.offset + ref.bytes}`);
}

/**
 * Removes the pixel files of these products (file ids), where they exist;
 * call once the transaction that deleted their records has committed. A file
 * still open in a worker (one just terminated closes its handles a moment
 * later) is tried again in the background for a few seconds, then left to
 * the start-up sweep. Never throws.
 */
export async function removePixelFiles(ids: Iterable<string>, patienceMs = OPEN_PATIENCE_MS): Promise<void> {
  let dir: FileSystemDirectoryHandle;
  try {
    dir = await pixelDirectory();
  } catch {
    return;
  }
  const open: string[] = [];
  for (const id of ids) {
    opened.delete(id);
    if ((await removeEntry(dir, id)) === 'open') open.push(id);
  }
  if (open.length && patienceMs > 0) void retryRemoval(dir, open, Date.now() + patienceMs);
}

/** How long files found open are tried again. */
const OPEN_PATIENCE_MS = 5_000;

async function retryRemoval(dir: FileSystemDirectoryHandle, names: string[], until: number): Promise<void> {
  while (names.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    const still: string[] = [];
    for (const name of names) if ((await removeEntry(dir, name)) === 'open') still.push(name);
    names = still;
  }
}

async function removeEntry(dir: FileSystemDirectoryHandle, name: string): Promise<'removed' | 'open' | 'failed'> {
  try {
    await dir.removeEntry(name);
    return 'removed';
  } catch (err) {
    const why = (err as { name?: string })?.name;
    return why === 'NoModificationAllowedError' || why === 'InvalidModificationError' ? 'open' : 'failed';
  }
}

/**
 * Removes the pixel files that no file record names and no live writer
 * holds (its `writing` record), older than `ageMs`; returns how many.
 */
export async function sweepPixelFiles(db: WorkbenchDb, ageMs = PIXEL_SWEEP_AGE_MS, now = Date.now()): Promise<number> {
  let dir: FileSystemDirectoryHandle;
  try {
    dir = await pixelDirectory();
  } catch {
    return 0;
  }
  const listed: { name: string; handle: FileSystemFileHandle }[] = [];
  try {
    for await (const [name, entry] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
      if (entry.kind === 'file') listed.push({ name, handle: entry as FileSystemFileHandle });
    }
  } catch {
    return 0;
  }
  // Read after listing: a file listed above whose record commits meanwhile is found here. A record names
  // its file (pixelFile); a live writer's is named by the product's id, its `writing` record's key.
  const known = new Set((await db.writing.toCollection().primaryKeys()) as string[]);
  await db.files.each((f) => {
    if (f.pixelFile) known.add(f.pixelFile);
  });
  let removed = 0;
  for (const { name, handle } of listed) {
    if (known.has(name)) continue;
    try {
      if (now - (await handle.getFile()).lastModified <= ageMs) continue;
      await dir.removeEntry(name);
      opened.delete(name);
      removed++;
    } catch { /* open in a worker, or gone meanwhile */ }
  }
  return removed;
}

/** Where a pipeline worker writes its products' pixel files (sync access handles: only in a dedicated worker). */
export const defaultPixelScratch = realmShared(() => new OpfsScratch(undefined, PIXELS_DIRECTORY));
