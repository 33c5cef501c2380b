/**
 * Calibration association: which master bias, dark or flat goes with a frame,
 * and why (DESIGN.md section 4).
 *
 * The match rules follow DRAGONS' calibration rules (same instrument,
 * detector, binning, readout and shape; flats also the filter; darks also the
 * exposure unless they are scaled); the time rule is Astro-WISE's: every
 * calibration has a validity window (its own, which the user may edit, or its
 * time +- N days), and one marked invalid is never chosen. Among the
 * candidates that pass, the closest in time wins, then the newest product,
 * then the first by name, so the answer is deterministic.
 *
 * Everything here returns words for the user, and those words are the
 * interface, so they follow fixed conventions:
 *
 * - A failed rule reads "<descriptor> <master's value> != <frame's value>"
 *   ("filter V != R": the flat is V, the frame R); values are shown as given.
 * - Time is told from the calibration's side: "taken 3 min before the frame",
 *   "taken 200 days after the frame, outside +-180 days", "valid until
 *   2026-09-10, but the frame was taken 2026-09-30".
 * - A value missing on either side does not fail its rule (imported masters
 *   often lack keywords); the chosen reason then says so where one side has
 *   it and the other does not ("instrument unknown on the master").
 * - The user's say (a pin, a skip) wins over the rules and is reported as
 *   "pinned by you" / "skipped by you".
 *
 * Pure: no DOM, no storage; the views read what this returns and never
 * recompute association themselves.
 */
import { CALIBRATION_STEPS, type CalibrationStep } from './products';

/** What association needs to know of a frame (a raw science frame or flat) or of a candidate calibration. */
export interface FrameFacts {
  id: string;
  name: string;
  instrument?: string;
  detector?: string;
  /** '1x1', '2x2'. */
  binning?: string;
  /** Readout mode/speed/amp/CMOS gain+offset settings, already normalized to one string. */
  readout?: string;
  /** Shape of the data after trimming, e.g. '2048x4096', or '2048x4096 x3' for 3 extensions. */
  dataShape?: string;
  filter?: string;
  /** Seconds. */
  exptime?: number;
  /** Start of exposure (frames) or mid-time of the inputs (calibrations), ms since epoch. */
  time?: number;
}

export interface Candidate extends FrameFacts {
  kind: CalibrationStep;
  /** 'planned': a master this plan will make; 'product': a master made earlier by this workbench; 'imported': a master made by another tool. */
  source: 'planned' | 'product' | 'imported';
  /** Explicit validity window (ms, inclusive), when the product has one (users can edit it). Absent: time +- the step's window. */
  validity?: { start: number; end: number };
  /** False = marked invalid by the user: never chosen by the rules. */
  valid: boolean;
  /** ms; "newest product" tie-break (planned masters: the plan's time, i.e. newest). */
  createdAt: number;
}

export interface AssociationRules {
  /** Half-width of the default validity window per step, days. DESIGN: bias 90, dark 90, flat 180. */
  windowDays: Record<CalibrationStep, number>;
  /** Darks: when false, the dark's exposure must match the frame's within the tolerance; when true any exposure will do (the dark is scaled). */
  scaleDark: boolean;
  /**
   * Relative exposure tolerance for darks, e.g. 0.01. A dark matches when
   * |dark - frame| <= max(tolerance * frame exposure, DARK_EXPTIME_FLOOR_S),
   * i.e. relative to the frame's exposure, never tighter than 0.01 s (so a
   * 0 s frame or a tolerance of 0 still accepts rounding in the headers).
   */
  darkExptimeTolerance: number;
}

/** Absolute floor of the dark exposure tolerance, seconds. */
export const DARK_EXPTIME_FLOOR_S = 0.01;

export const DEFAULT_RULES: AssociationRules = {
  windowDays: { bias: 90, dark: 90, flat: 180 },
  scaleDark: false,
  darkExptimeTolerance: 0.01,
};

/** The user's say, which wins over the rules. */
export type Override = { pin: string } | { skip: true };

