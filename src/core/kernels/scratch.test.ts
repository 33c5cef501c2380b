import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCRATCH_LIMIT, ScratchPool, borrow, carving, give, releaseScratch, scratch, take, takeZeroed, takeZeroedFrom } from './scratch';

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

  it('lends an array for the length of a call and takes it back when the call returns or throws', () => {
    let lent: Float32Array | undefined;
    expect(borrow(Float32Array, 100, (a) => { lent = a.fill(2); return a[5] + 1; })).toBe(3);
    expect(Number.isNaN(lent![5])).toBe(true); // given back (and poisoned)
    expect(() => borrow(Float32Array, 100, (a) => { expect(a.buffer).toBe(lent!.buffer); throw new Error('no'); })).toThrow('no');
    expect(take(Float32Array, 100).buffer).toBe(lent!.buffer); // back in the pool after the throw too
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

  describe('carving (a streamed combine\'s strips)', () => {
    it('cuts arrays out of the kept buffers, reclaims them at each round, and keeps the buffers whole after', async () => {
      const frame = take(Float32Array, 4096); // a 16 kB "frame plane"
      give(frame);
      const seen: { buffer: ArrayBufferLike; offset: number }[][] = [];
      await carving(1 << 20, [0, 1, 2], async (_r, alloc) => {
        const a = alloc.take(Float32Array, 1000), b = alloc.take(Uint16Array, 1001), c = takeZeroedFrom(alloc, Float64Array, 300);
        expect(c.every((v) => v === 0)).toBe(true);
        a.fill(1);
        b.fill(2);
        seen.push([a, b, c].map((x) => ({ buffer: x.buffer, offset: x.byteOffset })));
        expect(a[999]).toBe(1); // no overlap: b and c come after a
        expect(c.byteOffset % 8).toBe(0);
      });
      // Every cut was in the frame's buffer, at the same place each round.
      for (const round of seen) {
        expect(round.map((x) => x.buffer)).toEqual([frame.buffer, frame.buffer, frame.buffer]);
        expect(round.map((x) => x.offset)).toEqual([0, 4000, 6008]);
      }
      expect(scratch.heldBytes).toBe(16384);
      expect(take(Int32Array, 4096).buffer).toBe(frame.buffer); // whole again
    });

    it('leaves the realm\'s take() alone: what another owner takes meanwhile is its own, and outlives the round', async () => {
      const frame = take(Float32Array, 4096);
      give(frame);
      let kept: Float32Array | undefined;
      await carving(1 << 20, [0, 1], async (r, alloc) => {
        const cut = alloc.take(Float32Array, 1000).fill(1);
        expect(cut.buffer).toBe(frame.buffer);
        // A store's decoded cache, say: an ordinary array, not cut from the carving's buffers.
        if (r === 0) kept = take(Float32Array, 1000).fill(7);
        expect(kept!.buffer).not.toBe(frame.buffer);
      });
      expect(kept!.every((v) => v === 7)).toBe(true);
    });

    it('serves a request again from an array given back in the round, makes a buffer when none has room, and poisons', async () => {
      let first: Float32Array | undefined;
      let made: ArrayBufferLike | undefined;
      await carving(0, [0, 1], async (r, alloc) => {
        const a = alloc.take(Float32Array, 500);
        if (r === 0) {
          first = a;
          made = a.buffer;
          expect(a.buffer.byteLength).toBe(2000); // nothing lent: a buffer of its own size
        } else {
          expect(a.buffer).toBe(made); // the next round fits in what the first made
          expect(Number.isNaN(first![0])).toBe(true); // reset poisons (tests run so)
        }
        a.fill(5);
        alloc.give(a);
        expect(Number.isNaN(a[0])).toBe(true);
        expect(() => alloc.give(a)).toThrow(/given back twice/);
        const b = alloc.take(Int32Array, 500);
        expect(b.buffer).toBe(a.buffer);
        expect(b.byteOffset).toBe(a.byteOffset);
        alloc.give(b.subarray(0, 10)); // a view of a cut: not taken back
        expect(alloc.take(Float32Array, 500).buffer).not.toBe(b.buffer);
      });
    });

    it('lends the largest kept buffers within its bytes, lets the rest go (and the unused, when it made others), and ends on an error', async () => {
      const a = take(Uint8Array, 1000), b = take(Uint8Array, 1500), c = take(Uint8Array, 600);
      give(a, b, c);
      let big: ArrayBufferLike | undefined;
      await expect(carving(2200, [0, 1], async (r, alloc) => {
        expect(scratch.heldBytes).toBe(0);
        if (r === 1) throw new Error('strip failed');
        // Lent: b (1500), then c (600); a would pass 2200.
        expect(alloc.take(Uint8Array, 1400).buffer).toBe(b.buffer);
        big = alloc.take(Uint8Array, 1200).buffer; // no lent buffer has the room left
        expect([a.buffer, b.buffer, c.buffer]).not.toContain(big);
      })).rejects.toThrow('strip failed');
      // Kept again: b, and the buffer it made; c, which nothing was cut from, went to bring it back
      // within its 2200 bytes (1500 + 600 + 1200 held); a was not lent.
      expect(scratch.heldBytes).toBe(1500 + 1200);
      expect(take(Uint8Array, 1200).buffer).toBe(big);
      expect(take(Uint8Array, 1500).buffer).toBe(b.buffer);
      expect(take(Uint8Array, 600).buffer).not.toBe(c.buffer);
      expect(take(Uint8Array, 1000).buffer).not.toBe(a.buffer);
    });

    it('keeps a lent buffer nothing was cut from while it holds no more than its bytes', async () => {
      const a = take(Uint8Array, 1000), b = take(Uint8Array, 800);
      give(a, b);
      await carving(5000, [0, 1], async (_r, alloc) => {
        expect(alloc.take(Uint8Array, 900).buffer).toBe(a.buffer);
      });
      expect(scratch.heldBytes).toBe(1800);
    });
  });
});
