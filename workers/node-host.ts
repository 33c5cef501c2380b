/**
 * WorkerHost for Node's worker_threads, so WorkerPool runs in Vitest and in
 * Node benchmarks exactly as it does in the browser. Browser code must not
 * import this file.
 *
 *   const pool = new WorkerPool<Api, NodeWorker>(
 *     () => spawnNodeWorker(new URL('./x.worker.ts', import.meta.url)),
 *     { size: 2, host: nodeWorkerHost },
 *   );
 *
 * The worker side exposes its API on the parent port:
 *   Comlink.expose(api, nodeEndpoint(parentPort!));
 */
import { Worker as NodeWorker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { WorkerHost } from './pool';

export const nodeWorkerHost: WorkerHost<NodeWorker> = {
  endpoint: (worker) => nodeEndpoint(worker),
  onFailure(worker, fail) {
    worker.on('error', (error: unknown) =>
      fail(error instanceof Error ? error : new Error(String(error))),
    );
    worker.on('messageerror', () => fail(new Error('a message from the worker could not be deserialised')));
    // Any exit we did not ask for leaves the pending comlink call unanswered.
    worker.on('exit', (code: number) => fail(new Error(`worker exited with code ${code}`)));
  },
  terminate: (worker) => worker.terminate(),
};

const bootstrap = new URL('./node-ts-worker.mjs', import.meta.url);

/** Starts a worker_threads Worker on a TypeScript (or JavaScript) module, compiled on the fly by tsx. */
export function spawnNodeWorker(entry: URL): NodeWorker {
  return new NodeWorker(bootstrap, { workerData: { entry: entry.href } });
}
