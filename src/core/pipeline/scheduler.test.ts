import { describe, expect, it } from 'vitest';
import { CancelledError } from '../cancel';
import type { RunResult, RunSpec } from './engine';
import type { PlanFrame } from './facts';
import { buildPlan, runsToDo, type Plan, type PlannedRun } from './plan';
import type { ProductInfo, QualityFigures, Star } from './products';
import { executePlan, resolveRun, type Executor, type RunOutcome } from './scheduler';
import { bias, dark, flat, productsOf, science } from './testing/planFrames';

const t = (hhmm: string) => `2026-03-10T${hhmm}:00`;

/** Biases, 120 s darks, R and V flats, three M67 frames in R and two in V. */
function night(): PlanFrame[] {
  return [
    bias('b1.fits', t('20:00')), bias('b2.fits', t('20:01')),
    dark('d1.fits', t('20:20'), 120), dark('d2.fits', t('20:25'), 120),
    flat('fR1.fits', t('21:00'), 'R'), flat('fR2.fits', t('21:01'), 'R'),
    flat('fV1.fits', t('21:10'), 'V'), flat('fV2.fits', t('21:11'), 'V'),
    science('r1.fits', t('23:00'), 'M67', 'R'), science('r2.fits', t('23:05'), 'M67', 'R'), science('r3.fits', t('23:07'), 'M67', 'R'),
    science('v1.fits', t('23:10'), 'M67', 'V'), science('v2.fits', t('23:15'), 'M67', 'V'),
  ];
}

const byName = (plan: Plan, name: string): PlannedRun => {
  const r = plan.runs.find((x) => x.output.name === name);
  if (!r) throw new Error(`no run making ${name}`);
  return r;
};

/** Lets other promises run (several turns of the event loop, no timing involved). */
const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

const QUALITY: QualityFigures = { fwhm: 3.1, ellipticity: 0.08, sky: 120, skyNoise: 11, nStars: 40 };
const STARS: Star[] = [{ x: 10, y: 20, flux: 1e5, fwhm: 3, ellipticity: 0.05, peak: 9000, ext: 0 }];

interface Fake {
  exec: Executor;
  started: RunSpec[];
  /** Keys in the order their runs finished. */
  finished: string[];
  /** For each started run, the keys finished before it started. */
  doneAtStart: Map<string, Set<string>>;
  maxActive: () => number;
}

/**
 * An executor that makes a product 'prod:<output name>' after a few turns of
 * the event loop, or throws what `fail` returns for the run.
 */
