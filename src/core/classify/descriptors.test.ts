import { describe, expect, it } from 'vitest';
import type { Card } from '../fits/types';
import { extractDescriptors } from './descriptors';
import {
  cards, fors2SkyFlat, gmosSciExtension, gmosTwilightPrimary, irafDateTimeObs, irafZero, lcoSkyflat,
  maximLight, ninaLight, ninaNoEgain,
} from './testing/headers';

const c = (key: string, value: Card['value']): Card => ({ key, value });

describe('extractDescriptors: realistic headers', () => {
  it('reads a MaxIm DL light frame', () => {
    const d = extractDescriptors(cards(maximLight));
    expect(d).toMatchObject({
      exptime: 300, filter: 'V', dateObs: '2019-10-05T03:14:22', binning: '2x2', binX: 2, binY: 2,
      gain: 1.3700000047683716, readout: 'Monochrome', ccdTemp: -19.96875, shape: '3072x2048', width: 3072,
      height: 2048, object: 'NGC 7331', instrument: 'SBIG STXL-6303E 3 CCD Camera', observer: 'J. Doe',
      ra: '22 37 04', dec: '+34 24 56', airmass: 1.0512345,
    });
    expect(d.mjd).toBeCloseTo(58761 + (3 * 3600 + 14 * 60 + 22) / 86400, 8);
    // 03:14 UTC at longitude -110.73 is 19:51 local on Oct 4: that night.
    expect(d.night).toBe('2019-10-04');
    expect(d.telescope).toBeUndefined(); // TELESCOP = '' is no value
    expect(d.readNoise).toBeUndefined();
    expect(d.saturation).toBeUndefined();
    expect(d.gainSetting).toBeUndefined();
    expect(d.sources).toMatchObject({
      exptime: 'EXPTIME', filter: 'FILTER', binning: 'XBINNING+YBINNING', gain: 'EGAIN', night: 'DATE-OBS+SITELONG',
      ccdTemp: 'CCD-TEMP', ra: 'OBJCTRA', shape: 'NAXIS1+NAXIS2', mjd: 'DATE-OBS',
    });
  });

  it("reads N.I.N.A.: EGAIN is e-/ADU, GAIN and OFFSET are settings that go into readout", () => {
    const d = extractDescriptors(cards(ninaLight));
    expect(d.gain).toBeCloseTo(0.249925002455711, 12);
    expect(d.gainSetting).toBe(100);
    expect(d.offset).toBe(50);
    expect(d.readout).toBe('Normal, gain 100, offset 50');
    expect(d.sources.readout).toBe('READOUTM+GAIN+OFFSET');
    expect(d.dateObs).toBe('2023-09-16T21:41:52.384'); // DATE-OBS (UTC), not DATE-LOC
    expect(d.night).toBe('2023-09-16');
    expect(d.filter).toBe('Ha');
    expect(d.ra).toBe(318.256416666667);
    expect(d.sources.ra).toBe('RA');
    expect(d.ccdTemp).toBe(-10.1);
  });

  it('never takes a N.I.N.A. GAIN setting as e-/ADU, even without EGAIN', () => {
    const d = extractDescriptors(cards(ninaNoEgain));
    expect(d.gain).toBeUndefined();
    expect(d.gainSetting).toBe(100);
  });

  it('treats GAIN as a setting when an integer GAIN comes with a CMOS OFFSET', () => {
    const d = extractDescriptors([c('GAIN', 120), c('OFFSET', 30), c('SWCREATE', 'SomeCapture 1.0')]);
    expect(d.gain).toBeUndefined();
    expect(d.gainSetting).toBe(120);
    expect(extractDescriptors([c('GAIN', 120), c('SWCREATE', 'SharpCap v4.0.8395.0, 64 bit')]).gain).toBeUndefined();
    expect(extractDescriptors([c('GAIN', 1.6)]).gain).toBe(1.6);
  });

  it('reads an IRAF-era header: DD/MM/YY date with UT, CCDSUM, GAIN, RDNOISE, sections', () => {
    const d = extractDescriptors(cards(irafZero));
    expect(d).toMatchObject({
      exptime: 0, dateObs: '1998-03-12T03:22:41', binning: '1x1', gain: 3.2, readNoise: 4.2,
      biassec: '[2049:2098,1:2048]', datasec: '[1:2048,1:2048]', trimsec: '[1:2048,1:2048]', ccdsec: '[1:2048,1:2048]',
      detector: 'T2KA', filter: '2', ra: '08:51:18.00', dec: '+11:48:00.0', telescope: 'kpno 0.9m',
    });
    expect(d.sources).toMatchObject({ dateObs: 'DATE-OBS+UT', filter: 'FILTERS', binning: 'CCDSUM', gain: 'GAIN', readNoise: 'RDNOISE' });
    expect(d.night).toBe('1998-03-11'); // UTC - 12 h, no longitude in the header
  });

  it('completes YYYY-MM-DD with TIME-OBS', () => {
    const d = extractDescriptors(cards(irafDateTimeObs));
    expect(d.dateObs).toBe('2004-01-31T23:59:59.500');
    expect(d.sources.dateObs).toBe('DATE-OBS+TIME-OBS');
    expect(d.mjd).toBeCloseTo(53035 + 86399.5 / 86400, 9);
    expect(d.night).toBe('2004-01-31');
  });

  it('merges a GMOS primary header with its first SCI extension', () => {
    const d = extractDescriptors(cards(gmosTwilightPrimary), cards(gmosSciExtension));
    expect(d).toMatchObject({
      filter: 'r', exptime: 5, dateObs: '2019-04-14T05:30:45.300', binning: '2x2', shape: '288x2112',
      gain: 1.63, readNoise: 4.14, detector: 'GMOS + Hamamatsu_new', instrument: 'GMOS-N',
      readout: 'BI13-20-4k-1, 1', biassec: '[1:32,1:2112]', datasec: '[33:288,1:2112]', ra: 197.1836667,
    });
    expect(d.sources).toMatchObject({ filter: 'FILTER2', dateObs: 'DATE-OBS+UT', binning: 'CCDSUM', gain: 'GAIN', readout: 'AMPNAME' });
    expect(d.sourceHdu).toMatchObject({ filter: 'primary', binning: 'image', shape: 'image', gain: 'image', instrument: 'primary' });
    expect(d.night).toBe('2019-04-13');
    // Without the extension the primary (NAXIS = 0) has no shape, binning or gain: undefined, not guessed.
    const p = extractDescriptors(cards(gmosTwilightPrimary));
    expect(p.shape).toBeUndefined();
    expect(p.binning).toBeUndefined();
    expect(p.gain).toBeUndefined();
  });

  it('combines GMOS FILTER1/FILTER2 ignoring open/clear/empty slots, like DRAGONS', () => {
    const f = (f1: string, f2: string) => extractDescriptors([c('FILTER1', f1), c('FILTER2', f2)]);
    expect(f('g_G0301', 'open2-8').filter).toBe('g');
    expect(f('g_G0301', 'open2-8').sources.filter).toBe('FILTER1');
    expect(f('g_G0301', 'GG455_G0305')).toMatchObject({ filter: 'g&GG455', sources: { filter: 'FILTER1+FILTER2' } });
    expect(f('open1-6', 'open2-8').filter).toBe('open');
    expect(f('Clear', 'Empty').filter).toBe('open');
    expect(f('CLEAR1L', 'F606W').filter).toBe('F606W'); // HST ACS
    expect(extractDescriptors([c('FILTNAM1', 'F555W'), c('FILTNAM2', '')]).filter).toBe('F555W');
    expect(extractDescriptors([c('INSFILTE', 'B')]).sources.filter).toBe('INSFILTE');
  });

  it('reads Las Cumbres: FILTER beats the wheel slots, MJD-OBS taken as written, east-positive LONGITUD', () => {
    const d = extractDescriptors(cards(lcoSkyflat));
    expect(d).toMatchObject({
      filter: 'rp', mjd: 60440.96878611, dateObs: '2024-05-10T23:15:03.120', gain: 1, readNoise: 7,
      saturation: 125000, readout: 'full_frame', ccdTemp: -97.9, binning: '1x1', exptime: 12.345,
    });
    expect(d.sources).toMatchObject({ filter: 'FILTER', mjd: 'MJD-OBS', night: 'DATE-OBS+LONGITUD', saturation: 'SATURATE' });
    expect(d.night).toBe('2024-05-10');
  });

  it('reads ESO HIERARCH keywords, with or without the HIERARCH prefix in the key', () => {
    for (const hdr of [cards(fors2SkyFlat), cards(fors2SkyFlat).map((k) => (k.key.startsWith('ESO ') ? { ...k, key: `HIERARCH ${k.key}` } : k))]) {
      const d = extractDescriptors(hdr);
      expect(d).toMatchObject({
        filter: 'R_SPECIAL', binning: '2x2', gain: 1.25, readNoise: 2.9, readout: '200Kps/2ports/low_gain',
        detector: 'CCID20-14-5-3', airmass: 1.012, mjd: 57999.98067315, exptime: 8, night: '2017-09-04',
      });
      expect(d.sources).toMatchObject({
        filter: 'ESO INS FILT1 NAME', gain: 'ESO DET OUT1 CONAD', binning: 'ESO DET WIN1 BINX+ESO DET WIN1 BINY',
        night: 'DATE-OBS+ESO TEL GEOLON',
      });
    }
  });
});

