import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { WorkerPool, WorkerCrashedError, PoolTerminatedError, defaultPoolSize } from './pool';
import { nodeWorkerHost, spawnNodeWorker } from './node-host';
import { echoPools, echoWorker } from './echoPools.testing';

const makePool = echoPools();

interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}
function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('defaultPoolSize', () => {
  it('leaves one core to the UI thread and stays within 1..8', () => {
    expect(defaultPoolSize(1)).toBe(1);
    expect(defaultPoolSize(2)).toBe(1);
    expect(defaultPoolSize(4)).toBe(3);
    expect(defaultPoolSize(9)).toBe(8);
    expect(defaultPoolSize(64)).toBe(8);
    expect(defaultPoolSize(0)).toBe(1);
  });

  it('detects cores in Node without navigator.hardwareConcurrency', () => {
    const expected = Math.max(1, Math.min(8, os.availableParallelism() - 1));
    expect(defaultPoolSize()).toBe(expected);
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => new WorkerPool(() => spawnNodeWorker(echoWorker), { size: 0, host: nodeWorkerHost })).toThrow(
      RangeError,
    );
    expect(() => new WorkerPool(() => spawnNodeWorker(echoWorker), { size: 1.5, host: nodeWorkerHost })).toThrow(
      RangeError,
    );
  });
});

