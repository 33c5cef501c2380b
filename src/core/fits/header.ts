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
  /** Cards holding bytes that are not printable ASCII (shown as '?'; astropy warns about them). */
  unprintable: number;
}

/** The file ended before the header's END card: astropy warns and keeps the HDUs before it. */
export class HeaderCutShort extends FitsError {}

const isEndCard = (b: Uint8Array, p: number) => {
  if (b[p] !== 0x45 || b[p + 1] !== 0x4e || b[p + 2] !== 0x44) return false;
  for (let i = 3; i < CARD; i++) if (b[p + i] !== 0x20) return false;
  return true;
};
const XTENSION = [0x58, 0x54, 0x45, 0x4e, 0x53, 0x49, 0x4f, 0x4e];
/** True when the 8 bytes at `p` spell XTENSION: where an extension header starts. */
export function startsXtension(b: Uint8Array, p: number): boolean {
  for (let i = 0; i < 8; i++) if (b[p + i] !== XTENSION[i]) return false;
  return true;
}

export type HeaderScan = { kind: 'end'; at: number } | { kind: 'cut' } | { kind: 'next'; at: number };

/**
 * Where the header at `offset` ends, without parsing it: its END card; the
 * end of the bytes; or the start of another extension header before any END
 * (a garbled END must not let one header run on into the next).
 */
export function scanHeader(bytes: Uint8Array, offset: number): HeaderScan {
  for (let pos = offset; pos + CARD <= bytes.length; pos += CARD) {
    if (isEndCard(bytes, pos)) return { kind: 'end', at: pos };
    if (pos > offset && (pos - offset) % BLOCK === 0 && startsXtension(bytes, pos)) return { kind: 'next', at: pos };
  }
  return { kind: 'cut' };
}

/**
 * Parse the header that starts at `offset`. Throws HeaderCutShort when the
 * bytes end before an END card, and FitsError when another header starts first.
 */
export function parseHeader(bytes: Uint8Array, offset: number, name: string, hduIndex: number): ParsedHeader {
  const scan = scanHeader(bytes, offset);
  if (scan.kind === 'next') {
    throw new FitsError(
      name,
      `header of HDU ${hduIndex} has no END card: another extension header starts at byte ${scan.at} before any END (a damaged END card?)`,
    );
  }
  const stop = scan.kind === 'end' ? scan.at : bytes.length - ((bytes.length - offset) % CARD);
  const cards: Card[] = [];
  let unprintable = 0;
  for (let pos = offset; pos < stop; pos += CARD) {
    const text = cardText(bytes, pos);
    if (text.includes('?')) {
      for (let i = pos; i < pos + CARD; i++) {
        if (bytes[i] !== 0 && (bytes[i] < 32 || bytes[i] > 126)) {
          unprintable++;
          break;
        }
      }
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
  if (scan.kind === 'cut') {
    throw new HeaderCutShort(
      name,
      `header has no END card (HDU ${hduIndex}: ${cards.length} cards read before the file ended)`,
    );
  }
  const used = scan.at + CARD - offset;
  return { cards, end: offset + Math.ceil(used / BLOCK) * BLOCK, unprintable };
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