export interface CandidateVerdict {
  id: string;
  name: string;
  source: Candidate['source'];
  verdict: 'chosen' | 'failed' | 'outranked';
  /**
   * failed: the first rule it failed ("filter V != R", "marked invalid");
   * outranked: why another passing candidate was preferred ("farther in time (2.1 h) than raw0001_bias.fits (3 min)");
   * chosen: why ("closest in time (taken 3 min before the frame)", "pinned by you").
   */
  reason: string;
  /** Name of the first rule it fails (see ASSOCIATION_RULES), whatever the verdict: set on failed ones and on a pinned one the rules would refuse. */
  failedRule?: string;
}

export interface StepDecision {
  step: CalibrationStep;
  outcome: 'chosen' | 'pinned' | 'skipped' | 'none';
  /** id of the calibration to use (chosen or pinned). */
  chosen?: string;
  /** Pinned though the rules refuse it: the first rule's reason ("filter V != R"), which the run repeats as a warning. */
  againstRule?: string;
  /** One sentence for the frame's row. */
  summary: string;
  /** Every candidate of this step: chosen first, then outranked by rank, then failed (also by rank). */
  candidates: CandidateVerdict[];
  /**
   * Outcome 'none' that is no loss (plan.ts): no bias at all, where the frame's dark, unscaled,
   * takes the camera's level out with its own (biasNotNeeded); no dark of a flat's exposure, where
   * its bias takes the level out (flatDarkNotNeeded). The summary says so.
   */
  notNeeded?: true;
}

/** The verdict of the calibration a decision uses (chosen or pinned), if any. */
export function chosenVerdict(dec: StepDecision): CandidateVerdict | undefined {
  return dec.chosen ? dec.candidates.find((c) => c.id === dec.chosen) : undefined;
}

/** Where a value a rule needs is missing. */
export type UnknownSide = 'master' | 'frame' | 'both';

/** One association rule, as data the views can list. */
export interface AssociationRule {
  /** Short name, also the descriptor it compares ('filter', 'window', ...). */
  name: string;
  /** Steps it applies to. */
  steps: readonly CalibrationStep[];
  /** One line for the views: what must hold. */
  doc: string;
  /** Group label in a "no usable ..." summary when several candidates fail it for different reasons. */
  short: string;
  /** null = passes; else the reason, in the user's words. */
  check(frame: FrameFacts, cand: Candidate, rules: AssociationRules): string | null;
  /** When the rule passed only because a value is unknown and that may matter: where it is missing. */
  unknown?(frame: FrameFacts, cand: Candidate, rules: AssociationRules): UnknownSide | null;
}

const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------- words

function isKnownText(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

function isKnownNumber(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v);
}

/** Case-insensitive, trimmed, inner runs of spaces count as one. */
export function sameText(a: string, b: string): boolean {
  const n = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return n(a) === n(b);
}

/** A number as people write it: at most 3 decimals, no trailing zeros. */
function formatNumber(x: number): string {
  return String(Number(x.toFixed(3)));
}

export function formatSeconds(s: number): string {
  return `${formatNumber(s)} s`;
}

function formatDays(days: number): string {
  return `${formatNumber(days)} ${days === 1 ? 'day' : 'days'}`;
}

/** 'a', 'a and b', 'a, b and c'. */
function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const DURATION_UNITS = [
  { ms: 1, one: 'ms', many: 'ms', below: 1000 },
  { ms: 1000, one: 's', many: 's', below: 60 },
  { ms: 60_000, one: 'min', many: 'min', below: 60 },
  { ms: 3_600_000, one: 'h', many: 'h', below: 24 },
  { ms: MS_PER_DAY, one: 'day', many: 'days', below: Infinity },
] as const;

/**
 * A duration for people, sign ignored: '0 s', '250 ms', '4.5 s', '3 min',
 * '2.1 h', '1 day', '200 days'. The largest unit that keeps the number below
 * the next unit; one decimal under 10, whole numbers above (so 59.97 s reads
 * '1 min', never '60 s').
 */
