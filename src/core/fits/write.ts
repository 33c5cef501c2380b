/**
 * Writing FITS files: a primary HDU, then IMAGE extensions, each header padded
 * with spaces and each data unit with zeros to 2880-byte blocks, pixels
 * big-endian. The writer owns the structural keywords (SIMPLE, BITPIX, NAXISn,
 * EXTEND, XTENSION, PCOUNT, GCOUNT, BZERO, BSCALE, EXTNAME when given): copies
 * of them in the caller's cards are dropped, so a header carried over from an
 * input frame can never contradict the data written.
 */
import { formatCard } from './cardFormat';
import { BLOCK, CARD } from './header';
import type { Card, WriteHdu } from './types';

type PixelArray = NonNullable<WriteHdu['data']>;

/** Keywords the writer emits itself, plus ones that would be false after a rewrite. */
const OWNED =
  /^(SIMPLE|BITPIX|NAXIS\d*|EXTEND|XTENSION|PCOUNT|GCOUNT|BZERO|BSCALE|BLANK|END|CONTINUE|LONGSTRN|CHECKSUM|DATASUM|GROUPS|THEAP|TFIELDS|ZIMAGE)$/;
/** Tile-compression keywords of a .fz input describe its table, not the image we write. */
const TILE_COMPRESSION = /^(ZCMPTYPE|ZBITPIX|ZNAXIS\d*|ZTILE\d+|ZQUANTIZ|ZDITHER0|ZNAME\d+|ZVAL\d+|ZSIMPLE|ZTENSION|ZEXTEND|ZPCOUNT|ZGCOUNT|ZBLANK|ZSCALE|ZZERO|ZHECKSUM|ZDATASUM|T(FORM|TYPE|UNIT|SCAL|ZERO|NULL|DIM|DISP)\d+)$/;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function bitpixOf(data: PixelArray): number {
  if (data instanceof Float32Array) return -32;
  if (data instanceof Float64Array) return -64;
  if (data instanceof Uint16Array || data instanceof Int16Array) return 16;
  if (data instanceof Int32Array) return 32;
  return 8;
}

/** Axis lengths (NAXIS1 first) of an HDU's data. */
function axesOf(hdu: WriteHdu, index: number): number[] {
  const data = hdu.data;
  if (!data) return [];
  const n = data.length;
  const width = hdu.width ?? n;
  const height = hdu.height ?? (width > 0 ? n / width : 0);
  const plane = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || n % plane !== 0) {
    throw new Error(`writeFits: HDU ${index} has ${n} pixels, which is not a whole number of ${width} x ${height} planes`);
  }
  const depth = n / plane;
  if (hdu.height === undefined && depth === 1) return [width];
  return depth === 1 ? [width, height] : [width, height, depth];
}

