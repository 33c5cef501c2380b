/**
 * The page's side of the pipeline: builds the plan from what is stored
 * (files, pins, exclusions, parameters), records every run it will execute,
 * and runs them on a pool of pipeline workers, in dependency order, both
 * cores busy. The views (calibrations, recipes, runs) read the same plan
 * and the run records; they never recompute association themselves.
 *
 * Each page session holds a Web Lock for its whole life and stamps its runs
 * with its id, so after a reload the runs it left are known to be
 * interrupted (src/db/runs.ts).
 */
import * as Comlink from 'comlink';
import { WorkerCrashedError, WorkerPool } from './pool';
import { CancelledError, createCancelSource, type CancelSource } from './cancel';
import type { PipelineApi } from './pipeline.worker';
import { buildPlan, runsToDo, type Plan, type PlanInput, type PlannedRun } from '../src/core/pipeline/plan';
import { executePlan, type PlanOutcome, type RunOutcome } from '../src/core/pipeline/scheduler';
import type { PlanFrame } from '../src/core/pipeline/facts';
import { listFiles } from '../src/db/files';
import { listExclusions, listOverrules, listParams, listPins, paramLayers } from '../src/db/pipelineState';
import { clearScratchDirectory } from '../src/db/opfsScratch';
import { freeRawCopies, sweepRawCopies } from '../src/db/rawCopies';
import { storageFullHalt } from '../src/db/errors';
import { discardRunWrites, sweepOrphanStrips } from '../src/db/products';
import { createRuns, getRun, markInterrupted, newRunRecords, SESSION_LOCK_PREFIX, updateRun } from '../src/db/runs';
import type { WorkbenchDb } from '../src/db/schema';
import type { FileRecord, RunRecord } from '../src/db/types';

/**
 * Memory each pipeline worker may use for parked frames and stack bands. A
 * run that cannot overlap any other (a night's master bias) gets every
 * worker's part: see RunContext.share. Frames beyond it go to scratch (OPFS
 * files, fast: src/db/opfsScratch.ts). Measured on the 2048 x 2048 bench night
 * (npm run bench:browser:night, BENCH_WORKER_MEMORY_MB, 1 worker, 2 cores):
 * reduce 23-26.8 s (mostly 23-25) with a peak PSS of the browser of
 * 0.97-1.07 GiB at 256 MB; one run each: 25.2 s / 1.03 GiB at 192, 26.3 s /
 * 0.98 GiB at 160, 26.1 s / 0.94 GiB at 128. Less memory saves little: most
 * of the peak is the page and the worker's fixed working set (a frame being
 * reduced, its calibrations, cosmic-ray and source-detection buffers,
 * garbage not yet collected), not this budget; so 256, where masters spill
 * least.
 */
export const WORKER_MEMORY_BYTES = 256 * 2 ** 20;

/** Developer knob: localStorage[WORKER_MEMORY_KEY] = megabytes per worker (e.g. '1' makes every master spill to scratch). */
export const WORKER_MEMORY_KEY = 'ccd-workbench:worker-memory-mb';

/** Each worker's memory: the knob when set to a positive number of MB, else WORKER_MEMORY_BYTES. Read when a reduction starts. */
export function workerMemoryBytes(): number {
  const mb = knob(WORKER_MEMORY_KEY);
  return mb > 0 ? Math.round(mb * 2 ** 20) : WORKER_MEMORY_BYTES;
}

/** A developer knob's number from localStorage; NaN when unset, not a number, or storage is blocked. */
function knob(key: string): number {
  try {
    return Number(globalThis.localStorage?.getItem(key) ?? NaN);
  } catch {
    return NaN;
  }
}

/** Developer knob: localStorage[WORKERS_KEY] = how many pipeline workers (1-8). */
export const WORKERS_KEY = 'ccd-workbench:pipeline-workers';

/**
 * Pipeline workers: every core but one, at most 2. The one left is for what a
 * reduction also needs: the page's main thread and the browser process that
 * writes IndexedDB. Measured on the 2048 x 2048 bench night on 2 cores
 * (npm run bench:browser:night, BENCH_PIPELINE_WORKERS): 1 worker reduced it
 * in 23.0-26.8 s with a peak PSS of 0.97-1.07 GiB, 2 workers in 21.5-22.3 s
 * with 1.26-1.29 GiB: the second worker there buys ~8% for ~25% more memory,
 * and the memory is the tighter limit. With cores to spare the second worker
 * runs independent frames side by side, as in Node.
 */
