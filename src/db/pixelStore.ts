/**
 * The pipeline's PixelStore on IndexedDB (the engine runs on it in the page's
 * workers). Frames are library files: their headers from the headers table,
 * their planes from the strips table. A product's rows go, as they are made,
 * to its pixel file (./pixelFiles.ts: OPFS, where the worker has sync access
 * handles), and its strip records, pointing into that file, are put when it
 * is published; elsewhere they are written strip by strip as typed arrays.
 * Either way under an id nobody lists, with a heartbeat in `writing` so the
 * start-up sweeps leave them alone while the run lives.
 * A product becomes visible in
 * one transaction that writes its file record, its headers and (when the
 * store belongs to a run) the run's record as done, and removes the product it
 * replaces (the same slot, made before). Scratch frames are known
 * only to this store object (one run, one worker) and removed after: in the
 * Origin Private File System where the worker has sync access handles
 * (./opfsScratch.ts says why), else as strips like a product's.
 */
import { extractDescriptors } from '../core/classify';
import type { Card } from '../core/fits/types';
import { frameLayout, planeHdu, type LayoutHdu } from '../core/pipeline/layout';
import { PRODUCT_LABEL, isMasterKind, madeFrom, type ProductInfo } from '../core/pipeline/products';
import { scienceExtensions, type FrameHeaders, type HduLayout, type FrameWriter, type NewFrame, type PixelStore, type PlaneKind, type StoredFrame } from '../core/pipeline/store';
import { ScratchPool, give, take } from '../core/kernels/scratch';
import { MAD_TO_SIGMA, madOf } from '../core/kernels/stats';
import { readPlaneRows, stripRowsFor } from './files';
import { discardProduct, markWriting, newProductId, writeProductStrips, type PendingStrip } from './products';
import { StorageFullError, isQuotaError } from './errors';
import { defaultOpfsScratch, type OpfsScratch, type ScratchFile, type ScratchPlaneSpec } from './opfsScratch';
import { defaultProductMirror, type ProductMirror } from './productMirror';
import { tracked } from '../core/pending';
import { defaultPixelScratch, removePixelFiles } from './pixelFiles';
import { defaultRawCopies, type RawCopies } from './rawCopies';
import type { WorkbenchDb } from './schema';
import type { FileRecord, FrameStats, HduSummary, HeaderRecord, RunRecord, StripRecord } from './types';

export interface IdbStoreOptions {
  /** The run this store writes for: its record becomes 'done' in the product's own transaction. */
  run?: { id: string; finish: () => Partial<RunRecord> };
  /**
   * Where scratch frames go: OPFS files (default: this realm's, when it has
   * sync access handles), or `false` for IndexedDB strips.
   */
  scratch?: OpfsScratch | false;
  /**
   * Where copies of the products go for later runs to read fast
   * (./productMirror.ts): default this realm's (a worker with OPFS sync
   * access handles), `false` for none.
   */
  mirror?: ProductMirror | false;
  /**
   * Where products' planes are written: pixel files (./pixelFiles.ts;
   * default this realm's, a worker with sync access handles), or `false`
   * for typed-array strips in IndexedDB.
   */
  pixels?: OpfsScratch | false;
  /**
   * Where raw frames are read from before IndexedDB: the copies the ingest
   * kept (./rawCopies.ts; default this realm's), `false` for none.
   */
  rawCopies?: RawCopies | false;
}

/** Heartbeats of a writer are refreshed at most this often while it writes... */
const HEARTBEAT_MS = 5_000;
/** ...and at least this often while it lives (a run in a long step, a scratch frame waiting for its stack). */
const KEEPALIVE_MS = 30_000;

export class IdbPixelStore implements PixelStore {
  private scratch = new Map<string, StoredFrame>();
  /** Scratch frames in OPFS files (the others are strips in IndexedDB). */
  private files = new Map<string, ScratchFile>();
  /** Undefined once OPFS failed for a reason other than a full quota: the rest of the run uses IndexedDB. */
  private opfs: OpfsScratch | undefined;
  /** Frames this store is writing or keeps as scratch: their heartbeats must not go stale. */
  private live = new Map<string, string>();
  private keepalive?: ReturnType<typeof setInterval>;
  private readonly mirror: ProductMirror | undefined;
  private readonly pixels: OpfsScratch | undefined;
  private readonly rawCopies: RawCopies | undefined;
  /** The raw copy each opened raw frame's record names (FileRecord.rawCopy), and the frames last read from one. */
  private copyNames = new Map<string, string>();
  /** Raw frames whose strips point into pixel files (FileRecord.pixelFile), read through sync access handles. */
  private inPixelFiles = new Set<string>();
  private readFromCopy = new Set<string>();

