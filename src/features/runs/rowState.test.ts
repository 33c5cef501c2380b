import { describe, expect, it } from 'vitest';
import type { PlannedRun } from '../../core/pipeline/plan';
import type { RunRecord } from '../../db/types';
import { CATCH_UP_MS } from '../../ui/useCaughtUp';
import { rowState } from './rowState';

const NOW = 1_800_000_000_000;
const run = (existing?: { id: string; upToDate: boolean }): PlannedRun => ({ key: 'k', existing } as unknown as PlannedRun);
const record = (status: RunRecord['status'], extra: Partial<RunRecord> = {}): RunRecord => ({ id: 'r', key: 'k', status, createdAt: NOW - 5000, ...extra } as RunRecord);

describe('rowState', () => {
  it('a product the plan has not seen yet: done for a moment, then to run (the product went)', () => {
    const done = record('done', { productId: 'p2', endedAt: NOW - 500 });
    expect(rowState(run(), done, new Set(['k']), NOW)).toBe('done');
    expect(rowState(run(), done, new Set(['k']), NOW + CATCH_UP_MS)).toBe('to run');
    // A re-run of a stale product: the plan still has the old one.
    expect(rowState(run({ id: 'p1', upToDate: false }), done, new Set(['k']), NOW)).toBe('done');
  });

  it('the plan\'s own word otherwise', () => {
    expect(rowState(run({ id: 'p2', upToDate: true }), record('done', { productId: 'p2', endedAt: NOW - 500 }), new Set(), NOW)).toBe('done');
    // Made stale right after it was made (a parameter changed): the plan says so at once.
    expect(rowState(run({ id: 'p2', upToDate: false }), record('done', { productId: 'p2', endedAt: NOW - 500 }), new Set(['k']), NOW)).toBe('stale');
    expect(rowState(run({ id: 'p2', upToDate: true }), undefined, new Set(), NOW)).toBe('up to date');
    expect(rowState(run(), record('running'), new Set(['k']), NOW)).toBe('running');
    expect(rowState(run(), record('failed'), new Set(['k']), NOW)).toBe('failed');
    expect(rowState(run(), undefined, new Set(['k']), NOW)).toBe('to run');
  });
});
