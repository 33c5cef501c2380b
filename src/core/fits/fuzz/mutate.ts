/**
 * Mutations of valid FITS files for the fuzz test (fuzz.test.ts, npm run
 * fuzz): bit flips, overwritten bytes, truncations, header card edits
 * (numeric values, END, XTENSION), damaged gzip streams and damaged tiles.
 * Pure and seeded: the same seed gives the same cases everywhere. Each
 * mutation says where it struck in terms of the original file's layout, so
 * the judge (judge.ts) knows what a right reading of the damaged file is.
 */
import { gzip } from 'pako';
import { BLOCK, CARD } from '../header';
import { parseFits } from '../parse';
import { readDescriptor, tableLayout } from '../tiled/table';
import type { FitsFile } from '../types';

/** mulberry32: small, fast, and the same in Node and every browser. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] };
}
export type Rng = ReturnType<typeof rng>;

export interface CardAt {
  pos: number;
  key: string;
}

export interface HduLayout {
  index: number;
  headerStart: number;
  dataOffset: number;
  dataBytes: number;
  /** End of the HDU's last block. */
  end: number;
  cards: CardAt[];
  endCard: number;
  /** Heap byte ranges [start, end) of each tile's compressed data (compressed images). */
  tiles: [number, number][];
}

/** A valid file to mutate: as given (.gz or not), its FITS bytes, and where everything lies in them. */
export interface Source {
  name: string;
  input: Uint8Array;
  plain: Uint8Array;
  gz: boolean;
  parsed: FitsFile;
  layout: HduLayout[];
}

const text = (b: Uint8Array, p: number, n: number) => String.fromCharCode(...b.subarray(p, p + n));

function layoutOf(plain: Uint8Array, parsed: FitsFile): HduLayout[] {
  const out: HduLayout[] = [];
  let start = 0;
  for (const h of parsed.hdus) {
    const cards: CardAt[] = [];
    let endCard = -1;
    for (let p = start; p < h.dataOffset; p += CARD) {
      const key = text(plain, p, 8).trimEnd();
      if (key === 'END') {
        endCard = p;
        break;
      }
      cards.push({ pos: p, key });
    }
    const tiles: [number, number][] = [];
    if (h.compressed && h.tableCards) {
      const t = tableLayout(h.tableCards, parsed.name, 'layout');
      const col = t.columns.get('COMPRESSED_DATA');
      const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
      for (let r = 0; col?.varKind && r < t.rows; r++) {
        const { count, offset } = readDescriptor(view, h.dataOffset + r * t.rowBytes + col.offset, col.varKind);
        const s = h.dataOffset + t.heapStart + offset;
        tiles.push([s, s + count]);
      }
    }
    const end = h.dataOffset + Math.ceil(h.dataBytes / BLOCK) * BLOCK;
    out.push({ index: h.index, headerStart: start, dataOffset: h.dataOffset, dataBytes: h.dataBytes, end, cards, endCard, tiles });
    start = end;
  }
  return out;
}

export function makeSource(name: string, input: Uint8Array, plain: Uint8Array): Source {
  const parsed = parseFits(plain, name);
  return { name, input, plain, gz: input !== plain, parsed, layout: layoutOf(plain, parsed) };
}

export type Kind = 'flip' | 'bytes' | 'cut' | 'card' | 'gzip' | 'tile';

export interface CardEdit {
  hdu: number;
  key: string;
  value: string;
  /** False when the new value is not a valid value of that keyword ('abc' for BZERO, 1.5 for NAXIS1, END garbled). */
  valid: boolean;
}

export interface Mutation {
  kind: Kind;
  /** The bytes to read. */
  bytes: Uint8Array;
  /** Positions changed in the plain FITS bytes (flip, bytes, card, tile). */
  touched: number[];
  /** Length the file was cut to (cut); for a .gz, of the compressed stream. */
  cut?: number;
  card?: CardEdit;
  /** The gzip stream was damaged (or the input is gzip and was damaged anywhere). */
  gzipDamaged?: boolean;
  what: string;
}

