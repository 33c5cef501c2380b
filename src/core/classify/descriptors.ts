/**
 * Header -> normalized descriptors (DRAGONS' word for "what this frame is":
 * exposure, filter, binning, ...). Every descriptor remembers which keyword
 * decided it, so the UI can answer "why is this frame in filter R?".
 *
 * A descriptor that no keyword gives is left undefined: association must be
 * able to tell "unknown" from a value, so nothing here guesses.
 */
import type { Card } from '../fits/types';
import {
  formatIso, mjdToMs, msToMjd, observingNight, parseDateObs, parseLongitude, parseTimeOfDay,
} from './dates';
import { HeaderLookup, type HduName } from './headerLookup';

export interface Descriptors {
  /** Exposure time, seconds. */
  exptime?: number;
  /** Filter name; for two-wheel instruments the non-open slots joined with '&'. */
  filter?: string;
  /** Start of exposure, UTC, 'YYYY-MM-DDThh:mm:ss[.sss]' (date only when the header has no time). */
  dateObs?: string;
  mjd?: number;
  /** Observing night, 'YYYY-MM-DD': local date at the start of the night. */
  night?: string;
  /** 'XxY', e.g. '2x2'. */
  binning?: string;
  binX?: number;
  binY?: number;
  /** Electrons per ADU. */
  gain?: number;
  /** Camera gain *setting* (CMOS cameras: N.I.N.A., ZWO, SharpCap write it as GAIN). Not e-/ADU. */
  gainSetting?: number;
  /** CMOS offset (pedestal) setting. */
  offset?: number;
  /** Read noise, electrons. */
  readNoise?: number;
  /** Saturation level, ADU. */
  saturation?: number;
  object?: string;
  instrument?: string;
  detector?: string;
  telescope?: string;
  observer?: string;
  /** Readout configuration used for association: mode, speed, amplifier, CMOS gain/offset settings. */
  readout?: string;
  /** 'NAXIS1xNAXIS2', e.g. '2048x2048'. */
  shape?: string;
  width?: number;
  height?: number;
  biassec?: string;
  datasec?: string;
  trimsec?: string;
  ccdsec?: string;
  /** Degrees Celsius. */
  ccdTemp?: number;
  airmass?: number;
  ra?: string | number;
  dec?: string | number;
  bunit?: string;
  /**
   * Grating or grism as written, empty-slot words included ('MIRROR' on GMOS
   * imaging, 'Open (Lyot)' on ALFOSC, 'Free' on EFOSC2). imaging.ts judges it.
   */
  disperser?: string;
  /** Slit, decker or focal-plane mask as written ('None', 'Open' and '1.0arcsec' alike). */
  slit?: string;
  /** Observing mode or technique as written ('IMG', 'LSS', 'SPECTRUM', 'OsirisBroadBandImage'). */
  obsmode?: string;
}

export type DescriptorKey = keyof Descriptors;

export interface DescriptorSet extends Descriptors {
  /** For each defined descriptor: the keyword(s) that decided it, e.g. { filter: 'FILTER2' }. */
  sources: Partial<Record<DescriptorKey, string>>;
  /** For each defined descriptor read from a single header: which HDU it came from. */
  sourceHdu: Partial<Record<DescriptorKey, HduName>>;
}

const EXPTIME_KEYS = ['EXPTIME', 'EXPOSURE', 'EXP_TIME', 'EXPTIM', 'EXPOSURE TIME', 'EXP TIME', 'ITIME'];
export const READNOISE_KEYS = ['RDNOISE', 'READNOIS', 'RON', 'READNOISE', 'ESO DET OUT1 RON'];
const SATURATION_KEYS = ['SATURATE', 'SATLEVEL', 'DATAMAX'];
const TEMP_KEYS = ['CCD-TEMP', 'CCDTEMP', 'CCD_TEMP', 'CCDATEMP', 'DET-TEMP', 'SET-TEMP', 'CCDSTEMP'];
const AIRMASS_KEYS = ['AIRMASS', 'SECZ', 'ESO TEL AIRM START'];
const TIME_KEYS = ['TIME-OBS', 'UT', 'UTSTART', 'UT-START', 'UTC-OBS'];
const LONGITUDE_KEYS = ['SITELONG', 'LONGITUD', 'OBSGEO-L', 'LONG-OBS', 'ESO TEL GEOLON'];
const SINGLE_FILTER_KEYS = ['FILTER', 'FILTERS', 'FILTNAM', 'INSFILTE', 'ESO INS FILT1 NAME'];
/** Filter-wheel slot pairs that are combined DRAGONS-style (GMOS FILTER1/2, WFPC2 FILTNAM1/2, ACS FILTER1/2). */
const FILTER_SLOT_SETS = [['FILTER1', 'FILTER2', 'FILTER3'], ['FILTNAM1', 'FILTNAM2']];
/**
 * Disperser in the beam. GMOS writes GRATING ('MIRROR' for imaging), SOAR
 * Goodman GRATING ('<NO GRATING>'), GTC OSIRIS and NOTCam GRISM ('OPEN'),
 * NOT ALFOSC ALGRNM ('Open (Lyot)'), FORS/EFOSC2 ESO INS GRIS1 NAME ('Free' on
 * EFOSC2 imaging), ESO grating instruments ESO INS GRAT NAME; DISPERSR and
 * DISPERSER are generic.
 */
