import { describe, expect, it } from 'vitest';
import type { PlannedRun } from '../../core/pipeline/plan';
import type { RunRecord } from '../../db/types';
import { rowState } from './rowState';

const NOW = 1_800_000_000_000;
const run = (existing?: { id: string; upToDate: boolean }): PlannedRun => ({ key: 'k', existing } as unknown as PlannedRun);
const record = (status: RunRecord['status'], extra: Partial<RunRecord> = {}): RunRecord => ({ id: 'r', key: 'k', status, createdAt: NOW - 5000, ...extra } as RunRecord);

describe('rowState', () => {
  it('done in the reduction running now, its product not in the plan yet: done', () => {
    const done = record('done', { productId: 'p2', batch: 'b2' });
    expect(rowState(run(), done, new Set(['k']), 'b2')).toBe('done');
    // A re-run of a stale product: the plan still has the old one.
    expect(rowState(run({ id: 'p1', upToDate: false }), done, new Set(['k']), 'b2')).toBe('done');
    // Not running now, or done in an earlier reduction (its product deleted since): the plan's word.
    expect(rowState(run(), done, new Set(['k']))).toBe('to run');
    expect(rowState(run(), done, new Set(['k']), 'b3')).toBe('to run');
  });

  it('the plan\'s own word otherwise', () => {
    expect(rowState(run({ id: 'p2', upToDate: true }), record('done', { productId: 'p2', endedAt: NOW - 500 }), new Set())).toBe('done');
    // Made stale right after it was made (a parameter changed): the plan says so at once.
    expect(rowState(run({ id: 'p2', upToDate: false }), record('done', { productId: 'p2', endedAt: NOW - 500 }), new Set(['k']))).toBe('stale');
    expect(rowState(run({ id: 'p2', upToDate: true }), undefined, new Set())).toBe('up to date');
    expect(rowState(run(), record('running'), new Set(['k']))).toBe('running');
    expect(rowState(run(), record('failed'), new Set(['k']))).toBe('failed');
    expect(rowState(run(), undefined, new Set(['k']))).toBe('to run');
  });
});
