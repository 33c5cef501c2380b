/**
 * The run engine: one run of one recipe, through a PixelStore. It
 * - opens the inputs and loads, for each, the calibrations the plan chose;
 * - applies consecutive frame steps to one frame in memory at a time, and
 *   parks the result (memory within the budget, else scratch storage);
 * - runs group steps on what the frames' steps measured;
 * - streams the stack step band by band;
 * - writes the product with its provenance, atomically (the store's commit);
 * - logs every step with its parameters, time and warnings, checks for
 *   cancellation between frames and bands, and leaves nothing behind when it
 *   fails or is cancelled.
 * Pure TypeScript: it runs in a Web Worker on IndexedDB and in Node on files.
 */
import { MeteredStore, describeTally } from './meter';
import { extractDescriptors } from '../classify/descriptors';
import { CancelledError, cancelRequestedNow, type CancelCheck } from '../cancel';
import { frameBytes, loadFrame, type AstroFrame, type FrameMeta } from './astroFrame';
import { CalibrationCache } from './calibrationCache';
import { stepValues, type ResolvedParams, type StepValues } from './params';
import { Parking } from './parking';
import type { FrameContext, FramePrimitive, GroupPrimitive, Member, StepLog } from './primitive';
import { activeMembers, optNum } from './primitive';
import { isMasterKind, type CalibrationStep, type FrameRef, type Kept, type LeftOut, type ProductInfo, type ProductKind, type StackMember, type Star } from './products';
import { provenanceCards, stepHistory, type StepRecord } from './provenance';
import { setCard } from './cards';
import { frameTime } from './facts';
import { RECIPES, type Recipe, type RecipeName, type RecipeStep } from './recipes';
import { stackMembers } from './stackStage';
import type { FrameWriter, PixelStore, ReadAgain, StoredFrame } from './store';
import type { Card } from '../fits/types';
import { frameHeadersOf, headersWithUnit, writeFrame } from './writeFrame';
import { noteMeasuredReadNoise } from './primitives/readNoise';
import { readNoiseCommentInAdu } from './primitives/electrons';
import { give } from '../kernels/scratch';

/** A calibration an input uses. */
export interface CalibrationRef extends FrameRef {
  /** Pinned by the user though the association rules refuse it: why they do ("filter V != R"). The run says so as a warning. */
  againstRule?: string;
}

export interface RunInput extends FrameRef {
  /** The calibrations the plan chose for this input; a step without one is skipped with a note. */
  calibrations?: Partial<Record<CalibrationStep, CalibrationRef>>;
  /** What an earlier run measured on this input (a reduced frame's stars and quality). */
  meta?: Pick<FrameMeta, 'quality' | 'stars' | 'measuredWith'>;
  /** Steps whose refusal of this input the user overruled: the frame is kept, with a warning. */
  accept?: string[];
}

/** Everything a run needs, resolved: what the plan lists before it starts. */
export interface RunSpec {
  /** Unique id of this execution. */
  id: string;
  /** Identity of the product slot (same key in a later plan = the same product, remade). */
  key: string;
  recipe: RecipeName;
  label: string;
  inputs: RunInput[];
  params: ResolvedParams;
  output: { name: string; kind: ProductKind };
  signature: string;
  /** Masters: the valid flag and validity window to keep from the product this run remakes. */
  keep?: { valid: boolean; validity?: { start: number; end: number } };
  /** Planned inputs that never came (a stack's frame whose reduction failed), with why: the product lists them. */
  leftOut?: LeftOut[];
}

export interface LogEntry {
  time: number;
  step: string;
  level: 'info' | 'warn';
  message: string;
  /** The input frame a step's message is about, in a run of several (a master's frames). */
  frame?: string;
  /** Summary entries of a step: its parameters and the time it took over all frames. */
  params?: StepValues;
  seconds?: number;
}

export interface RunEvents {
  log?(entry: LogEntry): void;
  /** Fraction of the run done, and the step it is in. */
  progress?(fraction: number, step: string): void;
}

