/** Runs a change to IndexedDB, keeping what failed for a role=alert line; the plan follows by itself. */
import { useCallback, useState } from 'react';

export function useAction(): { busy: boolean; error?: string; run(job: () => Promise<unknown>): Promise<void>; clear(): void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(async (job: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await job();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: useCallback(() => setError(undefined), []) };
}
