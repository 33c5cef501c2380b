import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCRATCH_LIMIT, give, releaseScratch, scratch, take, takeZeroed } from './scratch';

describe('scratch pool', () => {
  afterEach(() => {
    releaseScratch();
    scratch.limitBytes = DEFAULT_SCRATCH_LIMIT;
  });

  it('hands back an array given back, of the same type and length only', () => {
    const a = take(Float32Array, 1000);
    give(a);
    expect(take(Float64Array, 1000)).not.toBe(a);
    expect(take(Float32Array, 999)).not.toBe(a);
    expect(take(Float32Array, 1000)).toBe(a);
    expect(take(Float32Array, 1000)).not.toBe(a); // taken: no longer kept
  });

  it('poisons what is given back (tests run so) and zeroes on request', () => {
    expect(scratch.poison).toBe(true);
    const f = take(Float32Array, 100).fill(3);
    const u = take(Uint8Array, 100).fill(3);
    give(f, u);
    expect(Number.isNaN(f[17])).toBe(true);
    expect(u[17]).toBe(0xa5);
    const z = takeZeroed(Uint8Array, 100);
    expect(z).toBe(u);
    expect(z.every((v) => v === 0)).toBe(true);
  });

  it('keeps no more than its limit, and nothing once released', () => {
    scratch.limitBytes = 1000;
    const a = take(Uint8Array, 600), b = take(Uint8Array, 600);
    give(a, b);
    expect(scratch.heldBytes).toBe(600);
    expect(take(Uint8Array, 600)).toBe(a);
    expect(take(Uint8Array, 600)).not.toBe(b);
    give(a);
    releaseScratch();
    expect(scratch.heldBytes).toBe(0);
    expect(take(Uint8Array, 600)).not.toBe(a);
  });

  it('never keeps a view (its buffer is someone else\'s) and refuses an array given twice', () => {
    const whole = new Float32Array(200);
    give(whole.subarray(0, 100), whole.subarray(100));
    expect(scratch.heldBytes).toBe(0);
    const a = take(Int32Array, 10);
    give(a);
    expect(() => give(a)).toThrow(/given back twice/);
  });
});
