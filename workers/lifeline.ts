/**
 * A worker's lifeline: a Web Lock the worker holds for its whole life, so the
 * page learns when it dies silently.
 *
 * A browser Worker that calls `self.close()`, or that the browser stops (out
 * of memory, killed), fires no event on the page's Worker object: a comlink
 * call it was answering would wait forever, and the file or run it held would
 * never end. Locks are released by the browser when their holder's global
 * scope goes away, whatever the cause; the page queues a request for the same
 * lock and is granted it exactly then (see browserWorkerHost in ./pool.ts).
 *
 * The worker side is one call at the top of a worker entry; the message it
 * posts has no comlink `id`, which comlink's listener ignores.
 */

/** Key of the message a worker posts once it holds its lock. */
export const LIFELINE_KEY = 'ccdWorkbenchLifeline';
export const LIFELINE_PREFIX = 'ccd-workbench-worker-';

type LockManagerLike = { request(name: string, callback: () => Promise<unknown> | unknown): Promise<unknown> };

/** Worker side: takes this worker's lock and tells the page its name. A no-op where Web Locks are missing. */
export function holdLifeline(
  scope: { postMessage(message: unknown): void; navigator?: { locks?: LockManagerLike } } = globalThis as never,
): void {
  const locks = scope.navigator?.locks;
  if (!locks?.request) return;
  const name = LIFELINE_PREFIX + crypto.randomUUID();
  void locks.request(name, () => {
    scope.postMessage({ [LIFELINE_KEY]: name });
    // Held until the worker's scope goes away.
    return new Promise<never>(() => undefined);
  });
}

/** Page side: the lock name in a message from a worker, if it is a lifeline message. */
export function lifelineName(data: unknown): string | undefined {
  const name = (data as Record<string, unknown> | null | undefined)?.[LIFELINE_KEY];
  return typeof name === 'string' && name.startsWith(LIFELINE_PREFIX) ? name : undefined;
}

/**
 * Page side: calls `onDeath` once the worker that holds `name` is gone. The
 * request waits in the lock's queue while the worker lives.
 */
export function watchLifeline(name: string, onDeath: () => void, locks: LockManagerLike | undefined = globalThis.navigator?.locks): void {
  if (!locks?.request) return;
  void locks.request(name, () => onDeath());
}
