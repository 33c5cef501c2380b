/**
 * Export of the whole workspace to one archive, and import of such an archive
 * (format: src/core/workspace). Every table of the database goes in except
 * `writing` (heartbeats of products being written: transient). Pixels go as
 * they are stored (16-bit or float32 strips), so an import is exact.
 *
 * Import into a workspace that is not empty MERGES and never overwrites: what
 * is already here stays as it is, and only what is missing is added. Files are
 * keyed by the SHA-256 of their bytes, so a file both hold is stored once
 * (with the tag here; a file that could not be read here takes the archive's
 * readable copy); pins, parameter sets, presets, exclusions and
 * overrules are keyed by their ids, runs by theirs; a product is skipped when
 * this workspace already has one for the same slot (the library keeps one
 * product per slot). Why merge: an import then can never destroy anything
 * (the promise the rest of the app keeps), importing the same archive twice
 * changes nothing, and two nights exported apart can be brought together.
 * The summary says what was added and what was kept.
 *
 * All or nothing: the archive is read and checked whole before anything is
 * written (core's readWorkspaceArchive). Then the strips of the new files go
 * in first, under heartbeats in `writing`, so the start-up sweep removes them
 * if the page dies; a failure removes them at once. The records that make the
 * files, settings and runs visible are written last, in one transaction.
 */
import {
  WorkspaceArchiveWriter, readStrip, readWorkspaceArchive,
  type ArchiveSink, type ByteSource, type ReadProgress, type ValidArchive,
} from '../core/workspace/archive';
import { TABLES, WorkspaceArchiveError, type Manifest, type TableName } from '../core/workspace/format';
import { StorageFullError, isQuotaError } from './errors';
import { STALE_WRITE_MS } from './products';
import type { WorkbenchDb } from './schema';
import type { FileRecord, RunRecord, StripRecord } from './types';
import { stripValues } from './stripStaging';
import { freeRawCopies } from './rawCopies';

/** Strips read from or written to IndexedDB per call: about 8 MB, the working set of both directions. */
const STRIP_BATCH = 8;

export interface WorkspaceProgress {
  phase: 'reading' | 'pixels' | 'checking' | 'writing';
  done: number;
  total: number;
}

/** The database's schema version: what the archive's records follow. */
export function schemaVersionOf(db: WorkbenchDb): number {
  return db.verno;
}

/**
 * Writes the whole workspace to `sink`. The records are read in one
 * transaction (a consistent snapshot); then the pixels of those files, a
 * batch of strips at a time. A file deleted meanwhile fails the export.
 */
export async function exportWorkspace(
  db: WorkbenchDb, sink: ArchiveSink, opts: { onProgress?: (p: WorkspaceProgress) => void; now?: Date } = {},
): Promise<Manifest> {
  if (!db.isOpen()) await db.open();
  const snapshot = await db.transaction('r', TABLES.map((t) => db.table(t)), async () =>
    Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await db.table(t).toArray()] as const))) as Record<TableName, unknown[]>);
  const files = snapshot.files as FileRecord[];
  const writer = new WorkspaceArchiveWriter(sink, { schemaVersion: schemaVersionOf(db), created: opts.now ?? new Date() });
  await writer.start();
  for (const t of TABLES) await writer.table(t, snapshot[t]);
  const keysOf = (id: string) => db.strips.where('fileId').equals(id).primaryKeys();
  const perFile = await Promise.all(files.map(async (f) => ({ f, keys: await keysOf(f.id) })));
  const total = perFile.reduce((n, p) => n + p.keys.length, 0);
  let done = 0;
  opts.onProgress?.({ phase: 'pixels', done, total });
  for (const { f, keys } of perFile) {
    for (let i = 0; i < keys.length; i += STRIP_BATCH) {
      const batch = await db.strips.bulkGet(keys.slice(i, i + STRIP_BATCH));
      for (const s of batch) {
        if (!s) throw new Error(`${f.name} was deleted while the workspace was being exported`);
        await writer.strip(s.dtype === undefined ? s : { ...s, data: await stripValues(s) });
      }
      done += batch.length;
      opts.onProgress?.({ phase: 'pixels', done, total });
    }
  }
  return writer.finish();
}

export interface ImportSummary {
  manifest: Manifest;
  /** Records added per table, and strips. */
  added: Record<TableName | 'strips', number>;
  /** Records already here (kept as they are here), per table. */
  kept: Record<TableName, number>;
}

const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/**
 * A run the archive caught queued or running (exported during a reduction) is
 * not running here and its product was never published: it arrives
 * interrupted, as a reload would leave it, so "Restart" offers it.
 */
export function settled(run: RunRecord): RunRecord {
  if (run.status !== 'queued' && run.status !== 'running') return run;
  return { ...run, status: 'interrupted', error: `interrupted: the workspace was exported while it was ${run.status}`, endedAt: run.heartbeat ?? run.createdAt };
}