export function workerCount(): number {
  const n = knob(WORKERS_KEY);
  if (Number.isInteger(n) && n > 0) return Math.min(n, 8);
  return Math.max(1, Math.min(2, (navigator.hardwareConcurrency || 2) - 1));
}

export const session = crypto.randomUUID();
let lockTaken = false;

/** Holds this session's Web Lock until the page goes away (released by the browser then). */
export function holdSessionLock(): void {
  if (lockTaken || !navigator.locks?.request) return;
  lockTaken = true;
  void navigator.locks.request(SESSION_LOCK_PREFIX + session, () => new Promise<never>(() => {}));
}

/** A library file as the plan sees it. */
export function planFrame(f: FileRecord): PlanFrame {
  return {
    id: f.id,
    name: f.name,
    status: f.status,
    message: f.message,
    type: f.type === 'product' ? 'product' : (f.user ?? f.auto).type,
    descriptors: f.descriptors,
    master: !!(f.user ?? f.auto).master,
    hdus: f.hdus,
    product: f.product,
    calibration: f.calibration,
    addedAt: f.addedAt,
    // Products live in the library, not in the folders dropped.
    folder: f.product ? undefined : f.path,
  };
}

export async function loadPlanInput(db: WorkbenchDb): Promise<PlanInput> {
  const [files, pins, exclusions, overrules, params] = await Promise.all([listFiles(db), listPins(db), listExclusions(db), listOverrules(db), listParams(db)]);
  return { frames: files.map(planFrame), pins, exclusions, overrules, params: paramLayers(params) };
}

export async function planLibrary(db: WorkbenchDb): Promise<Plan> {
  return buildPlan(await loadPlanInput(db));
}

let pool: WorkerPool<PipelineApi> | undefined;

function getPool(): WorkerPool<PipelineApi> {
  // Warmed before the developer knob changed the number of workers: started again at the new size.
  if (pool && pool.size !== workerCount() && !pool.busy) {
    void pool.terminate();
    pool = undefined;
  }
  pool ??= new WorkerPool<PipelineApi>(
    () => new Worker(new URL('./pipeline.worker.ts', import.meta.url), { type: 'module', name: 'pipeline' }),
    { size: workerCount() },
  );
  return pool;
}

/**
 * Starts the pipeline workers while the page is idle and no reduction runs,
 * so that "Reduce all" finds them loaded with their database open. A worker
 * started by the first run itself took ~0.38 s to answer on the bench night
 * (2026-12-02): ~0.18 s to load its script, and ~0.18 s more before the
 * run's message, posted while it loaded, reached it (the page's thread
 * forwards such messages, and it was busy drawing the plan). An idle worker
 * holds a few MB; a reduction's end lets its workers go (their heaps) and
 * warms new ones.
 */
export function warmPipeline(): void {
  if (typeof Worker === 'undefined' || typeof window === 'undefined') return;
  const start = () => {
    if (pool) return;
    const p = getPool();
    // One task per worker: each worker the pool starts for it opens the database.
    for (let i = 0; i < p.size; i++) void p.run((api) => api.warm()).catch(() => undefined);
  };
  if (typeof requestIdleCallback === 'function') requestIdleCallback(start, { timeout: 5000 });
  else setTimeout(start, 2000);
}

export interface ReductionProgress {
  batch: string;
  total: number;
  done: number;
  /** Running runs: key -> [label, step, fraction]. */
  running: Map<string, { label: string; step: string; fraction: number }>;
}

export interface Reduction {
  batch: string;
  plan: Plan;
  /** Keys of the runs this reduction executes. */
  keys: string[];
  done: Promise<PlanOutcome>;
  cancelAll(): void;
  cancelRun(key: string): void;
}

export interface ReduceOptions {
  /** Only these product slots (and whatever they need that is not up to date); default every stale or missing product. */
  only?: readonly string[];
  onProgress?(p: ReductionProgress): void;
  onFinish?(run: PlannedRun, outcome: RunOutcome): void;
}

/** The runs to execute for `only`: each, and the runs it depends on that are not up to date. */
export function closure(plan: Plan, only: readonly string[]): Set<string> {
  const todo = new Set(runsToDo(plan).map((r) => r.key));
  const byKey = new Map(plan.runs.map((r) => [r.key, r]));
  const out = new Set<string>();
  const visit = (key: string) => {
    if (out.has(key)) return;
    const run = byKey.get(key);
    if (!run) return;
    out.add(key);
    for (const d of run.dependsOn) if (todo.has(d)) visit(d);
  };
  only.forEach(visit);
  return out;
}

