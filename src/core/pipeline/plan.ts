/**
 * The plan: library + pins + parameters -> runs in dependency order (a small
 * DAG): master biases and darks per configuration and night, master flats
 * per filter, one reduced frame per science frame, one stack per target and
 * filter. Every run lists its inputs, the calibrations chosen for each, and
 * its resolved parameters before anything starts; every frame keeps, for
 * each step, the association's decision and its reasons.
 *
 * Products already in the library take part: a product made by a run of the
 * same key and the same signature is up to date (the run need not go again
 * and later runs use it); with another signature it is stale and the run
 * remakes it; other masters (older nights, imported files) are candidates
 * like the masters this plan makes.
 */
import { compileSelect } from '../classify/select';
import { descriptorRow } from '../classify/fields';
import type { Classification } from '../classify/frameType';
import {
  associate, chosenVerdict, DEFAULT_RULES, formatSeconds, type AssociationRules, type Candidate, type FrameFacts, type Override, type StepDecision,
} from './associate';
import { candidateOf, configKey, factsOf, roleOf, type PlanFrame } from './facts';
import { resolveParams, stepValues, type ParamLayer, type ResolvedParams } from './params';
import { productName, type CalibrationStep, type ProductInfo, type ProductKind } from './products';
import { RECIPES, recipeSchema, type RecipeName } from './recipes';
import { signatureOf } from './signature';

/** The user's say on association: this calibration (or no calibration) for a frame, or for every frame a select expression accepts. */
export interface Pin {
  id: string;
  step: CalibrationStep;
  /** One frame... */
  frameId?: string;
  /** ...or every frame this select expression accepts ("filter == 'R'"). */
  scope?: string;
  /** The calibration to use; absent with skip = true: do not apply this step. */
  calibrationId?: string;
  skip?: boolean;
}

export interface Exclusion {
  frameId: string;
  note?: string;
}

/** The user keeps a frame a step would refuse (a flat checkFlatLevel finds too faint or saturated). */
export interface Overrule {
  frameId: string;
  /** The step whose refusal is overruled, e.g. 'checkFlatLevel'. */
  step: string;
}

export interface PlanInput {
  frames: readonly PlanFrame[];
  pins?: readonly Pin[];
  exclusions?: readonly Exclusion[];
  overrules?: readonly Overrule[];
  params?: readonly ParamLayer[];
  rules?: Partial<AssociationRules>;
  /** Fewest frames a stack is made of. Default 2. */
  minStack?: number;
  /** "Now" for planned masters' createdAt (newest product). */
  now?: number;
}

/** A calibration as a run input refers to it: an existing file, or the product of a run of this plan. */
export interface CalRef {
  id: string;
  name: string;
  source: Candidate['source'];
  /** Set when a run of this plan makes it. */
  run?: string;
  /** Pinned by the user (a pin of the frame or of a group it is in). */
  pinned?: true;
  /** Pinned by the user though the rules refuse it: why they do (StepDecision.againstRule). */
  againstRule?: string;
}

export type InputRef = { file: string } | { run: string };

export interface PlannedInput {
  ref: InputRef;
  name: string;
  calibrations: Partial<Record<CalibrationStep, CalRef>>;
  /** Steps whose refusal of this frame the user overruled. */
  accept?: string[];
}

export interface PlannedRun {
  key: string;
  recipe: RecipeName;
  kind: ProductKind;
  label: string;
  inputs: PlannedInput[];
  params: ResolvedParams;
  /** Keys of the runs whose products this one needs. */
  dependsOn: string[];
  signature: string;
  /** Name and kind of the product (the name carries its first input's folder, see PlanFrame.folder). */
  output: { name: string; kind: ProductKind };
  /** A product of this key already in the library. */
  existing?: { id: string; name: string; upToDate: boolean; info: ProductInfo };
  /** Masters: the valid flag and validity window the user gave the slot's product, kept by the product it remakes. */
  keep?: { valid: boolean; validity?: { start: number; end: number } };
}

