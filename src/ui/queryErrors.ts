/**
 * Live queries that failed, for the banner every view shows (QueryError.tsx):
 * a failed read of the library must be seen, with its reason, and retried,
 * never left as a view waiting forever on its data.
 */
import { create } from 'zustand';

export interface FailedQuery {
  /** What could not be read, for the user ("the runs"). */
  what: string;
  reason: string;
  retry(): void;
}

interface QueryErrorsState {
  failed: Map<number, FailedQuery>;
  set(id: number, failure: FailedQuery | undefined): void;
}

export const useQueryErrors = create<QueryErrorsState>((set) => ({
  failed: new Map(),
  set: (id, failure) =>
    set((s) => {
      if (!failure && !s.failed.has(id)) return s;
      const failed = new Map(s.failed);
      if (failure) failed.set(id, failure);
      else failed.delete(id);
      return { failed };
    }),
}));

/** A failure as one line: the error's name when it says more than "Error", and its message. */
export function describeFailure(err: unknown): string {
  if (err instanceof Error || err instanceof DOMException) {
    const inner = (err as { inner?: unknown }).inner;
    const name = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
    // Dexie's errors append their inner error's name and message on a second line: the first says it.
    const message = err.message.split('\n')[0].trim() || (inner instanceof Error ? inner.message : '') || 'no reason given';
    return `${name}${message}`;
  }
  return String(err);
}