export function describeDuration(ms: number): string {
  const a = Math.abs(ms);
  if (Number.isNaN(a)) return 'unknown';
  if (a === 0) return '0 s';
  if (a < 0.5) return 'under 1 ms';
  for (const u of DURATION_UNITS) {
    const v = a / u.ms;
    const r = u.ms === 1 || v >= 9.95 ? Math.round(v) : Math.round(v * 10) / 10;
    if (r < u.below) return `${r} ${r === 1 ? u.one : u.many}`;
  }
  return 'forever';
}

/**
 * Two instants as UTC dates, with as much of the time of day as it takes to
 * tell them apart ('2026-09-10' / '2026-09-10 18:00 UTC').
 */
function formatInstants(a: number, b: number): [string, string] {
  const ia = new Date(a).toISOString();
  const ib = new Date(b).toISOString();
  for (const [len, suffix] of [[10, ''], [16, ' UTC'], [19, ' UTC']] as const) {
    const sa = ia.slice(0, len);
    const sb = ib.slice(0, len);
    if (sa !== sb) return [sa.replace('T', ' ') + suffix, sb.replace('T', ' ') + suffix];
  }
  return [ia.replace('T', ' ').replace('Z', ' UTC'), ib.replace('T', ' ').replace('Z', ' UTC')];
}

// ---------------------------------------------------------------- rules

type TextField = 'instrument' | 'detector' | 'binning' | 'readout' | 'dataShape' | 'filter';

/** A descriptor both sides must share, when both have it. */
function descriptorRule(
  name: string, field: TextField, steps: readonly CalibrationStep[], doc: string, short: string,
  normalize: (s: string) => string = (s) => s,
): AssociationRule {
  return {
    name, steps, doc, short,
    check(frame, cand) {
      const f = frame[field];
      const c = cand[field];
      if (!isKnownText(f) || !isKnownText(c)) return null;
      if (sameText(normalize(f), normalize(c))) return null;
      return `${name} ${c.trim()} != ${f.trim()}`;
    },
    unknown(frame, cand) {
      const f = isKnownText(frame[field]);
      const c = isKnownText(cand[field]);
      return f === c ? null : f ? 'master' : 'frame';
    },
  };
}

/** True when a dark of `darkExptime` s may correct a frame of `frameExptime` s without scaling (see AssociationRules.darkExptimeTolerance). */
export function exposureMatches(darkExptime: number, frameExptime: number, tolerance: number): boolean {
  const allowed = Math.max(tolerance * Math.abs(frameExptime), DARK_EXPTIME_FLOOR_S);
  // 1e-9 s absorbs binary rounding (0.01 * 300 is not exactly 3).
  return Math.abs(darkExptime - frameExptime) <= allowed + 1e-9;
}

const exposureRule: AssociationRule = {
  name: 'exposure',
  steps: ['dark'],
  doc: 'darks: the exposure matches the frame\'s within the tolerance (relative to the frame\'s, at least 0.01 s), unless darks are scaled by exposure',
  short: 'other exposure',
  check(frame, cand, rules) {
    if (rules.scaleDark) return null;
    if (!isKnownNumber(frame.exptime) || !isKnownNumber(cand.exptime)) return null;
    if (exposureMatches(cand.exptime, frame.exptime, rules.darkExptimeTolerance)) return null;
    return `exposure ${formatSeconds(cand.exptime)} != ${formatSeconds(frame.exptime)}`;
  },
  unknown(frame, cand, rules) {
    const f = isKnownNumber(frame.exptime);
    const c = isKnownNumber(cand.exptime);
    // Scaling needs both exposures, so then a missing one always matters.
    if (!f && !c) return rules.scaleDark ? 'both' : null;
    return f === c ? null : f ? 'master' : 'frame';
  },
};

