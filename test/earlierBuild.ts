/**
 * Files stored as earlier builds stored them, for the readers that must
 * still take their databases: every strip a Blob with its element type (a
 * slice of the ingest's staging file, then), and, `copyIn`, the raw copy that
 * such a build kept for the pipeline (its strips' bytes one after the other
 * in key order, named by the record's rawCopy). Made from the typed-array
 * path's own strips, so the values are the reference's.
 */
import { dtypeOf, type StripData } from '../src/core/workspace/format';
import { RAW_COPIES_DIRECTORY } from '../src/db/rawCopies';
import type { WorkbenchDb } from '../src/db/schema';
import { ingestOne, type IngestItem, type IngestOutcome } from '../workers/ingest';
import type { FakeOpfs } from './fakeOpfs';

export async function storeAsEarlierBuild(db: WorkbenchDb, item: IngestItem, copyIn?: FakeOpfs): Promise<IngestOutcome> {
  const out = await ingestOne(db, item, false, undefined);
  if (out.stored !== 'stored') return out;
  const strips = (await db.strips.where('fileId').equals(out.id).toArray()).sort((a, b) => a.hdu - b.hdu || a.plane - b.plane || a.index - b.index);
  const bytes = strips.map((s) => {
    const a = s.data as StripData;
    return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
  });
  await db.strips.bulkPut(strips.map((s, k) => ({ ...s, data: new Blob([bytes[k]]), dtype: dtypeOf(s.data as StripData) })));
  if (copyIn) {
    const name = `${crypto.randomUUID()}.bin`;
    const dir = await (await copyIn.getRoot()).getDirectoryHandle(RAW_COPIES_DIRECTORY, { create: true });
    const fh = (await dir.getFileHandle(name, { create: true })) as FileSystemFileHandle & { createSyncAccessHandle(): Promise<FileSystemSyncAccessHandle> };
    const handle = await fh.createSyncAccessHandle();
    let at = 0;
    for (const b of bytes) at += handle.write(b, { at });
    handle.close();
    await db.files.update(out.id, { rawCopy: name });
  }
  return out;
}
