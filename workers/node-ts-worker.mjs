// Node-only bootstrap: lets a worker_threads Worker run a TypeScript entry.
// `execArgv: ['--import', 'tsx']` does not reach a worker's entry module on
// Node 20, so the worker registers tsx itself and then imports the entry
// named in workerData.entry (a file URL). Used by spawnNodeWorker().
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