export interface FrameDecisions {
  id: string;
  name: string;
  /** Run that uses the frame (reduce run for science frames, master flat run for flats). */
  run?: string;
  decisions: Partial<Record<CalibrationStep, StepDecision>>;
}

export interface LeftOutFrame {
  id: string;
  name: string;
  reason: string;
}

export interface Plan {
  runs: PlannedRun[];
  decisions: FrameDecisions[];
  /** Files the plan does not reduce, with the reason. */
  leftOut: LeftOutFrame[];
  /** Things the user should know: a science frame with no flat, a group too small to stack. */
  notes: string[];
  rules: AssociationRules;
}

interface RawFrame {
  f: PlanFrame;
  facts: FrameFacts;
  night: string;
}

/** The calibration steps of each recipe: what its frames are associated with, and what a run's details list. */
export const STEPS_OF: Readonly<Record<RecipeName, readonly CalibrationStep[]>> = {
  makeMasterBias: [],
  makeMasterDark: ['bias'],
  makeMasterFlat: ['bias', 'dark'],
  reduceScience: ['bias', 'dark', 'flat'],
  stackScience: [],
};

const LABEL: Record<ProductKind, string> = { bias: 'Master bias', dark: 'Master dark', flat: 'Master flat', reduced: 'Reduce', stack: 'Stack' };

const byTime = (a: RawFrame, b: RawFrame) => (a.facts.time ?? Infinity) - (b.facts.time ?? Infinity) || (a.f.name < b.f.name ? -1 : a.f.name > b.f.name ? 1 : 0);

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

function describeConfig(facts: FrameFacts): string {
  return [facts.instrument, facts.binning && `bin ${facts.binning}`, facts.readout, facts.dataShape].filter(Boolean).join(', ');
}

/**
 * The steps a frame should not go without: a frame with no usable bias or
 * flat is still reduced (its step skips) but the user is told. A night
 * without darks is common, and said nowhere.
 */
const NEEDED_STEPS = ['bias', 'flat'] as const;

/**
 * A night with no bias at all (CMOS cameras are often used so) loses
 * nothing by it where the frame's dark is subtracted unscaled: the dark,
 * taken at the frame's exposure, holds the same level and takes it out
 * (subtractDark; its noise, measured on the darks, comes with it). Such a
 * frame's bias decision says so and is no problem. A dark frame needs no
 * bias either then: its master keeps the level for the frames it serves.
 * Where darks are scaled by exposure the level must not be scaled with
 * them, and a bias is needed; where the library has biases none of which
 * fits, the user is told as before.
 */
function biasNotNeeded(dec: FrameDecisions, scaleDark: boolean, isDark: boolean, pinned: boolean): void {
  const bias = dec.decisions.bias;
  // A pin whose bias is gone is the user's to see, not a bias not needed.
  if (!bias || bias.outcome !== 'none' || bias.candidates.length > 0 || pinned) return;
  if (isDark) {
    dec.decisions.bias = scaleDark
      ? { ...bias, summary: 'no bias in the library, and the frames this dark serves scale it by exposure: its level must be taken out first' }
      : { ...bias, notNeeded: true, summary: 'not needed: no bias in the library, and the master dark keeps the level for the frames of its exposure' };
    return;
  }
  if (scaleDark) return;
  const dark = dec.decisions.dark;
  if (!dark?.chosen || (dark.outcome !== 'chosen' && dark.outcome !== 'pinned')) return;
  const name = chosenVerdict(dark)?.name ?? 'the dark';
  dec.decisions.bias = { ...bias, notNeeded: true, summary: `not needed: no bias in the library, and ${name} (unscaled) takes the level out` };
}

/**
 * A flat with a bias but no dark of its exposure (the library's darks are
 * the science frames' longer ones) is made as flats usually are: the bias
 * takes the level out, and the dark current of a flat's short exposure is
 * small beside its light. Its dark decision says so and is no problem
 * (the view would otherwise show every such flat in red). A pin whose dark
 * is gone stays the user's to see.
 */
