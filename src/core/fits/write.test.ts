import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { headerGet, parseFits, readImage, writeFits } from './index';
import type { Card, WriteHdu } from './types';
import { requireFitsverify, skipFitsverify } from '../../../test/fitsverify';


function roundTrip(hdus: WriteHdu[]) {
  const bytes = writeFits(hdus);
  const file = parseFits(bytes, 'out.fits');
  return { bytes, file, image: (i: number) => readImage(file, bytes, i) };
}

const headerOf = (bytes: Uint8Array, hdu = 0) => {
  const file = parseFits(bytes, 'h');
  const start = hdu === 0 ? 0 : file.hdus[hdu - 1].dataOffset + Math.ceil(file.hdus[hdu - 1].dataBytes / 2880) * 2880;
  return String.fromCharCode(...bytes.subarray(start, file.hdus[hdu].dataOffset));
};

describe('writeFits round trip through our reader', () => {
  const w = 5;
  const h = 3;
  it.each([
    ['Float32Array', Float32Array.from({ length: 15 }, (_, i) => (i === 4 ? NaN : i * 1.25 - 3.3)), -32],
    ['Float64Array', Float64Array.from({ length: 15 }, (_, i) => Math.PI * 10 ** (i - 7) * (i % 2 ? -1 : 1)), -64],
    ['Uint16Array', Uint16Array.from({ length: 15 }, (_, i) => [0, 1, 32767, 32768, 40000, 65535][i % 6]), 16],
    ['Int16Array', Int16Array.from({ length: 15 }, (_, i) => [-32768, -1, 0, 1, 32767][i % 5]), 16],
    ['Int32Array', Int32Array.from({ length: 15 }, (_, i) => [-2147483648, -5, 0, 2147483647, 123456789][i % 5]), 32],
    ['Uint8Array', Uint8Array.from({ length: 15 }, (_, i) => (i * 37) % 256), 8],
  ] as const)('%s', (_name, data, bitpix) => {
    const { bytes, file, image } = roundTrip([{ cards: [], width: w, height: h, data }]);
    expect(bytes.length % 2880).toBe(0);
    expect(file.hdus[0].bitpix).toBe(bitpix);
    expect(file.hdus[0].naxis).toEqual([w, h]);
    const img = image(0);
    expect([img.width, img.height, img.depth]).toEqual([w, h, 1]);
    const want = Array.from(data as ArrayLike<number>);
    expect(Array.from(img.data)).toEqual(want);
  });

  it('Uint16 data is BITPIX 16 with BZERO 32768 BSCALE 1, stored as v - 32768', () => {
    const { bytes, file } = roundTrip([{ cards: [], width: 2, height: 1, data: Uint16Array.from([0, 65535]) }]);
    expect(headerGet(file.hdus[0].cards, 'BZERO')).toBe(32768);
    expect(headerGet(file.hdus[0].cards, 'BSCALE')).toBe(1);
    const d = file.hdus[0].dataOffset;
    expect(Array.from(bytes.subarray(d, d + 4))).toEqual([0x80, 0x00, 0x7f, 0xff]);
  });

  it('writes cubes as NAXIS3', () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => i);
    const { file, image } = roundTrip([{ cards: [], width: 4, height: 3, data }]);
    expect(file.hdus[0].naxis).toEqual([4, 3, 2]);
    expect(image(0).depth).toBe(2);
  });

  it('MEF: SCI float32, VAR float32, DQ uint16 (0..65535 survive)', () => {
    const n = 64 * 32;
    const sci = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1000);
    sci[7] = NaN;
    const vr = Float32Array.from({ length: n }, (_, i) => 1 + i / 7);
    const dq = Uint16Array.from({ length: n }, (_, i) => (i * 977) % 65536);
    dq[0] = 65535;
    const primary: Card[] = [
      { key: 'OBJECT', value: 'NGC 2264' },
      { key: 'SIMPLE', value: true },
      { key: 'BITPIX', value: 16 },
      { key: 'NAXIS', value: 2 },
      { key: 'NAXIS1', value: 99 },
      { key: 'BZERO', value: 32768 },
      { key: 'EXTEND', value: true },
    ];
    const { bytes, file, image } = roundTrip([
      { cards: primary },
      { cards: [{ key: 'BUNIT', value: 'electron' }], extname: 'SCI', width: 64, height: 32, data: sci },
      { cards: [{ key: 'EXTNAME', value: 'WRONG' }], extname: 'VAR', width: 64, height: 32, data: vr },
      { cards: [], extname: 'DQ', width: 64, height: 32, data: dq },
    ]);
    expect(file.hdus.map((h) => [h.xtension, h.extname, h.bitpix])).toEqual([
      ['PRIMARY', 'PRIMARY', 8],
      ['IMAGE', 'SCI', -32],
      ['IMAGE', 'VAR', -32],
      ['IMAGE', 'DQ', 16],
    ]);
    expect(Array.from(image(1).data)).toEqual(Array.from(sci));
    expect(Array.from(image(2).data)).toEqual(Array.from(vr));
    expect(Array.from(image(3).data)).toEqual(Array.from(dq));
    // Structural keywords appear once, as the writer wrote them.
    const h0 = headerOf(bytes, 0);
    for (const key of ['SIMPLE  =', 'BITPIX  =', 'NAXIS   =', 'EXTEND  =']) expect(h0.split(key).length - 1, key).toBe(1);
    expect(h0).not.toContain('NAXIS1');
    expect(h0).not.toContain('BZERO');
    expect(headerOf(bytes, 2).split('EXTNAME =').length - 1).toBe(1);
    expect(headerGet(file.hdus[1].cards, 'PCOUNT')).toBe(0);
    expect(headerGet(file.hdus[1].cards, 'GCOUNT')).toBe(1);
  });

  it('long strings, HIERARCH keys and quotes survive; LONGSTRN announces CONTINUE', () => {
    const long = "a long string value, with 'quotes', that must continue over more than one header card ".repeat(3);
    const cards: Card[] = [
      { key: 'LONGSTR', value: long, comment: 'long one' },
      { key: 'ESO DET CHIP NAME', value: 'EEV 44-82' },
      { key: 'ESO TEL AIRM START', value: 1.234 },
      { key: 'FILTER', value: "r' & \"quoted\"" },
      { key: 'HISTORY', value: null, comment: 'h'.repeat(100) },
    ];
    const { bytes, file } = roundTrip([{ cards, width: 1, height: 1, data: new Float32Array(1) }]);
    const got = file.hdus[0].cards;
    expect(headerGet(got, 'LONGSTR')).toBe(long.trimEnd());
    expect(headerGet(got, 'ESO DET CHIP NAME')).toBe('EEV 44-82');
    expect(headerGet(got, 'ESO TEL AIRM START')).toBe(1.234);
    expect(headerGet(got, 'FILTER')).toBe("r' & \"quoted\"");
    expect(headerGet(got, 'HISTORY')).toBe(`${'h'.repeat(72)}\n${'h'.repeat(28)}`);
    expect(headerGet(got, 'LONGSTRN')).toBe('OGIP 1.0');
    const text = headerOf(bytes, 0);
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(text.length % 2880).toBe(0);
  });

  it('pads the header with spaces and the data with zeros', () => {
    const bytes = writeFits([{ cards: [], width: 3, height: 1, data: Float32Array.from([1, 2, 3]) }]);
    expect(bytes.length).toBe(5760);
    expect(bytes[2879]).toBe(0x20);
    expect(Array.from(bytes.subarray(2880 + 12)).every((b) => b === 0)).toBe(true);
  });
});

