import { describe, expect, it } from 'vitest';
import { CATCH_UP_MS, caughtUp } from './useCaughtUp';

const finished = { at: 1_000_000, ids: ['p1', 'p2'] };

describe('caughtUp', () => {
  it('waits until the live query holds every file the work stored', () => {
    expect(caughtUp(finished, undefined, finished.at + 10)).toBe(false);
    expect(caughtUp(finished, new Set(['raw', 'p1']), finished.at + 10)).toBe(false);
    expect(caughtUp(finished, new Set(['raw', 'p1', 'p2']), finished.at + 10)).toBe(true);
  });
  it('gives up waiting after CATCH_UP_MS (a product deleted meanwhile never shows)', () => {
    expect(caughtUp(finished, new Set(), finished.at + CATCH_UP_MS - 1)).toBe(false);
    expect(caughtUp(finished, new Set(), finished.at + CATCH_UP_MS)).toBe(true);
  });
  it('waits too while another query beside it is behind (the plan\'s rows), within the same CATCH_UP_MS', () => {
    const all = new Set(['p1', 'p2']);
    expect(caughtUp(finished, all, finished.at + 10, true)).toBe(false);
    expect(caughtUp(finished, all, finished.at + CATCH_UP_MS, true)).toBe(true);
  });
  it('has nothing to wait for when nothing was stored', () => {
    expect(caughtUp({ ...finished, ids: [] }, new Set(), finished.at)).toBe(true);
  });
});
