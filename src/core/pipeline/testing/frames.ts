/**
 * Synthetic frames for the pipeline tests: small images whose right answer
 * is known by construction (a bias pattern, a flat pattern, a sky level,
 * Gaussian stars of given FWHM and flux, cosmic-ray hits), raw frames with
 * an overscan strip and the headers a real camera writes, and the stubs a
 * primitive's context needs. Seeded: every test sees the same noise.
 *
 * Units: star fluxes, sky and dark current are electrons; raw frames are ADU
 * (electrons / gain + bias + read noise / gain), rounded and clipped like a
 * 16-bit converter's output.
 */
import type { Card, HeaderValue } from '../../fits/types';
import type { Frame } from '../../kernels/frame';
import { median, robustSigma } from '../../kernels/stats';
import type { AstroExt, AstroFrame, FrameMeta } from '../astroFrame';
import type { RunInput, RunSpec } from '../engine';
import type { MemoryInput, MemoryStore } from '../memoryStore';
import { resolveParams, stepValues, type ParamSpec, type RecipeValues, type StepValues } from '../params';
import type { FrameContext, GroupContext, Member } from '../primitive';
import { productName, type CalibrationStep, type QualityFigures, type Star } from '../products';
import { RECIPES, recipeSchema, type RecipeName } from '../recipes';
import type { StoredFrame } from '../store';

// ---------------------------------------------------------------- random numbers

export interface Rng {
  uniform(): number;
  normal(): number;
  /** Poisson deviate (Gaussian approximation above 30). */
  poisson(mean: number): number;
}

/** mulberry32 with Box-Muller normals: small, fast, seeded. */
export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | undefined;
  const normal = () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const poisson = (mean: number) => {
    if (!(mean > 0)) return 0;
    if (mean > 30) return mean + Math.sqrt(mean) * normal();
    const l = Math.exp(-mean);
    let k = 0, p = 1;
    do {
      k++;
      p *= uniform();
    } while (p > l);
    return k - 1;
  };
  return { uniform, normal, poisson };
}

// ---------------------------------------------------------------- headers

export type Cards = Card[] | Record<string, HeaderValue>;

export function toCards(c: Cards | undefined): Card[] {
  if (!c) return [];
  return Array.isArray(c) ? c.map((x) => ({ ...x })) : Object.entries(c).map(([key, value]) => ({ key, value }));
}

/** Value of the first card of a keyword (case-insensitive), undefined when absent. */
export function cardOf(cards: readonly Card[], key: string): HeaderValue | undefined {
  return cards.find((c) => c.key.toUpperCase() === key.toUpperCase())?.value;
}

export function hasCard(cards: readonly Card[], key: string): boolean {
  return cards.some((c) => c.key.toUpperCase() === key.toUpperCase());
}

export function historyOf(cards: readonly Card[]): string[] {
  return cards.filter((c) => c.key === 'HISTORY').map((c) => c.comment ?? String(c.value ?? ''));
}

// ---------------------------------------------------------------- frames

export type PixelFn = (x: number, y: number) => number;

/** A width x height frame with sci (and optionally VAR, DQ) from functions or constants. */
export function makeTestFrame(
  width: number,
  height: number,
  sci: number | PixelFn = 0,
  opts: { var?: number | PixelFn; dq?: number | PixelFn | boolean } = {},
): Frame {
  const n = width * height;
  const fill = <T extends Float32Array | Uint16Array>(a: T, f: number | PixelFn): T => {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) a[y * width + x] = typeof f === 'number' ? f : f(x, y);
    return a;
  };
  return {
    width,
    height,
    sci: fill(new Float32Array(n), sci),
    var: opts.var === undefined ? undefined : fill(new Float32Array(n), opts.var),
    dq: opts.dq === undefined || opts.dq === false ? undefined : fill(new Uint16Array(n), opts.dq === true ? 0 : opts.dq),
  };
}

export interface ExtSpec {
  data: Frame;
  header?: Cards;
  extver?: number;
  adcLimit?: number;
}