  constructor(private readonly db: WorkbenchDb, private readonly opts: IdbStoreOptions = {}) {
    this.opfs = opts.scratch === false ? undefined : opts.scratch ?? defaultOpfsScratch();
    this.mirror = opts.mirror === false ? undefined : opts.mirror ?? defaultProductMirror();
    this.pixels = opts.pixels === false ? undefined : opts.pixels ?? defaultPixelScratch();
    this.rawCopies = opts.rawCopies === false ? undefined : opts.rawCopies ?? defaultRawCopies();
  }

  /** Scratch frames go to OPFS files (sync access handles: GB/s), not to IndexedDB strips. */
  get scratchInFiles(): boolean {
    return this.opfs !== undefined;
  }

  private hold(id: string, name: string): void {
    this.live.set(id, name);
    this.keepalive ??= setInterval(() => {
      for (const [fid, n] of this.live) void markWriting(this.db, fid, n, this.opts.run?.id).catch(() => undefined);
    }, KEEPALIVE_MS);
  }

  private release(id: string): void {
    this.live.delete(id);
    if (!this.live.size && this.keepalive !== undefined) {
      clearInterval(this.keepalive);
      this.keepalive = undefined;
    }
  }

  async open(id: string): Promise<StoredFrame> {
    const s = this.scratch.get(id);
    if (s) return s;
    const [rec, headers] = await tracked(`IndexedDB open ${id}`, Promise.all([this.db.files.get(id), this.db.headers.get(id)]));
    if (!rec) throw new Error(`file ${id} is not in the library (deleted?)`);
    if (rec.status !== 'ok') throw new Error(`${rec.name} could not be read: ${rec.message}`);
    if (rec.rawCopy && !rec.product) this.copyNames.set(id, rec.rawCopy);
    if (rec.pixelFile && !rec.product) this.inPixelFiles.add(id);
    const cardsOf = (index: number): Card[] => headers?.hdus.find((h) => h.index === index)?.cards ?? [];
    const { exts, singleHdu } = scienceExtensions(rec.name, rec.hdus.map((h) => ({ index: h.index, extname: h.extname, naxis: h.naxis, isImage: h.isImage, cards: cardsOf(h.index) })));
    return { id, name: rec.name, primary: cardsOf(0), exts, singleHdu, product: rec.product };
  }

  async readRows<T extends Float32Array | Uint16Array>(frame: StoredFrame, ext: number, plane: PlaneKind, y0: number, y1: number, out: T): Promise<T> {
    const e = frame.exts[ext];
    const hdu = e.planes[plane];
    if (hdu === undefined) throw new Error(`${frame.name}: no ${plane.toUpperCase()} plane in extension ${e.extver}`);
    const file = this.files.get(frame.id) ?? this.mirror?.get(frame.id);
    if (file) return file.read(hdu, y0, y1, out);
    const layout = { id: frame.id, width: e.width, stripRows: stripRowsFor(e.width) };
    if (this.rawCopies && this.inPixelFiles.has(frame.id)) {
      const read = await this.rawCopies.readPixelFile(this.db, layout, hdu, 0, y0, y1, out);
      if (read) {
        this.readFromCopy.add(frame.id);
        return read;
      }
      this.readFromCopy.delete(frame.id);
    }
    const copy = this.copyNames.get(frame.id);
    if (this.rawCopies && copy) {
      const copied = await this.rawCopies.readPlaneRows(this.db, { ...layout, copy }, hdu, 0, y0, y1, out);
      if (copied) {
        this.readFromCopy.add(frame.id);
        return copied;
      }
      this.readFromCopy.delete(frame.id);
    }
    return tracked(`IndexedDB read ${frame.name} HDU ${hdu} rows ${y0}-${y1}`, readPlaneRows(this.db, layout, hdu, 0, y0, y1, out));
  }

