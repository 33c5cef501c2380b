/**
 * Walking a FITS file: whole-file gzip, then every HDU's header and the size of
 * its data unit. Every structural problem becomes a FitsError that names the
 * file and says what is wrong, before any pixel is touched, so a broken file
 * can never turn into a wrong image or a RangeError deep in a decoder. Damage
 * astropy reads past with a warning (a file cut inside the padding after an
 * HDU, or inside a later header; bytes after the last HDU) is kept as a
 * warning on the parsed file, naming what is missing, for the library to show.
 */
import { gunzipBounded } from './gzip';
import { BLOCK, HeaderCutShort, headerGet, parseHeader, scanHeader, startsXtension } from './header';
import { compressedImageCards } from './tiled/imageHeader';
import { checkScaling, humanBytes, intKeyword, LIMITS } from './keywords';
import { FitsError, type Card, type Compression, type FitsFile, type HduInfo } from './types';

const ALLOWED_BITPIX = new Set([8, 16, 32, 64, -32, -64]);
const COMPRESSIONS = new Set<Compression>(['RICE_1', 'GZIP_1', 'GZIP_2', 'PLIO_1', 'HCOMPRESS_1', 'NOCOMPRESS']);

/** Decompressed bytes of gzip inputs, so readImage does not inflate the same file twice. */
const inflated = new WeakMap<Uint8Array, Uint8Array>();

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/**
 * How many inflated bytes reading this FITS stream needs, as far as the
 * headers in `bytes` (the output so far) tell: the end of the last data unit
 * declared, plus a block to see whether another extension follows. Throws
 * when a header declares more than LIMITS allow, before any of it is inflated.
 */
export function fitsNeed(bytes: Uint8Array, name: string, resume: { pos: number; index: number } = { pos: 0, index: 0 }): number {
  // The bytes inflated so far never change, so each call starts after the HDUs the last one sized.
  let pos = resume.pos;
  for (let index = resume.index; ; index++) {
    resume.pos = pos;
    resume.index = index;
    if (index > 0) {
      if (pos + 8 > bytes.length) return pos + BLOCK;
      if (!startsXtension(bytes, pos)) return pos + LIMITS.gzipTrailing;
    }
    if (index === 0 && bytes.length >= 9 && String.fromCharCode(...bytes.subarray(0, 9)) !== 'SIMPLE  =') {
      throw new FitsError(name, 'not a FITS file (the gzip stream does not start with SIMPLE)');
    }
    const scan = scanHeader(bytes, pos);
    if (scan.kind === 'next') parseHeader(bytes, pos, name, index); // throws: no END before the next header
    if (scan.kind !== 'end') {
      // Headers have no declared size: let them grow geometrically up to the header limit.
      if (bytes.length - pos >= LIMITS.maxHeaderBytes) {
        throw new FitsError(name, `HDU ${index}: no END card in the first ${humanBytes(LIMITS.maxHeaderBytes)} of its header`);
      }
      return Math.min(pos + LIMITS.maxHeaderBytes, bytes.length + Math.max(BLOCK, bytes.length - pos));
    }
    const header = parseHeader(bytes, pos, name, index);
    const { dataBytes, bitpix, naxis } = dataUnit(header.cards, index, name);
    // Pixels past the limit (an image's, or all of a tile-compressed one) are refused now, before they are inflated.
    const xtension = index === 0 ? 'PRIMARY' : String(headerGet(header.cards, 'XTENSION') ?? '').trim().toUpperCase();
    const image = xtension === 'PRIMARY' || xtension === 'IMAGE';
    const needed = headerGet(header.cards, 'ZIMAGE') === true ? dataBytes : image && naxis.length ? product(naxis) * (Math.abs(bitpix) / 8) : 0;
    if (header.end + needed > LIMITS.maxBytes) {
      throw new FitsError(name, `${tooLarge(header.cards, index, needed)}; the gzip stream was not decompressed`);
    }
    // Past the limit, the stream must end first: parseFits then reads the HDUs before as a file cut short.
    pos = Math.min(header.end + padded(dataBytes), LIMITS.maxBytes);
  }
}

/** The FITS bytes of an input that may be whole-file gzip (.fits.gz), inflated within what its headers declare. */
export function fitsBytes(input: Uint8Array, name: string): Uint8Array {
  if (!isGzip(input)) return input;
  const cached = inflated.get(input);
  if (cached) return cached;
  const resume = { pos: 0, index: 0 };
  const out = gunzipBounded(
    input,
    name,
    (so) => fitsNeed(so, name, resume),
    (total) => `the gzip stream holds more than its FITS headers declare (over ${humanBytes(total)}, more than ${humanBytes(LIMITS.gzipTrailing)} past the last HDU); refused without decompressing the rest`,
  );
  inflated.set(input, out);
  return out;
}