const DISPERSER_KEYS = ['GRATING', 'GRISM', 'DISPERSR', 'DISPERSER', 'ESO INS GRIS1 NAME', 'ESO INS GRAT NAME', 'ALGRNM'];
/**
 * Slit, decker or mask. GMOS MASKNAME ('None' for imaging), Goodman SLIT
 * ('<NO MASK>'), SLITNAME, DECKER (echelle deckers), EFOSC2 ESO INS SLIT1
 * NAME ('Free'), FORS/X-shooter ESO INS SLIT NAME, ALFOSC ALAPRTNM ('Open').
 * APERTURE is read last and only when its text names a slit: elsewhere it is
 * the telescope's aperture (a diameter) or an IRAF aperture number.
 */
const SLIT_KEYS = ['MASKNAME', 'SLIT', 'SLITNAME', 'DECKER', 'ESO INS SLIT1 NAME', 'ESO INS SLIT NAME', 'ALAPRTNM'];
/** Observing mode: OSIRIS OBSMODE, ALFOSC OBS_MODE, INSTMODE, FORS ESO INS MODE ('IMG', 'LSS'), ESO DPR TECH. */
const OBSMODE_KEYS = ['OBSMODE', 'OBS_MODE', 'INSTMODE', 'ESO INS MODE', 'ESO DPR TECH'];
/** Software whose GAIN is a sensor setting rather than e-/ADU. */
const CMOS_SOFTWARE = /N\.I\.N\.A\.|ASIAIR|SharpCap|KStars|Ekos/i;

/** A wheel slot with nothing in the beam: 'open', 'open1-6', 'Clear', 'CLEAR1L', 'empty', 'none', 'air'. */
export function isEmptyFilterSlot(name: string): boolean {
  const s = name.trim().toLowerCase();
  return s === '' || s === 'none' || s === 'air' || /^(open|clear|empty)/.test(s);
}

/** Drop Gemini's component id ('r_G0303' -> 'r'), as DRAGONS' pretty filter_name does. */
function stripComponentId(name: string): string {
  return name.replace(/_G\d{4}$/i, '');
}

export function extractDescriptors(primary: readonly Card[], image?: readonly Card[]): DescriptorSet {
  const h = new HeaderLookup(primary, image);
  const out: DescriptorSet = { sources: {}, sourceHdu: {} };
  const set = <K extends DescriptorKey>(
    field: K,
    hit: { key: string; value: NonNullable<Descriptors[K]>; hdu?: HduName } | undefined,
  ) => {
    if (!hit) return;
    out[field] = hit.value as DescriptorSet[K];
    out.sources[field] = hit.key;
    if (hit.hdu) out.sourceHdu[field] = hit.hdu;
  };

  const exptime = h.firstNum(EXPTIME_KEYS);
  if (exptime && exptime.value >= 0) set('exptime', exptime);

  set('filter', filterOf(h));
  setTimes(h, set);
  setBinning(h, set);
  setGain(h, set);
  set('readNoise', h.firstNum(READNOISE_KEYS));
  set('saturation', h.firstNum(SATURATION_KEYS));
  set('object', h.str('OBJECT'));
  set('instrument', h.str('INSTRUME'));
  set('detector', h.firstStr(['DETECTOR', 'CCDNAME', 'ESO DET CHIP1 NAME']));
  set('telescope', h.str('TELESCOP'));
  set('observer', h.str('OBSERVER'));
  set('readout', readoutOf(h, out));
  setShape(h, set);
  set('biassec', h.str('BIASSEC'));
  set('datasec', h.str('DATASEC'));
  set('trimsec', h.str('TRIMSEC'));
  set('ccdsec', h.str('CCDSEC'));
  set('ccdTemp', h.firstNum(TEMP_KEYS));
  set('airmass', h.firstNum(AIRMASS_KEYS));
  set('ra', coordinate(h, ['RA', 'OBJCTRA', 'TELRA']));
  set('dec', coordinate(h, ['DEC', 'OBJCTDEC', 'TELDEC']));
  set('bunit', h.str('BUNIT'));
  set('disperser', h.firstStr(DISPERSER_KEYS));
  set('slit', slitOf(h));
  set('obsmode', h.firstStr(OBSMODE_KEYS));
  return out;
}

