/**
 * A live query that re-runs at most every `ms` milliseconds. Dexie's
 * useLiveQuery re-reads on every write; during an ingest of a thousand files
 * that is a thousand full listings cloned out of IndexedDB, which slows the
 * ingest itself. Here writes to the watched tables (from this page or from a
 * worker: Dexie broadcasts them) only mark the result stale.
 */
import { useEffect, useState } from 'react';
import { onTablesChanged } from '../db/live';

export function useThrottledLiveQuery<T>(query: () => Promise<T>, tables: string[], ms = 300): T | undefined {
  const [value, setValue] = useState<T>();
  useEffect(() => {
    let stopped = false;
    let running = false;
    let again = false;
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      last = performance.now();
      try {
        const v = await query();
        if (!stopped) setValue(v);
      } catch (err) {
        console.error('live query failed', err);
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
    const unsubscribe = onTablesChanged(tables, schedule);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
    };
    // The query and tables are fixed for the component's life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return value;
}
