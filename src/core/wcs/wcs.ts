/**
 * Celestial WCS of an image header (FITS WCS papers I and II, Greisen &
 * Calabretta 2002; Calabretta & Greisen 2002): pixel -> RA/Dec for the
 * zenithal projections cameras and astrometry.net write — TAN (gnomonic),
 * SIN, ARC and STG — with the linear part from CDi_j, or PCi_j with CDELTi,
 * or CDELTi with CROTA2 (the old AIPS convention), and the SIP polynomial
 * distortion (TAN-SIP: A_p_q, B_p_q) that astrometry.net adds.
 *
 * Only the forward direction (pixel to sky) is needed: the inspector reads
 * coordinates under the cursor. Pixel coordinates are FITS's: 1-based,
 * pixel centres at integers.
 */
import type { Card } from '../fits/types';

export type Projection = 'TAN' | 'SIN' | 'ARC' | 'STG';

export interface CelestialWcs {
  projection: Projection;
  crpix: [number, number];
  /** RA and Dec of the reference point, degrees. */
  crval: [number, number];
  /** Pixel offset -> intermediate world coordinates (degrees): [cd11, cd12, cd21, cd22]. */
  cd: [number, number, number, number];
  /** Native longitude of the celestial pole, degrees (LONPOLE; 180 for zenithal projections). */
  lonpole: number;
  /** RADESYS (ICRS, FK5, ...) and EQUINOX, for the label. */
  frame: string;
  sip?: { a: Map<string, number>; b: Map<string, number>; aOrder: number; bOrder: number };
  /** Axis 1 is Dec and axis 2 RA (CTYPE1 = 'DEC--TAN'): swap the outputs. */
  swapped: boolean;
}

const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;

function cardMap(cards: readonly Card[]): Map<string, Card['value']> {
  const m = new Map<string, Card['value']>();
  for (const c of cards) if (c.value !== null && !m.has(c.key)) m.set(c.key.trim().toUpperCase(), c.value);
  return m;
}

