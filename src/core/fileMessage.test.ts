import { describe, expect, it } from 'vitest';
import { messageBesideName } from './fileMessage';

describe('messageBesideName', () => {
  it('drops the leading name and its colon, and only that', () => {
    expect(messageBesideName('raw1.fits', 'raw1.fits: not a FITS file (no SIMPLE card)')).toBe('not a FITS file (no SIMPLE card)');
    expect(messageBesideName('raw1.fits', 'truncated: raw1.fits ends early')).toBe('truncated: raw1.fits ends early');
    expect(messageBesideName('raw1.fits', 'raw1.fits.gz: unexpected end')).toBe('raw1.fits.gz: unexpected end');
    expect(messageBesideName('raw1.fits', undefined)).toBeUndefined();
    expect(messageBesideName('raw1.fits', '')).toBe('');
  });
});
