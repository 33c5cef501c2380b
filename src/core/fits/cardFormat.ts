/**
 * Writing header cards to the FITS 4.0 fixed format: key left-justified in
 * columns 1-8, '= ' in 9-10, numbers and logicals right-justified to column 30,
 * strings quoted from column 11 ('' for a quote, at least 8 characters inside),
 * ' / comment' after the value. Long strings use the OGIP CONTINUE convention,
 * keys that are not standard (longer than 8, spaces, lower case kept as typed)
 * use ESO's HIERARCH, and every character outside printable ASCII becomes '?'
 * because a header may only hold bytes 32-126.
 */
import type { Card, HeaderValue } from './types';
import { CARD } from './header';

const STD_KEY = /^[A-Z0-9_-]{1,8}$/;
const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);

/** Replace anything outside printable ASCII (32-126); tabs and newlines become spaces. */
export function toPrintableAscii(s: string): string {
  return s.replace(/[\t\n\r]/g, ' ').replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Shortest text that reads back as exactly the same double (JS's own shortest
 * round-trip repr), always carrying '.' or 'E' so readers see a real number.
 */
export function formatFloat(x: number): string {
  // JS prints up to 1e21 without an exponent; past 2^53 use one so the value fits the fixed-format columns.
  let s = (Math.abs(x) >= 2 ** 53 ? x.toExponential() : String(x)).toUpperCase();
  if (!s.includes('.')) {
    const e = s.indexOf('E');
    s = e >= 0 ? `${s.slice(0, e)}.0${s.slice(e)}` : `${s}.0`;
  }
  return s;
}

/** Text of a non-string value, or null when the value has no FITS form (undefined, NaN, Infinity). */
function scalarText(value: HeaderValue): string | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    // Integers print as integers as long as JS prints them without an exponent.
    const plain = String(value);
    // Integers beyond 2^53 are not exact in a double and may not fit a FITS integer: write them as reals.
    return Number.isSafeInteger(value) && !/e/i.test(plain) ? plain : formatFloat(value);
  }
  return null;
}

function withComment(body: string, comment: string | undefined): string {
  if (comment) {
    const room = CARD - body.length - 3;
    if (room > 0) body += ` / ${comment.slice(0, room)}`;
  }
  return body.padEnd(CARD);
}

/** Split `s` into pieces whose escaped ('' for ') length is at most `room`, never splitting an escape. */
function splitEscaped(s: string, firstRoom: number, room: number): string[] {
  const pieces: string[] = [];
  let cur = '';
  let len = 0;
  let limit = firstRoom;
  for (const ch of s) {
    const w = ch === "'" ? 2 : 1;
    if (len + w > limit) {
      pieces.push(cur);
      cur = '';
      len = 0;
      limit = room;
    }
    cur += ch;
    len += w;
  }
  pieces.push(cur);
  return pieces;
}

const esc = (s: string) => s.replace(/'/g, "''");

function formatString(prefix: string, value: string, comment: string | undefined): string[] {
  const quoted = `'${esc(value).padEnd(8)}'`;
  if (prefix.length + quoted.length <= CARD) return [withComment(prefix + quoted, comment)];
  // CONTINUE: every piece but the last ends with '&' inside its quotes.
  const firstRoom = CARD - prefix.length - 3;
  const contPrefix = 'CONTINUE  ';
  const contRoom = CARD - contPrefix.length - 3;
  if (firstRoom < 1) throw new Error(`keyword "${prefix.trim()}" leaves no room for its value in an 80-character card`);
  const pieces = splitEscaped(value, firstRoom, contRoom);
  return pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    const body = `${i === 0 ? prefix : contPrefix}'${esc(piece)}${last ? '' : '&'}'`;
    return last ? withComment(body, comment) : body.padEnd(CARD);
  });
}

/** Key normalised for writing, and whether it needs HIERARCH. */
function normaliseKey(key: string): { key: string; hierarch: boolean } {
  let k = toPrintableAscii(key).trim().replace(/\s+/g, ' ');
  if (k.toUpperCase().startsWith('HIERARCH ')) k = k.slice(9).trim();
  const upper = k.toUpperCase();
  if (STD_KEY.test(upper)) return { key: upper, hierarch: false };
  // HIERARCH keys may hold spaces and any printable character except '='.
  return { key: k.replace(/=/g, '-'), hierarch: true };
}

/** Text a commentary card holds (columns 9-80). */
const COMMENTARY_TEXT = 72;

/**
 * Long COMMENT/HISTORY text split into cards of 72 characters, before a
 * space where there is one in the second half of the card, so that a number
 * or a word is never cut in two ("scale 1.002" / "3 zero" read as 1.002).
 * The space starts the next card: the cards' texts put end to end (as
 * astropy and cfitsio join them) give the text back exactly. A run of 36
 * characters or more without a space (a path) is cut where the card ends, as
 * astropy and cfitsio cut every card. Trailing spaces mean nothing in a card
 * and are dropped.
 */
export function wrapCommentary(text: string): string[] {
  const lines: string[] = [];
  let rest = text.trimEnd();
  while (rest.length > COMMENTARY_TEXT) {
    const space = rest.lastIndexOf(' ', COMMENTARY_TEXT);
    const cut = space >= COMMENTARY_TEXT / 2 ? space : COMMENTARY_TEXT;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  lines.push(rest);
  return lines;
}

/**
 * The 80-character card(s) for one header entry: several for CONTINUE'd strings
 * and for COMMENT/HISTORY text longer than 72 characters.
 */
export function formatCard(card: Card): string[] {
  const comment = card.comment === undefined ? undefined : toPrintableAscii(card.comment);
  const rawKey = toPrintableAscii(card.key).trim().toUpperCase();
  if (COMMENTARY.has(rawKey) || (rawKey === 'CONTINUE' && typeof card.value !== 'string')) {
    const text = comment ?? (card.value === null ? '' : toPrintableAscii(String(card.value)));
    return wrapCommentary(text).map((line) => (rawKey.padEnd(8) + line).padEnd(CARD));
  }
  const { key, hierarch } = normaliseKey(card.key);
  const value = card.value;
  const prefixes = hierarch ? [`HIERARCH ${key} = `, `HIERARCH ${key}= `, `HIERARCH ${key}=`] : [`${key.padEnd(8)}= `];
  if (typeof value === 'string') {
    const text = toPrintableAscii(value);
    // HIERARCH: take the roomiest prefix only when the spacious one cannot hold the value.
    for (const prefix of prefixes) {
      if (prefix.length + Math.min(esc(text).length + 2, 10) <= CARD) return formatString(prefix, text, comment);
    }
    throw new Error(`HIERARCH keyword "${key}" is too long for an 80-character card`);
  }
  const scalar = scalarText(value);
  const valueText = scalar === null ? '' : hierarch ? scalar : scalar.padStart(20);
  for (const prefix of prefixes) {
    const body = prefix + valueText;
    if (body.length <= CARD) return [withComment(body, comment)];
  }
  throw new Error(`HIERARCH keyword "${key}" with its value does not fit in an 80-character card`);
}

/** The header as 80-column lines (ending with END), for a header viewer. Never throws. */
export function headerText(cards: readonly Card[]): string {
  const lines: string[] = [];
  for (const card of cards) {
    try {
      lines.push(...formatCard(card));
    } catch {
      // A card we could not re-format is still shown, cut to 80 columns.
      lines.push(toPrintableAscii(`${card.key} = ${String(card.value)}`).slice(0, CARD).padEnd(CARD));
    }
  }
  lines.push('END'.padEnd(CARD));
  return lines.join('\n');
}
