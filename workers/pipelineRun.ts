/**
 * One pipeline run inside a worker, on IndexedDB: the engine on the
 * IndexedDB store, with the run's record kept current (status, step,
 * progress, log, heartbeat) for the views, and its final state written in
 * the same transaction as its product. Used by pipeline.worker.ts and, on
 * fake-indexeddb, by Node tests.
 */
import { executeRun, type LogEntry, type RunResult, type RunSpec } from '../src/core/pipeline/engine';
import type { CalibrationCache } from '../src/core/pipeline/calibrationCache';
import type { CancelCheck } from '../src/core/cancel';
import { IdbPixelStore } from '../src/db/pixelStore';
import { updateRun } from '../src/db/runs';
import { StorageFullError, explainFull, isQuotaError } from '../src/db/errors';
import { tracked } from '../src/core/pending';
import type { WorkbenchDb } from '../src/db/schema';

export interface RunInDbOptions {
  session: string;
  memoryBytes: number;
  calibrations?: CalibrationCache;
  cancel?: CancelCheck;
  /** Progress for the caller too (the page's progress bar), besides the record. */
  onProgress?(fraction: number, step: string): void;
  /**
   * Takes the run's last record write (the log's lines after the product,
   * its storage line among them) instead of waiting for it: the result then
   * goes back at once, and the page's round trip to the next run overlaps
   * the write (16-53 ms a run on the bench night). The caller waits for it
   * before it says the reduction has ended (pipeline.worker.ts, settled).
   */
  deferTail?(write: Promise<unknown>): void;
}

/** Record writes while running are at most this frequent. */
const FLUSH_MS = 400;

export async function runInDb(db: WorkbenchDb, spec: RunSpec, opts: RunInDbOptions): Promise<RunResult> {
  const log: LogEntry[] = [];
  let progress = 0;
  let step = 'start';
  let lastFlush = 0;
  let flushing: Promise<unknown> = Promise.resolve();
  const flush = (force = false) => {
    const now = Date.now();
    if (!force && now - lastFlush < FLUSH_MS) return;
    lastFlush = now;
    const patch = { progress, step, log: log.slice(), heartbeat: now };
    flushing = flushing.then(() => tracked(`IndexedDB run record ${spec.label}`, updateRun(db, spec.id, patch))).catch(() => undefined);
  };
  const store = new IdbPixelStore(db, { run: { id: spec.id, finish: () => ({ log: log.slice(), step: 'done' }) } });
  let result: RunResult;
  try {
    await tracked(`IndexedDB run record ${spec.label}`, updateRun(db, spec.id, { status: 'running', spec, startedAt: Date.now(), heartbeat: Date.now(), session: opts.session, step, progress: 0 }));
    result = await executeRun(spec, store, {
      log(e) {
        log.push(e);
        flush();
      },
      progress(f, s) {
        progress = f;
        step = s;
        opts.onProgress?.(f, s);
        flush();
      },
    }, {
      memoryBytes: opts.memoryBytes,
      // Scratch in OPFS files costs less than holding the frames (engine.ts, parkingBytes).
      parkingBytes: store.scratchInFiles ? 0 : undefined,
      calibrations: opts.calibrations,
      cancel: opts.cancel,
    });
  } catch (caught) {
    await flushing;
    // Any write of the run may meet a full disk (a heartbeat, a scratch strip): say so, whichever it was.
    let err = isQuotaError(caught) ? new StorageFullError(spec.label, 'run') : caught;
    // Said with the room the browser still reports, where that contradicts it (a private window).
    if (err instanceof StorageFullError) err = await explainFull(err);
    const cancelled = (err as Error)?.name === 'CancelledError';
    // If even this write fails, the run's own error still goes to the caller (the page records it).
    await updateRun(db, spec.id, {
      status: cancelled ? 'cancelled' : 'failed',
      error: cancelled ? (step === 'start' ? 'cancelled before its first step' : `cancelled at "${step}"`) : err instanceof Error ? err.message : String(err),
      endedAt: Date.now(),
      log,
      progress,
      step,
    }).catch(() => undefined);
    throw err;
  }
  // The run is done: its product and its 'done' were written in one transaction. A progress
  // write queued before that could land after it, so the final log goes last; failing to write
  // it (a full disk) leaves the run done, with the log of its last progress report.
  const tail = flushing.then(() => updateRun(db, spec.id, { log, progress: 1, step: 'done', heartbeat: Date.now() })).catch(() => undefined);
  if (opts.deferTail) opts.deferTail(tail);
  else await tail;
  return result;
}