function flatDarkNotNeeded(dec: FrameDecisions, pinned: boolean): void {
  const dark = dec.decisions.dark, bias = dec.decisions.bias;
  if (!dark || dark.outcome !== 'none' || dark.notNeeded || dark.candidates.length === 0 || pinned) return;
  if (!bias?.chosen || (bias.outcome !== 'chosen' && bias.outcome !== 'pinned')) return;
  const name = chosenVerdict(bias)?.name ?? 'the bias';
  dec.decisions.dark = { ...dark, notNeeded: true, summary: `not needed for a flat: ${name} takes the level out (${dark.summary})` };
}

/**
 * A science frame with a bias but no dark of its exposure, where master
 * darks of other exposures have the bias taken out of them (`biasTakenOut`:
 * made here, or ours made earlier): one is scaled by exposure (DRAGONS'
 * darkCorrect scales it; ccdproc's subtract_dark(scale=True)) rather than
 * leaving the frame's dark current and hot pixels in it. Only where
 * subtractDark.scale is the recipe's default (false): a value a parameter
 * file or preset sets is theirs, and a pinned or skipped dark is the user's
 * choice. Returns the run's parameters with the scale on (source 'plan',
 * the run shows it) and the new decision, or undefined.
 */
function darkByExposure(
  facts: FrameFacts, dec: FrameDecisions, params: ResolvedParams, candidates: readonly Candidate[], rules: AssociationRules,
  pinned: boolean, biasTakenOut: (candidateId: string) => boolean,
): { params: ResolvedParams; decision: StepDecision } | undefined {
  const dark = dec.decisions.dark, bias = dec.decisions.bias;
  const scale = params.subtractDark?.scale;
  const te = facts.exptime;
  if (!dark || dark.outcome !== 'none' || pinned || !scale || scale.value !== false || (scale.source !== 'default' && scale.source !== 'recipe')) return;
  if (!bias?.chosen || (bias.outcome !== 'chosen' && bias.outcome !== 'pinned')) return;
  if (te === undefined || !(te > 0)) return;
  const exptime = new Map<string, number>();
  for (const c of candidates) if (c.kind === 'dark' && c.exptime !== undefined && c.exptime > 0 && biasTakenOut(c.id)) exptime.set(c.id, c.exptime);
  // The rules but the exposure's: those the scaling may use, in the rules' order (closest in time first).
  const d = associate(facts, 'dark', candidates.filter((c) => exptime.has(c.id)), { ...rules, scaleDark: true });
  const passing = d.candidates.filter((v) => v.verdict !== 'failed');
  if (!passing.length) return;
  // The shortest dark at least as long as the frame (scaled down, its noise shrinks), else the longest.
  const longer = passing.filter((v) => exptime.get(v.id)! >= te);
  const pick = longer.length
    ? longer.reduce((a, v) => (exptime.get(v.id)! < exptime.get(a.id)! ? v : a))
    : passing.reduce((a, v) => (exptime.get(v.id)! > exptime.get(a.id)! ? v : a));
  const td = exptime.get(pick.id)!;
  const why = `scaled by exposure (${formatSeconds(te)} / ${formatSeconds(td)}): no usable dark of the frame's exposure (of the others, ${longer.length ? 'the shortest at least as long as the frame' : 'the longest: none is as long as the frame'})`;
  return {
    params: { ...params, subtractDark: { ...params.subtractDark, scale: { value: true, source: 'plan', why: `no dark of the frame's exposure: ${pick.name} (${formatSeconds(td)}) scaled` } } },
    decision: {
      step: 'dark', outcome: 'chosen', chosen: pick.id,
      summary: `${pick.name} ${why}`,
      // Every candidate the view listed stays, each with why the rules refused it as it is.
      candidates: [{ ...pick, verdict: 'chosen', reason: why }, ...dark.candidates.filter((c) => c.id !== pick.id)],
    },
  };
}

