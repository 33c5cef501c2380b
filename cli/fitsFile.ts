/**
 * Reading FITS files from disk for the command line, the way astropy's
 * memmap does: plain files are indexed by walking their headers (data units
 * are skipped, not read) and rows are read where they lie; gzip'd files and
 * tile-compressed images cannot be read by rows and are decoded whole by the
 * core reader (src/core/fits), which is also what checks them.
 */
import { openSync, readSync, readFileSync, closeSync, fstatSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parseFits, readImage, isGzip, FitsError, type Card, type FitsFile } from '../src/core/fits';
import { parseHeader, BLOCK, HeaderCutShort, startsXtension } from '../src/core/fits/header';
import { decodePixels } from '../src/core/fits/decode';
import { dataUnit } from '../src/core/fits/parse';
import { blankValue, numberKeyword, LIMITS } from '../src/core/fits/keywords';
import { headerGet } from '../src/core/fits';
import { give } from '../src/core/kernels/scratch';

export interface DiskHdu {
  index: number;
  extname: string;
  naxis: number[];
  isImage: boolean;
  bitpix: number;
  cards: Card[];
  dataOffset: number;
  bscale: number;
  bzero: number;
  blank?: number;
}

export type DiskFits =
  | { mode: 'rows'; path: string; name: string; hdus: DiskHdu[]; warnings: string[] }
  | { mode: 'whole'; path: string; name: string; parsed: FitsFile; bytes: Uint8Array };

