import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FitsError, parseFits, readImage } from '../index';
import { ditherRandoms, NULL_VALUE } from './dither';
import { riceDecode } from './rice';
import { bigEndian, buildTiledFile } from './tableBuilder';

const REF = path.resolve(__dirname, '../reference');
const SHARED = path.resolve(__dirname, '../../../../../shared/fixtures/fits');

interface TiledExpected {
  unsupported: Record<string, string>;
  valid: Record<string, { bitpix: number; shape: number[]; nan: number; values: (number | null)[] }>;
}
const expected = JSON.parse(readFileSync(path.join(REF, 'tiled_expected.json'), 'utf8')) as TiledExpected;

function read(bytes: Uint8Array, name = 'test.fits.fz', hdu = 1) {
  return readImage(parseFits(bytes, name), bytes, hdu);
}

function errorOf(fn: () => unknown): FitsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FitsError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('tile-compressed images written by astropy (reference/make_tiled.py)', () => {
  it.each(Object.entries(expected.valid))('%s: every pixel as astropy reads it', (name, exp) => {
    const bytes = new Uint8Array(readFileSync(path.join(REF, name)));
    const file = parseFits(bytes, name);
    const hdu = file.hdus[1];
    expect(hdu.bitpix).toBe(exp.bitpix);
    expect([...hdu.naxis].reverse()).toEqual(exp.shape);
    const img = readImage(file, bytes, 1);
    expect(img.data.length).toBe(exp.values.length);
    const mismatches: string[] = [];
    exp.values.forEach((v, i) => {
      const got = img.data[i];
      const ok = v === null ? Number.isNaN(got) : got === v;
      if (!ok && mismatches.length < 5) mismatches.push(`[${i}] ${got} vs ${v}`);
    });
    expect(mismatches).toEqual([]);
  });

  it('HCOMPRESS_1 is refused by name', () => {
    const name = 'tiled_hcompress_i16.fits.fz';
    const bytes = new Uint8Array(readFileSync(path.join(REF, name)));
    const err = errorOf(() => read(bytes, name));
    expect(err.message).toContain(name);
    expect(err.message).toMatch(/HCOMPRESS_1 compression is not supported/);
  });
});

describe('dither sequence', () => {
  it('is cfitsio fits_init_randoms: first value 16807/m, seed 1043618065 after 10000 steps', () => {
    const r = ditherRandoms();
    expect(r.length).toBe(10000);
    expect(r[0]).toBe(16807 / 2147483647);
    expect(Math.round(r[9999] * 2147483647)).toBe(1043618065);
  });
});

