import { describe, expect, it } from 'vitest';
import { pendingNow, tracked } from './pending';

describe('tracked', () => {
  it('lists a call while it is waited for, longest first, and forgets it once settled either way', async () => {
    let finish!: () => void;
    let fail!: (e: Error) => void;
    const a = tracked('IndexedDB publish a.fits', new Promise<void>((r) => (finish = r)));
    await new Promise((r) => setTimeout(r, 20));
    const b = tracked('OPFS getFileHandle b', new Promise<void>((_, j) => (fail = j)));
    const now = pendingNow().filter((p) => /a\.fits|getFileHandle b/.test(p.label));
    expect(now.map((p) => p.label)).toEqual(['IndexedDB publish a.fits', 'OPFS getFileHandle b']);
    expect(now[0]!.seconds).toBeGreaterThanOrEqual(0.015);
    finish();
    fail(new Error('gone'));
    await a;
    await expect(b).rejects.toThrow('gone');
    expect(pendingNow().filter((p) => /a\.fits|getFileHandle b/.test(p.label))).toEqual([]);
    // The worker's own entry point for a harness that asks it.
    expect((globalThis as { ccdPending?: unknown }).ccdPending).toBe(pendingNow);
  });
});
