/**
 * What the calibrations view shows, derived from the live plan and the
 * stored files. Pure: association itself is the plan's (plan.decisions);
 * here it is only sorted into rows, joined with the user's pins, and turned
 * into the lists the sections show (masters with their windows and users,
 * refused flats, excluded frames).
 */
import type { CandidateVerdict, StepDecision } from '../../core/pipeline/associate';
import { frameTime, roleOf, type PlanFrame } from '../../core/pipeline/facts';
import type { FrameDecisions, Pin, Plan, PlanInput, PlannedRun } from '../../core/pipeline/plan';
import { CALIBRATION_STEPS, isMasterKind, type CalibrationStep, type Kept, type ProductInfo } from '../../core/pipeline/products';
import { FLAT_LEVEL_CHECK } from '../../core/pipeline/primitives/dq';
import { flatLevelFigures, judgeFlatLevel, type FlatLevelLimits, type PartLevel } from '../../core/pipeline/flatLevel';
import type { FileRecord } from '../../db/types';

export const MS_PER_DAY = 86_400_000;
/** The step whose refusals the refused-flats list shows and overrules. */
export const FLAT_CHECK = FLAT_LEVEL_CHECK;

export type FrameKind = 'science' | 'flat' | 'dark';

export interface FrameRow {
  d: FrameDecisions;
  frame?: PlanFrame;
  kind: FrameKind;
  /** The user's own pins or skips of this frame, per step (group pins are not here). */
  pins: Partial<Record<CalibrationStep, Pin>>;
  /** Steps whose outcome leaves the frame without a calibration it should have. */
  problems: CalibrationStep[];
}

/** Stable id of a frame's own pin: putPin replaces any other pin of the frame and step anyway. */
export const pinId = (frameId: string, step: CalibrationStep) => `pin|${step}|${frameId}`;

/**
 * "None" is a problem for bias (unless the plan found it not needed: no bias
 * at all, and an unscaled dark takes the level out) and flat always, and for
 * dark only when the library has darks none of which fits: a night without
 * darks is normal.
 * A pinned calibration that is gone is one too.
 */
export function isProblem(dec: StepDecision): boolean {
  if (dec.outcome !== 'none' || dec.notNeeded) return false;
  return dec.step !== 'dark' || dec.candidates.length > 0 || dec.summary.includes('pinned');
}

function kindOf(d: FrameDecisions, frame?: PlanFrame): FrameKind {
  const t = frame?.type;
  if (t === 'flat' || t === 'dark') return t;
  if (d.run?.startsWith('flat|')) return 'flat';
  if (d.run?.startsWith('dark|')) return 'dark';
  return 'science';
}

export function frameRows(plan: Plan, frames: ReadonlyMap<string, PlanFrame>, pins: readonly Pin[]): FrameRow[] {
  const own = new Map<string, Pin>();
  for (const p of pins) if (p.frameId) own.set(`${p.frameId}|${p.step}`, p);
  return plan.decisions.map((d) => {
    const frame = frames.get(d.id);
    const rowPins: FrameRow['pins'] = {};
    for (const s of CALIBRATION_STEPS) {
      const p = own.get(`${d.id}|${s}`);
      if (p) rowPins[s] = p;
    }
    const problems = CALIBRATION_STEPS.filter((s) => { const dec = d.decisions[s]; return dec && isProblem(dec); });
    return { d, frame, kind: kindOf(d, frame), pins: rowPins, problems };
  });
}

export interface CommonCandidate {
  id: string;
  name: string;
  source: CandidateVerdict['source'];
  /** Frames (of those with the step) whose rules accept it. */
  passes: number;
  /** The first failed rule's reason for the others, most common first. */
  fails: { reason: string; count: number }[];
}