/** An AstroFrame as a step sees it in memory. */
export function makeAstro(spec: {
  name?: string;
  id?: string;
  primary?: Cards;
  exts: ExtSpec[] | Frame;
  bunit?: 'adu' | 'electron';
  meta?: FrameMeta;
}): AstroFrame {
  const exts: AstroExt[] = (Array.isArray(spec.exts) ? spec.exts : [{ data: spec.exts }]).map((e, k) => ({
    extver: e.extver ?? k + 1,
    header: toCards(e.header),
    data: e.data,
    adcLimit: e.adcLimit,
  }));
  return {
    id: spec.id ?? spec.name ?? 'frame',
    name: spec.name ?? 'frame.fits',
    primary: toCards(spec.primary),
    exts,
    bunit: spec.bunit ?? 'adu',
    meta: spec.meta ?? {},
  };
}

/** Pixel (x, y) of a frame. */
export function at(f: Frame, x: number, y: number): number {
  return f.sci[y * f.width + x];
}

/** Values of a plane inside a box [x0, x1) x [y0, y1), optionally skipping pixels a predicate refuses. */
export function box<T extends Float32Array | Uint16Array>(a: T, width: number, x0: number, x1: number, y0: number, y1: number, keep?: (x: number, y: number) => boolean): number[] {
  const out: number[] = [];
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (!keep || keep(x, y)) out.push(a[y * width + x]);
  return out;
}

export const med = (a: ArrayLike<number>): number => median(Float64Array.from(a as ArrayLike<number>));
export const rsigma = (a: ArrayLike<number>): number => robustSigma(Float64Array.from(a as ArrayLike<number>));
export const meanOf = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
};
export const rmsOf = (a: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s / a.length);
};

// ---------------------------------------------------------------- stars

export interface StarSpec {
  x: number;
  y: number;
  /** Total flux, electrons. */
  flux: number;
  fwhm: number;
  /** 1 - b/a; the FWHM is then that of the mean second moment (as detectSources reports it). */
  ellipticity?: number;
  /** Position angle of the major axis, radians from +x. */
  theta?: number;
}

const FWHM_PER_SIGMA = 2 * Math.sqrt(2 * Math.LN2);

/**
 * Adds a Gaussian star sampled at pixel centres (its discrete second moment
 * is then the Gaussian's, so a measured FWHM should equal `fwhm`), within 7
 * sigma. `gainMap` multiplies it (a flat's response).
 */
export function addStar(sci: Float32Array, width: number, height: number, s: StarSpec, gainMap?: PixelFn): void {
  const e = s.ellipticity ?? 0;
  // Mean second moment (sa^2 + sb^2)/2 = (fwhm / 2.3548)^2 with sb = (1 - e) sa.
  const sig = s.fwhm / FWHM_PER_SIGMA;
  const sa = sig * Math.sqrt(2 / (1 + (1 - e) ** 2));
  const sb = sa * (1 - e);
  const th = s.theta ?? 0;
  const c = Math.cos(th), sn = Math.sin(th);
  const norm = s.flux / (2 * Math.PI * sa * sb);
  const r = Math.ceil(7 * sa);
  for (let y = Math.max(0, Math.floor(s.y) - r); y <= Math.min(height - 1, Math.ceil(s.y) + r); y++) {
    for (let x = Math.max(0, Math.floor(s.x) - r); x <= Math.min(width - 1, Math.ceil(s.x) + r); x++) {
      const dx = x - s.x, dy = y - s.y;
      const u = dx * c + dy * sn, v = -dx * sn + dy * c;
      const val = norm * Math.exp(-0.5 * ((u * u) / (sa * sa) + (v * v) / (sb * sb)));
      sci[y * width + x] += gainMap ? val * gainMap(x, y) : val;
    }
  }
}

/** A grid of stars of fixed FWHM, fluxes from `fluxes` in turn, sub-pixel positions from the seed. */
export function starGrid(opts: { nx: number; ny: number; x0: number; y0: number; step: number; fwhm: number; fluxes: number[]; seed: number; ellipticity?: number; theta?: number }): StarSpec[] {
  const rng = makeRng(opts.seed);
  const out: StarSpec[] = [];
  let k = 0;
  for (let j = 0; j < opts.ny; j++) {
    for (let i = 0; i < opts.nx; i++) {
      out.push({
        x: opts.x0 + i * opts.step + rng.uniform() * 4 - 2,
        y: opts.y0 + j * opts.step + rng.uniform() * 4 - 2,
        flux: opts.fluxes[k++ % opts.fluxes.length],
        fwhm: opts.fwhm,
        ellipticity: opts.ellipticity,
        theta: opts.theta,
      });
    }
  }
  return out;
}

