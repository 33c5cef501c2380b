/**
 * Just enough positional astronomy for believable AIRMASS values: sidereal
 * time, altitude of a field, and an airmass formula that stays finite near
 * the horizon. Accuracy of a few arcminutes is plenty for a simulation.
 */

const DEG = Math.PI / 180;

/** Julian date of a UTC time in ms since 1970. */
export function julianDate(utcMs: number): number {
  return utcMs / 86400000 + 2440587.5;
}

/** Local sidereal time in degrees (0..360) at a longitude (east positive). */
export function localSiderealDeg(utcMs: number, longitudeDeg: number): number {
  const d = julianDate(utcMs) - 2451545.0;
  const gmst = 280.46061837 + 360.98564736629 * d;
  return (((gmst + longitudeDeg) % 360) + 360) % 360;
}

/** Altitude above the horizon, degrees. */
export function altitudeDeg(utcMs: number, raDeg: number, decDeg: number, latDeg: number, lonDeg: number): number {
  const ha = (localSiderealDeg(utcMs, lonDeg) - raDeg) * DEG;
  const s = Math.sin(latDeg * DEG) * Math.sin(decDeg * DEG) + Math.cos(latDeg * DEG) * Math.cos(decDeg * DEG) * Math.cos(ha);
  return Math.asin(Math.max(-1, Math.min(1, s))) / DEG;
}

/** Kasten & Young (1989) airmass: sec(z) near zenith, finite (~38) at the horizon. */
export function airmass(altDeg: number): number {
  const a = Math.max(altDeg, 0);
  return 1 / (Math.sin(a * DEG) + 0.50572 * Math.pow(a + 6.07995, -1.6364));
}

/** '12:34:56.78' from degrees / 15 (hours) or degrees; sign kept for declinations. */
export function sexagesimal(value: number, decimals: number, signed: boolean): string {
  const sign = value < 0 ? '-' : signed ? '+' : '';
  let v = Math.abs(value);
  let h = Math.floor(v);
  v = (v - h) * 60;
  let m = Math.floor(v);
  let s = (v - m) * 60;
  // Carry rounding (59.996 -> 60.00) into minutes and hours.
  if (Number(s.toFixed(decimals)) >= 60) { s = 0; m += 1; }
  if (m >= 60) { m = 0; h += 1; }
  const ss = s.toFixed(decimals).padStart(decimals > 0 ? decimals + 3 : 2, '0');
  return `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${ss}`;
}
