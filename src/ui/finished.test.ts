import { describe, expect, it } from 'vitest';
import { finishedSummary, type Finished } from './finished';

const base: Finished = { batch: 'b', total: 5, failed: [], cancelled: 0, at: 0, products: [] };

describe('finishedSummary', () => {
  it('counts failed, cancelled and not-run runs apart', () => {
    const f: Finished = {
      ...base,
      cancelled: 1,
      failed: [
        { key: 'a', label: 'A', reason: 'needs "F", which was cancelled', notRun: true },
        { key: 'b', label: 'B', reason: 'needs "F", which was cancelled', notRun: true },
        { key: 'c', label: 'C', reason: 'disk full' },
      ],
    };
    expect(finishedSummary(f)).toBe('Reduction finished: 1 of 5 runs done, 1 failed, 1 cancelled, 2 not run.');
    expect(finishedSummary({ ...base, cancelled: 2 })).toBe('Reduction finished: 3 of 5 runs done, 2 cancelled.');
  });
});
