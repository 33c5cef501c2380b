/**
 * Keyword lookup over a primary header and (for multi-extension files) the
 * first image extension's header.
 *
 * Merge rule: keywords that describe the pixels of one extension (shape,
 * sections, binning, per-amplifier gain and noise) are taken from the image
 * extension when it has them, because a MEF primary header often has
 * NAXIS = 0 and no sections; every other keyword is taken from the primary
 * header first, because that is where observatories put what applies to the
 * whole exposure. Either way a keyword missing from one header is looked up in
 * the other.
 */
import type { Card, HeaderValue } from '../fits/types';

export type HduName = 'primary' | 'image';

export interface Hit {
  /** Keyword as looked up (normalized: upper case, no HIERARCH prefix). */
  key: string;
  value: string | number | boolean;
  hdu: HduName;
}

/** Keywords for which the image extension wins over the primary header. */
const EXTENSION_FIRST = new Set([
  'NAXIS', 'NAXIS1', 'NAXIS2', 'ZNAXIS1', 'ZNAXIS2', 'ZIMAGE',
  'BIASSEC', 'DATASEC', 'TRIMSEC', 'CCDSEC', 'DETSEC', 'CCDSUM',
  'XBINNING', 'YBINNING', 'CCDBIN1', 'CCDBIN2', 'BINNING', 'BINX', 'BINY',
  'GAIN', 'EGAIN', 'RDNOISE', 'READNOIS', 'RON', 'READNOISE',
  'SATURATE', 'SATLEVEL', 'DATAMAX', 'BUNIT', 'CCDNAME', 'AMPNAME',
]);

/**
 * Normalize a keyword so that 'HIERARCH ESO DPR TYPE', 'ESO DPR TYPE' and
 * 'eso  dpr type' all find the same card: readers differ in whether they keep
 * the HIERARCH prefix (astropy drops it).
 */
export function normalizeKey(key: string): string {
  let k = key.trim().toUpperCase().replace(/\s+/g, ' ');
  if (k.startsWith('HIERARCH ')) k = k.slice(9);
  return k;
}

/** First occurrence wins, as in astropy's header['KEY']. Null values (COMMENT, undefined keys) are absent. */
function indexCards(cards: readonly Card[] | undefined): Map<string, HeaderValue> {
  const map = new Map<string, HeaderValue>();
  if (!cards) return map;
  for (const card of cards) {
    if (card.value === null || card.value === undefined) continue;
    const k = normalizeKey(card.key);
    if (k === '' || map.has(k)) continue;
    map.set(k, card.value);
  }
  return map;
}

export class HeaderLookup {
  private readonly primary: Map<string, HeaderValue>;
  private readonly image: Map<string, HeaderValue>;

  constructor(primary: readonly Card[], image?: readonly Card[]) {
    this.primary = indexCards(primary);
    this.image = indexCards(image);
  }

  /** The card for `key` per the merge rule, or undefined. Blank strings count as present here. */
  get(key: string): Hit | undefined {
    const k = normalizeKey(key);
    const order: [HduName, Map<string, HeaderValue>][] = EXTENSION_FIRST.has(k)
      ? [['image', this.image], ['primary', this.primary]]
      : [['primary', this.primary], ['image', this.image]];
    for (const [hdu, map] of order) {
      const v = map.get(k);
      if (v !== undefined && v !== null) return { key: k, value: v, hdu };
    }
    return undefined;
  }

  /** Trimmed non-empty string value (numbers are rendered as text), or undefined. */
  str(key: string): { key: string; value: string; hdu: HduName } | undefined {
    const hit = this.get(key);
    if (!hit) return undefined;
    const s = asText(hit.value);
    return s === undefined ? undefined : { key: hit.key, value: s, hdu: hit.hdu };
  }

  /** Finite numeric value (numeric strings such as '120.0' or '1.5D+01' accepted), or undefined. */
  num(key: string): { key: string; value: number; hdu: HduName } | undefined {
    const hit = this.get(key);
    if (!hit) return undefined;
    const n = asNumber(hit.value);
    return n === undefined ? undefined : { key: hit.key, value: n, hdu: hit.hdu };
  }

  /** First of `keys` that has a usable string value. */
  firstStr(keys: readonly string[]) {
    for (const k of keys) {
      const hit = this.str(k);
      if (hit) return hit;
    }
    return undefined;
  }

  /** First of `keys` that has a usable numeric value. */
  firstNum(keys: readonly string[]) {
    for (const k of keys) {
      const hit = this.num(k);
      if (hit) return hit;
    }
    return undefined;
  }
}

export function asText(v: HeaderValue | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  const s = typeof v === 'number' ? String(v) : v.trim();
  return s === '' ? undefined : s;
}

export function asNumber(v: HeaderValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().replace(/[dD]([+-]?\d+)$/, 'e$1');
  // Number('') is 0 and Number('0x10') is 16: accept only plain decimal notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
