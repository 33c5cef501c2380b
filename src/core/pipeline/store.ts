/**
 * The PixelStore: the only way the engine reaches pixels. IndexedDB
 * implements it in the browser (src/db/pixelStore.ts), files in Node
 * (cli/fileStore.ts, for `npm run reduce`), and plain memory in tests
 * (./memoryStore.ts). Rows are read and written in bands, so a combine can
 * stream any number of frames of any size through a bounded amount of memory.
 *
 * A stored frame is seen the way DRAGONS sees an AstroData: a primary header
 * and one or more science extensions (one per amplifier or CCD), each with
 * SCI and optionally VAR and DQ planes, numbered by EXTVER.
 */
import type { Card } from '../fits/types';
import type { ProductInfo } from './products';

export type PlaneKind = 'sci' | 'var' | 'dq';

export interface StoredExt {
  extver: number;
  width: number;
  height: number;
  /** This extension's header (for a single-HDU file: the primary header's cards again). */
  header: Card[];
  /** HDU index of each plane in the file. */
  planes: { sci: number; var?: number; dq?: number };
}

export interface StoredFrame {
  id: string;
  name: string;
  /** Primary header cards. */
  primary: Card[];
  exts: StoredExt[];
  /** Pixels live in the primary HDU (a plain single-image FITS file). */
  singleHdu: boolean;
  /** Set for products of this workbench. */
  product?: ProductInfo;
}

export interface NewExt {
  extver: number;
  width: number;
  height: number;
  var: boolean;
  dq: boolean;
}

/** How a product will be read again by later runs of the same reduction (NewFrame.readAgain). */
export type ReadAgain = 'once' | 'often';

export interface NewFrame {
  /** 'product' becomes a library file on commit; 'scratch' lives only for the run that made it. */
  role: 'product' | 'scratch';
  name: string;
  /**
   * Later runs will read this product again: 'once' (a reduced frame, by its
   * stack) or 'often' (a master, by every frame it calibrates whenever the
   * worker's calibration cache cannot keep it). A store may keep a faster
   * copy for them (the IndexedDB store's OPFS copy).
   */
  readAgain?: ReadAgain;
  exts: NewExt[];
}

export interface FrameHeaders {
  primary: Card[];
  /** One header per extension (the SCI extension's), in the order of NewFrame.exts. */
  exts: Card[][];
}

/**
 * Writes a frame band by band. Within one plane of one extension, rows are
 * written top to bottom (y0 increasing, no gaps), in bands of any height.
 * Nothing is visible to anyone until commit, which is atomic: after a crash
 * the frame is either fully there or not at all.
 */
export interface FrameWriter {
  readonly id: string;
  /**
   * Rows from y0 on. The store copies them before the promise resolves: the
   * caller then hands the array to the next frame (kernels/scratch.ts).
   */
  writeRows(ext: number, plane: PlaneKind, y0: number, data: Float32Array | Uint16Array): Promise<void>;
  /** Publishes the frame; returns its id (which the engine hands to later runs). */
  commit(headers: FrameHeaders, info?: ProductInfo): Promise<string>;
  /** Drops everything written; safe to call after a failure, and more than once. */
  discard(): Promise<void>;
}

export interface PixelStore {
  open(id: string): Promise<StoredFrame>;
  /** Rows [y0, y1) of one plane of one extension (index into frame.exts) into `out`. */
  readRows<T extends Float32Array | Uint16Array>(frame: StoredFrame, ext: number, plane: PlaneKind, y0: number, y1: number, out: T): Promise<T>;
  create(spec: NewFrame): Promise<FrameWriter>;
  /** Removes a scratch frame (the run that made it is done with it). */
  removeScratch(id: string): Promise<void>;
  /**
   * Where a frame's rows come from when not from the store's own storage, for
   * the run's storage line: 'copy' (a fast copy of a product), 'raw copy' (a
   * raw frame's file read through a file handle, last time it was read: its
   * pixel file or its copy), 'file' (scratch in a file of its own). Stores with one kind of storage leave it out.
   */
  readsFrom?(id: string): 'copy' | 'raw copy' | 'file' | undefined;
}

/** One HDU as the layout rules below need it. */
export interface HduLayout {
  index: number;
  extname: string;
  naxis: number[];
  isImage: boolean;
  cards: Card[];
}

const NOT_SCIENCE = /^(VAR|VARIANCE|DQ|ERR|ERROR|MASK|BPM|WHT|WEIGHT|OBJMASK|OBJCAT|REFCAT|MDF|SIG|UNCERT)$/i;

type ImageHdu = { extname: string; naxis: readonly number[]; isImage: boolean };

/**
 * The science images among a file's HDUs: those named SCI when there are any
 * (DRAGONS, our products), else every 2-D image that is not a variance, mask
 * or catalogue (raw files: the primary image, or one HDU per amplifier).
 * The plan counts extensions with it and the engine reduces what it returns.
 */
export function scienceHdus<T extends ImageHdu>(hdus: readonly T[]): T[] {
  const images = hdus.filter((h) => h.isImage && h.naxis.length >= 2 && h.naxis.every((n) => n > 0));
  const named = images.filter((h) => h.extname.toUpperCase() === 'SCI');
  return named.length ? named : images.filter((h) => !NOT_SCIENCE.test(h.extname.trim()));
}

function extverOf(cards: readonly Card[], fallback: number): number {
  const v = cards.find((c) => c.key.toUpperCase() === 'EXTVER')?.value;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}

/**
 * Which HDUs are science extensions, and where their VAR and DQ are.
 * SCI/VAR/DQ triplets (DRAGONS, our products) pair by EXTVER; otherwise every
 * 2-D image HDU that is not a variance, mask or catalogue is one science
 * extension (raw files: the primary image, or one HDU per amplifier).
 * Throws with a reason when the file holds nothing this pipeline can reduce.
 */
export function scienceExtensions(name: string, hdus: readonly HduLayout[]): { exts: StoredExt[]; singleHdu: boolean } {
  const images = hdus.filter((h) => h.isImage && h.naxis.length >= 2 && h.naxis.every((n) => n > 0));
  if (!images.length) throw new Error(`${name}: no image data to reduce`);
  const cube = images.find((h) => h.naxis.length > 2 && h.naxis.slice(2).some((n) => n > 1));
  if (cube) throw new Error(`${name}: HDU ${cube.index} is a ${cube.naxis.join('x')} cube; only 2-D images are reduced`);
  const named = (h: HduLayout, n: string) => h.extname.toUpperCase() === n;
  const sci = scienceHdus(images);
  if (!sci.length) throw new Error(`${name}: no science image among its HDUs (only ${images.map((h) => h.extname).join(', ')})`);
  const exts = sci.map((h, k): StoredExt => {
    const extver = extverOf(h.cards, k + 1);
    const partner = (n: string) => images.find((o) => named(o, n) && extverOf(o.cards, 1) === extver && o.naxis[0] === h.naxis[0] && o.naxis[1] === h.naxis[1])?.index;
    return {
      extver,
      width: h.naxis[0],
      height: h.naxis[1],
      header: h.cards,
      planes: { sci: h.index, var: partner('VAR'), dq: partner('DQ') },
    };
  });
  const seen = new Set<number>();
  for (const e of exts) {
    if (seen.has(e.extver)) {
      // Raw files without EXTVER: number the extensions in order instead.
      exts.forEach((x, k) => (x.extver = k + 1));
      break;
    }
    seen.add(e.extver);
  }
  return { exts, singleHdu: exts.length === 1 && exts[0].planes.sci === 0 };
}
