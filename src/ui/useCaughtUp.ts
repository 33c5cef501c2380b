/**
 * Whether the views have caught up with work that has just ended (caughtUp,
 * below): true once the live query a view shows lists every file the work
 * stored (a reduction's products, an ingest's files), or CATCH_UP_MS after
 * it ended, whichever comes first.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Finished } from './reduction';
import type { LivePlan } from './usePlan';

/** Work that has ended: when (ms since epoch) and the ids of the files it stored. */
export interface Ended {
  at: number;
  ids: readonly string[];
}

/**
 * Past this, ended work is said to be done whether or not the live query has
 * caught up (a file deleted in the meantime never shows). Generous: on a
 * machine whose two cores are busy the live queries were seen more than 3 s
 * behind, and the "updating" line it holds costs nothing when they are not.
 */
export const CATCH_UP_MS = 10_000;

/**
 * The live query has seen every file the ended work stored: what it shows
 * then agrees with the "complete" or "Done" beside it. The live queries
 * follow the database a few hundred ms behind (throttled), and a status
 * saying complete beside a plan still saying "1 run to do" (or "Done: 27
 * files" above a list of 23) reads as a contradiction.
 */
export function caughtUp(ended: Ended, known: ReadonlySet<string> | undefined, now = Date.now(), othersBehind = false): boolean {
  if (now - ended.at >= CATCH_UP_MS) return true;
  return !othersBehind && !!known && ended.ids.every((id) => known.has(id));
}

/**
 * caughtUp for a view, re-rendered when the wait runs out (should a file never show: deleted meanwhile).
 * `othersBehind`: another live query the view shows beside has not caught up yet (the same wait applies).
 */
export function useCaughtUp(ended: Ended | undefined, known: ReadonlySet<string> | undefined, othersBehind = false): boolean {
  const [, expire] = useState(0);
  useEffect(() => {
    if (!ended) return;
    const left = ended.at + CATCH_UP_MS - Date.now();
    if (left <= 0) return;
    const timer = setTimeout(() => expire((n) => n + 1), left);
    return () => clearTimeout(timer);
  }, [ended]);
  return !ended || caughtUp(ended, known, Date.now(), othersBehind);
}

/**
 * A finished reduction caught up by the views' live plan (its products among
 * the plan's frames) and, when a view also lists products from a query of its
 * own (the runs view), by that list too; `rowsBehind`: the view's run records
 * still show runs of it queued or running.
 */
export function useReductionCaughtUp(finished: Finished | undefined, live: LivePlan, listed?: readonly { id: string }[], rowsBehind = false): boolean {
  const known = useMemo(() => {
    if (!live.input) return undefined;
    const inPlan = new Set(live.input.frames.map((f) => f.id));
    if (!listed) return inPlan;
    return new Set(listed.map((f) => f.id).filter((id) => inPlan.has(id)));
  }, [live.input, listed]);
  const ended = useMemo(() => (finished ? { at: finished.at, ids: finished.products } : undefined), [finished]);
  return useCaughtUp(ended, known, rowsBehind);
}
