/**
 * Test-only: PlanFrames built the way the library builds them, from header
 * cards through the real classifier (extractDescriptors + classifyFrame), so
 * the plan's tests see realistic descriptors (night from DATE-OBS, binning
 * from XBINNING/YBINNING, readout from READOUTM, shape from NAXISn and
 * DATASEC, ...). Products are made from a planned run the way the engine
 * records them (ProductInfo with the run's key, signature and parameters).
 */
import { classifyFrame, extractDescriptors } from '../../classify';
import type { Card, HeaderValue } from '../../fits/types';
import { frameTime, type PlanFrame } from '../facts';
import type { InputRef, Plan, PlannedRun } from '../plan';
import type { ProductInfo } from '../products';

export type RawKind = 'bias' | 'dark' | 'flat' | 'science';

/** IMAGETYP words of MaxIm DL / N.I.N.A. */
const IMAGETYP: Record<RawKind, string> = { bias: 'Bias Frame', dark: 'Dark Frame', flat: 'Flat Field', science: 'Light Frame' };

export interface RawSpec {
  name: string;
  /** Default: the name. */
  id?: string;
  /** Written as IMAGETYP; null = no type keyword at all (the classifier leaves it unclassified). */
  type: RawKind | null;
  /** Start of exposure, UTC, 'YYYY-MM-DDThh:mm:ss'. The night is the UTC date 12 h earlier (no longitude card). */
  date: string;
  /** Default: 0 for biases, 60 for darks, 5 for flats, 120 for science. */
  exptime?: number;
  filter?: string;
  object?: string;
  /** Default 1 (XBINNING = YBINNING). */
  binning?: number;
  /** READOUTM, default 'Slow'. */
  readout?: string;
  /** Default 'CAM1'. */
  instrument?: string;
  /** Default 'CCD42'. */
  detector?: string;
  /** Unbinned raw size, default 2080 x 2048 with DATASEC [1:2048,1:2048] and BIASSEC over the last 30 columns (binned accordingly). */
  width?: number;
  height?: number;
  /** Override (or remove with null) the section cards. */
  datasec?: string | null;
  trimsec?: string | null;
  biassec?: string | null;
  /** More cards, last one wins for a key already written. */
  extra?: Record<string, HeaderValue>;
  /** Overrides of the PlanFrame itself (hdus, master, status, ...). */
  frame?: Partial<PlanFrame>;
}

const cardsOfFrame = new WeakMap<PlanFrame, Card[]>();

/** The primary cards a frame was built from. */
export function cardsOf(f: PlanFrame): Card[] {
  const c = cardsOfFrame.get(f);
  if (!c) throw new Error(`${f.name} was not built by planFrames.ts`);
  return c;
}

function put(cards: Card[], key: string, value: HeaderValue | undefined): void {
  if (value === undefined) return;
  const i = cards.findIndex((c) => c.key === key);
  if (i >= 0) cards[i] = { key, value };
  else cards.push({ key, value });
}

/** Header cards of a raw MaxIm-style frame. */
export function rawCards(s: RawSpec): Card[] {
  const bin = s.binning ?? 1;
  const w = Math.round((s.width ?? 2080) / bin);
  const h = Math.round((s.height ?? 2048) / bin);
  const dataW = Math.round(2048 / bin);
  const cards: Card[] = [];
  put(cards, 'SIMPLE', true);
  put(cards, 'BITPIX', 16);
  put(cards, 'NAXIS', 2);
  put(cards, 'NAXIS1', w);
  put(cards, 'NAXIS2', h);
  put(cards, 'DATE-OBS', s.date);
  const exptime = s.exptime ?? (s.type === 'bias' ? 0 : s.type === 'dark' ? 60 : s.type === 'flat' ? 5 : 120);
  put(cards, 'EXPTIME', exptime);
  put(cards, 'XBINNING', bin);
  put(cards, 'YBINNING', bin);
  put(cards, 'READOUTM', s.readout ?? 'Slow');
  if (s.filter !== undefined) put(cards, 'FILTER', s.filter);
  if (s.type) put(cards, 'IMAGETYP', IMAGETYP[s.type]);
  put(cards, 'INSTRUME', s.instrument ?? 'CAM1');
  put(cards, 'DETECTOR', s.detector ?? 'CCD42');
  if (s.object !== undefined) put(cards, 'OBJECT', s.object);
  put(cards, 'GAIN', 1.4);
  put(cards, 'RDNOISE', 8.5);
  const datasec = s.datasec === undefined ? `[1:${dataW},1:${h}]` : s.datasec;
  const biassec = s.biassec === undefined ? (w > dataW ? `[${dataW + 1}:${w},1:${h}]` : null) : s.biassec;
  if (datasec !== null) put(cards, 'DATASEC', datasec);
  if (biassec !== null) put(cards, 'BIASSEC', biassec);
  if (s.trimsec) put(cards, 'TRIMSEC', s.trimsec);
  for (const [k, v] of Object.entries(s.extra ?? {})) put(cards, k, v);
  return cards;
}

