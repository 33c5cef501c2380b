/**
 * Header cards of a simulated raw frame, in the style MaxIm DL / N.I.N.A.
 * write (IMAGETYP 'Bias Frame', EGAIN, XBINNING, OBJCTRA) with the IRAF/NOAO
 * keywords (OBSTYPE, CCDSUM, RDNOISE, BIASSEC/DATASEC/TRIMSEC) beside them,
 * so every translator of the classifier has something to recognise.
 */
import type { Card } from '../fits/types';
import { localSiderealDeg, sexagesimal } from './astro';
import { DETECTOR, SITE, TARGETS, type ResolvedOptions } from './options';
import type { FramePlan } from './plan';

const IMAGETYP = { bias: 'Bias Frame', flat: 'Flat Field', science: 'Light Frame' } as const;
const OBSTYPE = { bias: 'BIAS', flat: 'FLAT', science: 'OBJECT' } as const;

/** 'YYYY-MM-DDTHH:MM:SS.sss' (UTC, no zone letter, as cameras write it). */
export function isoDateObs(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 23);
}

/** FITS section strings of the raw layout (1-based, inclusive, x first). */
export function sections(o: ResolvedOptions): { biassec: string; datasec: string } {
  const w = o.width;
  const first = w + 1 + DETECTOR.overscanContaminated;
  return {
    biassec: `[${first}:${w + DETECTOR.overscan},1:${o.height}]`,
    datasec: `[1:${w},1:${o.height}]`,
  };
}

function card(key: string, value: Card['value'], comment?: string): Card {
  return comment === undefined ? { key, value } : { key, value, comment };
}

export function frameCards(f: FramePlan, o: ResolvedOptions): Card[] {
  const { biassec, datasec } = sections(o);
  const mid = f.startUtc + (f.exptime * 1000) / 2;
  const cards: Card[] = [
    card('IMAGETYP', IMAGETYP[f.kind], 'Type of image'),
    card('OBSTYPE', OBSTYPE[f.kind], 'Observation type'),
    card('OBJECT', f.object, 'Target or calibration'),
  ];
  if (f.kind !== 'bias') cards.push(card('FILTER', f.filter, 'Filter name'));
  cards.push(
    card('EXPTIME', f.exptime, '[s] Exposure time'),
    card('EXPOSURE', f.exptime, '[s] Exposure time'),
    card('DATE-OBS', isoDateObs(f.startUtc), 'UTC start of exposure'),
    card('MJD-OBS', Math.round((f.startUtc / 86400000 + 40587) * 1e8) / 1e8, 'Modified Julian Date of exposure start'),
    card('TELESCOP', DETECTOR.telescope, 'Telescope'),
    card('INSTRUME', DETECTOR.instrument, 'Camera'),
    card('DETECTOR', DETECTOR.detector, 'Detector'),
    card('OBSERVAT', DETECTOR.observatory, 'Observatory'),
    card('SITELAT', SITE.latitudeDeg, '[deg] Site latitude'),
    card('SITELONG', SITE.longitudeDeg, '[deg] Site longitude, east positive'),
    card('GAIN', DETECTOR.gain, '[e-/ADU] Gain'),
    card('EGAIN', DETECTOR.gain, '[e-/ADU] Electronic gain'),
    card('RDNOISE', DETECTOR.readNoise, '[e-] Read noise'),
    card('SATURATE', DETECTOR.saturate, '[ADU] Saturation level'),
    card('BUNIT', 'ADU', 'Pixel unit'),
    card('CCDSUM', '1 1', 'Binning x y'),
    card('XBINNING', 1, 'Binning in x'),
    card('YBINNING', 1, 'Binning in y'),
    card('BIASSEC', biassec, 'Overscan used for bias (first column left out)'),
    card('DATASEC', datasec, 'Image area'),
    card('TRIMSEC', datasec, 'Section kept after trimming'),
    card('CCDSEC', datasec, 'Detector area read out'),
    card('CCD-TEMP', DETECTOR.ccdTemp, '[C] Sensor temperature'),
    card('SET-TEMP', DETECTOR.ccdTemp, '[C] Sensor set point'),
  );
  if (f.kind !== 'bias') {
    // Twilight flats point near the zenith; science frames at their target.
    const ra = f.kind === 'science' ? TARGETS[f.target].raDeg : localSiderealDeg(mid, SITE.longitudeDeg);
    const dec = f.kind === 'science' ? TARGETS[f.target].decDeg : SITE.latitudeDeg;
    cards.push(
      card('RA', Math.round(ra * 1e5) / 1e5, '[deg] Pointing right ascension'),
      card('DEC', Math.round(dec * 1e5) / 1e5, '[deg] Pointing declination'),
      card('OBJCTRA', sexagesimal(ra / 15, 1, false).replace(/:/g, ' '), 'Right ascension (J2000)'),
      card('OBJCTDEC', sexagesimal(dec, 0, true).replace(/:/g, ' '), 'Declination (J2000)'),
      card('EQUINOX', 2000.0, 'Equinox of coordinates'),
      card('AIRMASS', f.airmass, 'Airmass at mid-exposure'),
    );
  }
  cards.push(
    card('COMMENT', null, 'SIMULATED DATA from the workbench demo-night generator; not real.'),
    card('COMMENT', null, `Demo night seed ${o.seed}, frame ${f.index}.`),
  );
  return cards;
}
