/** The state a row of the plan shows, from its run and the latest record of its product slot. */
import type { PlannedRun } from '../../core/pipeline/plan';
import type { RunRecord } from '../../db/types';
import { CATCH_UP_MS } from '../../ui/useCaughtUp';

export type RowState = 'to run' | 'stale' | 'up to date' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** `todo`: the keys the live plan would run now. */
export function rowState(run: PlannedRun, last: RunRecord | undefined, todo: ReadonlySet<string>, now = Date.now()): RowState {
  if (last && (last.status === 'queued' || last.status === 'running')) return last.status;
  if (run.existing?.upToDate && !todo.has(run.key)) return last?.status === 'done' ? 'done' : 'up to date';
  if (last && (last.status === 'failed' || last.status === 'cancelled' || last.status === 'interrupted')) return last.status;
  // The record says done, with a product the plan has not seen yet: the plan follows the files in a
  // live query of its own, a moment behind the run records'. Without this the row read "to run" (or
  // "stale") in between, in the middle of a reduction. For CATCH_UP_MS the record is believed.
  if (last?.status === 'done' && last.productId && run.existing?.id !== last.productId && now - (last.endedAt ?? 0) < CATCH_UP_MS) return 'done';
  return run.existing ? 'stale' : 'to run';
}
