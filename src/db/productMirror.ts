/**
 * Copies of the products a pipeline worker made that later runs read again
 * (NewFrame.readAgain), as OPFS files beside their IndexedDB strips, so the
 * later runs in the same worker read them at file speed: a stack reads every
 * reduced frame it combines, band by band ('once'), and every frame reads its
 * master bias and flat ('often') when they are too large for the worker's
 * calibration cache (a 4096 x 4096 master is 160 MB, the cache 96 MB): 385 MB
 * per science frame, 1.3-1.5 s from IndexedDB in a 4.5-5 s run.
 *
 * Measured on the browser bench night (npm run bench:browser:night, 2 cores):
 * a 5-frame stack of 2048 x 2048 frames took 4.1-4.4 s reading its 204 MB
 * from IndexedDB (~100 MB/s under the load of a reduction) and 2.0-2.5 s
 * reading them from these files (0.15 s of it reading). Writing the copy costs
 * ~25 ms per reduced frame (OPFS writes ~1.3-1.8 GB/s in a worker:
 * bench.html?only=storage).
 *
 * Where the worker writes products to pixel files (./pixelFiles.ts), the
 * copy is the product's own file, adopted once the product is published:
 * the mirror keeps its sync access handle open, and giving it up closes the
 * handle and leaves the file, which is the library's. Elsewhere (products
 * stored as typed-array strips) a copy is a file of its own, written with the
 * product's strips, readable only once the product is published, and thrown
 * away with the reduction (it lives in the scratch directory, which the page
 * clears before a reduction starts and after it ends). A product without a
 * copy is read from the library as before;
 * the copy never fails a run: when it cannot be made or written, it is
 * dropped and the product is made as usual.
 *
 * The copies are this worker's (its sync access handles stay open): with
 * two pipeline workers a stack reads the frames the other worker made from
 * IndexedDB. Chromium's read-only handles (several readers at once) would
 * let any worker read any copy; not done.
 *
 * Bounded: at most `limitBytes` of copies, and none while the origin's free
 * quota is less than four times what the copies would then hold, so a copy
 * never takes the space a product needs. Copies of reduced frames already
 * read go first, then the oldest, and masters' copies last: a reduced frame is
 * read by one stack, which the scheduler starts as soon as its frames are
 * reduced (src/core/pipeline/scheduler.ts), so a copy its stack has read is
 * the one least likely to be read again, while a master is read by every
 * frame it calibrates. (When reading counted as recent use, a 4096 x 4096
 * night's second stack found one of its five copies gone, evicted for the
 * first stack's, which were done.)
 */
import type { ReadAgain } from '../core/pipeline/store';
import type { OpfsScratch, ScratchFile, ScratchPlaneSpec } from './opfsScratch';
import { defaultOpfsScratch, planesBytes, realmShared } from './opfsScratch';
import { tracked } from '../core/pending';

/** What navigator.storage.estimate() answers (injectable for tests). */
export type QuotaEstimate = () => Promise<{ quota?: number; usage?: number }>;

/**
 * 2 GB of copies per worker: the reduced frames of a stack of 25 at 2k x 2k
 * (40 MB each) with the masters, or of a stack of 8 at 4k x 4k (160 MB each)
 * with three masters. It is disk, not memory, and only while a reduction runs.
 */
export const MIRROR_LIMIT_BYTES = 2 * 2 ** 30;

/** A copy being written or readable: its size, how its product will be read again, whether it has been. */
interface Copy {
  size: number;
  readAgain: ReadAgain;
  read: boolean;
  /**
   * A product's own pixel file (./pixelFiles.ts), adopted: the library's
   * pixels, so giving it up closes its handle and leaves the file. Else a
   * copy of the mirror's own making, removed with it.
   */
  adopted: boolean;
}

export class ProductMirror {
  /** Every copy this mirror holds, readable or being written. */
  private copies = new Map<ScratchFile, Copy>();
  /** Readable copies by product id, oldest first (a master's: least recently read first). */
  private kept = new Map<string, ScratchFile>();

  constructor(
    private readonly scratch: OpfsScratch,
    private readonly limitBytes: number = MIRROR_LIMIT_BYTES,
    private readonly estimate: QuotaEstimate = () => navigator.storage.estimate(),
  ) {}

  /** A file for the copy of product `id` about to be written, or undefined when there is no room for one. */
  async begin(id: string, name: string, planes: readonly ScratchPlaneSpec[], readAgain: ReadAgain = 'once'): Promise<ScratchFile | undefined> {
    const size = planesBytes(planes);
    try {
      if (!(await this.room(size))) return undefined;
      const file = await this.scratch.create(`mirror-${id}`, `${name} (copy)`, planes);
      this.copies.set(file, { size, readAgain, read: false, adopted: false });
      return file;
    } catch {
      return undefined;
    }
  }

