/**
 * Pixels of one image HDU, plain or tile-compressed, in physical units.
 */
import { decodePixels } from './decode';
import { fitsBytes } from './parse';
import { blankValue, humanBytes, numberKeyword } from './keywords';
import { readCompressedImage } from './tiled/tiles';
import { FitsError, type FitsFile, type ImagePixels } from './types';

/**
 * Decode HDU `hduIndex` of a parsed file. `bytes` is the same input given to
 * parseFits (gzip'd or not: the inflated bytes are remembered per input).
 */
export function readImage(file: FitsFile, bytes: Uint8Array, hduIndex: number): ImagePixels {
  const name = file.name;
  const hdu = file.hdus[hduIndex];
  if (!hdu) throw new FitsError(name, `HDU ${hduIndex} does not exist (the file has ${file.hdus.length})`);
  if (!hdu.isImage) {
    const label = hdu.extname ? `${hdu.xtension} '${hdu.extname}'` : hdu.xtension;
    throw new FitsError(name, `HDU ${hduIndex} (${label}) holds no image`);
  }
  const data = fitsBytes(bytes, name);
  try {
    if (hdu.compressed) return readCompressedImage(data, hdu, name);
    const [width, height = 1, ...rest] = hdu.naxis;
    const depth = rest.reduce((a, b) => a * b, 1);
    const count = width * height * depth;
    if (hdu.dataOffset + (count * Math.abs(hdu.bitpix)) / 8 > data.length) {
      throw new FitsError(name, `HDU ${hduIndex}: data unit is truncated (these are not the bytes parseFits saw)`);
    }
    const where = `HDU ${hduIndex}`;
    const scaling = {
      bscale: numberKeyword(hdu.cards, 'BSCALE', name, where, 1),
      bzero: numberKeyword(hdu.cards, 'BZERO', name, where, 0),
      // BLANK only means something for integer data (FITS 4.0, 4.4.2.5).
      blank: hdu.bitpix > 0 ? blankValue(hdu.cards) : undefined,
    };
    const pixels = decodePixels(data, hdu.dataOffset, count, hdu.bitpix, scaling);
    return { width, height, depth, data: pixels, integerKind: integerKindOf(hdu.bitpix, scaling) };
  } catch (e) {
    // Only a failed allocation is "out of memory"; any other RangeError is a reader bug and says so.
    if (e instanceof RangeError && OUT_OF_MEMORY.test(e.message)) {
      const npix = hdu.naxis.reduce((a, b) => a * b, 1);
      throw new FitsError(name, `HDU ${hduIndex}: image of ${npix} pixels (${humanBytes(npix * 4)}) does not fit in memory (${e.message})`);
    }
    if (e instanceof FitsError) throw e;
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new Error(`${name}: HDU ${hduIndex} could not be decoded: a fault in the reader, not in the file (${what})`, { cause: e });
  }
}

/**
 * What the header alone says of the values' range (ImagePixels.integerKind):
 * the stored integers of BITPIX 16 or 8, unscaled, plus 0 or the standard
 * offset (32768 for unsigned 16-bit, -128 for signed bytes), with no BLANK
 * (a blank pixel decodes to NaN). Saves the library a scan of every pixel of
 * a raw frame to learn it can keep it as 16-bit integers.
 */
function integerKindOf(bitpix: number, s: { bscale: number; bzero: number; blank?: number }): 'u16' | 'i16' | undefined {
  if (s.bscale !== 1 || s.blank !== undefined) return undefined;
  if (bitpix === 16) return s.bzero === 32768 ? 'u16' : s.bzero === 0 ? 'i16' : undefined;
  if (bitpix === 8) return s.bzero === 0 ? 'u16' : s.bzero === -128 ? 'i16' : undefined;
  return undefined;
}

/** V8's messages when a buffer cannot be had: "Array buffer allocation failed", "Invalid typed array length: N". */
const OUT_OF_MEMORY = /allocation failed|invalid (typed )?array( buffer)? length|out of memory/i;
