/** Storage failures translated into messages a user can act on. */

export class StorageFullError extends Error {
  /**
   * `file`: the file being stored (ingest) or the frame a run was writing.
   * Either way the write that failed rolled back whole: what was stored before stays.
   */
  constructor(readonly file: string, readonly during: 'ingest' | 'run' = 'ingest') {
    super(
      during === 'ingest'
        ? `${file}: not stored — the browser's storage quota is full. ` +
          'Nothing already stored was changed. Free space (delete files or products) or allow more storage, then add the file again.'
        : `${file}: not written — the browser's storage quota is full, so the run stopped. ` +
          'Files and products stored before it are kept; the product it was making is not. Free space (delete files or products) or allow more storage, then restart the run.',
    );
    this.name = 'StorageFullError';
  }
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

