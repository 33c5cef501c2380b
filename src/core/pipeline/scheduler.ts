/**
 * Running a plan: every run whose dependencies are done goes to the
 * executor (a worker pool in the page, worker threads in the command), at
 * most `concurrency` at a time, in plan order but for stacks, which go as
 * soon as their frames are reduced. A run's references to other
 * runs (its inputs, its calibrations) become the ids of their products as
 * they are made. A run whose calibration failed is not attempted (its product
 * would be wrong); a stack goes on without frames whose reduction failed.
 */
import { CancelledError, isCancelRequested, type CancelCheck } from '../cancel';
import type { RunResult, RunSpec } from './engine';
import { runsToDo, type Plan, type PlannedRun } from './plan';
import type { FrameRef, ProductInfo } from './products';
import { stepValues } from './params';

/**
 * What the scheduler tells the executor about a run beside its spec: `share`
 * is the part of the executor's memory the run may use. A run that cannot
 * overlap any other (everything still to run depends on it: a night's master
 * bias) gets it all; otherwise each of the `concurrency` runs gets its part.
 */
export interface RunContext {
  share: number;
}

export type Executor = (spec: RunSpec, ctx: RunContext) => Promise<RunResult>;

export type RunOutcome =
  | { status: 'done'; product: FrameRef; info?: ProductInfo; result?: RunResult }
  | { status: 'failed'; error: string }
  | { status: 'cancelled' }
  | { status: 'not-run'; reason: string };

export interface ScheduleEvents {
  start?(run: PlannedRun, spec: RunSpec): void;
  finish?(run: PlannedRun, outcome: RunOutcome): void;
}

export interface ScheduleOptions {
  concurrency: number;
  /** Keys of the runs to execute; default: runsToDo(plan) (stale or missing products). */
  only?: ReadonlySet<string>;
  cancel?: CancelCheck;
  /** Id of the execution of a planned run (the page gives the id of the run record it made). */
  newRunId?: (run: PlannedRun) => string;
  /**
   * Ready runs handed to the executor beyond `concurrency`, to wait in its
   * queue: a worker that finishes starts the next run at once instead of after
   * a round trip through this loop (and the page's busy main thread). The
   * executor must run at most `concurrency` at a time itself (a worker pool does).
   */
  queueAhead?: number;
  /**
   * A failure no later run can escape (a full disk): the reason to give the
   * runs not yet started, which then do not start. Runs already handed to the
   * executor end as they will. Undefined for any other failure.
   */
  haltOn?: (err: unknown) => string | undefined;
}

export interface PlanOutcome {
  outcomes: Map<string, RunOutcome>;
  seconds: number;
}