const windowRule: AssociationRule = {
  name: 'window',
  steps: CALIBRATION_STEPS,
  doc: 'the frame was taken within the calibration\'s validity window: its own when it has one, else its time +- 90 days (bias, dark) or 180 days (flat)',
  short: 'outside the validity window',
  check(frame, cand, rules) {
    if (!isKnownNumber(frame.time)) return null;
    if (cand.validity) {
      const { start, end } = cand.validity;
      if (frame.time < start) {
        const [s, t] = formatInstants(start, frame.time);
        return `valid from ${s}, but the frame was taken ${t}`;
      }
      if (frame.time > end) {
        const [e, t] = formatInstants(end, frame.time);
        return `valid until ${e}, but the frame was taken ${t}`;
      }
      return null;
    }
    if (!isKnownNumber(cand.time)) return null;
    const days = rules.windowDays[cand.kind];
    const d = cand.time - frame.time;
    const limit = days * MS_PER_DAY;
    if (Math.abs(d) <= limit) return null;
    const excess = Math.abs(d) - limit;
    // Just past the edge, "180 days" would read as inside: say by how much.
    const howFar = days >= 1 && excess < MS_PER_DAY
      ? `${formatDays(days)} and ${describeDuration(excess)}`
      : describeDuration(d);
    return `taken ${howFar} ${d < 0 ? 'before' : 'after'} the frame, outside +-${formatDays(days)}`;
  },
};

/**
 * The rules, in the order they are checked; a candidate's verdict names the
 * first one it fails. Each applies only to the steps it lists.
 */
export const ASSOCIATION_RULES: readonly AssociationRule[] = [
  {
    name: 'valid',
    steps: CALIBRATION_STEPS,
    doc: 'the calibration has not been marked invalid',
    short: 'marked invalid',
    check: (_frame, cand) => (cand.valid ? null : 'marked invalid'),
  },
  descriptorRule('instrument', 'instrument', CALIBRATION_STEPS, 'same instrument (INSTRUME)', 'other instrument'),
  descriptorRule('detector', 'detector', CALIBRATION_STEPS, 'same detector (DETECTOR)', 'other detector'),
  descriptorRule('binning', 'binning', CALIBRATION_STEPS, 'same binning', 'other binning', (s) => s.replace(/\s+/g, '')),
  descriptorRule('readout', 'readout', CALIBRATION_STEPS, 'same readout mode (speed, amplifier, gain and offset settings)', 'other readout'),
  descriptorRule('shape', 'dataShape', CALIBRATION_STEPS, 'same data shape after trimming (size and number of extensions)', 'other shape'),
  descriptorRule('filter', 'filter', ['flat'], 'flats: same filter', 'other filter'),
  exposureRule,
  windowRule,
];

/** The rules that apply to a step, in order. */
export function rulesFor(step: CalibrationStep): AssociationRule[] {
  return ASSOCIATION_RULES.filter((r) => r.steps.includes(step));
}

/** The first rule the candidate fails for its kind, or null when it passes them all. */
export function firstFailure(
  frame: FrameFacts, cand: Candidate, rules: AssociationRules = DEFAULT_RULES,
): { rule: string; reason: string } | null {
  for (const rule of rulesFor(cand.kind)) {
    const reason = rule.check(frame, cand, rules);
    if (reason !== null) return { rule: rule.name, reason };
  }
  return null;
}

/** "instrument and detector unknown on the master; filter unknown on the frame", or '' when nothing is missing that matters. */
function unknownNote(frame: FrameFacts, cand: Candidate, rules: AssociationRules): string {
  const bySide: Record<UnknownSide, string[]> = { master: [], frame: [], both: [] };
  for (const rule of rulesFor(cand.kind)) {
    const side = rule.unknown?.(frame, cand, rules);
    if (side) bySide[side].push(rule.name);
  }
  const where: Record<UnknownSide, string> = { master: 'the master', frame: 'the frame', both: 'both' };
  return (['master', 'frame', 'both'] as const)
    .filter((s) => bySide[s].length > 0)
    .map((s) => `${joinList(bySide[s])} unknown on ${where[s]}`)
    .join('; ');
}

// ---------------------------------------------------------------- ranking

interface Evaluated {
  c: Candidate;
  fail: { rule: string; reason: string } | null;
  /** |candidate time - frame time|, ms; Infinity when either is unknown. */
  dist: number;
}

function distance(frame: FrameFacts, cand: Candidate): number {
  return isKnownNumber(frame.time) && isKnownNumber(cand.time) ? Math.abs(cand.time - frame.time) : Infinity;
}

