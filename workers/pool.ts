/**
 * WorkerPool: a small, fixed-size pool of comlink-wrapped Web Workers.
 *
 * Why a pool
 * ----------
 * Everything slow in the workbench runs off the UI thread: parsing dropped
 * FITS files and writing them to IndexedDB (ingest), and the typed-array
 * kernels (combine, overscan, cosmic rays, ...). The UI thread only posts
 * requests and paints results, so it never freezes, even while a night of
 * data is being reduced. One worker per request would pay the start-up cost
 * (module load, IndexedDB open) every time and could spawn hundreds of
 * threads on a large drop; one single worker would leave the other cores
 * idle. A pool keeps at most `size` long-lived workers, starts them lazily,
 * queues the rest of the work, and replaces a worker that crashed.
 *
 * API
 * ---
 *   const pool = new WorkerPool<KernelsApi>(
 *     () => new Worker(new URL('./kernels.worker.ts', import.meta.url), { type: 'module' }),
 *     { size: 3 },                      // optional; default defaultPoolSize()
 *   );
 *   const out = await pool.run(api => api.combine(transferTree(frames), progressProxy(onProgress)),
 *                              { signal, priority: 1 });
 *   pool.size      // maximum number of workers (fixed at construction)
 *   pool.busy      // workers running a task right now
 *   pool.queued    // tasks waiting for a free worker
 *   pool.started   // workers spawned so far, replacements included
 *   await pool.terminate();
 *
 * - The factory must spell out `new Worker(new URL('./x.worker.ts',
 *   import.meta.url), { type: 'module' })` at the call site: that literal form
 *   is what Vite recognises to bundle the worker entry.
 * - `run(task, { signal, priority })`: `task` receives the comlink Remote of a
 *   free worker and holds that worker until its promise settles; the pool's
 *   promise settles with it. Tasks wait in a queue when all workers are busy:
 *   higher `priority` first (default 0), first-in first-out among equals.
 * - Do not keep `api` after the task settles: the worker then belongs to the
 *   next task. A worker entry exposes its API with `Comlink.expose(api)`,
 *   and imports ./cancel.ts if it takes cancel tokens (that registers the
 *   "cancel" transfer handler on its side).
 * - `signal`: aborting it while the task is queued removes the task and
 *   rejects with an error named "AbortError" (the signal's reason if that is
 *   one, else a DOMException). Once a task has started the pool does not stop
 *   it: stopping work inside a worker is cooperative, through a cancel token
 *   (see ./cancel.ts; `createCancelSource({ signal })` links the two).
 * - `kill`: the last resort for a started task that does not stop (a worker
 *   waiting for a call that never returns cannot look at its token).
 *   Aborting it while the task runs terminates the task's worker, as a crash
 *   would: the task rejects with WorkerCrashedError, the next task gets a new
 *   worker. Aborted while the task is queued, it does nothing.
 * - A worker that fails (an uncaught error in the worker, a message that
 *   cannot be deserialised, a worker that stops without a word, seen through
 *   the lifeline lock it holds (./lifeline.ts: self.close(), out of memory,
 *   killed), or in Node an unexpected exit) is terminated and
 *   dropped; the task it was running rejects with a WorkerCrashedError that
 *   says why; the next task that needs a worker gets a fresh one. Errors
 *   thrown by an exposed worker function are not crashes: comlink rethrows
 *   them on this side and the worker stays in the pool.
 * - `terminate()`: rejects queued and running tasks with PoolTerminatedError,
 *   terminates every worker; later `run` calls reject.
 *
 * Hosts: the pool never touches a Worker directly; a `WorkerHost` says how to
 * wrap one as a comlink Endpoint, how to hear that it failed and how to stop
 * it. The default is the browser `Worker`; ./node-host.ts provides the
 * worker_threads one (plus spawnNodeWorker, which runs a .ts entry through
 * tsx), so the same class runs in the app and in Node tests; see
 * ./echo.worker.ts and ./pool.test.ts. Checked by hand in Chromium too: size
 * limit, transfer detach, both cancel modes, crash and a missing script.
 */
import * as Comlink from 'comlink';
import { lifelineName, watchLifeline } from './lifeline';

/** How the pool talks to one kind of worker object. */
export interface WorkerHost<W> {
  /** The comlink Endpoint for this worker (the browser Worker is one already). */
  endpoint(worker: W): Comlink.Endpoint;
  /**
   * Calls `fail` when the worker can no longer be trusted to answer. It may be
   * called more than once, and also after `terminate`: the pool ignores those.
   */
  onFailure(worker: W, fail: (error: Error) => void): void;
  terminate(worker: W): void | Promise<unknown>;
}

