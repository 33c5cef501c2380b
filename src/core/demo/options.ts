/**
 * Options of the simulated night and the fixed facts of the simulated
 * observatory (detector, site, filters). Everything a frame needs is derived
 * from these and the seed, nothing else.
 */

export interface DemoOptions {
  /** Seed of every random stream of the night (default 42). */
  seed?: number;
  /** Image (data) area width in pixels, without the overscan strip (default 512). */
  width?: number;
  /** Image area height = number of rows (default 512). */
  height?: number;
  /** Bias frames, taken in the afternoon (default 5). */
  nBias?: number;
  /** Twilight flats per filter, taken at dusk (default 5). */
  nFlatPerFilter?: number;
  /** Filter names in observing order (default ['V', 'R']). */
  filters?: string[];
  /** Dithered science frames of the main target per filter (default 4). */
  nSciencePerFilter?: number;
  /** Science frames of a second target, in the last filter, at the end of the night (default 2). */
  nSecondTarget?: number;
  /** Progress callback, called after each file is written. */
  onFile?: (done: number, total: number) => void;
}

export interface ResolvedOptions {
  seed: number;
  width: number;
  height: number;
  nBias: number;
  nFlatPerFilter: number;
  filters: string[];
  nSciencePerFilter: number;
  nSecondTarget: number;
}

export function resolveOptions(opts: DemoOptions = {}): ResolvedOptions {
  const r: ResolvedOptions = {
    seed: opts.seed ?? 42,
    width: opts.width ?? 512,
    height: opts.height ?? 512,
    nBias: opts.nBias ?? 5,
    nFlatPerFilter: opts.nFlatPerFilter ?? 5,
    filters: opts.filters ?? ['V', 'R'],
    nSciencePerFilter: opts.nSciencePerFilter ?? 4,
    nSecondTarget: opts.nSecondTarget ?? 2,
  };
  const counts: [string, number][] = [
    ['nBias', r.nBias],
    ['nFlatPerFilter', r.nFlatPerFilter],
    ['nSciencePerFilter', r.nSciencePerFilter],
    ['nSecondTarget', r.nSecondTarget],
  ];
  for (const [k, v] of counts) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`demo night: ${k} must be a non-negative integer, got ${v}`);
  }
  // Below 32 px the star field, dithers and overscan model stop making sense.
  for (const [k, v] of [['width', r.width], ['height', r.height]] as const) {
    if (!Number.isInteger(v) || v < 32 || v > 8192) throw new RangeError(`demo night: ${k} must be an integer in 32..8192, got ${v}`);
  }
  if (!Number.isFinite(r.seed)) throw new RangeError(`demo night: seed must be a finite number, got ${r.seed}`);
  if (r.filters.length === 0 && r.nFlatPerFilter + r.nSciencePerFilter + r.nSecondTarget > 0) {
    throw new RangeError('demo night: at least one filter is needed for flats and science frames');
  }
  if (new Set(r.filters).size !== r.filters.length) throw new RangeError('demo night: filter names must be distinct');
  return r;
}

/** The simulated camera. Gain and read noise are what the headers say and what the noise really is. */
export const DETECTOR = {
  instrument: 'DemoCam',
  detector: 'DEMO-CCD',
  telescope: 'Demo 0.6m',
  observatory: 'Demo Observatory',
  /** e- per ADU. */
  gain: 1.5,
  /** Read noise in e-. */
  readNoise: 5.0,
  saturate: 65535,
  /** Nominal bias level in ADU at mid-frame. */
  biasLevel: 1000,
  /** Overscan columns to the right of the image area. */
  overscan: 32,
  /**
   * Overscan columns next to the image that charge-transfer inefficiency
   * contaminates with a trail of the last image column, so BIASSEC leaves
   * them out (like DRAGONS' nbiascontam).
   */
  overscanContaminated: 1,
  /** Fraction of the last image column's signal that trails into the first overscan column. */
  ctiTrail: 0.01,
  pixelScaleArcsec: 0.6,
  ccdTemp: -20,
} as const;

/** Site used for times and airmass (a Kitt Peak-like place, 7 h west of Greenwich). */
export const SITE = {
  latitudeDeg: 31.96,
  longitudeDeg: -111.6,
  elevationM: 2096,
} as const;

/** Photometric behaviour of one filter in the simulation. */
export interface FilterModel {
  /** Twilight-sky count rate at the first flat exposure, ADU/s before vignetting. */
  twilightRate: number;
  /** Night-sky rate, ADU per second at airmass 1. */
  skyRate: number;
  /** Science exposure time, s. */
  exptime: number;
  /** Star flux multiplier relative to V for a star of V-R = 0. */
  throughput: number;
  /** How strongly a star's colour (V-R) brightens it in this filter. */
  colourTerm: number;
  /** Extinction, magnitudes per airmass. */
  extinction: number;
  /** Vignetting depth at the corners (fraction). */
  vignetting: number;
}

const KNOWN_FILTERS: Record<string, FilterModel> = {
  U: { twilightRate: 900, skyRate: 1.2, exptime: 300, throughput: 0.35, colourTerm: -1.2, extinction: 0.45, vignetting: 0.17 },
  B: { twilightRate: 2600, skyRate: 2.6, exptime: 180, throughput: 0.75, colourTerm: -0.8, extinction: 0.25, vignetting: 0.16 },
  V: { twilightRate: 3500, skyRate: 3.5, exptime: 120, throughput: 1.0, colourTerm: 0, extinction: 0.15, vignetting: 0.15 },
  R: { twilightRate: 4200, skyRate: 6.0, exptime: 100, throughput: 1.1, colourTerm: 1, extinction: 0.1, vignetting: 0.14 },
  I: { twilightRate: 3800, skyRate: 9.0, exptime: 80, throughput: 0.9, colourTerm: 1.8, extinction: 0.07, vignetting: 0.13 },
};

/** Model of a filter; unknown names get plausible V-like numbers varied by their name so they stay distinct. */
export function filterModel(name: string): FilterModel {
  const k = KNOWN_FILTERS[name] ?? KNOWN_FILTERS[name.toUpperCase()];
  if (k) return k;
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  const f = 0.8 + 0.4 * ((h % 1000) / 1000);
  return { ...KNOWN_FILTERS.V, twilightRate: 3500 * f, skyRate: 4 * f, throughput: f };
}

/** The two fields of the night. Coordinates J2000, degrees. */
export const TARGETS = [
  { name: 'DEMO-FIELD-1', raDeg: 163.25, decDeg: 21.5 },
  { name: 'DEMO-FIELD-2', raDeg: 201.4, decDeg: 12.8 },
] as const;

/** Start of the night's activities (UTC): afternoon biases at 15:30 local (UTC-7). */
export const NIGHT = {
  biasStartUtc: Date.UTC(2026, 2, 14, 22, 30, 0, 0),
  /** Sunset ~01:20 UT; twilight flats start a quarter of an hour after. */
  flatStartUtc: Date.UTC(2026, 2, 15, 1, 36, 0, 0),
  /** Astronomical twilight ends ~02:45 UT. */
  scienceStartUtc: Date.UTC(2026, 2, 15, 2, 50, 0, 0),
  /** Science ends before dawn (~11:50 UT). */
  scienceEndUtc: Date.UTC(2026, 2, 15, 11, 0, 0, 0),
  /** Seconds to read the detector (adds to the gap between exposures). */
  readoutS: 8,
} as const;
