import { describe, expect, it } from 'vitest';
import { cfaPattern, latticeColours, movedPattern, rowsTopDown } from './cfa';
import { trimData } from './overscan';
import { cardOf, defaultsOf, frameCtx, makeAstro, makeTestFrame } from '../testing/frames';

describe('cfaPattern', () => {
  it('reads BAYERPAT (or MaxIm\'s COLORTYP), the extension\'s before the primary\'s, as four letters of R, G and B', () => {
    expect(cfaPattern([{ key: 'BAYERPAT', value: 'RGGB' }])).toBe('RGGB');
    expect(cfaPattern([{ key: 'BAYERPAT', value: ' gbrg ' }])).toBe('GBRG');
    expect(cfaPattern([{ key: 'COLORTYP', value: 'BGGR' }])).toBe('BGGR');
    expect(cfaPattern([{ key: 'BAYERPAT', value: 'RGGB' }], [{ key: 'BAYERPAT', value: 'GRBG' }])).toBe('GRBG');
  });

  it('is undefined for a monochrome frame and for values that name no 2 x 2 pattern', () => {
    expect(cfaPattern([])).toBeUndefined();
    expect(cfaPattern([{ key: 'BAYERPAT', value: 'NONE' }])).toBeUndefined();
    expect(cfaPattern([{ key: 'COLORTYP', value: 'MONO' }])).toBeUndefined();
    expect(cfaPattern([{ key: 'BAYERPAT', value: 4 }])).toBeUndefined();
    expect(cfaPattern([{ key: 'BAYERPAT', value: 'RGBGGR' }])).toBeUndefined();
  });
});

describe('a mosaic trimmed or flipped', () => {
  it('movedPattern: an odd column swaps the columns, an odd row the rows, both both', () => {
    expect(movedPattern('RGGB', 0, 0)).toBe('RGGB');
    expect(movedPattern('RGGB', 1, 0)).toBe('GRBG');
    expect(movedPattern('RGGB', 0, 1)).toBe('GBRG');
    expect(movedPattern('RGGB', 1, 1)).toBe('BGGR');
    expect(movedPattern('RGGB', 2, 4)).toBe('RGGB');
  });

  it('trimData says the pattern of what it keeps: cut at the second column, the mosaic starts on green', () => {
    const f = makeAstro({ name: 'osc.fits', primary: { BAYERPAT: 'RGGB' }, exts: [{ data: makeTestFrame(8, 6, 100) }] });
    trimData.run(f, defaultsOf(trimData, { section: '[2:7,1:6]' }), frameCtx());
    expect(cardOf(f.primary, 'BAYERPAT')).toBe('GRBG');
    const even = makeAstro({ name: 'osc.fits', primary: { BAYERPAT: 'RGGB' }, exts: [{ data: makeTestFrame(8, 6, 100) }] });
    trimData.run(even, defaultsOf(trimData, { section: '[3:8,3:6]' }), frameCtx());
    expect(cardOf(even.primary, 'BAYERPAT')).toBe('RGGB');
  });

  it('a flipped section starts from its other end; ROWORDER TOP-DOWN counts rows from the top (the last FITS row); COLORTYP follows', () => {
    const trimmed = (primary: Record<string, string | number>, section: string) => {
      const f = makeAstro({ name: 'osc.fits', primary, exts: [{ data: makeTestFrame(8, 6, 100) }] });
      trimData.run(f, defaultsOf(trimData, { section }), frameCtx());
      return f.primary;
    };
    // [8:1,...]: the new first column is the old 8th (index 7, odd).
    expect(cardOf(trimmed({ BAYERPAT: 'RGGB' }, '[8:1,1:6]'), 'BAYERPAT')).toBe('GRBG');
    // Top-down, 6 rows: cutting the first FITS row leaves the top row where it was; cutting the last moves it.
    expect(cardOf(trimmed({ BAYERPAT: 'RGGB', ROWORDER: 'TOP-DOWN' }, '[1:8,2:6]'), 'BAYERPAT')).toBe('RGGB');
    expect(cardOf(trimmed({ BAYERPAT: 'RGGB', ROWORDER: 'TOP-DOWN' }, '[1:8,1:5]'), 'BAYERPAT')).toBe('GBRG');
    expect(cardOf(trimmed({ BAYERPAT: 'RGGB' }, '[1:8,2:6]'), 'BAYERPAT')).toBe('GBRG');
    const maxim = trimmed({ COLORTYP: 'RGGB' }, '[2:8,1:6]');
    expect([cardOf(maxim, 'COLORTYP'), cardOf(maxim, 'BAYERPAT')]).toEqual(['GRBG', 'GRBG']);
  });
});

describe('latticeColours', () => {
  it('names the colour of each sub-lattice of the FITS array, rows counted from the top under ROWORDER = TOP-DOWN', () => {
    expect(latticeColours('RGGB', 480, false)).toEqual(['R', 'G', 'G', 'B']);
    // Top down, an even height: the array's first row is the pattern's second.
    expect(latticeColours('RGGB', 480, true)).toEqual(['G', 'B', 'R', 'G']);
    expect(latticeColours('RGGB', 481, true)).toEqual(['R', 'G', 'G', 'B']);
    expect(latticeColours('BGGR', 10, false)).toEqual(['B', 'G', 'G', 'R']);
  });

  it('reads ROWORDER from the extension, then the primary header', () => {
    const card = (value: string) => [{ key: 'ROWORDER', value }];
    expect(rowsTopDown(card('TOP-DOWN'))).toBe(true);
    expect(rowsTopDown(card(' top-down '), [])).toBe(true);
    expect(rowsTopDown(card('TOP-DOWN'), card('BOTTOM-UP'))).toBe(false);
    expect(rowsTopDown([])).toBe(false);
  });
});
