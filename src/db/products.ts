/**
 * Products written strip by strip (a streamed combine) but published in one
 * transaction: strips go in first under a fresh id nobody lists, and the file
 * record that makes the product visible is written last. A run that dies
 * half-way leaves only unlisted strips, which `sweepOrphanStrips` removes.
 */
import type { WorkbenchDb } from './schema';
import { StorageFullError, isQuotaError } from './errors';
import type { FileRecord, HeaderRecord } from './types';

export function newProductId(): string {
  return `product-${crypto.randomUUID()}`;
}

export async function writeProductStrip(
  db: WorkbenchDb,
  fileId: string,
  hdu: number,
  index: number,
  y0: number,
  y1: number,
  data: Float32Array | Uint16Array,
  name: string,
): Promise<void> {
  try {
    await db.strips.put({ fileId, hdu, plane: 0, index, y0, y1, data });
  } catch (err) {
    if (isQuotaError(err)) throw new StorageFullError(name);
    throw err;
  }
}

/** Makes the product visible: record and headers in one transaction. */
export async function publishProduct(db: WorkbenchDb, record: FileRecord, headers: HeaderRecord): Promise<void> {
  try {
    await db.transaction('rw', db.files, db.headers, async () => {
      await db.files.put(record);
      await db.headers.put(headers);
    });
  } catch (err) {
    if (isQuotaError(err)) throw new StorageFullError(record.name);
    throw err;
  }
}

/** Removes the strips of a product that will not be published (failed or cancelled run). */
export async function discardProduct(db: WorkbenchDb, fileId: string): Promise<void> {
  await db.strips.where('fileId').equals(fileId).delete();
}

/** Strips whose file record does not exist: leftovers of runs interrupted by a reload or a crash. */
export async function sweepOrphanStrips(db: WorkbenchDb): Promise<number> {
  return db.transaction('rw', db.files, db.strips, async () => {
    const ids = new Set((await db.files.toCollection().primaryKeys()) as string[]);
    const orphans = new Set<string>();
    await db.strips.orderBy('fileId').eachKey((key) => {
      if (!ids.has(key as string)) orphans.add(key as string);
    });
    for (const id of orphans) await db.strips.where('fileId').equals(id).delete();
    return orphans.size;
  });
}
