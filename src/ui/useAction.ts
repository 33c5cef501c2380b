/**
 * Runs a user's action (a change to IndexedDB, a download), keeping what
 * failed for a role=alert line. `busy` names the action running, so a view
 * can say which of its buttons is at work; the plan follows by itself.
 */
import { useCallback, useState } from 'react';

export interface Action {
  /** The label of the action running ('busy' when none was given), or undefined. */
  busy?: string;
  error?: string;
  run(job: () => Promise<unknown>, label?: string): Promise<void>;
  clear(): void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const run = useCallback(async (job: () => Promise<unknown>, label = 'busy') => {
    setBusy(label);
    setError(undefined);
    try {
      await job();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(undefined);
    }
  }, []);
  return { busy, error, run, clear: useCallback(() => setError(undefined), []) };
}
