/**
 * Files of the scratch directory filled with zeros ahead of need, on another
 * thread, so that the pipeline's own writes land on pages that already exist.
 *
 * Why: writing into a new file makes the system find fresh pages for it,
 * and on a machine whose freed pages go back to the host (the project's: a
 * virtual machine with free page reporting) that is most of a write's cost.
 * Measured in Chromium 156 there, in a worker, through a sync access handle:
 * 16 MB written into a new OPFS file took 52-56 ms, the same 16 MB written
 * over those bytes again 4 ms. A reduction writes every parked frame (a
 * master bias of fifteen 2k frames: 240 MB) and every product (40 MB each)
 * into new files, on the thread that runs the kernels. A spare moves that
 * cost to a helper worker on the other core: OpfsScratch.create takes a
 * spare of the size it needs, moves it under its own name (a rename inside
 * the origin's file system, which keeps the file's pages) and writes over it.
 *
 * Spares live in the scratch directory, so whatever is left of them goes
 * with it: the page clears it when a reduction's workers have gone, and
 * again when the next one starts (./opfsScratch.ts, clearScratchDirectory).
 */
import { SCRATCH_DIRECTORY, type ScratchRoot } from './opfsScratch';

/** Spares' names start so (the scratch directory's other files are `scratch-` and product copies). */
export const SPARE_PREFIX = 'spare-';

/** Makes spare `name` of `bytes` bytes in the scratch directory; false when it could not (it is then not there). */
export type SpareMaker = (name: string, bytes: number) => Promise<boolean>;

/**
 * At most this many bytes of spares ready or being made, per pipeline
 * worker: enough for the next two parked frames and the next product of a
 * 4k x 4k frame, bounded because spares take disk (and page cache) until
 * they are used. The last frame of a run leaves its spares unused; a size no
 * longer asked for gives them up when another needs the room, and a full
 * quota takes them all (OpfsScratch.create).
 */
export const SPARE_LIMIT_BYTES = 512 * 2 ** 20;

/** How long a spares worker may take over one spare (a 160 MB one takes ~0.6 s where fresh pages are dear). */
export const SPARE_PATIENCE_MS = 30_000;

/** Zeros written this many bytes at a time. */
const CHUNK = 1 << 20;

/** The spares a realm has made and not handed out, and those being made. */
export class SpareFiles {
  /** Oldest asked for first: the first of a size that is ready is the one handed out, the first of another size the one to go for room. */
  private spares: { name: string; bytes: number; ready: boolean }[] = [];

  constructor(
    private readonly make: SpareMaker,
    /** Removes a spare nothing will take (a size no longer asked for, to make room; a full quota). */
    private readonly remove: (name: string) => Promise<void>,
    private readonly limitBytes = SPARE_LIMIT_BYTES,
  ) {}

  /** A ready spare of exactly `bytes` bytes, now the caller's (to move, or to remove), or undefined. */
  take(bytes: number): string | undefined {
    const k = this.spares.findIndex((s) => s.ready && s.bytes === bytes);
    return k < 0 ? undefined : this.spares.splice(k, 1)[0].name;
  }

  /** Removes every ready spare (the quota is full); spares being made still count until they are. */
  async clear(): Promise<void> {
    const gone = this.spares.filter((s) => s.ready);
    this.spares = this.spares.filter((s) => !s.ready);
    await Promise.all(gone.map((s) => this.remove(s.name).catch(() => undefined)));
  }

  /**
   * Asks for spares of `bytes` bytes until `depth` of them are ready or
   * being made. Ready spares of other sizes make room, oldest first, when
   * the limit would be passed; beyond that, fewer are made.
   */
  want(bytes: number, depth: number): void {
    if (bytes > this.limitBytes) return;
    for (let have = this.spares.filter((s) => s.bytes === bytes).length; have < depth; have++) {
      for (const s of this.spares.filter((x) => x.ready && x.bytes !== bytes)) {
        if (this.heldBytes + bytes <= this.limitBytes) break;
        this.spares.splice(this.spares.indexOf(s), 1);
        void this.remove(s.name).catch(() => undefined);
      }
      if (this.heldBytes + bytes > this.limitBytes) return;
      this.makeOne(bytes);
    }
  }