  async create(spec: NewFrame): Promise<FrameWriter> {
    const id = spec.role === 'product' ? newProductId() : `scratch-${crypto.randomUUID()}`;
    const layout = frameLayout(spec);
    if (spec.role === 'scratch' && this.opfs) {
      const planes = filePlanes(layout);
      try {
        const file = await this.opfs.create(id, spec.name, planes);
        return this.opfsWriter(spec, layout, file);
      } catch (err) {
        if (err instanceof StorageFullError) throw err;
        // OPFS refused for another reason (a browser's own limits): strips in IndexedDB still work.
        console.warn(`${spec.name}: scratch in IndexedDB, OPFS failed:`, err);
        this.opfs = undefined;
      }
    }
    const db = this.db;
    const runId = this.opts.run?.id;
    const mirror = spec.role === 'product' && spec.readAgain ? this.mirror : undefined;
    // A product's rows go to its pixel file as they come (./pixelFiles.ts), and its strip records, pointing into
    // it, are put in the publishing transaction; the file's open handle then serves later runs' reads
    // (./productMirror.ts). Without one, strips of typed arrays as they fill, and a copy of its own.
    // The writing record first: a page that dies at any point after it leaves a record naming the
    // product's pixel file, which the next start-up removes at once (products.ts, sweepOrphanStrips),
    // not after PIXEL_SWEEP_AGE_MS as a file no record names.
    await tracked(`IndexedDB heartbeat ${spec.name}`, markWriting(db, id, spec.name, runId));
    let staged: ScratchFile | undefined;
    const planesInFile = filePlanes(layout);
    if (spec.role === 'product' && this.pixels) {
      try {
        staged = await tracked(`OPFS pixel file of ${spec.name}`, this.pixels.create(id, spec.name, planesInFile));
      } catch (err) {
        // Whatever OPFS refused (a full quota too), IndexedDB may still take typed arrays; if it cannot either, it
        // says so, naming the frame.
        console.warn(`${spec.name}: strips go to IndexedDB as arrays, its pixel file could not be made:`, err);
      }
    }
    let copy: Awaited<ReturnType<ProductMirror['begin']>> | undefined;
    try {
      copy = mirror && !staged ? await tracked(`OPFS copy of ${spec.name}`, mirror.begin(id, spec.name, planesInFile, spec.readAgain)) : undefined;
    } catch (err) {
      await staged?.remove().catch(() => undefined);
      await db.writing.delete(id).catch(() => undefined);
      throw err;
    }
    /** The copy is an extra: a failure to write it drops it, never the product. */
    const toCopy = (hdu: number, y0: number, data: Float32Array | Uint16Array) => {
      if (!copy) return;
      try {
        copy.write(hdu, y0, data);
      } catch {
        void mirror!.drop(copy);
        copy = undefined;
      }
    };
    this.hold(id, spec.name);
    let beat = Date.now();
    /** Set once the product is published: from then on it is the library's, and discard leaves it alone. */
    let published = false;
    const planes = new Map<string, StripBuffer>();
    for (const h of staged ? [] : layout) {
      if (h.plane === undefined) continue;
      planes.set(`${h.ext}:${h.plane}`, new StripBuffer(h, stripRowsFor(h.width!)));
    }
    const sampler = new Sampler(spec.exts[0].width * spec.exts[0].height);
    const store = this;
    const write = async (h: LayoutHdu, strips: PendingStrip[]) => {
      await tracked(`IndexedDB strips of ${spec.name} HDU ${h.index} rows ${strips[0]?.y0}-${strips.at(-1)?.y1}`, writeProductStrips(db, id, h.index, strips, spec.name));
      if (Date.now() - beat > HEARTBEAT_MS) {
        beat = Date.now();
        await tracked(`IndexedDB heartbeat ${spec.name}`, markWriting(db, id, spec.name, runId));
      }
    };
    return {
      id,
      async writeRows(ext, plane, y0, data) {
        const h = layout.find((l) => l.ext === ext && l.plane === plane);
        if (!h) throw new Error(`${spec.name}: no ${plane} plane in extension ${ext + 1}`);
        const hdu = h.index;
        const buf = planes.get(`${ext}:${plane}`);
        if (ext === 0 && plane === 'sci') sampler.add(data as Float32Array, y0 * spec.exts[0].width);
        toCopy(hdu, y0, data);
        if (staged) staged.write(hdu, y0, data);
        else await buf!.add(y0, data, write);
      },
      async commit(headers: FrameHeaders, info?: ProductInfo) {
        for (const buf of planes.values()) {
          await buf.flush(write);
          if (buf.next !== buf.height) throw new Error(`${spec.name}: ${buf.hdu.extname} ${buf.hdu.extver} has ${buf.next} of ${buf.height} rows`);
        }
        // The library's strips: references into the pixel file.
        const stagedStrips = staged?.refs(stripRowsFor).map((st): StripRecord => ({ fileId: id, plane: 0, ...st }));
        const full = frameLayout(spec, headers);
        const headerRecord: HeaderRecord = {
          fileId: id,
          hdus: full.map((h) => ({
            index: h.index,
            extname: h.extname,
            cards: h.width ? [{ key: 'EXTNAME', value: h.extname }, { key: 'NAXIS1', value: h.width }, { key: 'NAXIS2', value: h.height! }, ...h.cards] : h.cards,
          })),
        };
        const hdus: HduSummary[] = full.map((h) => ({
          index: h.index, xtension: h.index ? 'IMAGE' : 'PRIMARY', extname: h.extname, bitpix: h.bitpix, naxis: h.width ? [h.width, h.height!] : [], isImage: !!h.width,
        }));
        if (spec.role === 'scratch') {
          store.scratch.set(id, { id, name: spec.name, primary: headers.primary, ...scienceExtensions(spec.name, scratchHdus(full)) });
          return id;
        }
        if (!info) throw new Error(`${spec.name}: a product needs its product record`);
        store.release(id);
        const e0 = spec.exts[0];
        const record: FileRecord = {
          id,
          name: spec.name,
          path: 'products',
          size: fitsSize(full),
          addedAt: Date.now(),
          status: 'ok',
          message: madeFrom(info),
          hdus,
          imageHdu: full.find((h) => h.plane === 'sci')!.index,
          width: e0.width,
          height: e0.height,
          depth: 1,
          stripRows: stripRowsFor(e0.width),
          descriptors: extractDescriptors(headers.primary, headerRecord.hdus[1]?.cards),
          auto: { type: isMasterKind(info.kind) ? info.kind : 'science', reason: `${PRODUCT_LABEL[info.kind]} made by the workbench (${info.recipe})` },
          type: 'product',
          stats: sampler.stats(),
          product: info,
          ...(staged ? { pixelFile: id } : {}),
        };
        // A copy missing rows (it cannot be: every row came through writeRows) is not trusted.
        if (copy && full.some((h) => h.plane !== undefined && copy!.rowsWritten(h.index) !== h.height)) {
          await mirror!.drop(copy);
          copy = undefined;
        }
        const runPatch = store.opts.run ? { ...store.opts.run.finish(), status: 'done' as const, productId: id, endedAt: Date.now(), progress: 1 } : undefined;
        let replaced: string[] = [];
        try {
          await tracked(`IndexedDB publish ${spec.name}`, db.transaction('rw', [db.files, db.headers, db.writing, db.runs, db.strips], async () => {
            // The product this one remakes (same slot) goes: the library keeps one product per slot.
            const previous = await db.files.where('type').equals('product').filter((f) => f.product?.runKey === info.runKey).primaryKeys();
            replaced = previous;
            for (const old of previous) {
              await db.strips.where('fileId').equals(old).delete();
              await db.headers.delete(old);
              await db.files.delete(old);
            }
            if (stagedStrips) await db.strips.bulkPut(stagedStrips);
            await db.files.put(record);
            await db.headers.put(headerRecord);
            await db.writing.delete(id);
            if (runPatch) await db.runs.update(store.opts.run!.id, runPatch);
          }));
        } catch (err) {
          if (copy) await mirror!.drop(copy);
          copy = undefined;
          await staged?.remove().catch(() => undefined);
          if (isQuotaError(err)) throw new StorageFullError(spec.name, 'run');
          throw err;
        }
        published = true;
        // The products this one replaced: their pixel files go, once no handle of this worker holds them.
        if (replaced.length) {
          for (const old of replaced) store.mirror?.release(old);
          await removePixelFiles(replaced);
        }
        // The pixel file is the library's now; its open handle serves later runs' reads if the mirror has room.
        if (staged && !(mirror && (await mirror.adopt(id, staged, spec.readAgain)))) staged.close();
        if (copy) mirror!.keep(id, copy);
        return id;
      },
      async discard() {
        if (published) return;
        store.scratch.delete(id);
        store.release(id);
        await staged?.remove().catch(() => undefined);
        if (copy) await mirror!.drop(copy);
        copy = undefined;
        await tracked(`IndexedDB discard ${spec.name}`, discardProduct(db, id));
      },
    };
  }

