/**
 * Measures what a piece of code really allocates and reads, for tests of
 * memory budgets: not arithmetic on the code's own plan, but bytes.
 *
 * - Bytes read: a Dexie middleware on the strips table adds up the pixel
 *   bytes of every record a query returns (what IndexedDB deserializes).
 * - Peak bytes held: the ArrayBuffer memory the process holds after a
 *   forced garbage collection (process.memoryUsage().arrayBuffers), taken at
 *   every checkpoint, minus what it held when the probe started and minus
 *   the bytes written into the (in-memory, fake) database since, which are
 *   storage, not the code's memory. Checkpoints: every typed array of 1024
 *   elements or more made through the global constructors, a new one or a
 *   view cut from a kept buffer (the peak of a combine is when it takes its
 *   outputs with all inputs alive), every ArrayBuffer of 4 KB or more, and
 *   every query and write of the strips table (records read whole, and the
 *   buffers written). This counts every buffer, however made (constructors,
 *   slice, structured clone), so nothing the code allocates escapes it; what
 *   it adds (vitest's own, V8's lag in freeing) only makes the peak larger,
 *   so a test that passes is not flattered by it.
 *
 * Why this and not an allocator injected into the code: the combine, the
 * stores and IndexedDB's clones allocate in many places, and an injected
 * allocator would only see the places that were taught to use it.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { DBCore, DBCoreTable, Middleware } from 'dexie';
import type { WorkbenchDb } from '../src/db/schema';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const ARRAYS = ['Float32Array', 'Float64Array', 'Uint16Array', 'Uint8Array', 'Int32Array', 'Uint32Array', 'Int16Array', 'Int8Array'] as const;

function pixelBytes(rows: unknown): number {
  let n = 0;
  for (const r of Array.isArray(rows) ? rows : [rows]) {
    const d = (r as { data?: ArrayBufferView } | undefined)?.data;
    if (d && ArrayBuffer.isView(d)) n += d.buffer.byteLength;
  }
  return n;
}

/** Where the allocation being checked was made: the three frames above the constructor's proxy. */
const caller = () => new Error().stack?.split('\n').slice(3, 6).map((l) => l.trim()).join(' < ');

export interface Probe {
  /** Pixel bytes of the strips records read, per fileId. */
  readBytes: Map<string, number>;
  /** Bytes of the strips records written (IndexedDB keeps a copy of the whole buffer of each). */
  writtenBytes: number;
  /** Largest bytes held at a checkpoint since start(). */
  peak: number;
  /** Where the peak was seen: the allocation's stack, or the strips query or write. */
  peakAt: string;
  checkpoints: number;
  start(): void;
  stop(): void;
}

/** A probe, on `db`'s strips too when given (call before db.open()). */
export function memoryProbe(db?: WorkbenchDb): Probe {
  let base = 0;
  let on = false;
  const originals = new Map<string, unknown>();
  const held = () => {
    gc();
    gc(); // the second collection frees the buffers whose sweeping the first one left pending
    return process.memoryUsage().arrayBuffers - base - probe.writtenBytes;
  };
  const checkpoint = (where: string) => {
    if (!on) return;
    probe.checkpoints++;
    const h = held();
    if (h > probe.peak) {
      probe.peak = h;
      probe.peakAt = where;
    }
  };
  const probe: Probe = {
    readBytes: new Map(),
    writtenBytes: 0,
    peak: 0,
    peakAt: '',
    checkpoints: 0,
    start() {
      probe.readBytes.clear();
      probe.writtenBytes = 0;
      probe.peak = 0;
      probe.checkpoints = 0;
      base = 0;
      base = held();
      for (const name of ARRAYS) {
        const Orig = globalThis[name] as unknown as new (...a: unknown[]) => ArrayBufferView;
        originals.set(name, Orig);
        (globalThis as Record<string, unknown>)[name] = new Proxy(Orig, {
          construct(target, args, newTarget) {
            const a = Reflect.construct(target, args, newTarget) as ArrayBufferView & { length: number };
            // A new array, or a view cut from a kept buffer (the scratch pool's, a combine's carving): either is memory put to use.
            if (a.length >= 1024) checkpoint(`new ${name}(${typeof args[0] === 'number' ? a.length : `buffer, ${a.length}`}) ${caller()}`);
            return a;
          },
        });
      }
      const OrigBuffer = globalThis.ArrayBuffer;
      originals.set('ArrayBuffer', OrigBuffer);
      globalThis.ArrayBuffer = new Proxy(OrigBuffer, {
        construct(target, args, newTarget) {
          const b = Reflect.construct(target, args, newTarget) as ArrayBuffer;
          if (b.byteLength >= 4096) checkpoint(`new ArrayBuffer(${b.byteLength}) ${caller()}`);
          return b;
        },
      });
      on = true;
    },
    stop() {
      on = false;
      for (const [name, Orig] of originals) (globalThis as Record<string, unknown>)[name] = Orig;
      originals.clear();
    },
  };
  const middleware: Middleware<DBCore> = {
    stack: 'dbcore',
    name: 'memoryProbe',
    create(down) {
      return {
        ...down,
        table(name: string): DBCoreTable {
          const t = down.table(name);
          if (name !== 'strips') return t;
          return {
            ...t,
            async query(req) {
              const res = await t.query(req);
              if (on && req.values) {
                for (const r of res.result as { fileId: string }[]) {
                  probe.readBytes.set(r.fileId, (probe.readBytes.get(r.fileId) ?? 0) + pixelBytes(r));
                }
                checkpoint('strips query');
              }
              return res;
            },
            async getMany(req) {
              const res = await t.getMany(req);
              if (on) throw new Error('memoryProbe: strips read by getMany are not counted');
              return res;
            },
            async get(req) {
              const res = await t.get(req);
              if (on) throw new Error('memoryProbe: strips read by get are not counted');
              return res;
            },
            async mutate(req) {
              if (on && (req.type === 'put' || req.type === 'add')) {
                checkpoint('strips put');
                probe.writtenBytes += pixelBytes(req.values);
              }
              return t.mutate(req);
            },
          };
        },
      };
    },
  };
  db?.use(middleware);
  return probe;
}
