/**
 * The PixelStore of `npm run reduce`: raw frames are the user's files
 * (read by rows where they are plain FITS, decoded whole when gzip'd or
 * tile-compressed), products are FITS files in the output folder, and a
 * run's scratch frames are raw planes in a temporary folder.
 *
 * Products are written plane by plane to temporary files and assembled into
 * one FITS file on commit, under a hidden name that is renamed into place
 * last: a run that dies leaves no half-written product in the output folder.
 * Ids are absolute paths, so every worker thread opens the same products.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { encodeBigEndian, headerBlock, type Card } from '../src/core/fits';
import { frameLayout } from '../src/core/pipeline/layout';
import type { ProductInfo } from '../src/core/pipeline/products';
import {
  scienceExtensions, type FrameHeaders, type FrameWriter, type NewFrame, type PixelStore, type PlaneKind, type StoredFrame,
} from '../src/core/pipeline/store';
import { openFits, readDiskRows, readWholeImage, type DiskFits } from './fitsFile';

interface ScratchFrame {
  stored: StoredFrame;
  /** `${ext}:${plane}` -> file of native-endian values. */
  planes: Map<string, string>;
}

/** Decoded planes of gzip'd / compressed files, least recently used first out. */
class DecodedCache {
  private map = new Map<string, Float32Array | Float64Array>();
  private bytes = 0;
  constructor(private readonly budget: number) {}
  get(key: string, make: () => Float32Array | Float64Array): Float32Array | Float64Array {
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const v = make();
    this.map.set(key, v);
    this.bytes += v.byteLength;
    while (this.bytes > this.budget && this.map.size > 1) {
      const [k, old] = this.map.entries().next().value as [string, Float32Array];
      this.map.delete(k);
      this.bytes -= old.byteLength;
    }
    return v;
  }
}

const BYTES: Record<PlaneKind, number> = { sci: 4, var: 4, dq: 2 };

export class FileStore implements PixelStore {
  private files = new Map<string, DiskFits>();
  private scratch = new Map<string, ScratchFrame>();
  private decoded: DecodedCache;

  /** `cacheBytes`: decoded gzip'd / tile-compressed frames kept for re-reading (part of the worker's memory). */
  constructor(private readonly outDir: string, private readonly tmpDir: string, cacheBytes = 256 * 2 ** 20) {
    this.decoded = new DecodedCache(cacheBytes);
    mkdirSync(outDir, { recursive: true });
    mkdirSync(tmpDir, { recursive: true });
  }

  private disk(path: string): DiskFits {
    let f = this.files.get(path);
    if (!f) {
      f = openFits(path, (p) => new Uint8Array(readFileSync(p)));
      // Whole-file entries hold the file's bytes (their decoded planes are in `decoded`): keep only a few.
      if (this.files.size > 4) this.files.delete(this.files.keys().next().value as string);
      this.files.set(path, f);
    }
    return f;
  }

  async open(id: string): Promise<StoredFrame> {
    const s = this.scratch.get(id);
    if (s) return s.stored;
    const f = this.disk(id);
    const hdus = f.mode === 'rows' ? f.hdus : f.parsed.hdus;
    const { exts, singleHdu } = scienceExtensions(f.name, hdus);
    // A product is named as the plan named it: its path below the output folder ('n1/raw0001_bias.fits').
    const inOut = relative(this.outDir, id);
    const name = !inOut.startsWith('..') && !isAbsolute(inOut) ? inOut : f.name;
    return { id, name, primary: hdus[0].cards, exts, singleHdu };
  }

  async readRows<T extends Float32Array | Uint16Array>(frame: StoredFrame, ext: number, plane: PlaneKind, y0: number, y1: number, out: T): Promise<T> {
    const e = frame.exts[ext];
    const n = (y1 - y0) * e.width;
    const s = this.scratch.get(frame.id);
    if (s) {
      const path = s.planes.get(`${ext}:${plane}`);
      if (!path) throw new Error(`${frame.name}: no ${plane} plane in extension ${ext + 1}`);
      const fd = openSync(path, 'r');
      try {
        const view = new Uint8Array(out.buffer, out.byteOffset, n * BYTES[plane]);
        // One read gives all of a plane under 2 GB; a short one would leave another frame's pixels in `out`.
        const got = readSync(fd, view, 0, view.length, y0 * e.width * BYTES[plane]);
        if (got !== view.length) throw new Error(`${frame.name}: its scratch file ${path} is short (read ${got} of ${view.length} bytes)`);
      } finally {
        closeSync(fd);
      }
      return out;
    }
    const hdu = e.planes[plane];
    if (hdu === undefined) throw new Error(`${frame.name}: no ${plane.toUpperCase()} plane in extension ${e.extver}`);
    const f = this.disk(frame.id);
    if (f.mode === 'rows') {
      readDiskRows(f, hdu, y0, y1, out);
    } else {
      const all = this.decoded.get(`${frame.id}#${hdu}`, () => readWholeImage(f, hdu));
      out.set(all.subarray(y0 * e.width, y1 * e.width));
    }
    return out;
  }

