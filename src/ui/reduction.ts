/**
 * The reduction running in this page, if any: its progress (runs done of the
 * total, the step each running run is in), and how it ended. The runs
 * themselves are recorded in IndexedDB (src/db/runs.ts); this holds what only
 * this page knows, for the progress bar and the final status.
 */
import { create } from 'zustand';
import type { PlanOutcome, RunOutcome } from '../core/pipeline/scheduler';
import { getDb } from '../db/schema';
import { startReduction, type Reduction, type ReductionProgress } from '../../workers/pipelineClient';
import type { Finished } from './finished';

export { finishedSummary, type Finished } from './finished';

interface ReductionState {
  /** Set the moment Reduce all is pressed, before the plan is built: a second press does nothing. */
  starting: boolean;
  active?: Reduction;
  progress?: ReductionProgress;
  finished?: Finished;
  /** Why the last start failed (a plan that could not be built). */
  error?: string;
  /** Runs of the active reduction the user cancelled, until it ends (a running one stops at its next step). */
  cancelling: ReadonlySet<string>;
  /** Runs the plan (or only these product slots and what they need) in the workers. */
  start(only?: string[]): Promise<void>;
  cancelAll(): void;
  cancelRun(key: string): void;
}

function reasonOf(o: RunOutcome): string {
  return o.status === 'failed' ? o.error : o.status === 'not-run' ? o.reason : o.status === 'cancelled' ? 'cancelled' : '';
}

/**
 * Progress comes many times a second (every step of every frame of every
 * run); the views show it at most this often, the latest state each time.
 * Each report re-rendered the plan table and the bar, on a machine whose
 * cores the workers and IndexedDB's threads need. (On the browser bench
 * night the page's thread took 4.5-4.7 s of CPU in a reduction before, 3.2-5.2
 * s after: within this machine's spread, so the gain is not proven.)
 */
export const PROGRESS_MS = 250;

export const useReduction = create<ReductionState>((set, get) => ({
  starting: false,
  cancelling: new Set(),
  start: async (only) => {
    if (get().active || get().starting) return;
    set({ starting: true, error: undefined, finished: undefined });
    let reduction: Reduction;
    // The client updates one progress object in place: the state gets a copy of it as it is when shown.
    let latest: ReductionProgress | undefined;
    let showing: ReturnType<typeof setTimeout> | undefined;
    const show = () => {
      showing = undefined;
      if (latest) set({ progress: { ...latest, running: new Map(latest.running) } });
    };
    try {
      reduction = await startReduction(getDb(), {
        only,
        onProgress: (p) => {
          latest = p;
          showing ??= setTimeout(show, PROGRESS_MS);
        },
      });
    } catch (err) {
      clearTimeout(showing);
      set({ starting: false, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    set({ starting: false, active: reduction, cancelling: new Set(), progress: { batch: reduction.batch, total: reduction.keys.length, done: 0, running: new Map() } });
    let outcome: PlanOutcome;
    try {
      outcome = await reduction.done;
    } catch (err) {
      set({ active: undefined, progress: undefined, error: err instanceof Error ? err.message : String(err) });
      return;
    } finally {
      clearTimeout(showing);
      showing = undefined;
    }
    const labels = new Map(reduction.plan.runs.map((r) => [r.key, r.label]));
    const failed: Finished['failed'] = [];
    const products: string[] = [];
    let cancelled = 0;
    for (const key of reduction.keys) {
      const o = outcome.outcomes.get(key);
      if (o?.status === 'done') products.push(o.product.id);
      if (!o || o.status === 'done') continue;
      if (o.status === 'cancelled') cancelled++;
      else failed.push({ key, label: labels.get(key) ?? key, reason: reasonOf(o), ...(o.status === 'not-run' ? { notRun: true } : {}) });
    }
    // The last throttled progress is not kept: it would say a run is at 80% after it ended.
    set({ active: undefined, progress: undefined, finished: { batch: reduction.batch, total: reduction.keys.length, failed, cancelled, at: Date.now(), products } });
  },
  cancelAll: () => {
    const { active } = get();
    if (!active) return;
    set({ cancelling: new Set(active.keys) });
    active.cancelAll();
  },
  cancelRun: (key) => {
    const { active, cancelling } = get();
    if (!active) return;
    set({ cancelling: new Set(cancelling).add(key) });
    active.cancelRun(key);
  },
}));