/** Per run, the needed steps its frames go without because no calibration is usable (skipped by the user, or not needed: not listed). */
export function missingCalibrations(plan: Pick<Plan, 'decisions'>): Map<string, CalibrationStep[]> {
  const missing = new Map<string, CalibrationStep[]>();
  for (const d of plan.decisions) {
    if (!d.run) continue;
    for (const step of NEEDED_STEPS) {
      const dec = d.decisions[step];
      if (dec?.outcome !== 'none' || dec.notNeeded) continue;
      const steps = missing.get(d.run) ?? [];
      if (!steps.includes(step)) steps.push(step);
      missing.set(d.run, steps);
    }
  }
  return missing;
}

export function buildPlan(input: PlanInput): Plan {
  const rules: AssociationRules = { ...DEFAULT_RULES, ...input.rules, windowDays: { ...DEFAULT_RULES.windowDays, ...input.rules?.windowDays } };
  const now = input.now ?? Date.now();
  const minStack = input.minStack ?? 2;
  const excluded = new Map((input.exclusions ?? []).map((e) => [e.frameId, e]));
  // Products are named after their first input, in its folder below the folders all frames share.
  const root = commonFolder(input.frames.map((f) => f.folder ?? ''));
  const outputName = (kind: ProductKind, f: PlanFrame) => {
    const sub = (f.folder ?? '').slice(root.length).replace(/^\/+/, '');
    return sub ? `${sub}/${productName(kind, f.name)}` : productName(kind, f.name);
  };
  const overruled = new Map<string, string[]>();
  for (const o of input.overrules ?? []) overruled.set(o.frameId, [...(overruled.get(o.frameId) ?? []), o.step].sort());
  const acceptOf = (id: string) => (overruled.has(id) ? { accept: overruled.get(id)! } : {});
  const leftOut: LeftOutFrame[] = [];
  const notes: string[] = [];
  const raws: Record<'bias' | 'dark' | 'flat' | 'science', RawFrame[]> = { bias: [], dark: [], flat: [], science: [] };
  const existing: PlanFrame[] = [];
  const imported: { f: PlanFrame; step: CalibrationStep }[] = [];

  for (const f of input.frames) {
    const ex = excluded.get(f.id);
    if (ex) {
      leftOut.push({ id: f.id, name: f.name, reason: `excluded by you${ex.note ? `: ${ex.note}` : ''}` });
      continue;
    }
    const role = roleOf(f);
    if (role.kind === 'out') leftOut.push({ id: f.id, name: f.name, reason: role.reason });
    else if (role.kind === 'product') existing.push(f);
    else if (role.kind === 'imported') imported.push({ f, step: role.step });
    else raws[role.type].push({ f, facts: factsOf(f), night: f.descriptors.night ?? 'unknown night' });
  }

  // ---- parameters: resolved per run, scoped layers applying when they accept every input
  const rowOf = new Map<string, ReturnType<typeof descriptorRow>>();
  const row = (f: PlanFrame) => {
    let r = rowOf.get(f.id);
    if (!r) rowOf.set(f.id, (r = descriptorRow(f.descriptors, { type: f.type } as Classification, f.name)));
    return r;
  };
  const predicates = new Map<string, (r: ReturnType<typeof descriptorRow>) => boolean>();
  const accepts = (scope: string, frames: readonly PlanFrame[]) => {
    let pred = predicates.get(scope);
    if (!pred) predicates.set(scope, (pred = compileSelect(scope)));
    return frames.every((f) => pred!(row(f)));
  };
  const paramsFor = (recipe: RecipeName, frames: readonly PlanFrame[]) =>
    resolveParams(recipeSchema(RECIPES[recipe]), input.params ?? [], (scope) => accepts(scope, frames));

  const runs: PlannedRun[] = [];
  const candidates: Candidate[] = [];
  const existingByKey = new Map<string, PlanFrame>();
  for (const f of existing) {
    const key = f.product!.runKey;
    const prev = existingByKey.get(key);
    if (!prev || (prev.product!.createdAt < f.product!.createdAt)) existingByKey.set(key, f);
  }
  /** Our existing product of this key, and whether it is up to date. */
  const attachExisting = (run: PlannedRun) => {
    const f = existingByKey.get(run.key);
    if (f) run.existing = { id: f.id, name: f.name, upToDate: f.product!.signature === run.signature, info: f.product! };
  };

  // ---- masters to make: biases, darks and flats grouped by configuration (and night)
  const masterRun = (kind: 'bias' | 'dark' | 'flat', key: string, frames: RawFrame[], extra: Partial<FrameFacts>): { run: PlannedRun; cand: Candidate } => {
    const sorted = [...frames].sort(byTime);
    const recipe: RecipeName = kind === 'bias' ? 'makeMasterBias' : kind === 'dark' ? 'makeMasterDark' : 'makeMasterFlat';
    const times = sorted.map((r) => r.facts.time).filter((t): t is number => t !== undefined);
    const facts = sorted[0].facts;
    const what = kind === 'flat' ? ` ${extra.filter ?? 'no filter'}` : kind === 'dark' ? ` ${extra.exptime ?? '?'} s` : '';
    const run: PlannedRun = {
      key,
      recipe,
      kind,
      label: `${LABEL[kind]}${what}, night of ${sorted[0].night} (${sorted.length} frames; ${describeConfig(facts)})`,
      inputs: sorted.map((r) => ({ ref: { file: r.f.id }, name: r.f.name, calibrations: {}, ...acceptOf(r.f.id) })),
      params: paramsFor(recipe, sorted.map((r) => r.f)),
      dependsOn: [],
      signature: '',
      output: { name: outputName(kind, sorted[0].f), kind },
    };
    const cand: Candidate = {
      id: `run:${key}`,
      name: run.output.name,
      instrument: facts.instrument,
      detector: facts.detector,
      binning: facts.binning,
      readout: facts.readout,
      dataShape: facts.dataShape,
      filter: kind === 'flat' ? extra.filter : undefined,
      exptime: kind === 'dark' ? extra.exptime : undefined,
      time: times.length ? times.reduce((a, b) => a + b, 0) / times.length : undefined,
      kind,
      source: 'planned',
      valid: true,
      createdAt: now,
    };
    // The slot's current product may carry the user's say (marked invalid, a validity window): the slot keeps it.
    const prev = existingByKey.get(key)?.product;
    if (prev) {
      cand.valid = prev.valid;
      cand.validity = prev.validity;
      run.keep = { valid: prev.valid, validity: prev.validity };
    }
    return { run, cand };
  };
  const nightOf = (r: RawFrame) => r.night;
  for (const [key, group] of groupBy(raws.bias, (r) => `bias|${configKey(r.facts)}|${nightOf(r)}`)) {
    const { run, cand } = masterRun('bias', key, group, {});
    runs.push(run);
    candidates.push(cand);
  }
  const darkRuns: PlannedRun[] = [];
  for (const [key, group] of groupBy(raws.dark, (r) => `dark|${configKey(r.facts)}|${r.facts.exptime ?? '?'}|${nightOf(r)}`)) {
    const { run, cand } = masterRun('dark', key, group, { exptime: group[0].facts.exptime });
    darkRuns.push(run);
    candidates.push(cand);
  }
  const flatRuns: PlannedRun[] = [];
  for (const [key, group] of groupBy(raws.flat, (r) => `flat|${configKey(r.facts)}|${(r.facts.filter ?? '').trim().toLowerCase()}|${nightOf(r)}`)) {
    const { run, cand } = masterRun('flat', key, group, { filter: group[0].facts.filter });
    flatRuns.push(run);
    candidates.push(cand);
  }

  // Existing masters not remade by this plan, and masters made elsewhere.
  const plannedKeys = new Set(candidates.map((c) => c.id.slice(4)));
  /** Products of slots this plan makes: the planned candidate stands for them (pins to them are pins to it). */
  const standsFor = new Map<string, string>();
  for (const f of existing) {
    const p = f.product!;
    if (p.kind !== 'bias' && p.kind !== 'dark' && p.kind !== 'flat') continue;
    if (plannedKeys.has(p.runKey)) {
      standsFor.set(f.id, `run:${p.runKey}`);
      continue;
    }
    if (existingByKey.get(p.runKey) !== f) continue; // an older product of the same slot
    candidates.push(candidateOf(f, p.kind, 'product'));
  }
  for (const { f, step } of imported) candidates.push(candidateOf(f, step, 'imported'));

  // ---- association: every frame that needs calibrations, each step
  const pinsFor = (f: PlanFrame, step: CalibrationStep): Override | undefined => {
    const pins = (input.pins ?? []).filter((p) => p.step === step);
    const own = pins.find((p) => p.frameId === f.id) ?? pins.find((p) => p.scope !== undefined && !p.frameId && accepts(p.scope, [f]));
    if (!own) return undefined;
    if (own.skip) return { skip: true };
    return own.calibrationId ? { pin: standsFor.get(own.calibrationId) ?? own.calibrationId } : undefined;
  };
  const candById = new Map(candidates.map((c) => [c.id, c]));
  const decisions: FrameDecisions[] = [];
  const runOfCandidate = (id: string) => (id.startsWith('run:') ? id.slice(4) : undefined);
  const decide = (r: RawFrame, steps: readonly CalibrationStep[], scaleDark: boolean, runKey: string, isDark = false, isFlat = false): PlannedInput['calibrations'] => {
    const out: PlannedInput['calibrations'] = {};
    const dec: FrameDecisions = { id: r.f.id, name: r.f.name, run: runKey, decisions: {} };
    for (const step of steps) {
      const d = associate(r.facts, step, candidates, { ...rules, scaleDark }, pinsFor(r.f, step));
      dec.decisions[step] = d;
      if (d.chosen) {
        const c = candById.get(d.chosen)!;
        out[step] = { id: c.id, name: c.name, source: c.source, run: runOfCandidate(c.id), ...(d.outcome === 'pinned' ? { pinned: true } : {}), ...(d.againstRule ? { againstRule: d.againstRule } : {}) };
      }
    }
    // A dark's own frames are decided once the runs that use it are planned (below): they may scale it.
    if (!isDark) biasNotNeeded(dec, scaleDark, false, pinsFor(r.f, 'bias') !== undefined);
    if (isFlat) flatDarkNotNeeded(dec, pinsFor(r.f, 'dark') !== undefined);
    decisions.push(dec);
    return out;
  };
  const scaleDarkOf = (params: ResolvedParams) => stepValues(params, 'subtractDark').scale === true;

  for (const run of [...darkRuns, ...flatRuns]) {
    const frames = run.kind === 'dark' ? raws.dark : raws.flat;
    for (const inp of run.inputs) {
      const r = frames.find((x) => x.f.id === (inp.ref as { file: string }).file)!;
      inp.calibrations = decide(r, STEPS_OF[run.recipe], scaleDarkOf(run.params), run.key, run.kind === 'dark', run.kind === 'flat');
    }
  }
  // Darks and flats made here depend on the masters they use.
  runs.push(...darkRuns, ...flatRuns);

  // A master dark made here with a bias taken from every frame holds dark current alone: it may be
  // scaled; so may one of ours made earlier with a bias (its raw darks no longer in the library). One
  // made by another tool may hold the level still: not scaled unasked.
  const productById = new Map(input.frames.filter((f) => f.product).map((f) => [f.id, f.product!]));
  const darkBiasTakenOut = (candidateId: string) => {
    const run = darkRuns.find((r) => `run:${r.key}` === candidateId);
    if (run) return run.inputs.every((i) => i.calibrations.bias !== undefined);
    const made = productById.get(candidateId);
    return made?.kind === 'dark' && made.calibrations.bias !== undefined;
  };
  const reduceRuns: PlannedRun[] = [];
  const scienceOf = new Map<string, RawFrame>();
  for (const r of [...raws.science].sort(byTime)) {
    const key = `reduced|${r.f.id}`;
    let params = paramsFor('reduceScience', [r.f]);
    const cals = decide(r, STEPS_OF.reduceScience, scaleDarkOf(params), key);
    const dec = decisions[decisions.length - 1];
    const scaled = darkByExposure(r.facts, dec, params, candidates, rules, pinsFor(r.f, 'dark') !== undefined, darkBiasTakenOut);
    if (scaled) {
      params = scaled.params;
      dec.decisions.dark = scaled.decision;
      const c = candById.get(scaled.decision.chosen!)!;
      cals.dark = { id: c.id, name: c.name, source: c.source, run: runOfCandidate(c.id) };
    }
    const run: PlannedRun = {
      key,
      recipe: 'reduceScience',
      kind: 'reduced',
      label: `Reduce ${r.f.name}`,
      inputs: [{ ref: { file: r.f.id }, name: r.f.name, calibrations: cals, ...acceptOf(r.f.id) }],
      params,
      dependsOn: [],
      signature: '',
      output: { name: outputName('reduced', r.f), kind: 'reduced' },
    };
    for (const step of NEEDED_STEPS) {
      const d = dec.decisions[step];
      if (d && d.outcome === 'none' && !d.notNeeded) notes.push(`${r.f.name}: ${d.summary}`);
    }
    reduceRuns.push(run);
    scienceOf.set(key, r);
  }
  runs.push(...reduceRuns);

  // ---- stacks: reduced frames of one target, filter and configuration
  const stackGroups = groupBy(reduceRuns, (run) => {
    const r = scienceOf.get(run.key)!;
    return `stack|${configKey(r.facts)}|${(r.f.descriptors.object ?? '').trim().toLowerCase()}|${(r.facts.filter ?? '').trim().toLowerCase()}`;
  });
  for (const [key, group] of stackGroups) {
    const first = scienceOf.get(group[0].key)!;
    const object = first.f.descriptors.object ?? 'no object name';
    const filter = first.facts.filter ?? 'no filter';
    if (group.length < minStack) {
      notes.push(`${object} in ${filter}: ${group.length} frame${group.length === 1 ? '' : 's'}, no stack (a stack needs ${minStack})`);
      continue;
    }
    runs.push({
      key,
      recipe: 'stackScience',
      kind: 'stack',
      label: `Stack ${object} ${filter} (${group.length} frames)`,
      inputs: group.map((g) => ({ ref: { run: g.key }, name: g.output.name, calibrations: {} })),
      params: paramsFor('stackScience', group.map((g) => scienceOf.get(g.key)!.f)),
      dependsOn: group.map((g) => g.key),
      signature: '',
      output: { name: outputName('stack', first.f), kind: 'stack' },
    });
  }

  // A master dark keeps the level for its users, unless they scale it by exposure: then its frames need a bias.
  for (const run of darkRuns) {
    const scaled = runs.some((r) => r.inputs.some((i) => i.calibrations.dark?.run === run.key) && scaleDarkOf(r.params));
    for (const d of decisions) {
      if (d.run !== run.key) continue;
      const f = raws.dark.find((x) => x.f.id === d.id)!.f;
      biasNotNeeded(d, scaled, true, pinsFor(f, 'bias') !== undefined);
    }
  }

  // ---- dependencies and signatures, in order (runs are already topologically sorted)
  const sigOf = new Map<string, string>();
  const runByKey = new Map(runs.map((r) => [r.key, r]));
  for (const run of runs) {
    const deps = new Set(run.dependsOn);
    for (const inp of run.inputs) for (const c of Object.values(inp.calibrations)) if (c?.run) deps.add(c.run);
    run.dependsOn = [...deps].filter((k) => runByKey.has(k));
    const identity = (ref: InputRef) => ('file' in ref ? ref.file : `run:${sigOf.get(ref.run)}`);
    const calIdentity = (c?: CalRef) => (c ? (c.run ? `run:${sigOf.get(c.run)}` : c.id) : null);
    run.signature = signatureOf({
      // Products of an earlier pipeline are stale when the pipeline changes what it makes.
      pipeline: PIPELINE_VERSION,
      recipe: run.recipe,
      inputs: run.inputs.map((i) => ({ in: identity(i.ref), bias: calIdentity(i.calibrations.bias), dark: calIdentity(i.calibrations.dark), flat: calIdentity(i.calibrations.flat), accept: i.accept })),
      params: Object.fromEntries(Object.entries(run.params).map(([s, v]) => [s, Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x.value]))])),
    });
    sigOf.set(run.key, run.signature);
    attachExisting(run);
  }
  return { runs, decisions, leftOut, notes, rules };
}

