import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCRATCH_LIMIT, ScratchPool, give, releaseScratch, scratch, take, takeZeroed } from './scratch';

describe('scratch pool', () => {
  afterEach(() => {
    releaseScratch();
    scratch.limitBytes = DEFAULT_SCRATCH_LIMIT;
  });

  it('hands back the memory of an array given back, as any type of the same byte length', () => {
    const a = take(Float32Array, 1000);
    give(a);
    expect(take(Float64Array, 1000).buffer).not.toBe(a.buffer);
    expect(take(Float32Array, 999).buffer).not.toBe(a.buffer);
    const b = take(Int32Array, 1000);
    expect(b.buffer).toBe(a.buffer);
    expect(b).toBeInstanceOf(Int32Array);
    expect(b.length).toBe(1000);
    expect(take(Float32Array, 1000).buffer).not.toBe(a.buffer); // taken: no longer kept
    give(b);
    expect(take(Uint16Array, 2000).buffer).toBe(a.buffer);
  });

  it('poisons what is given back (tests run so) and zeroes on request', () => {
    expect(ScratchPool.poison).toBe(true);
    const f = take(Float32Array, 100).fill(3);
    const u = take(Uint8Array, 100).fill(3);
    const d = take(Float64Array, 50).fill(3);
    give(f, u, d);
    expect(Number.isNaN(f[17])).toBe(true);
    expect(Number.isNaN(d[17])).toBe(true);
    expect(u.every((v) => v !== 0 && v !== 3)).toBe(true);
    const z = takeZeroed(Uint8Array, 100);
    expect(z.buffer).toBe(u.buffer);
    expect(z.every((v) => v === 0)).toBe(true);
  });

  it('keeps no more than its limit, the newest first, and nothing once released', () => {
    scratch.limitBytes = 1000;
    const a = take(Uint8Array, 600), b = take(Uint8Array, 600), c = take(Uint8Array, 300);
    give(a, b);
    expect(scratch.heldBytes).toBe(600);
    give(c);
    expect(scratch.heldBytes).toBe(900);
    expect(take(Uint8Array, 600).buffer).toBe(b.buffer); // a made room for b
    expect(take(Uint8Array, 600).buffer).not.toBe(a.buffer);
    expect(take(Uint8Array, 300).buffer).toBe(c.buffer);
    give(a);
    releaseScratch();
    expect(scratch.heldBytes).toBe(0);
    expect(take(Uint8Array, 600).buffer).not.toBe(a.buffer);
  });

  it('keeps only the arrays it handed out: not a view of one, nor an array made elsewhere; refuses an array given twice', () => {
    const whole = new Float32Array(200);
    give(whole, whole.subarray(0, 100), whole.subarray(100));
    expect(scratch.heldBytes).toBe(0);
    const taken = take(Float32Array, 100);
    give(taken.subarray(0, 100)); // a view of all of it: still not the array
    expect(scratch.heldBytes).toBe(0);
    give(taken);
    expect(scratch.heldBytes).toBe(400);
    const a = take(Int32Array, 10);
    give(a);
    expect(() => give(a)).toThrow(/given back twice/);
  });
});
