/**
 * The Dexie database. The only module (with the repositories beside it) that
 * touches IndexedDB. Versions are append-only: add a new `db.version(n)` with
 * an upgrade function, never edit an old one.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { ExclusionRecord, FileRecord, HeaderRecord, OverruleRecord, ParamRecord, PinRecord, RunRecord, StripRecord, WritingRecord } from './types';
import { redescribe } from './redescribe';

export const DB_NAME = 'ccd-workbench';

export class WorkbenchDb extends Dexie {
  files!: EntityTable<FileRecord, 'id'>;
  headers!: EntityTable<HeaderRecord, 'fileId'>;
  strips!: Dexie.Table<StripRecord, [string, number, number, number]>;
  writing!: EntityTable<WritingRecord, 'fileId'>;
  runs!: EntityTable<RunRecord, 'id'>;
  pins!: EntityTable<PinRecord, 'id'>;
  exclusions!: EntityTable<ExclusionRecord, 'frameId'>;
  params!: EntityTable<ParamRecord, 'id'>;
  overrules!: EntityTable<OverruleRecord, 'id'>;

  constructor(name = DB_NAME) {
    // Relaxed durability: a write is done once the browser has it, not once the OS flushed it.
    // Ingest is thousands of small transactions; a power cut can lose at most the last
    // files, which are still on the user's disk, and never leaves a half-written file.
    super(name, { chromeTransactionDurability: 'relaxed' });
    this.version(1).stores({
      files: '&id, name, type, status, addedAt',
      headers: '&fileId',
      strips: '[fileId+hdu+plane+index], fileId',
    });
    // v2: products being written strip by strip announce themselves, so the start-up sweep
    // of unlisted strips leaves a run of another tab or worker alone.
    this.version(2).stores({ writing: '&fileId, heartbeat' });
    // v3: the reduction pipeline: runs, the user's pins, exclusions and parameters; files
    // gain descriptors (disperser, slit, obsmode) and master recognition, re-read from their headers.
    this.version(3)
      .stores({
        runs: '&id, key, status, batch, createdAt',
        pins: '&id, frameId, step',
        exclusions: '&frameId',
        params: '&id, kind',
      })
      .upgrade(async (tx) => {
        const headers = new Map<string, HeaderRecord>();
        await tx.table<HeaderRecord>('headers').each((h) => { headers.set(h.fileId, h); });
        await tx.table<FileRecord>('files').toCollection().modify((rec) => {
          const h = headers.get(rec.id);
          if (h) Object.assign(rec, redescribe(rec, h));
        });
      });
    // v4: frames kept although a step refuses them (the user overruled it).
    this.version(4).stores({ overrules: '&id, frameId' });
  }
}

let shared: WorkbenchDb | undefined;

/** One connection per realm (page or worker). */
export function getDb(): WorkbenchDb {
  shared ??= new WorkbenchDb();
  return shared;
}