/** Candidates of `step` every selected frame has: what a group pin may choose from. */
export function commonCandidates(rows: readonly FrameRow[], step: CalibrationStep): { frames: number; candidates: CommonCandidate[] } {
  const withStep = rows.map((r) => r.d.decisions[step]).filter((d): d is StepDecision => !!d);
  if (!withStep.length) return { frames: 0, candidates: [] };
  const out: CommonCandidate[] = [];
  for (const first of withStep[0].candidates) {
    const verdicts = withStep.map((d) => d.candidates.find((c) => c.id === first.id));
    if (verdicts.some((v) => !v)) continue;
    const fails = new Map<string, number>();
    let passes = 0;
    for (const v of verdicts as CandidateVerdict[]) {
      // A pinned candidate the rules refuse keeps its failed rule: its reason then reads "pinned by you (note: ...)".
      if (v.verdict === 'failed' || v.failedRule) {
        const reason = v.verdict === 'failed' ? v.reason : v.reason.replace(/^pinned by you \(note: (.*)\)$/, '$1');
        fails.set(reason, (fails.get(reason) ?? 0) + 1);
      } else passes++;
    }
    out.push({
      id: first.id, name: first.name, source: first.source, passes,
      fails: [...fails].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    });
  }
  out.sort((a, b) => b.passes - a.passes || a.name.localeCompare(b.name));
  return { frames: withStep.length, candidates: out };
}

// ---------------------------------------------------------------- calibration masters

export interface Window {
  start: number;
  end: number;
  /** 'set': the user's window; 'default': time +- the rules' days. */
  how: 'set' | 'default';
  days?: number;
  around?: number;
}

export interface MasterRow {
  /** File id; for a master still to be made, `run:<key>`. */
  id: string;
  name: string;
  kind: CalibrationStep;
  source: 'product' | 'imported' | 'planned';
  filter?: string;
  exptime?: number;
  valid: boolean;
  window?: Window;
  /** What it was made from (ours), or what said it is a master (imported). */
  inputs: { id: string; name: string }[];
  leftOut: { id: string; name: string; reason: string }[];
  madeBy?: string;
  usedBy: { id: string; name: string }[];
  /** The run that (re)makes it. */
  runKey?: string;
  stale: boolean;
  /** Ours: an older product of a slot that has a newer one (never a candidate). */
  superseded: boolean;
  createdAt?: number;
}

export function effectiveWindow(kind: CalibrationStep, validity: { start: number; end: number } | undefined, time: number | undefined, plan: Plan): Window | undefined {
  if (validity) return { ...validity, how: 'set' };
  if (time === undefined) return undefined;
  const days = plan.rules.windowDays[kind];
  return { start: time - days * MS_PER_DAY, end: time + days * MS_PER_DAY, how: 'default', days, around: time };
}

/** Frames whose decision chose each calibration id (a planned master's `run:<key>` included). */
function usersOf(plan: Plan): Map<string, { id: string; name: string }[]> {
  const m = new Map<string, { id: string; name: string }[]>();
  for (const d of plan.decisions) {
    for (const s of CALIBRATION_STEPS) {
      const id = d.decisions[s]?.chosen;
      if (!id) continue;
      const list = m.get(id) ?? [];
      list.push({ id: d.id, name: d.name });
      m.set(id, list);
    }
  }
  return m;
}