  readsFrom(id: string): 'copy' | 'raw copy' | 'file' | undefined {
    return this.files.has(id) ? 'file' : this.mirror?.has(id) ? 'copy' : this.readFromCopy.has(id) ? 'raw copy' : undefined;
  }

  async removeScratch(id: string): Promise<void> {
    this.scratch.delete(id);
    const file = this.files.get(id);
    if (file) {
      this.files.delete(id);
      await file.remove();
      return;
    }
    this.release(id);
    await discardProduct(this.db, id);
  }

  /** A scratch frame written to its OPFS file: no heartbeat (IndexedDB's sweep never sees it), no strips. */
  private opfsWriter(spec: NewFrame, layout: readonly LayoutHdu[], file: ScratchFile): FrameWriter {
    const store = this;
    const id = file.id;
    this.files.set(id, file);
    const hduOf = (ext: number, plane: PlaneKind) => planeHdu(layout, ext, plane);
    return {
      id,
      async writeRows(ext, plane, y0, data) {
        file.write(hduOf(ext, plane), y0, data);
      },
      async commit(headers: FrameHeaders) {
        const full = frameLayout(spec, headers);
        for (const h of full) {
          if (h.plane === undefined) continue;
          const rows = file.rowsWritten(h.index);
          if (rows !== h.height) throw new Error(`${spec.name}: ${h.extname} ${h.extver} has ${rows} of ${h.height} rows`);
        }
        store.scratch.set(id, { id, name: spec.name, primary: headers.primary, ...scienceExtensions(spec.name, scratchHdus(full)) });
        return id;
      },
      async discard() {
        store.scratch.delete(id);
        store.files.delete(id);
        await file.remove();
      },
    };
  }
}