function fakeExecutor(opts: { fail?: (spec: RunSpec) => Error | undefined; onStart?: (spec: RunSpec) => void; onFinish?: (spec: RunSpec) => void } = {}): Fake {
  const started: RunSpec[] = [];
  const finished: string[] = [];
  const doneAtStart = new Map<string, Set<string>>();
  let active = 0;
  let max = 0;
  const exec: Executor = async (spec) => {
    started.push(spec);
    doneAtStart.set(spec.key, new Set(finished));
    opts.onStart?.(spec);
    active++;
    max = Math.max(max, active);
    try {
      await turns();
      const err = opts.fail?.(spec);
      if (err) throw err;
      const info: ProductInfo = {
        kind: spec.output.kind, recipe: spec.recipe, runKey: spec.key, signature: spec.signature, runId: spec.id,
        inputs: spec.inputs.map(({ id, name }) => ({ id, name })), calibrations: {}, params: spec.params,
        createdAt: 0, valid: true, bunit: 'electron',
        ...(spec.output.kind === 'reduced' ? { quality: QUALITY, stars: STARS } : {}),
      };
      const result: RunResult = { product: { id: `prod:${spec.output.name}`, name: spec.output.name }, info, log: [], seconds: 0 };
      return result;
    } finally {
      active--;
      finished.push(spec.key);
      opts.onFinish?.(spec);
    }
  };
  return { exec, started, finished, doneAtStart, maxActive: () => max };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const status = (outcomes: Map<string, RunOutcome>, plan: Plan, name: string) => outcomes.get(byName(plan, name).key);

describe('executePlan: memory shares', () => {
  it('gives a run everything when whatever is left depends on it, and its part otherwise', async () => {
    // Only biases, R flats and R science: bias, then the flat, then the reductions, then the stack.
    const plan = buildPlan({ frames: night().filter((f) => !f.name.startsWith('d') && !/V/.test(f.name) && !f.name.startsWith('v')) });
    const shares = new Map<string, number>();
    const inner = fakeExecutor().exec;
    await executePlan(plan, (spec, ctx) => {
      shares.set(spec.output.name, ctx.share);
      return inner(spec, ctx);
    }, { concurrency: 2 });
    expect(shares.get('b1_bias.fits')).toBe(1);
    expect(shares.get('fR1_flat.fits')).toBe(1);
    expect(shares.get('r1_reduced.fits')).toBe(0.5);
    expect(shares.get('r3_reduced.fits')).toBe(0.5);
    expect(shares.get('r1_stack.fits')).toBe(1);
  });

  it('gives independent runs their part even when one starts alone', async () => {
    const plan = buildPlan({ frames: night() });
    const shares = new Map<string, number>();
    const inner = fakeExecutor().exec;
    await executePlan(plan, (spec, ctx) => {
      shares.set(spec.output.name, ctx.share);
      return inner(spec, ctx);
    }, { concurrency: 2 });
    // Everything depends on the bias; the darks and the two flats do not depend on each other.
    expect(shares.get('b1_bias.fits')).toBe(1);
    for (const name of ['d1_dark.fits', 'fR1_flat.fits', 'fV1_flat.fits']) expect(shares.get(name)).toBe(0.5);
    // With one at a time, every run has it all.
    const one = new Map<string, number>();
    await executePlan(plan, (spec, ctx) => {
      one.set(spec.output.name, ctx.share);
      return inner(spec, ctx);
    }, { concurrency: 1 });
    expect([...one.values()].every((x) => x === 1)).toBe(true);
  });
});

describe('executePlan: a queue ahead of the executor', () => {
  it('hands `queueAhead` ready runs beyond the concurrency, never one whose dependencies are not done', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor();
    await executePlan(plan, fake.exec, { concurrency: 2, queueAhead: 1 });
    expect(fake.maxActive()).toBe(3);
    for (const spec of fake.started) {
      const run = plan.runs.find((r) => r.key === spec.key)!;
      for (const d of run.dependsOn) expect(fake.doneAtStart.get(spec.key)!.has(d)).toBe(true);
    }
    expect(fake.started).toHaveLength(plan.runs.length);
  });
});

describe('executePlan: order and concurrency', () => {
  it('runs every run once, each after the runs it depends on', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor();
    const { outcomes, seconds } = await executePlan(plan, fake.exec, { concurrency: 3 });
    expect(fake.started.map((s) => s.key).sort()).toEqual(plan.runs.map((r) => r.key).sort());
    for (const run of plan.runs) {
      const before = fake.doneAtStart.get(run.key)!;
      for (const d of run.dependsOn) expect(before.has(d), `${run.key} started before ${d} finished`).toBe(true);
      expect(outcomes.get(run.key)).toMatchObject({ status: 'done', product: { id: `prod:${run.output.name}`, name: run.output.name } });
    }
    expect(seconds).toBeGreaterThanOrEqual(0);
  });

  for (const concurrency of [1, 2, 3]) {
    it(`never runs more than ${concurrency} at a time, and uses them all`, async () => {
      const plan = buildPlan({ frames: night() });
      const fake = fakeExecutor();
      await executePlan(plan, fake.exec, { concurrency });
      expect(fake.maxActive()).toBe(concurrency);
    });
  }

  it('with room to spare, runs as many as are ready (five reductions at once)', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor();
    await executePlan(plan, fake.exec, { concurrency: 16 });
    expect(fake.maxActive()).toBe(5);
  });

  it('with one at a time, follows the plan order, but a stack comes as soon as its frames are reduced', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor();
    await executePlan(plan, fake.exec, { concurrency: 1 });
    expect(plan.runs.map((r) => r.output.name)).toEqual([
      'b1_bias.fits', 'd1_dark.fits', 'fR1_flat.fits', 'fV1_flat.fits',
      'r1_reduced.fits', 'r2_reduced.fits', 'r3_reduced.fits', 'v1_reduced.fits', 'v2_reduced.fits', 'r1_stack.fits', 'v1_stack.fits',
    ]);
    expect(fake.started.map((s) => s.output.name)).toEqual([
      'b1_bias.fits', 'd1_dark.fits', 'fR1_flat.fits', 'fV1_flat.fits',
      'r1_reduced.fits', 'r2_reduced.fits', 'r3_reduced.fits', 'r1_stack.fits', 'v1_reduced.fits', 'v2_reduced.fits', 'v1_stack.fits',
    ]);
  });

  it('with a run queued ahead, the stack still comes right after the frame queued with its last one', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor();
    await executePlan(plan, fake.exec, { concurrency: 1, queueAhead: 1 });
    const order = fake.started.map((s) => s.output.name);
    expect(order.indexOf('r1_stack.fits')).toBe(order.indexOf('v1_reduced.fits') + 1);
    expect(order.at(-1)).toBe('v1_stack.fits');
  });

  it('tells start and finish of every run', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor();
    const events: string[] = [];
    await executePlan(plan, fake.exec, { concurrency: 2 }, {
      start: (run, spec) => {
        expect(spec.key).toBe(run.key);
        events.push(`start ${run.key}`);
      },
      finish: (run, o) => events.push(`${o.status} ${run.key}`),
    });
    for (const r of plan.runs) {
      expect(events.indexOf(`start ${r.key}`)).toBeGreaterThanOrEqual(0);
      expect(events.indexOf(`done ${r.key}`)).toBeGreaterThan(events.indexOf(`start ${r.key}`));
    }
  });
});