  async create(spec: NewFrame): Promise<FrameWriter> {
    return spec.role === 'scratch' ? this.createScratch(spec) : this.createProduct(spec);
  }

  /**
   * A product: each plane's rows are encoded for FITS as they come and kept
   * (in memory up to IN_MEMORY_PRODUCT bytes, else in temporary files), then
   * written with the headers in one go under a hidden name, renamed into place.
   */
  private async createProduct(spec: NewFrame): Promise<FrameWriter> {
    const token = randomUUID();
    // Names may carry the folder of their first input ('n1/raw0020_reduced.fits').
    const final = resolve(this.outDir, spec.name);
    const size = spec.exts.reduce((s, e) => s + e.width * e.height * (4 + (e.var ? 4 : 0) + (e.dq ? 2 : 0)), 0);
    const sink = size <= IN_MEMORY_PRODUCT ? new MemoryPlanes() : new FilePlanes(join(this.tmpDir, token));
    const next = new Map<string, number>();
    const store = this;
    return {
      id: final,
      async writeRows(ext, plane, y0, data) {
        const key = `${ext}:${plane}`;
        const e = spec.exts[ext];
        if (!e || (plane !== 'sci' && !e[plane])) throw new Error(`${spec.name}: no ${plane} plane in extension ${ext + 1}`);
        if (y0 !== (next.get(key) ?? 0)) throw new Error(`${spec.name}: rows of ${plane} must come in order (got ${y0}, expected ${next.get(key) ?? 0})`);
        const bytes = new Uint8Array(data.byteLength);
        encodeBigEndian(data, bytes, 0);
        sink.append(key, bytes);
        next.set(key, y0 + data.length / e.width);
      },
      async commit(headers: FrameHeaders, _info?: ProductInfo) {
        spec.exts.forEach((e, k) => {
          for (const plane of ['sci', 'var', 'dq'] as const) {
            if ((plane === 'sci' || e[plane]) && next.get(`${k}:${plane}`) !== e.height) {
              throw new Error(`${spec.name}: ${plane} of extension ${k + 1} has ${next.get(`${k}:${plane}`) ?? 0} of ${e.height} rows`);
            }
          }
        });
        const part = join(dirname(final), `.${basename(final)}.${token}.part`);
        mkdirSync(dirname(final), { recursive: true });
        const fd = openSync(part, 'w');
        let ok = false;
        try {
          frameLayout(spec, headers).forEach((h, i, all) => {
            const axes = h.width !== undefined ? [h.width, h.height!] : [];
            const extname = h.extname === 'PRIMARY' ? undefined : h.extname;
            writeSync(fd, headerBlock(h.cards as Card[], extname, { bitpix: h.bitpix, axes, unsigned16: h.plane === 'dq' }, i, i === all.length - 1));
            if (!h.plane) return;
            const written = sink.writeTo(`${h.ext}:${h.plane}`, fd);
            const pad = (2880 - (written % 2880)) % 2880;
            if (pad) writeSync(fd, new Uint8Array(pad));
          });
          ok = true;
        } finally {
          closeSync(fd);
          // A product that could not be written whole leaves nothing in the output folder.
          if (!ok) rmSync(part, { force: true });
        }
        renameSync(part, final);
        sink.dispose();
        store.files.delete(final);
        return final;
      },
      async discard() {
        sink.dispose();
      },
    };
  }

