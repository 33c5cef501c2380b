/**
 * Worker thread of `npm run reduce`: runs one run at a time through the
 * engine on the file store. The command's pool (workers/pool.ts with the
 * worker_threads host) keeps one of these per core.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { calibrationBudget, executeRun, type LogEntry, type RunResult, type RunSpec } from '../src/core/pipeline/engine';
import { CalibrationCache } from '../src/core/pipeline/calibrationCache';
import { FileStore } from './fileStore';
import { scratch, scratchLimitFor } from '../src/core/kernels/scratch';

export interface WorkerConfig {
  outDir: string;
  tmpDir: string;
  memoryBytes: number;
}

let state: { store: FileStore; calibrations: CalibrationCache } | undefined;

const api = {
  /** Nothing: calling it starts the thread (and compiles its modules) before there is work. */
  ready(): boolean {
    return true;
  },
  /** `memoryBytes`: what this run may use (the scheduler's share of the command's memory); the config's is this thread's own. */
  async run(spec: RunSpec, config: WorkerConfig, memoryBytes: number, onLog?: (e: LogEntry) => void): Promise<RunResult> {
    scratch.limitBytes = scratchLimitFor(config.memoryBytes);
    state ??= {
      store: new FileStore(config.outDir, config.tmpDir, config.memoryBytes / 4),
      calibrations: new CalibrationCache(calibrationBudget(config.memoryBytes)),
    };
    const { store, calibrations } = state;
    return executeRun(spec, store, { log: onLog ? (e) => void onLog(e) : undefined }, { memoryBytes, calibrations });
  },
};

export type ReduceWorkerApi = typeof api;

Comlink.expose(api, nodeEndpoint(parentPort!));
