/**
 * Editing header cards of frames on their way through a recipe. Cards are
 * plain {key, value, comment} records (src/core/fits); these helpers keep
 * one card per keyword (COMMENT/HISTORY excepted) and keep the order of the
 * header as written, so a product's header reads like its input's.
 */
import type { Card, HeaderValue } from '../fits/types';
import { normalizeKey } from '../classify/headerLookup';

/** Sets (replacing in place) or appends a keyword. */
export function setCard(cards: Card[], key: string, value: HeaderValue, comment?: string): void {
  const k = normalizeKey(key);
  const i = cards.findIndex((c) => normalizeKey(c.key) === k);
  const card: Card = comment === undefined ? { key, value } : { key, value, comment };
  if (i >= 0) {
    cards[i] = comment === undefined && cards[i].comment !== undefined ? { ...card, comment: cards[i].comment } : card;
    // Later duplicates would contradict the new value: drop them.
    for (let j = cards.length - 1; j > i; j--) if (normalizeKey(cards[j].key) === k) cards.splice(j, 1);
  } else {
    cards.push(card);
  }
}

/** Removes every card of these keywords. */
export function deleteCards(cards: Card[], keys: readonly string[]): void {
  const drop = new Set(keys.map(normalizeKey));
  for (let i = cards.length - 1; i >= 0; i--) if (drop.has(normalizeKey(cards[i].key))) cards.splice(i, 1);
}

/** Value of a keyword (first occurrence, as astropy), undefined when absent. */
export function cardValue(cards: readonly Card[], key: string): HeaderValue | undefined {
  const k = normalizeKey(key);
  return cards.find((c) => normalizeKey(c.key) === k)?.value;
}

export function cardNumber(cards: readonly Card[], key: string): number | undefined {
  const v = cardValue(cards, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function addHistory(cards: Card[], text: string): void {
  cards.push({ key: 'HISTORY', value: null, comment: text });
}

/**
 * Keywords that describe the pixels of one image rather than the exposure:
 * sections, WCS, IRAF's physical-to-logical mapping, units. A single-HDU raw
 * frame keeps them in its primary header; a product moves them to each SCI
 * extension, where trimming and resampling keep them true.
 */
const PIXEL_KEYWORD = new RegExp(
  '^(' +
    [
      'BIASSEC', 'DATASEC', 'TRIMSEC', 'CCDSEC', 'DETSEC', 'AMPSEC', 'BUNIT',
      'WCSAXES', 'WCSNAME', 'RADESYS', 'RADECSYS', 'EQUINOX', 'EPOCH', 'LONPOLE', 'LATPOLE', 'MJDREF',
      'CTYPE\\d', 'CRPIX\\d', 'CRVAL\\d', 'CDELT\\d', 'CUNIT\\d', 'CROTA\\d', 'CD\\d_\\d', 'PC\\d_\\d',
      'PV\\d_\\d+', 'PS\\d_\\d+', 'A_ORDER', 'B_ORDER', 'AP_ORDER', 'BP_ORDER', 'A_\\d_\\d', 'B_\\d_\\d',
      'AP_\\d_\\d', 'BP_\\d_\\d', 'LTV\\d', 'LTM\\d_\\d', 'DTV\\d', 'DTM\\d_\\d',
    ].join('|') +
    ')$',
);

export function isPixelKeyword(key: string): boolean {
  return PIXEL_KEYWORD.test(normalizeKey(key));
}

/** Keywords a rewrite makes false or the writer owns (shape, scaling, checksums, tile compression). */
const STRUCTURAL =
  /^(SIMPLE|BITPIX|NAXIS\d*|EXTEND|XTENSION|PCOUNT|GCOUNT|BZERO|BSCALE|BLANK|END|CHECKSUM|DATASUM|EXTNAME|EXTVER|INHERIT|ZIMAGE|ZCMPTYPE|ZBITPIX|ZNAXIS\d*|ZTILE\d+|ZQUANTIZ|ZDITHER0|ZNAME\d+|ZVAL\d+|ZSIMPLE|ZTENSION|ZEXTEND|ZPCOUNT|ZGCOUNT|ZBLANK|ZSCALE|ZZERO|ZHECKSUM|ZDATASUM|T(FORM|TYPE|UNIT|SCAL|ZERO|NULL|DIM|DISP)\d+|TFIELDS|THEAP)$/;

export function withoutStructural(cards: readonly Card[]): Card[] {
  return cards.filter((c) => !STRUCTURAL.test(normalizeKey(c.key)));
}

/** Splits a single-HDU header into what describes the exposure (primary) and what describes its pixels (extension). */
export function splitPixelKeywords(cards: readonly Card[]): { primary: Card[]; pixel: Card[] } {
  const primary: Card[] = [];
  const pixel: Card[] = [];
  for (const c of withoutStructural(cards)) (isPixelKeyword(c.key) ? pixel : primary).push(c);
  return { primary, pixel };
}