/** Keywords whose value decides where data lies or what pixels mean. */
export const STRUCTURAL = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|GROUPS|BSCALE|BZERO|BLANK|END|ZIMAGE|ZCMPTYPE|ZBITPIX|ZNAXIS\d*|ZTILE\d+|ZNAME\d+|ZVAL\d+|ZQUANTIZ|ZDITHER0|ZSCALE|ZZERO|ZBLANK|TFIELDS|THEAP|T(TYPE|FORM)\d+|CONTINUE|HIERARCH)$/;
const INT_KEYS = /^(BITPIX|NAXIS\d*|PCOUNT|GCOUNT|BLANK|ZBITPIX|ZNAXIS\d*|ZTILE\d+|ZVAL\d+|ZDITHER0|ZBLANK|TFIELDS|THEAP)$/;
const NUMBER_KEYS = /^(BSCALE|BZERO|ZSCALE|ZZERO)$/;

const VALUES = ["'abc'", 'abc', "'12'", 'T', '', '1.5', '(1, 2)', '0', '-1', '1', '2', '7', '99999999999', '-99999999999', '1E300', '32768', '1.0E5'];

function valueIsValid(key: string, value: string): boolean {
  const number = /^[+-]?(\d+\.?\d*|\.\d+)([ED][+-]?\d+)?$/.test(value) ? Number(value.replace('D', 'E')) : NaN;
  // An integer written as a float (1.0E5) is read as that integer, as cfitsio reads it.
  if (INT_KEYS.test(key)) return Number.isSafeInteger(number);
  if (NUMBER_KEYS.test(key)) return Number.isFinite(number);
  return true;
}

function card80(s: string): Uint8Array {
  const padded = s.padEnd(CARD, ' ').slice(0, CARD);
  return Uint8Array.from(padded, (c) => c.charCodeAt(0));
}

function diff(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

/** The plain bytes, gzip'd again when the source was gzip (the mutation then lies inside the compressed stream). */
function rewrap(src: Source, plain: Uint8Array): Uint8Array {
  return src.gz ? gzip(plain) : plain;
}

function flip(src: Source, r: Rng): Mutation {
  if (src.gz) {
    const b = src.input.slice();
    const n = 1 + r.int(3);
    for (let i = 0; i < n; i++) b[r.int(b.length)] ^= 1 << r.int(8);
    return { kind: 'flip', bytes: b, touched: [], gzipDamaged: true, what: `${n} bit flips in the gzip stream` };
  }
  const b = src.plain.slice();
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    // Headers are small but matter most: strike them as often as everything else.
    const h = r.pick(src.layout);
    const p = r.next() < 0.5 ? h.headerStart + r.int(h.dataOffset - h.headerStart) : r.int(b.length);
    b[p] ^= 1 << r.int(8);
  }
  return { kind: 'flip', bytes: b, touched: diff(src.plain, b), what: `${n} bit flips` };
}

function overwrite(src: Source, r: Rng): Mutation {
  const b = src.plain.slice();
  const n = 1 + r.int(4);
  const alphabet = "0123456789 ='-.ETF";
  for (let i = 0; i < n; i++) {
    const p = r.int(b.length);
    b[p] = r.next() < 0.5 ? alphabet.charCodeAt(r.int(alphabet.length)) : r.int(256);
  }
  const touched = diff(src.plain, b);
  return src.gz
    ? { kind: 'bytes', bytes: rewrap(src, b), touched, what: `${n} bytes overwritten (then gzip'd)` }
    : { kind: 'bytes', bytes: b, touched, what: `${n} bytes overwritten` };
}

function cut(src: Source, r: Rng): Mutation {
  const whole = src.gz ? src.input : src.plain;
  let n: number;
  const mode = r.int(4);
  if (src.gz || mode === 0) n = r.int(whole.length);
  else {
    const h = r.pick(src.layout);
    const dataEnd = h.dataOffset + h.dataBytes;
    if (mode === 1 && h.end > dataEnd) n = dataEnd + r.int(h.end - dataEnd); // inside the padding after the data
    else if (mode === 2) n = h.headerStart + r.int(Math.max(1, h.dataOffset - h.headerStart)); // inside a header
    else n = Math.max(0, Math.min(whole.length - 1, r.pick([h.end, h.dataOffset, h.headerStart]) + r.pick([-1, 1, -80, 80, 0])));
  }
  return { kind: 'cut', bytes: whole.slice(0, n), touched: [], cut: n, gzipDamaged: src.gz, what: `cut to ${n} of ${whole.length} bytes` };
}