describe('executePlan: references become product ids', () => {
  it('inputs and calibrations made by earlier runs are their products; files stay files', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor();
    await executePlan(plan, fake.exec, { concurrency: 2 });
    const spec = (name: string) => fake.started.find((s) => s.output.name === name)!;
    expect(spec('b1_bias.fits').inputs).toEqual([
      { id: 'b1.fits', name: 'b1.fits', calibrations: {} },
      { id: 'b2.fits', name: 'b2.fits', calibrations: {} },
    ]);
    expect(spec('fR1_flat.fits').inputs[0]).toEqual({
      id: 'fR1.fits', name: 'fR1.fits', calibrations: { bias: { id: 'prod:b1_bias.fits', name: 'b1_bias.fits' } },
    });
    expect(spec('r2_reduced.fits').inputs).toEqual([{
      id: 'r2.fits', name: 'r2.fits',
      calibrations: {
        bias: { id: 'prod:b1_bias.fits', name: 'b1_bias.fits' },
        dark: { id: 'prod:d1_dark.fits', name: 'd1_dark.fits' },
        flat: { id: 'prod:fR1_flat.fits', name: 'fR1_flat.fits' },
      },
    }]);
    const stack = spec('r1_stack.fits');
    expect(stack.inputs.map((i) => [i.id, i.name])).toEqual([
      ['prod:r1_reduced.fits', 'r1_reduced.fits'], ['prod:r2_reduced.fits', 'r2_reduced.fits'], ['prod:r3_reduced.fits', 'r3_reduced.fits'],
    ]);
    // What the reductions measured goes along, with the parameters they measured with.
    expect(stack.inputs[0].meta).toEqual({
      quality: QUALITY, stars: STARS, measuredWith: expect.objectContaining({ threshold: 5, minArea: 5 }),
    });
  });

  it('the spec carries the planned run\'s key, recipe, label, parameters, output and signature', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor();
    await executePlan(plan, fake.exec, { concurrency: 2 });
    for (const run of plan.runs) {
      const spec = fake.started.find((s) => s.key === run.key)!;
      expect(spec).toMatchObject({ key: run.key, recipe: run.recipe, label: run.label, params: run.params, output: run.output, signature: run.signature });
    }
  });

  it('newRunId receives the planned run, and its id is the spec\'s', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor();
    const asked: PlannedRun[] = [];
    await executePlan(plan, fake.exec, {
      concurrency: 2,
      newRunId: (run) => {
        asked.push(run);
        return `exec-of:${run.key}`;
      },
    });
    expect(asked.map((r) => r.key).sort()).toEqual(plan.runs.map((r) => r.key).sort());
    for (const r of asked) expect(plan.runs).toContain(r);
    for (const s of fake.started) expect(s.id).toBe(`exec-of:${s.key}`);
  });

  it('gives every execution its own id by default', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor();
    await executePlan(plan, fake.exec, { concurrency: 2 });
    expect(new Set(fake.started.map((s) => s.id)).size).toBe(plan.runs.length);
  });
});

