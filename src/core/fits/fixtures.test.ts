/**
 * Proof against astropy: every file in shared/fixtures/fits/expected.json,
 * every HDU, every listed number. Broken files must give a FitsError naming the
 * file and the problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FitsError, headerGet, parseFits, readImage, type FitsFile } from './index';

const DIR = path.resolve(__dirname, '../../../../shared/fixtures/fits');
const EXPECTED = path.join(DIR, 'expected.json');

interface ExpectedHdu {
  index: number;
  bitpix: number;
  extname: string;
  xtension: string;
  compressed?: string;
  header?: Record<string, string | number | boolean>;
  shape?: number[];
  nan?: number;
  min?: number;
  max?: number;
  sum?: number;
  samples?: Record<string, number>;
}
interface Expected {
  invalid: Record<string, string>;
  valid: Record<string, ExpectedHdu[]>;
}

/** What each broken file's message must say, beyond its name. */
const PROBLEM: Record<string, RegExp> = {
  'bad_bitpix.fits': /BITPIX 12 is not allowed/,
  'corrupt.fits.gz': /gzip stream is corrupt/,
  'empty.fits': /file is empty \(zero bytes\)/,
  'huge_naxis.fits': /NAXIS claims 32 TB of data/,
  'negative_naxis.fits': /NAXIS1 is negative \(-5\)/,
  'no_end.fits': /header has no END card/,
  'not_fits.fits': /not a FITS file/,
  'truncated.fits.fz': /compressed tile data cut short/,
  'truncated_data.fits': /data unit is truncated: expected 3922 bytes \(NAXIS1\*NAXIS2\*\|BITPIX\|\/8\)/,
};

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(DIR, name)));
}

/** Data whose values float32 holds only approximately are compared to relative 1e-6; wide data to 1e-12. */
function tolerance(bitpix: number): number {
  return bitpix === -64 || bitpix === 32 || bitpix === 64 ? 1e-12 : 1e-6;
}

function near(actual: number, expected: number, rel: number): boolean {
  return Math.abs(actual - expected) <= rel * Math.max(Math.abs(expected), 1e-30);
}

describe('shared FITS fixtures', () => {
  it('fixture folder is present (the repo must be cloned with shared/ beside it)', () => {
    if (!existsSync(EXPECTED)) {
      throw new Error(`FITS fixtures missing: ${EXPECTED} not found; clone the repo with shared/ beside it`);
    }
  });
  if (!existsSync(EXPECTED)) return;
  const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as Expected;

  it('every invalid file listed in expected.json has a problem pattern here', () => {
    expect(Object.keys(PROBLEM).sort()).toEqual(Object.keys(expected.invalid).sort());
  });

  describe.each(Object.keys(expected.invalid))('invalid %s', (name) => {
    it('throws FitsError naming the file and the problem', () => {
      const bytes = load(name);
      let error: unknown;
      try {
        const file = parseFits(bytes, name);
        for (const hdu of file.hdus) if (hdu.isImage) readImage(file, bytes, hdu.index);
      } catch (e) {
        error = e;
      }
      expect(error, `${name} was read without error`).toBeInstanceOf(FitsError);
      const err = error as FitsError;
      expect(err.file).toBe(name);
      expect(err.message).toContain(name);
      expect(err.message).toMatch(PROBLEM[name]);
    });
  });

  describe.each(Object.entries(expected.valid))('valid %s', (name, hdus) => {
    const bytes = load(name);
    let file: FitsFile;
    it('parses, with as many HDUs as astropy sees', () => {
      file = parseFits(bytes, name);
      expect(file.name).toBe(name);
      expect(file.hdus.length).toBe(Math.max(...hdus.map((h) => h.index)) + 1);
    });
    it.each(hdus.map((h) => [h.index, h] as const))('HDU %i matches astropy', (_i, exp) => {
      file ??= parseFits(bytes, name);
      const hdu = file.hdus[exp.index];
      expect(hdu.index).toBe(exp.index);
      expect(hdu.extname).toBe(exp.extname);
      expect(hdu.bitpix).toBe(exp.bitpix);
      expect(hdu.xtension).toBe(exp.xtension);
      expect(hdu.compressed).toBe(exp.compressed);
      for (const [key, value] of Object.entries(exp.header ?? {})) {
        expect(headerGet(hdu.cards, key), `header ${key}`).toBe(value);
      }
      if (!exp.shape) {
        expect(hdu.isImage).toBe(false);
        return;
      }
      expect(hdu.isImage).toBe(true);
      // expected.json's shape is numpy order (slowest axis first); naxis is NAXIS1 first.
      expect([...hdu.naxis].reverse()).toEqual(exp.shape);
      const img = readImage(file, bytes, exp.index);
      expect(img.width).toBe(exp.shape[exp.shape.length - 1]);
      expect(img.height).toBe(exp.shape.length > 1 ? exp.shape[exp.shape.length - 2] : 1);
      expect(img.width * img.height * img.depth).toBe(img.data.length);
      expect(img.data.length).toBe(exp.shape.reduce((a, b) => a * b, 1));

      let nan = 0;
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let sumAbs = 0;
      for (const v of img.data) {
        if (Number.isNaN(v)) {
          nan++;
          continue;
        }
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        sumAbs += Math.abs(v);
      }
      const rel = tolerance(exp.bitpix);
      expect(nan).toBe(exp.nan);
      expect(near(min, exp.min!, rel), `min ${min} vs ${exp.min}`).toBe(true);
      expect(near(max, exp.max!, rel), `max ${max} vs ${exp.max}`).toBe(true);
      // Sums can cancel (cube.fits sums to 3.7 over values of +-3): the error bound scales with sum |v|.
      expect(Math.abs(sum - exp.sum!) <= rel * sumAbs, `sum ${sum} vs ${exp.sum}`).toBe(true);
      for (const [index, value] of Object.entries(exp.samples ?? {})) {
        const got = img.data[Number(index)];
        expect(near(got, value, rel), `pixel ${index}: ${got} vs ${value}`).toBe(true);
      }
      // The header's promise of 16-bit whole numbers (the library then skips its scan) holds by astropy's numbers.
      if (img.integerKind) {
        const [lo, hi] = img.integerKind === 'u16' ? [0, 65535] : [-32768, 32767];
        expect(exp.nan).toBe(0);
        expect(exp.min! >= lo && exp.max! <= hi, `${exp.min}..${exp.max} in ${img.integerKind}`).toBe(true);
        for (const value of Object.values(exp.samples ?? {})) expect(Number.isInteger(value), `sample ${value}`).toBe(true);
      }
    });
  });
});

