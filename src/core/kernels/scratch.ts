/**
 * Whole-frame scratch arrays, kept between calls of the kernels that use
 * them for a moment (the cosmic-ray search, source detection, resampling).
 *
 * Why: fresh memory is dear, and how dear depends on the machine. Each new
 * 16 MB array is ~4k page faults. On the project's machine on 2026-11-29 a
 * new 16 MB Float32Array filled took 8-12 ms in a Chromium worker (0.4 ms to
 * fill it again); on 2026-11-30, on a virtual machine of the same kind whose
 * freed pages go back to the host, 90-230 ms (1.2 ms again), and 60 ms in
 * Node. A science frame's cosmic-ray search alone takes ~112 MB of scratch,
 * so the same reduction took three times as long there. Chromium maps every
 * large ArrayBuffer afresh and a page cannot ask it to keep them; keeping
 * the arrays ourselves is the way round.
 *
 * Rules, so that a kept array is never read by two owners:
 * - take() hands out an array nobody else holds; its contents are whatever
 *   its last user left (takeZeroed() when zeros are needed);
 * - give() is called by the code that took it, once it and everything it
 *   handed the array to are done with it: only for arrays that never leave
 *   the kernel (never part of a result).
 *
 * Bounded: at most `limitBytes` are kept; an array given beyond that is left
 * to the garbage collector. release() lets everything go, for when memory is
 * needed for something else (a combine's bands).
 */

export type Scratch = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;
export type ScratchType<T extends Scratch> = { new (n: number): T; readonly BYTES_PER_ELEMENT: number; readonly name: string };

/**
 * Enough for the cosmic-ray search of a 2048 x 2048 frame (about 112 MB).
 * Measured on the browser bench night (2026-11-30, one night each): 224 MB
 * reduced it in 52.8 s with a peak of 1069 MB, 128 MB in 53.7 s and 970 MB.
 */
export const DEFAULT_SCRATCH_LIMIT = 128 * 2 ** 20;

class ScratchPool {
  private kept = new Map<string, Scratch[]>();
  private bytes = 0;
  limitBytes = DEFAULT_SCRATCH_LIMIT;
  /** Arrays smaller than this are cheap to make: not kept (tests keep every one, to poison it). */
  minBytes = 1 << 20;
  /** Tests: every array given back is overwritten, so a use after give() shows. */
  poison = false;

  take<T extends Scratch>(type: ScratchType<T>, n: number): T {
    const list = this.kept.get(`${type.name}:${n}`);
    const a = list?.pop();
    if (a) {
      this.bytes -= a.byteLength;
      return a as T;
    }
    return new type(n);
  }

  give(...arrays: (Scratch | undefined)[]): void {
    for (const a of arrays) {
      if (!a || a.byteLength < this.minBytes || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) continue;
      if (this.poison) a.fill(a instanceof Float32Array || a instanceof Float64Array ? NaN : 0xa5);
      if (this.bytes + a.byteLength > this.limitBytes) continue;
      const key = `${a.constructor.name}:${a.length}`;
      let list = this.kept.get(key);
      if (!list) this.kept.set(key, (list = []));
      if (list.includes(a)) throw new Error('scratch: an array given back twice');
      list.push(a);
      this.bytes += a.byteLength;
    }
  }

  release(): void {
    this.kept.clear();
    this.bytes = 0;
  }

  get heldBytes(): number {
    return this.bytes;
  }
}

/** This realm's pool (one per worker: a worker runs one kernel at a time). */
export const scratch = new ScratchPool();

/** An array of n elements, from the pool when one is kept; contents undefined. */
export function take<T extends Scratch>(type: ScratchType<T>, n: number): T {
  return scratch.take(type, n);
}

/** An array of n zeros, from the pool when one is kept. */
export function takeZeroed<T extends Scratch>(type: ScratchType<T>, n: number): T {
  const a = scratch.take(type, n);
  a.fill(0);
  return a;
}

/** Arrays the caller took and is done with (undefined entries are skipped). */
export function give(...arrays: (Scratch | undefined)[]): void {
  scratch.give(...arrays);
}

/** Lets every kept array go (for when a combine needs the memory). */
export function releaseScratch(): void {
  scratch.release();
}