type Criterion = 'time' | 'age' | 'name' | 'id' | 'none';

/** What sets a before b in the ranking. */
function decidingCriterion(a: Evaluated, b: Evaluated): Criterion {
  if (a.dist !== b.dist) return 'time';
  if (a.c.createdAt !== b.c.createdAt) return 'age';
  if (a.c.name !== b.c.name) return 'name';
  if (a.c.id !== b.c.id) return 'id';
  return 'none';
}

/** Closest in time (unknown last), then newest createdAt, then name, then id (code-unit order, locale-free). */
function byRank(a: Evaluated, b: Evaluated): number {
  switch (decidingCriterion(a, b)) {
    case 'time': return a.dist < b.dist ? -1 : 1;
    case 'age': return b.c.createdAt - a.c.createdAt;
    case 'name': return a.c.name < b.c.name ? -1 : 1;
    case 'id': return a.c.id < b.c.id ? -1 : 1;
    case 'none': return 0;
  }
}

/** "taken 3 min before the frame", "time unknown on the master", ... */
function timeDetail(frame: FrameFacts, cand: Candidate): string {
  if (!isKnownNumber(frame.time)) return 'the frame\'s time is unknown';
  if (!isKnownNumber(cand.time)) return 'time unknown on the master';
  const d = cand.time - frame.time;
  if (d === 0) return 'taken at the same time as the frame';
  return `taken ${describeDuration(d)} ${d < 0 ? 'before' : 'after'} the frame`;
}

/** Why the rules' first choice wins over the runner-up (absent when it is the only match). */
function chosenReason(frame: FrameFacts, rules: AssociationRules, best: Evaluated, next?: Evaluated): string {
  const detail = timeDetail(frame, best.c);
  let reason: string;
  switch (next ? decidingCriterion(best, next) : 'only') {
    case 'only': reason = `only match (${detail})`; break;
    case 'time': reason = `closest in time (${detail})`; break;
    case 'age':
      reason = Number.isFinite(best.dist)
        ? `newest at the same distance in time (${detail})`
        : `newest (${detail})`;
      break;
    case 'name': reason = `first by name of those tied on time and age (${detail})`; break;
    default: reason = `first by id of those tied on time, age and name (${detail})`; break;
  }
  const note = unknownNote(frame, best.c, rules);
  return note ? `${reason}; ${note}` : reason;
}

/** Why `e` ranks after `best`. */
function outrankedReason(frame: FrameFacts, e: Evaluated, best: Evaluated): string {
  const other = best.c.name;
  switch (decidingCriterion(best, e)) {
    case 'time':
      return Number.isFinite(e.dist)
        ? `farther in time (${describeDuration(e.dist)}) than ${other} (${describeDuration(best.dist)})`
        : `time unknown on the master, while ${other} is ${describeDuration(best.dist)} from the frame`;
    case 'age': {
      const where = Number.isFinite(e.dist) ? ' at the same distance in time'
        : !isKnownNumber(frame.time) ? ' (the frame\'s time is unknown)'
          : ' (neither time is known)';
      return `older than ${other}${where}`;
    }
    case 'name': return `tied on time and age with ${other}, which comes first by name`;
    default: return `tied on time, age and name with ${other}, which comes first by id`;
  }
}

// ---------------------------------------------------------------- association

/**
 * Which calibration of `step` goes with `frame`, and why, for every
 * candidate. Candidates of other kinds are ignored. An override wins over the
 * rules: a pin chooses its calibration even when the rules refuse it (the
 * reason says which rule), a skip chooses nothing; either way every candidate
 * is listed with the rules' verdict.
 */
