/**
 * The bad-input cases of reference/badinput_expected.json (what astropy and
 * Python's gzip make of each, written by reference/make_badinput.py), and the
 * bytes of each case: a shared fixture cut short or with cards overwritten.
 * Read by the reader's tests and the command's (test/cliBadInput.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const REF = path.resolve(__dirname, 'reference');
export const SHARED = path.resolve(__dirname, '../../../../shared/fixtures/fits');

export interface BadInputCase {
  base?: string;
  file?: string;
  cut?: number;
  edits?: [number, string][];
  astropy?: 'ok' | 'warning' | 'error';
  python_gzip?: 'ok' | 'error';
  hdus?: number;
  sums?: (number | null)[];
  error?: string;
}

export const badInputCases = JSON.parse(readFileSync(path.join(REF, 'badinput_expected.json'), 'utf8')) as Record<string, BadInputCase>;

/** The bytes of a case made from a shared fixture (`base`), its edits applied, then cut. */
export function caseBytes(c: BadInputCase): Uint8Array {
  const base = new Uint8Array(readFileSync(path.join(SHARED, c.base!)));
  const end = Math.max(base.length, ...(c.edits ?? []).map(([off, text]) => off + text.length));
  const b = new Uint8Array(end);
  b.set(base);
  for (const [off, text] of c.edits ?? []) for (let i = 0; i < text.length; i++) b[off + i] = text.charCodeAt(i);
  return c.cut === undefined ? b : b.slice(0, c.cut);
}