describe('executePlan: failures', () => {
  it('a failed master: every run needing it is not run, with a reason naming it', async () => {
    const plan = buildPlan({ frames: night() });
    const biasKey = byName(plan, 'b1_bias.fits').key;
    const fake = fakeExecutor({ fail: (s) => (s.key === biasKey ? new Error('disk full') : undefined) });
    const finished: [string, RunOutcome][] = [];
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2 }, { finish: (run, o) => finished.push([run.key, o]) });
    expect(outcomes.get(biasKey)).toEqual({ status: 'failed', error: 'disk full' });
    expect(fake.started.map((s) => s.key)).toEqual([biasKey]);
    for (const name of ['d1_dark.fits', 'fR1_flat.fits', 'fV1_flat.fits', 'r1_reduced.fits', 'v2_reduced.fits']) {
      const o = status(outcomes, plan, name)!;
      expect(o.status, name).toBe('not-run');
      // Named as the user sees it, by the run's label.
      expect(o.status === 'not-run' && o.reason, name).toBe(`needs "${byName(plan, 'b1_bias.fits').label}", which failed: disk full`);
    }
    for (const name of ['r1_stack.fits', 'v1_stack.fits']) expect(status(outcomes, plan, name)?.status).toBe('not-run');
    // Every run is reported, once.
    expect(finished.map(([k]) => k).sort()).toEqual(plan.runs.map((r) => r.key).sort());
  });

  it('a failed flat: the frames of its filter are not run; the other filter goes on', async () => {
    const plan = buildPlan({ frames: night() });
    const fR = byName(plan, 'fR1_flat.fits').key;
    const fake = fakeExecutor({ fail: (s) => (s.key === fR ? new Error('all flats refused') : undefined) });
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2 });
    for (const name of ['r1_reduced.fits', 'r2_reduced.fits', 'r3_reduced.fits']) {
      const o = status(outcomes, plan, name)!;
      expect(o).toEqual({ status: 'not-run', reason: `needs "${byName(plan, 'fR1_flat.fits').label}", which failed: all flats refused` });
    }
    expect(status(outcomes, plan, 'r1_stack.fits')).toEqual({ status: 'not-run', reason: 'only 0 of 3 frames were reduced: nothing to stack' });
    for (const name of ['v1_reduced.fits', 'v2_reduced.fits', 'v1_stack.fits']) expect(status(outcomes, plan, name)?.status).toBe('done');
  });

  it('a stack goes on without a failed reduction', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor({ fail: (s) => (s.output.name === 'r2_reduced.fits' ? new Error('no stars') : undefined) });
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2 });
    expect(status(outcomes, plan, 'r2_reduced.fits')).toEqual({ status: 'failed', error: 'no stars' });
    expect(status(outcomes, plan, 'r1_stack.fits')?.status).toBe('done');
    const stack = fake.started.find((s) => s.output.name === 'r1_stack.fits')!;
    expect(stack.inputs.map((i) => i.name)).toEqual(['r1_reduced.fits', 'r3_reduced.fits']);
  });

  it('a stack with fewer than two reduced frames left is not run', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor({ fail: (s) => (s.output.name === 'v1_reduced.fits' ? new Error('no stars') : undefined) });
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2 });
    expect(status(outcomes, plan, 'v1_stack.fits')).toEqual({ status: 'not-run', reason: 'only 1 of 2 frames were reduced: nothing to stack' });
    expect(fake.started.some((s) => s.output.name === 'v1_stack.fits')).toBe(false);
    expect(status(outcomes, plan, 'r1_stack.fits')?.status).toBe('done');
  });

  it('an error that is not an Error object is reported as text', async () => {
    const plan = buildPlan({ frames: [bias('b1.fits', t('20:00')), bias('b2.fits', t('20:01'))] });
    const { outcomes } = await executePlan(plan, () => Promise.reject('worker died'), { concurrency: 1 });
    expect(outcomes.get(plan.runs[0].key)).toEqual({ status: 'failed', error: 'worker died' });
  });
});