export interface EngineOptions {
  /** Memory for parked frames and stack bands, bytes. Default 512 MB. */
  memoryBytes?: number;
  /**
   * The bytes of memoryBytes that processed frames waiting for their stack
   * may hold before the rest go to scratch. Default 0.6 of memoryBytes. 0 where scratch costs
   * about what memory does: a browser worker's OPFS files (written at over
   * 1 GB/s) with Chromium's fresh memory dear. On the 2k bench night it
   * lowers the browser's peak by ~70 MB, the master flats' frames no longer
   * held while the master is combined, for ~0.5 s more; in Node (scratch in
   * files through fs) spilling every frame costs 1 s and saves nothing.
   */
  parkingBytes?: number;
  cancel?: CancelCheck;
  /** Calibrations kept between runs (one per worker). */
  calibrations?: CalibrationCache;
}

/**
 * Bytes a worker keeps calibrations in, beside a run's budget: enough for a
 * master bias and a master flat of the frames the budget is sized for (a
 * 2k x 2k master with VAR and DQ is 40 MB).
 */
export function calibrationBudget(memoryBytes: number): number {
  return memoryBytes * 0.375;
}

export interface RunResult {
  product: FrameRef;
  info: ProductInfo;
  log: LogEntry[];
  seconds: number;
}

type Stage =
  | { kind: 'frame'; steps: RecipeStep[] }
  | { kind: 'group'; step: RecipeStep }
  | { kind: 'stack'; step: RecipeStep };

/**
 * Consecutive frame steps form one stage: a frame is loaded once for all of
 * them. `foreseen`: group steps known to have nothing to do (skipsFor); they
 * make no stage, so the frame steps on either side of one form one stage.
 */
export function stagesOf(recipe: Recipe, foreseen: ReadonlySet<RecipeStep> = new Set()): Stage[] {
  const stages: Stage[] = [];
  for (const s of recipe.steps) {
    if (foreseen.has(s)) continue;
    const kind = s.primitive.kind;
    const last = stages[stages.length - 1];
    if (kind === 'frame' && last?.kind === 'frame') last.steps.push(s);
    else if (kind === 'frame') stages.push({ kind: 'frame', steps: [s] });
    else stages.push({ kind, step: s });
  }
  return stages;
}

interface StepTally {
  values: StepValues;
  /** What the step's empty parameters took, over the frames (ctx.used). */
  used: Map<string, Set<string>>;
  seconds: number;
  frames: number;
  /** Frames the step had nothing to do for (satisfiedBy: their stars came with them). */
  satisfied: number;
  skipped: Map<string, number>;
  at: string;
}

/** Exposure, time and filter of a stored frame, read as the plan reads them. */
function timeOf(stored: StoredFrame): { exptime?: number; time?: number; filter?: string } {
  const d = extractDescriptors(stored.primary, stored.exts[0]?.header);
  return { exptime: d.exptime, time: frameTime(d), filter: d.filter };
}

/** Stars kept with the product, to 3 decimals (plenty for matching, and a small record). */
function roundStar(s: Star): Star {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { x: r(s.x), y: r(s.y), flux: r(s.flux), fwhm: r(s.fwhm), ellipticity: r(s.ellipticity), peak: r(s.peak), ext: s.ext };
}