/** BITPIX/NAXIS/NAXISn of an image description (plain keys, or the Z-prefixed ones of a compressed image). */
function imageShape(cards: Card[], name: string, where: string, prefix: '' | 'Z'): { bitpix: number; naxis: number[] } {
  const bitpix = intKeyword(cards, `${prefix}BITPIX`, name, where);
  if (!ALLOWED_BITPIX.has(bitpix)) {
    throw new FitsError(name, `${where}: ${prefix}BITPIX ${bitpix} is not allowed (must be 8, 16, 32, 64, -32 or -64)`);
  }
  const n = intKeyword(cards, `${prefix}NAXIS`, name, where);
  if (n < 0 || n > 999) throw new FitsError(name, `${where}: ${prefix}NAXIS ${n} is out of range (0-999)`);
  const naxis: number[] = [];
  for (let i = 1; i <= n; i++) {
    const len = intKeyword(cards, `${prefix}NAXIS${i}`, name, where);
    if (len < 0) throw new FitsError(name, `${where}: ${prefix}NAXIS${i} is negative (${len})`);
    naxis.push(len);
  }
  return { bitpix, naxis };
}

const product = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

interface DataUnit {
  bitpix: number;
  naxis: number[];
  pcount: number;
  gcount: number;
  groups: boolean;
  /** |BITPIX|/8 x GCOUNT x (PCOUNT + NAXIS1 x ... x NAXISn) (FITS 4.0, eq. 2); NAXIS1 left out for random groups. */
  dataBytes: number;
}

/** The one place the size of a data unit is worked out: the walk, the gzip bound and the decoders all use it. */
export function dataUnit(cards: Card[], index: number, name: string): DataUnit {
  const where = `HDU ${index}`;
  const { bitpix, naxis } = imageShape(cards, name, where, '');
  const pcount = intKeyword(cards, 'PCOUNT', name, where, 0);
  const gcount = intKeyword(cards, 'GCOUNT', name, where, 1);
  if (pcount < 0) throw new FitsError(name, `${where}: PCOUNT is negative (${pcount})`);
  if (gcount < 0) throw new FitsError(name, `${where}: GCOUNT is negative (${gcount})`);
  // Random groups (NAXIS1 = 0 with GROUPS = T) leave NAXIS1 out of the product.
  const groups = index === 0 && headerGet(cards, 'GROUPS') === true && naxis[0] === 0;
  const axes = groups ? naxis.slice(1) : naxis;
  const dataBytes = naxis.length === 0 ? 0 : (Math.abs(bitpix) / 8) * gcount * (pcount + product(axes));
  return { bitpix, naxis, pcount, gcount, groups, dataBytes };
}

/** Why a declared data unit is refused for its size, naming the keywords that declare it. */
function tooLarge(cards: Card[], index: number, dataBytes: number): string {
  const pcount = headerGet(cards, 'PCOUNT');
  const gcount = headerGet(cards, 'GCOUNT');
  const naxis = [];
  for (let i = 1; i <= Number(headerGet(cards, 'NAXIS')); i++) naxis.push(headerGet(cards, `NAXIS${i}`));
  const bpp = Math.abs(Number(headerGet(cards, 'BITPIX'))) / 8;
  const byGroups = (typeof pcount === 'number' && pcount > 0) || (typeof gcount === 'number' && gcount > 1);
  const why = byGroups
    ? `PCOUNT = ${pcount ?? 0} and GCOUNT = ${gcount ?? 1} declare a data unit of ${humanBytes(dataBytes)}`
    : `NAXIS claims ${humanBytes(dataBytes)} of data (${naxis.join(' x ')} x ${bpp} bytes)`;
  return `HDU ${index}: ${why}, more than the ${humanBytes(LIMITS.maxBytes)} this reader can hold`;
}

interface Described {
  hdu: HduInfo;
  warning?: string;
  /** Set when the data unit runs past the end of the file but what the reader needs of it is there. */
  cutShort?: string;
}

/** Keywords a header holds once: a second one means two headers ran together (a damaged END), or worse. */
const ONCE = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|ZBITPIX|ZNAXIS\d*|ZCMPTYPE|TFIELDS)$/;

function checkOnce(cards: Card[], name: string, where: string): void {
  const seen = new Set<string>();
  for (const c of cards) {
    const key = c.key.toUpperCase();
    if (!ONCE.test(key)) continue;
    if (seen.has(key)) {
      throw new FitsError(name, `${where}: the header holds ${key} twice (two headers run together through a damaged END card?)`);
    }
    seen.add(key);
  }
}