export function associate(
  frame: FrameFacts,
  step: CalibrationStep,
  candidates: readonly Candidate[],
  rules: AssociationRules = DEFAULT_RULES,
  override?: Override,
): StepDecision {
  const evaluated: Evaluated[] = candidates
    .filter((c) => c.kind === step)
    .map((c) => ({ c, fail: firstFailure(frame, c, rules), dist: distance(frame, c) }));
  const passing = evaluated.filter((e) => !e.fail).sort(byRank);
  const failing = evaluated.filter((e) => e.fail).sort(byRank);
  const best = passing[0];
  const bestReason = best ? chosenReason(frame, rules, best, passing[1]) : '';

  const verdict = (e: Evaluated, v: CandidateVerdict['verdict'], reason: string): CandidateVerdict => {
    const out: CandidateVerdict = { id: e.c.id, name: e.c.name, source: e.c.source, verdict: v, reason };
    if (e.fail) out.failedRule = e.fail.rule;
    return out;
  };
  /** Verdicts of everything but `chosen`; `instead` says why the rules' own choice is not used, when it is not. */
  const others = (chosen: Evaluated | undefined, instead?: string): CandidateVerdict[] => [
    ...passing.filter((e) => e !== chosen).map((e) => (e === best
      ? verdict(e, 'outranked', `the rules' choice: ${bestReason}; ${instead}`)
      : verdict(e, 'outranked', outrankedReason(frame, e, best)))),
    ...failing.filter((e) => e !== chosen).map((e) => verdict(e, 'failed', e.fail!.reason)),
  ];

  if (override && 'pin' in override) {
    const pinned = evaluated.find((e) => e.c.id === override.pin);
    if (!pinned) {
      return {
        step, outcome: 'none',
        summary: `the ${step} you pinned is no longer in the library`
          + (best ? ` (the rules would choose ${best.c.name})` : ''),
        candidates: others(undefined, `you pinned a ${step} that is no longer in the library`),
      };
    }
    let reason: string;
    if (pinned.fail) reason = `pinned by you (note: ${pinned.fail.reason})`;
    else if (pinned === best) reason = `pinned by you, also the rules' choice: ${bestReason}`;
    else {
      const note = unknownNote(frame, pinned.c, rules);
      reason = note ? `pinned by you; ${note}` : 'pinned by you';
    }
    return {
      step, outcome: 'pinned', chosen: pinned.c.id,
      ...(pinned.fail ? { againstRule: pinned.fail.reason } : {}),
      summary: `pinned by you: ${pinned.c.name}` + (pinned.fail ? ` (note: ${pinned.fail.reason})` : ''),
      candidates: [verdict(pinned, 'chosen', reason), ...others(pinned, `you pinned ${pinned.c.name}`)],
    };
  }

  if (override && 'skip' in override) {
    return { step, outcome: 'skipped', summary: 'skipped by you', candidates: others(undefined, 'skipped by you') };
  }

  if (best) {
    return {
      step, outcome: 'chosen', chosen: best.c.id,
      summary: `${best.c.name}: ${bestReason}`,
      candidates: [verdict(best, 'chosen', bestReason), ...others(best)],
    };
  }

  return { step, outcome: 'none', summary: noneSummary(step, failing), candidates: others(undefined) };
}

/** "no bias in the library", or the failures counted by rule: "no usable flat: 3 candidates, none matches (filter V != R for 2, marked invalid for 1)". */
function noneSummary(step: CalibrationStep, failing: readonly Evaluated[]): string {
  if (failing.length === 0) return `no ${step} in the library`;
  if (failing.length === 1) return `no usable ${step}: the only candidate does not match (${failing[0].fail!.reason})`;
  const order = ASSOCIATION_RULES.map((r) => r.name);
  const groups = new Map<string, string[]>();
  for (const e of failing) {
    const list = groups.get(e.fail!.rule) ?? [];
    list.push(e.fail!.reason);
    groups.set(e.fail!.rule, list);
  }
  const parts = [...groups.entries()]
    .sort(([a, ra], [b, rb]) => rb.length - ra.length || order.indexOf(a) - order.indexOf(b))
    .map(([name, reasons]) => {
      const rule = ASSOCIATION_RULES.find((r) => r.name === name)!;
      // The window's reasons carry their own commas: always its short label.
      const same = reasons.every((r) => r === reasons[0]) && rule !== windowRule;
      return `${same ? reasons[0] : rule.short} for ${reasons.length}`;
    });
  return `no usable ${step}: ${failing.length} candidates, none matches (${parts.join(', ')})`;
}
