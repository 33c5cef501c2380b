import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReduceOptions, Reduction, ReductionProgress } from '../../workers/pipelineClient';
import type { PlanOutcome } from '../core/pipeline/scheduler';

// The page's reduction state over a stand-in for the worker client: what the views are shown, when.
let options: ReduceOptions | undefined;
let finish: (o: PlanOutcome) => void;
let fail: (err: Error) => void;
vi.mock('../../workers/pipelineClient', () => ({
  startReduction: async (_db: unknown, opts: ReduceOptions): Promise<Reduction> => {
    options = opts;
    const done = new Promise<PlanOutcome>((ok, bad) => {
      finish = ok;
      fail = bad;
    });
    return { batch: 'b1', plan: { runs: [{ key: 'k1', label: 'Master bias' }] } as never, keys: ['k1'], done, cancelAll: () => undefined, cancelRun: () => undefined };
  },
}));
vi.mock('../db/schema', () => ({ getDb: () => ({}) }));

const { useReduction, PROGRESS_MS } = await import('./reduction');

const report = (fraction: number): ReductionProgress => ({ batch: 'b1', total: 1, done: 0, running: new Map([['k1', { label: 'Master bias', step: 'stackFrames', fraction }]]) });

describe('the reduction the page runs', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    useReduction.setState({ active: undefined, progress: undefined, finished: undefined, error: undefined, starting: false });
  });

  it('shows progress at most every PROGRESS_MS, the latest each time, and none once the reduction has ended', async () => {
    const started = useReduction.getState().start();
    await vi.waitFor(() => expect(useReduction.getState().active).toBeDefined());
    options!.onProgress!(report(0.1));
    options!.onProgress!(report(0.4));
    expect(useReduction.getState().progress?.running.size).toBe(0);
    vi.advanceTimersByTime(PROGRESS_MS);
    expect(useReduction.getState().progress?.running.get('k1')?.fraction).toBe(0.4);
    options!.onProgress!(report(0.8));
    finish({ outcomes: new Map([['k1', { status: 'done', product: { id: 'p1', name: 'bias.fits' } }]]), seconds: 1 });
    await started;
    vi.advanceTimersByTime(PROGRESS_MS);
    const s = useReduction.getState();
    expect(s.active).toBeUndefined();
    expect(s.progress).toBeUndefined();
    expect(s.finished).toMatchObject({ batch: 'b1', total: 1, failed: [], products: ['p1'] });
  });

  it('keeps no progress after a reduction that broke off with an error', async () => {
    const started = useReduction.getState().start();
    await vi.waitFor(() => expect(useReduction.getState().active).toBeDefined());
    options!.onProgress!(report(0.5));
    fail(new Error('the database is gone'));
    await started;
    vi.advanceTimersByTime(PROGRESS_MS);
    const s = useReduction.getState();
    expect(s.progress).toBeUndefined();
    expect(s.error).toBe('the database is gone');
  });
});
