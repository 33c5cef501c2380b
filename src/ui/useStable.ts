/**
 * `value`, or the value returned before when `same` says they are alike: so
 * what a view derives from a query that answers anew with equal content
 * (effects, memos, a throttle's clock) does not run again for nothing.
 * The ref is written during render, but only ever to a value equal or new:
 * rendering twice gives the same result.
 */
import { useRef } from 'react';

export function useStable<T>(value: T, same: (a: T, b: T) => boolean): T {
  const kept = useRef(value);
  if (kept.current !== value && !same(kept.current, value)) kept.current = value;
  return kept.current;
}
