/** What the runs view shows, from IndexedDB (run records, products) and the live plan. */
import { useMemo } from 'react';
import { listProducts } from '../../db/products';
import { listRuns } from '../../db/runs';
import { getDb } from '../../db/schema';
import type { FileRecord, RunRecord } from '../../db/types';
import type { PlannedRun } from '../../core/pipeline/plan';
import { usePlan, type LivePlan } from '../../ui/usePlan';
import { useThrottledLiveQuery } from '../../ui/useThrottledLiveQuery';
import { missingCalibrations } from '../../core/pipeline/plan';
import { rowState, type RowState } from './rowState';
import { useReduction } from '../../ui/reduction';

export type { RowState };

export interface PlanRow {
  run: PlannedRun;
  /** The latest execution of this product slot, if any. */
  last?: RunRecord;
  state: RowState;
  /** Calibration steps its frames go without because none was usable (not skipped by the user). */
  missing: string[];
}

export interface RunsData {
  live: LivePlan;
  rows: PlanRow[];
  /** Run records of slots the current plan no longer has (their frames were deleted, say). */
  orphans: RunRecord[];
  products: FileRecord[];
  runsLoaded: boolean;
}

const loadProducts = () => listProducts(getDb());

export function useRunsData(): RunsData {
  const live = usePlan();
  const runs = useThrottledLiveQuery(() => listRuns(getDb()), ['runs'], 200, 'the runs');
  const products = useThrottledLiveQuery(loadProducts, ['files']);
  const runningBatch = useReduction((s) => s.active?.batch);
  return useMemo(() => {
    const latest = new Map<string, RunRecord>();
    for (const r of runs ?? []) {
      const prev = latest.get(r.key);
      if (!prev || prev.createdAt < r.createdAt || (prev.createdAt === r.createdAt && prev.id < r.id)) latest.set(r.key, r);
    }
    const missing = live.plan ? missingCalibrations(live.plan) : new Map<string, string[]>();
    const rows = (live.plan?.runs ?? []).map((run): PlanRow => {
      const last = latest.get(run.key);
      return { run, last, state: rowState(run, last, live.todo, runningBatch), missing: missing.get(run.key) ?? [] };
    });
    const planned = new Set(rows.map((r) => r.run.key));
    const orphans = [...latest.values()].filter((r) => !planned.has(r.key) && r.status !== 'done');
    return { live, rows, orphans, products: products ?? [], runsLoaded: runs !== undefined };
  }, [live, runs, products, runningBatch]);
}
