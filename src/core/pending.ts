/**
 * What this realm is waiting for: the storage calls a pipeline run awaits
 * (IndexedDB transactions, OPFS files, quota estimates), each named, with the
 * time it has waited. A call that never settles leaves a run waiting with no
 * thread busy; `pendingNow()` names it (the browser bench prints it for a
 * reduction that does not end: bench/browserNight.ts).
 */
const waiting = new Map<number, { label: string; since: number }>();
let next = 0;

/** `promise`, noted as waited for under `label` until it settles. */
export function tracked<T>(label: string, promise: Promise<T>): Promise<T> {
  const key = next++;
  waiting.set(key, { label, since: Date.now() });
  const done = () => void waiting.delete(key);
  promise.then(done, done);
  return promise;
}

/** The calls waited for now, longest first, with their seconds. */
export function pendingNow(): { label: string; seconds: number }[] {
  const now = Date.now();
  return [...waiting.values()].map((w) => ({ label: w.label, seconds: (now - w.since) / 1000 })).sort((a, b) => b.seconds - a.seconds);
}

/** Lets a debugger or a test harness ask a worker (`globalThis.ccdPending()`). */
(globalThis as { ccdPending?: typeof pendingNow }).ccdPending = pendingNow;
