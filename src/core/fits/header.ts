/**
 * Reading FITS header cards: 80-character records in 2880-byte blocks, ending
 * with END. Values follow the FITS 4.0 fixed/free formats; CONTINUE long
 * strings are joined into the card they continue (the OGIP convention), and
 * HIERARCH cards keep the words after HIERARCH as their key, the way astropy
 * shows them ('ESO DET CHIP NAME').
 */
import { FitsError, type Card, type HeaderValue } from './types';

export const BLOCK = 2880;
export const CARD = 80;

/** Keys whose every occurrence matters, so lookups never pick "the last one". */
const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);

/**
 * Header text is data from strangers: anything outside printable ASCII becomes
 * '?', so it can never smuggle control characters into a viewer or a product.
 */
export function cardText(bytes: Uint8Array, offset: number): string {
  let s = '';
  for (let i = 0; i < CARD; i++) {
    const c = bytes[offset + i];
    s += c >= 32 && c <= 126 ? String.fromCharCode(c) : c === 0 ? ' ' : '?';
  }
  return s;
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([EDed][+-]?\d+)?$/;

/** Parse the text after '= ' (or after HIERARCH's '='): a value, then an optional '/ comment'. */
export function parseValueField(field: string): { value: HeaderValue; comment?: string } {
  const text = field.trimStart();
  if (text.startsWith("'")) {
    // Quoted string: '' is an escaped quote; the string ends at the first lone quote.
    let value = '';
    let i = 1;
    let closed = false;
    while (i < text.length) {
      const ch = text[i];
      if (ch === "'") {
        if (text[i + 1] === "'") {
          value += "'";
          i += 2;
          continue;
        }
        closed = true;
        i++;
        break;
      }
      value += ch;
      i++;
    }
    // An unclosed string keeps what was there rather than losing the card.
    const rest = closed ? text.slice(i) : '';
    const slash = rest.indexOf('/');
    const comment = slash >= 0 ? rest.slice(slash + 1).trim() : undefined;
    // Trailing blanks inside quotes are not significant (FITS 4.0, 4.2.1.1); leading ones are.
    return withComment(value.replace(/ +$/, ''), comment);
  }
  const slash = text.indexOf('/');
  const raw = (slash >= 0 ? text.slice(0, slash) : text).trim();
  const comment = slash >= 0 ? text.slice(slash + 1).trim() : undefined;
  return withComment(parseBareValue(raw), comment);
}

function withComment(value: HeaderValue, comment: string | undefined): { value: HeaderValue; comment?: string } {
  return comment ? { value, comment } : { value };
}

function parseBareValue(raw: string): HeaderValue {
  if (raw === '') return null;
  if (raw === 'T') return true;
  if (raw === 'F') return false;
  if (INT_RE.test(raw)) return Number(raw);
  if (FLOAT_RE.test(raw)) return Number(raw.replace(/[Dd]/, 'E'));
  // Complex values "(1.0, 2.0)" and malformed numbers stay text: shown, never guessed.
  return raw;
}

/** One card from its 80-character text. CONTINUE cards come back with key 'CONTINUE' (joined by parseHeader). */
export function parseCard(text: string): Card {
  if (text.startsWith('HIERARCH ')) {
    const eq = text.indexOf('=');
    if (eq > 0) {
      const key = text.slice(9, eq).trim().replace(/\s+/g, ' ');
      return { key, ...parseValueField(text.slice(eq + 1)) };
    }
  }
  const key = text.slice(0, 8).trimEnd().toUpperCase();
  if (key === 'CONTINUE') {
    return { key, ...parseValueField(text.slice(8)) };
  }
  if (text.slice(8, 10) === '= ' && !COMMENTARY.has(key)) {
    return { key, ...parseValueField(text.slice(10)) };
  }
  // Commentary card (COMMENT, HISTORY, blank, or a key without '= '): the text is kept as the comment.
  const body = text.slice(8).trimEnd();
  return body ? { key, value: null, comment: body } : { key, value: null };
}

export interface ParsedHeader {
  cards: Card[];
  /** Byte offset just after the header's last (padded) block. */
  end: number;
}

/**
 * Parse the header that starts at `offset`. Throws FitsError when the file ends
 * before an END card.
 */
export function parseHeader(bytes: Uint8Array, offset: number, name: string, hduIndex: number): ParsedHeader {
  const cards: Card[] = [];
  let pos = offset;
  while (pos + CARD <= bytes.length) {
    const text = cardText(bytes, pos);
    pos += CARD;
    if (text.startsWith('END') && text.slice(3).trim() === '') {
      const used = pos - offset;
      const end = offset + Math.ceil(used / BLOCK) * BLOCK;
      return { cards, end };
    }
    const card = parseCard(text);
    if (card.key === 'CONTINUE') {
      const prev = cards[cards.length - 1];
      if (prev && typeof prev.value === 'string' && prev.value.endsWith('&') && typeof card.value === 'string') {
        prev.value = prev.value.slice(0, -1) + card.value;
        if (card.comment) prev.comment = prev.comment ? `${prev.comment} ${card.comment}` : card.comment;
        continue;
      }
    }
    cards.push(card);
  }
  throw new FitsError(
    name,
    `header has no END card (HDU ${hduIndex}: ${cards.length} cards read before the file ended)`,
  );
}

/** Value of `key` (case-insensitive). The last occurrence wins; COMMENT/HISTORY give all their texts joined by newlines. */
export function headerGet(cards: readonly Card[], key: string): HeaderValue | undefined {
  const want = key.trim().toUpperCase();
  if (want === 'COMMENT' || want === 'HISTORY') {
    const texts = cards.filter((c) => c.key.toUpperCase() === want).map((c) => c.comment ?? '');
    return texts.length ? texts.join('\n') : undefined;
  }
  for (let i = cards.length - 1; i >= 0; i--) {
    if (cards[i].key.toUpperCase() === want) return cards[i].value;
  }
  return undefined;
}

/** Number value of `key`, or undefined when absent or not a number. */
export function headerNumber(cards: readonly Card[], key: string): number | undefined {
  const v = headerGet(cards, key);
  return typeof v === 'number' ? v : undefined;
}

/** String value of `key`, or undefined when absent or not a string. */
export function headerString(cards: readonly Card[], key: string): string | undefined {
  const v = headerGet(cards, key);
  return typeof v === 'string' ? v : undefined;
}