describe('WorkerPool', () => {
  it('starts workers lazily', async () => {
    const pool = makePool(2);
    expect(pool.started).toBe(0);
    await expect(pool.run((api) => api.echo('hi'))).resolves.toBe('hi');
    expect(pool.started).toBe(1);
  });

  it('never runs more than `size` tasks at once under 10 concurrent tasks', async () => {
    const pool = makePool(3);
    const gates = Array.from({ length: 10 }, () => deferred());
    const arrived: number[] = [];
    let active = 0;
    let maxActive = 0;
    const threeArrived = deferred();
    const results = gates.map((gate, i) =>
      pool.run(async (api) => {
        active++;
        maxActive = Math.max(maxActive, active);
        const tid = await api.threadId();
        arrived.push(i);
        if (arrived.length === 3) threeArrived.resolve();
        await gate.promise;
        active--;
        return tid;
      }),
    );

    await threeArrived.promise;
    expect(pool.busy).toBe(3);
    expect(pool.queued).toBe(7);
    // The first three submitted hold the three workers (their replies may race).
    expect([...arrived].sort()).toEqual([0, 1, 2]);

    // Release one at a time: each release lets exactly one queued task in.
    for (let i = 0; i < 10; i++) {
      gates[i]!.resolve();
      await results[i];
    }
    const threadIds = await Promise.all(results);
    expect(maxActive).toBe(3);
    expect(new Set(threadIds).size).toBe(3);
    expect(pool.started).toBe(3);
    expect(pool.busy).toBe(0);
    expect(pool.queued).toBe(0);
  });

  it('runs queued tasks by priority, first-in first-out within a priority', async () => {
    const pool = makePool(1);
    const gate = deferred();
    const order: string[] = [];
    const blocker = pool.run(async (api) => {
      order.push('blocker');
      await api.echo(0);
      await gate.promise;
    });
    const submit = (name: string, priority?: number) =>
      pool.run(
        async (api) => {
          order.push(name);
          return api.echo(name);
        },
        { priority },
      );
    const queued = [submit('a'), submit('b'), submit('c', 1), submit('d'), submit('e', 1), submit('f', -1)];
    expect(pool.queued).toBe(6);
    gate.resolve();
    await blocker;
    expect(await Promise.all(queued)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(order).toEqual(['blocker', 'c', 'e', 'a', 'b', 'd', 'f']);
  });

  it('rejects with AbortError when the signal aborts while the task is queued', async () => {
    const pool = makePool(1);
    const gate = deferred();
    const blocker = pool.run(async (api) => {
      await api.echo(0);
      await gate.promise;
      return 'blocker done';
    });
    const controller = new AbortController();
    let ran = false;
    const victim = pool.run(
      async (api) => {
        ran = true;
        return api.echo('should not run');
      },
      { signal: controller.signal },
    );
    const after = pool.run((api) => api.echo('after'));
    expect(pool.queued).toBe(2);

    controller.abort();
    await expect(victim).rejects.toMatchObject({ name: 'AbortError' });
    expect(pool.queued).toBe(1);

    gate.resolve();
    await expect(blocker).resolves.toBe('blocker done');
    await expect(after).resolves.toBe('after');
    expect(ran).toBe(false);
  });

  it('rejects at once for an already aborted signal, keeping an AbortError reason', async () => {
    const pool = makePool(1);
    const reason = new DOMException('user left the page', 'AbortError');
    await expect(pool.run((api) => api.echo(1), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(pool.run((api) => api.echo(1), { signal: AbortSignal.abort('no') })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(pool.started).toBe(0);
  });

  it('does not treat an error thrown by a worker function as a crash', async () => {
    const pool = makePool(1);
    await expect(pool.run((api) => api.fail('bad input'))).rejects.toThrow('bad input');
    await expect(pool.run((api) => api.echo('still here'))).resolves.toBe('still here');
    expect(pool.started).toBe(1);
  });

  it('rejects a task whose callback throws synchronously and frees the worker', async () => {
    const pool = makePool(1);
    await expect(
      pool.run(() => {
        throw new Error('sync throw');
      }),
    ).rejects.toThrow('sync throw');
    expect(pool.busy).toBe(0);
    await expect(pool.run((api) => api.echo(2))).resolves.toBe(2);
  });

  it.each(['throw', 'exit'] as const)(
    'rejects the running task with WorkerCrashedError and replaces the worker (%s)',
    async (how) => {
      const pool = makePool(1);
      const firstThread = await pool.run((api) => api.threadId());
      const crashed = pool.run((api) => api.crash(how));
      const queuedBehind = pool.run((api) => api.threadId());

      const error = await crashed.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect((error as Error).message).toContain(how === 'throw' ? 'boom from the echo worker' : 'code 3');

      const secondThread = await queuedBehind;
      expect(secondThread).not.toBe(firstThread);
      expect(pool.started).toBe(2);
      expect(pool.busy).toBe(0);
    },
  );

  it('terminate rejects running and queued tasks and later runs', async () => {
    const pool = makePool(1);
    const started = deferred();
    const running = pool.run(async (api) => {
      await api.echo(0);
      started.resolve();
      return new Promise<never>(() => undefined);
    });
    const queued = pool.run((api) => api.echo(1));
    await started.promise;
    expect(pool.busy).toBe(1);
    const outcomes = Promise.allSettled([running, queued]);
    await pool.terminate();
    for (const outcome of await outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(PoolTerminatedError);
    }
    await expect(pool.run((api) => api.echo(2))).rejects.toBeInstanceOf(PoolTerminatedError);
    expect(pool.queued).toBe(0);
  });

  it('kill terminates the worker of a task that does not stop: it rejects as a crash, the next task gets a new worker', async () => {
    const pool = makePool(1);
    const firstThread = await pool.run((api) => api.threadId());
    const kill = new AbortController();
    // A worker function that never answers (as a run waiting for a storage call that never returns).
    const stuck = pool.run(() => new Promise<never>(() => undefined), { kill: kill.signal });
    const queued = pool.run((api) => api.threadId());
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.busy).toBe(1);
    kill.abort(new Error('cancelled, and still running after 10 s'));
    const error = await stuck.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toContain('terminated: cancelled, and still running after 10 s');
    expect(await queued).not.toBe(firstThread);
    expect(pool.started).toBe(2);
  });

  it('a kill signal of a task that has ended does nothing', async () => {
    const pool = makePool(1);
    const kill = new AbortController();
    const tid = await pool.run((api) => api.threadId(), { kill: kill.signal });
    kill.abort();
    expect(await pool.run((api) => api.threadId())).toBe(tid);
    expect(pool.started).toBe(1);
  });

  it('a kill that came while the task was queued does not terminate the worker it then gets', async () => {
    const pool = makePool(1);
    const gate = deferred();
    const first = pool.run(async (api) => {
      const tid = await api.threadId();
      await gate.promise;
      return tid;
    });
    const kill = new AbortController();
    const queued = pool.run((api) => api.threadId(), { kill: kill.signal });
    kill.abort();
    gate.resolve();
    expect(await queued).toBe(await first);
    expect(pool.started).toBe(1);
  });
});
