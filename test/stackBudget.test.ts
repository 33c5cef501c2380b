/**
 * The pipeline's stack step (stackStage.ts) within its budget when it writes
 * its product band by band, measured in bytes (./memoryProbe.ts): members
 * read from the store, shifted onto the reference grid (their bands with the
 * interpolation's margin) or not, 4096 pixels wide, strips of 8 and 64 rows.
 * When steps follow the stack, its result is a whole frame in memory, which
 * this budget does not cover (the engine keeps it as the run's frame).
 */
import { describe, expect, it } from 'vitest';
import { bytesForStrips } from '../src/core/kernels/combineStream';
import { MemoryStore } from '../src/core/pipeline/memoryStore';
import { Parking } from '../src/core/pipeline/parking';
import { SHIFT_BYTES_PER_PIXEL, shiftShared, stackMembers } from '../src/core/pipeline/stackStage';
import { makeMember, recipeValues } from '../src/core/pipeline/testing/frames';
import { memoryProbe } from './memoryProbe';
import { releaseScratch } from '../src/core/kernels/scratch';

describe('stackMembers within its budget, writing its product', () => {
  // 100 rows: the last strip is shorter than the others (arrays kept from the others must not sit beside its own).
  for (const [shifted, rows, H] of [[false, 8, 128], [false, 64, 128], [true, 8, 128], [true, 64, 128], [false, 64, 100], [true, 64, 100]] as const) {
    {
      it(`${shifted ? 'shifted' : 'unshifted'} members, strips of ${rows} rows, ${H} rows in all`, async () => {
        const W = 4096, N = 4;
        const store = new MemoryStore();
        const members = [];
        for (let i = 0; i < N; i++) {
          const sci = new Float32Array(W * H), v = new Float32Array(W * H), dq = new Uint16Array(W * H);
          for (let p = 0; p < W * H; p++) {
            sci[p] = 100 + ((p * 7919 + i * 13) % 97);
            v[p] = 10 + (p % 5);
            dq[p] = p % 101 === 0 ? 8 : 0;
          }
          const stored = store.add({ id: `m${i}`, name: `m${i}.fits`, primary: [], exts: [{ header: [], frame: { width: W, height: H, sci, var: v, dq } }] });
          const m = makeMember(stored);
          if (shifted) m.shift = { dx: 0.3 * i, dy: 0.7 * i, kernel: 'lanczos3' };
          members.push(m);
        }
        // Nothing parked in memory: every member is read from the store.
        const parking = new Parking(store, 0);
        const p = recipeValues('stackScience', 'stackFrames', { reject: 'none', scale: 'none' });
        // The product's planes are the store's (allocated here, before the probe starts).
        const writer = await store.create({ role: 'product', name: 'x', exts: [{ extver: 1, width: W, height: H, var: true, dq: true }] });
        // The budget the stack plans `rows`-row strips with: its own accounting of a shifted member (16 bytes more per pixel)
        // and of what the shifts keep once (the last band and its temporaries, in the scratch pool).
        const memoryBytes = bytesForStrips(rows, { nFrames: N, width: W, height: H, bytesPerPixelPerFrame: 4 + 4 + 2 + (shifted ? SHIFT_BYTES_PER_PIXEL : 0), ...shiftShared(members, W) });
        const probe = memoryProbe();
        // What earlier tests left in the scratch pool would be reused unseen and hide this one's own.
        releaseScratch();
        probe.start();
        try {
          await stackMembers(members, p, { parking, memoryBytes, log: () => {} }, writer);
        } finally {
          probe.stop();
        }
        console.log(`${shifted ? 'shifted' : 'unshifted'}, ${rows} rows: peak ${(probe.peak / 2 ** 20).toFixed(3)} MB of a ${(memoryBytes / 2 ** 20).toFixed(3)} MB budget`);
        expect(probe.checkpoints).toBeGreaterThan(0);
        expect(probe.peak).toBeLessThanOrEqual(memoryBytes);
      }, 120_000);
    }
  }
});
