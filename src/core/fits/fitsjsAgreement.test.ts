/**
 * fitsjs, the design card's reader, as a second and independent reader of
 * every shared fixture: where it reads a file, it must agree with ours on the
 * HDUs, every header value and every pixel. Where it does not, the difference
 * is one of its known defects, listed below with the reason; a listed defect
 * that goes away (or changes) fails the test, so the list stays true.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFits, readImage, type FitsFile } from './index';
import { readWithFitsjs, type FitsjsOutcome } from '../../../test/fitsjsReader';

const DIR = path.resolve(__dirname, '../../../../shared/fixtures/fits');
const FILES = readdirSync(DIR).filter((n) => /\.(fits|fz|gz)$/i.test(n)).sort();

const COMMENTARY = new Set(['COMMENT', 'HISTORY', '', 'CONTINUE', 'END']);

/** Our reading: the file, or the error it gives. */
function ours(bytes: Uint8Array, name: string): { file?: FitsFile; error?: string } {
  try {
    const file = parseFits(bytes, name);
    for (const h of file.hdus) if (h.isImage) readImage(file, bytes, h.index);
    return { file };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** fitsjs's value in the form ours takes: T/F as booleans. */
const asOurs = (v: unknown) => (v === 'T' ? true : v === 'F' ? false : v);

/** Every way fitsjs's reading differs from ours, as short sentences (empty when they agree). */
async function disagreements(name: string): Promise<string[]> {
  const bytes = new Uint8Array(readFileSync(path.join(DIR, name)));
  const mine = ours(bytes, name);
  const theirs: FitsjsOutcome = await readWithFitsjs(bytes, name);
  if (!mine.file) return theirs.kind === 'read' ? [`fitsjs reads a file we refuse (${mine.error})`] : [];
  if (theirs.kind !== 'read') return [`fitsjs does not read it: ${theirs.kind}: ${theirs.message}`];
  const out: string[] = [];
  const file = mine.file;
  if (theirs.hdus.length !== file.hdus.length) out.push(`fitsjs sees ${theirs.hdus.length} HDUs, we see ${file.hdus.length}`);
  for (let i = 0; i < Math.min(theirs.hdus.length, file.hdus.length); i++) {
    const hdu = file.hdus[i];
    const t = theirs.hdus[i];
    for (const c of hdu.cards) {
      if (COMMENTARY.has(c.key) || c.value === null) continue;
      // fitsjs shows a tile-compressed HDU's table header; ours is the image's, whose structure is its Z keywords.
      let key = c.key;
      if (hdu.compressed) {
        if (['XTENSION', 'PCOUNT', 'GCOUNT'].includes(key)) continue;
        if (key === 'BITPIX' || /^NAXIS\d*$/.test(key)) key = `Z${key}`;
      }
      const v = asOurs(t.get(key));
      const same = typeof c.value === 'number' && typeof v === 'number' ? c.value === v || (Number.isNaN(c.value) && Number.isNaN(v)) : c.value === v;
      if (!same) out.push(`HDU ${i} ${key}: fitsjs ${JSON.stringify(v)}, ours ${JSON.stringify(c.value)}`);
    }
    if (!hdu.isImage) continue;
    if (!t.frame) {
      out.push(`HDU ${i}: fitsjs has no image data (${t.dataType ?? 'none'})`);
      continue;
    }
    const img = readImage(file, bytes, i);
    const plane = img.width * img.height;
    let bad = 0;
    let first = '';
    try {
      for (let k = 0; k < img.depth; k++) {
        const px = await t.frame(k);
        if (px.length !== plane) {
          out.push(`HDU ${i} frame ${k}: fitsjs gives ${px.length} pixels, ours ${plane}`);
          break;
        }
        for (let j = 0; j < plane; j++) {
          const a = px[j];
          const b = img.data[k * plane + j];
          // Both decode to float32 at most for these fixtures' float32 data; float64 data must be exact.
          const ok = Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= (img.data instanceof Float32Array ? 1e-6 : 0) * Math.max(1, Math.abs(b));
          if (!ok && bad++ === 0) first = `pixel ${j} of frame ${k}: fitsjs ${a}, ours ${b}`;
        }
      }
    } catch (e) {
      out.push(`HDU ${i}: fitsjs fails on the pixels: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (bad) out.push(`HDU ${i}: ${bad} pixels differ, first ${first}`);
  }
  return out;
}

interface Defect {
  /** Why fitsjs reads this file differently. */
  reason: string;
  /** Every disagreement must match one of these, and each of these must match one. */
  shows: RegExp[];
}

/** What fitsjs 0.6.6 gets wrong, file by file (each checked against astropy by fixtures.test.ts). */
const KNOWN_DEFECTS: Record<string, Defect> = {
  'astropy_compressed_float_bzero.fits': {
    reason: 'integer RICE tiles (ZBITPIX 16) are dequantised as if they were dithered floats, so pixels come out NaN',
    shows: [/^HDU 1: 3 pixels differ, first pixel 0 of frame 0: fitsjs NaN/],
  },
  'f64.fits': { reason: 'BITPIX -64 is decoded as float32, so a frame has twice the pixels', shows: [/^HDU 0 frame 0: fitsjs gives 798 pixels, ours 399$/] },
  // fitsjs's own words, misspelt there: "Compress type GZIP_1 is not yet implement".
  'gzip1_i16.fits.fz': { reason: 'fitsjs has no GZIP_1 tile decompression (our reader decodes it: fixtures.test.ts)', shows: [/^fitsjs does not read it: .*Compress type GZIP_1 is not yet implement$/] },
  'hostile_header.fits': { reason: "a quote inside a string value stays doubled ('' is not read as ')", shows: [/^HDU 0 FILTER: fitsjs "r'' & /] },
  'i16_blank.fits': { reason: 'BLANK is ignored: blank pixels read as -32768 instead of NaN', shows: [/^HDU 0: 1 pixels differ, first pixel 35 of frame 0: fitsjs -32768, ours NaN$/] },
  'i64.fits': { reason: 'BITPIX 64 is refused', shows: [/^fitsjs does not read it: .*BITPIX value 64 is not permitted/] },
  'i8_signed.fits': { reason: 'BITPIX 8 with BZERO -128 (signed bytes) wraps in the Uint16Array fitsjs decodes into', shows: [/^HDU 0: 54 pixels differ/] },
  'mef.fits': {
    reason: 'no CONTINUE long strings (the value stops at the first card with its "&"), no HIERARCH keys, and BITPIX 16 with BZERO 32768 wraps in an Int16Array',
    shows: [/^HDU 0 LONGSTR: fitsjs "a long string value that must continue over more than one header &"/, /^HDU 0 ESO DET CHIP TEMP: fitsjs (null|undefined)/, /^HDU 1: \d+ pixels differ, first pixel \d+ of frame 0: fitsjs -\d+, ours \d+$/],
  },
  'negative_naxis.fits': { reason: 'a negative NAXIS1 is accepted; we refuse it as astropy does', shows: [/^fitsjs reads a file we refuse \(.*NAXIS1 is negative/] },
  'rice_f32.fits.fz': {
    reason: 'string values lose their leading spaces (significant in FITS), and 16 of the 12,288 dithered float pixels decode to wild values (5986874368 where astropy and we read 451.77)',
    shows: [/^HDU 0 DATASUM: fitsjs "0", ours " +0"$/, /^HDU 1: 16 pixels differ, first pixel 70 of frame 0: fitsjs 5986874368, ours 451\.769/],
  },
  'rice_i16.fits.fz': {
    reason: 'string values lose their leading spaces, and integer RICE tiles are dequantised as if they were quantised floats (NaN)',
    shows: [/^HDU 0 DATASUM: fitsjs "0", ours " +0"$/, /^HDU 1: \d+ pixels differ, first pixel 0 of frame 0: fitsjs NaN/],
  },
  'u16.fits': { reason: 'BITPIX 16 with BZERO 32768 (unsigned 16-bit, how CCD cameras write) wraps in an Int16Array', shows: [/^HDU 0: \d+ pixels differ, first pixel 0 of frame 0: fitsjs -12354, ours 53182$/] },
  'u16.fits.gz': { reason: 'gzip-compressed files are not read (fitsjs looks for a FITS header in the gzip bytes)', shows: [/^fitsjs does not read it: stalled/] },
  'u32.fits': { reason: 'BITPIX 32 with BZERO 2^31 (unsigned 32-bit) wraps in an Int32Array', shows: [/^HDU 0: \d+ pixels differ, first pixel 0 of frame 0: fitsjs -\d+, ours \d+$/] },
};

describe('fitsjs agrees with our reader, but for its known defects', () => {
  it('lists defects only of fixtures that exist', () => {
    for (const name of Object.keys(KNOWN_DEFECTS)) expect(FILES).toContain(name);
    expect(FILES.length).toBeGreaterThan(20);
  });

  it.each(FILES)('%s', async (name) => {
    const found = await disagreements(name);
    const defect = KNOWN_DEFECTS[name];
    if (!defect) {
      // Agreement: the same HDUs, header values and pixels, or both refuse the file.
      expect(found).toEqual([]);
      return;
    }
    expect(found.length, `${name}: the known defect (${defect.reason}) is gone; take it off the list`).toBeGreaterThan(0);
    for (const sentence of found) {
      expect(defect.shows.some((re) => re.test(sentence)), `${name}: a disagreement not in its known defects: ${sentence}`).toBe(true);
    }
    for (const re of defect.shows) {
      expect(found.some((sentence) => re.test(sentence)), `${name}: known defect ${re} no longer shows (${defect.reason})`).toBe(true);
    }
  });
});