/**
 * Bumped when a change to the code changes the pixels or headers products
 * get (not for every change): products made before then are stale, and
 * "Reduce all" remakes them.
 * 2 (2026-11-30): cosmic rays at the frame's edge, beside bad pixels and on star cores, VAR of a
 *   cleaned pixel, VAR's UTYPE, a flat's BUNIT, SATURATE through the steps, a stack's GAIN and
 *   RDNOISE, NCOMBINE, DATE and MJD-OBS, HISTORY broken at spaces and saying what 'auto' meant,
 *   the warning for a pin the rules refuse.
 * 3 (2026-11-30): a master bias measures the read noise no header gives (measureReadNoise), and
 *   the frames it calibrates take it into their VAR (RDNOISE); frames that still hold the camera's
 *   level get no Poisson term of it (a CMOS night's darks).
 * 4 (2026-12-01): subtractDark adds the shot noise of the dark current it takes out to VAR (of a
 *   dark that holds the level, what stands out of it: hot pixels, amp glow); flagCosmicRays takes
 *   the noise beyond the counts from VAR (CRNOISE), so dark current and hot pixels are not hits;
 *   colour mosaics (BAYERPAT): cosmic rays searched per colour, stacks shifted by whole even
 *   pixels, sources measured on 2 x 2 block means, BAYERPAT rewritten by an odd trim; a normalized
 *   flat without the raw flats' read noise.
 * 5 (2026-12-01): a colour (Bayer) master flat normalized colour by colour (FLATNRM1-4), its
 *   bad pixels judged against their own colour's local level, and its raw flats' level checked on
 *   their brightest and most saturated colour.
 */