let counter = 0;
const defaultRunId = (_run: PlannedRun) => `run-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/**
 * Resolves a planned run against the products made so far; throws with the
 * reason when it cannot go. `labels`: the plan's run labels by key, to name
 * a run it needs as the user sees it (else by its kind and key).
 */
export function resolveRun(run: PlannedRun, products: ReadonlyMap<string, RunOutcome>, id: string, labels?: ReadonlyMap<string, string>): RunSpec {
  const productOf = (key: string): FrameRef => {
    const o = products.get(key);
    if (o?.status === 'done') return o.product;
    const label = labels?.get(key);
    const what = label ? `"${label}"` : `the ${key.split('|')[0]} run "${key}"`;
    const why = o?.status === 'failed' ? `failed: ${o.error}` : o?.status === 'not-run' ? `did not run (${o.reason})` : o?.status === 'cancelled' ? 'was cancelled' : 'has not run';
    throw new Error(`needs ${what}, which ${why}`);
  };
  const inputs: RunSpec['inputs'] = [];
  const leftOut: NonNullable<RunSpec['leftOut']> = [];
  for (const inp of run.inputs) {
    let ref: FrameRef;
    let meta: RunSpec['inputs'][number]['meta'];
    if ('file' in inp.ref) ref = { id: inp.ref.file, name: inp.name };
    else {
      const o = products.get(inp.ref.run);
      if (run.recipe === 'stackScience' && o && o.status !== 'done') {
        // A stack goes on without it, and says so in its product.
        leftOut.push({ id: inp.ref.run, name: inp.name, reason: o.status === 'failed' ? `not reduced: ${o.error}` : o.status === 'not-run' ? `not reduced: ${o.reason}` : 'not reduced: cancelled' });
        continue;
      }
      ref = productOf(inp.ref.run);
      const info = o?.status === 'done' ? o.info : undefined;
      if (info?.quality && info.stars) meta = { quality: info.quality, stars: info.stars, measuredWith: stepValues(info.params, 'detectSources') };
    }
    const calibrations: NonNullable<RunSpec['inputs'][number]['calibrations']> = {};
    for (const [step, cal] of Object.entries(inp.calibrations)) {
      if (!cal) continue;
      const ref = cal.run ? productOf(cal.run) : { id: cal.id, name: cal.name };
      calibrations[step as keyof typeof calibrations] = cal.againstRule ? { ...ref, againstRule: cal.againstRule } : ref;
    }
    inputs.push({ ...ref, calibrations, ...(meta ? { meta } : {}), ...(inp.accept ? { accept: inp.accept } : {}) });
  }
  if (run.recipe === 'stackScience' && inputs.length < 2) throw new Error(`only ${inputs.length} of ${run.inputs.length} frames were reduced: nothing to stack`);
  return {
    id, key: run.key, recipe: run.recipe, label: run.label, inputs, params: run.params, output: run.output, signature: run.signature, keep: run.keep,
    ...(leftOut.length ? { leftOut } : {}),
  };
}

/** Each run's dependents: the runs that need its product, directly or through other runs. */
export function dependentsOf(plan: Plan): Map<string, Set<string>> {
  const direct = new Map<string, string[]>();
  for (const r of plan.runs) for (const d of r.dependsOn) direct.set(d, [...(direct.get(d) ?? []), r.key]);
  const out = new Map<string, Set<string>>();
  const visit = (key: string): Set<string> => {
    let set = out.get(key);
    if (set) return set;
    set = new Set();
    out.set(key, set);
    for (const k of direct.get(key) ?? []) {
      set.add(k);
      for (const kk of visit(k)) set.add(kk);
    }
    return set;
  };
  for (const r of plan.runs) visit(r.key);
  return out;
}

export async function executePlan(plan: Plan, exec: Executor, opts: ScheduleOptions, events: ScheduleEvents = {}): Promise<PlanOutcome> {
  const t0 = Date.now();
  const only = opts.only ?? new Set(runsToDo(plan).map((r) => r.key));
  const outcomes = new Map<string, RunOutcome>();
  // Runs not to execute are done already when their product is up to date.
  for (const run of plan.runs) {
    if (only.has(run.key)) continue;
    if (run.existing) outcomes.set(run.key, { status: 'done', product: { id: run.existing.id, name: run.existing.name }, info: run.existing.info });
    else outcomes.set(run.key, { status: 'not-run', reason: 'not selected' });
  }
  const pending = plan.runs.filter((r) => only.has(r.key));
  const running = new Set<Promise<void>>();
  const runningKeys = new Set<string>();
  const dependents = dependentsOf(plan);
  const newId = opts.newRunId ?? defaultRunId;
  const labels = new Map(plan.runs.map((r) => [r.key, r.label]));
  const concurrency = Math.max(1, Math.floor(opts.concurrency) || 1);

  let halted: string | undefined;
  const settled = (key: string) => outcomes.has(key);
  const ready = (run: PlannedRun) => run.dependsOn.every(settled);
  // A ready run made of other runs' products (a stack) goes before the others, which keep the plan's
  // order: a stack starts as soon as its frames are reduced, not after every other frame of the
  // night. The worker then still has their copies (src/db/productMirror.ts, MIRROR_LIMIT_BYTES of
  // them), and the user sees the stack early.
  const ofProducts = (run: PlannedRun) => run.inputs.some((i) => 'run' in i.ref);

  const launch = (run: PlannedRun) => {
    let spec: RunSpec;
    try {
      spec = resolveRun(run, outcomes, newId(run), labels);
    } catch (err) {
      const outcome: RunOutcome = { status: 'not-run', reason: (err as Error).message };
      outcomes.set(run.key, outcome);
      events.finish?.(run, outcome);
      return;
    }
    events.start?.(run, spec);
    const mine = dependents.get(run.key)!;
    const alone = [...runningKeys, ...pending.map((r) => r.key)].every((k) => mine.has(k));
    runningKeys.add(run.key);
    // An executor that throws instead of rejecting fails its run, not the whole plan.
    const p = Promise.resolve().then(() => exec(spec, { share: alone ? 1 : 1 / concurrency })).then(
      (result) => ({ status: 'done', product: result.product, info: result.info, result }) as RunOutcome,
      (err: unknown) => {
        if (err instanceof CancelledError || (err as Error)?.name === 'CancelledError') return { status: 'cancelled' } as RunOutcome;
        halted ??= opts.haltOn?.(err);
        return { status: 'failed', error: err instanceof Error ? err.message : String(err) } as RunOutcome;
      },
    ).then((outcome) => {
      runningKeys.delete(run.key);
      outcomes.set(run.key, outcome);
      events.finish?.(run, outcome);
    });
    const tracked = p.finally(() => running.delete(tracked));
    running.add(tracked);
  };

  while (pending.length || running.size) {
    if (isCancelRequested(opts.cancel)) {
      for (const run of pending.splice(0)) {
        const outcome: RunOutcome = { status: 'cancelled' };
        outcomes.set(run.key, outcome);
        events.finish?.(run, outcome);
      }
    }
    if (halted !== undefined) {
      for (const run of pending.splice(0)) {
        const outcome: RunOutcome = { status: 'not-run', reason: halted };
        outcomes.set(run.key, outcome);
        events.finish?.(run, outcome);
      }
    }
    let launched = false;
    const slots = concurrency + Math.max(0, Math.floor(opts.queueAhead ?? 0));
    // One at a time: a run that cannot go (launch settles it at once) may make others ready.
    while (running.size < slots) {
      const next = pending.find((r) => ready(r) && ofProducts(r)) ?? pending.find(ready);
      if (!next) break;
      pending.splice(pending.indexOf(next), 1);
      launch(next);
      launched = true;
    }
    if (running.size) await Promise.race(running);
    else if (!launched && pending.length) {
      // Nothing runs and nothing is ready: a dependency is outside the plan. Say so rather than hang.
      for (const run of pending.splice(0)) {
        const outcome: RunOutcome = { status: 'not-run', reason: `waits for ${run.dependsOn.filter((d) => !settled(d)).join(', ')}` };
        outcomes.set(run.key, outcome);
        events.finish?.(run, outcome);
      }
    }
  }
  return { outcomes, seconds: (Date.now() - t0) / 1000 };
}
