/**
 * Walking a FITS file: whole-file gzip, then every HDU's header and the size of
 * its data unit. Every structural problem becomes a FitsError that names the
 * file and says what is wrong, before any pixel is touched, so a broken file
 * can never turn into a wrong image or a RangeError deep in a decoder.
 */
import { gunzipSync } from 'fflate';
import { BLOCK, headerGet, parseHeader } from './header';
import { compressedImageCards } from './tiled/imageHeader';
import { FitsError, type Card, type Compression, type FitsFile, type HduInfo } from './types';

const ALLOWED_BITPIX = new Set([8, 16, 32, 64, -32, -64]);
const COMPRESSIONS = new Set<Compression>(['RICE_1', 'GZIP_1', 'GZIP_2', 'PLIO_1', 'HCOMPRESS_1', 'NOCOMPRESS']);

/** Decompressed bytes of gzip inputs, so readImage does not inflate the same file twice. */
const inflated = new WeakMap<Uint8Array, Uint8Array>();

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The FITS bytes of an input that may be whole-file gzip (.fits.gz). */
export function fitsBytes(input: Uint8Array, name: string): Uint8Array {
  if (!isGzip(input)) return input;
  const cached = inflated.get(input);
  if (cached) return cached;
  let out: Uint8Array;
  try {
    out = gunzipSync(input);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new FitsError(name, `gzip stream is corrupt (${why}); the file cannot be decompressed`);
  }
  inflated.set(input, out);
  return out;
}

/** "32 TB", "1.5 MB": sizes in a message a person can read. */
export function humanBytes(n: number): string {
  if (!Number.isFinite(n)) return 'an impossible amount';
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${+n.toPrecision(3)} ${units[u]}`;
}

function intKeyword(cards: Card[], key: string, name: string, where: string, fallback?: number): number {
  const v = headerGet(cards, key);
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new FitsError(name, `${where}: required keyword ${key} is missing`);
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new FitsError(name, `${where}: ${key} must be an integer, found ${JSON.stringify(v)}`);
  }
  return v;
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

/** One HDU's description from its header; `available` is how many bytes the file holds after the header. */
function describeHdu(cards: Card[], index: number, name: string, dataOffset: number, available: number): HduInfo {
  const where = `HDU ${index}`;
  const xtensionValue = headerGet(cards, 'XTENSION');
  const xtension = index === 0 ? 'PRIMARY' : String(xtensionValue ?? '').trim().toUpperCase();
  const { bitpix, naxis } = imageShape(cards, name, where, '');
  const pcount = intKeyword(cards, 'PCOUNT', name, where, 0);
  const gcount = intKeyword(cards, 'GCOUNT', name, where, 1);
  if (pcount < 0) throw new FitsError(name, `${where}: PCOUNT is negative (${pcount})`);
  if (gcount < 0) throw new FitsError(name, `${where}: GCOUNT is negative (${gcount})`);
  // Random groups (NAXIS1 = 0 with GROUPS = T) leave NAXIS1 out of the product.
  const groups = index === 0 && headerGet(cards, 'GROUPS') === true && naxis[0] === 0;
  const axes = groups ? naxis.slice(1) : naxis;
  const dataBytes = naxis.length === 0 ? 0 : (Math.abs(bitpix) / 8) * gcount * (pcount + product(axes));

  const extnameValue = headerGet(cards, 'EXTNAME');
  let extname = typeof extnameValue === 'string' ? extnameValue.trim() : index === 0 ? 'PRIMARY' : '';
  const zimage = xtension === 'BINTABLE' && headerGet(cards, 'ZIMAGE') === true;

  if (dataBytes > available) {
    const what = zimage
      ? `compressed tile data cut short: the table and its heap need ${dataBytes} bytes`
      : dataBytes > 1e9 && dataBytes > 4 * available
        ? `NAXIS claims ${humanBytes(dataBytes)} of data (${naxis.join(' x ')} x ${Math.abs(bitpix) / 8} bytes)`
        : `data unit is truncated: expected ${dataBytes} bytes (${naxis.map((_, i) => `NAXIS${i + 1}`).join('*')}*|BITPIX|/8)`;
    throw new FitsError(name, `${where}: ${what}, but the file holds only ${available} bytes after the header`);
  }

  const base = { index, xtension, dataOffset, dataBytes };
  if (zimage) {
    const shape = imageShape(cards, name, `${where} (tile-compressed image)`, 'Z');
    const cmp = String(headerGet(cards, 'ZCMPTYPE') ?? '').trim().toUpperCase() as Compression;
    if (!COMPRESSIONS.has(cmp)) {
      throw new FitsError(name, `${where}: unknown tile compression ZCMPTYPE = '${cmp}'`);
    }
    if (!extname) extname = 'COMPRESSED_IMAGE';
    const npix = product(shape.naxis);
    // A compressed image can claim any size; refuse what no browser could hold rather than fail mid-decode.
    if (npix * 8 > 2 ** 34) {
      throw new FitsError(name, `${where}: ZNAXIS claims ${humanBytes(npix * Math.abs(shape.bitpix) / 8)} of pixels, too large to decode`);
    }
    return {
      ...base,
      extname,
      bitpix: shape.bitpix,
      naxis: shape.naxis,
      isImage: shape.naxis.length > 0 && npix > 0,
      compressed: cmp,
      cards: compressedImageCards(cards),
      tableCards: cards,
    };
  }
  const isImage = (xtension === 'PRIMARY' || xtension === 'IMAGE') && !groups && naxis.length > 0 && product(naxis) > 0;
  return { ...base, extname, bitpix, naxis: isImage ? naxis : [], isImage, cards };
}

/**
 * Parse every HDU header of a FITS file (plain or whole-file gzip). Pixels are
 * not decoded: call readImage for that.
 */
export function parseFits(input: Uint8Array, name: string): FitsFile {
  if (input.length === 0) throw new FitsError(name, 'file is empty (zero bytes)');
  const bytes = fitsBytes(input, name);
  if (bytes.length === 0) throw new FitsError(name, 'file is empty (the gzip stream holds zero bytes)');
  const start = String.fromCharCode(...bytes.subarray(0, 9));
  if (start !== 'SIMPLE  =') {
    throw new FitsError(name, 'not a FITS file (does not start with SIMPLE)');
  }
  const hdus: HduInfo[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (hdus.length > 0) {
      // Anything after the last HDU that is not another XTENSION header is ignored, as astropy and cfitsio do.
      const next = String.fromCharCode(...bytes.subarray(pos, pos + 8));
      if (next !== 'XTENSION') break;
    }
    const header = parseHeader(bytes, pos, name, hdus.length);
    const dataOffset = header.end;
    const available = Math.max(0, bytes.length - dataOffset);
    const hdu = describeHdu(header.cards, hdus.length, name, dataOffset, available);
    hdus.push(hdu);
    pos = dataOffset + Math.ceil(hdu.dataBytes / BLOCK) * BLOCK;
  }
  return { name, hdus };
}
