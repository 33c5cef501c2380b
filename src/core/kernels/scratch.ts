/**
 * Whole-frame arrays kept for the next user: the kernels' scratch (the
 * cosmic-ray search, source detection, resampling), a run's frame planes,
 * a streamed combine's strips, the ingest's decoded frames, and the samples
 * the frame statistics sort (1-2 MB each, several per frame: borrow()).
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
 * - give() is called by the array's one owner once nothing reads it any
 *   more: a kernel's scratch at the kernel's end; a frame's planes once
 *   replaced (trimmed) or copied by the store (a frame parked in scratch,
 *   a product written: PixelStore writers copy before they resolve); a
 *   combine's strips once combined and written. Never an array a cache
 *   holds or a WeakMap is keyed on. give() keeps only the very arrays
 *   take() handed out: a view of one (a parked frame's rows), or an array
 *   made elsewhere, is left alone.
 *
 * Bounded: at most `limitBytes` are kept, the most recently given (the
 * oldest go to the garbage collector to make room). release() lets
 * everything go, for when memory is needed for something else.
 *
 * A streamed combine's strips are of sizes no frame step takes (a 2048-wide
 * strip of 640 rows is 5 MB where a frame's plane is 16 MB), and all of one
 * strip's arrays die together. `carving()` lends the kept buffers to a
 * Carving for the combine, which cuts the strips' arrays out of them, and
 * takes them back whole afterwards: the same memory serves the frames'
 * steps and the combine. Only what is taken from the Carving itself (an
 * Allocator handed down to the strip's code) is cut; the realm's take() is
 * untouched meanwhile, so nothing that outlives a strip (a store's decoded
 * cache) can be cut by mistake. Measured on the browser bench night
 * (2026-12-01): the pipeline worker made ~1.2 GB of arrays afresh, ~0.6 GB
 * of them a combine's strips and the frames after a combine.
 */

