/**
 * The keys of a tab list (WAI-ARIA's tabs pattern): the tab list is one stop
 * of the Tab key, and the arrow keys, Home and End move between its tabs,
 * selecting the one they reach (automatic activation).
 */

/** The tab a key moves to from tab `at` of `count`, or undefined when the key is not one of the tab list's. */
export function tabAfterKey(key: string, at: number, count: number): number | undefined {
  switch (key) {
    case 'ArrowRight': return (at + 1) % count;
    case 'ArrowLeft': return (at - 1 + count) % count;
    case 'Home': return 0;
    case 'End': return count - 1;
    default: return undefined;
  }
}

/**
 * A tab list's keydown: on one of its tabs, the arrows, Home and End choose
 * the next tab (`choose`) and focus it. The key is the tab list's alone: a
 * view it opens (the inspector pans on arrows) must not take it too, and
 * Alt/Ctrl/Meta arrows are the browser's (Alt+Left is Back).
 */
export function onTabListKey(
  e: { key: string; altKey: boolean; ctrlKey: boolean; metaKey: boolean; target: EventTarget; currentTarget: HTMLElement; preventDefault(): void; stopPropagation(): void },
  at: number, count: number, choose: (next: number) => void,
): void {
  if ((e.target as HTMLElement).getAttribute('role') !== 'tab' || e.altKey || e.ctrlKey || e.metaKey) return;
  const next = tabAfterKey(e.key, at, count);
  if (next === undefined) return;
  e.preventDefault();
  e.stopPropagation();
  choose(next);
  e.currentTarget.querySelectorAll<HTMLElement>('[role="tab"]')[next]?.focus();
}