describe('executePlan: a failure that halts the plan', () => {
  const full = (err: unknown) => ((err as Error).name === 'StorageFullError' ? 'storage is full' : undefined);
  const diskFull = () => Object.assign(new Error('r2_reduced.fits: not written'), { name: 'StorageFullError' });

  it('runs not yet started are not run, with the reason haltOn gives; runs in flight end as they will', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor({ fail: (s) => (s.output.name === 'r2_reduced.fits' ? diskFull() : undefined) });
    const finished: string[] = [];
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2, haltOn: full }, { finish: (run) => finished.push(run.key) });
    const r2 = status(outcomes, plan, 'r2_reduced.fits');
    expect(r2).toEqual({ status: 'failed', error: 'r2_reduced.fits: not written' });
    const started = new Set(fake.started.map((s) => s.key));
    // What ran alongside r2 finished; whatever was not started by the time r2 failed never starts.
    const afterHalt = plan.runs.filter((r) => !started.has(r.key));
    expect(afterHalt.length).toBeGreaterThan(0);
    for (const r of afterHalt) expect(outcomes.get(r.key), r.key).toEqual({ status: 'not-run', reason: 'storage is full' });
    expect(fake.started.some((s) => s.output.name === 'v2_reduced.fits' || s.recipe === 'stackScience')).toBe(false);
    // Every run is reported once.
    expect(finished.sort()).toEqual(plan.runs.map((r) => r.key).sort());
  });

  it('any other failure does not halt: the independent runs go on', async () => {
    const plan = buildPlan({ frames: night() });
    const fake = fakeExecutor({ fail: (s) => (s.output.name === 'r2_reduced.fits' ? new Error('no stars') : undefined) });
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2, haltOn: full });
    for (const name of ['r1_stack.fits', 'v1_stack.fits', 'v2_reduced.fits']) expect(status(outcomes, plan, name)?.status, name).toBe('done');
  });
});

describe('executePlan: cancel', () => {
  it('stops launching: runs not started are cancelled and never executed', async () => {
    const plan = buildPlan({ frames: night() });
    const token = { cancelled: false };
    const fake = fakeExecutor({ onFinish: () => { token.cancelled = true; } });
    const finished: string[] = [];
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 1, cancel: token }, { finish: (run, o) => finished.push(`${o.status} ${run.key}`) });
    expect(fake.started.map((s) => s.key)).toEqual([plan.runs[0].key]);
    expect(outcomes.get(plan.runs[0].key)?.status).toBe('done');
    for (const r of plan.runs.slice(1)) expect(outcomes.get(r.key), r.key).toEqual({ status: 'cancelled' });
    expect(finished).toHaveLength(plan.runs.length);
  });

  it('lets the runs in flight finish, launches nothing more (AbortSignal)', async () => {
    const plan = buildPlan({ frames: night() });
    const ctrl = new AbortController();
    let reductionsStarted = 0;
    const fake = fakeExecutor({
      onStart: (s) => {
        if (s.recipe === 'reduceScience' && ++reductionsStarted === 2) ctrl.abort();
      },
    });
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2, cancel: ctrl.signal });
    const ran = new Set(fake.started.map((s) => s.key));
    expect(reductionsStarted).toBe(2);
    for (const r of plan.runs) {
      expect(outcomes.get(r.key)?.status, r.key).toBe(ran.has(r.key) ? 'done' : 'cancelled');
    }
    expect(runsToDo(plan).filter((r) => !ran.has(r.key)).length).toBeGreaterThan(0);
  });

  it('a run the executor cancels is cancelled, and what needs it is not run', async () => {
    const plan = buildPlan({ frames: night() });
    const biasKey = byName(plan, 'b1_bias.fits').key;
    const fake = fakeExecutor({ fail: (s) => (s.key === biasKey ? new CancelledError() : undefined) });
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2 });
    expect(outcomes.get(biasKey)).toEqual({ status: 'cancelled' });
    const o = status(outcomes, plan, 'd1_dark.fits')!;
    expect(o.status).toBe('not-run');
    expect(o.status === 'not-run' && o.reason).toBe(`needs "${byName(plan, 'b1_bias.fits').label}", which was cancelled`);
  });
});