function slitOf(h: HeaderLookup): { key: string; value: string; hdu: HduName } | undefined {
  const hit = h.firstStr(SLIT_KEYS);
  if (hit) return hit;
  const aperture = h.get('APERTURE');
  if (aperture && typeof aperture.value === 'string' && /slit|arcsec/i.test(aperture.value)) return h.str('APERTURE');
  return undefined;
}

/** RA/Dec exactly as written (degrees as a number, or a sexagesimal string): converting is the WCS code's job. */
function coordinate(h: HeaderLookup, keys: string[]): { key: string; value: string | number; hdu: HduName } | undefined {
  for (const k of keys) {
    const hit = h.get(k);
    if (hit && typeof hit.value === 'number') return { key: hit.key, value: hit.value, hdu: hit.hdu };
    const s = h.str(k);
    if (s) return s;
  }
  return undefined;
}

type Setter = <K extends DescriptorKey>(
  field: K,
  hit: { key: string; value: NonNullable<Descriptors[K]>; hdu?: HduName } | undefined,
) => void;

function filterOf(h: HeaderLookup): { key: string; value: string; hdu?: HduName } | undefined {
  const single = h.firstStr(SINGLE_FILTER_KEYS);
  if (single) return single;
  for (const slots of FILTER_SLOT_SETS) {
    const present = slots.map((k) => h.str(k)).filter((x) => x !== undefined);
    if (present.length === 0) continue;
    const inBeam = present.filter((x) => !isEmptyFilterSlot(x.value));
    // Every slot open: the frame really was taken without a filter, which is a value, not a gap.
    if (inBeam.length === 0) return { key: present.map((x) => x.key).join('+'), value: 'open' };
    return {
      key: inBeam.map((x) => x.key).join('+'),
      value: inBeam.map((x) => stripComponentId(x.value)).join('&'),
      hdu: inBeam.length === 1 ? inBeam[0].hdu : undefined,
    };
  }
  return undefined;
}

function setTimes(h: HeaderLookup, set: Setter): void {
  let ms: number | undefined;
  let hasTime = false;
  let dateSource: string | undefined;
  const dateHit = h.firstStr(['DATE-OBS', 'DATE-BEG']);
  if (dateHit) {
    let timeOfDay: number | undefined;
    let timeKey: string | undefined;
    for (const k of TIME_KEYS) {
      const t = h.get(k);
      if (!t || typeof t.value === 'boolean') continue;
      const secs = parseTimeOfDay(t.value);
      if (secs !== undefined) {
        timeOfDay = secs;
        timeKey = t.key;
        break;
      }
    }
    const parsed = parseDateObs(dateHit.value, timeOfDay);
    if (parsed) {
      ms = parsed.ms;
      hasTime = parsed.hasTime;
      // A time keyword only counts as a source when the date value needed it.
      const usedTime = hasTime && timeKey !== undefined && !/[T ]\d/.test(dateHit.value.trim());
      dateSource = usedTime ? `${dateHit.key}+${timeKey}` : dateHit.key;
      set('dateObs', { key: dateSource, value: formatIso(ms, hasTime), hdu: usedTime ? undefined : dateHit.hdu });
    }
  }

  const mjdHit = h.num('MJD-OBS');
  if (mjdHit) {
    set('mjd', mjdHit);
    if (ms === undefined || !hasTime) {
      ms = mjdToMs(mjdHit.value);
      hasTime = true;
      dateSource = mjdHit.key;
      set('dateObs', { key: mjdHit.key, value: formatIso(ms), hdu: mjdHit.hdu });
    }
  } else if (ms !== undefined && hasTime && dateSource) {
    set('mjd', { key: dateSource, value: msToMjd(ms) });
  }

  // Without a time of day the night is ambiguous (the date may be before or after local midnight).
  if (ms !== undefined && hasTime && dateSource) {
    let lon: number | undefined;
    let lonKey: string | undefined;
    for (const k of LONGITUDE_KEYS) {
      const hit = h.get(k);
      const v = hit ? parseLongitude(hit.value) : undefined;
      if (hit && v !== undefined) {
        lon = v;
        lonKey = hit.key;
        break;
      }
    }
    set('night', { key: lonKey ? `${dateSource}+${lonKey}` : dateSource, value: observingNight(ms, lon) });
  }
}