/** The planes of a frame's layout as an OPFS file holds them (scratch, or a product's copy). */
function filePlanes(layout: readonly LayoutHdu[]): ScratchPlaneSpec[] {
  return layout.filter((h) => h.plane !== undefined).map((h) => ({ hdu: h.index, width: h.width!, height: h.height!, dq: h.plane === 'dq' }));
}

/** A written frame's HDUs as scienceExtensions reads them (EXTNAME and size in the cards, as the library's headers have them). */
function scratchHdus(full: readonly LayoutHdu[]): HduLayout[] {
  return full.map((h) => ({
    index: h.index,
    extname: h.extname,
    naxis: h.width ? [h.width, h.height!] : [],
    isImage: !!h.width,
    cards: h.width ? [{ key: 'EXTNAME', value: h.extname }, { key: 'NAXIS1', value: h.width }, { key: 'NAXIS2', value: h.height! }, ...h.cards] : h.cards,
  }));
}

/**
 * Collects the rows of one plane into strips of the library's height. The
 * strips a call fills are written together, in one transaction: a whole plane
 * written at once (a reduced frame) costs one transaction, not one per strip.
 */
class StripBuffer {
  next = 0;
  readonly height: number;
  private buf: Float32Array | Uint16Array;
  private filled = 0;
  private index = 0;

  constructor(readonly hdu: LayoutHdu, private readonly rows: number) {
    this.height = hdu.height!;
    const n = Math.min(rows, this.height) * hdu.width!;
    this.buf = hdu.plane === 'dq' ? new Uint16Array(n) : new Float32Array(n);
  }

