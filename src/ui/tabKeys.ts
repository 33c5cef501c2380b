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