/** The Web Lock one reduction holds: two at once (two tabs) would remake the same products over each other. */
const REDUCTION_LOCK = 'ccd-workbench-reduction';

/** Set while this tab's last reduction ends: its workers stop and its scratch is cleared, under the lock. */
let ending: Promise<void> | undefined;

/** Takes the reduction lock if no other tab holds it; resolves with its release, or undefined when it is taken. */
function takeReductionLock(): Promise<(() => void) | undefined> {
  const locks = navigator.locks;
  if (!locks?.request) return Promise.resolve(() => undefined);
  return new Promise((resolve) => {
    void locks.request(REDUCTION_LOCK, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(undefined);
        return undefined;
      }
      return new Promise<void>((release) => resolve(() => release()));
    });
  });
}

/**
 * The scheduler's halt rule: a full disk stops the runs not yet started
 * (storageFullHalt); the raw frames' copies then go, so that a restart finds
 * the room they held (src/db/rawCopies.ts).
 */
function haltForRoom(err: unknown): string | undefined {
  const why = storageFullHalt(err);
  if (why) void freeRawCopies().catch(() => 0);
  return why;
}

/** Plans the library and runs it: every run gets a record first, then goes to the workers. */
export async function startReduction(db: WorkbenchDb, opts: ReduceOptions = {}): Promise<Reduction> {
  holdSessionLock();
  // This tab's last reduction may still be clearing its scratch (holding the lock): a moment.
  await ending;
  const release = await takeReductionLock();
  if (!release) throw new Error('a reduction is running in another tab of this browser: wait for it to end there');
  try {
    // No run of any tab is using scratch now: what is there was left by a crashed or reloaded page.
    await clearScratchDirectory().catch(() => 0);
    // Copies of raw frames no longer in the library, or beyond the room kept for products (src/db/rawCopies.ts).
    await sweepRawCopies(db).catch(() => 0);
    return await planAndRun(db, opts, release);
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * How long a cancelled run may take to stop by itself. A run looks at its
 * cancel token between steps, frames and bands; one that has not stopped by
 * then is waiting for something that does not come (a storage call that never
 * returned was seen in the browser bench, README "Speed"): its worker is
 * terminated, so Cancel always ends the run.
 */
export const CANCEL_GRACE_MS = 10_000;

async function planAndRun(db: WorkbenchDb, opts: ReduceOptions, release: () => void): Promise<Reduction> {
  const plan = await planLibrary(db);
  const keys = opts.only ? closure(plan, opts.only) : new Set(runsToDo(plan).map((r) => r.key));
  const batch = `batch-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const { records, ids } = newRunRecords(plan, keys, batch, session);
  await createRuns(db, records);

  const batchCancel = createCancelSource({ mode: 'port' });
  const perRun = new Map<string, { source: CancelSource; cancel: () => void }>();
  const cancelledBeforeStart = new Set<string>();
  const progress: ReductionProgress = { batch, total: records.length, done: 0, running: new Map() };
  const report = () => opts.onProgress?.(progress);
  const p = getPool();
  const workerMemory = workerMemoryBytes();
  // The records this page writes for runs no worker finished; `done` waits for them, so that
  // the views see every run's end as soon as the reduction is said to have ended.
  const recording: Promise<unknown>[] = [];
  const done = executePlan(
    plan,
    async (spec, { share }) => {
      if (cancelledBeforeStart.has(spec.key)) throw new CancelledError(`${spec.label}: cancelled`);
      const source = createCancelSource();
      const kill = new AbortController();
      let grace: ReturnType<typeof setTimeout> | undefined;
      const cancel = () => {
        source.cancel();
        grace ??= setTimeout(() => kill.abort(new Error(`cancelled, and still running after ${CANCEL_GRACE_MS / 1000} s`)), CANCEL_GRACE_MS);
      };
      perRun.set(spec.key, { source, cancel });
      // Shown as running from its first progress report: until then it waits in the pool's queue.
      try {
        const memory = { worker: workerMemory, run: workerMemory * p.size * share };
        return await p.run((api) => api.run(spec, session, memory, source.token, Comlink.proxy((fraction: number, step: string) => {
          progress.running.set(spec.key, { label: spec.label, step, fraction });
          report();
        })), { kill: kill.signal });
      } catch (err) {
        if (!(err instanceof WorkerCrashedError)) throw err;
        if (kill.signal.aborted) {
          // Terminated after a cancel it did not answer: cancelled, and its unpublished strips go.
          await discardRunWrites(db, spec.id).catch((e: unknown) => console.warn(`${spec.label}: could not remove its unpublished strips`, e));
          throw new CancelledError(`${spec.label}: cancelled (its worker was stopped: the run did not stop within ${CANCEL_GRACE_MS / 1000} s)`);
        }
        // The worker died mid-run (out of memory, killed): it wrote neither the run's end nor
        // removed the strips of the product it was making. The pool has replaced it; the run fails
        // with the reason, and its other runs go on.
        await discardRunWrites(db, spec.id).catch((e: unknown) => console.warn(`${spec.label}: could not remove its unpublished strips`, e));
        const current = await getRun(db, spec.id);
        const step = current?.step && current.step !== 'start' ? ` at "${current.step}"` : '';
        throw new Error(`the pipeline worker stopped${step}: ${(err.cause as Error | undefined)?.message ?? err.message}. Restart the run; if it stops again, close other tabs to give the browser more memory.`);
      } finally {
        clearTimeout(grace);
        source.dispose();
        perRun.delete(spec.key);
        progress.running.delete(spec.key);
      }
    },
    { concurrency: p.size, queueAhead: 1, only: keys, cancel: batchCancel.token, newRunId: (run) => ids.get(run.key)!, haltOn: haltForRoom },
    {
      finish: (run, outcome) => {
        progress.done++;
        report();
        const id = ids.get(run.key);
        // The worker records what it ran; runs that never reached one (or whose worker was stopped) are recorded here.
        if (id && (outcome.status === 'not-run' || outcome.status === 'cancelled' || outcome.status === 'failed')) {
          recording.push((async () => {
            const current = await db.runs.get(id);
            if (!current || (current.status !== 'queued' && current.status !== 'running')) return;
            const cancelled = current.status === 'queued' ? 'cancelled before it started' : 'cancelled: its worker was stopped';
            const patch: Partial<RunRecord> = outcome.status === 'not-run'
              ? { status: 'failed', error: `not run: ${outcome.reason}`, endedAt: Date.now() }
              : outcome.status === 'cancelled' ? { status: 'cancelled', error: cancelled, endedAt: Date.now() } : { status: 'failed', error: outcome.error, endedAt: Date.now() };
            await updateRun(db, id, patch);
          })().catch((e: unknown) => console.warn(`${run.label}: its end not recorded`, e)));
        }
        opts.onFinish?.(run, outcome);
      },
    },
  ).then(async (outcome) => {
    // Each worker's last record writes (deferred past its runs' results) land before the end is said.
    await Promise.all([...recording, ...Array.from({ length: p.size }, () => p.run((api) => api.settled()).catch(() => undefined))]);
    return outcome;
  }).finally(() => {
    batchCancel.dispose();
    // Every run has settled: the workers go, and with them their calibration caches and heaps
    // (hundreds of MB after a night). The next reduction starts new ones. Their scratch files and
    // product copies (src/db/productMirror.ts) go too, before the lock lets another reduction in.
    if (pool === p) pool = undefined;
    ending = p.terminate()
      // The terminated workers' file handles close a moment after: up to 3 s for them.
      .then(() => clearScratchDirectory(undefined, 3000))
      .then(() => undefined, () => undefined)
      .finally(() => {
        release();
        warmPipeline();
      });
  });
  return {
    batch,
    plan,
    keys: [...keys],
    done,
    cancelAll: () => {
      batchCancel.cancel();
      for (const r of perRun.values()) r.cancel();
    },
    cancelRun: (key) => {
      const running = perRun.get(key);
      if (running) running.cancel();
      else cancelledBeforeStart.add(key);
    },
  };
}

/**
 * At start-up: runs a previous page left queued or running are interrupted,
 * and the strips they were writing are removed at once (their heartbeats may
 * still look fresh: the page was reloaded a moment ago).
 */
export async function sweepInterruptedRuns(db: WorkbenchDb): Promise<number> {
  holdSessionLock();
  const marked = await markInterrupted(db);
  if (marked) await sweepOrphanStrips(db);
  return marked;
}