/** The browser's (and Deno's) Worker: an EventTarget with postMessage. */
export const browserWorkerHost: WorkerHost<Worker> = {
  endpoint: (worker) => worker,
  onFailure(worker, fail) {
    worker.addEventListener('error', (event: ErrorEvent) => {
      // A script that fails to load reports an ErrorEvent without a message.
      const where = event.filename ? ` (${event.filename}:${event.lineno})` : '';
      fail(new Error((event.message || 'worker failed to load or threw') + where));
    });
    worker.addEventListener('messageerror', () => {
      // The reply can never arrive, so the pending call would hang forever.
      fail(new Error('a message from the worker could not be deserialised'));
    });
    // A worker that closes itself or is stopped by the browser (out of memory) fires no event:
    // the lock it holds for its life is released then (./lifeline.ts).
    const onMessage = (event: MessageEvent) => {
      const name = lifelineName(event.data);
      if (!name) return;
      worker.removeEventListener('message', onMessage);
      watchLifeline(name, () => fail(new Error('the worker stopped (closed, killed or out of memory)')));
    };
    worker.addEventListener('message', onMessage);
  },
  terminate: (worker) => worker.terminate(),
};

export interface PoolOptions<W> {
  /** Maximum number of workers; default defaultPoolSize(). */
  size?: number;
  /** How to drive the worker objects the factory makes; default browserWorkerHost. */
  host?: WorkerHost<W>;
}

export interface RunOptions {
  /** Aborting while the task is still queued removes it and rejects with AbortError. */
  signal?: AbortSignal;
  /** Higher runs first; equal priorities run in submission order. Default 0. */
  priority?: number;
  /** Aborting it once the task runs terminates its worker (see the module comment). */
  kill?: AbortSignal;
}

/** The worker running a task failed; the task's outcome is unknown. */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
  constructor(reason: Error) {
    super(`Worker crashed while running a task: ${reason.message}`, { cause: reason });
  }
}

/** The pool was terminated before or while the task ran. */
export class PoolTerminatedError extends Error {
  override name = 'PoolTerminatedError';
  constructor() {
    super('Worker pool was terminated');
  }
}

/** Upper bound on the default size: beyond it memory, not cores, is the limit. */
const MAX_DEFAULT_SIZE = 8;

/**
 * Worker count for this machine: logical cores minus one for the UI thread,
 * at least 1, at most 8. `cores` overrides detection (for tests).
 */
export function defaultPoolSize(cores: number | undefined = detectCores()): number {
  if (!cores || !Number.isFinite(cores)) return 1;
  return Math.max(1, Math.min(MAX_DEFAULT_SIZE, Math.floor(cores) - 1));
}

function detectCores(): number | undefined {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  // Node before 21 has no navigator. getBuiltinModule avoids a static
  // `import 'node:os'`, which the browser bundle could not resolve.
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as
    | { availableParallelism?: () => number; cpus?: () => unknown[] }
    | undefined;
  return os?.availableParallelism?.() ?? os?.cpus?.().length;
}

interface QueuedTask<API> {
  task: (api: Comlink.Remote<API>) => Promise<unknown>;
  priority: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  kill?: AbortSignal;
}

interface Slot<W, API> {
  worker: W;
  api: Comlink.Remote<API>;
  /** Set while a task runs: rejects that task (crash or terminate). */
  abortRunning?: (error: Error) => void;
  dead: boolean;
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : reason === undefined ? 'the task was killed' : String(reason);
}

function abortErrorFrom(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('Task aborted before a worker was free', 'AbortError');
}

export class WorkerPool<API, W = Worker> {
  readonly size: number;
  private readonly factory: () => W;
  private readonly host: WorkerHost<W>;
  private readonly slots: Slot<W, API>[] = [];
  private readonly queue: QueuedTask<API>[] = [];
  private running = 0;
  private spawned = 0;
  private terminated = false;

