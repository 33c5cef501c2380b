/**
 * Bad input, case by case, against what astropy and Python's gzip (zlib) make
 * of the same bytes (reference/make_badinput.py wrote badinput_expected.json;
 * this test never runs Python): an error where they fail, a warning naming
 * what is missing where astropy warns and reads on, the same pixels where
 * they read. Decompression bombs are built here and must be refused without
 * being inflated.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzip } from 'pako';
import { describe, expect, it } from 'vitest';
import { formatCard } from './cardFormat';
import { gunzipBounded } from './gzip';
import { FitsError, parseFits, readImage, writeFits, type FitsFile } from './index';
import { fitsNeed } from './parse';
import { LIMITS } from './keywords';
import { judge, readAll } from './fuzz/judge';
import { makeSource } from './fuzz/mutate';
import { bigEndian, buildTiledFile, rowTiledImageKeywords } from './tiled/tableBuilder';
import { REF, SHARED, badInputCases, caseBytes } from './badinputCases';

function fitsError(fn: () => unknown): FitsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FitsError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

function readEverything(bytes: Uint8Array, name: string): { file: FitsFile; sums: (number | null)[] } {
  const file = parseFits(bytes, name);
  const sums = file.hdus.map((h) => (h.isImage ? Array.from(readImage(file, bytes, h.index).data).reduce((a, b) => a + b, 0) : null));
  return { file, sums };
}

/** What our message must say for each case astropy refuses (and the two where we part from astropy). */
const PROBLEM: Record<string, RegExp> = {
  'mef cut inside the data of SCI': /HDU 1: data unit is truncated: expected 1200 bytes/,
  "mef with GCOUNT = 'abc' in SCI": /HDU 1: GCOUNT must be an integer, found "abc"/,
  'mef with GCOUNT = 0 in SCI': /HDU 1: GCOUNT = 0 declares a data unit of 0 bytes, too small for the 30 x 20 image/,
  "i16_scaled with BZERO = 'abc'": /HDU 0: BZERO must be a number, found "abc"/,
  "i16_scaled with BSCALE = 'abc'": /HDU 0: BSCALE must be a number, found "abc"/,
  "i16_scaled with NAXIS1 = 'abc'": /HDU 0: NAXIS1 must be an integer, found "abc"/,
  'i16_scaled with NAXIS1 = 1.5': /HDU 0: NAXIS1 must be an integer, found 1.5/,
  'i16_scaled with BITPIX = 12': /BITPIX 12 is not allowed/,
  "rice_f32.fits.fz with ZDITHER0 = 'abc'": /ZDITHER0 must be an integer, found "abc"/,
  // astropy reads on past a garbled END into the next header's cards and loses CAT (4 HDUs of 5): we refuse.
  'mef with a garbled END in the SCI header': /header of HDU 1 has no END card: another extension header starts at byte 8640/,
};
/** What our warning must say where astropy warns and reads on. */
const WARNING: Record<string, RegExp> = {
  'mef cut inside the header of CAT': /cut short inside the header of HDU 2 .*HDU 2 and any after it are missing/,
  'mef cut inside the padding after SCI': /cut short inside the padding after HDU 1 \(it ends at byte 7060, the HDU's last block at 8640\): any HDUs after HDU 1 are missing/,
  'mef cut inside the padding of the last HDU': /cut short inside the padding after HDU 4/,
  'mef with a huge PCOUNT in CAT': /data unit of HDU 2 is cut short: its header declares 100 GB \(PCOUNT = 99999999999, GCOUNT = 1\).*after HDU 2 are missing/,
  'mef with bytes after the last HDU': /bytes after HDU 4 do not start an extension \(they begin 'hello wo'/,
  "i16_blank with BLANK = 'abc'": /HDU 0: BLANK = "abc" is not an integer and is ignored/,
  'mef with a non-ASCII byte in OBJECT': /HDU 0: 1 header cards hold bytes that are not printable ASCII; they are shown as '\?'/,
};

describe('damaged plain files, as astropy reads them', () => {
  const plain = Object.entries(badInputCases).filter(([, c]) => c.base);
  it('every case has its expected message here', () => {
    const named = plain.filter(([, c]) => c.astropy !== 'ok').map(([n]) => n).sort();
    expect(named).toEqual([...Object.keys(PROBLEM), ...Object.keys(WARNING)].sort());
  });

  it.each(plain)('%s', (name, c) => {
    const bytes = caseBytes(c);
    if (PROBLEM[name]) {
      const e = fitsError(() => readEverything(bytes, c.base!));
      expect(e.message.startsWith(`${c.base}: `)).toBe(true);
      expect(e.problem).toMatch(PROBLEM[name]);
      if (name.includes('garbled END')) expect(c.astropy).toBe('warning');
      else expect(c.astropy).toBe('error');
      return;
    }
    const { file, sums } = readEverything(bytes, c.base!);
    expect(file.hdus.length).toBe(c.hdus);
    // Pixel sums as astropy's (float32 data summed in float64 here, so to a relative 1e-6).
    sums.forEach((s, i) => {
      const want = c.sums![i];
      if (s === null || want === null) expect(s === null || want === null).toBe(true);
      else expect(Math.abs(s - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
    });
    if (c.astropy === 'ok') expect(file.warnings).toEqual([]);
    else expect(file.warnings.join('\n')).toMatch(WARNING[name]);
  });
});

describe('damaged .fits.gz, as Python gzip (zlib) reads them', () => {
  const u16 = new Uint8Array(readFileSync(path.join(SHARED, 'u16.fits')));
  const ref = readImage(parseFits(u16, 'u16.fits'), u16, 0).data;
  const CAUSE: Record<string, RegExp> = {
    'u16_bad_crc.fits.gz': /CRC-32 checksum does not match/,
    'u16_flipped_literal.fits.gz': /CRC-32 checksum does not match/,
    'u16_bad_isize.fits.gz': /length field does not match/,
    'u16_cut.fits.gz': /cut short/,
    'u16_no_trailer.fits.gz': /cut short/,
    'u16_junk_after.fits.gz': /4 bytes after its end are not another gzip member/,
    'random_after_magic.fits.gz': /gzip stream is corrupt/,
  };
  it.each(Object.entries(badInputCases).filter(([, c]) => c.file))('%s', (name, c) => {
    const bytes = new Uint8Array(readFileSync(path.join(REF, 'badinput', name)));
    if (c.python_gzip === 'error') {
      const e = fitsError(() => readEverything(bytes, name));
      expect(e.problem).toMatch(/^gzip stream is corrupt/);
      expect(e.problem).toMatch(CAUSE[name]);
    } else {
      const file = parseFits(bytes, name);
      expect(readImage(file, bytes, 0).data).toEqual(ref);
    }
  });

  it('random bytes after a gzip magic are refused without allocating what their trailer claims (1.95 GB)', () => {
    const bytes = new Uint8Array(readFileSync(path.join(REF, 'badinput', 'random_after_magic.fits.gz')));
    const isize = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 4, true);
    expect(isize).toBeGreaterThan(1.9e9);
    let largest = 0;
    expect(() => gunzipBounded(bytes, 'r.gz', (out) => ((largest = Math.max(largest, out.length)), fitsNeed(out, 'r.gz')), () => 'too much')).toThrow(FitsError);
    expect(largest).toBeLessThan(1 << 20);
  });
});

/** A header block of these cards and END. */
function headerBlock(cards: { key: string; value: number | boolean }[]): Uint8Array {
  const text = [...cards.flatMap((c) => formatCard(c)), 'END'.padEnd(80)].join('');
  const out = new Uint8Array(Math.ceil(text.length / 2880) * 2880).fill(0x20);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** A gzip stream of a FITS header followed by `zeros` zero bytes; `header` describes the data. */
function bomb(cards: [string, number][], zeros: number): Uint8Array {
  const head = headerBlock([{ key: 'SIMPLE', value: true }, ...cards.map(([key, value]) => ({ key, value }))]);
  const plain = new Uint8Array(head.length + zeros);
  plain.set(head);
  return gzip(plain, { level: 9 });
}

describe('decompression bombs and impossible sizes are refused before allocating', () => {
  it('a .fits.gz whose header claims 2.5 GB of zeros: refused from the header, the data never inflated', () => {
    const gz = bomb([['BITPIX', 8], ['NAXIS', 2], ['NAXIS1', 50000], ['NAXIS2', 50000]], 16 << 20);
    let largest = 0;
    const e = fitsError(() =>
      gunzipBounded(gz, 'bomb.fits.gz', (out) => ((largest = Math.max(largest, out.length)), fitsNeed(out, 'bomb.fits.gz')), () => 'too much'),
    );
    expect(e.problem).toMatch(/HDU 0: NAXIS claims 2.5 GB of data \(50000 x 50000 x 1 bytes\), more than the 1.07 GB this reader can hold; the gzip stream was not decompressed/);
    expect(largest).toBeLessThanOrEqual(1 << 16);
    expect(fitsError(() => parseFits(gz, 'bomb.fits.gz')).problem).toMatch(/NAXIS claims 2.5 GB/);
  });

  it('a small FITS image followed by 64 MB of zeros in its gzip stream: refused 1 MB past the image', () => {
    const gz = bomb([['BITPIX', 8], ['NAXIS', 2], ['NAXIS1', 10], ['NAXIS2', 10]], 64 << 20);
    let largest = 0;
    const e = fitsError(() =>
      gunzipBounded(gz, 'b.fits.gz', (out) => ((largest = Math.max(largest, out.length)), fitsNeed(out, 'b.fits.gz')), (t) => `stopped at ${t}`),
    );
    expect(e.problem).toMatch(/stopped at/);
    expect(largest).toBeLessThanOrEqual(2 * 2880 + LIMITS.gzipTrailing + (1 << 16));
    expect(fitsError(() => parseFits(gz, 'b.fits.gz')).problem).toMatch(/the gzip stream holds more than its FITS headers declare/);
  });

  it('a .fz whose 1000 tiles all point to one gzip stream of 64 MB of zeros: refused at the first tile', () => {
    const zeros = gzip(new Uint8Array(64 << 20), { level: 9 });
    const w = 1000;
    const h = 1000;
    const cells = Array.from({ length: h }, (_, i) => (i === 0 ? zeros : null));
    const bytes = buildTiledFile(
      [{ name: 'COMPRESSED_DATA', tform: 'PB', cells }],
      rowTiledImageKeywords(16, w, h, 'GZIP_1'),
    );
    // Every row's descriptor points at the one stream.
    const file = parseFits(bytes, 'bomb.fits.fz');
    const view = new DataView(bytes.buffer);
    for (let r = 1; r < h; r++) {
      view.setUint32(file.hdus[1].dataOffset + r * 8, zeros.length);
      view.setUint32(file.hdus[1].dataOffset + r * 8 + 4, 0);
    }
    const e = fitsError(() => readImage(parseFits(bytes, 'bomb.fits.fz'), bytes, 1));
    expect(e.problem).toMatch(/GZIP_1 of tile 1 is corrupt or cut short \(it inflates to more than the 8000 bytes the tile can hold\)/);
  });

  it('a .fz whose ZNAXISn claim 25.6 GB is refused from its header', () => {
    const bytes = buildTiledFile(
      [{ name: 'COMPRESSED_DATA', tform: 'PB', cells: [bigEndian([1, 2], 'I')] }],
      [
        { key: 'ZBITPIX', value: -32 },
        { key: 'ZNAXIS', value: 2 },
        { key: 'ZNAXIS1', value: 80000 },
        { key: 'ZNAXIS2', value: 80000 },
        { key: 'ZCMPTYPE', value: 'RICE_1' },
      ],
    );
    expect(fitsError(() => parseFits(bytes, 'z.fits.fz')).problem).toMatch(/HDU 1: ZNAXIS claims 25.6 GB of decoded pixels \(80000 x 80000\), more than the 1.07 GB/);
  });

  it('a plain header whose NAXIS product needs 6.4 GB is refused before anything is allocated', () => {
    const bytes = headerBlock([
      { key: 'SIMPLE', value: true },
      { key: 'BITPIX', value: -32 },
      { key: 'NAXIS', value: 2 },
      { key: 'NAXIS1', value: 40000 },
      { key: 'NAXIS2', value: 40000 },
    ]);
    expect(fitsError(() => parseFits(bytes, 'n.fits')).problem).toMatch(/HDU 0: NAXIS claims 6.4 GB of data \(40000 x 40000 x 4 bytes\)/);
  });

  it('a file past the 1 GiB limit is refused by its size', () => {
    const big = new Uint8Array(LIMITS.maxBytes + 1); // zero pages: never touched, so never resident
    expect(fitsError(() => parseFits(big, 'big.fits')).problem).toMatch(/file is 1.07 GB, more than the 1.07 GB this reader can hold/);
  });
});

describe('other malformed input', () => {
  it('random bytes and a zero-byte file', () => {
    let seed = 1;
    const noise = Uint8Array.from({ length: 5000 }, () => (seed = (seed * 16807) % 2147483647) & 255);
    expect(fitsError(() => parseFits(noise, 'noise.fits')).problem).toMatch(/not a FITS file/);
    expect(fitsError(() => parseFits(new Uint8Array(0), 'empty.fits')).problem).toMatch(/file is empty \(zero bytes\)/);
  });

  it('a header without END in the last HDU, and in the only one', () => {
    const one = headerBlock([{ key: 'SIMPLE', value: true }, { key: 'BITPIX', value: 8 }, { key: 'NAXIS', value: 0 }]);
    const noEnd = one.slice();
    noEnd.set([0x20, 0x20, 0x20], new TextDecoder().decode(one).indexOf('END     '));
    expect(fitsError(() => parseFits(noEnd, 'h.fits')).problem).toMatch(/header has no END card \(HDU 0/);
  });

  it('a GCOUNT past the file is named as GCOUNT, not as NAXIS', () => {
    const bytes = writeFits([{ cards: [] }, { cards: [], extname: 'SCI', width: 4, height: 3, data: new Float32Array(12) }]);
    const text = new TextDecoder().decode(bytes);
    const at = text.indexOf('GCOUNT  =', 2880);
    bytes.set(new TextEncoder().encode('GCOUNT  =            999999999'.padEnd(80)), at);
    // As astropy: the image's own pixels are there, so it is read, with the declared size named in the warning.
    const { file } = readEverything(bytes, 'g.fits');
    expect(file.hdus.length).toBe(2);
    expect(file.warnings.join()).toMatch(/data unit of HDU 1 is cut short: its header declares 48 GB \(PCOUNT = 0, GCOUNT = 999999999\)/);
    // The same gzip'd: the stream ends long before what GCOUNT declares, and is read the same way.
    expect(readEverything(gzip(bytes), 'g.fits.gz').file.warnings).toEqual(file.warnings);
  });
});

describe('a RangeError is "out of memory" only when memory ran out', () => {
  const fz = () => new Uint8Array(readFileSync(path.join(REF, 'tiled_rice_u8.fits.fz')));

  it('a fault inside a decoder is reported as a reader fault, never as memory', () => {
    const bytes = fz();
    const file = parseFits(bytes, 'f.fits.fz');
    // A description that no longer matches the bytes: the tile table lies past the end of the file.
    file.hdus[1] = { ...file.hdus[1], dataOffset: bytes.length - 4 };
    let error: unknown;
    try {
      readImage(file, bytes, 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/f.fits.fz: HDU 1 could not be decoded: a fault in the reader, not in the file \(RangeError/);
    expect(String(error)).not.toMatch(/memory/);
  });

  it('a failed allocation is', () => {
    const bytes = fz();
    const file = parseFits(bytes, 'f.fits.fz');
    const table = file.hdus[1].tableCards!.map((c) => (c.key === 'NAXIS2' ? { ...c, value: 5e9 } : c));
    file.hdus[1] = { ...file.hdus[1], naxis: [70000, 70000], tableCards: table };
    expect(fitsError(() => readImage(file, bytes, 1)).problem).toMatch(/HDU 1: image of 4900000000 pixels \(19.6 GB\) does not fit in memory \(/);
  });
});

describe('the fuzz judge catches what it must', () => {
  const bytes = new Uint8Array(readFileSync(path.join(SHARED, 'mef.fits')));
  const src = makeSource('mef.fits', bytes, bytes);
  const reference = readAll(bytes, 'mef.fits') as ReturnType<typeof readAll> & { ok: true };

  it('pixels that changed where no byte did, HDUs lost without a warning, and unclean errors', () => {
    const changed = bytes.slice();
    changed[5760] ^= 0x40; // SCI's first pixel
    const asIfUntouched = { kind: 'flip' as const, bytes: changed, touched: [], what: 'nothing' };
    expect(judge(src, asIfUntouched, readAll(changed, 'mef.fits'), reference)).toMatch(/HDU 1: pixel 0 is/);
    expect(judge(src, { ...asIfUntouched, touched: [5760] }, readAll(changed, 'mef.fits'), reference)).toBeNull();
    const short = bytes.slice(0, 8640 * 2);
    expect(judge(src, { kind: 'cut', bytes: short, touched: [], cut: 7000, what: 'cut' }, readAll(bytes.slice(0, 8640), 'mef.fits'), reference)).toMatch(/HDUs missing without a warning/);
    expect(judge(src, asIfUntouched, { ok: false, error: new RangeError('offset is out of bounds') }, reference)).toMatch(/unclean error/);
  });
});