export const PIPELINE_VERSION = 5;

/** The folder every one of these is in or below ('' when they share none). */
function commonFolder(folders: readonly string[]): string {
  if (!folders.length) return '';
  let parts = folders[0].split('/').filter(Boolean);
  for (const f of folders.slice(1)) {
    const other = f.split('/').filter(Boolean);
    let k = 0;
    while (k < parts.length && k < other.length && parts[k] === other[k]) k++;
    parts = parts.slice(0, k);
  }
  return parts.join('/');
}

/** Runs that must go: not up to date, or depending on one that must. */
export function runsToDo(plan: Plan): PlannedRun[] {
  const todo = new Set<string>();
  for (const run of plan.runs) {
    if (!run.existing?.upToDate || run.dependsOn.some((d) => todo.has(d))) todo.add(run.key);
  }
  return plan.runs.filter((r) => todo.has(r.key));
}

/** Existing products whose run must go again: their inputs, calibrations or parameters changed. */
export function staleProducts(plan: Plan): { id: string; name: string; run: string }[] {
  const todo = new Set(runsToDo(plan).map((r) => r.key));
  return plan.runs.filter((r) => r.existing && todo.has(r.key)).map((r) => ({ id: r.existing!.id, name: r.existing!.name, run: r.key }));
}

export type { ProductInfo };