function setBinning(h: HeaderLookup, set: Setter): void {
  let pair: { x: number; y: number; key: string; hdu?: HduName } | undefined;
  const ccdsum = h.str('CCDSUM');
  const m = ccdsum && /^(\d+)\s*[\sx,]\s*(\d+)$/i.exec(ccdsum.value);
  if (ccdsum && m) pair = { x: Number(m[1]), y: Number(m[2]), key: ccdsum.key, hdu: ccdsum.hdu };
  const pairs: [string, string][] = [
    ['XBINNING', 'YBINNING'], ['CCDBIN1', 'CCDBIN2'], ['BINX', 'BINY'], ['ESO DET WIN1 BINX', 'ESO DET WIN1 BINY'],
  ];
  for (const [kx, ky] of pairs) {
    if (pair) break;
    const x = h.num(kx);
    const y = h.num(ky);
    if (x && y) pair = { x: x.value, y: y.value, key: `${x.key}+${y.key}`, hdu: x.hdu === y.hdu ? x.hdu : undefined };
  }
  if (!pair) {
    const b = h.get('BINNING');
    if (b && typeof b.value === 'number') pair = { x: b.value, y: b.value, key: b.key, hdu: b.hdu };
    const bm = b && typeof b.value === 'string' ? /^\s*(\d+)\s*[x\s,]\s*(\d+)\s*$/i.exec(b.value) : null;
    if (b && bm) pair = { x: Number(bm[1]), y: Number(bm[2]), key: b.key, hdu: b.hdu };
  }
  if (!pair || !(pair.x >= 1 && pair.y >= 1 && Number.isInteger(pair.x) && Number.isInteger(pair.y))) return;
  set('binX', { key: pair.key, value: pair.x, hdu: pair.hdu });
  set('binY', { key: pair.key, value: pair.y, hdu: pair.hdu });
  set('binning', { key: pair.key, value: `${pair.x}x${pair.y}`, hdu: pair.hdu });
}

/**
 * GAIN means e-/ADU in professional headers, but CMOS capture software
 * (N.I.N.A., ZWO ASIAIR, SharpCap, Ekos) writes the camera's gain *setting*
 * there and, when it knows it, the conversion factor as EGAIN. Signs that GAIN
 * is a setting: such software in SWCREATE/CREATOR/SOFTWARE, an EGAIN card, or a
 * CMOS OFFSET card beside an integer GAIN.
 */
function setGain(h: HeaderLookup, set: Setter): void {
  const software = h.firstStr(['SWCREATE', 'CREATOR', 'SOFTWARE', 'PROGRAM']);
  const egain = h.num('EGAIN');
  const gain = h.num('GAIN');
  const offset = h.num('OFFSET');
  const cmosStyle = (software !== undefined && CMOS_SOFTWARE.test(software.value))
    || egain !== undefined
    || (offset !== undefined && gain !== undefined && Number.isInteger(gain.value));
  if (cmosStyle) {
    if (egain && egain.value > 0) set('gain', egain);
    if (gain) set('gainSetting', gain);
    if (offset) set('offset', offset);
    return;
  }
  if (gain && gain.value > 0) {
    set('gain', gain);
    return;
  }
  // ESO: DET OUT1 CONAD is e-/ADU (DET OUT1 GAIN is its inverse, ADU/e-).
  const conad = h.num('ESO DET OUT1 CONAD');
  if (conad && conad.value > 0) set('gain', conad);
}

/** Readout configuration: whatever of mode, speed, amplifier and CMOS settings the header gives. */
function readoutOf(h: HeaderLookup, d: DescriptorSet): { key: string; value: string } | undefined {
  const parts: string[] = [];
  const keys: string[] = [];
  const groups = [
    ['READMODE', 'READOUTM', 'READOUT', 'ESO DET READ MODE'],
    ['RDSPEED', 'READSPD', 'ESO DET READ SPEED', 'ESO DET READ CLOCK'],
    ['AMPNAME'],
  ];
  for (const g of groups) {
    const hit = h.firstStr(g);
    if (hit) {
      parts.push(hit.value);
      keys.push(hit.key);
    }
  }
  if (d.gainSetting !== undefined && d.sources.gainSetting) {
    parts.push(`gain ${d.gainSetting}`);
    keys.push(d.sources.gainSetting);
  }
  if (d.offset !== undefined && d.sources.offset) {
    parts.push(`offset ${d.offset}`);
    keys.push(d.sources.offset);
  }
  return parts.length ? { key: keys.join('+'), value: parts.join(', ') } : undefined;
}

function setShape(h: HeaderLookup, set: Setter): void {
  // Tile-compressed images read raw carry the real shape in ZNAXISn (NAXISn describe the table).
  const compressed = h.get('ZIMAGE')?.value === true;
  const w = compressed ? h.num('ZNAXIS1') : h.num('NAXIS1');
  const hh = compressed ? h.num('ZNAXIS2') : h.num('NAXIS2');
  if (!w || !hh || w.value <= 0 || hh.value <= 0) return;
  const hdu = w.hdu === hh.hdu ? w.hdu : undefined;
  set('width', w);
  set('height', hh);
  set('shape', { key: `${w.key}+${hh.key}`, value: `${w.value}x${hh.value}`, hdu });
}
