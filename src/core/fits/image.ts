/**
 * Pixels of one image HDU, plain or tile-compressed, in physical units.
 */
import { decodePixels } from './decode';
import { headerGet } from './header';
import { fitsBytes, humanBytes } from './parse';
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
    const bscale = headerGet(hdu.cards, 'BSCALE');
    const bzero = headerGet(hdu.cards, 'BZERO');
    const blank = headerGet(hdu.cards, 'BLANK');
    const pixels = decodePixels(data, hdu.dataOffset, count, hdu.bitpix, {
      bscale: typeof bscale === 'number' ? bscale : 1,
      bzero: typeof bzero === 'number' ? bzero : 0,
      // BLANK only means something for integer data (FITS 4.0, 4.4.2.5).
      blank: hdu.bitpix > 0 && typeof blank === 'number' ? blank : undefined,
    });
    return { width, height, depth, data: pixels };
  } catch (e) {
    if (e instanceof RangeError) {
      const npix = hdu.naxis.reduce((a, b) => a * b, 1);
      throw new FitsError(name, `HDU ${hduIndex}: image of ${npix} pixels (${humanBytes(npix * 4)}) does not fit in memory`);
    }
    throw e;
  }
}
