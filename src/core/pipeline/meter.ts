/**
 * A PixelStore that counts what passes through it: bytes and seconds read,
 * written (products and scratch apart) and spent publishing. The engine wraps
 * its store in one, so every run's log says what its storage cost beside what
 * its steps cost: on IndexedDB the storage is often the larger part, and a
 * run that spilled frames to scratch shows it.
 */
import type { FrameWriter, NewFrame, PixelStore, PlaneKind, StoredFrame } from './store';

export interface StorageTally {
  readBytes: number;
  readSeconds: number;
  writtenBytes: number;
  writeSeconds: number;
  scratchBytes: number;
  commitSeconds: number;
  /** Of readBytes: read from fast copies of products (PixelStore.readsFrom 'copy'). */
  copyBytes: number;
  /** Of readBytes: read from raw frames' OPFS files, their pixel files or copies (PixelStore.readsFrom 'raw copy'). */
  rawCopyBytes: number;
  /** Of scratchBytes: written to scratch files (PixelStore.readsFrom 'file'), not the store's own storage. */
  scratchFileBytes: number;
}

export class MeteredStore implements PixelStore {
  readonly tally: StorageTally = { readBytes: 0, readSeconds: 0, writtenBytes: 0, writeSeconds: 0, scratchBytes: 0, commitSeconds: 0, copyBytes: 0, rawCopyBytes: 0, scratchFileBytes: 0 };

  constructor(private readonly inner: PixelStore) {}

  open(id: string): Promise<StoredFrame> {
    return this.inner.open(id);
  }

  async readRows<T extends Float32Array | Uint16Array>(frame: StoredFrame, ext: number, plane: PlaneKind, y0: number, y1: number, out: T): Promise<T> {
    const t0 = performance.now();
    const r = await this.inner.readRows(frame, ext, plane, y0, y1, out);
    this.tally.readSeconds += (performance.now() - t0) / 1000;
    this.tally.readBytes += r.byteLength;
    const from = this.inner.readsFrom?.(frame.id);
    if (from === 'copy') this.tally.copyBytes += r.byteLength;
    else if (from === 'raw copy') this.tally.rawCopyBytes += r.byteLength;
    return r;
  }

  async create(spec: NewFrame): Promise<FrameWriter> {
    const w = await this.inner.create(spec);
    const tally = this.tally;
    const inFile = spec.role === 'scratch' && this.inner.readsFrom?.(w.id) === 'file';
    return {
      id: w.id,
      async writeRows(ext, plane, y0, data) {
        const t0 = performance.now();
        await w.writeRows(ext, plane, y0, data);
        tally.writeSeconds += (performance.now() - t0) / 1000;
        if (spec.role === 'scratch') tally.scratchBytes += data.byteLength;
        else tally.writtenBytes += data.byteLength;
        if (inFile) tally.scratchFileBytes += data.byteLength;
      },
      async commit(headers, info) {
        const t0 = performance.now();
        const id = await w.commit(headers, info);
        tally.commitSeconds += (performance.now() - t0) / 1000;
        return id;
      },
      discard: () => w.discard(),
    };
  }

  removeScratch(id: string): Promise<void> {
    return this.inner.removeScratch(id);
  }

  readsFrom(id: string): 'copy' | 'raw copy' | 'file' | undefined {
    return this.inner.readsFrom?.(id);
  }
}

/**
 * "read 240 MB in 1.6 s (200 MB of it from OPFS copies of earlier products, 16 MB from raw frames' OPFS files),
 * wrote 40 MB in 0.4 s (12 MB of it scratch, in OPFS files: ...), published in 0.1 s".
 */
export function describeTally(t: StorageTally): string {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)} MB`;
  const s = (x: number) => `${x.toFixed(2)} s`;
  const from = [t.copyBytes ? `${mb(t.copyBytes)} of it from OPFS copies of earlier products` : '', t.rawCopyBytes ? `${mb(t.rawCopyBytes)} ${t.copyBytes ? '' : 'of it '}from raw frames' OPFS files` : ''].filter(Boolean);
  const copies = from.length ? ` (${from.join(', ')})` : '';
  const parts = [`read ${mb(t.readBytes)} in ${s(t.readSeconds)}${copies}`];
  const written = t.writtenBytes + t.scratchBytes;
  if (written) {
    // Only a store that says where (PixelStore.readsFrom) gets a place named: the command's file store does not.
    const where = !t.scratchFileBytes ? '' : t.scratchFileBytes === t.scratchBytes ? ', in OPFS files' : `, ${mb(t.scratchFileBytes)} in OPFS files`;
    parts.push(`wrote ${mb(written)} in ${s(t.writeSeconds)}${t.scratchBytes ? ` (${mb(t.scratchBytes)} of it scratch${where}: processed frames parked until the combine)` : ''}`);
  }
  if (t.commitSeconds) parts.push(`published in ${s(t.commitSeconds)}`);
  return parts.join(', ');
}
