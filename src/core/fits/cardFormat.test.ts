import { describe, expect, it } from 'vitest';
import { formatCard, formatFloat } from './cardFormat';
import { parseCard, parseHeader } from './header';
import type { Card } from './types';

/** Read formatted cards back through the real header parser (CONTINUE joined). */
function roundTrip(c: Card): Card {
  const text = [...formatCard(c), 'END'.padEnd(80)].join('');
  const bytes = new Uint8Array(Math.ceil(text.length / 2880) * 2880).fill(32);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const { cards } = parseHeader(bytes, 0, 't', 0);
  expect(cards.length).toBe(1);
  return cards[0];
}

function expectValidLines(lines: string[]): void {
  for (const l of lines) {
    expect(l.length).toBe(80);
    expect(l).toMatch(/^[\x20-\x7e]*$/);
  }
}

describe('formatCard', () => {
  it('fixed format: numbers and logicals end in column 30, strings start in column 11', () => {
    expect(formatCard({ key: 'naxis1', value: 2048, comment: 'axis' })).toEqual([
      'NAXIS1  =                 2048 / axis'.padEnd(80),
    ]);
    expect(formatCard({ key: 'SIMPLE', value: true })).toEqual(['SIMPLE  =                    T'.padEnd(80)]);
    expect(formatCard({ key: 'OBJECT', value: 'M31' })).toEqual(["OBJECT  = 'M31     '".padEnd(80)]);
    expect(formatCard({ key: 'EXPTIME', value: 0.23 })).toEqual(['EXPTIME =                 0.23'.padEnd(80)]);
  });

  it('floats always carry . or E and read back to the same double', () => {
    expect(formatFloat(1e-7)).toBe('1.0E-7');
    expect(formatFloat(1e21)).toBe('1.0E+21');
    expect(formatFloat(-2.5)).toBe('-2.5');
    expect(formatCard({ key: 'BIG', value: 1e21 })[0]).toBe('BIG     =              1.0E+21'.padEnd(80));
    let x = 0.1234567;
    for (let i = 0; i < 200; i++) {
      x = Math.sin(x * 1e5 + i) * 10 ** ((i % 40) - 20);
      expect(roundTrip({ key: 'X', value: x }).value).toBe(x);
    }
  });

  it('escapes quotes, pads strings to 8 characters and keeps the comment', () => {
    const [line] = formatCard({ key: 'FILTER', value: "r' & \"q\"", comment: 'band' });
    expect(line).toBe(`FILTER  = 'r'' & "q"' / band`.padEnd(80));
    expect(roundTrip({ key: 'FILTER', value: "r' & \"q\"" }).value).toBe("r' & \"q\"");
  });

  it('long strings continue over CONTINUE cards, never splitting a doubled quote', () => {
    for (const n of [60, 68, 69, 70, 150, 400]) {
      const value = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? "'" : String.fromCharCode(97 + (i % 26)))).join('');
      const lines = formatCard({ key: 'LONGSTR', value, comment: 'a comment' });
      expectValidLines(lines);
      if (n > 68) expect(lines[1].startsWith("CONTINUE  '")).toBe(true);
      const back = roundTrip({ key: 'LONGSTR', value, comment: 'a comment' });
      expect(back.value).toBe(value);
    }
  });

  it('HIERARCH for long keys and keys with spaces', () => {
    const lines = formatCard({ key: 'ESO DET CHIP NAME', value: 'EEV 44-82', comment: 'chip' });
    expect(lines).toEqual(["HIERARCH ESO DET CHIP NAME = 'EEV 44-82' / chip".padEnd(80)]);
    expect(roundTrip({ key: 'ESO TEL AIRM START', value: 1.234 })).toEqual({ key: 'ESO TEL AIRM START', value: 1.234 });
    expect(roundTrip({ key: 'LONGKEYWORD', value: 5 }).key).toBe('LONGKEYWORD');
  });

  it('COMMENT and HISTORY wrap at 72 characters', () => {
    const text = 'x'.repeat(150);
    const lines = formatCard({ key: 'HISTORY', value: null, comment: text });
    expect(lines.length).toBe(3);
    expectValidLines(lines);
    expect(lines.map((l) => l.slice(8).trimEnd()).join('')).toBe(text);
    expect(formatCard({ key: 'COMMENT', value: null })).toEqual(['COMMENT'.padEnd(80)]);
  });

  it('COMMENT and HISTORY break long text at a space, never inside a number or a word', () => {
    // A HISTORY line as a stack writes for each member: 87 characters, the 73rd inside the number 1.0023.
    const text = 'raw0025_reduced.fits: offset -11.375, 8.045 px, weight 0.98, scale 1.0023 zero 1.53 e-';
    const lines = formatCard({ key: 'HISTORY', value: null, comment: text });
    expectValidLines(lines);
    const texts = lines.map((l) => l.slice(8).trimEnd());
    // The space before the break starts the next card: end to end, the cards give the text back.
    expect(texts).toEqual(['raw0025_reduced.fits: offset -11.375, 8.045 px, weight 0.98, scale', ' 1.0023 zero 1.53 e-']);
    expect(texts.join('')).toBe(text);
    expect(lines.map((l) => parseCard(l).comment).join('')).toBe(text);
    // A word longer than half a card (a path) is cut where the card ends.
    const path = 'file /' + 'a'.repeat(100);
    expect(formatCard({ key: 'COMMENT', value: null, comment: path }).map((l) => l.slice(8).trimEnd())).toEqual([path.slice(0, 72), path.slice(72)]);
    // Exactly 72 characters: one card, trailing spaces or not; a space at 72: it starts the next card.
    expect(formatCard({ key: 'HISTORY', value: null, comment: 'y'.repeat(72) })).toHaveLength(1);
    expect(formatCard({ key: 'HISTORY', value: null, comment: `${'y'.repeat(72)}  ` })).toHaveLength(1);
    expect(formatCard({ key: 'HISTORY', value: null, comment: `${'y'.repeat(72)} z` }).map((l) => l.slice(8).trimEnd())).toEqual(['y'.repeat(72), ' z']);
  });

  it('replaces characters outside printable ASCII', () => {
    const lines = formatCard({ key: 'OBSERVER', value: 'Ångström\tteam', comment: 'naïve' });
    expectValidLines(lines);
    expect(parseCard(lines[0])).toEqual({ key: 'OBSERVER', value: '?ngstr?m team', comment: 'na?ve' });
  });

  it('values with no FITS form are written undefined', () => {
    expect(parseCard(formatCard({ key: 'BAD', value: NaN })[0]).value).toBeNull();
  });
});
