/**
 * Products written strip by strip (a streamed combine) but published in one
 * transaction: strips go in first under a fresh id nobody lists, and the file
 * record that makes the product visible is written last. While it writes, a
 * run keeps a heartbeat in the `writing` table. A run that dies half-way
 * leaves unlisted strips and a stale heartbeat, which `sweepOrphanStrips`
 * removes; a live run elsewhere (another tab, a worker) is left alone.
 */
import type { WorkbenchDb } from './schema';
import { StorageFullError, isQuotaError } from './errors';
import type { FileRecord, HeaderRecord } from './types';
import { removePixelFiles, sweepPixelFiles } from './pixelFiles';

export function newProductId(): string {
  return `product-${crypto.randomUUID()}`;
}

/** A heartbeat older than this means the run that wrote it is gone. */
export const STALE_WRITE_MS = 2 * 60_000;

/** Announces (or refreshes) a product being written. */
export async function markWriting(db: WorkbenchDb, fileId: string, name: string, run?: string): Promise<void> {
  await db.writing.put({ fileId, name, heartbeat: Date.now(), ...(run ? { run } : {}) });
}

/** One strip of a product plane, as the writer hands it over. */
export interface PendingStrip {
  index: number;
  y0: number;
  y1: number;
  data: Float32Array | Uint16Array;
}

/** Writes strips of one HDU of a product being made, in one transaction. */
export async function writeProductStrips(db: WorkbenchDb, fileId: string, hdu: number, strips: readonly PendingStrip[], name: string): Promise<void> {
  try {
    await db.strips.bulkPut(strips.map((s) => ({ fileId, hdu, plane: 0, ...s })));
  } catch (err) {
    if (isQuotaError(err)) throw new StorageFullError(name, 'run');
    throw err;
  }
}

/** Makes the product visible: record and headers in one transaction. */
export async function publishProduct(db: WorkbenchDb, record: FileRecord, headers: HeaderRecord): Promise<void> {
  try {
    await db.transaction('rw', db.files, db.headers, db.writing, async () => {
      await db.files.put(record);
      await db.headers.put(headers);
      await db.writing.delete(record.id);
    });
  } catch (err) {
    if (isQuotaError(err)) throw new StorageFullError(record.name, 'run');
    throw err;
  }
}

/** Removes the strips of a product that will not be published (failed or cancelled run). */
export async function discardProduct(db: WorkbenchDb, fileId: string): Promise<void> {
  await db.transaction('rw', db.strips, db.writing, async () => {
    await db.strips.where('fileId').equals(fileId).delete();
    await db.writing.delete(fileId);
  });
}

/**
 * Removes the unpublished strips of a run whose worker died (closed, killed,
 * out of memory): nobody will publish or discard them, and waiting for their
 * heartbeat to go stale would keep their space until the next start-up.
 * Returns how many frames it removed.
 */
export async function discardRunWrites(db: WorkbenchDb, runId: string): Promise<number> {
  const ids = await db.transaction('rw', db.strips, db.writing, async () => {
    const writing = (await db.writing.filter((w) => w.run === runId).toArray()).map((w) => w.fileId);
    for (const id of writing) {
      await db.strips.where('fileId').equals(id).delete();
      await db.writing.delete(id);
    }
    return writing;
  });
  // A product's pixel file (./pixelFiles.ts) is named by its id; no record points into it.
  await removePixelFiles(ids);
  return ids.length;
}

/**
 * Strips whose file record does not exist and whose writer is gone: leftovers
 * of interrupted runs. A writer is gone when its heartbeat is stale, or at
 * once when the run it wrote for has ended (marked interrupted after a reload,
 * failed, cancelled): no need to wait for its heartbeat to age.
 */
export async function sweepOrphanStrips(db: WorkbenchDb, now = Date.now()): Promise<number> {
  const { orphans, gone } = await db.transaction('rw', [db.files, db.strips, db.writing, db.runs], async () => {
    const ids = new Set((await db.files.toCollection().primaryKeys()) as string[]);
    const live = new Set<string>();
    const gone: string[] = [];
    for (const w of await db.writing.toArray()) {
      const status = w.run ? (await db.runs.get(w.run))?.status : undefined;
      const ended = !!w.run && status !== 'queued' && status !== 'running';
      if (!ended && now - w.heartbeat < STALE_WRITE_MS) live.add(w.fileId);
      else if (!ids.has(w.fileId)) gone.push(w.fileId);
      if (!live.has(w.fileId)) await db.writing.delete(w.fileId);
    }
    const orphans = new Set<string>();
    await db.strips.orderBy('fileId').eachKey((key) => {
      if (!ids.has(key as string) && !live.has(key as string)) orphans.add(key as string);
    });
    for (const id of orphans) await db.strips.where('fileId').equals(id).delete();
    return { orphans, gone };
  });
  // The pixel files (./pixelFiles.ts) of products whose writers are gone, at once; any other left
  // behind (a page that died between a file and its record's transaction) once old enough.
  await removePixelFiles(gone);
  await sweepPixelFiles(db, undefined, now).catch(() => 0);
  return orphans.size;
}

/** Every product in the library (the current one of each slot: a remade product replaces the old). */
export function listProducts(db: WorkbenchDb): Promise<FileRecord[]> {
  return db.files.where('type').equals('product').toArray();
}
