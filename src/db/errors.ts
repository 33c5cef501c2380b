/** Storage failures translated into messages a user can act on. */
import { storageInfo } from './storage';

export class StorageFullError extends Error {
  /**
   * `file`: the file being stored (ingest) or the frame a run was writing.
   * Either way the write that failed rolled back whole: what was stored before stays.
   */
  constructor(readonly file: string, readonly during: 'ingest' | 'run' = 'ingest', note?: string) {
    super(
      (during === 'ingest'
        ? `${file}: not stored — the browser's storage quota is full. ` +
          'Nothing already stored was changed. Free space (delete files or products) or allow more storage, then add the file again.'
        : `${file}: not written — the browser's storage quota is full, so the run stopped. ` +
          'Files and products stored before it are kept; the product it was making is not. Free space (delete files or products) or allow more storage, then restart the run.')
        + (note ? ` ${note}` : ''),
    );
    this.name = 'StorageFullError';
  }
}

/**
 * What to add to a full-storage error when the browser still reports room
 * (`free`: quota minus usage, from navigator.storage.estimate()): a private
 * window keeps its storage in memory and refuses writes long before the
 * quota it reports (seen in Chromium with a 4096 x 4096 night). Undefined
 * when the report agrees (under 1 GiB free) or is missing.
 */
export function reportedRoomNote(free: number | undefined): string | undefined {
  if (free === undefined || !(free >= 2 ** 30)) return undefined;
  return `(The browser still reports ${(free / 1e9).toFixed(free < 1e10 ? 1 : 0)} GB free: a private window keeps its storage in memory and holds far less than that; a normal window keeps it on disk.)`;
}

/** The error again with reportedRoomNote's words when the browser's report contradicts it. */
export async function explainFull(err: StorageFullError): Promise<StorageFullError> {
  const info = await storageInfo().catch(() => undefined);
  const note = reportedRoomNote(info ? info.quota - info.usage : undefined);
  return note ? new StorageFullError(err.file, err.during, note) : err;
}

/** Dexie wraps the DOMException; both carry the name somewhere in the chain. */
export function isQuotaError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const name = (e as { name?: string }).name;
    if (name === 'QuotaExceededError' || name === 'QuotaExceeded') return true;
    e = (e as { inner?: unknown; cause?: unknown }).inner ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Why the runs not yet started do not start once a run met a full disk (the
 * scheduler's haltOn): each would fail the same way, repeating the message.
 * Undefined for any other failure. A StorageFullError thrown in a worker
 * arrives here by its name (comlink keeps an error's name, not its class).
 */
export function storageFullHalt(err: unknown): string | undefined {
  const full = (err as { name?: string } | undefined)?.name === 'StorageFullError' || isQuotaError(err);
  return full ? "the browser's storage quota is full: free space (delete files or products) or allow more storage, then restart it" : undefined;
}