  constructor(factory: () => W, options: PoolOptions<W> = {}) {
    const size = options.size ?? defaultPoolSize();
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`WorkerPool size must be a positive integer, got ${size}`);
    }
    this.size = size;
    this.factory = factory;
    // Without a host, W is the browser Worker (the default type argument).
    this.host = options.host ?? (browserWorkerHost as unknown as WorkerHost<W>);
  }

  /** Workers currently running a task. */
  get busy(): number {
    return this.running;
  }

  /** Tasks waiting for a free worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Workers created so far, replacements of crashed ones included. */
  get started(): number {
    return this.spawned;
  }

  run<R>(task: (api: Comlink.Remote<API>) => Promise<R>, options: RunOptions = {}): Promise<R> {
    if (this.terminated) return Promise.reject(new PoolTerminatedError());
    const { signal, priority = 0, kill } = options;
    if (signal?.aborted) return Promise.reject(abortErrorFrom(signal));
    return new Promise<R>((resolve, reject) => {
      const entry: QueuedTask<API> = {
        task,
        priority,
        resolve: resolve as (value: unknown) => void,
        reject,
        signal,
        kill,
      };
      if (signal) {
        entry.onAbort = () => {
          const at = this.queue.indexOf(entry);
          if (at < 0) return; // already started: the task owns cancellation now
          this.queue.splice(at, 1);
          reject(abortErrorFrom(signal));
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.enqueue(entry);
      this.pump();
    });
  }

  /** Rejects queued and running tasks and stops every worker. */
  async terminate(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    for (const entry of this.queue.splice(0)) {
      this.detachAbort(entry);
      entry.reject(new PoolTerminatedError());
    }
    const stopping = this.slots.splice(0).map((slot) => {
      slot.dead = true;
      slot.abortRunning?.(new PoolTerminatedError());
      return this.host.terminate(slot.worker);
    });
    await Promise.allSettled(stopping);
  }

  /** Inserts after every task of equal or higher priority: FIFO within a priority. */
  private enqueue(entry: QueuedTask<API>): void {
    let at = this.queue.length;
    while (at > 0 && this.queue[at - 1]!.priority < entry.priority) at--;
    this.queue.splice(at, 0, entry);
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.terminated) {
      const slot = this.idleSlot();
      if (!slot) return;
      const entry = this.queue.shift()!;
      this.detachAbort(entry);
      this.dispatch(slot, entry);
    }
  }

  private idleSlot(): Slot<W, API> | undefined {
    const idle = this.slots.find((s) => !s.dead && !s.abortRunning);
    if (idle) return idle;
    if (this.slots.length < this.size) return this.spawn();
    return undefined;
  }

  private spawn(): Slot<W, API> {
    const worker = this.factory();
    const slot: Slot<W, API> = {
      worker,
      api: Comlink.wrap<API>(this.host.endpoint(worker)),
      dead: false,
    };
    this.spawned++;
    this.host.onFailure(worker, (error) => this.onWorkerFailure(slot, error));
    this.slots.push(slot);
    return slot;
  }

  private onWorkerFailure(slot: Slot<W, API>, error: Error): void {
    if (slot.dead) return; // terminated by us, or a second report of the same failure
    slot.dead = true;
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    // The slot's comlink proxy is simply dropped: releasing it would post a
    // message to a worker that can no longer answer.
    void Promise.resolve(this.host.terminate(slot.worker)).catch(() => undefined);
    slot.abortRunning?.(new WorkerCrashedError(error));
    // A replacement is spawned by pump() as soon as a queued task needs it.
    this.pump();
  }

  private dispatch(slot: Slot<W, API>, entry: QueuedTask<API>): void {
    this.running++;
    let finished = false;
    const { kill } = entry;
    const onKill = () => this.onWorkerFailure(slot, new Error(`terminated: ${describeReason(kill?.reason)}`));
    const finish = (settle: () => void): void => {
      if (finished) return;
      finished = true;
      this.running--;
      slot.abortRunning = undefined;
      kill?.removeEventListener('abort', onKill);
      settle();
      this.pump();
    };
    slot.abortRunning = (error) => finish(() => entry.reject(error));
    // A kill that came while the task waited in the queue does not count: the task has not had its
    // chance to stop by itself (the caller's cancel token tells it to, as soon as it starts).
    if (!kill?.aborted) kill?.addEventListener('abort', onKill, { once: true });
    // Invoke through a promise so a task that throws synchronously rejects too.
    Promise.resolve()
      .then(() => entry.task(slot.api))
      .then(
        (value) => finish(() => entry.resolve(value)),
        (error: unknown) => finish(() => entry.reject(error)),
      );
  }

  private detachAbort(entry: QueuedTask<API>): void {
    if (entry.signal && entry.onAbort) entry.signal.removeEventListener('abort', entry.onAbort);
  }
}