/** One HDU's description from its header; `available` is how many bytes the file holds after the header. */
function describeHdu(cards: Card[], index: number, name: string, dataOffset: number, available: number): Described {
  const where = `HDU ${index}`;
  checkOnce(cards, name, where);
  const xtensionValue = headerGet(cards, 'XTENSION');
  const xtension = index === 0 ? 'PRIMARY' : String(xtensionValue ?? '').trim().toUpperCase();
  const { bitpix, naxis, groups, dataBytes } = dataUnit(cards, index, name);

  const extnameValue = headerGet(cards, 'EXTNAME');
  let extname = typeof extnameValue === 'string' ? extnameValue.trim() : index === 0 ? 'PRIMARY' : '';
  const zimage = xtension === 'BINTABLE' && headerGet(cards, 'ZIMAGE') === true;
  const isImage = (xtension === 'PRIMARY' || xtension === 'IMAGE') && !groups && naxis.length > 0 && product(naxis) > 0;
  const bpp = Math.abs(bitpix) / 8;
  const imageBytes = isImage ? product(naxis) * bpp : 0;
  // Pixels decode to float32, or float64 for BITPIX 32, 64 and -64.
  const outBytes = (zimage ? 0 : imageBytes / bpp) * (bitpix === 32 || bitpix === 64 || bitpix === -64 ? 8 : 4);
  // What the reader needs of the data unit: the pixels of an image, all of a compressed one, none of a table.
  const needed = zimage ? dataBytes : imageBytes;
  if (needed > LIMITS.maxBytes || outBytes > LIMITS.maxBytes) {
    throw new FitsError(name, tooLarge(cards, index, needed));
  }
  if (imageBytes > dataBytes) {
    throw new FitsError(
      name,
      `${where}: GCOUNT = ${headerGet(cards, 'GCOUNT')} declares a data unit of ${dataBytes} bytes, too small for the ${naxis.join(' x ')} image it describes (${imageBytes} bytes)`,
    );
  }
  const warning = isImage ? checkScaling(cards, bitpix, name, where) : undefined;

  let cutShort: string | undefined;
  if (dataBytes > available) {
    if (needed > available) {
      const what = zimage
        ? `compressed tile data cut short: the table and its heap need ${dataBytes} bytes`
        : `data unit is truncated: expected ${imageBytes} bytes (${naxis.map((_, i) => `NAXIS${i + 1}`).join('*')}*|BITPIX|/8)`;
      throw new FitsError(name, `${where}: ${what}, but the file holds only ${available} bytes after the header`);
    }
    const pcount = headerGet(cards, 'PCOUNT') ?? 0;
    const gcount = headerGet(cards, 'GCOUNT') ?? 1;
    const by = pcount !== 0 || gcount !== 1 ? ` (PCOUNT = ${pcount}, GCOUNT = ${gcount})` : '';
    cutShort = `the data unit of HDU ${index} is cut short: its header declares ${humanBytes(dataBytes)}${by}, the file holds ${humanBytes(available)}`;
  }

  const base = { index, xtension, dataOffset, dataBytes };
  if (zimage) {
    const zwhere = `${where} (tile-compressed image)`;
    const shape = imageShape(cards, name, zwhere, 'Z');
    const cmp = String(headerGet(cards, 'ZCMPTYPE') ?? '').trim().toUpperCase() as Compression;
    if (!COMPRESSIONS.has(cmp)) {
      throw new FitsError(name, `${where}: unknown tile compression ZCMPTYPE = '${cmp}'`);
    }
    if (!extname) extname = 'COMPRESSED_IMAGE';
    const npix = product(shape.naxis);
    // A compressed image can claim any size: refuse what cannot be held before a tile is read.
    const wide = shape.bitpix === 32 || shape.bitpix === 64 || shape.bitpix === -64;
    if (npix * (wide ? 8 : 4) > LIMITS.maxBytes) {
      throw new FitsError(
        name,
        `${where}: ZNAXIS claims ${humanBytes(npix * (wide ? 8 : 4))} of decoded pixels (${shape.naxis.join(' x ')}), more than the ${humanBytes(LIMITS.maxBytes)} this reader can hold`,
      );
    }
    const zwarning = checkScaling(cards, shape.bitpix, name, zwhere);
    return {
      hdu: {
        ...base,
        extname,
        bitpix: shape.bitpix,
        naxis: shape.naxis,
        isImage: shape.naxis.length > 0 && npix > 0,
        compressed: cmp,
        cards: compressedImageCards(cards),
        tableCards: cards,
      },
      cutShort,
      warning: zwarning,
    };
  }
  return { hdu: { ...base, extname, bitpix, naxis: isImage ? naxis : [], isImage, cards }, cutShort, warning };
}

const XTENSION_CARD = Array.from("XTENSION= '", (c) => c.charCodeAt(0));

