/**
 * A value as a view shows it, at most once every `everyMs` while `everyMs`
 * is set, the latest value each time (and the last one once the wait is
 * over); at once while it is undefined.
 */
import { useEffect, useRef, useState } from 'react';

/** How long to wait before showing a new value, the last shown at `shownAt`: 0 when it may show now. */
export function throttleWait(shownAt: number, now: number, everyMs: number): number {
  return Math.max(0, shownAt + everyMs - now);
}

export function useThrottled<T>(value: T, everyMs: number | undefined): T {
  const [shown, setShown] = useState(value);
  const shownAt = useRef(0);
  useEffect(() => {
    const wait = everyMs === undefined ? 0 : throttleWait(shownAt.current, Date.now(), everyMs);
    const show = () => {
      // Only a value shown while throttled starts the clock: the first change after that begins shows at once.
      shownAt.current = everyMs === undefined ? 0 : Date.now();
      setShown(value);
    };
    if (wait === 0) {
      show();
      return;
    }
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [value, everyMs]);
  return everyMs === undefined ? value : shown;
}