  async add(y0: number, data: Float32Array | Uint16Array, write: WriteFn): Promise<void> {
    const w = this.hdu.width!;
    if (y0 !== this.next) throw new Error(`${this.hdu.extname} rows must come in order (got ${y0}, expected ${this.next})`);
    const nrows = data.length / w;
    const full: PendingStrip[] = [];
    for (let r = 0; r < nrows; ) {
      const rows = Math.min(nrows - r, this.rows - this.filled);
      if (this.filled === 0 && rows === this.rows) {
        // A whole strip straight from the caller's rows: one copy, not two.
        full.push(this.strip(copyOf(data, r * w, (r + rows) * w), rows));
      } else {
        this.buf.set(data.subarray(r * w, (r + rows) * w) as never, this.filled * w);
        this.filled += rows;
        if (this.filled === this.rows) full.push(this.strip(copyOf(this.buf, 0, this.filled * w), this.filled));
      }
      r += rows;
    }
    if (full.length) await written(write, this.hdu, full);
    this.next = y0 + nrows;
  }

  async flush(write: WriteFn): Promise<void> {
    if (!this.filled) return;
    await written(write, this.hdu, [this.strip(copyOf(this.buf, 0, this.filled * this.hdu.width!), this.filled)]);
  }

  private strip(data: Float32Array | Uint16Array, rows: number): PendingStrip {
    const y0 = this.index * this.rows;
    const s = { index: this.index, y0, y1: y0 + rows, data };
    this.index++;
    this.filled = 0;
    return s;
  }
}

type WriteFn = (h: LayoutHdu, strips: PendingStrip[]) => Promise<void>;

/**
 * The strips being written, kept for the next plane: a product's SCI and VAR
 * are 16 strips of 1 MB each at 2048 x 2048, made afresh 40 times a frame
 * (fresh memory is dear: kernels/scratch.ts). A pool of their own, the size
 * of one plane's strips: in the realm's pool they crowded out the frames'
 * arrays (bench night 61.6 s against 52.8 s).
 */
const stripPool = new ScratchPool(32 * 2 ** 20, 256 * 1024); // strips are at most 1 MB: just under it at most widths

/** Elements [a, b) of `src` in an array of their own: put() clones a view's whole buffer. */
function copyOf(src: Float32Array | Uint16Array, a: number, b: number): Float32Array | Uint16Array {
  const out: Float32Array | Uint16Array = src instanceof Float32Array ? stripPool.take(Float32Array, b - a) : stripPool.take(Uint16Array, b - a);
  out.set(src.subarray(a, b) as never);
  return out;
}

/** Writes the strips, then keeps their arrays: IndexedDB cloned them when put() was called, before its promise resolved. */
async function written(write: WriteFn, h: LayoutHdu, strips: PendingStrip[]): Promise<void> {
  await write(h, strips);
  stripPool.give(...strips.map((s) => s.data));
}

/**
 * A regular sample of the SCI values as they are written: the library table's
 * median, noise, min and max. The sample (1.6 MB of a 2k frame, for every
 * product) is an array of the scratch pool, given back by stats().
 */
class Sampler {
  private values: Float64Array;
  private n = 0;
  private min = Infinity;
  private max = -Infinity;
  private nan = 0;
  private readonly stride: number;

  constructor(n: number) {
    this.stride = Math.max(1, Math.floor(n / 200_000)) | 1;
    this.values = take(Float64Array, Math.ceil(n / this.stride));
  }

  add(data: Float32Array, offset: number): void {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v - v !== 0) { this.nan++; continue; }
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      if ((offset + i) % this.stride === 0) this.values[this.n++] = v;
    }
  }

  /** The figures; the sampler is spent (its sample goes back to the pool). */
  stats(): FrameStats {
    const { median, mad } = madOf(this.values, this.n);
    give(this.values);
    return { median, robustSigma: MAD_TO_SIGMA * mad, min: this.min, max: this.max, saturatedFraction: 0, nanCount: this.nan };
  }
}

/** Bytes of the FITS file the layout makes (2880-byte blocks), for the library's size column. */
function fitsSize(layout: readonly LayoutHdu[]): number {
  const block = (n: number) => Math.ceil(n / 2880) * 2880;
  return layout.reduce((s, h) => s + block((h.cards.length + 12) * 80) + (h.width ? block(h.width * h.height! * (h.plane === 'dq' ? 2 : 4)) : 0), 0);
}
