/**
 * The classifier must see the same thing whether cards come from the test-only
 * card parser or from the real reader in src/core/fits (HIERARCH key form,
 * string trimming, numeric parsing).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCard, parseFits } from '../fits';
import { classifyFrame, extractDescriptors } from './index';
import { parseCardText } from './testing/cardText';
import * as headers from './testing/headers';

const dir = fileURLToPath(new URL('../../../../shared/sample-night/', import.meta.url));

describe('cards from the real FITS reader', () => {
  it('classify the convention fixtures exactly as the test parser does', () => {
    const texts = Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string');
    expect(texts.length).toBeGreaterThan(20);
    for (const [name, text] of texts) {
      const lines = text.split('\n').filter((l) => l.trim() !== '' && !/^END\s*$/.test(l));
      const real = lines.map((l) => parseCard(l.padEnd(80)));
      const mine = parseCardText(text);
      expect(extractDescriptors(real), name).toEqual(extractDescriptors(mine));
      expect(classifyFrame(real), name).toEqual(classifyFrame(mine));
    }
  });

  it('classify sample-night files parsed by parseFits', () => {
    for (const [file, type, filter] of [['raw0001.fits', 'bias', undefined], ['raw0014.fits', 'flat', 'V'], ['raw0020.fits', 'science', 'R']] as const) {
      const fits = parseFits(new Uint8Array(readFileSync(`${dir}${file}`)), file);
      expect(classifyFrame(fits.hdus[0].cards).type).toBe(type);
      expect(extractDescriptors(fits.hdus[0].cards).filter).toBe(filter);
    }
  });
});