/** A stack member's applied shift, where it is not the opposite of its offset (a colour mosaic's whole even pixels). */
function shiftedOf(m: Member): { shifted?: { dx: number; dy: number } } {
  if (!m.shift) return {};
  const dx = m.offset?.dx ?? 0, dy = m.offset?.dy ?? 0;
  return m.shift.dx === -dx && m.shift.dy === -dy ? {} : { shifted: { dx: m.shift.dx, dy: m.shift.dy } };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

/** A reduced frame is read again by its stack, a master by every frame it calibrates; a stack is not read again. */
function readAgainOf(kind: ProductKind): ReadAgain | undefined {
  return kind === 'reduced' ? 'once' : isMasterKind(kind) ? 'often' : undefined;
}

export async function executeRun(run: RunSpec, backing: PixelStore, events: RunEvents = {}, opts: EngineOptions = {}): Promise<RunResult> {
  const store = new MeteredStore(backing);
  const recipe = RECIPES[run.recipe];
  const readAgain = readAgainOf(recipe.produces);
  if (!recipe) throw new Error(`unknown recipe ${run.recipe}`);
  if (!run.inputs.length) throw new Error(`${run.label}: no input frames`);
  if (recipe.inputs === 'one' && run.inputs.length !== 1) throw new Error(`${run.recipe} takes one frame, ${run.label} has ${run.inputs.length}`);
  const t0 = Date.now();
  const memoryBytes = opts.memoryBytes ?? 512 * 2 ** 20;
  const calCache = opts.calibrations ?? new CalibrationCache(calibrationBudget(memoryBytes));
  const log: LogEntry[] = [];
  const warnings = new Map<string, number>();
  const emit = (step: string, level: LogEntry['level'], message: string, extra: Partial<LogEntry> = {}) => {
    const entry: LogEntry = { time: Date.now(), step, level, message, ...extra };
    log.push(entry);
    events.log?.(entry);
  };
  const stepLog = (step: string): StepLog => ({
    log: (m) => emit(step, 'info', m),
    warn: (m) => {
      // The same warning for every frame of a master is said once, with a count.
      const seen = warnings.get(m) ?? 0;
      warnings.set(m, seen + 1);
      if (!seen) emit(step, 'warn', m);
    },
  });
  // Between steps and frames: a run's steps are synchronous, so this is where a Cancel sent by message arrives.
  const checkCancel = async () => {
    if (await cancelRequestedNow(opts.cancel)) throw new CancelledError(`${run.label}: cancelled`);
  };
  const stackStep = recipe.steps.find((s) => s.primitive.kind === 'stack');
  const parking = new Parking(store, opts.parkingBytes ?? memoryBytes * 0.6, !!stackStep && stepValues(run.params, stackStep.id).scale === 'median');
  // Removing the run's scratch frames must not fail a run whose product is made (nor hide the error
  // of one that failed): a removal that fails now is tried again at the run's end, and what is still
  // left then is swept later, at start-up (strips with a stale heartbeat) or when the next
  // reduction starts (scratch files).
  const releaseParking = () => parking.release().catch((err: unknown) => emit('storage', 'warn', `scratch frames not removed now (${err instanceof Error ? err.message : String(err)}); they are removed later`));
  const tallies = new Map<string, StepTally>();
  const tally = (s: RecipeStep) => {
    let t = tallies.get(s.id);
    if (!t) tallies.set(s.id, (t = { values: stepValues(run.params, s.id), used: new Map(), seconds: 0, frames: 0, satisfied: 0, skipped: new Map(), at: '' }));
    return t;
  };
  /** The parameter values of the first step after `s` of the named primitive. */
  const laterValuesOf = (s: RecipeStep, name: string): StepValues | undefined => {
    const next = recipe.steps.slice(recipe.steps.indexOf(s) + 1).find((x) => x.primitive.name === name);
    return next && stepValues(run.params, next.id);
  };
  const nIn = run.inputs.length;
  const members: Member[] = [];
  for (const input of run.inputs) {
    await checkCancel();
    const stored = await store.open(input.id);
    const t = timeOf(stored);
    members.push({ ref: { id: input.id, name: input.name }, stored, meta: { ...input.meta, exptime: t.exptime, time: t.time }, scale: 1, zero: 0, weight: 1 });
  }
  // Group steps the members' headers already say will skip (measureGain where the gain is known):
  // the frame steps around one go in one pass, each frame parked once instead of twice (a master
  // flat's frames at 2048 x 2048: 24 MB each less written to scratch and read back).
  const foreseen = new Map<RecipeStep, string>();
  for (const s of recipe.steps) {
    const prim = s.primitive;
    const why = prim.kind === 'group' ? prim.skipsFor?.(members, stepValues(run.params, s.id), { laterValues: (name) => laterValuesOf(s, name) }) : undefined;
    if (why) foreseen.set(s, why);
  }
  const stages = stagesOf(recipe, new Set(foreseen.keys()));
  const units = stages.reduce((u, s) => u + (s.kind === 'group' ? 0 : nIn), 0);
  let done = 0;
  const progress = (step: string, extra = 0) => events.progress?.(Math.min(1, (done + extra) / units), step);
  /**
   * Foreseen skips before step index `upTo` said as run() would have said
   * them, for the frames still in: called as each stage starts (the steps
   * before it are done for every frame) and once all have ended.
   */
  const sayForeseen = (upTo: number) => {
    for (const [s, why] of foreseen) {
      const t = tally(s);
      if (t.at || recipe.steps.indexOf(s) >= upTo) continue;
      t.frames = activeMembers(members).length;
      t.skipped.set(why, t.frames);
      t.at = new Date().toISOString();
    }
  };
  const calibrationsOf = new Map<Member, RunInput['calibrations']>(members.map((m, i) => [m, run.inputs[i].calibrations]));
  const acceptOf = new Map<Member, readonly string[]>(members.map((m, i) => [m, run.inputs[i].accept ?? []]));

  /**
   * Calibrations held while one stage calibrates the members of a master,
   * beside the worker's cache: a master bias of a large camera (160 MB at
   * 4096 x 4096) does not fit the cache's budget and was read again for each
   * of a master flat's frames. Held only while a later member of the stage
   * needs it (`neededLater`, counted per calibration), and within the cache's
   * budget or one calibration, whichever is larger: one master more than the
   * steps themselves hold, whatever the darks or pins of the members.
   */
  const held = new Map<string, AstroFrame>();
  const neededLater = new Map<string, number>();
  const heldBudget = calibrationBudget(memoryBytes);
  const heldBytes = () => [...held.values()].reduce((b, f) => b + frameBytes(f), 0);
  const calibrationFrame = async (id: string): Promise<AstroFrame> => {
    const hit = held.get(id);
    if (hit) return hit;
    const frame = await calCache.get(store, id);
    const size = frameBytes(frame);
    if ((neededLater.get(id) ?? 0) > 0 && heldBytes() + size <= Math.max(heldBudget, size)) held.set(id, frame);
    return frame;
  };
  /** The ids of the calibrations a member's steps in a stage use. */
  const calibrationIds = (m: Member, steps: readonly RecipeStep[]): Set<string> => {
    const cals = calibrationsOf.get(m);
    const ids = new Set<string>();
    for (const s of steps) {
      const prim = s.primitive as FramePrimitive;
      for (const step of [prim.calibration, prim.consults]) {
        const cal = step ? cals?.[step] : undefined;
        if (cal) ids.add(cal.id);
      }
    }
    return ids;
  };
  /** Lets go of the held calibrations no later member needs (all of them once the stage ends). */
  const letGo = (all = false) => {
    for (const id of held.keys()) if (all || !((neededLater.get(id) ?? 0) > 0)) held.delete(id);
    if (all) neededLater.clear();
  };

  /**
   * Applies frame steps to one frame; returns whether any changed its pixels,
   * or the refusal. `units`: what this frame counts for in the run's progress
   * (one member, or every input for the stacked frame or a one-frame run).
   */
  async function applySteps(
    frame: AstroFrame, steps: RecipeStep[], cals: RunInput['calibrations'], accept: readonly string[] = [], where = '', units = 1,
    /** The member of a master this frame is (its steps' lines name it); not for the combined frame. */
    member?: string,
  ): Promise<{ changed: boolean; refused?: string; step?: string }> {
    let changed = false;
    for (const [k, s] of steps.entries()) {
      await checkCancel();
      // Step by step, so that a run of one frame (a science frame) moves too.
      progress(`${s.id}${where}`, (units * k) / steps.length);
      const prim = s.primitive as FramePrimitive;
      const t = tally(s);
      const ctx: FrameContext = {
        ...stepLog(s.id),
        // A master's steps say the same thing of each of its frames: each line names its frame.
        ...(member !== undefined ? { log: (m: string) => emit(s.id, 'info', m, { frame: member }) } : {}),
        calibration: (step) => loaded.get(step),
        later: (name) => laterValuesOf(s, name) !== undefined,
        laterValues: (name) => laterValuesOf(s, name),
        used: (param, value) => {
          const set = t.used.get(param) ?? new Set<string>();
          set.add(typeof value === 'number' ? String(Number(value.toPrecision(6))) : value);
          t.used.set(param, set);
        },
      };
      const loaded = new Map<CalibrationStep, AstroFrame>();
      const cal = prim.calibration ? cals?.[prim.calibration] : undefined;
      if (cal) {
        loaded.set(prim.calibration!, await calibrationFrame(cal.id));
        // The user's pin wins over the rules, but the product must not hide it. Said once for the
        // frames of a master that share the pin (with a count), as every repeated warning.
        if (cal.againstRule) ctx.warn(`${prim.calibration} ${cal.name} pinned by you though the rules refuse it (${cal.againstRule})`);
      }
      const consulted = prim.consults ? cals?.[prim.consults] : undefined;
      if (consulted) loaded.set(prim.consults!, await calibrationFrame(consulted.id));
      const start = performance.now();
      const outcome = prim.run(frame, t.values, ctx);
      t.seconds += (performance.now() - start) / 1000;
      t.frames++;
      t.at = new Date().toISOString();
      if (outcome && typeof outcome === 'object' && 'refused' in outcome) {
        if (!accept.includes(s.id)) return { changed, refused: outcome.refused, step: s.id };
        ctx.warn(`${frame.name} kept though ${s.id} would refuse it (overruled by you): ${outcome.refused}`);
        kept.push({ id: frame.id, name: frame.name, step: s.id, reason: outcome.refused });
        continue;
      }
      if (outcome && typeof outcome === 'object' && 'skipped' in outcome) {
        t.skipped.set(outcome.skipped, (t.skipped.get(outcome.skipped) ?? 0) + 1);
        continue;
      }
      if (outcome !== 'unchanged') changed = true;
    }
    return { changed };
  }

  // The product's pixels: in memory (one input, or steps after the stack), or already written by the stack.
  let result: AstroFrame | undefined;
  let streamed: { primary: Card[]; exts: Card[][]; bunit: AstroFrame['bunit'] } | undefined;
  let writer: FrameWriter | undefined;
  const leftOut: LeftOut[] = [...(run.leftOut ?? [])];
  const kept: Kept[] = [];
  try {
    for (const [si, stage] of stages.entries()) {
      sayForeseen(recipe.steps.indexOf(stage.kind === 'frame' ? stage.steps[0] : stage.step));
      if (stage.kind === 'frame') {
        if (result) {
          const r = await applySteps(result, stage.steps, calibrationsOf.get(members[0]), [], '', nIn);
          if (r.refused) throw new Error(`${run.output.name}: ${r.refused}`);
          done += nIn;
        } else if (recipe.inputs === 'one') {
          const frame = await loadFrame(store, members[0].stored);
          frame.meta = { ...members[0].meta };
          const r = await applySteps(frame, stage.steps, calibrationsOf.get(members[0]), acceptOf.get(members[0]), '', nIn);
          if (r.refused) throw new Error(`${members[0].ref.name}: ${r.refused}`);
          result = frame;
          done += nIn;
        } else {
          // Every input counts once per stage, refused or skipped ones included, so progress reaches 1.
          const skippedBefore = nIn - activeMembers(members).length;
          done += skippedBefore;
          const todo = activeMembers(members);
          const idsOf = new Map(todo.map((m) => [m, calibrationIds(m, stage.steps)]));
          for (const ids of idsOf.values()) for (const id of ids) neededLater.set(id, (neededLater.get(id) ?? 0) + 1);
          try {
            for (const [i, m] of todo.entries()) {
              await checkCancel();
              // From here on, the members after this one.
              for (const id of idsOf.get(m)!) neededLater.set(id, neededLater.get(id)! - 1);
              const where = ` · ${m.ref.name}, frame ${i + 1} of ${todo.length}`;
              if (stage.steps.every((s) => (s.primitive as FramePrimitive).satisfiedBy?.(m, tally(s).values))) {
                for (const s of stage.steps) { const t = tally(s); t.frames++; t.satisfied++; }
              } else {
                const frame = await parking.frame(m);
                const r = await applySteps(frame, stage.steps, calibrationsOf.get(m), acceptOf.get(m), where, 1, m.ref.name);
                if (r.refused) {
                  m.leftOut = r.refused;
                  leftOut.push({ ...m.ref, reason: r.refused, step: r.step });
                  stepLog(r.step ?? stage.steps[0].id).warn(`${m.ref.name} refused: ${r.refused}`);
                } else if (r.changed) {
                  await parking.park(m, frame);
                } else {
                  m.meta = { ...m.meta, ...frame.meta };
                }
              }
              done++;
              letGo();
            }
          } finally {
            letGo(true);
          }
        }
      } else if (stage.kind === 'group') {
        await checkCancel();
        progress(stage.step.id);
        const prim = stage.step.primitive as GroupPrimitive;
        const t = tally(stage.step);
        const start = performance.now();
        const before = activeMembers(members);
        const outcome = await prim.run(members, t.values, {
          ...stepLog(stage.step.id),
          readFrame: (m) => parking.frame(m),
          setConstantVar: (m, ext, value) => parking.setConstantVar(m, ext, value),
          laterValues: (name) => laterValuesOf(stage.step, name),
        });
        for (const m of before) {
          if (!m.leftOut) continue;
          leftOut.push({ ...m.ref, reason: m.leftOut, step: stage.step.id });
          // A warning as a refused flat's is: a stack short of a frame must not say so only in its HISTORY.
          stepLog(stage.step.id).warn(`${m.ref.name} left out: ${m.leftOut}`);
        }
        t.frames = before.length;
        if (outcome && 'skipped' in outcome) t.skipped.set(outcome.skipped, before.length);
        t.seconds += (performance.now() - start) / 1000;
        t.at = new Date().toISOString();
      } else {
        await checkCancel();
        const act = activeMembers(members);
        if (!act.length) {
          throw new Error(`no frame left to stack: ${leftOut.map((f) => `${f.name} (${f.reason})`).join('; ')}`);
        }
        const t = tally(stage.step);
        const start = performance.now();
        // The stack's product is the last step's: write its bands as they come.
        if (si === stages.length - 1) {
          const g = parking.geometry(act[0]);
          writer = await store.create({ role: 'product', name: run.output.name, readAgain, exts: g.exts.map((e) => ({ ...e, var: true, dq: true })) });
        }
        // The per-frame steps' kept scratch (a cosmic-ray search's ~110 MB at 2k) is what the
        // combine cuts its strips from, up to its budget; the rest is let go (kernels/scratch.ts).
        const out = await stackMembers(members, t.values, {
          parking,
          memoryBytes: memoryBytes * 0.4,
          cancel: opts.cancel,
          progress: (f) => progress(stage.step.id, f * nIn),
          log: (m) => emit(stage.step.id, 'info', m),
        }, writer);
        done += nIn;
        t.seconds += (performance.now() - start) / 1000;
        t.frames = act.length;
        t.at = new Date().toISOString();
        // The reference frame's headers are the stack's (its pixel grid is the stack's).
        const head = parking.headers(act[0]);
        const bunit = parking.unit(act[0]);
        if (out.frames) {
          result = {
            id: act[0].ref.id,
            name: act[0].ref.name,
            primary: head.primary.slice(),
            exts: out.frames.map((data, k) => ({ extver: out.geometry.exts[k].extver, header: head.exts[k].slice(), data })),
            bunit,
            meta: {},
          };
        } else {
          streamed = { primary: head.primary.slice(), exts: head.exts.map((h) => h.slice()), bunit };
        }
        // A master whose read noise no header gave says what measureReadNoise measured, in electrons through
        // the gain its frames were given (addVariance's), else its header's.
        const measured = act[0].measuredReadNoise;
        if (measured) {
          const headers = result ? { primary: result.primary, exts: result.exts.map((e) => e.header) } : { primary: streamed!.primary, exts: streamed!.exts };
          const gain = optNum(stepValues(run.params, 'addVariance'), 'gain');
          noteMeasuredReadNoise(headers, bunit, measured, gain).forEach((rn, k) => {
            if (rn === undefined) return;
            const unit = readNoiseCommentInAdu(headers.exts[k].find((c) => c.key === 'RDNOISE')?.comment) ? 'ADU (no gain known)' : 'e-';
            emit(stage.step.id, 'info', `ext ${out.geometry.exts[k].extver}: RDNOISE ${rn} ${unit}, measured by measureReadNoise`);
          });
        }
        // The members' frames are not read again when only per-frame steps on the stack follow (a
        // master flat's normalisation and bad-pixel flags): free them now, not after the product is
        // written. Up to the run's budget of frames was held through those steps and the write,
        // on top of the stack and its temporaries: the peak of a whole night's reduction.
        if (stages.slice(si + 1).every((s) => s.kind === 'frame')) await releaseParking();
      }
    }
    sayForeseen(Infinity);
    const made = result ? { headers: frameHeadersOf(result), bunit: result.bunit } : streamed ? { headers: headersWithUnit(streamed.primary, streamed.exts, streamed.bunit), bunit: streamed.bunit } : undefined;
    if (!made) throw new Error(`${run.recipe} produced nothing`);
    await checkCancel();

    // ---- provenance and the product record
    const act = activeMembers(members);
    const times = act.map((m) => m.meta.time).filter((x): x is number => x !== undefined);
    const exps = act.map((m) => m.meta.exptime).filter((x): x is number => x !== undefined);
    const time = mean(times);
    const first = timeOf(members[0].stored);
    const records: StepRecord[] = recipe.steps.map((s) => {
      const t = tallies.get(s.id);
      const skipped = t && t.skipped.size ? [...t.skipped].map(([why, n]) => (n === t.frames ? why : `${why} (${n} of ${t.frames} frames)`)).join('; ') : undefined;
      const used = t && t.used.size ? Object.fromEntries([...t.used].map(([k, v]) => [k, [...v]])) : undefined;
      const satisfied = !!t && t.frames > 0 && t.satisfied === t.frames;
      return { step: s.id, values: t?.values ?? stepValues(run.params, s.id), at: t?.at || new Date().toISOString(), skipped, used, satisfied };
    });
    const warningList = [...warnings].map(([w, n]) => (n > 1 ? `${w} (x${n})` : w));
    const stackMembersInfo: StackMember[] | undefined = recipe.produces === 'stack'
      ? act.map((m) => ({ ...m.ref, dx: m.offset?.dx ?? 0, dy: m.offset?.dy ?? 0, method: m.offset?.method ?? 'reference', nMatched: m.offset?.nMatched ?? 0, scale: m.scale, zero: m.zero, weight: m.weight, ...shiftedOf(m) }))
      : undefined;
    const kind = recipe.produces;
    const isMaster = isMasterKind(kind);
    const info: ProductInfo = {
      kind,
      recipe: recipe.name,
      runKey: run.key,
      signature: run.signature,
      runId: run.id,
      inputs: run.inputs.map(({ id, name }) => ({ id, name })),
      calibrations: Object.fromEntries(Object.entries(run.inputs[0].calibrations ?? {}).map(([k, v]) => [k, { id: v.id, name: v.name }])),
      params: run.params,
      createdAt: Date.now(),
      valid: run.keep?.valid ?? true,
      validity: run.keep?.validity,
      time,
      exptime: isMaster ? mean(exps) : exps[0],
      filter: kind === 'bias' || kind === 'dark' ? undefined : first.filter,
      bunit: made.bunit,
      quality: kind === 'reduced' ? result?.meta.quality : undefined,
      stars: kind === 'reduced' ? result?.meta.stars?.slice(0, 200).map(roundStar) : undefined,
      leftOut: leftOut.length ? leftOut : undefined,
      kept: kept.length ? kept : undefined,
      members: stackMembersInfo,
      warnings: warningList.length ? warningList : undefined,
    };
    const primary = made.headers.primary.slice();
    for (const r of records) stepHistory(primary, r);
    provenanceCards(primary, {
      kind, recipe: recipe.name, inputs: act.map((m) => m.ref), leftOut, members: stackMembersInfo,
      warnings: warningList, signature: run.signature, bunit: made.bunit, filter: info.filter, extHeaders: made.headers.exts,
      createdAt: info.createdAt,
      ...(stackStep ? { operation: String(stepValues(run.params, stackStep.id).operation) } : {}),
    });
    if (kind === 'dark' && info.exptime !== undefined) setCard(primary, 'EXPTIME', info.exptime, 'mean exposure of the darks, s');
    // The log's step summaries go before the product, so a store that records the run with it has them.
    for (const r of records) {
      const t = tallies.get(r.step);
      emit(r.step, 'info', r.skipped ? `skipped: ${r.skipped}` : `done${t && t.frames > 1 ? ` on ${t.frames} frames` : ''}`, { params: r.values, seconds: t?.seconds ?? 0 });
    }
    const productHeaders = { primary, exts: made.headers.exts };
    const id = writer
      ? await writer.commit(productHeaders, info)
      : await writeFrame(store, 'product', run.output.name, result!, productHeaders, info, readAgain);
    // Written (the store copies what it is given): the frame's planes go back to the pool for the next run.
    if (!writer && result) for (const e of result.exts) give(e.data.sci, e.data.var, e.data.dq);
    // Published: nothing after this may take the product back (discard is for a product not committed).
    writer = undefined;
    emit('storage', 'info', describeTally(store.tally), { seconds: store.tally.readSeconds + store.tally.writeSeconds + store.tally.commitSeconds });
    events.progress?.(1, 'done');
    return { product: { id, name: run.output.name }, info, log, seconds: (Date.now() - t0) / 1000 };
  } catch (err) {
    await writer?.discard();
    throw err;
  } finally {
    await releaseParking();
  }
}