describe('fixture details astropy does not list', () => {
  it('says from the header alone which images hold 16-bit whole numbers, and only those', () => {
    const kind = (name: string, hdu: number) => {
      const bytes = load(name);
      return readImage(parseFits(bytes, name), bytes, hdu).integerKind;
    };
    expect(kind('i16.fits', 0)).toBe('i16'); // BITPIX 16, no scaling
    expect(kind('i8_signed.fits', 0)).toBe('i16'); // BITPIX 8, BZERO -128
    expect(kind('mef.fits', 1)).toBe('u16'); // BITPIX 16, BZERO 32768
    expect(kind('mef.fits', 4)).toBe('u16');
    expect(kind('i16_blank.fits', 0)).toBeUndefined(); // BLANK pixels are NaN
    expect(kind('i16_scaled.fits', 0)).toBeUndefined(); // BSCALE 0.5
    expect(kind('i32.fits', 0)).toBeUndefined();
    expect(kind('f32_nan.fits', 0)).toBeUndefined();
    expect(kind('mef.fits', 3)).toBeUndefined(); // BITPIX -32
  });

  if (!existsSync(EXPECTED)) return;
  it('mef.fits keeps HIERARCH keys and joins CONTINUE strings', () => {
    const file = parseFits(load('mef.fits'), 'mef.fits');
    const cards = file.hdus[0].cards;
    expect(headerGet(cards, 'ESO DET CHIP TEMP')).toBe(-120.5);
    expect(cards.some((c) => c.key === 'CONTINUE')).toBe(false);
    expect(file.hdus[2].cards.find((c) => c.key === 'TFORM1')?.value).toBe('E');
  });
  it('a compressed image shows the image header, not the table', () => {
    const file = parseFits(load('rice_f32.fits.fz'), 'rice_f32.fits.fz');
    const cards = file.hdus[1].cards;
    expect(headerGet(cards, 'XTENSION')).toBe('IMAGE');
    expect(headerGet(cards, 'BITPIX')).toBe(-32);
    expect(headerGet(cards, 'NAXIS1')).toBe(96);
    expect(headerGet(cards, 'NAXIS2')).toBe(128);
    for (const gone of ['ZIMAGE', 'ZCMPTYPE', 'TFORM1', 'TTYPE1', 'ZTILE1', 'ZQUANTIZ', 'ZDITHER0', 'ZBITPIX']) {
      expect(headerGet(cards, gone), gone).toBeUndefined();
    }
    expect(headerGet(file.hdus[1].tableCards!, 'ZCMPTYPE')).toBe('RICE_1');
  });
  it('RICE_1-compressed frames decode to the same pixels as their sources', () => {
    const src = load('rice_src_i16.fits');
    const fz = load('rice_i16.fits.fz');
    const a = readImage(parseFits(src, 'src'), src, 0).data;
    const b = readImage(parseFits(fz, 'fz'), fz, 1).data;
    expect(Array.from(b)).toEqual(Array.from(a));
  });
  it('dithered float32 stays within the quantization step of its source', () => {
    const src = load('rice_src_f32.fits');
    const fz = load('rice_f32.fits.fz');
    const a = readImage(parseFits(src, 'src'), src, 0).data;
    const b = readImage(parseFits(fz, 'fz'), fz, 1).data;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeGreaterThan(0); // lossy
    expect(worst).toBeLessThan(1.5); // ZSCALE is ~1/16 of the noise (q = 16)
  });
  it('16-bit data decode the same whether or not they lie on an even byte in memory', () => {
    // Aligned, each value is read as one 16-bit word (the raw frames' fast path); at an odd address,
    // byte by byte. The aligned read is the one checked against astropy above.
    const names = ['i16.fits', 'u16.fits', 'mef.fits'];
    let planes = 0;
    for (const name of names) {
      const bytes = load(name);
      const shifted = new Uint8Array(bytes.length + 1).subarray(1);
      shifted.set(bytes);
      expect(shifted.byteOffset % 2).toBe(1);
      const file = parseFits(bytes, name);
      for (const hdu of file.hdus) {
        if (!hdu.isImage || headerGet(hdu.cards, 'BITPIX') !== 16) continue;
        const even = readImage(file, bytes, hdu.index).data;
        const odd = readImage(parseFits(shifted, name), shifted, hdu.index).data;
        expect(Array.from(odd), `${name} HDU ${hdu.index}`).toEqual(Array.from(even));
        planes++;
      }
    }
    expect(planes).toBeGreaterThanOrEqual(3);
  });

  it('a .gz file and its plain twin give the same pixels', () => {
    const gz = load('u16.fits.gz');
    const plain = load('u16.fits');
    const a = readImage(parseFits(gz, 'u16.fits.gz'), gz, 0).data;
    const b = readImage(parseFits(plain, 'u16.fits'), plain, 0).data;
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
