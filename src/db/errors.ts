/** Storage failures translated into messages a user can act on. */

export class StorageFullError extends Error {
  constructor(readonly file: string) {
    super(
      `${file}: not stored — the browser's storage quota is full. ` +
        'Nothing already stored was changed. Free space (delete files or products) or allow more storage, then add the file again.',
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
