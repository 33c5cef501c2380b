/**
 * A folder of raw FITS files in, products in another folder out: the plan
 * built as the page builds it, run on worker threads over the file store.
 * Shared by `npm run reduce` and `npm run bench:night`.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Comlink from 'comlink';
import type { Worker as NodeWorker } from 'node:worker_threads';
import { WorkerPool } from '../workers/pool';
import { nodeWorkerHost, spawnNodeWorker } from '../workers/node-host';
import { buildPlan, runsToDo, type Plan, type PlannedRun } from '../src/core/pipeline/plan';
import { executePlan, type RunOutcome } from '../src/core/pipeline/scheduler';
import type { ParamLayer } from '../src/core/pipeline/params';
import type { LogEntry } from '../src/core/pipeline/engine';
import type { PlanFrame } from '../src/core/pipeline/facts';
import { describeFile, listFits } from './library';
import type { ReduceWorkerApi, WorkerConfig } from './worker';

export interface ReduceOptions {
  params?: ParamLayer[];
  workers: number;
  /** Memory for all workers together, bytes. */
  memoryBytes: number;
  onPlan?(plan: Plan, frames: PlanFrame[]): void;
  onStart?(run: PlannedRun): void;
  onFinish?(run: PlannedRun, outcome: RunOutcome): void;
  onLog?(run: string, entry: LogEntry): void;
}

export interface ReduceSummary {
  plan: Plan;
  frames: PlanFrame[];
  outcomes: Map<string, RunOutcome>;
  /** Runs executed (not up to date already). */
  executed: number;
  failures: string[];
  seconds: number;
}

export async function reduceFolder(input: string, output: string, opts: ReduceOptions): Promise<ReduceSummary> {
  const t0 = performance.now();
  const workers = Math.max(1, opts.workers);
  const pool = new WorkerPool<ReduceWorkerApi, NodeWorker>(() => spawnNodeWorker(new URL('./worker.ts', import.meta.url)), {
    size: workers,
    host: nodeWorkerHost,
  });
  // The threads start (and compile their modules) while the headers are read and the plan is built.
  const warming = Array.from({ length: workers }, () => pool.run((api) => api.ready()).catch(() => false));
  const config: WorkerConfig = {
    outDir: output,
    tmpDir: join(tmpdir(), `ccd-reduce-${process.pid}-${Date.now().toString(36)}`),
    memoryBytes: opts.memoryBytes / workers,
  };
  try {
    const frames = listFits(input).map((p) => describeFile(p, input));
    const plan = buildPlan({ frames, params: opts.params });
    opts.onPlan?.(plan, frames);
    const todo = runsToDo(plan);
    const failures: string[] = [];
    if (!todo.length) return { plan, frames, outcomes: new Map(), executed: 0, failures, seconds: (performance.now() - t0) / 1000 };
    await Promise.all(warming);
    const result = await executePlan(
      plan,
      (spec, { share }) => pool.run((api) => api.run(spec, config, opts.memoryBytes * share, opts.onLog ? Comlink.proxy((e: LogEntry) => opts.onLog!(spec.output.name, e)) : undefined)),
      // A full disk fails every run after it the same way: the rest are not started.
      { concurrency: Math.min(workers, todo.length), queueAhead: 1, haltOn: (err) => (/ENOSPC|no space left/i.test(String((err as Error)?.message ?? err)) ? 'the disk is full: free space, then run the command again' : undefined) },
      {
        start: (run) => opts.onStart?.(run),
        finish: (run, o) => {
          if (o.status !== 'done') failures.push(`${run.label}: ${o.status === 'failed' ? o.error : o.status === 'not-run' ? o.reason : 'cancelled'}`);
          opts.onFinish?.(run, o);
        },
      },
    );
    return { plan, frames, outcomes: result.outcomes, executed: todo.length, failures, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await pool.terminate();
    rmSync(config.tmpDir, { recursive: true, force: true });
  }
}