/** A PlanFrame from header cards, classified and described as the library does. */
export function frameFromCards(
  name: string, primary: Card[], image?: Card[], over: Partial<PlanFrame> = {},
): PlanFrame {
  const c = classifyFrame(primary, image);
  const d = extractDescriptors(primary, image);
  const naxis = (cards: Card[]) => {
    const n = Number(cards.find((x) => x.key === 'NAXIS')?.value ?? 0);
    return Array.from({ length: n }, (_, i) => Number(cards.find((x) => x.key === `NAXIS${i + 1}`)?.value ?? 0));
  };
  const f: PlanFrame = {
    id: name,
    name,
    status: 'ok',
    type: c.type,
    master: c.master !== undefined,
    descriptors: d,
    hdus: image
      ? [{ isImage: true, naxis: naxis(primary), extname: 'PRIMARY' }, { isImage: true, naxis: naxis(image), extname: 'SCI' }]
      : [{ isImage: true, naxis: naxis(primary), extname: 'PRIMARY' }],
    addedAt: 0,
    ...over,
  };
  cardsOfFrame.set(f, primary);
  return f;
}

/** A raw frame (MaxIm DL conventions). */
export function rawFrame(s: RawSpec): PlanFrame {
  const cards = rawCards(s);
  return frameFromCards(s.name, cards, undefined, { id: s.id ?? s.name, ...s.frame });
}

/** Shorthands. */
export const bias = (name: string, date: string, more: Partial<RawSpec> = {}) => rawFrame({ name, date, type: 'bias', ...more });
export const dark = (name: string, date: string, exptime: number, more: Partial<RawSpec> = {}) =>
  rawFrame({ name, date, type: 'dark', exptime, ...more });
export const flat = (name: string, date: string, filter: string, more: Partial<RawSpec> = {}) =>
  rawFrame({ name, date, type: 'flat', filter, ...more });
export const science = (name: string, date: string, object: string, filter: string, more: Partial<RawSpec> = {}) =>
  rawFrame({ name, date, type: 'science', object, filter, ...more });

