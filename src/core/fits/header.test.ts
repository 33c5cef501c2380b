import { describe, expect, it } from 'vitest';
import { headerGet, parseCard, parseHeader } from './header';
import { headerText } from './cardFormat';
import { FitsError } from './types';

const card = (s: string) => s.padEnd(80);

function block(lines: string[]): Uint8Array {
  const text = lines.map(card).join('');
  const out = new Uint8Array(Math.ceil(text.length / 2880) * 2880).fill(32);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

describe('parseCard', () => {
  it.each([
    ['NAXIS1  =                 2048 / length of axis 1', 2048, 'length of axis 1'],
    ['EXPTIME =                 0.23', 0.23, undefined],
    ['DVAL    =              1.5D-03 / Fortran double', 0.0015, 'Fortran double'],
    ['EVAL    =               -2E+10', -2e10, undefined],
    ['SIMPLE  =                    T', true, undefined],
    ['FLAG    =                    F / no', false, 'no'],
    ["OBJECT  = 'NGC 2264'           / target", 'NGC 2264', 'target'],
    ["QUOTE   = 'O''Brien ''x'''", "O'Brien 'x'", undefined],
    ["SLASH   = 'a/b / c'  / real comment", 'a/b / c', 'real comment'],
    ["LEAD    = '  lead and trail   '", '  lead and trail', undefined],
    ["EMPTY   = ''", '', undefined],
    ['UNDEF   =                      / no value', null, 'no value'],
    ['CPLX    = (1.5, 2.0)', '(1.5, 2.0)', undefined],
  ])('%s', (text, value, comment) => {
    const c = parseCard(card(text));
    expect(c.value).toBe(value);
    expect(c.comment).toBe(comment);
  });

  it('HIERARCH keys are the words after HIERARCH', () => {
    const c = parseCard(card("HIERARCH ESO DET CHIP NAME = 'EEV 44-82' / chip"));
    expect(c).toEqual({ key: 'ESO DET CHIP NAME', value: 'EEV 44-82', comment: 'chip' });
    expect(parseCard(card('HIERARCH ESO TEL AIRM START=1.234')).value).toBe(1.234);
  });

  it('COMMENT, HISTORY and blank-key cards keep their text', () => {
    expect(parseCard(card('HISTORY   bias subtracted = yes'))).toEqual({ key: 'HISTORY', value: null, comment: '  bias subtracted = yes' });
    expect(parseCard(card('COMMENT text'))).toEqual({ key: 'COMMENT', value: null, comment: 'text' });
    expect(parseCard(card(''))).toEqual({ key: '', value: null });
  });
});

describe('parseHeader', () => {
  it('joins CONTINUE strings, drops the &, and ends after END padded to a block', () => {
    const bytes = block([
      'SIMPLE  =                    T',
      "LONG    = 'first part &'   / c1",
      "CONTINUE  'second ''part'' &'",
      "CONTINUE  'end'             / c2",
      "AMP     = 'ends with & but no continuation&'",
      'END',
    ]);
    const { cards, end } = parseHeader(bytes, 0, 'f.fits', 0);
    expect(end).toBe(2880);
    expect(cards.map((c) => c.key)).toEqual(['SIMPLE', 'LONG', 'AMP']);
    expect(cards[1].value).toBe("first part second 'part' end");
    expect(cards[1].comment).toBe('c1 c2');
    expect(cards[2].value).toBe('ends with & but no continuation&');
  });

  it('a header without END is a FitsError naming the file', () => {
    const bytes = block(['SIMPLE  =                    T', 'BITPIX  =                   16']);
    expect(() => parseHeader(bytes, 0, 'noend.fits', 0)).toThrow(FitsError);
    expect(() => parseHeader(bytes, 0, 'noend.fits', 0)).toThrow(/noend\.fits: header has no END card/);
  });

  it('bytes outside printable ASCII are shown as ?', () => {
    const bytes = block(["OBJECT  = 'M31'", 'END']);
    bytes[12] = 0xe9;
    bytes[13] = 0x07;
    expect(parseHeader(bytes, 0, 'x', 0).cards[0].value).toBe('M??');
  });
});

describe('headerGet / headerText', () => {
  const cards = [
    { key: 'FILTER', value: 'r' },
    { key: 'HISTORY', value: null, comment: 'one' },
    { key: 'filter', value: 'g' },
    { key: 'HISTORY', value: null, comment: 'two' },
  ];
  it('is case-insensitive and the last occurrence wins', () => {
    expect(headerGet(cards, 'Filter')).toBe('g');
    expect(headerGet(cards, 'MISSING')).toBeUndefined();
  });
  it('HISTORY returns every line', () => {
    expect(headerGet(cards, 'history')).toBe('one\ntwo');
  });
  it('headerText gives 80-column lines ending with END', () => {
    const text = headerText([{ key: 'OBJECT', value: '<img src=x onerror=alert(1)>' }, { key: 'HISTORY', value: null, comment: 'x' }]);
    const lines = text.split('\n');
    expect(lines.every((l) => l.length === 80)).toBe(true);
    expect(lines[0]).toBe("OBJECT  = '<img src=x onerror=alert(1)>'".padEnd(80));
    expect(lines[2]).toBe('END'.padEnd(80));
  });
});