/** What of the archive is new here, and what is kept as it is. */
async function planMerge(db: WorkbenchDb, archive: ValidArchive) {
  const add = Object.fromEntries(TABLES.map((t) => [t, [] as Record<string, unknown>[]])) as Record<TableName, Record<string, unknown>[]>;
  const kept = zero(TABLES);
  const here = Object.fromEntries(await Promise.all(TABLES.map(async (t) =>
    [t, new Set((await db.table(t).toCollection().primaryKeys()).map(String))] as const))) as Record<TableName, Set<string>>;
  const slots = new Set((await db.files.where('type').equals('product').toArray()).map((f) => f.product?.runKey));
  // A file that could not be read here (an error record, no pixels) gives way to the archive's readable copy.
  const unreadable = new Set((await db.files.where('status').equals('error').primaryKeys()).map(String));
  const newFiles = new Set<string>();
  for (const f of archive.tables.files as unknown as FileRecord[]) {
    const taken = (here.files.has(f.id) && !(f.status === 'ok' && unreadable.has(f.id))) || (f.product && slots.has(f.product.runKey));
    if (taken) kept.files++;
    else { newFiles.add(f.id); add.files.push(withoutRawCopy(f as unknown as Record<string, unknown>)); }
  }
  for (const h of archive.tables.headers) {
    if (newFiles.has(h.fileId as string)) add.headers.push(h);
    else kept.headers++;
  }
  for (const t of ['runs', 'pins', 'exclusions', 'params', 'overrules'] as const) {
    const key = t === 'exclusions' ? 'frameId' : 'id';
    for (const r of archive.tables[t]) {
      if (here[t].has(String(r[key]))) kept[t]++;
      else add[t].push(t === 'runs' ? settled(r as unknown as RunRecord) as unknown as Record<string, unknown> : r);
    }
  }
  return { add, kept, newFiles };
}

/**
 * A file's record without the names of its raw copy and pixel file: they are
 * the exporting browser's (./rawCopies.ts, ./pixelFiles.ts); the archive's
 * strips carry the values, stored here as typed arrays.
 */
function withoutRawCopy(r: Record<string, unknown>): Record<string, unknown> {
  const { rawCopy: _, pixelFile: __, ...rest } = r;
  return rest;
}

/**
 * Imports an archive: checks it whole (nothing written if it fails), then
 * adds what this workspace does not have. Throws WorkspaceArchiveError for a
 * bad archive, StorageFullError when the disk fills (nothing is left behind;
 * the raw frames' copies are freed and the import tried once more first).
 */
export async function importWorkspace(
  db: WorkbenchDb, source: ByteSource, opts: { onProgress?: (p: WorkspaceProgress) => void } = {},
): Promise<ImportSummary> {
  try {
    return await importOnce(db, source, opts);
  } catch (err) {
    // Copies of raw frames only make reductions faster: the library's own data comes first.
    if (err instanceof StorageFullError && (await freeRawCopies().catch(() => 0)) > 0) return importOnce(db, source, opts);
    throw err;
  }
}

async function importOnce(
  db: WorkbenchDb, source: ByteSource, opts: { onProgress?: (p: WorkspaceProgress) => void },
): Promise<ImportSummary> {
  if (!db.isOpen()) await db.open();
  const archive = await readWorkspaceArchive(source, schemaVersionOf(db), (p: ReadProgress) => opts.onProgress?.({ phase: 'checking', done: p.bytes, total: p.total }));
  const { add, kept, newFiles } = await planMerge(db, archive);
  const strips = archive.strips.filter((s) => newFiles.has(s.fileId));
  const names = new Map((add.files as unknown as FileRecord[]).map((f) => [f.id, f.name]));
  const beat = () => db.writing.bulkPut([...newFiles].map((fileId) => ({ fileId, name: names.get(fileId)!, heartbeat: Date.now() })));
  // Pixels first, unlisted, under heartbeats refreshed well inside STALE_WRITE_MS while the import lives.
  const keepalive = setInterval(() => void beat().catch(() => undefined), STALE_WRITE_MS / 4);
  try {
    await beat();
    opts.onProgress?.({ phase: 'writing', done: 0, total: strips.length });
    for (let i = 0; i < strips.length; i += STRIP_BATCH) {
      const batch = strips.slice(i, i + STRIP_BATCH);
      const records: StripRecord[] = [];
      for (const s of batch) records.push({ fileId: s.fileId, hdu: s.hdu, plane: s.plane, index: s.index, y0: s.y0, y1: s.y1, data: await readStrip(source, s) });
      await db.strips.bulkPut(records);
      opts.onProgress?.({ phase: 'writing', done: i + batch.length, total: strips.length });
    }
    // Everything that makes the import visible, at once.
    await db.transaction('rw', [...TABLES.map((t) => db.table(t)), db.writing], async () => {
      for (const t of TABLES) if (add[t].length) await db.table(t).bulkPut(add[t]);
      await db.writing.bulkDelete([...newFiles]);
    });
  } catch (err) {
    await removeStrips(db, newFiles).catch(() => undefined);
    if (isQuotaError(err)) throw new StorageFullError('the imported workspace');
    throw err;
  } finally {
    clearInterval(keepalive);
  }
  const added = { ...zero([...TABLES, 'strips'] as const), strips: strips.length };
  for (const t of TABLES) added[t] = add[t].length;
  return { manifest: archive.manifest, added, kept };
}

/** Takes back the strips an import wrote for files it did not publish. */
async function removeStrips(db: WorkbenchDb, ids: Set<string>): Promise<void> {
  await db.transaction('rw', db.strips, db.writing, async () => {
    for (const id of ids) await db.strips.where('fileId').equals(id).delete();
    await db.writing.bulkDelete([...ids]);
  });
}

export { WorkspaceArchiveError };
