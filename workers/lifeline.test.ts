/**
 * The lifeline that tells the pool a browser worker died without a word
 * (self.close(), out of memory, killed: no error event). Browsers release a
 * Web Lock when its holder's scope goes away; here a small lock manager with
 * that one rule stands in for navigator.locks (Node has none), and the real
 * thing is exercised in Chromium by e2e/nothingLost.spec.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkerCrashedError, WorkerPool, browserWorkerHost } from './pool';
import { holdLifeline, lifelineName } from './lifeline';

/** Exclusive locks granted in request order; a holder's locks are released when it dies. */
class Locks {
  private held = new Map<string, object>();
  private waiting = new Map<string, { holder: object; callback: () => unknown }[]>();

  facade(holder: object) {
    return { request: (name: string, callback: () => unknown) => this.request(holder, name, callback) };
  }

  private async request(holder: object, name: string, callback: () => unknown): Promise<unknown> {
    if (this.held.has(name)) {
      this.waiting.set(name, [...(this.waiting.get(name) ?? []), { holder, callback }]);
      return undefined;
    }
    return this.grant(holder, name, callback);
  }

  private async grant(holder: object, name: string, callback: () => unknown): Promise<unknown> {
    this.held.set(name, holder);
    const result = await callback();
    this.release(name);
    return result;
  }

  private release(name: string) {
    this.held.delete(name);
    const next = this.waiting.get(name)?.shift();
    if (next) void this.grant(next.holder, name, next.callback);
  }

  /** The holder's scope went away: its locks go with it. */
  die(holder: object) {
    for (const [name, h] of this.held) if (h === holder) this.release(name);
  }
}

/** A Worker as the page sees it, and the scope inside it, joined by message events. */
class FakeWorker extends EventTarget {
  readonly scope: { postMessage(message: unknown): void; navigator: { locks: ReturnType<Locks['facade']> } };
  terminated = false;

  constructor(locks: Locks) {
    super();
    this.scope = {
      // Delivered later, as a real worker's messages are.
      postMessage: (data) => void setTimeout(() => this.dispatchEvent(new MessageEvent('message', { data }))),
      navigator: { locks: locks.facade(this) },
    };
  }

  postMessage(): void {
    // The worker never answers: it is busy until it dies.
  }

  terminate(): void {
    this.terminated = true;
  }
}

afterEach(() => vi.unstubAllGlobals());

describe('lifeline', () => {
  it('names only its own messages', () => {
    expect(lifelineName({ ccdWorkbenchLifeline: 'ccd-workbench-worker-1' })).toBe('ccd-workbench-worker-1');
    expect(lifelineName({ ccdWorkbenchLifeline: 'something-else' })).toBeUndefined();
    expect(lifelineName({ id: 'x', type: 'RETURN' })).toBeUndefined();
    expect(lifelineName(null)).toBeUndefined();
  });

  it('fails the task of a worker that dies silently, and the pool starts a new worker for the next task', async () => {
    const locks = new Locks();
    vi.stubGlobal('navigator', { locks: locks.facade({ page: true }) });
    const workers: FakeWorker[] = [];
    const pool = new WorkerPool<{ work(): Promise<number> }, FakeWorker>(() => {
      const w = new FakeWorker(locks);
      workers.push(w);
      // The worker entry's first line.
      holdLifeline(w.scope);
      return w;
    }, { size: 1, host: browserWorkerHost as never });

    const first = pool.run((api) => api.work());
    let settled = false;
    void first.catch(() => undefined).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    locks.die(workers[0]);
    const error = await first.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toBe('Worker crashed while running a task: the worker stopped (closed, killed or out of memory)');
    expect(workers[0].terminated).toBe(true);

    void pool.run((api) => api.work()).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    expect(pool.started).toBe(2);
    await pool.terminate();
  });

  it('reports nothing while the worker lives, and once when its scope goes away', async () => {
    const locks = new Locks();
    vi.stubGlobal('navigator', { locks: locks.facade({ page: true }) });
    const w = new FakeWorker(locks);
    const failures: Error[] = [];
    browserWorkerHost.onFailure(w as never, (e) => failures.push(e));
    holdLifeline(w.scope);
    await new Promise((r) => setTimeout(r, 10));
    expect(failures).toEqual([]);
    // Alive: no report. Gone: one.
    locks.die(w);
    await new Promise((r) => setTimeout(r, 10));
    expect(failures.map((e) => e.message)).toEqual(['the worker stopped (closed, killed or out of memory)']);
  });
});
