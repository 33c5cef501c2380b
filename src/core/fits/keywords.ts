/**
 * Reading the keywords that place and scale data, as strictly as astropy
 * does: a value that is not a number where a number must be is an error
 * naming the keyword (read past, it would give wrong pixels); a present
 * keyword without a value is one too. Also the reader's limits.
 */
import { headerGet } from './header';
import { FitsError, type Card } from './types';

/**
 * What one file may cost. 1 GiB for the file (inflated, for .gz) and for one
 * HDU's decoded pixels: V8 gives typed arrays up to 2^32 elements, but an
 * ingest worker holds the input, the decoded pixels and their strips at once
 * (about three times this), and a worker that runs out of memory takes the
 * tab with it. 16k x 16k float32 pixels fit.
 */
export const LIMITS = {
  maxBytes: 2 ** 30,
  /** A header longer than this (200 000 cards) is not a header. */
  maxHeaderBytes: 16 * 2 ** 20,
  /** Inflated bytes allowed past the last HDU of a .gz (trailing padding), so its checksum can still be checked. */
  gzipTrailing: 2 ** 20,
};

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

export function intKeyword(cards: Card[], key: string, name: string, where: string, fallback?: number): number {
  const v = headerGet(cards, key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new FitsError(name, `${where}: required keyword ${key} is missing`);
  }
  if (v === null) throw new FitsError(name, `${where}: ${key} has no value`);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new FitsError(name, `${where}: ${key} must be an integer, found ${JSON.stringify(v)}`);
  }
  return v;
}

/** A number keyword (BSCALE, BZERO, ZSCALE...): absent gives the fallback, anything but a number is an error. */
export function numberKeyword(cards: readonly Card[], key: string, name: string, where: string, fallback: number): number;
export function numberKeyword(cards: readonly Card[], key: string, name: string, where: string): number | undefined;
export function numberKeyword(cards: readonly Card[], key: string, name: string, where: string, fallback?: number): number | undefined {
  const v = headerGet(cards, key);
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new FitsError(name, `${where}: ${key} must be a number, found ${JSON.stringify(v)}`);
  }
  return v;
}

/** An integer keyword that may be absent (BLANK, ZDITHER0, ZTILEn...): anything but an integer is an error. */
export function optionalInt(cards: readonly Card[], key: string, name: string, where: string): number | undefined {
  const v = headerGet(cards, key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new FitsError(name, `${where}: ${key} must be an integer, found ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * BSCALE/BZERO must be numbers where they appear (astropy fails on them too): a
 * value read past would give wrong pixels. A BLANK that is not an integer is
 * ignored with a warning, as astropy does; the warning says so.
 */
export function checkScaling(cards: Card[], bitpix: number, name: string, where: string): string | undefined {
  numberKeyword(cards, 'BSCALE', name, where);
  numberKeyword(cards, 'BZERO', name, where);
  const blank = headerGet(cards, 'BLANK');
  if (bitpix > 0 && blank !== undefined && blankValue(cards) === undefined) {
    return `${where}: BLANK = ${JSON.stringify(blank)} is not an integer and is ignored (as astropy does): no pixel is read as undefined`;
  }
  const range = { 8: [0, 255], 16: [-32768, 32767], 32: [-(2 ** 31), 2 ** 31 - 1] }[bitpix];
  if (range && typeof blank === 'number' && (blank < range[0] || blank > range[1])) {
    return `${where}: BLANK = ${blank} is outside the range of BITPIX ${bitpix} data: no pixel is read as undefined`;
  }
  return undefined;
}

/** BLANK of integer data when it is an integer; anything else is ignored (see checkScaling). */
export function blankValue(cards: readonly Card[]): number | undefined {
  const v = headerGet(cards, 'BLANK');
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
}