/** A frame the library could not read. */
export function unreadable(name: string, message: string): PlanFrame {
  return { id: name, name, status: 'error', message, type: 'unclassified', descriptors: { sources: {}, sourceHdu: {} }, hdus: [] };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

export interface ProductSpec extends Partial<ProductInfo> {
  /** File id of the product, default `p:<output name>`. */
  id?: string;
}

/**
 * The product a planned run made, as the library lists it: the first input's
 * header with the trimmed shape (the sections go), three extensions SCI, VAR
 * and DQ, and the ProductInfo the engine records (the run's key, signature
 * and parameters unless overridden). `raws` are the raw frames behind it (for
 * a stack: the raw science frames), for the header and the time.
 */
export function productFrame(run: PlannedRun, raws: readonly PlanFrame[], spec: ProductSpec = {}): PlanFrame {
  const first = raws[0];
  const d = first.descriptors;
  const trimmed = (() => {
    const m = /^\[(\d+):(\d+),(\d+):(\d+)\]$/.exec((d.trimsec ?? d.datasec ?? '').replace(/\s+/g, ''));
    return m ? { w: Number(m[2]) - Number(m[1]) + 1, h: Number(m[4]) - Number(m[3]) + 1 } : { w: d.width ?? 0, h: d.height ?? 0 };
  })();
  const cards = cardsOf(first)
    .filter((c) => !['DATASEC', 'TRIMSEC', 'BIASSEC'].includes(c.key))
    .map((c) => (c.key === 'NAXIS1' ? { ...c, value: trimmed.w } : c.key === 'NAXIS2' ? { ...c, value: trimmed.h } : c));
  const times = raws.map((r) => frameTime(r.descriptors)).filter((t): t is number => t !== undefined);
  const exps = raws.map((r) => r.descriptors.exptime).filter((t): t is number => t !== undefined);
  const isMaster = run.kind === 'bias' || run.kind === 'dark' || run.kind === 'flat';
  const { id, ...infoOver } = spec;
  const info: ProductInfo = {
    kind: run.kind,
    recipe: run.recipe,
    runKey: run.key,
    signature: run.signature,
    inputs: run.inputs.map((i) => ({ id: 'file' in i.ref ? i.ref.file : `p:${i.name}`, name: i.name })),
    calibrations: {},
    params: run.params,
    createdAt: 1,
    valid: true,
    time: mean(times),
    exptime: isMaster ? mean(exps) : exps[0],
    filter: run.kind === 'bias' || run.kind === 'dark' ? undefined : d.filter,
    bunit: run.kind === 'bias' || run.kind === 'dark' ? 'adu' : 'electron',
    ...infoOver,
  };
  const name = run.output.name;
  const f: PlanFrame = {
    id: id ?? `p:${name}`,
    name,
    status: 'ok',
    // As the page's planFrame() gives it for a product record.
    type: 'product',
    descriptors: extractDescriptors(cards),
    hdus: [
      { isImage: false, naxis: [], extname: 'PRIMARY' },
      { isImage: true, naxis: [trimmed.w, trimmed.h], extname: 'SCI' },
      { isImage: true, naxis: [trimmed.w, trimmed.h], extname: 'VAR' },
      { isImage: true, naxis: [trimmed.w, trimmed.h], extname: 'DQ' },
    ],
    product: info,
    addedAt: info.createdAt,
  };
  cardsOfFrame.set(f, cards);
  return f;
}

/**
 * A master made by another tool (IMAGETYP 'Master Bias' etc.), already
 * trimmed to 2048 x 2048 / binning, as a file the user dropped in.
 */
export function importedMaster(
  name: string, kind: 'bias' | 'dark' | 'flat', date: string, more: Partial<RawSpec> = {},
): PlanFrame {
  const word = { bias: 'Master Bias', dark: 'Master Dark', flat: 'Master Flat' }[kind];
  const bin = more.binning ?? 1;
  return rawFrame({
    name, date, type: kind, width: 2048, height: 2048, datasec: null, biassec: null,
    exptime: kind === 'bias' ? 0 : kind === 'dark' ? 60 : 5,
    ...more,
    binning: bin,
    extra: { IMAGETYP: word, NCOMBINE: 15, ...more.extra },
  });
}

/** The raw frames behind a run: its files, or for a stack the raw science frames of its reduce runs. */
export function rawsOf(plan: Plan, run: PlannedRun, frames: readonly PlanFrame[]): PlanFrame[] {
  const fileOf = (ref: InputRef): string => {
    if ('file' in ref) return ref.file;
    const up = plan.runs.find((r) => r.key === ref.run);
    if (!up) throw new Error(`${run.key}: no run ${ref.run} in the plan`);
    return fileOf(up.inputs[0].ref);
  };
  return run.inputs.map((i) => {
    const id = fileOf(i.ref);
    const f = frames.find((x) => x.id === id);
    if (!f) throw new Error(`${run.key}: no frame ${id}`);
    return f;
  });
}

/** The products the plan's runs would make (those `which` accepts), by run key. */
export function productsOf(
  plan: Plan, frames: readonly PlanFrame[], spec: ProductSpec = {}, which: (run: PlannedRun) => boolean = () => true,
): Map<string, PlanFrame> {
  return new Map(plan.runs.filter(which).map((r) => [r.key, productFrame(r, rawsOf(plan, r, frames), spec)]));
}