  /**
   * Takes a published product's own pixel file (./pixelFiles.ts), whole, as
   * its copy: its handle is kept open for later runs' reads, and the file is
   * never removed by the mirror. It costs no disk, so only the mirror's
   * limit counts (open handles are bounded with it). False when there is no
   * room, or it cannot be opened again: the caller closes it then.
   */
  async adopt(id: string, file: ScratchFile, readAgain: ReadAgain = 'once'): Promise<boolean> {
    try {
      if (!(await this.room(file.size, false))) return false;
      await file.reopen();
      this.copies.set(file, { size: file.size, readAgain, read: false, adopted: true });
      this.kept.set(id, file);
      return true;
    } catch {
      return false;
    }
  }

  /** Whether a copy of `size` bytes fits, evicting older copies for it (see evict); `onDisk`: it is new bytes on disk. */
  private async room(size: number, onDisk = true): Promise<boolean> {
    if (size > this.limitBytes) return false;
    this.evict(this.limitBytes - size);
    // Copies still being written are not evicted (one per run, so one at most in a worker).
    if (this.heldBytes + size > this.limitBytes) return false;
    if (!onDisk) return true;
    const { quota, usage } = await tracked('navigator.storage.estimate', this.estimate());
    if (quota === undefined || usage === undefined) return false;
    // The copies give way to the products when the disk fills: they keep within a quarter of the free space.
    const free = quota - usage;
    if (free < 4 * (this.heldBytes + size)) this.evict(free / 4 - size);
    return free >= 4 * (this.heldBytes + size);
  }

  /** The product is published: its copy can be read. */
  keep(id: string, file: ScratchFile): void {
    this.kept.set(id, file);
  }

  /** The copy of product `id`, if there is one. */
  get(id: string): ScratchFile | undefined {
    const file = this.kept.get(id);
    const copy = file && this.copies.get(file);
    if (!file || !copy) return undefined;
    copy.read = true;
    if (copy.readAgain === 'often') {
      // A master read now is read again by the next frames: last to go among the masters.
      this.kept.delete(id);
      this.kept.set(id, file);
    }
    return file;
  }

  /** There is a readable copy of product `id` (without counting as a use). */
  has(id: string): boolean {
    return this.kept.has(id);
  }

  /** Throws away a copy that will not be read (its product failed, or writing the copy did). */
  async drop(file: ScratchFile): Promise<void> {
    this.forget(file);
    await file.remove().catch(() => undefined);
  }

  /** Gives up product `id`'s copy (the product is being deleted): an adopted pixel file is closed, not removed. */
  release(id: string): void {
    const file = this.kept.get(id);
    if (file) this.giveUp(file);
  }

  /** Bytes of the copies held, readable or being written. */
  get heldBytes(): number {
    let bytes = 0;
    for (const c of this.copies.values()) bytes += c.size;
    return bytes;
  }

  /**
   * Removes copies until `room` bytes are left: reduced frames' copies
   * already read, then the other reduced frames' (oldest first), then the
   * masters' (least recently read first). A copy removed here is not being
   * read: a worker runs one run at a time, and a run begins its copy only
   * once it has read what it reads from copies (a reduced frame or a master
   * flat is written at its run's end; a master bias or dark, written as it is
   * stacked, stacks frames from scratch, not from copies). Overlapping runs
   * in a worker would have to change that.
   */
  private evict(room: number): void {
    const rank = (c: Copy) => (c.readAgain === 'often' ? 2 : c.read ? 0 : 1);
    for (let pass = 0; pass <= 2; pass++) {
      for (const file of [...this.kept.values()]) {
        if (this.heldBytes <= room) return;
        if (rank(this.copies.get(file)!) !== pass) continue;
        this.giveUp(file);
      }
    }
  }

  /** Stops holding a readable copy: a copy of its own is removed, an adopted pixel file only closed. */
  private giveUp(file: ScratchFile): void {
    const adopted = this.copies.get(file)?.adopted;
    this.forget(file);
    if (adopted) file.close();
    else void file.remove().catch(() => undefined);
  }

  private forget(file: ScratchFile): void {
    this.copies.delete(file);
    for (const [id, f] of this.kept) if (f === file) this.kept.delete(id);
  }
}

/** This realm's mirror, or undefined where OPFS sync access handles do not exist (Node, the page's main thread). */
// realmShared makes it only where defaultOpfsScratch has its scratch.
export const defaultProductMirror = realmShared(() => new ProductMirror(defaultOpfsScratch()!));