  /** Bytes of spares ready or being made. */
  get heldBytes(): number {
    return this.spares.reduce((b, s) => b + s.bytes, 0);
  }

  private makeOne(bytes: number): void {
    const spare = { name: `${SPARE_PREFIX}${crypto.randomUUID()}`, bytes, ready: false };
    this.spares.push(spare);
    void this.make(spare.name, bytes)
      .catch(() => false)
      .then((ok) => {
        if (ok) spare.ready = true;
        else this.spares.splice(this.spares.indexOf(spare), 1);
      });
  }
}

/**
 * Writes spare `name`: a new file of the scratch directory, `bytes` bytes of
 * zeros written through a sync access handle (so its pages exist), closed.
 * False, and no file, when it could not (a full quota, OPFS gone).
 */
export async function writeSpare(root: ScratchRoot, name: string, bytes: number, zeros = new Uint8Array(CHUNK)): Promise<boolean> {
  let dir: FileSystemDirectoryHandle | undefined;
  let handle: FileSystemSyncAccessHandle | undefined;
  try {
    dir = await (await root()).getDirectoryHandle(SCRATCH_DIRECTORY, { create: true });
    const fh = await dir.getFileHandle(name, { create: true });
    handle = await fh.createSyncAccessHandle();
    for (let at = 0; at < bytes; at += zeros.length) {
      const part = Math.min(zeros.length, bytes - at);
      if (handle.write(part === zeros.length ? zeros : zeros.subarray(0, part), { at }) !== part) throw new Error('short write');
    }
    handle.close();
    return true;
  } catch {
    try { handle?.close(); } catch { /* closed */ }
    await dir?.removeEntry(name).catch(() => undefined);
    return false;
  }
}

/** Removes spare `name` from the scratch directory (gone already is fine). */
export async function removeSpare(root: ScratchRoot, name: string): Promise<void> {
  const dir = await (await root()).getDirectoryHandle(SCRATCH_DIRECTORY);
  await dir.removeEntry(name).catch((err: unknown) => {
    if ((err as { name?: string })?.name !== 'NotFoundError') throw err;
  });
}

/** What a spares worker is sent, and answers. */
export interface SpareRequest {
  name: string;
  bytes: number;
}
export interface SpareReply {
  name: string;
  ok: boolean;
}

/**
 * A SpareMaker that has `worker` (./workers/spares.worker.ts) write the
 * spares, made on first use; where it cannot be made or fails, every spare
 * is refused and files are made as before.
 */
export function workerSpareMaker(newWorker: () => Worker): SpareMaker {
  let worker: Worker | undefined;
  let broken = false;
  const waiting = new Map<string, (ok: boolean) => void>();
  const fail = () => {
    broken = true;
    worker?.terminate();
    for (const answer of waiting.values()) answer(false);
    waiting.clear();
  };
  return (name, bytes) => {
    if (broken) return Promise.resolve(false);
    if (!worker) {
      try {
        worker = newWorker();
      } catch {
        broken = true;
        return Promise.resolve(false);
      }
      worker.onmessage = (e: MessageEvent<SpareReply>) => {
        waiting.get(e.data.name)?.(e.data.ok);
        waiting.delete(e.data.name);
      };
      worker.onerror = fail;
    }
    return new Promise<boolean>((answer) => {
      // A spare not answered for in time is given up (its size is asked for again later); a file
      // the worker still makes then sits in the scratch directory until it is cleared.
      const late = setTimeout(() => {
        waiting.delete(name);
        answer(false);
      }, SPARE_PATIENCE_MS);
      waiting.set(name, (ok) => {
        clearTimeout(late);
        answer(ok);
      });
      worker!.postMessage({ name, bytes } satisfies SpareRequest);
    });
  };
}
