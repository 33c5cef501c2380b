/**
 * What the reader warns about reaches the library: a file read past damage
 * (here, a multi-extension file cut inside the padding after its SCI
 * extension, which astropy reads with a warning) is stored as ok with the
 * warning in its message, which the library's status column shows.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyse } from '../workers/ingest';

const SHARED = path.resolve(__dirname, '../../shared/fixtures/fits');

describe("ingest keeps the reader's warnings with the file", () => {
  it('a MEF cut inside the padding after SCI: stored with SCI, the missing HDUs named in the message', () => {
    const bytes = new Uint8Array(readFileSync(path.join(SHARED, 'mef.fits'))).slice(0, 7060);
    const { record, strips } = analyse('id', { name: 'mef_cut.fits', path: '', bytes });
    expect(record.status).toBe('ok');
    expect(record.hdus.map((h) => h.extname)).toEqual(['PRIMARY', 'SCI']);
    expect(strips.length).toBeGreaterThan(0);
    expect(record.message).toMatch(/^warning: the file is cut short inside the padding after HDU 1 .*any HDUs after HDU 1 are missing/);
  });

  it('a headers-only file cut inside a later header: the warning follows "headers only"', () => {
    const bytes = new Uint8Array(readFileSync(path.join(SHARED, 'mef.fits')));
    const primaryOnly = bytes.slice(0, 2880 + 400);
    const { record } = analyse('id', { name: 'p.fits', path: '', bytes: primaryOnly });
    expect(record.message).toMatch(/^no image data in this file \(headers only\); warning: the file is cut short inside the header of HDU 1/);
  });
});