  /** A run's scratch frame: native-endian planes in temporary files, read straight back by rows. */
  private async createScratch(spec: NewFrame): Promise<FrameWriter> {
    const token = randomUUID();
    const dir = join(this.tmpDir, token);
    mkdirSync(dir, { recursive: true });
    const planes = new Map<string, { path: string; fd: number; next: number }>();
    spec.exts.forEach((e, k) => {
      for (const plane of ['sci', 'var', 'dq'] as const) {
        if (plane !== 'sci' && !e[plane]) continue;
        const path = join(dir, `${k}-${plane}.bin`);
        planes.set(`${k}:${plane}`, { path, fd: openSync(path, 'w'), next: 0 });
      }
    });
    const closeAll = () => {
      for (const p of planes.values()) if (p.fd >= 0) { closeSync(p.fd); p.fd = -1; }
    };
    const store = this;
    const id = `scratch:${token}`;
    let finished = false;
    return {
      id,
      async writeRows(ext, plane, y0, data) {
        const p = planes.get(`${ext}:${plane}`);
        if (!p) throw new Error(`${spec.name}: no ${plane} plane in extension ${ext + 1}`);
        if (y0 !== p.next) throw new Error(`${spec.name}: rows of ${plane} must come in order (got ${y0}, expected ${p.next})`);
        writeSync(p.fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        p.next = y0 + data.length / spec.exts[ext].width;
      },
      async commit(headers: FrameHeaders) {
        closeAll();
        for (const [key, p] of planes) {
          const [k] = key.split(':').map(Number);
          if (p.next !== spec.exts[k].height) throw new Error(`${spec.name}: ${key} has ${p.next} of ${spec.exts[k].height} rows`);
        }
        const layout = frameLayout(spec, headers);
        const hduOf = (k: number, plane: PlaneKind) => layout.find((l) => l.ext === k && l.plane === plane)?.index;
        const stored: StoredFrame = {
          id, name: spec.name, primary: headers.primary, singleHdu: false,
          exts: spec.exts.map((e, k) => ({
            extver: e.extver, width: e.width, height: e.height, header: headers.exts[k],
            planes: { sci: hduOf(k, 'sci')!, var: hduOf(k, 'var'), dq: hduOf(k, 'dq') },
          })),
        };
        store.scratch.set(id, { stored, planes: new Map([...planes].map(([k, p]) => [k, p.path])) });
        finished = true;
        return id;
      },
      async discard() {
        closeAll();
        if (finished) return;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  async removeScratch(id: string): Promise<void> {
    const s = this.scratch.get(id);
    if (!s) return;
    this.scratch.delete(id);
    const dirs = new Set([...s.planes.values()].map((p) => p.slice(0, p.lastIndexOf('/'))));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }

  /** Removes this store's temporary folder (end of the command). */
  dispose(): void {
    if (existsSync(this.tmpDir)) rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

/** Products up to this size are assembled in memory; larger ones go through temporary files. */
const IN_MEMORY_PRODUCT = 256 * 2 ** 20;

/** Where a product's encoded planes wait for the commit. */
interface PlaneSink {
  append(key: string, bytes: Uint8Array): void;
  /** Writes a plane's bytes at the file's position; returns how many. */
  writeTo(key: string, fd: number): number;
  dispose(): void;
}

class MemoryPlanes implements PlaneSink {
  private chunks = new Map<string, Uint8Array[]>();
  append(key: string, bytes: Uint8Array): void {
    const list = this.chunks.get(key);
    if (list) list.push(bytes);
    else this.chunks.set(key, [bytes]);
  }
  writeTo(key: string, fd: number): number {
    let n = 0;
    for (const c of this.chunks.get(key) ?? []) n += writeSync(fd, c);
    return n;
  }
  dispose(): void {
    this.chunks.clear();
  }
}

class FilePlanes implements PlaneSink {
  private fds = new Map<string, number>();
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  private path(key: string): string {
    return join(this.dir, key.replace(':', '-'));
  }
  append(key: string, bytes: Uint8Array): void {
    let fd = this.fds.get(key);
    if (fd === undefined) this.fds.set(key, (fd = openSync(this.path(key), 'w')));
    writeSync(fd, bytes);
  }
  writeTo(key: string, fd: number): number {
    const f = this.fds.get(key);
    if (f !== undefined) { closeSync(f); this.fds.delete(key); }
    // Copied in slices, so a plane bigger than memory never sits in it whole.
    const src = openSync(this.path(key), 'r');
    const buf = new Uint8Array(16 * 2 ** 20);
    let n = 0;
    try {
      for (;;) {
        const got = readSync(src, buf, 0, buf.length, n);
        if (!got) break;
        writeSync(fd, buf.subarray(0, got));
        n += got;
      }
    } finally {
      closeSync(src);
    }
    return n;
  }
  dispose(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