describe('executePlan: products already up to date', () => {
  it('are not executed, and later runs use them', async () => {
    const frames = night();
    const first = buildPlan({ frames });
    const masters = productsOf(first, frames, {}, (r) => r.kind === 'bias' || r.kind === 'dark' || r.kind === 'flat');
    const plan = buildPlan({ frames: [...frames, ...masters.values()] });
    expect(runsToDo(plan).map((r) => r.kind)).toEqual(['reduced', 'reduced', 'reduced', 'reduced', 'reduced', 'stack', 'stack']);
    const fake = fakeExecutor();
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2 });
    expect(fake.started.map((s) => s.recipe).sort()).toEqual([...Array(5).fill('reduceScience'), 'stackScience', 'stackScience']);
    expect(status(outcomes, plan, 'b1_bias.fits')).toMatchObject({ status: 'done', product: { id: 'p:b1_bias.fits', name: 'b1_bias.fits' } });
    const r1 = fake.started.find((s) => s.output.name === 'r1_reduced.fits')!;
    expect(r1.inputs[0].calibrations).toEqual({
      bias: { id: 'p:b1_bias.fits', name: 'b1_bias.fits' },
      dark: { id: 'p:d1_dark.fits', name: 'd1_dark.fits' },
      flat: { id: 'p:fR1_flat.fits', name: 'fR1_flat.fits' },
    });
  });

  it('nothing to do: nothing runs', async () => {
    const frames = night();
    const plan = buildPlan({ frames: [...frames, ...productsOf(buildPlan({ frames }), frames).values()] });
    const fake = fakeExecutor();
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2 });
    expect(fake.started).toEqual([]);
    expect([...outcomes.values()].every((o) => o.status === 'done')).toBe(true);
  });

  it('`only`: runs outside it are used when up to date, else not run, and what needs them is not run', async () => {
    const plan = buildPlan({ frames: night() });
    const biasKey = byName(plan, 'b1_bias.fits').key;
    const darkKey = byName(plan, 'd1_dark.fits').key;
    const fake = fakeExecutor();
    const { outcomes } = await executePlan(plan, fake.exec, { concurrency: 2, only: new Set([darkKey]) });
    expect(outcomes.get(biasKey)).toEqual({ status: 'not-run', reason: 'not selected' });
    const o = outcomes.get(darkKey)!;
    expect(o.status).toBe('not-run');
    expect(o.status === 'not-run' && o.reason).toBe(`needs "${byName(plan, 'b1_bias.fits').label}", which did not run (not selected)`);
    expect(fake.started).toEqual([]);
  });
});

describe('resolveRun', () => {
  it('throws with the reason when a needed run has not run', () => {
    const plan = buildPlan({ frames: night() });
    const dark = byName(plan, 'd1_dark.fits');
    expect(() => resolveRun(dark, new Map(), 'x')).toThrow(new RegExp(`^needs the bias run "${escape(dark.dependsOn[0])}", which has not run$`));
  });

  it('resolves against the products given', () => {
    const plan = buildPlan({ frames: night() });
    const dark = byName(plan, 'd1_dark.fits');
    const products = new Map<string, RunOutcome>([[dark.dependsOn[0], { status: 'done', product: { id: 'B', name: 'b.fits' } }]]);
    const spec = resolveRun(dark, products, 'exec-1');
    expect(spec.id).toBe('exec-1');
    expect(spec.inputs.map((i) => i.calibrations)).toEqual([{ bias: { id: 'B', name: 'b.fits' } }, { bias: { id: 'B', name: 'b.fits' } }]);
  });

  it('passes on the rule a pinned calibration goes against, for the run to warn of it', () => {
    const plan = buildPlan({ frames: night() });
    const dark = byName(plan, 'd1_dark.fits');
    const pinned = { ...dark, inputs: dark.inputs.map((inp, k) => (k === 0 ? { ...inp, calibrations: { bias: { ...inp.calibrations.bias!, againstRule: 'binning 2x2 != 1x1' } } } : inp)) };
    const products = new Map<string, RunOutcome>([[dark.dependsOn[0], { status: 'done', product: { id: 'B', name: 'b.fits' } }]]);
    const spec = resolveRun(pinned, products, 'exec-1');
    expect(spec.inputs.map((i) => i.calibrations)).toEqual([{ bias: { id: 'B', name: 'b.fits', againstRule: 'binning 2x2 != 1x1' } }, { bias: { id: 'B', name: 'b.fits' } }]);
  });
});