/**
 * A frame in electrons: sky plus stars plus Gaussian noise of the Poisson
 * and read-noise kind (sigma^2 = signal + rn^2). Returns the noiseless model too.
 */
export function skyFrame(opts: { width: number; height: number; sky: number; readNoise: number; stars?: StarSpec[]; seed: number; shift?: { dx: number; dy: number } }): { frame: Frame; model: Float32Array } {
  const { width: w, height: h } = opts;
  const model = new Float32Array(w * h).fill(opts.sky);
  for (const s of opts.stars ?? []) addStar(model, w, h, { ...s, x: s.x + (opts.shift?.dx ?? 0), y: s.y + (opts.shift?.dy ?? 0) });
  const rng = makeRng(opts.seed);
  const sci = new Float32Array(w * h);
  for (let i = 0; i < sci.length; i++) sci[i] = model[i] + Math.sqrt(Math.max(model[i], 0) + opts.readNoise ** 2) * rng.normal();
  return { frame: { width: w, height: h, sci }, model };
}

// ---------------------------------------------------------------- contexts and values

export interface TestFrameContext extends FrameContext {
  logs: string[];
  warnings: string[];
  /** What ctx.used was told, per parameter. */
  usedValues: Record<string, string[]>;
}

export function frameCtx(cals: Partial<Record<CalibrationStep, AstroFrame>> = {}): TestFrameContext {
  const logs: string[] = [];
  const warnings: string[] = [];
  const usedValues: Record<string, string[]> = {};
  return {
    logs,
    warnings,
    log: (m) => void logs.push(m),
    warn: (m) => void warnings.push(m),
    calibration: (step) => cals[step],
    // As if every step might follow: nothing is skipped for want of a reader.
    later: () => true,
    // ... with no parameter set.
    laterValues: () => undefined,
    used: (param, value) => void (usedValues[param] ??= []).push(String(value)),
    usedValues,
  };
}

export interface TestGroupContext extends GroupContext {
  logs: string[];
  warnings: string[];
  reads: string[];
  /** What setConstantVar was told. */
  constantVars: { member: string; ext: number; value: number }[];
}

export function groupCtx(read?: (m: Member) => Promise<AstroFrame>): TestGroupContext {
  const logs: string[] = [];
  const warnings: string[] = [];
  const reads: string[] = [];
  const constantVars: { member: string; ext: number; value: number }[] = [];
  return {
    logs,
    warnings,
    reads,
    log: (m) => void logs.push(m),
    warn: (m) => void warnings.push(m),
    // No later step's parameter set.
    laterValues: () => undefined,
    readFrame: async (m) => {
      reads.push(m.ref.name);
      if (!read) throw new Error(`test context: no pixels for ${m.ref.name}`);
      return read(m);
    },
    constantVars,
    setConstantVar: (m, ext, value) => void constantVars.push({ member: m.ref.name, ext, value }),
  };
}

/** The values a step of a recipe runs with: schema and recipe defaults, then `over` as the user's. */
export function recipeValues(recipe: RecipeName, stepId: string, over: StepValues = {}): StepValues {
  const layers = Object.keys(over).length ? [{ source: 'user' as const, values: { [recipe]: { [stepId]: over } } }] : [];
  return stepValues(resolveParams(recipeSchema(RECIPES[recipe]), layers), stepId);
}

/** A primitive's schema defaults, with overrides. */
export function defaultsOf(prim: { params: readonly ParamSpec[] }, over: StepValues = {}): StepValues {
  const out: StepValues = {};
  for (const p of prim.params) out[p.name] = p.default;
  return { ...out, ...over };
}

// ---------------------------------------------------------------- members

export function makeMember(stored: StoredFrame, meta: FrameMeta = {}): Member {
  return { ref: { id: stored.id, name: stored.name }, stored, meta, scale: 1, zero: 0, weight: 1 };
}

export function quality(q: Partial<QualityFigures> = {}): QualityFigures {
  return { fwhm: 3, ellipticity: 0.05, sky: 100, skyNoise: 10, nStars: 10, ...q };
}

/** A star list as detectSources leaves it (ext 0, brightest first). */
export function starList(stars: { x: number; y: number; flux: number }[], shift = { dx: 0, dy: 0 }, fluxScale = 1): Star[] {
  return stars
    .map((s) => ({ x: s.x + shift.dx, y: s.y + shift.dy, flux: s.flux * fluxScale, fwhm: 3, ellipticity: 0.05, peak: s.flux / 10, ext: 0 }))
    .sort((a, b) => b.flux - a.flux);
}

