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
import { basename, join, resolve } from 'node:path';
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
  private decoded = new DecodedCache(512 * 2 ** 20);

  constructor(private readonly outDir: string, private readonly tmpDir: string) {
    mkdirSync(outDir, { recursive: true });
    mkdirSync(tmpDir, { recursive: true });
  }

  private disk(path: string): DiskFits {
    let f = this.files.get(path);
    if (!f) {
      f = openFits(path, (p) => new Uint8Array(readFileSync(p)));
      // Whole-file entries hold the file's bytes: keep only a few.
      if (this.files.size > 16) this.files.delete(this.files.keys().next().value as string);
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
    return { id, name: f.name, primary: hdus[0].cards, exts, singleHdu };
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
        readSync(fd, view, 0, view.length, y0 * e.width * BYTES[plane]);
      } finally {
        closeSync(fd);
      }
      return out;
    }
    const hdu = e.planes[plane];
    if (hdu === undefined) throw new Error(`${frame.name}: no ${plane.toUpperCase()} plane in extension ${e.extver}`);
    const f = this.disk(frame.id);
    if (f.mode === 'rows') {
      out.set(readDiskRows(f, hdu, y0, y1));
    } else {
      const all = this.decoded.get(`${frame.id}#${hdu}`, () => readWholeImage(f, hdu));
      out.set(all.subarray(y0 * e.width, y1 * e.width));
    }
    return out;
  }

  async create(spec: NewFrame): Promise<FrameWriter> {
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
    const id = spec.role === 'scratch' ? `scratch:${token}` : resolve(this.outDir, spec.name);
    let finished = false;
    return {
      id,
      async writeRows(ext, plane, y0, data) {
        const p = planes.get(`${ext}:${plane}`);
        if (!p) throw new Error(`${spec.name}: no ${plane} plane in extension ${ext + 1}`);
        const w = spec.exts[ext].width;
        if (y0 !== p.next) throw new Error(`${spec.name}: rows of ${plane} must come in order (got ${y0}, expected ${p.next})`);
        // Scratch keeps native values (read straight back); products are stored as FITS wants them.
        let bytes: Uint8Array;
        if (spec.role === 'scratch') bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        else {
          bytes = new Uint8Array(data.byteLength);
          encodeBigEndian(data, bytes, 0);
        }
        writeSync(p.fd, bytes);
        p.next = y0 + data.length / w;
      },
      async commit(headers: FrameHeaders, _info?: ProductInfo) {
        closeAll();
        for (const [key, p] of planes) {
          const [k] = key.split(':').map(Number);
          if (p.next !== spec.exts[k].height) throw new Error(`${spec.name}: ${key} has ${p.next} of ${spec.exts[k].height} rows`);
        }
        if (spec.role === 'scratch') {
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
        }
        const final = resolve(store.outDir, spec.name);
        const part = join(store.outDir, `.${basename(spec.name)}.${token}.part`);
        writeProduct(part, spec, headers, planes);
        renameSync(part, final);
        rmSync(dir, { recursive: true, force: true });
        store.files.delete(final);
        finished = true;
        return final;
      },
      async discard() {
        closeAll();
        if (finished && spec.role === 'scratch') return;
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

/** Header blocks and plane files, in the layout every store shares, into one FITS file. */
function writeProduct(path: string, spec: NewFrame, headers: FrameHeaders, planes: Map<string, { path: string }>): void {
  const layout = frameLayout(spec, headers);
  const fd = openSync(path, 'w');
  try {
    layout.forEach((h, i) => {
      const last = i === layout.length - 1;
      const axes = h.width !== undefined ? [h.width, h.height!] : [];
      const extname = h.extname === 'PRIMARY' ? undefined : h.extname;
      writeSync(fd, headerBlock(h.cards as Card[], extname, { bitpix: h.bitpix, axes, unsigned16: h.plane === 'dq' }, i, last));
      if (!h.plane) return;
      const src = planes.get(`${h.ext}:${h.plane}`)!.path;
      const data = readFileSync(src);
      writeSync(fd, data);
      const pad = (2880 - (data.length % 2880)) % 2880;
      if (pad) writeSync(fd, new Uint8Array(pad));
    });
  } finally {
    closeSync(fd);
  }
}
