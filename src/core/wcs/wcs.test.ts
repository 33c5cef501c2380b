import { describe, expect, it } from 'vitest';
import expected from './reference/wcs_expected.json';
import { formatDec, formatRa, pixelToWorld, readWcs } from './wcs';
import type { Card } from '../fits/types';

const cardsOf = (o: Record<string, string | number>): Card[] => Object.entries(o).map(([key, value]) => ({ key, value }));

/** Angular distance in arcseconds (haversine: exact for tiny angles, where acos is not). */
function sep(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const r = Math.PI / 180;
  const h = Math.sin(((dec2 - dec1) * r) / 2) ** 2 + Math.cos(dec1 * r) * Math.cos(dec2 * r) * Math.sin(((ra2 - ra1) * r) / 2) ** 2;
  return ((2 * Math.asin(Math.sqrt(h))) / r) * 3600;
}

describe('pixelToWorld against astropy.wcs all_pix2world', () => {
  for (const [name, ref] of Object.entries(expected)) {
    it(name, () => {
      const wcs = readWcs(cardsOf(ref.cards as Record<string, string | number>));
      expect(wcs).toBeDefined();
      ref.pixels.forEach(([x, y], k) => {
        const { ra, dec } = pixelToWorld(wcs!, x, y);
        const [era, edec] = ref.world[k];
        // Double precision end to end: agreement to micro-arcseconds.
        expect(sep(ra, dec, era, edec), `${name} at (${x}, ${y})`).toBeLessThan(1e-5);
      });
    });
  }
});

describe('readWcs', () => {
  it('needs celestial axes of one supported projection', () => {
    expect(readWcs(cardsOf({ CTYPE1: 'LINEAR', CTYPE2: 'LINEAR', CRPIX1: 1, CRPIX2: 1, CRVAL1: 0, CRVAL2: 0, CDELT1: 1, CDELT2: 1 }))).toBeUndefined();
    expect(readWcs(cardsOf({ CTYPE1: 'RA---AIT', CTYPE2: 'DEC--AIT', CRPIX1: 1, CRPIX2: 1, CRVAL1: 0, CRVAL2: 0, CDELT1: 1, CDELT2: 1 }))).toBeUndefined();
    expect(readWcs(cardsOf({ CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRPIX1: 1, CRPIX2: 1, CRVAL1: 0 }))).toBeUndefined();
    expect(readWcs([])).toBeUndefined();
  });
  it('names the reference frame', () => {
    const base = { CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRPIX1: 1, CRPIX2: 1, CRVAL1: 0, CRVAL2: 0, CDELT1: -1e-4, CDELT2: 1e-4 };
    expect(readWcs(cardsOf(base))!.frame).toBe('ICRS');
    expect(readWcs(cardsOf({ ...base, RADESYS: 'FK5', EQUINOX: 2000 }))!.frame).toBe('FK5 2000');
  });
});

describe('sexagesimal', () => {
  it('formats and carries rounding into the next unit', () => {
    expect(formatRa(132.825)).toBe('08:51:18.000');
    expect(formatRa(359.99999999)).toBe('00:00:00.000');
    expect(formatDec(11.8)).toBe('+11:48:00.00');
    expect(formatDec(-0.5)).toBe('-00:30:00.00');
    expect(formatDec(-29.9999999999)).toBe('-30:00:00.00');
    expect(formatRa(NaN)).toBe('—');
  });
});
