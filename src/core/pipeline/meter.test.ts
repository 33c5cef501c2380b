import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memoryStore';
import { MeteredStore, describeTally } from './meter';

const frame = (w: number, h: number) => ({ width: w, height: h, sci: new Float32Array(w * h).fill(1) });

describe('MeteredStore', () => {
  it('counts the bytes read and written, scratch apart from products', async () => {
    const inner = new MemoryStore();
    inner.add({ id: 'a', name: 'a.fits', primary: [], exts: [{ frame: frame(100, 50) }] });
    const store = new MeteredStore(inner);
    const a = await store.open('a');
    await store.readRows(a, 0, 'sci', 0, 50, new Float32Array(100 * 50));
    await store.readRows(a, 0, 'sci', 10, 20, new Float32Array(100 * 10));
    expect(store.tally.readBytes).toBe(4 * 100 * 60);

    const scratch = await store.create({ role: 'scratch', name: 's', exts: [{ extver: 1, width: 100, height: 50, var: false, dq: true }] });
    await scratch.writeRows(0, 'sci', 0, new Float32Array(100 * 50));
    await scratch.writeRows(0, 'dq', 0, new Uint16Array(100 * 50));
    const product = await store.create({ role: 'product', name: 'p', exts: [{ extver: 1, width: 100, height: 50, var: false, dq: false }] });
    await product.writeRows(0, 'sci', 0, new Float32Array(100 * 50));
    expect(store.tally.scratchBytes).toBe(6 * 100 * 50);
    expect(store.tally.writtenBytes).toBe(4 * 100 * 50);
    expect(store.tally.commitSeconds).toBe(0);
    // A store with one kind of storage says nothing of where.
    expect(store.tally.copyBytes).toBe(0);
    expect(store.tally.scratchFileBytes).toBe(0);
  });

  it('counts what came from fast copies and what went to scratch files, as the store says', async () => {
    const inner = new MemoryStore();
    inner.add({ id: 'r', name: 'r_reduced.fits', primary: [], exts: [{ frame: frame(100, 50) }] });
    inner.add({ id: 'b', name: 'b.fits', primary: [], exts: [{ frame: frame(100, 50) }] });
    const scratchIds = new Set<string>();
    const withCopies = Object.assign(Object.create(inner) as MemoryStore, {
      readsFrom: (id: string) => (id === 'r' ? 'copy' as const : scratchIds.has(id) ? 'file' as const : undefined),
      create: async (spec: Parameters<MemoryStore['create']>[0]) => {
        const w = await inner.create(spec);
        if (spec.role === 'scratch') scratchIds.add(w.id);
        return w;
      },
    });
    const store = new MeteredStore(withCopies);
    await store.readRows(await store.open('r'), 0, 'sci', 0, 50, new Float32Array(100 * 50));
    await store.readRows(await store.open('b'), 0, 'sci', 0, 10, new Float32Array(100 * 10));
    expect(store.tally.readBytes).toBe(4 * 100 * 60);
    expect(store.tally.copyBytes).toBe(4 * 100 * 50);
    const scratch = await store.create({ role: 'scratch', name: 's', exts: [{ extver: 1, width: 100, height: 50, var: false, dq: false }] });
    await scratch.writeRows(0, 'sci', 0, new Float32Array(100 * 50));
    expect(store.tally.scratchFileBytes).toBe(4 * 100 * 50);
  });

  it('says it in one line', () => {
    const MB = 2 ** 20;
    expect(describeTally({ readBytes: 240 * MB, readSeconds: 1.6, writtenBytes: 40 * MB, writeSeconds: 0.4, scratchBytes: 0, commitSeconds: 0.05, copyBytes: 0, rawCopyBytes: 0, scratchFileBytes: 0 }))
      .toBe('read 240 MB in 1.60 s, wrote 40 MB in 0.40 s, published in 0.05 s');
    expect(describeTally({ readBytes: 3 * MB, readSeconds: 0.1, writtenBytes: 0, writeSeconds: 0.2, scratchBytes: 12 * MB, commitSeconds: 0, copyBytes: 0, rawCopyBytes: 0, scratchFileBytes: 0 }))
      .toBe('read 3.0 MB in 0.10 s, wrote 12 MB in 0.20 s (12 MB of it scratch: processed frames parked until the combine)');
    expect(describeTally({ readBytes: 201 * MB, readSeconds: 0.15, copyBytes: 200 * MB, rawCopyBytes: 0, writtenBytes: 40 * MB, writeSeconds: 0.4, scratchBytes: 96 * MB, scratchFileBytes: 96 * MB, commitSeconds: 0 }))
      .toBe('read 201 MB in 0.15 s (200 MB of it from OPFS copies of earlier products), wrote 136 MB in 0.40 s (96 MB of it scratch, in OPFS files: processed frames parked until the combine)');
    expect(describeTally({ readBytes: 56 * MB, readSeconds: 0.1, copyBytes: 40 * MB, rawCopyBytes: 16 * MB, writtenBytes: 40 * MB, writeSeconds: 0.1, scratchBytes: 0, scratchFileBytes: 0, commitSeconds: 0.2 }))
      .toBe("read 56 MB in 0.10 s (40 MB of it from OPFS copies of earlier products, 16 MB from raw frames' OPFS files), wrote 40 MB in 0.10 s, published in 0.20 s");
    expect(describeTally({ readBytes: 240 * MB, readSeconds: 0.9, copyBytes: 0, rawCopyBytes: 240 * MB, writtenBytes: 0, writeSeconds: 0, scratchBytes: 0, scratchFileBytes: 0, commitSeconds: 0 }))
      .toBe("read 240 MB in 0.90 s (240 MB of it from raw frames' OPFS files)");
  });
});
