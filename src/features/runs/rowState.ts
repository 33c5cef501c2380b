/** The state a row of the plan shows, from its run and the latest record of its product slot. */
import type { PlannedRun } from '../../core/pipeline/plan';
import type { RunRecord } from '../../db/types';

export type RowState = 'to run' | 'stale' | 'up to date' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** `todo`: the keys the live plan would run now; `runningBatch`: the batch of the reduction this page runs now, if any. */
export function rowState(run: PlannedRun, last: RunRecord | undefined, todo: ReadonlySet<string>, runningBatch?: string): RowState {
  if (last && (last.status === 'queued' || last.status === 'running')) return last.status;
  if (run.existing?.upToDate && !todo.has(run.key)) return last?.status === 'done' ? 'done' : 'up to date';
  if (last && (last.status === 'failed' || last.status === 'cancelled' || last.status === 'interrupted')) return last.status;
  // Done in the reduction running now, with a product the plan has not seen yet: the plan follows the
  // files in a live query of its own, a moment behind the run records'. Without this the row read
  // "to run" (or "stale") in between, in the middle of a reduction. Once the reduction ends, the
  // plan's word again (the line above the plan waits for it to catch up).
  if (last?.status === 'done' && runningBatch !== undefined && last.batch === runningBatch && last.productId && run.existing?.id !== last.productId) return 'done';
  return run.existing ? 'stale' : 'to run';
}
