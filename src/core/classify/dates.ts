/**
 * Observation time from the many ways headers write it, plus MJD and the
 * observing night. All times are UTC (FITS DATE-OBS is UTC unless TIMESYS
 * says otherwise, and camera software that writes local time uses DATE-LOC).
 */

const MS_PER_DAY = 86_400_000;
/** MJD of the Unix epoch 1970-01-01T00:00:00. */
const MJD_UNIX_EPOCH = 40_587;

/** Milliseconds since the Unix epoch, or undefined for an impossible date. */
function utcMs(y: number, mo: number, d: number, seconds = 0): number | undefined {
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 31)) return undefined;
  const ms = Date.UTC(y, mo - 1, d) + Math.round(seconds * 1000);
  // Date.UTC rolls 2024-02-31 over to March: reject it instead.
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  return ms;
}

/**
 * Seconds since midnight from 'hh:mm:ss.sss', 'hh mm ss' or a number of
 * decimal hours (some IRAF-era headers write UT = 3.2541).
 */
export function parseTimeOfDay(v: string | number): number | undefined {
  if (typeof v === 'number') return v >= 0 && v < 24 ? v * 3600 : undefined;
  const m = /^\s*(\d{1,2})[:\s](\d{1,2})(?:[:\s](\d{1,2}(?:\.\d*)?))?\s*$/.exec(v);
  if (!m) {
    const hours = /^\s*\d+(\.\d*)?\s*$/.test(v) ? Number(v) : NaN;
    return hours >= 0 && hours < 24 ? hours * 3600 : undefined;
  }
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 24 || mi >= 60 || s >= 61) return undefined;
  return h * 3600 + mi * 60 + s;
}

export interface ParsedDate {
  /** Milliseconds since the Unix epoch (UTC). */
  ms: number;
  /** False when only a calendar date was given: the time of day is unknown. */
  hasTime: boolean;
}

/**
 * Parse a DATE-OBS value: 'YYYY-MM-DDThh:mm:ss[.sss][Z]', 'YYYY-MM-DD hh:mm:ss',
 * 'YYYY-MM-DD', or the pre-1999 FITS form 'DD/MM/YY' (years 19YY, as the FITS
 * standard defined it). `timeOfDay` (seconds, from TIME-OBS/UT/...) completes a
 * date-only value.
 */
export function parseDateObs(value: string, timeOfDay?: number): ParsedDate | undefined {
  const v = value.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d*)?))?)?Z?$/.exec(v);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (m[4] !== undefined) {
      const secs = Number(m[4]) * 3600 + Number(m[5]) * 60 + (m[6] ? Number(m[6]) : 0);
      const ms = utcMs(y, mo, d, secs);
      return ms === undefined ? undefined : { ms, hasTime: true };
    }
    const ms = utcMs(y, mo, d, timeOfDay ?? 0);
    return ms === undefined ? undefined : { ms, hasTime: timeOfDay !== undefined };
  }
  m = /^(\d{2})\/(\d{2})\/(\d{2})$/.exec(v);
  if (m) {
    const ms = utcMs(1900 + Number(m[3]), Number(m[2]), Number(m[1]), timeOfDay ?? 0);
    return ms === undefined ? undefined : { ms, hasTime: timeOfDay !== undefined };
  }
  return undefined;
}

/** 'YYYY-MM-DDThh:mm:ss' with '.sss' only when the milliseconds are not zero. */
export function formatIso(ms: number, hasTime = true): string {
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDThh:mm:ss.sssZ
  if (!hasTime) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

export function msToMjd(ms: number): number {
  return ms / MS_PER_DAY + MJD_UNIX_EPOCH;
}

export function mjdToMs(mjd: number): number {
  return (mjd - MJD_UNIX_EPOCH) * MS_PER_DAY;
}

/**
 * Longitude in degrees east, from a number or a string in decimal or
 * sexagesimal degrees ('-110 43 59', '+17:52:36'). East-positive is the FITS
 * convention (OBSGEO-L, LONG-OBS), what MaxIm DL and N.I.N.A. write in
 * SITELONG and what ESO writes in TEL GEOLON. Normalized to (-180, 180].
 */
export function parseLongitude(v: string | number | boolean): number | undefined {
  let deg: number;
  if (typeof v === 'number') deg = v;
  else if (typeof v === 'string') {
    const s = v.trim();
    const m = /^([+-]?)(\d+(?:\.\d*)?)(?:[:\s]+(\d+(?:\.\d*)?)(?:[:\s]+(\d+(?:\.\d*)?))?)?$/.exec(s);
    if (!m) return undefined;
    const mag = Number(m[2]) + (m[3] ? Number(m[3]) / 60 : 0) + (m[4] ? Number(m[4]) / 3600 : 0);
    deg = m[1] === '-' ? -mag : mag;
  } else return undefined;
  if (!Number.isFinite(deg) || Math.abs(deg) > 360) return undefined;
  if (deg > 180) deg -= 360;
  if (deg <= -180) deg += 360;
  return deg;
}

/**
 * The observing night, named by the local calendar date on which it began:
 * take the local mean solar time (UTC + longitude/15 h; UTC when the longitude
 * is unknown) and step back 12 h, so that everything from local noon to the
 * next local noon falls on one night.
 */
export function observingNight(ms: number, longitudeDeg?: number): string {
  const shiftH = (longitudeDeg ?? 0) / 15 - 12;
  return new Date(ms + shiftH * 3_600_000).toISOString().slice(0, 10);
}