describe('hand-built tile tables', () => {
  const imageKeys = (bitpix: number, w: number, h: number, cmp: string) => [
    { key: 'ZBITPIX', value: bitpix },
    { key: 'ZNAXIS', value: 2 },
    { key: 'ZNAXIS1', value: w },
    { key: 'ZNAXIS2', value: h },
    { key: 'ZCMPTYPE', value: cmp },
  ];

  it('GZIP_1 int16 with BZERO 32768 and a ZBLANK keyword', () => {
    const rows = [
      [-32768 + 1, 0, 7232, 32767],
      [-32767, -32768, 100, 0],
    ];
    const bytes = buildTiledFile(
      [{ name: 'COMPRESSED_DATA', tform: 'PB', cells: rows.map((r) => gzipSync(bigEndian(r, 'I'))) }],
      [...imageKeys(16, 4, 2, 'GZIP_1'), { key: 'ZBLANK', value: -32768 }, { key: 'BZERO', value: 32768 }, { key: 'BSCALE', value: 1 }],
    );
    const img = read(bytes);
    expect(Array.from(img.data)).toEqual([1, 32768, 40000, 65535, 1, NaN, 32868, 32768]);
    const file = parseFits(bytes, 'x');
    expect(file.hdus[1].cards.find((c) => c.key === 'BLANK')?.value).toBe(-32768);
  });

  it('quantized floats: ZSCALE/ZZERO/ZBLANK columns, GZIP_COMPRESSED_DATA and UNCOMPRESSED_DATA fallbacks', () => {
    const q = [10, -3, 99, 0];
    const bytes = buildTiledFile(
      [
        { name: 'COMPRESSED_DATA', tform: 'PB', cells: [gzipSync(bigEndian(q, 'J')), null, null] },
        { name: 'GZIP_COMPRESSED_DATA', tform: 'PB', cells: [null, gzipSync(bigEndian([1.5, -2.25, NaN, 1e30], 'E')), null] },
        { name: 'UNCOMPRESSED_DATA', tform: 'PE', cells: [null, null, bigEndian([7, 8, 9, 10.5], 'E')] },
        { name: 'ZSCALE', tform: 'D', cells: [0.5, 0, 0] },
        { name: 'ZZERO', tform: 'D', cells: [100, 0, 0] },
        { name: 'ZBLANK', tform: 'J', cells: [99, 0, 0] },
      ],
      [...imageKeys(-32, 4, 3, 'GZIP_1'), { key: 'ZQUANTIZ', value: 'NO_DITHER' }],
    );
    const img = read(bytes);
    expect(Array.from(img.data)).toEqual([105, 98.5, NaN, 100, 1.5, -2.25, NaN, Math.fround(1e30), 7, 8, 9, 10.5]);
  });

  it('SUBTRACTIVE_DITHER_1: (q - r + 0.5) * scale + zero, NULL_VALUE -> NaN', () => {
    const q = [0, 5, NULL_VALUE, -7, 12];
    const seed = 3;
    const bytes = buildTiledFile(
      [
        { name: 'COMPRESSED_DATA', tform: 'PB', cells: [gzipSync(bigEndian(q, 'J'))] },
        { name: 'ZSCALE', tform: 'D', cells: [0.25] },
        { name: 'ZZERO', tform: 'D', cells: [10] },
      ],
      [...imageKeys(-64, 5, 1, 'GZIP_1'), { key: 'ZQUANTIZ', value: 'SUBTRACTIVE_DITHER_1' }, { key: 'ZDITHER0', value: seed }],
    );
    // Recompute the dither from the Park-Miller recurrence, independently of ditherRandoms().
    const rand: number[] = [];
    let s = 1;
    for (let i = 0; i < 10000; i++) {
      s = (16807 * s) % 2147483647;
      rand.push(s / 2147483647);
    }
    const start = Math.floor(rand[(1 - 1 + seed - 1) % 10000] * 500);
    const want = q.map((v, i) => (v === NULL_VALUE ? NaN : (v - rand[start + i] + 0.5) * 0.25 + 10));
    expect(Array.from(read(bytes).data)).toEqual(want);
  });

  it('a descriptor pointing past the heap is "compressed tile data cut short"', () => {
    const good = gzipSync(bigEndian([1, 2, 3], 'I'));
    const bytes = buildTiledFile(
      [{ name: 'COMPRESSED_DATA', tform: 'PB', cells: [good] }],
      [...imageKeys(16, 3, 1, 'GZIP_1')],
    );
    // Row 1's descriptor (element count) is the first 4 bytes of the table.
    const file = parseFits(bytes, 'bad.fits.fz');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint32(file.hdus[1].dataOffset, good.length + 50);
    const err = errorOf(() => readImage(file, bytes, 1));
    expect(err.message).toMatch(/^bad\.fits\.fz: .*compressed tile data cut short: tile 1/);
  });

  it('a corrupt gzip tile names the tile', () => {
    const gz = gzipSync(bigEndian([1, 2, 3, 4, 5, 6, 7, 8], 'I'));
    gz.fill(0xff, 10, gz.length - 8);
    const bytes = buildTiledFile([{ name: 'COMPRESSED_DATA', tform: 'PB', cells: [gz] }], imageKeys(16, 8, 1, 'GZIP_1'));
    expect(errorOf(() => read(bytes, 'c.fz')).message).toMatch(/c\.fz: .*GZIP_1 of tile 1 is corrupt or cut short/);
  });
});

describe('RICE_1 decoder', () => {
  it('reports a stream cut short instead of inventing pixels', () => {
    const name = 'rice_i16.fits.fz';
    const bytes = new Uint8Array(readFileSync(path.join(SHARED, name)));
    const file = parseFits(bytes, name);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const row0 = file.hdus[1].dataOffset;
    view.setUint32(row0, 6); // keep 6 bytes of tile 1's stream
    const err = errorOf(() => readImage(file, bytes, 1));
    expect(err.message).toMatch(/rice_i16\.fits\.fz: .*tile 1: compressed tile data cut short \(RICE_1 stream of 6 bytes/);
  });

  it('decodes low-entropy (all-equal) blocks and the 8-bit first pixel', () => {
    // First pixel 200 (1 byte), then one block with FS code 0 (3 bits 000): every difference is zero.
    const out = riceDecode(new Uint8Array([200, 0]), 5, 1, 32, 'x', 'tile');
    expect(Array.from(out)).toEqual([200, 200, 200, 200, 200]);
  });
});
