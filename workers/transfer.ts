/**
 * Moving data and progress across the worker boundary.
 *
 * postMessage copies by default: a 4k x 4k Float32 frame is 64 MB, and a
 * combine of 20 of them would copy 1.3 GB each way. Transferring instead
 * moves the ArrayBuffer (O(1)); the sender's views become detached
 * (byteLength 0), so the sender must not use them afterwards.
 *
 *   await api.combine(transferTree({ frames, params }));   // main -> worker
 *   return transferTree(result);                           // worker -> main
 *
 * Caveats of transferTree:
 * - It moves each view's whole underlying buffer: every other view on the
 *   same buffer (subarrays, other frames cut from one allocation) is detached
 *   too. Copy (`.slice()`) what the sender must keep.
 * - SharedArrayBuffers are skipped: they are shared, never transferred.
 * - Empty or already detached buffers are skipped (transferring a detached
 *   buffer throws DataCloneError, an empty one costs nothing to copy).
 *
 * Progress: a callback crosses the boundary as a comlink proxy, and every call
 * is a message. progressProxy() throttles on the receiving (main) side so the
 * UI repaints at most every 100 ms; throttle() can also be used inside the
 * worker to cut the messages themselves. Both deliver the last call of a
 * burst (trailing edge), so the final value is never lost, and flush()
 * delivers a pending call at once. Progress messages travel on their own
 * channel: the result may arrive before the last progress call, so treat the
 * result itself as "done".
 */
import * as Comlink from 'comlink';

const toTag = (value: unknown): string => Object.prototype.toString.call(value);

/** A real ArrayBuffer (not a SharedArrayBuffer), checked without instanceof so it works across realms. */
function isPlainArrayBuffer(value: unknown): value is ArrayBuffer {
  return toTag(value) === '[object ArrayBuffer]';
}

/**
 * Every ArrayBuffer reachable from `value` (typed arrays, DataViews, bare
 * ArrayBuffers inside arrays, objects, Maps and Sets), each once, skipping
 * SharedArrayBuffers and empty/detached buffers. Cycles are fine. Comlink
 * proxies are not entered: they are not cloned.
 */
export function collectTransferables(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const seen = new WeakSet<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null) return;
    if (seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      const buffer = v.buffer;
      if (isPlainArrayBuffer(buffer) && buffer.byteLength > 0) found.add(buffer);
      return;
    }
    if (isPlainArrayBuffer(v)) {
      if (v.byteLength > 0) found.add(v);
      return;
    }
    if (toTag(v) === '[object SharedArrayBuffer]') return;
    if (Comlink.proxyMarker in v) return;
    if (v instanceof Map) {
      for (const [key, item] of v) {
        visit(key);
        visit(item);
      }
      return;
    }
    if (v instanceof Set) {
      for (const item of v) visit(item);
      return;
    }
    // Arrays and plain or class objects: structured clone sends own enumerable properties.
    for (const key of Object.keys(v)) visit((v as Record<string, unknown>)[key]);
  };
  visit(value);
  return [...found];
}

/**
 * Marks `value` so comlink transfers (moves) every buffer in it instead of
 * copying. Pass the returned value straight as the argument or return value;
 * `value` must be an object (comlink keys its transfer list by identity).
 */
export function transferTree<T extends object>(value: T): T {
  return Comlink.transfer(value, collectTransferables(value));
}

export interface Throttled<A extends unknown[]> {
  (...args: A): void;
  /** Delivers a pending (throttled) call now, if there is one. */
  flush(): void;
  /** Drops a pending call. */
  cancel(): void;
}

/** Default minimum time between progress deliveries. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * Calls `fn` at most once per `intervalMs`: the first call of a burst runs at
 * once, later ones collapse into a single trailing call with the latest
 * arguments. Errors from `fn` (including a rejected promise from a comlink
 * proxy) are logged, not thrown: progress reporting must not break the work.
 */
export function throttle<A extends unknown[]>(
  fn: (...args: A) => unknown,
  intervalMs: number = PROGRESS_INTERVAL_MS,
): Throttled<A> {
  let lastCall = -Infinity;
  let pending: A | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const deliver = (args: A): void => {
    lastCall = Date.now();
    try {
      const result = fn(...args);
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as Promise<unknown>).then(undefined, reportCallbackError);
      }
    } catch (error) {
      reportCallbackError(error);
    }
  };
  const clearTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  const throttled = ((...args: A): void => {
    const elapsed = Date.now() - lastCall;
    if (elapsed >= intervalMs || elapsed < 0) {
      // A newer call supersedes any pending one.
      clearTimer();
      pending = undefined;
      deliver(args);
      return;
    }
    pending = args;
    timer ??= setTimeout(() => {
      timer = undefined;
      const args = pending;
      pending = undefined;
      if (args) deliver(args);
    }, intervalMs - elapsed);
  }) as Throttled<A>;

  throttled.flush = () => {
    clearTimer();
    const args = pending;
    pending = undefined;
    if (args) deliver(args);
  };
  throttled.cancel = () => {
    clearTimer();
    pending = undefined;
  };
  return throttled;
}

/**
 * A progress callback ready to pass to a worker: throttled to one call per
 * `intervalMs` (the last call always delivered) and marked as a comlink proxy,
 * so the worker calls back into this thread instead of receiving a clone.
 */
export function progressProxy<A extends unknown[]>(
  fn: (...args: A) => unknown,
  intervalMs: number = PROGRESS_INTERVAL_MS,
): Throttled<A> & Comlink.ProxyMarked {
  return Comlink.proxy(throttle(fn, intervalMs));
}

function reportCallbackError(error: unknown): void {
  console.error('progress callback failed:', error);
}
