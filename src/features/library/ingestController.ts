/**
 * Feeds files to the ingest workers and reports progress into the store.
 * Files go to the workers as File handles (structured-cloned, not read here),
 * so the page stays responsive whatever the batch size. Cancel stops handing
 * out files; a file already in a worker finishes or rolls back atomically.
 */
import * as Comlink from 'comlink';
import { WorkerCrashedError, WorkerPool } from '../../../workers/pool';
import type { IngestApi } from '../../../workers/ingest.worker';
import type { IngestOutcome } from '../../../workers/ingest';
import { useLibrary } from './store';
import { getDb } from '../../db/schema';
import type { FileRecord } from '../../db/types';
import { findStoredSince } from '../../db/files';

export interface PendingFile {
  file: File;
  path: string;
}

let pool: WorkerPool<IngestApi> | undefined;
let abort: AbortController | undefined;

function getPool(): WorkerPool<IngestApi> {
  pool ??= new WorkerPool<IngestApi>(
    () => new Worker(new URL('../../../workers/ingest.worker.ts', import.meta.url), { type: 'module', name: 'ingest' }),
    // Two at least, even on two cores: while one worker parses, the other waits on IndexedDB.
    { size: Math.min(4, Math.max(2, (navigator.hardwareConcurrency || 2) - 1)) },
  );
  return pool;
}

function record(outcome: IngestOutcome) {
  const { ingest, setIngest } = useLibrary.getState();
  // The reader's warnings travel in the file's message as "warning: ..." parts (workers/ingest.ts).
  const warned = outcome.status === 'ok' ? outcome.message.split('; ').filter((p) => p.startsWith('warning: ')).map((p) => p.slice(9)).join('; ') : '';
  setIngest({
    done: ingest.done + 1,
    bytesDone: ingest.bytesDone + outcome.size,
    stored: ingest.stored + (outcome.status === 'ok' && (outcome.stored === 'stored' || outcome.stored === 'replaced-error') ? 1 : 0),
    // A file already listed with its error is counted once, with the errors.
    duplicates: ingest.duplicates + (outcome.stored === 'duplicate' && outcome.status !== 'error' ? 1 : 0),
    failed: ingest.failed + (outcome.status === 'error' ? 1 : 0),
    problems: outcome.status === 'error' ? [...ingest.problems, { name: outcome.name, message: outcome.message }] : ingest.problems,
    warnings: warned ? [...ingest.warnings, { name: outcome.name, message: `${outcome.name}: ${warned}` }] : ingest.warnings,
    copies: outcome.stored === 'duplicate' && outcome.status === 'ok' && outcome.message ? [...ingest.copies, { name: outcome.name, message: `${outcome.name}: ${outcome.message}` }] : ingest.copies,
    // In the library from now on (stored, an error record, or there already): the listing shows it.
    ids: outcome.stored !== 'failed' && outcome.id ? [...ingest.ids, outcome.id] : ingest.ids,
  });
}

/** The library's listing of this file if a worker stored it since `since` (the worker died before saying so). */
async function storedSince(file: File, since: number): Promise<FileRecord | undefined> {
  return findStoredSince(getDb(), file.name, file.size, since).catch(() => undefined);
}

export async function ingestFiles(files: PendingFile[]): Promise<void> {
  if (!files.length) return;
  const { ingest, resetIngest, setIngest } = useLibrary.getState();
  if (ingest.running) {
    // A second drop while one runs joins the batch.
    setIngest({ total: ingest.total + files.length });
  } else {
    resetIngest(files.length, 'Adding files');
    abort = new AbortController();
  }
  const signal = abort!.signal;
  const startedAt = Date.now();
  const tasks = files.map(({ file, path }) =>
    getPool()
      .run((api) => api.ingestFile(file, path), { signal })
      .then(record, async (err: unknown) => {
        if (signal.aborted) return;
        if (err instanceof WorkerCrashedError) {
          // The worker died with the file (out of memory, killed, an uncaught error). Its one
          // transaction either committed whole or not at all: the library says which.
          const stored = await storedSince(file, startedAt);
          if (stored) {
            record({ id: stored.id, name: file.name, size: file.size, status: 'ok', stored: 'stored', message: '', type: stored.type });
            return;
          }
          const reason = (err.cause as Error | undefined)?.message ?? err.message;
          record({ id: '', name: file.name, size: file.size, status: 'error', stored: 'failed', message: `${file.name}: not stored — the ingest worker stopped (${reason}). Add the file again.`, type: '' });
          return;
        }
        record({ id: '', name: file.name, size: file.size, status: 'error', stored: 'failed', message: `${file.name}: ${String(err)}`, type: '' });
      }),
  );
  await Promise.all(tasks);
  finish();
}

function finish() {
  const { ingest, setIngest } = useLibrary.getState();
  if (ingest.running && (ingest.done >= ingest.total || abort?.signal.aborted)) setIngest({ running: false, endedAt: Date.now() });
  if (!useLibrary.getState().ingest.running) releaseWorkers();
}

/**
 * The workers go when a batch has ended: each holds a few hundred MB of heap
 * and buffers after a night, which the reduction that usually follows needs
 * more. The next drop starts new ones (a few tens of ms).
 */
function releaseWorkers() {
  void pool?.terminate();
  pool = undefined;
}

export function cancelIngest(): void {
  abort?.abort();
  useLibrary.getState().setIngest({ cancelled: true, running: false, endedAt: Date.now() });
}

export async function loadDemoNight(): Promise<void> {
  const { resetIngest, setIngest } = useLibrary.getState();
  resetIngest(1, 'Generating demo night');
  abort = new AbortController();
  try {
    await getPool().run(
      (api) =>
        api.ingestDemoNight(
          Comlink.proxy((outcome: IngestOutcome, done: number, total: number) => {
            setIngest({ total, done: done - 1 });
            record(outcome);
          }),
        ),
      { signal: abort.signal },
    );
  } catch (err) {
    // The worker died part-way (the files it stored are whole) or the demo could not be made: say so.
    if (!abort.signal.aborted) {
      const { ingest } = useLibrary.getState();
      const reason = err instanceof WorkerCrashedError ? `the ingest worker stopped (${(err.cause as Error | undefined)?.message ?? err.message})` : String(err);
      setIngest({ failed: ingest.failed + 1, problems: [...ingest.problems, { name: 'demo night', message: `demo night: stopped after ${ingest.done} files — ${reason}. Load it again for the rest.` }] });
    }
  } finally {
    setIngest({ running: false, endedAt: Date.now() });
    releaseWorkers();
  }
}