function num(m: Map<string, Card['value']>, key: string): number | undefined {
  const v = m.get(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The celestial WCS the cards describe, or undefined when they describe none this reader handles. */
export function readWcs(cards: readonly Card[]): CelestialWcs | undefined {
  const m = cardMap(cards);
  const t1 = String(m.get('CTYPE1') ?? '').toUpperCase();
  const t2 = String(m.get('CTYPE2') ?? '').toUpperCase();
  const celestial = /^(RA--|DEC-|GLON|GLAT|ELON|ELAT)/;
  if (!celestial.test(t1) || !celestial.test(t2)) return undefined;
  const proj = t1.slice(5, 8);
  if (!['TAN', 'SIN', 'ARC', 'STG'].includes(proj) || t2.slice(5, 8) !== proj) return undefined;
  const crpix1 = num(m, 'CRPIX1');
  const crpix2 = num(m, 'CRPIX2');
  const crval1 = num(m, 'CRVAL1');
  const crval2 = num(m, 'CRVAL2');
  if (crpix1 === undefined || crpix2 === undefined || crval1 === undefined || crval2 === undefined) return undefined;

  let cd: [number, number, number, number] | undefined;
  if (['CD1_1', 'CD1_2', 'CD2_1', 'CD2_2'].some((k) => m.has(k))) {
    cd = [num(m, 'CD1_1') ?? 0, num(m, 'CD1_2') ?? 0, num(m, 'CD2_1') ?? 0, num(m, 'CD2_2') ?? 0];
  } else {
    const c1 = num(m, 'CDELT1');
    const c2 = num(m, 'CDELT2');
    if (c1 === undefined || c2 === undefined) return undefined;
    if (['PC1_1', 'PC1_2', 'PC2_1', 'PC2_2'].some((k) => m.has(k))) {
      const pc = [num(m, 'PC1_1') ?? 1, num(m, 'PC1_2') ?? 0, num(m, 'PC2_1') ?? 0, num(m, 'PC2_2') ?? 1];
      cd = [c1 * pc[0], c1 * pc[1], c2 * pc[2], c2 * pc[3]];
    } else {
      // CROTA2: the rotation of the second axis (Greisen & Calabretta 2002, eq. 189).
      const rho = (num(m, 'CROTA2') ?? 0) * D2R;
      const c = Math.cos(rho);
      const s = Math.sin(rho);
      cd = [c1 * c, -c2 * s, c1 * s, c2 * c];
    }
  }
  if (!cd.every(Number.isFinite) || cd[0] * cd[3] - cd[1] * cd[2] === 0) return undefined;

  let sip: CelestialWcs['sip'];
  if (t1.endsWith('-SIP')) {
    const aOrder = num(m, 'A_ORDER') ?? 0;
    const bOrder = num(m, 'B_ORDER') ?? 0;
    const a = new Map<string, number>();
    const b = new Map<string, number>();
    for (const [k, v] of m) {
      const hit = /^([AB])_(\d+)_(\d+)$/.exec(k);
      if (hit && typeof v === 'number') (hit[1] === 'A' ? a : b).set(`${hit[2]}_${hit[3]}`, v);
    }
    sip = { a, b, aOrder, bOrder };
  }
  const equinox = num(m, 'EQUINOX') ?? num(m, 'EPOCH');
  const radesys = String(m.get('RADESYS') ?? m.get('RADECSYS') ?? (equinox !== undefined && equinox < 1984 ? 'FK4' : 'ICRS')).trim();
  const frame = radesys === 'FK5' || radesys === 'FK4' ? `${radesys} ${equinox ?? (radesys === 'FK5' ? 2000 : 1950)}` : radesys;
  return {
    projection: proj as Projection,
    crpix: [crpix1, crpix2],
    crval: [crval1, crval2],
    cd,
    lonpole: num(m, 'LONPOLE') ?? 180,
    frame,
    sip,
    swapped: t1.startsWith('DEC-'),
  };
}

function sipSum(coeffs: Map<string, number>, order: number, u: number, v: number): number {
  let s = 0;
  for (let p = 0; p <= order; p++) {
    for (let q = 0; q <= order - p; q++) {
      const c = coeffs.get(`${p}_${q}`);
      if (c) s += c * Math.pow(u, p) * Math.pow(v, q);
    }
  }
  return s;
}

/** Native latitude (degrees) at distance R (degrees) from the reference point, per projection. */
function nativeTheta(projection: Projection, R: number): number {
  switch (projection) {
    case 'TAN':
      return Math.atan2(R2D, R) * R2D;
    case 'SIN':
      return Math.acos(Math.min(1, R * D2R)) * R2D;
    case 'ARC':
      return 90 - R;
    case 'STG':
      return 90 - 2 * Math.atan((R * D2R) / 2) * R2D;
  }
}

/** RA and Dec (degrees, RA in [0, 360)) of FITS pixel (x, y), 1-based. NaN off the projection (SIN beyond the limb). */
export function pixelToWorld(wcs: CelestialWcs, x: number, y: number): { ra: number; dec: number } {
  let u = x - wcs.crpix[0];
  let v = y - wcs.crpix[1];
  if (wcs.sip) {
    const du = sipSum(wcs.sip.a, wcs.sip.aOrder, u, v);
    const dv = sipSum(wcs.sip.b, wcs.sip.bOrder, u, v);
    u += du;
    v += dv;
  }
  const [c11, c12, c21, c22] = wcs.cd;
  let ix = c11 * u + c12 * v;
  let iy = c21 * u + c22 * v;
  // The projection's x is the longitude axis.
  if (wcs.swapped) [ix, iy] = [iy, ix];
  const R = Math.hypot(ix, iy);
  if (wcs.projection === 'SIN' && R * D2R > 1) return { ra: NaN, dec: NaN };
  const phi = R === 0 ? 0 : Math.atan2(ix, -iy);
  const theta = nativeTheta(wcs.projection, R) * D2R;
  // Native spherical -> celestial (paper II eq. 2), reference point at the native pole (zenithal).
  const [a0, d0] = wcs.swapped ? [wcs.crval[1], wcs.crval[0]] : wcs.crval;
  const dp = d0 * D2R;
  const dphi = phi - wcs.lonpole * D2R;
  const sinT = Math.sin(theta), cosT = Math.cos(theta);
  const dec = Math.asin(Math.max(-1, Math.min(1, sinT * Math.sin(dp) + cosT * Math.cos(dp) * Math.cos(dphi))));
  const ra = a0 * D2R + Math.atan2(-cosT * Math.sin(dphi), sinT * Math.cos(dp) - cosT * Math.sin(dp) * Math.cos(dphi));
  let raDeg = (ra * R2D) % 360;
  if (raDeg < 0) raDeg += 360;
  return { ra: raDeg, dec: dec * R2D };
}

/** RA as h:m:s with `digits` decimals of seconds (carrying 60s into the next minute). */
export function formatRa(ra: number, digits = 3): string {
  if (!Number.isFinite(ra)) return '—';
  const scale = 10 ** digits;
  let t = Math.round(((ra / 15) * 3600) * scale) / scale;
  t = ((t % 86400) + 86400) % 86400;
  const h = Math.floor(t / 3600);
  const mnt = Math.floor((t - h * 3600) / 60);
  const s = t - h * 3600 - mnt * 60;
  return `${pad(h)}:${pad(mnt)}:${s.toFixed(digits).padStart(digits ? digits + 3 : 2, '0')}`;
}

/** Dec as ±d:m:s with `digits` decimals of seconds. */
export function formatDec(dec: number, digits = 2): string {
  if (!Number.isFinite(dec)) return '—';
  const sign = dec < 0 ? '-' : '+';
  const scale = 10 ** digits;
  const t = Math.round(Math.abs(dec) * 3600 * scale) / scale;
  const d = Math.floor(t / 3600);
  const mnt = Math.floor((t - d * 3600) / 60);
  const s = t - d * 3600 - mnt * 60;
  return `${sign}${pad(d)}:${pad(mnt)}:${s.toFixed(digits).padStart(digits ? digits + 3 : 2, '0')}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