describe.skipIf(skipFitsverify)('fitsverify', () => {
  it('reports 0 warnings and 0 errors for a SCI/VAR/DQ MEF', () => {
    requireFitsverify();
    const n = 40 * 30;
    const long = 'a long string value that must continue over more than one header card '.repeat(2);
    const bytes = writeFits([
      {
        cards: [
          { key: 'OBJECT', value: 'NGC 2264', comment: 'target' },
          { key: 'EXPTIME', value: 30.5 },
          { key: 'DATE-OBS', value: '2026-01-02T03:04:05.5' },
          { key: 'LONGSTR', value: long },
          { key: 'ESO DET CHIP NAME', value: 'EEV' },
          { key: 'HISTORY', value: null, comment: 'bias subtracted with BIASIM=x_bias.fits' },
        ],
      },
      { cards: [{ key: 'BUNIT', value: 'electron' }], extname: 'SCI', width: 40, height: 30, data: Float32Array.from({ length: n }, (_, i) => i / 3) },
      { cards: [], extname: 'VAR', width: 40, height: 30, data: Float32Array.from({ length: n }, (_, i) => 1 + i) },
      { cards: [], extname: 'DQ', width: 40, height: 30, data: Uint16Array.from({ length: n }, (_, i) => (i * 53) % 65536) },
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'fitsverify-'));
    const file = path.join(dir, 'mef.fits');
    writeFileSync(file, bytes);
    try {
      // Exit status = errors + warnings, so a clean file exits 0 (execFileSync throws otherwise).
      // -H also checks the ESO HIERARCH cards.
      const out = execFileSync('fitsverify', ['-H', file], { encoding: 'utf8' });
      expect(out).toMatch(/Verification found 0 warning\(s\) and 0 error\(s\)/);
      expect(out).toMatch(/4 Header-Data Units in this file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('writer: cards carried over from other files', () => {
  it('drops tile-compression keywords of a .fz input and writes huge integers as reals', () => {
    const bytes = writeFits([
      {
        cards: [
          { key: 'ZCMPTYPE', value: 'RICE_1' },
          { key: 'ZTILE1', value: 100 },
          { key: 'TFORM1', value: '1PB(2)' },
          { key: 'BIGNUM', value: 1e20 },
          { key: 'OBJECT', value: 'kept' },
        ],
        data: new Float32Array(4),
        width: 2,
        height: 2,
      },
    ]);
    const cards = parseFits(bytes, 'carry.fits').hdus[0].cards;
    const keys = cards.map((c) => c.key);
    expect(keys).not.toContain('ZCMPTYPE');
    expect(keys).not.toContain('ZTILE1');
    expect(keys).not.toContain('TFORM1');
    expect(cards.find((c) => c.key === 'OBJECT')?.value).toBe('kept');
    expect(cards.find((c) => c.key === 'BIGNUM')?.value).toBe(1e20);
    const text = new TextDecoder().decode(bytes.subarray(0, 2880));
    expect(text).toMatch(/BIGNUM  =\s+1\.0*E\+?20/);
  });
});
