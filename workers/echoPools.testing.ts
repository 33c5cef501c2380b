/**
 * Test helper: pools of the Node echo worker, terminated after each test.
 * Call `echoPools()` at the top of a describe block (or file) to get `makePool`.
 */
import { afterEach } from 'vitest';
import type { Worker as NodeWorker } from 'node:worker_threads';
import { WorkerPool, type WorkerHost } from './pool';
import { nodeWorkerHost, spawnNodeWorker } from './node-host';
import type { EchoApi } from './echo.worker';

export const echoWorker = new URL('./echo.worker.ts', import.meta.url);

export function echoPools(): (size?: number, host?: WorkerHost<NodeWorker>) => WorkerPool<EchoApi, NodeWorker> {
  const pools: WorkerPool<EchoApi, NodeWorker>[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
  });
  return (size = 1, host = nodeWorkerHost) => {
    const pool = new WorkerPool<EchoApi, NodeWorker>(() => spawnNodeWorker(echoWorker), { size, host });
    pools.push(pool);
    return pool;
  };
}
