/**
 * The plan of the stored library, kept current: rebuilt (throttled) whenever
 * files, pins, exclusions, overrules or parameters change. Every view reads
 * this same plan, the one "Reduce all" runs; none recomputes association on
 * its own.
 */
import { useMemo } from 'react';
import { buildPlan, staleProducts, runsToDo, type Plan, type PlanInput } from '../core/pipeline/plan';
import { getDb } from '../db/schema';
import { loadPlanInput } from '../../workers/pipelineClient';
import { useThrottledLiveQuery } from './useThrottledLiveQuery';

export interface LivePlan {
  input?: PlanInput;
  plan?: Plan;
  /** Why the plan could not be built (a bad parameter layer, say). */
  error?: string;
  /** Keys of the runs "Reduce all" would execute (missing or stale products). */
  todo: Set<string>;
  /** Products whose run must go again, by product id. */
  stale: Map<string, string>;
}

export const PLAN_TABLES = ['files', 'pins', 'exclusions', 'overrules', 'params'];

export function usePlan(): LivePlan {
  const input = useThrottledLiveQuery(() => loadPlanInput(getDb()), PLAN_TABLES);
  return useMemo(() => {
    if (!input) return { todo: new Set(), stale: new Map() };
    try {
      const plan = buildPlan(input);
      return {
        input,
        plan,
        todo: new Set(runsToDo(plan).map((r) => r.key)),
        stale: new Map(staleProducts(plan).map((p) => [p.id, p.run])),
      };
    } catch (err) {
      return { input, error: err instanceof Error ? err.message : String(err), todo: new Set(), stale: new Map() };
    }
  }, [input]);
}