// ---------------------------------------------------------------- raw frames of a simulated camera

export interface Camera {
  /** Data section size; the overscan strip is `overscan` columns to its right. */
  width: number;
  height: number;
  overscan: number;
  /** e-/ADU and e-. */
  gain: number;
  readNoise: number;
  /** Bias level of row 0, ADU, and its change per row (seen by the overscan too). */
  biasLevel: number;
  biasSlope?: number;
  /** Fixed 2-D bias structure of the data section, ADU (the overscan does not see it). */
  biasPattern?: PixelFn;
  /** Dark current, e-/s. */
  darkCurrent?: number | PixelFn;
  /** Pixel response (the true flat), about 1. */
  flat?: PixelFn;
  /** Converter limit the raw values are clipped to. */
  adcMax?: number;
  /** Per-extension cards (MEF) or extra primary cards (single HDU). */
  cards?: Record<string, HeaderValue>;
  /** Leave GAIN / RDNOISE out of the header. */
  noGain?: boolean;
  noReadNoise?: boolean;
  /** Leave BIASSEC out. */
  noBiassec?: boolean;
}

export interface Exposure {
  id: string;
  name?: string;
  imagetyp: string;
  exptime: number;
  dateObs: string;
  filter?: string;
  object?: string;
  /** Uniform illumination, electrons per pixel before the flat's response. */
  illumination?: number;
  stars?: StarSpec[];
  /** Added after the flat (cosmic rays do not go through the optics), electrons. */
  cosmics?: { x: number; y: number; electrons: number }[];
  seed: number;
  cards?: Record<string, HeaderValue>;
}

/** The raw ADU of one amplifier: data section then overscan columns. */
export function rawPixels(cam: Camera, exp: Exposure, seed = exp.seed): Frame {
  const W = cam.width + cam.overscan, H = cam.height;
  const rng = makeRng(seed);
  const signal = new Float32Array(cam.width * cam.height).fill(exp.illumination ?? 0);
  for (const s of exp.stars ?? []) addStar(signal, cam.width, cam.height, s);
  const sci = new Float32Array(W * H);
  const rnAdu = cam.readNoise / cam.gain;
  const adcMax = cam.adcMax ?? 65535;
  for (let y = 0; y < H; y++) {
    const level = cam.biasLevel + (cam.biasSlope ?? 0) * y;
    for (let x = 0; x < W; x++) {
      let adu = level + rnAdu * rng.normal();
      if (x < cam.width) {
        const dc = typeof cam.darkCurrent === 'function' ? cam.darkCurrent(x, y) : cam.darkCurrent ?? 0;
        const e = dc * exp.exptime + (cam.flat ? cam.flat(x, y) : 1) * signal[y * cam.width + x];
        adu += (cam.biasPattern ? cam.biasPattern(x, y) : 0) + rng.poisson(e) / cam.gain;
      }
      sci[y * W + x] = Math.min(adcMax, Math.max(0, Math.round(adu)));
    }
  }
  for (const c of exp.cosmics ?? []) {
    const i = c.y * W + c.x;
    sci[i] = Math.min(adcMax, Math.round(sci[i] + c.electrons / cam.gain));
  }
  return { width: W, height: H, sci };
}

function ampCards(cam: Camera): Record<string, HeaderValue> {
  const W = cam.width, O = cam.overscan, H = cam.height;
  const c: Record<string, HeaderValue> = {};
  if (!cam.noGain) c.GAIN = cam.gain;
  if (!cam.noReadNoise) c.RDNOISE = cam.readNoise;
  if (!cam.noBiassec && O > 0) c.BIASSEC = `[${W + 1}:${W + O},1:${H}]`;
  c.DATASEC = `[1:${W},1:${H}]`;
  return { ...c, ...cam.cards };
}

function exposureCards(exp: Exposure): Record<string, HeaderValue> {
  return {
    INSTRUME: 'TESTCAM',
    IMAGETYP: exp.imagetyp,
    EXPTIME: exp.exptime,
    'DATE-OBS': exp.dateObs,
    ...(exp.filter !== undefined ? { FILTER: exp.filter } : {}),
    ...(exp.object !== undefined ? { OBJECT: exp.object } : {}),
    ...exp.cards,
  };
}

