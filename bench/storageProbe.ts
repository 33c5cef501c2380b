/**
 * What storing and reading pixels costs inside a Web Worker (where the
 * pipeline runs), in MB/s: IndexedDB records of one strip each (the library's
 * 1 MB strips of float32 noise, which no compression shrinks), written a
 * plane per transaction and read one by one, several in flight, and with
 * getAll; the same bytes as Blob values; and an OPFS file through a sync
 * access handle. Part of bench.html (`only=storage`).
 */
import type { BenchLine } from './lib';


function noise(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = 1000 + s / 2 ** 22; }
  return a;
}

const req = <T>(r: IDBRequest<T>) => new Promise<T>((ok, no) => { r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
const done = (tx: IDBTransaction) => new Promise<void>((ok, no) => { tx.oncomplete = () => ok(); tx.onerror = () => no(tx.error); tx.onabort = () => no(tx.error); });

async function openDb(): Promise<IDBDatabase> {
  await req(indexedDB.deleteDatabase('ccd-bench-storage'));
  const open = indexedDB.open('ccd-bench-storage', 1);
  open.onupgradeneeded = () => { open.result.createObjectStore('s'); };
  return req(open);
}

export async function benchStorage(mb: number, stripMb = 1): Promise<BenchLine[]> {
  const STRIP = Math.round(stripMb * 2 ** 18); // float32 values
  const n = Math.max(16, Math.round(mb / stripMb));
  const strips = Array.from({ length: 16 }, (_, i) => noise(STRIP, i + 1));
  const rate = (t0: number) => Math.round(((n * stripMb) / ((performance.now() - t0) / 1000)) * 10) / 10;
  const out: Record<string, number> = {};
  for (const kind of ['buffer', 'blob'] as const) {
    const db = await openDb();
    let t0 = performance.now();
    let sync = 0;
    // 16 strips (16 MB: one plane of a 2k frame) per transaction, relaxed as the app writes.
    for (let i = 0; i < n; i += 16) {
      const tx = db.transaction('s', 'readwrite', { durability: 'relaxed' });
      for (let j = i; j < Math.min(n, i + 16); j++) {
        const data = strips[j % 16].slice();
        const ts = performance.now();
        tx.objectStore('s').put(kind === 'blob' ? new Blob([data]) : data, j);
        sync += performance.now() - ts;
      }
      await done(tx);
    }
    out[`idb_${kind}_write_mb_s`] = rate(t0);
    // The part of a write the writing thread itself spends, in put() (cloning the value): it cannot compute meanwhile.
    out[`idb_${kind}_put_thread_ms_per_mb`] = Math.round((sync / n / stripMb) * 100) / 100;
    const value = async (v: unknown) => (kind === 'blob' ? new Float32Array(await (v as Blob).arrayBuffer()) : (v as Float32Array));
    t0 = performance.now();
    for (let j = 0; j < n; j++) await value(await req(db.transaction('s').objectStore('s').get(j)));
    out[`idb_${kind}_read_one_by_one_mb_s`] = rate(t0);
    t0 = performance.now();
    for (let j = 0; j < n; j += 8) {
      const tx = db.transaction('s');
      await Promise.all(Array.from({ length: Math.min(8, n - j) }, async (_, k) => value(await req(tx.objectStore('s').get(j + k)))));
    }
    out[`idb_${kind}_read_8_in_flight_mb_s`] = rate(t0);
    t0 = performance.now();
    for (let j = 0; j < n; j += 8) {
      const vs = await req(db.transaction('s').objectStore('s').getAll(IDBKeyRange.bound(j, j + 7)));
      for (const v of vs) await value(v);
    }
    out[`idb_${kind}_read_getall_8_mb_s`] = rate(t0);
    db.close();
    await req(indexedDB.deleteDatabase('ccd-bench-storage'));
  }
  const root = await navigator.storage.getDirectory();
  await viaOpfsFile(root, strips, n, STRIP, stripMb, rate, out);
  const handle = await root.getFileHandle('ccd-bench-storage.bin', { create: true });
  const file = await handle.createSyncAccessHandle();
  let t0 = performance.now();
  for (let j = 0; j < n; j++) file.write(strips[j % 16], { at: j * STRIP * 4 });
  file.flush();
  out.opfs_write_mb_s = rate(t0);
  const buf = new Float32Array(STRIP);
  t0 = performance.now();
  for (let j = 0; j < n; j++) file.read(buf, { at: j * STRIP * 4 });
  out.opfs_read_mb_s = rate(t0);
  file.truncate(0);
  file.close();
  await root.removeEntry('ccd-bench-storage.bin');
  return [{ kernel: 'storage', mb: n * stripMb, strip_mb: stripMb, ...out } as unknown as BenchLine];
}

/**
 * Strips stored as slices of an OPFS file: each plane (16 strips) written to
 * a file through a sync access handle, then put() as Blob slices of that
 * File; a persistent profile's IndexedDB copies the bytes itself, off this
 * thread. The file is removed once the transaction is complete, and the
 * values are checked afterwards. Measured only: the app does not store this
 * way, because an in-memory IndexedDB (a private window) keeps the Blob, not
 * a copy, and loses the pixels with the file (README, "A night in the browser").
 */
async function viaOpfsFile(
  root: FileSystemDirectoryHandle, strips: Float32Array[], n: number, STRIP: number, stripMb: number, rate: (t0: number) => number, out: Record<string, number>,
): Promise<void> {
  const db = await openDb();
  let sync = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i += 16) {
    const name = `ccd-bench-plane-${i}.bin`;
    const h = await root.getFileHandle(name, { create: true });
    const ts = performance.now();
    const f = await h.createSyncAccessHandle();
    const m = Math.min(n, i + 16) - i;
    for (let j = 0; j < m; j++) f.write(strips[(i + j) % 16], { at: j * STRIP * 4 });
    f.close();
    sync += performance.now() - ts;
    const file = await h.getFile();
    const tx = db.transaction('s', 'readwrite', { durability: 'relaxed' });
    const tp = performance.now();
    for (let j = 0; j < m; j++) tx.objectStore('s').put(file.slice(j * STRIP * 4, (j + 1) * STRIP * 4), i + j);
    sync += performance.now() - tp;
    await done(tx);
    await root.removeEntry(name);
  }
  out.idb_file_write_mb_s = rate(t0);
  out.idb_file_put_thread_ms_per_mb = Math.round((sync / n / stripMb) * 100) / 100;
  const t1 = performance.now();
  let bad = 0;
  for (let j = 0; j < n; j += 8) {
    const tx = db.transaction('s');
    await Promise.all(Array.from({ length: Math.min(8, n - j) }, async (_, k) => {
      const v = new Float32Array(await ((await req(tx.objectStore('s').get(j + k))) as Blob).arrayBuffer());
      const want = strips[(j + k) % 16];
      if (v.length !== want.length || v[0] !== want[0] || v[v.length - 1] !== want[want.length - 1]) bad++;
    }));
  }
  out.idb_file_read_8_in_flight_mb_s = rate(t1);
  out.idb_file_bad_strips = bad;
  db.close();
  await req(indexedDB.deleteDatabase('ccd-bench-storage'));
}
