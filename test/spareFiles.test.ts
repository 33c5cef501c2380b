/**
 * Spare files (src/db/spareFiles.ts): written full of zeros ahead of need in
 * the scratch directory, taken by OpfsScratch.create for a new file of their
 * size (moved under the new file's name, in its own directory), made again
 * after each use, bounded; and a file made from a spare holds exactly what
 * was written to it, as one made afresh does. On the fake OPFS (./fakeOpfs.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { FakeOpfs } from './fakeOpfs';
import { OpfsScratch, SCRATCH_DIRECTORY, type ScratchPlaneSpec } from '../src/db/opfsScratch';
import { SPARE_PATIENCE_MS, SPARE_PREFIX, SpareFiles, removeSpare, workerSpareMaker, writeSpare } from '../src/db/spareFiles';
import { PIXELS_DIRECTORY } from '../src/db/pixelFiles';

/** A spare's bytes here: not zeros, so that a file made from a spare shows it before anything is written over them. */
const MARK = 0xab;

/** Spares made by writeSpare on `fs` (filled with MARK), each make's promise kept so a test can wait for them all. */
function sparesOn(fs: FakeOpfs, limit?: number) {
  const made: Promise<boolean>[] = [];
  const removed: string[] = [];
  const spares = new SpareFiles(
    (name, bytes) => {
      const p = writeSpare(fs.getRoot, name, bytes, new Uint8Array(7).fill(MARK));
      made.push(p);
      return p;
    },
    async (name) => {
      removed.push(name);
      await removeSpare(fs.getRoot, name);
    },
    limit,
  );
  // Twice: a make's answer reaches `ready` a turn after its promise settles.
  const settle = async () => {
    await Promise.all(made);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { spares, settle, removed };
}

const spareNames = (fs: FakeOpfs) => fs.list(SCRATCH_DIRECTORY).filter((n) => n.startsWith(SPARE_PREFIX));

async function bytesOf(fs: FakeOpfs, dir: string, name: string): Promise<Uint8Array> {
  const fh = await (await (await fs.getRoot()).getDirectoryHandle(dir)).getFileHandle(name);
  return new Uint8Array(await (await fh.getFile()).arrayBuffer());
}

/** A scratch store on a fake OPFS that has made one 16 x 16 file, and the spare that file asked for. */
async function oneFileAndItsSpare() {
  const fs = new FakeOpfs();
  const { spares, settle } = sparesOn(fs);
  const scratch = new OpfsScratch(fs.getRoot);
  scratch.useSpares(spares, 1);
  const specs: ScratchPlaneSpec[] = [{ hdu: 1, width: 16, height: 16, dq: false }];
  (await scratch.create('scratch-1', 'a', specs)).close();
  await settle();
  return { fs, scratch, specs, settle };
}

describe('spare files', () => {
  it('writeSpare makes a file of zeros of the size asked for, in the scratch directory; under a full quota, no file', async () => {
    const fs = new FakeOpfs();
    expect(await writeSpare(fs.getRoot, 'spare-a', 3 * 2 ** 20 + 5)).toBe(true);
    const bytes = await bytesOf(fs, SCRATCH_DIRECTORY, 'spare-a');
    expect(bytes.length).toBe(3 * 2 ** 20 + 5);
    expect(bytes.every((b) => b === 0)).toBe(true);

    const full = new FakeOpfs(2 ** 20);
    expect(await writeSpare(full.getRoot, 'spare-b', 2 * 2 ** 20)).toBe(false);
    expect(full.list(SCRATCH_DIRECTORY)).toEqual([]);
    expect(full.used).toBe(0);
  });

  it('are made up to the depth asked for, handed out by exact size once, and made room for within the limit', async () => {
    const fs = new FakeOpfs();
    const { spares, settle, removed } = sparesOn(fs, 100);
    spares.want(30, 2);
    spares.want(30, 2); // already being made: no more
    expect(spares.heldBytes).toBe(60);
    expect(spares.take(30)).toBeUndefined(); // not ready yet
    await settle();
    expect(spareNames(fs)).toHaveLength(2);
    expect(spares.take(20)).toBeUndefined();
    const a = spares.take(30)!;
    expect(a.startsWith(SPARE_PREFIX)).toBe(true);
    const b = spares.take(30)!;
    expect(b).toMatch(SPARE_PREFIX);
    expect(b).not.toBe(a);
    expect(spares.take(30)).toBeUndefined();
    expect(spares.heldBytes).toBe(0);

    // 2 x 30 ready, 2 x 40 asked for within 100: the first 40 fits; the second needs both 30s gone.
    spares.want(30, 2);
    await settle();
    spares.want(40, 2);
    expect(removed).toHaveLength(2);
    expect(spares.heldBytes).toBe(80);
    await settle();
    // On disk: the two 30s taken before (their taker's now) and the two 40s; the 30s removed are gone.
    expect(spareNames(fs)).toHaveLength(4);
    for (const n of removed) expect(spareNames(fs)).not.toContain(n);
    expect(spares.take(30)).toBeUndefined();
    expect(spares.take(40)).toBeDefined();
    // A size larger than the limit is never made.
    spares.want(101, 1);
    expect(spares.heldBytes).toBe(40);
  });

  it('a spare that cannot be made is not counted, and nothing is left of it', async () => {
    const fs = new FakeOpfs(50);
    const { spares, settle } = sparesOn(fs);
    spares.want(80, 1);
    await settle();
    expect(spares.heldBytes).toBe(0);
    expect(spares.take(80)).toBeUndefined();
    expect(fs.list(SCRATCH_DIRECTORY)).toEqual([]);
  });

  it('OpfsScratch makes its next file of a size from a spare, moved under the file\'s name into its own directory, and reads back what was written', async () => {
    const fs = new FakeOpfs();
    const { spares, settle } = sparesOn(fs);
    const pixels = new OpfsScratch(fs.getRoot, PIXELS_DIRECTORY);
    pixels.useSpares(spares, 1);
    const W = 64, H = 40;
    const specs: ScratchPlaneSpec[] = [{ hdu: 1, width: W, height: H, dq: false }, { hdu: 2, width: W, height: H, dq: true }];
    const size = W * H * 6;

    const first = await pixels.create('product-1', 'one.fits', specs);
    await settle();
    expect(spareNames(fs)).toHaveLength(1); // asked for by the first file of this size
    const spare = spareNames(fs)[0];

    const second = await pixels.create('product-2', 'two.fits', specs);
    expect(fs.list(SCRATCH_DIRECTORY)).not.toContain(spare); // taken and moved
    expect(fs.list(PIXELS_DIRECTORY).sort()).toEqual(['product-1', 'product-2']);
    // The spare's own bytes, before anything is written: the file is the spare, not one made afresh.
    const before = await bytesOf(fs, PIXELS_DIRECTORY, 'product-2');
    expect(before.length).toBe(size);
    expect(before.every((x) => x === MARK)).toBe(true);
    const sci = Float32Array.from({ length: W * H }, (_, i) => i * 0.5 - 7);
    const dq = Uint16Array.from({ length: W * H }, (_, i) => i % 7);
    second.write(1, 0, sci);
    second.write(2, 0, dq);
    expect(second.read(1, 0, H, new Float32Array(W * H))).toEqual(sci);
    expect(second.read(2, 0, H, new Uint16Array(W * H))).toEqual(dq);
    second.close();
    const onDisk = await bytesOf(fs, PIXELS_DIRECTORY, 'product-2');
    expect(onDisk.length).toBe(size);
    expect(new Float32Array(onDisk.buffer, 0, W * H)).toEqual(sci);

    await settle();
    expect(spareNames(fs)).toHaveLength(1); // made again for the next file
    first.close();
  });

  it('a spare gone from under it (the directory cleared) leaves the file made afresh', async () => {
    const { fs, scratch, specs } = await oneFileAndItsSpare();
    const dir = await (await fs.getRoot()).getDirectoryHandle(SCRATCH_DIRECTORY);
    for (const n of spareNames(fs)) await dir.removeEntry(n);
    const f = await scratch.create('scratch-2', 'b', specs);
    expect((await bytesOf(fs, SCRATCH_DIRECTORY, 'scratch-2')).every((x) => x === 0)).toBe(true); // made afresh
    const v = Float32Array.from({ length: 256 }, (_, i) => i);
    f.write(1, 0, v);
    expect(f.read(1, 0, 16, new Float32Array(256))).toEqual(v);
    expect(fs.list(SCRATCH_DIRECTORY).filter((n) => !n.startsWith(SPARE_PREFIX)).sort()).toEqual(['scratch-1', 'scratch-2']);
  });

  it('a browser whose handles cannot move stops using spares, and its files are made afresh, whole', async () => {
    const { fs, scratch, specs, settle } = await oneFileAndItsSpare();
    expect(spareNames(fs)).toHaveLength(1);
    const proto = Object.getPrototypeOf(await (await (await fs.getRoot()).getDirectoryHandle(SCRATCH_DIRECTORY)).getFileHandle('scratch-1'));
    const move = proto.move;
    proto.move = undefined;
    try {
      const f = await scratch.create('scratch-2', 'b', specs);
      expect(spareNames(fs)).toEqual([]); // the spare went, and no other was asked for
      expect((await bytesOf(fs, SCRATCH_DIRECTORY, 'scratch-2')).every((x) => x === 0)).toBe(true);
      f.close();
      (await scratch.create('scratch-3', 'c', specs)).close();
      await settle();
      expect(spareNames(fs)).toEqual([]);
    } finally {
      proto.move = move;
    }
  });

  it('under a full quota the spares go first, and the file is made', async () => {
    const W = 32, H = 32;
    const size = W * H * 4;
    const fs = new FakeOpfs(3 * size);
    const { spares, settle } = sparesOn(fs);
    const scratch = new OpfsScratch(fs.getRoot);
    scratch.useSpares(spares, 1);
    const small: ScratchPlaneSpec[] = [{ hdu: 1, width: W, height: H, dq: false }];
    (await scratch.create('scratch-1', 'a', small)).close(); // one file and one spare of its size: 2 of 3
    await settle();
    expect(spareNames(fs)).toHaveLength(1);
    // Two planes' worth: it fits only without the spare.
    const f = await scratch.create('scratch-2', 'b', [...small, { hdu: 2, width: W, height: H, dq: false }]);
    expect(spareNames(fs)).toEqual([]);
    f.write(1, 0, new Float32Array(W * H).fill(3));
    expect(f.read(1, 0, H, new Float32Array(W * H))[5]).toBe(3);
  });

  it('a spares worker that answers gives its answers; one that never answers is given up in time; one that fails refuses every spare', async () => {
    vi.useFakeTimers();
    try {
      const posted: string[] = [];
      const worker = { onmessage: null as null | ((e: MessageEvent) => void), onerror: null as null | (() => void), postMessage: (m: { name: string }) => posted.push(m.name), terminate: () => undefined };
      const make = workerSpareMaker(() => worker as unknown as Worker);
      const answered = make('spare-1', 10);
      const silent = make('spare-2', 10);
      expect(posted).toEqual(['spare-1', 'spare-2']);
      worker.onmessage!({ data: { name: 'spare-1', ok: true } } as MessageEvent);
      expect(await answered).toBe(true);
      vi.advanceTimersByTime(SPARE_PATIENCE_MS);
      expect(await silent).toBe(false);
      const pending = make('spare-3', 10);
      worker.onerror!();
      expect(await pending).toBe(false);
      expect(await make('spare-4', 10)).toBe(false);
      expect(posted).toEqual(['spare-1', 'spare-2', 'spare-3']);
    } finally {
      vi.useRealTimers();
    }
  });
});