/**
 * A data unit that covers a block starting "XTENSION= '" has swallowed the
 * next extension's header: its NAXISn (or BITPIX, PCOUNT, GCOUNT) are wrong,
 * and reading on would give an image of header text and lose the HDUs it
 * covers. Pixel data starting a block with those 11 bytes is not a real risk.
 */
function overrunsHeader(bytes: Uint8Array, hdu: HduInfo, next: number, name: string): void {
  for (let p = hdu.dataOffset; p < Math.min(next, bytes.length - XTENSION_CARD.length); p += BLOCK) {
    if (XTENSION_CARD.every((c, i) => bytes[p + i] === c)) {
      throw new FitsError(
        name,
        `HDU ${hdu.index}: its data unit (${hdu.dataBytes} bytes, as its header declares) runs over an extension header at byte ${p}: NAXISn, BITPIX, PCOUNT or GCOUNT are wrong`,
      );
    }
  }
}

/** What follows the last HDU, as a warning (astropy warns too), or undefined when nothing does. */
function trailing(bytes: Uint8Array, pos: number, last: number): string | undefined {
  const rest = bytes.subarray(pos);
  if (rest.every((b) => b === 0)) return `${rest.length} bytes of zeros after the last HDU (HDU ${last}) were ignored`;
  const start = Array.from(rest.subarray(0, 8), (c) => (c >= 32 && c <= 126 ? String.fromCharCode(c) : '?')).join('');
  return `${rest.length} bytes after HDU ${last} do not start an extension (they begin '${start}', not 'XTENSION') and were not read: any HDUs there are missing`;
}

/**
 * Parse every HDU header of a FITS file (plain or whole-file gzip). Pixels are
 * not decoded: call readImage for that.
 */
export function parseFits(input: Uint8Array, name: string): FitsFile {
  if (input.length === 0) throw new FitsError(name, 'file is empty (zero bytes)');
  if (input.length > LIMITS.maxBytes) {
    throw new FitsError(name, `file is ${humanBytes(input.length)}, more than the ${humanBytes(LIMITS.maxBytes)} this reader can hold`);
  }
  if (isGzip(input) && input.length < 18) throw new FitsError(name, `gzip stream is corrupt (only ${input.length} bytes)`);
  const bytes = fitsBytes(input, name);
  if (bytes.length === 0) throw new FitsError(name, 'file is empty (the gzip stream holds zero bytes)');
  const start = String.fromCharCode(...bytes.subarray(0, 9));
  if (start !== 'SIMPLE  =') {
    throw new FitsError(name, 'not a FITS file (does not start with SIMPLE)');
  }
  const hdus: HduInfo[] = [];
  const warnings: string[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (hdus.length > 0 && !startsXtension(bytes, pos)) {
      const note = trailing(bytes, pos, hdus.length - 1);
      if (note) warnings.push(note);
      break;
    }
    let header;
    try {
      header = parseHeader(bytes, pos, name, hdus.length);
    } catch (e) {
      // A later header cut short: astropy keeps the HDUs before it and warns; so do we, naming what is lost.
      if (!(e instanceof HeaderCutShort) || hdus.length === 0) throw e;
      warnings.push(
        `the file is cut short inside the header of HDU ${hdus.length} (it ends ${bytes.length - pos} bytes into it, before its END card): HDU ${hdus.length} and any after it are missing`,
      );
      break;
    }
    if (header.end > bytes.length && hdus.length > 0) {
      // The file ends in the blank padding of a later header: astropy drops that HDU with a warning.
      warnings.push(
        `the file is cut short inside the header of HDU ${hdus.length} (it ends ${bytes.length - pos} bytes into its ${header.end - pos}): HDU ${hdus.length} and any after it are missing`,
      );
      break;
    }
    const dataOffset = header.end;
    const available = Math.max(0, bytes.length - dataOffset);
    const { hdu, cutShort, warning } = describeHdu(header.cards, hdus.length, name, dataOffset, available);
    hdus.push(hdu);
    if (header.unprintable) {
      warnings.push(`HDU ${hdu.index}: ${header.unprintable} header cards hold bytes that are not printable ASCII; they are shown as '?'`);
    }
    if (warning) warnings.push(warning);
    if (cutShort) {
      warnings.push(`${cutShort}: any HDUs after HDU ${hdu.index} are missing`);
      break;
    }
    const next = dataOffset + padded(hdu.dataBytes);
    overrunsHeader(bytes, hdu, next, name);
    if (next > bytes.length) {
      warnings.push(
        `the file is cut short inside the padding after HDU ${hdu.index} (it ends at byte ${bytes.length}, the HDU's last block at ${next}): any HDUs after HDU ${hdu.index} are missing`,
      );
      break;
    }
    pos = next;
  }
  return { name, hdus, warnings };
}
