/**
 * FITS reading and writing in pure TypeScript (runs in Node and in Web Workers).
 *
 * Why we decode ourselves rather than through fitsjs (the design card's reader,
 * see DESIGN.md section 3): fitsjs decodes BITPIX 16 with BZERO 32768 into an
 * Int16Array and wraps (40000 -> -25536), which is how nearly every CCD camera
 * writes raw frames; it throws on BITPIX -64; it cannot read .fits.gz; and its
 * getFrame spawns a worker through window.URL, which does not exist inside a
 * Worker. Nothing here imports fitsjs; it is a devDependency that the tests
 * use as a second reader (fitsjsAgreement.test.ts lists its known defects).
 *
 *   const file = parseFits(bytes, 'n1_0042.fits.gz');   // headers of every HDU
 *   const img = readImage(file, bytes, 1);              // pixels of HDU 1
 *   const out = writeFits([{ cards, data, width, height }, ...]);
 */
export { parseFits, isGzip } from './parse';
export { readImage } from './image';
export { headerGet, headerNumber, headerString, parseCard } from './header';
export { formatCard, headerText, formatFloat } from './cardFormat';
export { writeFits, headerBlock, headerLines, encodeBigEndian } from './write';
export type { DataShape } from './write';
export { FitsError } from './types';
export type { Card, HeaderValue, Compression, HduInfo, FitsFile, ImagePixels, WriteHdu } from './types';