export type Scratch = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;
export type ScratchType<T extends Scratch> = {
  new (n: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** Where a kernel takes its arrays from and gives them back to: the realm's pool, or a Carving for one strip. */
export interface Allocator {
  take<T extends Scratch>(type: ScratchType<T>, n: number): T;
  give(...arrays: (Scratch | undefined)[]): void;
}

/**
 * A science frame's steps at 2048 x 2048 use about 200 MB of whole-frame
 * arrays (the cosmic-ray search ~112 MB of them, the frame's own planes,
 * source detection's labels). Measured on the browser bench night
 * (2026-11-30, one night each, buffers shared across types): 128 MB reduced
 * it in 57.3 s with a peak of 978 MiB (the cosmic-ray search still made
 * some of its arrays afresh: 0.34-0.77 s a frame), 192 MB in 52.2 s and
 * 1015 MiB (0.23-0.69 s).
 */
export const DEFAULT_SCRATCH_LIMIT = 192 * 2 ** 20;

/** A pool of its own: `scratch` below is the realm's; a store keeps another for its strips (db/pixelStore.ts). */
export class ScratchPool implements Allocator {
  /** Tests: every pool keeps arrays of any size, so the tests' small frames go through it too. */
  static keepAll = false;
  /** Tests: every array given back is overwritten (NaN in any float view, no zero byte), so a use after give() shows. */
  static poison = false;

  /** Kept buffers by byte length: a Float32Array's may come back as an Int32Array of the same length. */
  private kept = new Map<number, ArrayBuffer[]>();
  /** Every kept buffer, oldest given first: the first to go when a newer one needs the room. */
  private age = new Set<ArrayBuffer>();
  private bytes = 0;
  /** The arrays take() handed out and not yet given back: only those are kept (never a view of one, nor another's array). */
  private handed = new WeakSet<Scratch>();

  /**
   * `minBytes`: arrays smaller than this are cheap to make and not kept
   * (Chromium maps an ArrayBuffer of about 1 MB or more afresh; smaller ones
   * come from reused slots).
   */
  constructor(public limitBytes = DEFAULT_SCRATCH_LIMIT, readonly minBytes = 1 << 20) {}

  take<T extends Scratch>(type: ScratchType<T>, n: number): T {
    const buffer = this.kept.get(n * type.BYTES_PER_ELEMENT)?.pop();
    let a: T;
    if (buffer) {
      this.age.delete(buffer);
      this.bytes -= buffer.byteLength;
      a = new type(buffer, 0, n);
    } else {
      a = new type(n);
    }
    this.handed.add(a);
    return a;
  }

  give(...arrays: (Scratch | undefined)[]): void {
    for (const a of arrays) {
      if (!a) continue;
      const buffer = a.buffer as ArrayBuffer;
      if (this.age.has(buffer)) throw new Error('scratch: an array given back twice');
      // Not one take() handed out (an array made elsewhere, or a view of one): never kept.
      if (!this.handed.has(a)) continue;
      this.handed.delete(a);
      if (a.byteLength < this.minBytes && !ScratchPool.keepAll) continue;
      if (ScratchPool.poison) poison(buffer, 0, buffer.byteLength);
      if (buffer.byteLength > this.limitBytes) continue;
      // The newest are kept: what a step just gave back is what the next frame's same step takes
      // (an older buffer is more likely a size no longer in use: a finished combine's strips).
      for (const old of this.age) {
        if (this.bytes + buffer.byteLength <= this.limitBytes) break;
        this.drop(old);
      }
      let list = this.kept.get(buffer.byteLength);
      if (!list) this.kept.set(buffer.byteLength, (list = []));
      list.push(buffer);
      this.age.add(buffer);
      this.bytes += buffer.byteLength;
    }
  }

  private drop(buffer: ArrayBuffer): void {
    const list = this.kept.get(buffer.byteLength)!;
    list.splice(list.indexOf(buffer), 1);
    this.age.delete(buffer);
    this.bytes -= buffer.byteLength;
  }

  release(): void {
    this.kept.clear();
    this.age.clear();
    this.bytes = 0;
  }

  /**
   * Lends kept buffers, the largest first, as long as they add up to at most
   * `bytes` (what the borrower's budget plans for); the rest is let go, as it
   * would sit idle beside them. They come back whole with takeBack().
   */
  lend(bytes: number): ArrayBuffer[] {
    const buffers: ArrayBuffer[] = [];
    let held = 0;
    for (const b of [...this.age].sort((x, y) => y.byteLength - x.byteLength)) {
      if (held + b.byteLength > bytes) continue;
      buffers.push(b);
      held += b.byteLength;
    }
    this.release();
    return buffers;
  }

  /** Buffers lent (or made by the borrower) back, kept as if given (within the limit; the largest kept first). */
  takeBack(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of [...buffers].sort((a, b) => a.byteLength - b.byteLength)) {
      const whole = new Uint8Array(buffer);
      this.handed.add(whole);
      this.give(whole);
    }
  }

  get heldBytes(): number {
    return this.bytes;
  }
}

/**
 * Arrays cut one after another out of a few large buffers (first fit), all
 * reclaimed at once by reset(): for arrays that die together, of sizes the
 * pool's whole buffers do not match. An array given back before the reset
 * serves the next request of its byte length (a stack's shifted members
 * each take and give back a band of the same size), as the pool's do. A
 * request no buffer has room for gets a new buffer of its own size, so that
 * the next round of the same requests finds room in what the first made.
 * After the first round, lent buffers nothing was cut from are let go while
 * it holds more than `limit` (the borrower's plan: buffers of the wrong
 * sizes lent it, and it made others). What it holds is then the strip's
 * arrays, the room first fit left at the ends of the buffers they were cut
 * from, and what the rounds' differences add (a shorter last strip may place
 * its arrays otherwise), or `limit` if that is more.
 */
export class Carving implements Allocator {
  private slabs: { buffer: ArrayBuffer; used: number; ever: boolean }[];
  /** The arrays cut and not given back: only those are taken back (never a view of one). */
  private handed = new WeakSet<Scratch>();
  /** Arrays given back since the last reset, by byte length. */
  private free = new Map<number, Scratch[]>();
  private rounds = 0;

  constructor(buffers: readonly ArrayBuffer[], private readonly limit = Infinity) {
    this.slabs = buffers.map((buffer) => ({ buffer, used: 0, ever: false }));
  }

  take<T extends Scratch>(type: ScratchType<T>, n: number): T {
    const bytes = n * type.BYTES_PER_ELEMENT;
    const again = this.free.get(bytes)?.pop();
    let a: T;
    if (again) {
      a = new type(again.buffer as ArrayBuffer, again.byteOffset, n);
    } else {
      // Every cut starts on an 8-byte boundary, where a Float64Array may start.
      const room = Math.ceil(bytes / 8) * 8;
      let slab = this.slabs.find((s) => s.buffer.byteLength - s.used >= bytes);
      if (!slab) {
        slab = { buffer: new ArrayBuffer(room), used: 0, ever: false };
        this.slabs.push(slab);
      }
      a = new type(slab.buffer, slab.used, n);
      slab.used += room;
      slab.ever = true;
    }
    this.handed.add(a);
    return a;
  }

  give(...arrays: (Scratch | undefined)[]): void {
    for (const a of arrays) {
      if (!a || !this.handed.has(a)) {
        if (a && this.free.get(a.byteLength)?.includes(a)) throw new Error('scratch: an array given back twice to its carving');
        continue;
      }
      this.handed.delete(a);
      if (ScratchPool.poison) poison(a.buffer as ArrayBuffer, a.byteOffset, a.byteLength);
      let list = this.free.get(a.byteLength);
      if (!list) this.free.set(a.byteLength, (list = []));
      list.push(a);
    }
  }

  /** Every array cut since the last reset is dead: their room is cut again. */
  reset(): void {
    for (const s of this.slabs) {
      // Tests: what was cut is overwritten, so a use after the reset shows (as give() does).
      if (ScratchPool.poison && s.used) poison(s.buffer, 0, s.used);
      s.used = 0;
    }
    this.free.clear();
    this.handed = new WeakSet();
    if (++this.rounds === 1) {
      let held = this.heldBytes;
      this.slabs = this.slabs.filter((s) => {
        if (s.ever || held <= this.limit) return true;
        held -= s.buffer.byteLength;
        return false;
      });
    }
  }

  /** The buffers it holds. */
  buffers(): ArrayBuffer[] {
    return this.slabs.map((s) => s.buffer);
  }

  get heldBytes(): number {
    return this.slabs.reduce((b, s) => b + s.buffer.byteLength, 0);
  }
}

/** Tests: bytes given back are overwritten (NaN in any float view, no zero byte), so a use after give() shows. */
function poison(buffer: ArrayBuffer, byteOffset: number, byteLength: number): void {
  // 0x7ff8a5a5 is a NaN as float32, two of them a NaN as float64, and none of its bytes is 0.
  if (byteOffset % 4 === 0 && byteLength % 4 === 0) new Uint32Array(buffer, byteOffset, byteLength / 4).fill(0x7ff8a5a5);
  else new Uint8Array(buffer, byteOffset, byteLength).fill(0xa5);
}

/**
 * What a pipeline worker's pool may keep beside its own memory budget: three
 * quarters of it, at most DEFAULT_SCRATCH_LIMIT (256 MB in the browser:
 * 192 MB, the figures above).
 */
export function scratchLimitFor(workerBytes: number): number {
  return Math.min(DEFAULT_SCRATCH_LIMIT, Math.floor(0.75 * workerBytes));
}

/** This realm's pool (one per worker: a worker runs one kernel at a time). */
export const scratch = new ScratchPool();

/** An array of n elements, from the pool when one is kept; contents undefined. */
export function take<T extends Scratch>(type: ScratchType<T>, n: number): T {
  return scratch.take(type, n);
}

/** An array of n zeros, from the pool when one is kept. */
export function takeZeroed<T extends Scratch>(type: ScratchType<T>, n: number): T {
  return takeZeroedFrom(scratch, type, n);
}

/**
 * `use`'s result, `use` lent an array of n elements from the pool (contents
 * undefined) that goes back when it returns or throws: for a kernel's own
 * working array (a sample for a median), which `use` must not keep or return.
 */
export function borrow<T extends Scratch, R>(type: ScratchType<T>, n: number, use: (a: T) => R): R {
  const a = scratch.take(type, n);
  try {
    return use(a);
  } finally {
    scratch.give(a);
  }
}

/** Arrays the caller took and is done with (undefined entries are skipped). */
export function give(...arrays: (Scratch | undefined)[]): void {
  scratch.give(...arrays);
}

/** Lets every kept array go (for when memory is needed for something else: a combine whose sink keeps its strips). */
export function releaseScratch(): void {
  scratch.release();
}

/**
 * Runs `round` for each of `rounds` with a Carving of the pool's buffers (at
 * most `bytes` of them lent), every array the round takes from it dead once
 * the round has ended. Afterwards the buffers are kept whole again, with
 * those the carving made.
 */
export async function carving<T>(bytes: number, rounds: Iterable<T>, round: (r: T, alloc: Carving) => Promise<void>): Promise<void> {
  const c = new Carving(scratch.lend(bytes), bytes);
  try {
    for (const r of rounds) {
      await round(r, c);
      c.reset();
    }
  } finally {
    c.reset();
    scratch.takeBack(c.buffers());
  }
}

/** An array of n zeros from `alloc`. */
export function takeZeroedFrom<T extends Scratch>(alloc: Allocator, type: ScratchType<T>, n: number): T {
  const a = alloc.take(type, n);
  a.fill(0);
  return a;
}
