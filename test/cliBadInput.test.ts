/**
 * The command lists a night as the page ingests it: every bad-input case of
 * src/core/fits/reference/badinput_expected.json (astropy's verdicts, made by
 * make_badinput.py) written to disk and described by `npm run reduce`'s
 * library. Where astropy fails, the frame cannot be read (a compressed
 * frame's bad tile keyword is met when its pixels are decoded, as the file
 * store does for a run); where astropy warns and reads on, the frame is read,
 * its note names what is missing, and the command's own header walk (what its
 * file store opens) keeps the HDUs astropy keeps instead of failing the frame
 * later. The one deliberate difference from astropy is the page's too
 * (src/core/fits/badinput.test.ts): a garbled END is refused, not read on
 * into the next header.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFile } from '../cli/library';
import { openFits, readWholeImage } from '../cli/fitsFile';
import { FitsError } from '../src/core/fits';
import { badInputCases, caseBytes } from '../src/core/fits/badinputCases';

const cases = Object.entries(badInputCases).filter(([, c]) => c.base && c.astropy && (c.cut !== undefined || c.edits));

const dir = mkdtempSync(path.join(tmpdir(), 'cli-badinput-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the command reads bad input as the page does', () => {
  it('has cases of each kind', () => {
    expect(cases.filter(([, c]) => c.astropy === 'warning').length).toBeGreaterThanOrEqual(3);
    expect(cases.filter(([, c]) => c.astropy === 'error').length).toBeGreaterThanOrEqual(3);
  });

  for (const [label, c] of cases) {
    it(`${label}: astropy ${c.astropy}`, () => {
      const file = path.join(dir, `${label.replace(/[^a-z0-9]+/gi, '_')}.fits`);
      writeFileSync(file, caseBytes(c));
      const frame = describeFile(file, dir);
      const refused = c.astropy === 'error' || label.includes('garbled END');
      if (refused && frame.status === 'ok') {
        const opened = openFits(file, (p) => new Uint8Array(readFileSync(p)));
        expect(opened.mode).toBe('whole');
        if (opened.mode !== 'whole') return;
        const image = opened.parsed.hdus.findIndex((h) => h.isImage);
        expect(() => readWholeImage(opened, image)).toThrow(FitsError);
        return;
      }
      if (refused) {
        expect(frame.status).toBe('error');
        expect(frame.message).toMatch(/\S/);
        return;
      }
      expect(frame.status, frame.message).toBe('ok');
      if (c.astropy === 'warning') expect(frame.message).toMatch(/\S/);
      if (c.hdus !== undefined) {
        expect(frame.hdus).toHaveLength(c.hdus);
        const opened = openFits(file, (p) => new Uint8Array(readFileSync(p)));
        const hdus = opened.mode === 'rows' ? opened.hdus : opened.parsed.hdus;
        expect(hdus).toHaveLength(c.hdus);
      }
    });
  }
});
