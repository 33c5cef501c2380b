import { describe, expect, it } from 'vitest';
import { headerNumber, headerString, parseFits, readImage } from '../fits';
import { demoTruth, generateDemoNight } from './index';
import { simulateNight } from './simulate';

/** A small night: 3 biases, 3 flats in each of V and R, 2+2 science frames and 1 of the second target. */
const SMALL = { seed: 5, width: 160, height: 128, nBias: 3, nFlatPerFilter: 3, nSciencePerFilter: 2, nSecondTarget: 1 };

describe('generateDemoNight', () => {
  const files = generateDemoNight(SMALL);

  it('is deterministic: the same seed gives identical bytes, another seed different pixels', () => {
    const again = generateDemoNight(SMALL);
    expect(again.map((f) => f.name)).toEqual(files.map((f) => f.name));
    again.forEach((f, i) => expect(Buffer.from(f.bytes).equals(Buffer.from(files[i].bytes))).toBe(true));
    const other = generateDemoNight({ ...SMALL, seed: 6 });
    expect(Buffer.from(other[0].bytes).equals(Buffer.from(files[0].bytes))).toBe(false);
  });

  it('writes the frames in time order with sequential names and the expected types', () => {
    expect(files.length).toBe(3 + 6 + 5);
    expect(files.map((f) => f.name.slice(0, 9))).toEqual(files.map((_, i) => `demo_${String(i + 1).padStart(4, '0')}`));
    expect(files[0].name).toBe('demo_0001_bias.fits');
    expect(files[3].name).toBe('demo_0004_flat_V.fits');
    expect(files[13].name).toBe('demo_0014_demo-field-2_R.fits');
    const dates = files.map((f) => headerString(parseFits(f.bytes, f.name).hdus[0].cards, 'DATE-OBS') ?? '');
    for (const d of dates) expect(d).toMatch(/^2026-03-1[45]T\d\d:\d\d:\d\d\.\d{3}$/);
    for (let i = 1; i < dates.length; i++) expect(Date.parse(dates[i] + 'Z')).toBeGreaterThan(Date.parse(dates[i - 1] + 'Z'));
    // Afternoon biases (local UTC-7), flats at dusk, science at night.
    expect(new Date(dates[0] + 'Z').getUTCHours()).toBe(22);
    expect(new Date(dates[3] + 'Z').getUTCHours()).toBe(1);
    expect(new Date(dates[9] + 'Z').getUTCHours()).toBeGreaterThanOrEqual(2);
  });

  it('parses back as uint16 images of (width + 32) x height with the classifier keywords', () => {
    const kinds: Record<string, [string, string, string | undefined]> = {
      bias: ['Bias Frame', 'BIAS', 'Bias'],
      flat: ['Flat Field', 'FLAT', 'Twilight flat'],
      sci: ['Light Frame', 'OBJECT', undefined],
    };
    for (const f of files) {
      const fits = parseFits(f.bytes, f.name);
      expect(fits.hdus.length).toBe(1);
      const h = fits.hdus[0];
      expect(h.bitpix).toBe(16);
      expect(h.naxis).toEqual([192, 128]);
      const c = h.cards;
      expect(headerNumber(c, 'BZERO')).toBe(32768);
      const kind = f.name.includes('bias') ? 'bias' : f.name.includes('flat') ? 'flat' : 'sci';
      const [imagetyp, obstype, object] = kinds[kind];
      expect(headerString(c, 'IMAGETYP')).toBe(imagetyp);
      expect(headerString(c, 'OBSTYPE')).toBe(obstype);
      if (object) expect(headerString(c, 'OBJECT')).toBe(object);
      else expect(headerString(c, 'OBJECT')).toMatch(/^DEMO-FIELD-[12]$/);
      if (kind === 'bias') {
        expect(headerNumber(c, 'EXPTIME')).toBe(0);
        expect(headerString(c, 'FILTER')).toBeUndefined();
      } else {
        expect(['V', 'R']).toContain(headerString(c, 'FILTER'));
        expect(headerNumber(c, 'EXPTIME')).toBeGreaterThan(0);
        expect(headerNumber(c, 'AIRMASS')).toBeGreaterThanOrEqual(1);
        expect(headerNumber(c, 'AIRMASS')).toBeLessThan(3);
        expect(headerNumber(c, 'RA')).toBeTypeOf('number');
        expect(headerNumber(c, 'DEC')).toBeTypeOf('number');
      }
      expect(headerString(c, 'INSTRUME')).toBe('DemoCam');
      expect(headerString(c, 'DETECTOR')).toBe('DEMO-CCD');
      expect(headerString(c, 'TELESCOP')).toBeTruthy();
      expect(headerNumber(c, 'GAIN')).toBe(1.5);
      expect(headerNumber(c, 'EGAIN')).toBe(1.5);
      expect(headerNumber(c, 'RDNOISE')).toBe(5);
      expect(headerNumber(c, 'SATURATE')).toBe(65535);
      expect(headerString(c, 'CCDSUM')).toBe('1 1');
      expect(headerNumber(c, 'XBINNING')).toBe(1);
      expect(headerNumber(c, 'YBINNING')).toBe(1);
      expect(headerString(c, 'BIASSEC')).toBe('[162:192,1:128]');
      expect(headerString(c, 'DATASEC')).toBe('[1:160,1:128]');
      expect(headerString(c, 'TRIMSEC')).toBe('[1:160,1:128]');
      expect(c.some((k) => k.key === 'COMMENT' && /SIMULATED/.test(String(k.comment ?? k.value)))).toBe(true);
    }
  });

  it('stores exactly the simulated pixels', () => {
    const raw: Uint16Array[] = [];
    simulateNight(SMALL, (fr) => raw.push(fr.pixels));
    for (const i of [0, 3, 9]) {
      const fits = parseFits(files[i].bytes, files[i].name);
      const img = readImage(fits, files[i].bytes, 0);
      expect([img.width, img.height, img.depth]).toEqual([192, 128, 1]);
      expect(Array.from(img.data)).toEqual(Array.from(raw[i]));
    }
  });

  it('reports progress once per file', () => {
    const calls: [number, number][] = [];
    generateDemoNight({ ...SMALL, nFlatPerFilter: 1, nSciencePerFilter: 0, nSecondTarget: 0, onFile: (d, t) => calls.push([d, t]) });
    expect(calls).toEqual([[1, 5], [2, 5], [3, 5], [4, 5], [5, 5]]);
  });

  it('uses the default layout: 544 x 512 raw, BIASSEC [514:544,1:512], 5+10+8+2 frames', () => {
    const t = demoTruth();
    expect(t.frames.length).toBe(25);
    expect(t.width + t.overscan).toBe(544);
    expect(t.biassec).toBe('[514:544,1:512]');
    expect(t.datasec).toBe('[1:512,1:512]');
    const one = generateDemoNight({ nBias: 1, nFlatPerFilter: 0, nSciencePerFilter: 0, nSecondTarget: 0 });
    expect(parseFits(one[0].bytes, one[0].name).hdus[0].naxis).toEqual([544, 512]);
  });

  it('refuses nonsense options with a clear message', () => {
    expect(() => generateDemoNight({ width: 8 })).toThrow(/width/);
    expect(() => generateDemoNight({ nBias: -1 })).toThrow(/nBias/);
    expect(() => generateDemoNight({ filters: ['V', 'V'] })).toThrow(/distinct/);
  });
});
