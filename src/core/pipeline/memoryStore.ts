/**
 * A PixelStore in plain memory: frames are arrays, products are kept with
 * their headers and records. For tests of primitives, recipes and the
 * engine, and anything that needs the engine without storage.
 */
import type { Card } from '../fits/types';
import type { Frame } from '../kernels/frame';
import { frameLayout } from './layout';
import type { ProductInfo } from './products';
import {
  scienceExtensions, type FrameHeaders, type FrameWriter, type NewFrame, type PixelStore, type PlaneKind, type StoredFrame,
} from './store';

interface Entry {
  stored: StoredFrame;
  /** Per extension: its planes. */
  planes: Frame[];
  info?: ProductInfo;
  role: 'input' | 'product' | 'scratch';
}

export interface MemoryInput {
  id: string;
  name: string;
  /** Primary header; for single-HDU frames it also describes the pixels (sections, gain...). */
  primary: Card[];
  /** One or more extensions; one without a header is the primary HDU's image. */
  exts: { header?: Card[]; frame: Frame }[];
}

export class MemoryStore implements PixelStore {
  private entries = new Map<string, Entry>();
  private counter = 0;
  /** Every scratch frame created, for tests that check they are cleaned up. */
  readonly scratchCreated: string[] = [];

  /** Adds an input frame. Single extension without its own header = a plain single-HDU FITS file. */
  add(input: MemoryInput): StoredFrame {
    const single = input.exts.length === 1 && !input.exts[0].header;
    const hdus = single
      ? [{ index: 0, extname: 'PRIMARY', naxis: [input.exts[0].frame.width, input.exts[0].frame.height], isImage: true, cards: input.primary }]
      : [
          { index: 0, extname: 'PRIMARY', naxis: [], isImage: false, cards: input.primary },
          ...input.exts.flatMap((e, k) => {
            const base = 1 + 3 * k;
            const extver = { key: 'EXTVER', value: k + 1 };
            const out = [{ index: base, extname: 'SCI', naxis: [e.frame.width, e.frame.height], isImage: true, cards: [...(e.header ?? []), extver] }];
            if (e.frame.var) out.push({ index: base + 1, extname: 'VAR', naxis: [e.frame.width, e.frame.height], isImage: true, cards: [extver] });
            if (e.frame.dq) out.push({ index: base + 2, extname: 'DQ', naxis: [e.frame.width, e.frame.height], isImage: true, cards: [extver] });
            return out;
          }),
        ];
    const { exts, singleHdu } = scienceExtensions(input.name, hdus);
    const stored: StoredFrame = { id: input.id, name: input.name, primary: input.primary, exts, singleHdu };
    this.entries.set(input.id, { stored, planes: input.exts.map((e) => e.frame), role: 'input' });
    return stored;
  }

  async open(id: string): Promise<StoredFrame> {
    const e = this.entries.get(id);
    if (!e) throw new Error(`no frame ${id}`);
    return e.stored;
  }

  async readRows<T extends Float32Array | Uint16Array>(frame: StoredFrame, ext: number, plane: PlaneKind, y0: number, y1: number, out: T): Promise<T> {
    const e = this.entries.get(frame.id);
    if (!e) throw new Error(`no frame ${frame.id}`);
    const f = e.planes[ext];
    const src = plane === 'sci' ? f.sci : plane === 'var' ? f.var : f.dq;
    if (!src) throw new Error(`${frame.name}: no ${plane} plane`);
    out.set(src.subarray(y0 * f.width, y1 * f.width) as never);
    return out;
  }

  async create(spec: NewFrame): Promise<FrameWriter> {
    const id = `${spec.role}-${++this.counter}`;
    if (spec.role === 'scratch') this.scratchCreated.push(id);
    const planes: Frame[] = spec.exts.map((e) => ({
      width: e.width,
      height: e.height,
      sci: new Float32Array(e.width * e.height),
      var: e.var ? new Float32Array(e.width * e.height) : undefined,
      dq: e.dq ? new Uint16Array(e.width * e.height) : undefined,
    }));
    const next = new Map<string, number>();
    const entries = this.entries;
    return {
      id,
      async writeRows(ext, plane, y0, data) {
        const f = planes[ext];
        const dst = plane === 'sci' ? f.sci : plane === 'var' ? f.var : f.dq;
        if (!dst) throw new Error(`${spec.name}: no ${plane} plane in extension ${ext + 1}`);
        const key = `${ext}:${plane}`;
        if ((next.get(key) ?? 0) !== y0) throw new Error(`${spec.name}: rows of ${key} out of order`);
        dst.set(data as never, y0 * f.width);
        next.set(key, y0 + data.length / f.width);
      },
      async commit(headers: FrameHeaders, info?: ProductInfo) {
        planes.forEach((f, k) => {
          for (const plane of ['sci', 'var', 'dq'] as const) {
            if ((plane === 'sci' || spec.exts[k][plane]) && next.get(`${k}:${plane}`) !== f.height) {
              throw new Error(`${spec.name}: ${plane} of extension ${k + 1} is incomplete`);
            }
          }
        });
        const layout = frameLayout(spec, headers);
        const { exts } = scienceExtensions(spec.name, layout.map((l) => ({
          index: l.index, extname: l.extname, naxis: l.width ? [l.width, l.height!] : [], isImage: l.ext >= 0, cards: l.cards,
        })));
        entries.set(id, { stored: { id, name: spec.name, primary: headers.primary, exts, singleHdu: false, product: info }, planes, info, role: spec.role === 'product' ? 'product' : 'scratch' });
        return id;
      },
      async discard() {
        entries.delete(id);
      },
    };
  }

  async removeScratch(id: string): Promise<void> {
    this.entries.delete(id);
  }

  /** Products committed so far, with their pixels, headers and records. */
  products(): { id: string; name: string; stored: StoredFrame; planes: Frame[]; info: ProductInfo }[] {
    return [...this.entries.entries()].filter(([, e]) => e.role === 'product').map(([id, e]) => ({ id, name: e.stored.name, stored: e.stored, planes: e.planes, info: e.info! }));
  }

  /** Scratch frames still held (a finished run leaves none). */
  liveScratch(): string[] {
    return [...this.entries.entries()].filter(([, e]) => e.role === 'scratch').map(([id]) => id);
  }
}
