/**
 * Rice decoding of one tile, after cfitsio's fits_rdecomp / _short / _byte
 * (ricecomp.c, R. White). The stream starts with the first pixel in full
 * (bytepix bytes, big-endian); then for every block of `blocksize` pixels a
 * fsbits-wide code: 0 means all differences are zero, fsmax means the
 * differences are stored raw in 8*bytepix bits, anything else is fs+1 and each
 * difference is a unary-coded high part and fs low bits. Differences are
 * zig-zag mapped (even -> +d/2, odd -> -(d+1)/2) and added to the last pixel.
 */
import { FitsError } from '../types';

/** Number of significant bits of each byte value: position of its highest set bit. */
const NONZERO_COUNT = (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = 32 - Math.clz32(i);
  return t;
})();

/**
 * Decode `npix` pixels. Returns signed values for bytepix 2 and 4, unsigned for
 * bytepix 1 (BYTE images are unsigned). Throws FitsError when the stream ends early.
 */
export function riceDecode(
  input: Uint8Array,
  npix: number,
  bytepix: number,
  blocksize: number,
  name: string,
  where: string,
): Int32Array | Int16Array | Uint8Array {
  let fsbits: number;
  let fsmax: number;
  if (bytepix === 1) {
    fsbits = 3;
    fsmax = 6;
  } else if (bytepix === 2) {
    fsbits = 4;
    fsmax = 14;
  } else if (bytepix === 4) {
    fsbits = 5;
    fsmax = 25;
  } else {
    throw new FitsError(name, `${where}: RICE_1 BYTEPIX ${bytepix} is not supported (1, 2 or 4)`);
  }
  if (!(blocksize > 0)) throw new FitsError(name, `${where}: RICE_1 BLOCKSIZE ${blocksize} is not allowed`);
  const bbits = 1 << fsbits;
  // Storing into an array of the pixel's width wraps the sums the way cfitsio's unsigned C types do.
  const out = bytepix === 4 ? new Int32Array(npix) : bytepix === 2 ? new Int16Array(npix) : new Uint8Array(npix);
  const clen = input.length;
  if (clen < bytepix) {
    throw new FitsError(name, `${where}: compressed tile data cut short (${clen} bytes, not even the first pixel)`);
  }
  let first = 0;
  for (let k = 0; k < bytepix; k++) first = (first << 8) | input[k];
  out[0] = first;
  let lastpix = out[0];

  let c = bytepix;
  let b = input[c++];
  let nbits = 8;
  for (let i = 0; i < npix; ) {
    // read the block's FS code
    nbits -= fsbits;
    while (nbits < 0) {
      b = (b << 8) | input[c++];
      nbits += 8;
    }
    const fs = (b >>> nbits) - 1;
    b &= (1 << nbits) - 1;
    let imax = i + blocksize;
    if (imax > npix) imax = npix;
    if (fs < 0) {
      // low-entropy block: every difference is zero
      for (; i < imax; i++) out[i] = lastpix;
    } else if (fs === fsmax) {
      // high-entropy block: differences stored raw in bbits bits
      for (; i < imax; i++) {
        let k = bbits - nbits;
        let diff = k >= 32 ? 0 : b << k;
        for (k -= 8; k >= 0; k -= 8) {
          b = input[c++];
          diff |= b << k;
        }
        if (nbits > 0) {
          b = input[c++];
          diff |= b >>> -k;
          b &= (1 << nbits) - 1;
        } else {
          b = 0;
        }
        diff >>>= 0;
        const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        out[i] = d + lastpix;
        lastpix = out[i];
      }
    } else {
      for (; i < imax; i++) {
        // unary part: count leading zeros
        while (b === 0) {
          if (c >= clen) break;
          nbits += 8;
          b = input[c++];
        }
        if (b === 0) break; // stream exhausted: reported below
        const nzero = nbits - NONZERO_COUNT[b];
        nbits -= nzero + 1;
        b ^= 1 << nbits;
        nbits -= fs;
        while (nbits < 0) {
          b = (b << 8) | input[c++];
          nbits += 8;
        }
        const diff = ((nzero << fs) | (b >>> nbits)) >>> 0;
        b &= (1 << nbits) - 1;
        const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        out[i] = d + lastpix;
        lastpix = out[i];
      }
    }
    if (c > clen || i < imax) {
      throw new FitsError(
        name,
        `${where}: compressed tile data cut short (RICE_1 stream of ${clen} bytes ended after ${Math.min(i, npix)} of ${npix} pixels)`,
      );
    }
  }
  return out;
}