/** A plain single-HDU raw FITS frame (BITPIX 16, BZERO 32768) as MemoryStore.add takes it. */
export function rawInput(cam: Camera, exp: Exposure): MemoryInput {
  const f = rawPixels(cam, exp);
  const primary = toCards({
    SIMPLE: true, BITPIX: 16, NAXIS: 2, NAXIS1: f.width, NAXIS2: f.height, BZERO: 32768, BSCALE: 1,
    ...exposureCards(exp),
    ...ampCards(cam),
  });
  return { id: exp.id, name: exp.name ?? `${exp.id}.fits`, primary, exts: [{ frame: f }] };
}

/** A multi-extension raw frame: one image extension per camera (amplifier), each with its own sections and gain. */
export function rawMefInput(cams: Camera[], exp: Exposure): MemoryInput {
  const primary = toCards({ SIMPLE: true, BITPIX: 8, NAXIS: 0, EXTEND: true, ...exposureCards(exp) });
  const exts = cams.map((cam, k) => {
    const f = rawPixels(cam, exp, exp.seed * 31 + k);
    return {
      header: toCards({ XTENSION: 'IMAGE', BITPIX: 16, NAXIS: 2, NAXIS1: f.width, NAXIS2: f.height, BZERO: 32768, BSCALE: 1, EXTNAME: `AMP${k + 1}`, ...ampCards(cam) }),
      frame: f,
    };
  });
  return { id: exp.id, name: exp.name ?? `${exp.id}.fits`, primary, exts };
}

// ---------------------------------------------------------------- runs

export function runSpecFor(
  recipe: RecipeName,
  inputs: RunInput[],
  opts: { values?: RecipeValues; id?: string; output?: string } = {},
): RunSpec {
  const r = RECIPES[recipe];
  const layers = opts.values ? [{ source: 'user' as const, values: { [recipe]: opts.values } }] : [];
  return {
    id: opts.id ?? `run-${recipe}`,
    key: `${recipe}|${inputs.map((i) => i.id).join(',')}`,
    recipe,
    label: `${recipe} of ${inputs.length}`,
    inputs,
    params: resolveParams(recipeSchema(r), layers),
    output: { name: opts.output ?? productName(r.produces, inputs[0].name), kind: r.produces },
    signature: `sig-${recipe}`,
  };
}

/** A committed product of a MemoryStore by id. */
export function productOf(store: MemoryStore, id: string) {
  const p = store.products().find((x) => x.id === id);
  if (!p) throw new Error(`no product ${id}`);
  return p;
}

/**
 * A reduced frame as a stack takes it (electrons; SCI, VAR = model + rn^2,
 * DQ zero; BUNIT electron): `field` moved by `shift`, its stars of `fwhm`.
 */
export function addReduced(
  store: MemoryStore,
  opts: {
    id: string; field: StarSpec[]; shift: { dx: number; dy: number }; size: number; sky: number; readNoise: number; seed: number; fwhm?: number; dateObs?: string; exptime?: number;
    /** More cards for the primary header (GAIN and RDNOISE as ADUToElectrons leaves them, say). */
    primary?: Card[];
    /** The pixels' unit: electrons (default), or ADU as a night without a gain leaves them. */
    bunit?: 'adu' | 'electron';
  },
): { id: string; name: string } {
  const stars = opts.fwhm === undefined ? opts.field : opts.field.map((s) => ({ ...s, fwhm: opts.fwhm! }));
  const { frame, model } = skyFrame({ width: opts.size, height: opts.size, sky: opts.sky, readNoise: opts.readNoise, stars, seed: opts.seed, shift: opts.shift });
  frame.var = model.map((m) => m + opts.readNoise ** 2);
  frame.dq = new Uint16Array(opts.size * opts.size);
  const name = `${opts.id}_reduced.fits`;
  store.add({
    id: opts.id,
    name,
    primary: [...toCards({ OBJECT: 'M67', FILTER: 'R', EXPTIME: opts.exptime ?? 120, 'DATE-OBS': opts.dateObs ?? '2024-03-01T22:00:00', BUNIT: opts.bunit ?? 'electron', PRODTYPE: 'REDUCED' }), ...(opts.primary ?? [])],
    exts: [{ header: toCards({ BUNIT: opts.bunit ?? 'electron' }), frame }],
  });
  return { id: opts.id, name };
}
