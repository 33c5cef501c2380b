/**
 * The valid files the fuzz test mutates: every valid file of the shared
 * fixtures (astropy's readings of them are in expected.json) and the
 * tile-compressed references beside the reader, each plain, .gz and .fz
 * kind represented. Node only (reads files).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitsBytes } from '../parse';
import { makeSource, type Source } from './mutate';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SHARED_FIXTURES = path.resolve(here, '../../../../../shared/fixtures/fits');
const REFERENCE = path.resolve(here, '../reference');

export function fuzzSources(): Source[] {
  const files: [string, string][] = [];
  const expected = path.join(SHARED_FIXTURES, 'expected.json');
  if (existsSync(expected)) {
    const valid = Object.keys((JSON.parse(readFileSync(expected, 'utf8')) as { valid: Record<string, unknown> }).valid);
    for (const f of valid) files.push([f, path.join(SHARED_FIXTURES, f)]);
  }
  // HCOMPRESS is refused as unsupported, so it has no right image to compare against.
  for (const f of readdirSync(REFERENCE).filter((f) => f.endsWith('.fz') && !f.includes('hcompress'))) {
    files.push([f, path.join(REFERENCE, f)]);
  }
  return files.map(([name, file]) => {
    const input = new Uint8Array(readFileSync(file));
    return makeSource(name, input, fitsBytes(input, name));
  });
}