function editCard(src: Source, r: Rng): Mutation {
  const h = r.pick(src.layout);
  const b = src.plain.slice();
  const choice = r.int(10);
  let edit: CardEdit;
  if (choice === 0 && h.endCard >= 0) {
    const garbled = r.pick(['EMD', 'end', 'ENDX', '   ', 'E D']);
    b.set(card80(garbled), h.endCard);
    edit = { hdu: h.index, key: 'END', value: garbled, valid: false };
  } else if (choice === 1 && h.index > 0) {
    b.set(Uint8Array.from('XTENSIOM', (c) => c.charCodeAt(0)), h.headerStart);
    edit = { hdu: h.index, key: 'XTENSION', value: 'XTENSIOM', valid: false };
  } else {
    const candidates = h.cards.filter((c) => INT_KEYS.test(c.key) || NUMBER_KEYS.test(c.key));
    if (!candidates.length) return flip(src, r);
    const c = r.pick(candidates);
    const value = r.pick(VALUES);
    b.set(card80(`${c.key.padEnd(8)}= ${value.padStart(20)}`), c.pos);
    edit = { hdu: h.index, key: c.key, value, valid: valueIsValid(c.key, value) };
  }
  const touched = diff(src.plain, b);
  const what = `HDU ${edit.hdu}: ${edit.key} = ${edit.value}`;
  return { kind: 'card', bytes: rewrap(src, b), touched, card: edit, what };
}

/** Damage a gzip stream: its deflate body, CRC, ISIZE, end; or append bytes. A plain source is gzip'd first. */
function damageGzip(src: Source, r: Rng): Mutation {
  const gz = src.gz ? src.input.slice() : gzip(src.plain);
  const mode = r.int(6);
  let b: Uint8Array = gz;
  let what: string;
  if (mode === 0) {
    const p = 10 + r.int(gz.length - 18);
    b[p] ^= 1 << r.int(8);
    what = `bit flip in the deflate data at ${p}`;
  } else if (mode === 1) {
    b[gz.length - 8 + r.int(4)] ^= 1 << r.int(8);
    what = 'CRC-32 damaged';
  } else if (mode === 2) {
    b[gz.length - 4 + r.int(4)] ^= 1 << r.int(8);
    what = 'ISIZE damaged';
  } else if (mode === 3) {
    b = gz.slice(0, r.int(gz.length));
    what = `gzip stream cut to ${b.length} of ${gz.length}`;
  } else if (mode === 4) {
    b = new Uint8Array(gz.length + 4);
    b.set(gz);
    b.set([0x6a, 0x75, 0x6e, 0x6b], gz.length);
    what = 'junk after the gzip stream';
  } else {
    b = new Uint8Array(gz.length + 16);
    b.set(gz);
    return { kind: 'gzip', bytes: b, touched: [], what: 'zeros after the gzip stream' };
  }
  return { kind: 'gzip', bytes: b, touched: [], gzipDamaged: true, what };
}

function damageTile(src: Source, r: Rng): Mutation {
  const withTiles = src.layout.filter((h) => h.tiles.some(([s, e]) => e > s));
  if (!withTiles.length) return flip(src, r);
  const h = r.pick(withTiles);
  const tiles = h.tiles.filter(([s, e]) => e > s);
  const b = src.plain.slice();
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    const [s, e] = r.pick(tiles);
    const p = s + r.int(e - s);
    if (r.next() < 0.5) b[p] ^= 1 << r.int(8);
    else b[p] = r.int(256);
  }
  const touched = diff(src.plain, b);
  return { kind: 'tile', bytes: rewrap(src, b), touched, what: `${n} bytes of compressed tile data changed in HDU ${h.index}` };
}

/** One seeded mutation of `src`. */
export function mutate(src: Source, r: Rng): Mutation {
  const x = r.next();
  if (x < 0.25) return flip(src, r);
  if (x < 0.35) return overwrite(src, r);
  if (x < 0.55) return cut(src, r);
  if (x < 0.75) return editCard(src, r);
  if (x < 0.87) return damageGzip(src, r);
  return damageTile(src, r);
}