function encodeData(data: PixelArray, out: Uint8Array, offset: number): void {
  const n = data.length;
  if (data instanceof Uint8Array) {
    out.set(data, offset);
  } else if (data instanceof Uint16Array) {
    // Stored value v - 32768 (BZERO 32768): flipping the top bit of the big-endian high byte is exactly that.
    for (let i = 0, p = offset; i < n; i++, p += 2) {
      const v = data[i];
      out[p] = (v >>> 8) ^ 0x80;
      out[p + 1] = v & 0xff;
    }
  } else if (data instanceof Int16Array) {
    for (let i = 0, p = offset; i < n; i++, p += 2) {
      const v = data[i];
      out[p] = (v >> 8) & 0xff;
      out[p + 1] = v & 0xff;
    }
  } else if (data instanceof Float32Array && LITTLE_ENDIAN) {
    // The bytes copied as they are, then each 32-bit word reversed: several times faster than a DataView per value.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, n * 4);
    const aligned = (out.byteOffset + offset) % 4 === 0;
    const dst = aligned ? out.subarray(offset, offset + n * 4) : new Uint8Array(n * 4);
    dst.set(bytes);
    const w = new Uint32Array(dst.buffer, dst.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const x = w[i];
      w[i] = (x >>> 24) | ((x >>> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
    }
    if (!aligned) out.set(dst, offset);
  } else {
    // DataView writes big-endian whatever the host's byte order.
    const view = new DataView(out.buffer, out.byteOffset + offset, n * data.BYTES_PER_ELEMENT);
    if (data instanceof Float32Array) for (let i = 0; i < n; i++) view.setFloat32(4 * i, data[i]);
    else if (data instanceof Float64Array) for (let i = 0; i < n; i++) view.setFloat64(8 * i, data[i]);
    else for (let i = 0; i < n; i++) view.setInt32(4 * i, data[i]);
  }
}

/** What a header must say about its data unit: BITPIX, axes, and whether it is unsigned 16-bit (BZERO 32768). */
export interface DataShape {
  bitpix: number;
  axes: number[];
  unsigned16?: boolean;
}

function shapeOf(hdu: WriteHdu, index: number): DataShape {
  return { bitpix: hdu.data ? bitpixOf(hdu.data) : 8, axes: axesOf(hdu, index), unsigned16: hdu.data instanceof Uint16Array };
}

export function headerLines(cards: readonly Card[], extname: string | undefined, shape: DataShape, index: number, last: boolean): string[] {
  const { axes, bitpix } = shape;
  const structural: Card[] =
    index === 0
      ? [{ key: 'SIMPLE', value: true, comment: 'conforms to FITS standard' }]
      : [{ key: 'XTENSION', value: 'IMAGE', comment: 'Image extension' }];
  structural.push({ key: 'BITPIX', value: bitpix, comment: 'array data type' });
  structural.push({ key: 'NAXIS', value: axes.length, comment: 'number of array dimensions' });
  axes.forEach((len, i) => structural.push({ key: `NAXIS${i + 1}`, value: len }));
  if (index === 0) {
    if (!last) structural.push({ key: 'EXTEND', value: true });
  } else {
    structural.push({ key: 'PCOUNT', value: 0, comment: 'number of parameters' });
    structural.push({ key: 'GCOUNT', value: 1, comment: 'number of groups' });
  }
  if (shape.unsigned16) {
    structural.push({ key: 'BZERO', value: 32768, comment: 'unsigned 16-bit data: physical = stored + 32768' });
    structural.push({ key: 'BSCALE', value: 1 });
  }
  if (extname !== undefined) structural.push({ key: 'EXTNAME', value: extname, comment: 'extension name' });

  const user = cards.filter((c) => {
    const key = c.key.trim().toUpperCase();
    if (OWNED.test(key) || TILE_COMPRESSION.test(key)) return false;
    return !(key === 'EXTNAME' && extname !== undefined);
  });
  const userLines = user.flatMap(formatCard);
  const lines = structural.flatMap(formatCard);
  if (userLines.some((l) => l.startsWith('CONTINUE'))) {
    lines.push(...formatCard({ key: 'LONGSTRN', value: 'OGIP 1.0', comment: 'The OGIP long string convention may be used' }));
  }
  lines.push(...userLines, 'END'.padEnd(CARD));
  return lines;
}

/**
 * One header, padded with spaces to whole 2880-byte blocks, for a writer
 * that streams the data units itself (the command's file store).
 */
export function headerBlock(cards: readonly Card[], extname: string | undefined, shape: DataShape, index: number, last: boolean): Uint8Array<ArrayBuffer> {
  const text = headerLines(cards, extname, shape, index, last).join('');
  const out = new Uint8Array(padded(text.length)).fill(0x20);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Pixels as a FITS data unit stores them (big-endian; uint16 shifted by BZERO 32768) into out at offset. */
export function encodeBigEndian(data: PixelArray, out: Uint8Array, offset = 0): void {
  encodeData(data, out, offset);
}

const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/**
 * A FITS file from its HDUs: the first is the primary, the rest IMAGE extensions.
 * Float32Array -> BITPIX -32, Float64Array -> -64, Uint16Array -> 16 with
 * BZERO 32768, Int16Array -> 16, Int32Array -> 32, Uint8Array -> 8.
 */
export function writeFits(hdus: WriteHdu[]): Uint8Array {
  if (hdus.length === 0) throw new Error('writeFits: at least one HDU is needed');
  const parts = hdus.map((hdu, i) => {
    const header = headerLines(hdu.cards, hdu.extname, shapeOf(hdu, i), i, i === hdus.length - 1).join('');
    const dataBytes = hdu.data ? hdu.data.byteLength : 0;
    return { hdu, header, dataBytes };
  });
  const total = parts.reduce((sum, p) => sum + padded(p.header.length) + padded(p.dataBytes), 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const { hdu, header, dataBytes } of parts) {
    const headerEnd = pos + padded(header.length);
    for (let i = 0; i < header.length; i++) out[pos + i] = header.charCodeAt(i);
    out.fill(0x20, pos + header.length, headerEnd);
    pos = headerEnd;
    if (hdu.data) encodeData(hdu.data, out, pos);
    pos += padded(dataBytes); // the buffer is zero-filled, so the padding is already zeros
  }
  return out;
}