export function masterRows(plan: Plan, input: PlanInput, stale: ReadonlyMap<string, string>, files: ReadonlyMap<string, FileRecord>): MasterRow[] {
  const users = usersOf(plan);
  const rows: MasterRow[] = [];
  const made = new Set<string>();
  // The newest product of a slot stands for it; the plan makes its slot's candidate from it.
  const newest = new Map<string, string>();
  for (const f of input.frames) {
    const p = f.product;
    if (!p || !isMasterKind(p.kind)) continue;
    const prev = newest.get(p.runKey);
    const prevAt = prev ? input.frames.find((x) => x.id === prev)!.product!.createdAt : -Infinity;
    if (p.createdAt > prevAt) newest.set(p.runKey, f.id);
  }
  for (const f of input.frames) {
    const p: ProductInfo | undefined = f.product;
    if (!p || !isMasterKind(p.kind)) continue;
    const current = newest.get(p.runKey) === f.id;
    if (current) made.add(p.runKey);
    const usedBy = [...(users.get(f.id) ?? []), ...(current ? users.get(`run:${p.runKey}`) ?? [] : [])];
    rows.push({
      id: f.id, name: f.name, kind: p.kind, source: 'product', filter: p.filter, exptime: p.exptime,
      valid: p.valid, window: effectiveWindow(p.kind, p.validity, p.time, plan),
      inputs: p.inputs, leftOut: p.leftOut ?? [], usedBy, runKey: p.runKey, stale: stale.has(f.id), superseded: !current, createdAt: p.createdAt,
    });
  }
  for (const f of input.frames) {
    const role = roleOf(f);
    if (role.kind !== 'imported') continue;
    const rec = files.get(f.id);
    const master = rec && (rec.user ?? rec.auto).master;
    rows.push({
      id: f.id, name: f.name, kind: role.step, source: 'imported', filter: f.descriptors.filter, exptime: f.descriptors.exptime,
      valid: f.calibration?.valid ?? true,
      window: effectiveWindow(role.step, f.calibration?.validity, frameTime(f.descriptors), plan),
      inputs: [], leftOut: [], madeBy: master ? `${master.keyword} = '${master.value}': ${master.reason}` : 'made by another tool',
      usedBy: users.get(f.id) ?? [], stale: false, superseded: false,
    });
  }
  const byId = new Map(input.frames.map((f) => [f.id, f]));
  for (const run of plan.runs) {
    if (!isMasterKind(run.kind) || made.has(run.key)) continue;
    const first = run.inputs[0] && 'file' in run.inputs[0].ref ? byId.get(run.inputs[0].ref.file) : undefined;
    rows.push({
      id: `run:${run.key}`, name: run.output.name, kind: run.kind, source: 'planned', valid: true,
      filter: run.kind === 'flat' ? first?.descriptors.filter : undefined,
      exptime: run.kind === 'dark' ? first?.descriptors.exptime : undefined, inputs: run.inputs.map((i) => ({ id: 'file' in i.ref ? i.ref.file : i.ref.run, name: i.name })),
      leftOut: [], usedBy: users.get(`run:${run.key}`) ?? [], runKey: run.key, stale: false, superseded: false,
    });
  }
  const order = { bias: 0, dark: 1, flat: 2 };
  return rows.sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------- refused flats

export interface RefusedFlat {
  id: string;
  name: string;
  /** The master flat it was (or would be) part of. */
  master?: string;
  reason?: string;
  /** 'run': the last run refused it; 'stats': the statistics measured at ingest say the check will. */
  from: 'run' | 'stats' | 'kept';
  overruled: boolean;
}

/** Saturation level and raw statistics of a flat (each colour's too, of a colour flat), for the warning before a run. */
export interface FlatLevel {
  median?: number;
  saturatedFraction?: number;
  saturation?: number;
  /** Of a colour (Bayer) flat: each colour's figures, measured at ingest as addDQ measures them in a run. */
  colours?: readonly PartLevel[];
}

/** What checkFlatLevel will say of these statistics (its own judgement and thresholds, from the run's parameters). */
export function predictRefusal(level: FlatLevel, params: FlatLevelLimits): string | undefined {
  // A colour flat: its brightest colour's median and its most saturated colour, as the check judges it.
  const figures = level.colours?.length ? flatLevelFigures(level.colours) : { median: level.median, saturatedFraction: level.saturatedFraction };
  const verdict = judgeFlatLevel({ ...figures, saturation: level.saturation }, params);
  return 'refused' in verdict ? verdict.refused : undefined;
}

function checkParams(run: PlannedRun): FlatLevelLimits {
  const v = run.params[FLAT_CHECK] ?? {};
  const n = (k: string, d: number) => (typeof v[k]?.value === 'number' ? (v[k].value as number) : d);
  return { low: n('low', 0.2), high: n('high', 0.8), maxSaturated: n('maxSaturated', 0.5) };
}

/** The frames a product kept against a step's refusal; for products made before `kept` existed, read from its warnings. */
function keptBy(p: ProductInfo): Kept[] {
  if (p.kept) return p.kept;
  const out: Kept[] = [];
  for (const w of p.warnings ?? []) {
    const m = /^(.+?) kept though (\w+) would refuse it \(overruled by you\): (.*)$/.exec(w);
    const inp = m && p.inputs.find((i) => i.name === m[1]);
    if (inp) out.push({ ...inp, step: m[2], reason: m[3] });
  }
  return out;
}

/**
 * Flats the level check refused in the last run of their master (with its
 * reason), flats the user keeps although it refuses them, and, for masters
 * not made yet, flats the statistics measured at ingest say it will refuse.
 */
export function refusedFlats(plan: Plan, input: PlanInput, levels: ReadonlyMap<string, FlatLevel>): RefusedFlat[] {
  const overruled = new Set((input.overrules ?? []).filter((o) => o.step === FLAT_CHECK).map((o) => o.frameId));
  const names = new Map(input.frames.map((f) => [f.id, f.name]));
  const out = new Map<string, RefusedFlat>();
  const flatRuns = plan.runs.filter((r) => r.kind === 'flat');
  const made = new Set<string>();
  for (const f of input.frames) {
    const p = f.product;
    if (p?.kind !== 'flat') continue;
    made.add(p.runKey);
    // Masters made before the refusing step was recorded have no `step`: the level check was the only one that refused.
    for (const l of p.leftOut ?? []) {
      if (l.step && l.step !== FLAT_CHECK) continue;
      out.set(l.id, { id: l.id, name: l.name, master: f.name, reason: l.reason, from: 'run', overruled: overruled.has(l.id) });
    }
    // A flat kept by the user: the run says why it would have refused it.
    for (const k of keptBy(p)) {
      if (k.step !== FLAT_CHECK || out.has(k.id)) continue;
      out.set(k.id, { id: k.id, name: k.name, master: f.name, reason: k.reason, from: 'run', overruled: overruled.has(k.id) });
    }
  }
  for (const run of flatRuns) {
    if (made.has(run.key)) continue;
    const params = checkParams(run);
    for (const inp of run.inputs) {
      if (!('file' in inp.ref)) continue;
      const level = levels.get(inp.ref.file);
      const reason = level && predictRefusal(level, params);
      if (reason && !out.has(inp.ref.file)) out.set(inp.ref.file, { id: inp.ref.file, name: inp.name, master: run.output.name, reason, from: 'stats', overruled: overruled.has(inp.ref.file) });
    }
  }
  for (const id of overruled) {
    if (out.has(id)) continue;
    const run = flatRuns.find((r) => r.inputs.some((i) => 'file' in i.ref && i.ref.file === id));
    out.set(id, { id, name: names.get(id) ?? id.slice(0, 12), master: run?.output.name, from: 'kept', overruled: true });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------- words


export const SOURCE_LABEL: Record<CandidateVerdict['source'], string> = {
  planned: 'made by this plan',
  product: 'made earlier here',
  imported: 'imported master',
};

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What the steps no frame of a kind has mean: reduced without, or (a bias on a night without any) not needed. */
export function absentHint(kind: FrameKind, absent: readonly CalibrationStep[], rows: readonly FrameRow[]): string {
  const notNeeded = absent.filter((s) => rows.every((r) => r.d.decisions[s]?.notNeeded));
  const without = absent.filter((s) => !notNeeded.includes(s));
  const why = kind === 'dark'
    ? 'the master dark keeps the camera\'s level, and the frames of its exposure take it out with it.'
    : 'each frame\'s dark, taken at its exposure and not scaled, takes the camera\'s level out.';
  return [
    without.length ? `No ${without.join(' and no ')} in the library: these frames are reduced without one.` : '',
    notNeeded.length ? `No ${notNeeded.join(' and no ')} in the library, and none needed: ${why}` : '',
  ].filter(Boolean).join(' ');
}
