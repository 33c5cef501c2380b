/**
 * A live query that re-runs at most every `ms` milliseconds. Dexie's
 * useLiveQuery re-reads on every write; during an ingest of a thousand files
 * that is a thousand full listings cloned out of IndexedDB, which slows the
 * ingest itself. Here writes to the watched tables (from this page or from a
 * worker: Dexie broadcasts them) only mark the result stale.
 *
 * A query that fails keeps its last value, and its error (with a retry) is
 * returned by useThrottledLiveQueryState, or, for views that only take the
 * value, shown in the banner of failed queries (QueryError.tsx).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { onTablesChanged, reopenDb } from '../db/live';
import { describeFailure, useQueryErrors } from './queryErrors';

export interface LiveQueryState<T> {
  value: T | undefined;
  /** Why the last read failed (undefined once a read succeeds). */
  error?: string;
  /** Reads again now (reopening the database if it was closed). */
  retry(): void;
}

let nextId = 1;

export function useThrottledLiveQuery<T>(query: () => Promise<T>, tables: string[], ms = 300, what = 'the library'): T | undefined {
  return useThrottledLiveQueryState(query, tables, { ms, what, banner: true }).value;
}

export function useThrottledLiveQueryState<T>(
  query: () => Promise<T>,
  tables: string[],
  { ms = 300, what = 'the library', banner = false }: { ms?: number; what?: string; banner?: boolean } = {},
): LiveQueryState<T> {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<string>();
  const runNow = useRef<() => void>(() => undefined);
  useEffect(() => {
    const id = nextId++;
    let stopped = false;
    let running = false;
    let again = false;
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const report = useQueryErrors.getState().set;

    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      last = performance.now();
      try {
        const v = await query();
        if (!stopped) {
          setValue(v);
          setError(undefined);
          if (banner) report(id, undefined);
        }
      } catch (err) {
        console.error('live query failed', err);
        if (!stopped) {
          const reason = describeFailure(err);
          setError(reason);
          if (banner) report(id, { what, reason, retry: () => runNow.current() });
        }
      } finally {
        running = false;
      }
      if (again && !stopped) {
        again = false;
        schedule();
      }
    };
    const schedule = () => {
      if (timer !== undefined || stopped) return;
      timer = setTimeout(() => {
        timer = undefined;
        void run();
      }, Math.max(0, last + ms - performance.now()));
    };
    runNow.current = () => {
      // A connection closed under us (the database deleted or upgraded elsewhere) does not reopen by itself.
      void reopenDb().catch(() => undefined).finally(() => void run());
    };
    const unsubscribe = onTablesChanged(tables, schedule);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      if (banner) report(id, undefined);
    };
    // The query and tables are fixed for the component's life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const retry = useCallback(() => runNow.current(), []);
  return { value, error, retry };
}
