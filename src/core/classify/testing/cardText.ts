/**
 * Test-only: turn header text (80-character cards, or one card per line as
 * people paste them) into Card[]. Deliberately tiny; the real reader lives in
 * src/core/fits. HIERARCH keys keep their words after HIERARCH, as astropy.
 */
import type { Card, HeaderValue } from '../../fits/types';

function parseValue(field: string): { value: HeaderValue; comment?: string } {
  const t = field.trimStart();
  if (t.startsWith("'")) {
    let s = '';
    let i = 1;
    for (; i < t.length; i++) {
      if (t[i] === "'") {
        if (t[i + 1] === "'") { s += "'"; i++; continue; }
        break;
      }
      s += t[i];
    }
    const rest = t.slice(i + 1);
    const slash = rest.indexOf('/');
    return { value: s.replace(/\s+$/, ''), comment: slash >= 0 ? rest.slice(slash + 1).trim() : undefined };
  }
  const slash = t.indexOf('/');
  const raw = (slash >= 0 ? t.slice(0, slash) : t).trim();
  const comment = slash >= 0 ? t.slice(slash + 1).trim() : undefined;
  if (raw === '') return { value: null, comment };
  if (raw === 'T' || raw === 'F') return { value: raw === 'T', comment };
  const n = Number(raw.replace(/[dD]/, 'e'));
  return { value: Number.isFinite(n) ? n : raw, comment };
}

export function parseCardText(text: string): Card[] {
  const lines = text.includes('\n')
    ? text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '')
    : (text.match(/.{1,80}/gs) ?? []);
  const cards: Card[] = [];
  for (const line of lines) {
    if (/^END\s*$/.test(line)) break;
    if (line.startsWith('HIERARCH ')) {
      const eq = line.indexOf('=');
      cards.push({ key: line.slice(9, eq).trim().replace(/\s+/g, ' '), ...parseValue(line.slice(eq + 1)) });
      continue;
    }
    const key = line.slice(0, 8).trim();
    // Pasted headers are not always column-exact: accept 'KEY = value' with any spacing.
    const loose = /^([A-Z0-9_-]{1,8})\s*=\s?(.*)$/.exec(line);
    if (key !== 'COMMENT' && key !== 'HISTORY' && loose) {
      cards.push({ key: loose[1], ...parseValue(loose[2]) });
    } else {
      cards.push({ key, value: null, comment: line.slice(8).trim() });
    }
  }
  return cards;
}

/** Read header blocks (2880 bytes each) from the start of a FITS file until the END card. */
export function headerTextFromBytes(bytes: Uint8Array): string {
  let text = '';
  for (let off = 0; off < bytes.length; off += 2880) {
    const block = new TextDecoder('latin1').decode(bytes.subarray(off, off + 2880));
    text += block;
    for (let c = 0; c < block.length; c += 80) {
      if (/^END\s*$/.test(block.slice(c, c + 80))) return text;
    }
  }
  throw new Error('no END card');
}