describe('extractDescriptors: keyword variants and gaps', () => {
  it('gives nothing for an empty header, and no sources', () => {
    const d = extractDescriptors([]);
    expect(d.sources).toEqual({});
    for (const [k, v] of Object.entries(d)) if (k !== 'sources' && k !== 'sourceHdu') expect(v).toBeUndefined();
  });

  it('ignores COMMENT/HISTORY and null-valued cards', () => {
    const d = extractDescriptors([{ key: 'COMMENT', value: null, comment: 'EXPTIME = 5' }, c('EXPTIME', null), c('EXPOSURE', 7)]);
    expect(d.exptime).toBe(7);
    expect(d.sources.exptime).toBe('EXPOSURE');
  });

  it('reads exposure time variants, numeric text included', () => {
    expect(extractDescriptors([c('EXPOSURE', 12)]).exptime).toBe(12);
    expect(extractDescriptors([c('ITIME', 1.5)]).sources.exptime).toBe('ITIME');
    expect(extractDescriptors([c('EXPOSURE TIME', 3)]).exptime).toBe(3);
    expect(extractDescriptors([c('EXPTIME', '120.0')]).exptime).toBe(120);
    expect(extractDescriptors([c('EXPTIME', '1.5D+01')]).exptime).toBe(15);
    expect(extractDescriptors([c('EXPTIME', 'unknown')]).exptime).toBeUndefined();
    expect(extractDescriptors([c('EXPTIME', '')]).exptime).toBeUndefined();
  });

  it('reads binning from CCDSUM, CCDBIN1/2 and BINNING, in order', () => {
    expect(extractDescriptors([c('CCDSUM', '2 4')]).binning).toBe('2x4');
    expect(extractDescriptors([c('CCDBIN1', 3), c('CCDBIN2', 3)])).toMatchObject({ binning: '3x3', sources: { binning: 'CCDBIN1+CCDBIN2' } });
    expect(extractDescriptors([c('BINNING', '2x2')]).binning).toBe('2x2');
    expect(extractDescriptors([c('BINNING', 2)]).binning).toBe('2x2');
    expect(extractDescriptors([c('XBINNING', 2)]).binning).toBeUndefined(); // half a pair is not a binning
    expect(extractDescriptors([c('CCDSUM', '2 2'), c('XBINNING', 1), c('YBINNING', 1)]).binning).toBe('2x2');
  });

  it('reads read noise, saturation and temperature variants', () => {
    expect(extractDescriptors([c('READNOIS', 5)]).readNoise).toBe(5);
    expect(extractDescriptors([c('RON', 6)]).sources.readNoise).toBe('RON');
    expect(extractDescriptors([c('READNOISE', 7)]).readNoise).toBe(7);
    expect(extractDescriptors([c('SATLEVEL', 60000)]).saturation).toBe(60000);
    expect(extractDescriptors([c('DATAMAX', 65535), c('SATURATE', 50000)]).saturation).toBe(50000);
    expect(extractDescriptors([c('CCDTEMP', -30)]).ccdTemp).toBe(-30);
    expect(extractDescriptors([c('SET-TEMP', -25)]).sources.ccdTemp).toBe('SET-TEMP');
  });

  it('takes pixel-shape keys from the extension and the rest from the primary', () => {
    const primary = [c('NAXIS', 0), c('OBJECT', 'from primary'), c('GAIN', 2.0), c('BUNIT', 'ADU')];
    const image = [c('NAXIS', 2), c('NAXIS1', 100), c('NAXIS2', 50), c('OBJECT', 'from image'), c('GAIN', 1.5), c('FILTER', 'z')];
    const d = extractDescriptors(primary, image);
    expect(d).toMatchObject({ object: 'from primary', gain: 1.5, shape: '100x50', filter: 'z' });
    expect(d.sourceHdu).toMatchObject({ object: 'primary', gain: 'image', filter: 'image' });
  });

  it('uses ZNAXISn for a raw tile-compressed header', () => {
    const d = extractDescriptors([c('ZIMAGE', true), c('NAXIS1', 8), c('NAXIS2', 512), c('ZNAXIS1', 1024), c('ZNAXIS2', 512)]);
    expect(d.shape).toBe('1024x512');
  });

  it('reads dates in every form, and never invents a time', () => {
    expect(extractDescriptors([c('DATE-OBS', '2024-03-01T02:03:04Z')]).dateObs).toBe('2024-03-01T02:03:04');
    expect(extractDescriptors([c('DATE-OBS', '2024-03-01 02:03')]).dateObs).toBe('2024-03-01T02:03:00');
    expect(extractDescriptors([c('DATE-OBS', '2024-03-01'), c('UTSTART', '22:10:05')]).dateObs).toBe('2024-03-01T22:10:05');
    expect(extractDescriptors([c('DATE-OBS', '2024-03-01'), c('UT', 3.5)]).dateObs).toBe('2024-03-01T03:30:00');
    expect(extractDescriptors([c('DATE-OBS', '31/12/95'), c('TIME-OBS', '23:00:00')]).dateObs).toBe('1995-12-31T23:00:00');
    const dateOnly = extractDescriptors([c('DATE-OBS', '2024-03-01')]);
    expect(dateOnly.dateObs).toBe('2024-03-01');
    expect(dateOnly.mjd).toBeUndefined();
    expect(dateOnly.night).toBeUndefined();
    expect(extractDescriptors([c('DATE-OBS', '2024-02-30T00:00:00')]).dateObs).toBeUndefined();
    expect(extractDescriptors([c('DATE-OBS', 'yesterday')]).dateObs).toBeUndefined();
  });

  it('derives DATE-OBS from MJD-OBS when the date is missing or has no time', () => {
    const d = extractDescriptors([c('MJD-OBS', 60000.25)]);
    expect(d).toMatchObject({ dateObs: '2023-02-25T06:00:00', mjd: 60000.25, night: '2023-02-24', sources: { dateObs: 'MJD-OBS' } });
    expect(extractDescriptors([c('DATE-OBS', '2023-02-25'), c('MJD-OBS', 60000.5)]).dateObs).toBe('2023-02-25T12:00:00');
  });

  it('shifts the night by the site longitude (morning frames belong to the night before)', () => {
    // Mauna Kea, 16:00 UTC = 05:38 local on May 10: still the night of May 9.
    const mk = [c('DATE-OBS', '2024-05-10T16:00:00'), c('SITELONG', -155.47)];
    expect(extractDescriptors(mk).night).toBe('2024-05-09');
    expect(extractDescriptors([mk[0]]).night).toBe('2024-05-10'); // UTC - 12 h alone gets this wrong
    // Siding Spring, 11:00 UTC = 20:56 local on May 10: the night of May 10.
    expect(extractDescriptors([c('DATE-OBS', '2024-05-10T11:00:00'), c('SITELONG', '+149 03 52')]).night).toBe('2024-05-10');
    expect(extractDescriptors([c('DATE-OBS', '2024-05-10T11:00:00'), c('OBSGEO-L', 149.06)]).night).toBe('2024-05-10');
    expect(extractDescriptors([c('DATE-OBS', '2024-05-10T11:00:00')]).night).toBe('2024-05-09');
  });

  it('keeps RA/Dec as written and falls back from blank RA to OBJCTRA', () => {
    const d = extractDescriptors([c('RA', ''), c('OBJCTRA', '10 00 00'), c('DEC', -5.5)]);
    expect(d).toMatchObject({ ra: '10 00 00', dec: -5.5, sources: { ra: 'OBJCTRA', dec: 'DEC' } });
  });
});