function readAt(fd: number, offset: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** Walks the headers of a plain FITS file; undefined when it must be decoded whole (gzip, tile compression). */
function walk(fd: number, size: number, name: string, warnings: string[]): DiskHdu[] | undefined {
  const hdus: DiskHdu[] = [];
  let pos = 0;
  while (pos < size) {
    let chunk = readAt(fd, pos, BLOCK);
    if (hdus.length === 0 && isGzip(chunk)) return undefined;
    // Where the core reader keeps the HDUs before a damaged end with a warning (src/core/fits/parse.ts), so does the walk.
    if (hdus.length > 0 && !startsXtension(chunk, 0)) {
      warnings.push(`${size - pos} bytes after HDU ${hdus.length - 1} do not start an extension and were not read`);
      break;
    }
    // Grow the buffer a block at a time until the header's END card is in it.
    let parsed: ReturnType<typeof parseHeader> | undefined;
    for (;;) {
      try {
        parsed = parseHeader(chunk, 0, name, hdus.length);
        break;
      } catch (err) {
        if (err instanceof HeaderCutShort && hdus.length > 0 && pos + chunk.length >= size) {
          warnings.push(`the file is cut short inside the header of HDU ${hdus.length}: HDU ${hdus.length} and any after it are missing`);
          return hdus;
        }
        if (!(err instanceof HeaderCutShort) || chunk.length < BLOCK || pos + chunk.length >= size) throw err;
        const more = readAt(fd, pos + chunk.length, BLOCK);
        const next = new Uint8Array(chunk.length + more.length);
        next.set(chunk);
        next.set(more, chunk.length);
        chunk = next;
      }
    }
    if (hdus.length > 0 && pos + parsed.end > size) {
      warnings.push(`the file is cut short inside the header of HDU ${hdus.length}: HDU ${hdus.length} and any after it are missing`);
      break;
    }
    const cards = parsed.cards;
    const xt = hdus.length === 0 ? 'PRIMARY' : String(headerGet(cards, 'XTENSION') ?? '').trim().toUpperCase();
    if (headerGet(cards, 'ZIMAGE') === true) return undefined;
    // The core reader's one data-size function (and its checks of BITPIX, NAXISn, PCOUNT, GCOUNT).
    const { bitpix, naxis, dataBytes } = dataUnit(cards, hdus.length, name);
    const count = naxis.length ? naxis.reduce((a, b) => a * b, 1) : 0;
    const where = `HDU ${hdus.length}`;
    const dataOffset = pos + parsed.end;
    const extname = String(headerGet(cards, 'EXTNAME') ?? (hdus.length === 0 ? 'PRIMARY' : '')).trim();
    const isImage = (xt === 'PRIMARY' || xt === 'IMAGE') && count > 0;
    if (isImage && dataOffset + dataBytes > size) {
      throw new FitsError(name, `HDU ${hdus.length}: data unit is truncated (${size - dataOffset} of ${dataBytes} bytes)`);
    }
    hdus.push({
      index: hdus.length, extname, naxis, isImage, bitpix, cards, dataOffset,
      bscale: numberKeyword(cards, 'BSCALE', name, where, 1), bzero: numberKeyword(cards, 'BZERO', name, where, 0),
      blank: bitpix > 0 ? blankValue(cards) : undefined,
    });
    pos = dataOffset + Math.ceil(dataBytes / BLOCK) * BLOCK;
    if (pos > size && dataOffset + dataBytes <= size) {
      warnings.push(`the file is cut short inside the padding after HDU ${hdus.length - 1}: any HDUs after it are missing`);
    }
  }
  return hdus;
}

/** Indexes a FITS file: by rows when it is plain, whole otherwise. Throws FitsError naming the file. */
export function openFits(path: string, readWhole: (p: string) => Uint8Array): DiskFits {
  const name = basename(path);
  const fd = openSync(path, 'r');
  try {
    const warnings: string[] = [];
    const hdus = walk(fd, fstatSync(fd).size, name, warnings);
    if (hdus) return { mode: 'rows', path, name, hdus, warnings };
  } finally {
    closeSync(fd);
  }
  const bytes = readWhole(path);
  return { mode: 'whole', path, name, parsed: parseFits(bytes, name), bytes };
}

/**
 * The page's verdict on a file: the core reader's checks, all of them (a
 * header run over by a data unit, keywords given twice, scaling, what a cut
 * file lost), throwing FitsError as a dropped file would fail and returning
 * the warnings it would show. The walk above reads headers only, so a plain
 * file is read whole once here, when the command lists the night (a few ms
 * per frame); past the core's size limit, the walk's own notes stand.
 */
export function fitsWarnings(file: DiskFits): string[] {
  if (file.mode === 'whole') return file.parsed.warnings;
  if (statSync(file.path).size > LIMITS.maxBytes) return file.warnings;
  return parseFits(new Uint8Array(readFileSync(file.path)), file.name).warnings;
}

/**
 * Rows [y0, y1) of an image HDU of a plain file, in physical units, into
 * `out`. The two layouts this workbench writes and most cameras use are
 * decoded straight into `out` (float32 read into its own bytes and swapped in
 * place; unsigned 16-bit flipped by BZERO); anything else goes through the
 * general decoder.
 */
export function readDiskRows<T extends Float32Array | Uint16Array>(file: DiskFits & { mode: 'rows' }, hdu: number, y0: number, y1: number, out: T): T {
  const h = file.hdus[hdu];
  const width = h.naxis[0];
  const count = (y1 - y0) * width;
  const bpp = Math.abs(h.bitpix) / 8;
  const fd = openSync(file.path, 'r');
  try {
    const offset = h.dataOffset + y0 * width * bpp;
    const short = () => new FitsError(file.name, `HDU ${hdu}: rows ${y0}-${y1} lie past the end of the file`);
    const plain = h.bscale === 1 && h.blank === undefined;
    if (h.bitpix === -32 && plain && h.bzero === 0 && out instanceof Float32Array) {
      const bytes = new Uint8Array(out.buffer, out.byteOffset, count * 4);
      if (readInto(fd, bytes, offset) < bytes.length) throw short();
      swap32(new Uint32Array(out.buffer, out.byteOffset, count));
      return out;
    }
    const bytes = readAt(fd, offset, count * bpp);
    if (bytes.length < count * bpp) throw short();
    if (h.bitpix === 16 && plain && h.bzero === 32768) {
      // Big-endian int16 + 32768 = the unsigned value with its top bit flipped.
      for (let i = 0, p = 0; i < count; i++, p += 2) out[i] = ((bytes[p] << 8) | bytes[p + 1]) ^ 0x8000;
      return out;
    }
    const decoded = decodePixels(bytes, 0, count, h.bitpix, { bscale: h.bscale, bzero: h.bzero, blank: h.blank });
    out.set(decoded);
    give(decoded); // copied into `out`: back to the scratch pool for the next read
    return out;
  } finally {
    closeSync(fd);
  }
}

function readInto(fd: number, buf: Uint8Array, offset: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, offset + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** Reverses the byte order of every 32-bit word, in place. */
function swap32(w: Uint32Array): void {
  for (let i = 0; i < w.length; i++) {
    const x = w[i];
    w[i] = (x >>> 24) | ((x >>> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
  }
}

/** A whole image HDU of a gzip'd or compressed file. */
export function readWholeImage(file: DiskFits & { mode: 'whole' }, hdu: number): Float32Array | Float64Array {
  return readImage(file.parsed, file.bytes, hdu).data;
}
