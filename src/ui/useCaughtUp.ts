/**
 * Whether the views have caught up with a finished reduction (caughtUp,
 * below): true once the live plan was built from a
 * library holding every product the reduction made, or CATCH_UP_MS after it
 * ended, whichever comes first.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Finished } from './reduction';
import type { LivePlan } from './usePlan';

/**
 * Past this, a finished reduction is said to be complete whether or not the
 * live plan has caught up (a product deleted in the meantime never shows).
 */
export const CATCH_UP_MS = 3000;

/**
 * The views' live plan has seen every product of the finished reduction: the
 * plan, the products list and the library then agree with "Reduction
 * complete" when it shows. The live queries follow the database a few
 * hundred ms behind (throttled), and a status saying complete beside a plan
 * still saying "1 run to do" reads as a contradiction.
 */
export function caughtUp(finished: Finished, known: ReadonlySet<string> | undefined, now = Date.now()): boolean {
  if (now - finished.at >= CATCH_UP_MS) return true;
  return !!known && finished.products.every((id) => known.has(id));
}

export function useCaughtUp(finished: Finished | undefined, live: LivePlan): boolean {
  const known = useMemo(() => (live.input ? new Set(live.input.frames.map((f) => f.id)) : undefined), [live.input]);
  // A re-render when the wait runs out, should the plan never show a product (deleted meanwhile).
  const [, expire] = useState(0);
  useEffect(() => {
    if (!finished) return;
    const left = finished.at + CATCH_UP_MS - Date.now();
    if (left <= 0) return;
    const timer = setTimeout(() => expire((n) => n + 1), left);
    return () => clearTimeout(timer);
  }, [finished]);
  return !finished || caughtUp(finished, known);
}
