import { describe, expect, it } from 'vitest';
import { cards, gmosBiasPrimary, gmosImagingPrimary, gmosLongslitPrimary, gmosSciExtension } from '../classify/testing/headers';
import type { PlanFrame } from './facts';
import type { ParamLayer } from './params';
import { buildPlan, runsToDo, staleProducts, type Plan, type PlanInput, type PlannedRun, missingCalibrations } from './plan';
import type { CalibrationStep, ProductKind } from './products';
import {
  bias, dark, flat, frameFromCards, importedMaster, productFrame, productsOf, rawFrame, science, unreadable,
} from './testing/planFrames';

/** 'YYYY-MM-DDThh:mm:00' on 2026-03-10 (the night of 2026-03-10; no longitude: the night is the UTC date 12 h earlier). */
const t = (hhmm: string, date = '2026-03-10') => `${date}T${hhmm}:00`;
const ms = (iso: string) => Date.parse(`${iso}Z`);

/**
 * One night: three biases (listed out of time order; 'b2' is the first taken),
 * two 120 s darks, two flats in R and two in V, two M67 frames in R and two
 * in V (120 s, like the darks).
 */
function night(): PlanFrame[] {
  return [
    bias('b1.fits', t('20:05')), bias('b2.fits', t('20:00')), bias('b3.fits', t('20:10')),
    dark('d1.fits', t('20:20'), 120), dark('d2.fits', t('20:25'), 120),
    flat('fR1.fits', t('21:00'), 'R'), flat('fR2.fits', t('21:01'), 'R'),
    flat('fV1.fits', t('21:10'), 'V'), flat('fV2.fits', t('21:11'), 'V'),
    science('m67_R1.fits', t('23:00'), 'M67', 'R'), science('m67_R2.fits', t('23:05'), 'M67', 'R'),
    science('m67_V1.fits', t('23:10'), 'M67', 'V'), science('m67_V2.fits', t('23:15'), 'M67', 'V'),
  ];
}

const runsOf = (plan: Plan, kind: ProductKind) => plan.runs.filter((r) => r.kind === kind);
const one = (plan: Plan, kind: ProductKind, pred: (r: PlannedRun) => boolean = () => true): PlannedRun => {
  const found = runsOf(plan, kind).filter(pred);
  if (found.length !== 1) throw new Error(`expected one ${kind} run, found ${found.length}: ${found.map((r) => r.key).join(', ')}`);
  return found[0];
};
const withInput = (name: string) => (r: PlannedRun) => r.inputs.some((i) => i.name === name);
const reduceOf = (plan: Plan, rawName: string) => one(plan, 'reduced', withInput(rawName));
const inputNames = (r: PlannedRun) => r.inputs.map((i) => i.name);
const decisionOf = (plan: Plan, frameId: string, step: CalibrationStep) => plan.decisions.find((d) => d.id === frameId)?.decisions[step];
/** The calibration a reduce run uses for a step, by name ('b2_bias.fits'), or undefined. */
const calName = (r: PlannedRun, step: CalibrationStep) => r.inputs[0].calibrations[step]?.name;

/** The library after every run of the plan made its product. */
function withProducts(input: PlanInput, createdAt = 1): { plan: Plan; products: Map<string, PlanFrame>; frames: PlanFrame[] } {
  const plan = buildPlan(input);
  const products = productsOf(plan, input.frames, { createdAt });
  return { plan, products, frames: [...input.frames, ...products.values()] };
}

// ------------------------------------------------------------------ grouping

describe('plan: master calibrations', () => {
  it('one master bias per configuration and night, inputs in time order, named after the first taken', () => {
    const plan = buildPlan({ frames: night() });
    const b = one(plan, 'bias');
    expect(b.recipe).toBe('makeMasterBias');
    expect(inputNames(b)).toEqual(['b2.fits', 'b1.fits', 'b3.fits']);
    expect(b.inputs.map((i) => i.ref)).toEqual([{ file: 'b2.fits' }, { file: 'b1.fits' }, { file: 'b3.fits' }]);
    expect(b.output).toEqual({ name: 'b2_bias.fits', kind: 'bias' });
    expect(b.dependsOn).toEqual([]);
    expect(b.label).toMatch(/^Master bias, night of 2026-03-10 \(3 frames; /);
  });

  it('two binnings: two master biases, each frame calibrated with its own', () => {
    const frames = [
      ...night(),
      bias('c1.fits', t('20:30'), { binning: 2 }), bias('c2.fits', t('20:31'), { binning: 2 }),
      science('m67_bin2.fits', t('23:30'), 'M67', 'R', { binning: 2 }),
    ];
    const plan = buildPlan({ frames });
    const biases = runsOf(plan, 'bias');
    expect(biases.map((r) => r.output.name).sort()).toEqual(['b2_bias.fits', 'c1_bias.fits']);
    expect(inputNames(biases.find((r) => r.output.name === 'c1_bias.fits')!)).toEqual(['c1.fits', 'c2.fits']);
    expect(calName(reduceOf(plan, 'm67_bin2.fits'), 'bias')).toBe('c1_bias.fits');
    expect(calName(reduceOf(plan, 'm67_R1.fits'), 'bias')).toBe('b2_bias.fits');
    // The 2x2 frame has no flat of its binning and no dark: said, not skipped in silence.
    expect(decisionOf(plan, 'm67_bin2.fits', 'flat')?.outcome).toBe('none');
    expect(decisionOf(plan, 'm67_bin2.fits', 'flat')?.summary).toMatch(/binning 1x1 != 2x2/);
  });

  it('two nights: two master biases, each frame calibrated with its night\'s', () => {
    const frames = [
      bias('n1_b1.fits', t('20:00')), bias('n1_b2.fits', t('20:01')),
      bias('n2_b1.fits', t('20:00', '2026-03-11')), bias('n2_b2.fits', t('20:01', '2026-03-11')),
      science('n1_s.fits', t('23:00'), 'M67', 'R'),
      // 02:00 UTC on the 12th still belongs to the night of the 11th.
      science('n2_s.fits', t('02:00', '2026-03-12'), 'M67', 'R'),
    ];
    const plan = buildPlan({ frames });
    const biases = runsOf(plan, 'bias');
    expect(biases.map((r) => inputNames(r))).toEqual([['n1_b1.fits', 'n1_b2.fits'], ['n2_b1.fits', 'n2_b2.fits']]);
    expect(biases[0].key).not.toBe(biases[1].key);
    expect(biases[1].label).toContain('2026-03-11');
    expect(calName(reduceOf(plan, 'n1_s.fits'), 'bias')).toBe('n1_b1_bias.fits');
    expect(calName(reduceOf(plan, 'n2_s.fits'), 'bias')).toBe('n2_b1_bias.fits');
  });

  it('a different readout mode: two master biases', () => {
    const frames = [
      bias('s1.fits', t('20:00')), bias('s2.fits', t('20:01')),
      bias('f1.fits', t('20:02'), { readout: 'Fast' }), bias('f2.fits', t('20:03'), { readout: 'Fast' }),
      science('fast_sci.fits', t('23:00'), 'M67', 'R', { readout: 'Fast' }),
    ];
    const plan = buildPlan({ frames });
    expect(runsOf(plan, 'bias').map(inputNames)).toEqual([['s1.fits', 's2.fits'], ['f1.fits', 'f2.fits']]);
    expect(calName(reduceOf(plan, 'fast_sci.fits'), 'bias')).toBe('f1_bias.fits');
    const d = decisionOf(plan, 'fast_sci.fits', 'bias')!;
    expect(d.candidates.find((c) => c.name === 's1_bias.fits')).toMatchObject({ verdict: 'failed', reason: 'readout Slow != Fast' });
  });

  it('a master dark per exposure time, each frame with the dark of its exposure', () => {
    const frames = [
      ...night(),
      dark('d60a.fits', t('20:40'), 60), dark('d60b.fits', t('20:41'), 60),
      science('m67_R60.fits', t('23:40'), 'M67', 'R', { exptime: 60 }),
    ];
    const plan = buildPlan({ frames });
    const darks = runsOf(plan, 'dark');
    expect(darks.map((r) => [r.output.name, inputNames(r)])).toEqual([
      ['d1_dark.fits', ['d1.fits', 'd2.fits']],
      ['d60a_dark.fits', ['d60a.fits', 'd60b.fits']],
    ]);
    expect(darks.map((r) => r.recipe)).toEqual(['makeMasterDark', 'makeMasterDark']);
    expect(calName(reduceOf(plan, 'm67_R60.fits'), 'dark')).toBe('d60a_dark.fits');
    expect(calName(reduceOf(plan, 'm67_R1.fits'), 'dark')).toBe('d1_dark.fits');
    // Darks are bias-corrected with the master bias of their configuration.
    for (const d of darks) {
      expect(d.inputs.every((i) => i.calibrations.bias?.name === 'b2_bias.fits')).toBe(true);
      expect(d.dependsOn).toEqual([one(plan, 'bias').key]);
    }
  });

  it('a flat with a bias needs no dark of its exposure: said, not a problem', () => {
    const frames = [...night(), science('m67_R60.fits', t('23:40'), 'M67', 'R', { exptime: 60 })];
    const plan = buildPlan({ frames });
    const flatDark = decisionOf(plan, 'fR1.fits', 'dark')!;
    expect(flatDark).toMatchObject({ outcome: 'none', notNeeded: true });
    expect(flatDark.summary).toMatch(/^not needed for a flat: b2_bias\.fits takes the level out \(no usable dark: .*exposure/);
    expect(one(plan, 'flat', withInput('fR1.fits')).inputs[0].calibrations.dark).toBeUndefined();
    expect(one(plan, 'flat', withInput('fR1.fits')).params.subtractDark.scale).toEqual({ value: false, source: 'default' });
    // Without a bias, nothing takes a flat's level out: its dark decision stays as it was.
    const noBias = buildPlan({ frames: frames.filter((f) => !f.name.startsWith('b')) });
    expect(decisionOf(noBias, 'fR1.fits', 'dark')?.notNeeded).toBeUndefined();
    // A pinned dark that is gone is the user's to see.
    const pins = [{ id: 'pin|dark|fR1.fits', step: 'dark' as const, frameId: 'fR1.fits', calibrationId: 'gone_dark.fits' }];
    expect(decisionOf(buildPlan({ frames, pins }), 'fR1.fits', 'dark')?.notNeeded).toBeUndefined();
  });

  it('a master flat per filter, each frame with the flat of its filter', () => {
    const plan = buildPlan({ frames: night() });
    const flats = runsOf(plan, 'flat');
    expect(flats.map((r) => [r.output.name, inputNames(r)])).toEqual([
      ['fR1_flat.fits', ['fR1.fits', 'fR2.fits']],
      ['fV1_flat.fits', ['fV1.fits', 'fV2.fits']],
    ]);
    expect(flats[0].label).toMatch(/^Master flat R, /);
    expect(calName(reduceOf(plan, 'm67_R2.fits'), 'flat')).toBe('fR1_flat.fits');
    expect(calName(reduceOf(plan, 'm67_V1.fits'), 'flat')).toBe('fV1_flat.fits');
    // Flats get the bias; the 5 s flats have no dark of their exposure (120 s darks): none, with the reason.
    expect(flats[0].inputs.every((i) => i.calibrations.bias?.name === 'b2_bias.fits' && !i.calibrations.dark)).toBe(true);
    expect(decisionOf(plan, 'fR1.fits', 'dark')).toMatchObject({ outcome: 'none' });
    expect(decisionOf(plan, 'fR1.fits', 'dark')!.summary).toMatch(/exposure 120 s != 5 s/);
    expect(plan.decisions.find((d) => d.id === 'fR1.fits')?.run).toBe(flats[0].key);
  });

  it('flat filters match whatever their case and spacing', () => {
    const frames = [flat('f1.fits', t('21:00'), 'R'), flat('f2.fits', t('21:01'), ' r '), science('s.fits', t('23:00'), 'M67', 'r')];
    const plan = buildPlan({ frames });
    expect(runsOf(plan, 'flat')).toHaveLength(1);
    expect(calName(reduceOf(plan, 's.fits'), 'flat')).toBe('f1_flat.fits');
  });
});

describe('plan: reduce runs and their calibrations', () => {
  it('one reduce run per science frame, named <input>_reduced.fits', () => {
    const frames = [...night(), science('raw0001.fits.fz', t('23:50'), 'M67', 'R')];
    const plan = buildPlan({ frames });
    expect(runsOf(plan, 'reduced').map((r) => r.output.name)).toEqual([
      'm67_R1_reduced.fits', 'm67_R2_reduced.fits', 'm67_V1_reduced.fits', 'm67_V2_reduced.fits', 'raw0001_reduced.fits',
    ]);
    const r = reduceOf(plan, 'm67_R1.fits');
    expect(r.recipe).toBe('reduceScience');
    expect(r.key).toBe('reduced|m67_R1.fits');
    expect(r.inputs).toHaveLength(1);
    expect(r.inputs[0].ref).toEqual({ file: 'm67_R1.fits' });
  });

  it('gets the bias, dark and flat of its configuration and filter, as runs of this plan, with the decisions recorded', () => {
    const plan = buildPlan({ frames: night() });
    const b = one(plan, 'bias');
    const d = one(plan, 'dark');
    const fR = one(plan, 'flat', withInput('fR1.fits'));
    const r = reduceOf(plan, 'm67_R1.fits');
    expect(r.inputs[0].calibrations).toEqual({
      bias: { id: `run:${b.key}`, name: 'b2_bias.fits', source: 'planned', run: b.key },
      dark: { id: `run:${d.key}`, name: 'd1_dark.fits', source: 'planned', run: d.key },
      flat: { id: `run:${fR.key}`, name: 'fR1_flat.fits', source: 'planned', run: fR.key },
    });
    const dec = plan.decisions.find((x) => x.id === 'm67_R1.fits')!;
    expect(dec.run).toBe(r.key);
    expect(dec.decisions.bias).toMatchObject({ outcome: 'chosen', chosen: `run:${b.key}` });
    expect(dec.decisions.dark).toMatchObject({ outcome: 'chosen', chosen: `run:${d.key}` });
    expect(dec.decisions.flat).toMatchObject({ outcome: 'chosen', chosen: `run:${fR.key}` });
    // The V flat is listed too, with the rule it failed.
    expect(dec.decisions.flat!.candidates).toEqual([
      expect.objectContaining({ name: 'fR1_flat.fits', verdict: 'chosen' }),
      expect.objectContaining({ name: 'fV1_flat.fits', verdict: 'failed', reason: 'filter V != R', failedRule: 'filter' }),
    ]);
    // Every science frame, dark and flat has its decisions; biases need none.
    expect(plan.decisions.map((x) => x.id).sort()).toEqual(
      ['d1.fits', 'd2.fits', 'fR1.fits', 'fR2.fits', 'fV1.fits', 'fV2.fits', 'm67_R1.fits', 'm67_R2.fits', 'm67_V1.fits', 'm67_V2.fits'],
    );
  });

  it('a science frame without a matching flat: none with the reasons, a note, and still a reduce run', () => {
    const frames = [...night(), science('m67_I.fits', t('23:30'), 'M67', 'I')];
    const plan = buildPlan({ frames });
    const dec = decisionOf(plan, 'm67_I.fits', 'flat')!;
    expect(dec.outcome).toBe('none');
    expect(dec.chosen).toBeUndefined();
    expect(dec.summary).toBe('no usable flat: 2 candidates, none matches (other filter for 2)');
    // Failed candidates are listed too, closest in time first (V flats 21:10, R flats 21:00).
    expect(dec.candidates.map((c) => [c.name, c.verdict, c.reason])).toEqual([
      ['fV1_flat.fits', 'failed', 'filter V != I'],
      ['fR1_flat.fits', 'failed', 'filter R != I'],
    ]);
    expect(plan.notes).toContain(`m67_I.fits: ${dec.summary}`);
    const r = reduceOf(plan, 'm67_I.fits');
    expect(r.inputs[0].calibrations.flat).toBeUndefined();
    expect(r.inputs[0].calibrations.bias?.name).toBe('b2_bias.fits');
    expect(r.dependsOn.some((k) => k.startsWith('flat|'))).toBe(false);
    // The run that goes without, by its key, and only it (the other frames have their flats; the night has no dark to miss).
    expect([...missingCalibrations(plan)]).toEqual([[r.key, ['flat']]]);
  });

  it('a library without any flat: every science frame says so', () => {
    const frames = night().filter((f) => !f.name.startsWith('f'));
    const plan = buildPlan({ frames });
    expect(runsOf(plan, 'reduced')).toHaveLength(4);
    for (const name of ['m67_R1.fits', 'm67_V2.fits']) {
      expect(decisionOf(plan, name, 'flat')).toMatchObject({ outcome: 'none', summary: 'no flat in the library' });
      expect(plan.notes).toContain(`${name}: no flat in the library`);
    }
  });
});

describe('plan: a night without biases (CMOS: darks at the frames\' exposure)', () => {
  // No bias at all; 120 s darks as the science frames, flats with no dark of their exposure, one
  // science frame at 60 s with no dark.
  const frames = () => [
    ...night().filter((f) => !f.name.startsWith('b')),
    science('m67_R60.fits', t('23:40'), 'M67', 'R', { exptime: 60 }),
  ];

  it('a frame whose unscaled dark takes the level out needs no bias: said, not a problem, not missing', () => {
    const plan = buildPlan({ frames: frames() });
    const dec = decisionOf(plan, 'm67_R1.fits', 'bias')!;
    expect(dec).toMatchObject({ outcome: 'none', notNeeded: true });
    expect(dec.summary).toBe('not needed: no bias in the library, and d1_dark.fits (unscaled) takes the level out');
    expect(plan.notes.some((n) => n.startsWith('m67_R1.fits:'))).toBe(false);
    // A master dark keeps the level for the frames it serves.
    expect(decisionOf(plan, 'd1.fits', 'bias')).toMatchObject({ outcome: 'none', notNeeded: true });
    // Frames with no dark (the flats, the 60 s frame) still miss a bias, and say so.
    expect(decisionOf(plan, 'fR1.fits', 'bias')).toMatchObject({ outcome: 'none', summary: 'no bias in the library' });
    expect(decisionOf(plan, 'fR1.fits', 'bias')?.notNeeded).toBeUndefined();
    expect(decisionOf(plan, 'm67_R60.fits', 'bias')?.notNeeded).toBeUndefined();
    expect(plan.notes).toContain('m67_R60.fits: no bias in the library');
    const missing = missingCalibrations(plan);
    expect(missing.get(reduceOf(plan, 'm67_R1.fits').key)).toBeUndefined();
    expect(missing.get(reduceOf(plan, 'm67_R60.fits').key)).toEqual(['bias']);
    expect(missing.get(one(plan, 'dark').key)).toBeUndefined();
  });

  it('darks scaled by exposure need a bias (the level must not be scaled): no bias is then a problem again', () => {
    const params: ParamLayer[] = [{ source: 'user', values: { reduceScience: { subtractDark: { scale: true } }, makeMasterFlat: { subtractDark: { scale: true } } } }];
    const plan = buildPlan({ frames: frames(), params });
    expect(decisionOf(plan, 'm67_R60.fits', 'dark')?.outcome).toBe('chosen');
    for (const name of ['m67_R1.fits', 'm67_R60.fits', 'fR1.fits']) expect(decisionOf(plan, name, 'bias')?.notNeeded, name).toBeUndefined();
    // The darks' own frames too: their master must not keep the level.
    expect(decisionOf(plan, 'd1.fits', 'bias')?.notNeeded).toBeUndefined();
    expect(decisionOf(plan, 'd1.fits', 'bias')?.summary).toMatch(/scale it by exposure/);
  });

  it('a pinned bias that is gone stays a problem, not "not needed"', () => {
    const pins = [{ id: 'pin|bias|m67_R1.fits', step: 'bias' as const, frameId: 'm67_R1.fits', calibrationId: 'gone_bias.fits' }];
    const plan = buildPlan({ frames: frames(), pins });
    const dec = decisionOf(plan, 'm67_R1.fits', 'bias')!;
    expect(dec.outcome).toBe('none');
    expect(dec.notNeeded).toBeUndefined();
    expect(missingCalibrations(plan).get(reduceOf(plan, 'm67_R1.fits').key)).toEqual(['bias']);
    expect(decisionOf(plan, 'm67_R2.fits', 'bias')?.notNeeded).toBe(true);
  });

  it('a library with biases none of which fits still says the frame misses one', () => {
    const plan = buildPlan({ frames: [...frames(), bias('b_bin2.fits', t('20:00'), { binning: 2 })] });
    const dec = decisionOf(plan, 'm67_R1.fits', 'bias')!;
    expect(dec.outcome).toBe('none');
    expect(dec.notNeeded).toBeUndefined();
    expect(dec.summary).toMatch(/binning/);
  });
});

describe('plan: stacks', () => {
  it('one stack per target and filter, named after its first frame in time, over the reduce runs', () => {
    const frames = [
      ...night(),
      science('ngc_R2.fits', t('23:59'), 'NGC 2264', 'R'), science('ngc_R1.fits', t('23:55'), 'NGC 2264', 'R'),
    ];
    const plan = buildPlan({ frames });
    const stacks = runsOf(plan, 'stack');
    expect(stacks.map((s) => [s.output.name, s.label])).toEqual([
      ['m67_R1_stack.fits', 'Stack M67 R (2 frames)'],
      ['m67_V1_stack.fits', 'Stack M67 V (2 frames)'],
      ['ngc_R1_stack.fits', 'Stack NGC 2264 R (2 frames)'],
    ]);
    const s = stacks[2];
    expect(s.recipe).toBe('stackScience');
    expect(s.inputs.map((i) => i.ref)).toEqual([{ run: 'reduced|ngc_R1.fits' }, { run: 'reduced|ngc_R2.fits' }]);
    expect(inputNames(s)).toEqual(['ngc_R1_reduced.fits', 'ngc_R2_reduced.fits']);
    expect(s.dependsOn).toEqual(['reduced|ngc_R1.fits', 'reduced|ngc_R2.fits']);
  });

  it('object names match whatever their case and spacing', () => {
    const frames = [science('a.fits', t('23:00'), 'M67', 'R'), science('b.fits', t('23:05'), ' m67', 'R')];
    expect(runsOf(buildPlan({ frames }), 'stack')).toHaveLength(1);
  });

  it('a single frame: no stack, and a note', () => {
    const frames = [...night(), science('ngc_R1.fits', t('23:55'), 'NGC 2264', 'R')];
    const plan = buildPlan({ frames });
    expect(runsOf(plan, 'stack').map((s) => s.output.name)).toEqual(['m67_R1_stack.fits', 'm67_V1_stack.fits']);
    expect(plan.notes).toContain('NGC 2264 in R: 1 frame, no stack (a stack needs 2)');
    expect(reduceOf(plan, 'ngc_R1.fits')).toBeDefined();
  });

  it('minStack: fewer frames than asked make no stack', () => {
    const plan = buildPlan({ frames: night(), minStack: 3 });
    expect(runsOf(plan, 'stack')).toEqual([]);
    expect(plan.notes).toEqual(expect.arrayContaining([
      'M67 in R: 2 frames, no stack (a stack needs 3)', 'M67 in V: 2 frames, no stack (a stack needs 3)',
    ]));
    expect(runsOf(buildPlan({ frames: night(), minStack: 2 }), 'stack')).toHaveLength(2);
  });
});

describe('plan: order and dependencies', () => {
  it('runs come in dependency order: masters, reductions, stacks', () => {
    const plan = buildPlan({ frames: night() });
    expect(plan.runs.map((r) => r.kind)).toEqual([
      'bias', 'dark', 'flat', 'flat', 'reduced', 'reduced', 'reduced', 'reduced', 'stack', 'stack',
    ]);
    const seen = new Set<string>();
    for (const r of plan.runs) {
      for (const d of r.dependsOn) expect(seen.has(d), `${r.key} depends on ${d}, planned later`).toBe(true);
      seen.add(r.key);
    }
    expect(new Set(plan.runs.map((r) => r.key)).size).toBe(plan.runs.length);
  });

  it('dependsOn lists exactly the runs whose products a run uses', () => {
    const plan = buildPlan({ frames: [...night(), science('m67_I.fits', t('23:30'), 'M67', 'I')] });
    for (const r of plan.runs) {
      const used = new Set<string>();
      for (const i of r.inputs) {
        if ('run' in i.ref) used.add(i.ref.run);
        for (const c of Object.values(i.calibrations)) if (c?.run) used.add(c.run);
      }
      expect(new Set(r.dependsOn), r.key).toEqual(used);
      expect(r.dependsOn).toHaveLength(used.size);
    }
    const b = one(plan, 'bias').key;
    const d = one(plan, 'dark').key;
    const fR = one(plan, 'flat', withInput('fR1.fits')).key;
    expect(new Set(reduceOf(plan, 'm67_R1.fits').dependsOn)).toEqual(new Set([b, d, fR]));
    expect(new Set(reduceOf(plan, 'm67_I.fits').dependsOn)).toEqual(new Set([b, d]));
    expect(one(plan, 'flat', withInput('fR1.fits')).dependsOn).toEqual([b]);
  });

  it('parameters are resolved per run, a scoped layer applying to the runs whose frames it accepts', () => {
    const params: ParamLayer[] = [
      { source: 'user', scope: "filter == 'R'", values: { reduceScience: { flagCosmicRays: { sigclip: 6 } } } },
      { source: 'preset', name: 'deep', values: { stackScience: { stackFrames: { operation: 'median' } } } },
    ];
    const plan = buildPlan({ frames: night(), params });
    expect(reduceOf(plan, 'm67_R1.fits').params.flagCosmicRays.sigclip).toEqual({ value: 6, source: 'user' });
    expect(reduceOf(plan, 'm67_V1.fits').params.flagCosmicRays.sigclip).toEqual({ value: 4.5, source: 'default' });
    for (const s of runsOf(plan, 'stack')) expect(s.params.stackFrames.operation).toEqual({ value: 'median', source: 'preset' });
    expect(one(plan, 'bias').params.stackFrames.operation).toEqual({ value: 'mean', source: 'recipe' });
  });

  it('darks scaled by exposure (subtractDark.scale): a dark of another exposure will do', () => {
    const frames = [...night(), science('m67_R60.fits', t('23:40'), 'M67', 'R', { exptime: 60 })];
    const params: ParamLayer[] = [{ source: 'user', values: { reduceScience: { subtractDark: { scale: true } } } }];
    const plan = buildPlan({ frames, params });
    expect(decisionOf(plan, 'm67_R60.fits', 'dark')).toMatchObject({ outcome: 'chosen', chosen: `run:${one(plan, 'dark').key}` });
    // The flats follow their own recipe's setting: still no 120 s dark for 5 s flats.
    expect(decisionOf(plan, 'fR1.fits', 'dark')?.outcome).toBe('none');
  });

  it('a science frame with a bias and no dark of its exposure gets a dark made here scaled by exposure, the run saying so', () => {
    const frames = [...night(), science('m67_R60.fits', t('23:40'), 'M67', 'R', { exptime: 60 })];
    const plan = buildPlan({ frames });
    const darkRun = one(plan, 'dark');
    const dec = decisionOf(plan, 'm67_R60.fits', 'dark')!;
    expect(dec).toMatchObject({
      outcome: 'chosen', chosen: `run:${darkRun.key}`,
      summary: "d1_dark.fits scaled by exposure (60 s / 120 s): no usable dark of the frame's exposure (of the others, the shortest at least as long as the frame)",
    });
    expect(dec.candidates.map((c) => [c.name, c.verdict])).toEqual([['d1_dark.fits', 'chosen']]);
    const run = reduceOf(plan, 'm67_R60.fits');
    expect(run.inputs[0].calibrations.dark).toMatchObject({ name: 'd1_dark.fits', run: darkRun.key });
    expect(run.params.subtractDark.scale).toEqual({ value: true, source: 'plan', why: "no dark of the frame's exposure: d1_dark.fits (120 s) scaled" });
    expect(run.dependsOn).toContain(darkRun.key);
    expect(missingCalibrations(plan).get(run.key)).toBeUndefined();
    // The 120 s frames use the dark as it is.
    expect(reduceOf(plan, 'm67_R1.fits').params.subtractDark.scale).toEqual({ value: false, source: 'default' });
    expect(decisionOf(plan, 'm67_R1.fits', 'dark')?.summary).not.toMatch(/scaled/);
  });

  it('scales the shortest dark at least as long as the frame, else the longest; another tool\'s master (not known to be bias-subtracted) is left alone, and listed', () => {
    const frames = [
      ...night(), dark('d300a.fits', t('20:30'), 300), dark('d300b.fits', t('20:31'), 300), dark('d30a.fits', t('20:32'), 30), dark('d30b.fits', t('20:33'), 30),
      science('m67_R60.fits', t('23:40'), 'M67', 'R', { exptime: 60 }), science('m67_R600.fits', t('23:50'), 'M67', 'R', { exptime: 600 }),
      importedMaster('their_dark.fits', 'dark', t('20:00'), { exptime: 90 }),
    ];
    const plan = buildPlan({ frames });
    const name = (f: string) => plan.decisions.find((d) => d.id === f)!.decisions.dark!;
    // 60 s: the 120 s dark (not 300 s, not 30 s scaled up, not the imported 90 s master).
    expect(calName(reduceOf(plan, 'm67_R60.fits'), 'dark')).toBe('d1_dark.fits');
    // 600 s: none as long: the longest, 300 s.
    expect(calName(reduceOf(plan, 'm67_R600.fits'), 'dark')).toBe('d300a_dark.fits');
    expect(name('m67_R600.fits').summary).toMatch(/\(600 s \/ 300 s\).*the longest: none is as long as the frame/);
    // Every other candidate is still listed with the rule it failed.
    const [first, ...others] = name('m67_R600.fits').candidates;
    expect([first.name, first.verdict]).toEqual(['d300a_dark.fits', 'chosen']);
    expect(others.map((c) => [c.name, c.verdict]).sort()).toEqual([['d1_dark.fits', 'failed'], ['d30a_dark.fits', 'failed'], ['their_dark.fits', 'failed']]);
  });

  it('scales our master dark made earlier with a bias, its raw darks gone; not one made without a bias', () => {
    const frames = [...night(), science('m67_R60.fits', t('23:40'), 'M67', 'R', { exptime: 60 })];
    const plan0 = buildPlan({ frames });
    const withBias = (bias: boolean) => {
      const made = productsOf(plan0, frames, bias ? { calibrations: { bias: { id: 'p:b2_bias.fits', name: 'b2_bias.fits' } } } : {}, (r) => r.kind === 'dark');
      const library = [...frames.filter((f) => !f.name.startsWith('d')), ...made.values()];
      return buildPlan({ frames: library });
    };
    const plan = withBias(true);
    expect(runsOf(plan, 'dark')).toEqual([]);
    expect(calName(reduceOf(plan, 'm67_R60.fits'), 'dark')).toBe('d1_dark.fits');
    expect(reduceOf(plan, 'm67_R60.fits').params.subtractDark.scale).toEqual({ value: true, source: 'plan', why: "no dark of the frame's exposure: d1_dark.fits (120 s) scaled" });
    expect(calName(reduceOf(withBias(false), 'm67_R60.fits'), 'dark')).toBeUndefined();
  });

  it('no dark scaled by the plan where the user said no, pinned, or nothing takes the level out of the frame or of the dark', () => {
    const frames = [...night(), science('m67_R60.fits', t('23:40'), 'M67', 'R', { exptime: 60 })];
    const noScale = (plan: Plan) => {
      expect(decisionOf(plan, 'm67_R60.fits', 'dark')?.outcome).not.toBe('chosen');
      expect(reduceOf(plan, 'm67_R60.fits').params.subtractDark.scale.value).toBe(false);
    };
    // subtractDark.scale = false set by the user (or a preset) is theirs.
    noScale(buildPlan({ frames, params: [{ source: 'user', values: { reduceScience: { subtractDark: { scale: false } } } }] }));
    // A pinned dark that is gone stays the user's to see.
    noScale(buildPlan({ frames, pins: [{ id: 'pin|dark|m67_R60.fits', step: 'dark', frameId: 'm67_R60.fits', calibrationId: 'gone_dark.fits' }] }));
    // No bias: the 120 s master keeps the level, which must not be scaled.
    noScale(buildPlan({ frames: frames.filter((f) => !f.name.startsWith('b')) }));
    // A bias for the frame but none taken from the darks (skipped by the user): their master keeps the level.
    noScale(buildPlan({ frames, pins: [{ id: 's', step: 'bias', frameId: 'd1.fits', skip: true }] }));
  });

  it('an invalid parameter in a layer stops the plan with a ParamError', () => {
    const params: ParamLayer[] = [{ source: 'user', values: { reduceScience: { flagCosmicRays: { niter: 0 } } } }];
    expect(() => buildPlan({ frames: night(), params })).toThrow('reduceScience.flagCosmicRays.niter must be >= 1, got 0');
  });

  it('the same library in another order gives the same runs, names and signatures', () => {
    const a = buildPlan({ frames: night(), now: 5 });
    const b = buildPlan({ frames: [...night()].reverse(), now: 5 });
    const summary = (p: Plan) => p.runs.map((r) => [r.key, r.signature, r.output.name, [...r.dependsOn].sort()]).sort();
    expect(summary(b)).toEqual(summary(a));
    // (The order of masters of one kind follows the library's order; reductions are in time order.)
    expect(runsOf(b, 'reduced').map((r) => r.key)).toEqual(runsOf(a, 'reduced').map((r) => r.key));
  });
});

// ------------------------------------------------------------------ left out

/** A GMOS raw MEF: no primary data, 12 amplifiers. */
function gmos(name: string, primary: string, ut: string): PlanFrame {
  const text = primary.replace("UT      = '05:30:45.3'", `UT      = '${ut}'`);
  const amp = { isImage: true, naxis: [288, 2112], extname: 'SCI' };
  return frameFromCards(name, cards(text), cards(gmosSciExtension), {
    hdus: [{ isImage: false, naxis: [], extname: 'PRIMARY' }, ...Array.from({ length: 12 }, () => amp)],
  });
}
const toSouth = (text: string) => text.replace("INSTRUME= 'GMOS-N  '", "INSTRUME= 'GMOS-S  '");
/** GMOS-S biases taken with the long-slit configuration still in (grating and mask keywords as the science). */
const spectroBiasPrimary = toSouth(gmosBiasPrimary).replace(
  "GRATING = 'MIRROR  '           / Grating name",
  "GRATING = 'R400+_G5325'        / Grating name\nMASKNAME= '1.0arcsec'          / Mask name",
);

describe('plan: frames left out', () => {
  it('unreadable files, with the reader\'s message', () => {
    const plan = buildPlan({ frames: [...night(), unreadable('broken.fits', 'file ends inside the header')] });
    expect(plan.leftOut).toEqual([{ id: 'broken.fits', name: 'broken.fits', reason: 'could not be read: file ends inside the header' }]);
  });

  it('unclassified frames, with a reason saying to tag them', () => {
    const plan = buildPlan({ frames: [...night(), rawFrame({ name: 'mystery.fits', date: t('22:00'), type: null, object: 'M67', filter: 'R' })] });
    expect(plan.leftOut).toEqual([
      { id: 'mystery.fits', name: 'mystery.fits', reason: 'type unknown: tag it bias, dark, flat or science to reduce it' },
    ]);
    expect(plan.runs.some((r) => inputNames(r).includes('mystery.fits'))).toBe(false);
  });

  it('a tagged frame is planned by its tag', () => {
    const tagged = { ...rawFrame({ name: 'mystery.fits', date: t('23:20'), type: null, object: 'M67', filter: 'R' }), type: 'science' };
    const plan = buildPlan({ frames: [...night(), tagged] });
    expect(plan.leftOut).toEqual([]);
    expect(inputNames(one(plan, 'stack', withInput('m67_R1_reduced.fits')))).toContain('mystery_reduced.fits');
  });

  it('GMOS-S long slit (OBSTYPE OBJECT, GRATING R400+_G5325, MASKNAME 1.0arcsec): left out with the disperser reason; its biases are still used', () => {
    const frames = [
      gmos('S20190414S0001.fits', spectroBiasPrimary, '05:00:00.0'),
      gmos('S20190414S0002.fits', spectroBiasPrimary, '05:01:00.0'),
      gmos('S20190414S0100.fits', toSouth(gmosLongslitPrimary), '05:30:45.3'),
      gmos('S20190414S0101.fits', toSouth(gmosImagingPrimary), '05:40:00.0'),
    ];
    expect(frames[2].descriptors).toMatchObject({ disperser: 'R400+_G5325', slit: '1.0arcsec' });
    const plan = buildPlan({ frames });
    expect(plan.leftOut).toEqual([{
      id: 'S20190414S0100.fits', name: 'S20190414S0100.fits',
      reason: "spectroscopy, not imaging: GRATING = 'R400+_G5325': a disperser is in the beam",
    }]);
    const b = one(plan, 'bias');
    expect(inputNames(b)).toEqual(['S20190414S0001.fits', 'S20190414S0002.fits']);
    expect(b.label).toContain('256x2112 x12');
    expect(runsOf(plan, 'reduced').map(inputNames)).toEqual([['S20190414S0101.fits']]);
    expect(calName(reduceOf(plan, 'S20190414S0101.fits'), 'bias')).toBe('S20190414S0001_bias.fits');
    expect(plan.decisions.some((d) => d.id === 'S20190414S0100.fits')).toBe(false);
  });

  it('frames you excluded, with your note', () => {
    const plan = buildPlan({
      frames: night(),
      exclusions: [{ frameId: 'b2.fits', note: 'light leak' }, { frameId: 'm67_V2.fits' }],
    });
    expect(plan.leftOut).toEqual([
      { id: 'b2.fits', name: 'b2.fits', reason: 'excluded by you: light leak' },
      { id: 'm67_V2.fits', name: 'm67_V2.fits', reason: 'excluded by you' },
    ]);
  });
});

describe('plan: exclusions remove frames from groups', () => {
  it('from a master: the next frame in time names it', () => {
    const plan = buildPlan({ frames: night(), exclusions: [{ frameId: 'b2.fits' }] });
    const b = one(plan, 'bias');
    expect(inputNames(b)).toEqual(['b1.fits', 'b3.fits']);
    expect(b.output.name).toBe('b1_bias.fits');
  });

  it('from a stack: too few left, no stack and a note', () => {
    const plan = buildPlan({ frames: night(), exclusions: [{ frameId: 'm67_V2.fits' }] });
    expect(runsOf(plan, 'stack').map((s) => s.output.name)).toEqual(['m67_R1_stack.fits']);
    expect(plan.notes).toContain('M67 in V: 1 frame, no stack (a stack needs 2)');
    expect(plan.runs.some((r) => r.key === 'reduced|m67_V2.fits')).toBe(false);
    expect(plan.decisions.some((d) => d.id === 'm67_V2.fits')).toBe(false);
  });

  it('an excluded flat group: the frames of that filter have no flat', () => {
    const plan = buildPlan({ frames: night(), exclusions: [{ frameId: 'fV1.fits' }, { frameId: 'fV2.fits' }] });
    expect(runsOf(plan, 'flat')).toHaveLength(1);
    expect(decisionOf(plan, 'm67_V1.fits', 'flat')?.outcome).toBe('none');
  });
});

// ------------------------------------------------------------------ pins and skips

describe('plan: overruled refusals', () => {
  it('marks the frame accepted for the step in its run, which changes the run\'s signature and what depends on it', () => {
    const frames = night();
    const before = buildPlan({ frames });
    const flat = before.runs.find((r) => r.kind === 'flat')!;
    const frameId = (flat.inputs[0].ref as { file: string }).file;
    const after = buildPlan({ frames, overrules: [{ frameId, step: 'checkFlatLevel' }] });
    const same = after.runs.find((r) => r.key === flat.key)!;
    expect(same.inputs[0].accept).toEqual(['checkFlatLevel']);
    expect(same.inputs.slice(1).every((i) => i.accept === undefined)).toBe(true);
    expect(same.signature).not.toBe(flat.signature);
    // The reductions that use this flat change too; the bias does not.
    const bias = before.runs.find((r) => r.kind === 'bias')!;
    expect(after.runs.find((r) => r.key === bias.key)!.signature).toBe(bias.signature);
    const users = after.runs.filter((r) => r.inputs.some((i) => i.calibrations.flat?.run === flat.key));
    expect(users.length).toBeGreaterThan(0);
    for (const u of users) expect(u.signature).not.toBe(before.runs.find((r) => r.key === u.key)!.signature);
  });
});

describe('plan: pins and skips', () => {
  const frames = () => [
    ...night(),
    importedMaster('mbias.fits', 'bias', t('12:00')),
    importedMaster('mflatR.fits', 'flat', t('12:00'), { filter: 'R' }),
  ];

  it('a frame pin chooses that calibration for that frame only', () => {
    const plan = buildPlan({ frames: frames(), pins: [{ id: 'p1', step: 'bias', frameId: 'm67_R1.fits', calibrationId: 'mbias.fits' }] });
    expect(decisionOf(plan, 'm67_R1.fits', 'bias')).toMatchObject({ outcome: 'pinned', chosen: 'mbias.fits', summary: 'pinned by you: mbias.fits' });
    expect(reduceOf(plan, 'm67_R1.fits').inputs[0].calibrations.bias).toEqual({ id: 'mbias.fits', name: 'mbias.fits', source: 'imported', run: undefined, pinned: true });
    expect(reduceOf(plan, 'm67_R1.fits').dependsOn.some((k) => k.startsWith('bias|'))).toBe(false);
    expect(decisionOf(plan, 'm67_R2.fits', 'bias')).toMatchObject({ outcome: 'chosen', chosen: `run:${one(plan, 'bias').key}` });
  });

  it('a scope pin applies to every frame its select expression accepts', () => {
    const plan = buildPlan({ frames: frames(), pins: [{ id: 'p1', step: 'bias', scope: "filter == 'V' and object == 'M67'", calibrationId: 'mbias.fits' }] });
    for (const name of ['m67_V1.fits', 'm67_V2.fits']) {
      expect(decisionOf(plan, name, 'bias')).toMatchObject({ outcome: 'pinned', chosen: 'mbias.fits' });
      expect(calName(reduceOf(plan, name), 'bias')).toBe('mbias.fits');
    }
    for (const name of ['m67_R1.fits', 'm67_R2.fits', 'fV1.fits']) expect(decisionOf(plan, name, 'bias')?.outcome).toBe('chosen');
  });

  it('a scope pin can reach the frames of a master (here: the V flats)', () => {
    const plan = buildPlan({ frames: frames(), pins: [{ id: 'p1', step: 'bias', scope: "type == 'flat' and filter == 'V'", calibrationId: 'mbias.fits' }] });
    const fV = one(plan, 'flat', withInput('fV1.fits'));
    expect(fV.inputs.map((i) => i.calibrations.bias?.id)).toEqual(['mbias.fits', 'mbias.fits']);
    expect(fV.dependsOn).toEqual([]);
    expect(decisionOf(plan, 'm67_V1.fits', 'bias')?.outcome).toBe('chosen');
  });

  it('a frame pin wins over a scope pin', () => {
    const bKey = () => `run:${one(buildPlan({ frames: frames() }), 'bias').key}`;
    const plan = buildPlan({
      frames: frames(),
      pins: [
        { id: 'scope', step: 'bias', scope: "object == 'M67'", calibrationId: 'mbias.fits' },
        { id: 'frame', step: 'bias', frameId: 'm67_R1.fits', calibrationId: bKey() },
      ],
    });
    expect(decisionOf(plan, 'm67_R1.fits', 'bias')).toMatchObject({ outcome: 'pinned', chosen: bKey() });
    expect(decisionOf(plan, 'm67_R2.fits', 'bias')).toMatchObject({ outcome: 'pinned', chosen: 'mbias.fits' });
  });

  it('a pin on another step does not apply', () => {
    const plan = buildPlan({ frames: frames(), pins: [{ id: 'p', step: 'flat', frameId: 'm67_R1.fits', calibrationId: 'mbias.fits' }] });
    expect(decisionOf(plan, 'm67_R1.fits', 'bias')?.outcome).toBe('chosen');
    // A bias pinned as a flat is not a flat candidate: the pin is reported as missing.
    expect(decisionOf(plan, 'm67_R1.fits', 'flat')?.outcome).toBe('none');
  });

  it('a pin the rules refuse still wins, with the rule in a note', () => {
    const plan = buildPlan({ frames: frames(), pins: [{ id: 'p', step: 'flat', frameId: 'm67_V1.fits', calibrationId: 'mflatR.fits' }] });
    expect(decisionOf(plan, 'm67_V1.fits', 'flat')).toMatchObject({ outcome: 'pinned', chosen: 'mflatR.fits', summary: 'pinned by you: mflatR.fits (note: filter R != V)' });
    expect(calName(reduceOf(plan, 'm67_V1.fits'), 'flat')).toBe('mflatR.fits');
    // The run carries the rule, so that its product says the flat was used against it.
    expect(decisionOf(plan, 'm67_V1.fits', 'flat')?.againstRule).toBe('filter R != V');
    expect(reduceOf(plan, 'm67_V1.fits').inputs[0].calibrations.flat?.againstRule).toBe('filter R != V');
    expect(reduceOf(plan, 'm67_V2.fits').inputs[0].calibrations.flat?.againstRule).toBeUndefined();
  });

  it('skip: the reduce run has no calibration for that step, and does not wait for its master', () => {
    const plan = buildPlan({ frames: frames(), pins: [{ id: 's', step: 'dark', frameId: 'm67_R1.fits', skip: true }] });
    expect(decisionOf(plan, 'm67_R1.fits', 'dark')).toMatchObject({ outcome: 'skipped', summary: 'skipped by you' });
    const r = reduceOf(plan, 'm67_R1.fits');
    expect(r.inputs[0].calibrations.dark).toBeUndefined();
    expect(r.inputs[0].calibrations.bias).toBeDefined();
    expect(r.dependsOn.some((k) => k.startsWith('dark|'))).toBe(false);
    expect(calName(reduceOf(plan, 'm67_R2.fits'), 'dark')).toBe('d1_dark.fits');
    expect(plan.notes.some((n) => n.startsWith('m67_R1.fits'))).toBe(false);
  });

  // The pin names the master bias file in the library (our product of tonight's slot, its raw frames still there).
  it('a pin to an existing master of a slot this plan makes is honoured, not reported missing', () => {
    const { products, frames } = withProducts({ frames: night() });
    const bKey = one(buildPlan({ frames: night() }), 'bias').key;
    const master = products.get(bKey)!;
    const plan = buildPlan({ frames, pins: [{ id: 'p', step: 'bias', frameId: 'm67_R1.fits', calibrationId: master.id }] });
    const d = decisionOf(plan, 'm67_R1.fits', 'bias')!;
    expect(d.summary).not.toMatch(/no longer in the library/);
    expect(d.outcome).toBe('pinned');
    // The frame is bias-corrected with that master (as its file, or as the run whose product it is).
    const cal = reduceOf(plan, 'm67_R1.fits').inputs[0].calibrations.bias;
    expect(cal).toBeDefined();
    expect(cal!.run === bKey || cal!.id === master.id).toBe(true);
  });

  it('a scoped skip', () => {
    const plan = buildPlan({ frames: frames(), pins: [{ id: 's', step: 'flat', scope: "filter == 'V'", skip: true }] });
    for (const name of ['m67_V1.fits', 'm67_V2.fits']) {
      expect(decisionOf(plan, name, 'flat')?.outcome).toBe('skipped');
      expect(reduceOf(plan, name).inputs[0].calibrations.flat).toBeUndefined();
    }
    expect(calName(reduceOf(plan, 'm67_R1.fits'), 'flat')).toBe('fR1_flat.fits');
  });
});

// ------------------------------------------------------------------ existing products

describe('plan: existing products', () => {
  it('products of the same run key and signature are up to date: nothing to do', () => {
    const { plan: first, frames } = withProducts({ frames: night() });
    const plan = buildPlan({ frames });
    expect(plan.runs.map((r) => [r.key, r.signature])).toEqual(first.runs.map((r) => [r.key, r.signature]));
    for (const r of plan.runs) expect(r.existing, r.key).toMatchObject({ id: `p:${r.output.name}`, name: r.output.name, upToDate: true });
    expect(runsToDo(plan)).toEqual([]);
    expect(staleProducts(plan)).toEqual([]);
    // The products are neither left out nor raw frames of new runs.
    expect(plan.leftOut).toEqual([]);
    expect(plan.runs).toHaveLength(first.runs.length);
  });

  it('runsToDo: a missing product and what depends on it, nothing else', () => {
    const { products, frames } = withProducts({ frames: night() });
    const gone = products.get('reduced|m67_R2.fits')!;
    const plan = buildPlan({ frames: frames.filter((f) => f !== gone) });
    expect(runsToDo(plan).map((r) => r.key)).toEqual(['reduced|m67_R2.fits', one(plan, 'stack', withInput('m67_R1_reduced.fits')).key]);
    expect(staleProducts(plan)).toEqual([
      { id: 'p:m67_R1_stack.fits', name: 'm67_R1_stack.fits', run: one(plan, 'stack', withInput('m67_R1_reduced.fits')).key },
    ]);
  });

  it('a missing master: it, the runs using it, and theirs', () => {
    const { products, frames } = withProducts({ frames: night() });
    const plan0 = buildPlan({ frames: night() });
    const fRKey = one(plan0, 'flat', withInput('fR1.fits')).key;
    const plan = buildPlan({ frames: frames.filter((f) => f !== products.get(fRKey)) });
    expect(runsToDo(plan).map((r) => r.output.name)).toEqual([
      'fR1_flat.fits', 'm67_R1_reduced.fits', 'm67_R2_reduced.fits', 'm67_R1_stack.fits',
    ]);
  });

  it('a changed flat parameter: that flat, the frames of its filter and their stack, not the other filter', () => {
    const { plan: before, frames } = withProducts({ frames: night() });
    const params: ParamLayer[] = [{ source: 'user', scope: "filter == 'R'", values: { makeMasterFlat: { normalizeFlat: { method: 'mode' } } } }];
    const plan = buildPlan({ frames, params });
    const changed = plan.runs.filter((r, i) => r.signature !== before.runs[i].signature).map((r) => r.output.name);
    expect(changed).toEqual(['fR1_flat.fits', 'm67_R1_reduced.fits', 'm67_R2_reduced.fits', 'm67_R1_stack.fits']);
    expect(one(plan, 'flat', withInput('fR1.fits')).params.normalizeFlat.method).toEqual({ value: 'mode', source: 'user' });
    expect(one(plan, 'flat', withInput('fV1.fits')).params.normalizeFlat.method).toEqual({ value: 'median', source: 'default' });
    expect(runsToDo(plan).map((r) => r.output.name)).toEqual(changed);
    expect(staleProducts(plan)).toEqual(runsToDo(plan).map((r) => ({ id: `p:${r.output.name}`, name: r.output.name, run: r.key })));
    for (const r of plan.runs) expect(r.existing?.upToDate, r.key).toBe(!changed.includes(r.output.name));
  });

  it('a changed parameter of every flat: both flats and everything after them, not the bias and dark', () => {
    const { plan: before, frames } = withProducts({ frames: night() });
    const plan = buildPlan({ frames, params: [{ source: 'user', values: { makeMasterFlat: { checkFlatLevel: { high: 0.9 } } } }] });
    const changed = plan.runs.filter((r, i) => r.signature !== before.runs[i].signature).map((r) => r.kind);
    expect(changed).toEqual(['flat', 'flat', 'reduced', 'reduced', 'reduced', 'reduced', 'stack', 'stack']);
  });

  it('a changed bias parameter: everything', () => {
    const { plan: before, frames } = withProducts({ frames: night() });
    const plan = buildPlan({ frames, params: [{ source: 'user', values: { makeMasterBias: { stackFrames: { operation: 'median' } } } }] });
    expect(plan.runs.every((r, i) => r.signature !== before.runs[i].signature)).toBe(true);
    expect(staleProducts(plan)).toHaveLength(plan.runs.length);
  });

  it('a changed stack parameter: the stacks only', () => {
    const { plan: before, frames } = withProducts({ frames: night() });
    const plan = buildPlan({ frames, params: [{ source: 'preset', name: 'x', values: { stackScience: { resample: { kernel: 'bilinear' } } } }] });
    expect(plan.runs.filter((r, i) => r.signature !== before.runs[i].signature).map((r) => r.kind)).toEqual(['stack', 'stack']);
  });

  it('the same values from another source (preset instead of default) leave signatures alone', () => {
    const { plan: before, frames } = withProducts({ frames: night() });
    const plan = buildPlan({ frames, params: [{ source: 'user', values: { reduceScience: { flagCosmicRays: { sigclip: 4.5 } } } }] });
    expect(plan.runs.map((r) => r.signature)).toEqual(before.runs.map((r) => r.signature));
    expect(runsToDo(plan)).toEqual([]);
  });

  it('a changed pin changes the reduce run\'s signature (and its stack\'s), nothing else', () => {
    const lib = [...night(), importedMaster('mbias.fits', 'bias', t('12:00'))];
    const { plan: before, frames } = withProducts({ frames: lib });
    const plan = buildPlan({ frames, pins: [{ id: 'p', step: 'bias', frameId: 'm67_R1.fits', calibrationId: 'mbias.fits' }] });
    const changed = plan.runs.filter((r, i) => r.signature !== before.runs[i].signature).map((r) => r.output.name);
    expect(changed).toEqual(['m67_R1_reduced.fits', 'm67_R1_stack.fits']);
    expect(staleProducts(plan).map((p) => p.name)).toEqual(changed);
    // Pinning what the rules choose anyway changes nothing.
    const same = buildPlan({ frames, pins: [{ id: 'p', step: 'bias', frameId: 'm67_R1.fits', calibrationId: `run:${one(before, 'bias').key}` }] });
    expect(same.runs.map((r) => r.signature)).toEqual(before.runs.map((r) => r.signature));
  });

  it('a skip changes the signature of that frame\'s run', () => {
    const { plan: before, frames } = withProducts({ frames: night() });
    const plan = buildPlan({ frames, pins: [{ id: 's', step: 'flat', frameId: 'm67_V2.fits', skip: true }] });
    expect(plan.runs.filter((r, i) => r.signature !== before.runs[i].signature).map((r) => r.output.name))
      .toEqual(['m67_V2_reduced.fits', 'm67_V1_stack.fits']);
  });

  it('a stale product stays listed as existing; the newest product of a slot is the one compared', () => {
    const { products, frames } = withProducts({ frames: night() });
    const key = 'reduced|m67_R1.fits';
    const older = products.get(key)!;
    const newer = { ...older, id: 'p:newer', product: { ...older.product!, createdAt: 50, signature: 'stale' } };
    const plan = buildPlan({ frames: [...frames, newer] });
    expect(plan.runs.find((r) => r.key === key)!.existing).toMatchObject({ id: 'p:newer', upToDate: false });
    expect(staleProducts(plan).map((p) => p.id)).toEqual(['p:newer', 'p:m67_R1_stack.fits']);
  });

  it('an existing master of another night is a product candidate', () => {
    // Night A: biases made into a master; their raw frames have since left the library.
    const rawA = [bias('a1.fits', t('20:00', '2026-03-01')), bias('a2.fits', t('20:01', '2026-03-01'))];
    const masterA = productFrame(buildPlan({ frames: rawA }).runs[0], rawA, { createdAt: 10 });
    const plan = buildPlan({ frames: [masterA, ...night()] });
    expect(runsOf(plan, 'bias')).toHaveLength(1);
    const d = decisionOf(plan, 'm67_R1.fits', 'bias')!;
    expect(d.chosen).toBe(`run:${one(plan, 'bias').key}`);
    expect(d.candidates.find((c) => c.id === masterA.id)).toMatchObject({
      name: 'a1_bias.fits', source: 'product', verdict: 'outranked', reason: expect.stringMatching(/^farther in time \(9\.\d days\)/),
    });
    // Without tonight's biases, it is the one.
    const alone = buildPlan({ frames: [masterA, ...night().filter((f) => !/^b\d/.test(f.name))] });
    expect(runsOf(alone, 'bias')).toEqual([]);
    expect(decisionOf(alone, 'm67_R1.fits', 'bias')).toMatchObject({ outcome: 'chosen', chosen: masterA.id });
    const r = reduceOf(alone, 'm67_R1.fits');
    expect(r.inputs[0].calibrations.bias).toEqual({ id: masterA.id, name: 'a1_bias.fits', source: 'product', run: undefined });
    expect(r.dependsOn.some((k) => k.startsWith('bias|'))).toBe(false);
    expect(one(alone, 'dark').inputs[0].calibrations.bias?.id).toBe(masterA.id);
  });

  it('an imported master is a candidate of its step and is not combined again', () => {
    const frames = [...night().filter((f) => !/^b\d/.test(f.name)), importedMaster('mbias.fits', 'bias', t('12:00'))];
    const plan = buildPlan({ frames });
    expect(runsOf(plan, 'bias')).toEqual([]);
    expect(plan.runs.some((r) => inputNames(r).includes('mbias.fits'))).toBe(false);
    expect(plan.leftOut).toEqual([]);
    expect(decisionOf(plan, 'm67_R1.fits', 'bias')).toMatchObject({
      outcome: 'chosen', chosen: 'mbias.fits', candidates: [expect.objectContaining({ id: 'mbias.fits', source: 'imported', verdict: 'chosen' })],
    });
    expect(reduceOf(plan, 'm67_R1.fits').inputs[0].calibrations.bias).toEqual({ id: 'mbias.fits', name: 'mbias.fits', source: 'imported', run: undefined });
    // Flats and darks use it too.
    expect(one(plan, 'flat', withInput('fR1.fits')).inputs[0].calibrations.bias?.id).toBe('mbias.fits');
  });

  it('an imported master flat of the wrong filter: none for that filter', () => {
    const frames = [science('s.fits', t('23:00'), 'M67', 'B'), importedMaster('mflatR.fits', 'flat', t('12:00'), { filter: 'R' })];
    const d = decisionOf(buildPlan({ frames }), 's.fits', 'flat')!;
    expect(d).toMatchObject({ outcome: 'none', summary: 'no usable flat: the only candidate does not match (filter R != B)' });
  });

  it('a product marked invalid is never chosen', () => {
    const rawA = [bias('a1.fits', t('20:00', '2026-03-09')), bias('a2.fits', t('20:01', '2026-03-09'))];
    const masterA = productFrame(buildPlan({ frames: rawA }).runs[0], rawA, { valid: false });
    const frames = [masterA, science('s.fits', t('23:00'), 'M67', 'R')];
    const d = decisionOf(buildPlan({ frames }), 's.fits', 'bias')!;
    expect(d.outcome).toBe('none');
    expect(d.candidates).toEqual([expect.objectContaining({ id: masterA.id, verdict: 'failed', reason: 'marked invalid' })]);
  });

  it('an imported master marked invalid is never chosen', () => {
    const m = { ...importedMaster('mbias.fits', 'bias', t('12:00')), calibration: { valid: false } };
    const d = decisionOf(buildPlan({ frames: [m, science('s.fits', t('23:00'), 'M67', 'R')] }), 's.fits', 'bias')!;
    expect(d).toMatchObject({ outcome: 'none', summary: 'no usable bias: the only candidate does not match (marked invalid)' });
  });

  it('an edited validity window is respected: narrowed, and widened beyond the rules\' window', () => {
    const rawA = [bias('a1.fits', t('20:00', '2026-03-01')), bias('a2.fits', t('20:01', '2026-03-01'))];
    const runA = buildPlan({ frames: rawA }).runs[0];
    const sci = science('s.fits', t('23:00'), 'M67', 'R');
    // Narrowed: valid for night A only.
    const narrow = productFrame(runA, rawA, { validity: { start: ms(t('12:00', '2026-03-01')), end: ms(t('12:00', '2026-03-02')) } });
    const dn = decisionOf(buildPlan({ frames: [narrow, sci] }), 's.fits', 'bias')!;
    expect(dn.outcome).toBe('none');
    expect(dn.candidates[0]).toMatchObject({ verdict: 'failed', failedRule: 'window', reason: 'valid until 2026-03-02, but the frame was taken 2026-03-10' });
    // A frame 200 days later: outside +-90 days unless the window says otherwise.
    const late = science('late.fits', t('23:00', '2026-09-17'), 'M67', 'R');
    const plain = productFrame(runA, rawA);
    expect(decisionOf(buildPlan({ frames: [plain, late] }), 'late.fits', 'bias')?.outcome).toBe('none');
    const wide = productFrame(runA, rawA, { validity: { start: ms(t('12:00', '2026-03-01')), end: ms(t('12:00', '2027-03-01')) } });
    expect(decisionOf(buildPlan({ frames: [wide, late] }), 'late.fits', 'bias')).toMatchObject({ outcome: 'chosen', chosen: wide.id });
  });

  it('an imported master\'s edited validity window is respected', () => {
    const m = importedMaster('mbias.fits', 'bias', t('12:00', '2026-01-01'));
    const sci = science('s.fits', t('23:00'), 'M67', 'R');
    expect(decisionOf(buildPlan({ frames: [m, sci] }), 's.fits', 'bias')?.outcome).toBe('chosen');
    const narrowed = { ...m, calibration: { validity: { start: ms(t('00:00', '2026-01-01')), end: ms(t('00:00', '2026-02-01')) } } };
    expect(decisionOf(buildPlan({ frames: [narrowed, sci] }), 's.fits', 'bias')).toMatchObject({
      outcome: 'none', summary: expect.stringMatching(/valid until 2026-02-01, but the frame was taken 2026-03-10/),
    });
  });

  // The user marks tonight's master bias invalid after it was made (its raw frames are still in the library).
  it('a master of this plan\'s own slot, marked invalid, is not used', () => {
    const { products, frames } = withProducts({ frames: night() });
    const bKey = one(buildPlan({ frames: night() }), 'bias').key;
    const master = products.get(bKey)!;
    const invalid = { ...master, product: { ...master.product!, valid: false } };
    const plan = buildPlan({ frames: frames.map((f) => (f === master ? invalid : f)) });
    const d = decisionOf(plan, 'm67_R1.fits', 'bias')!;
    // Expected: the invalid master is not chosen (neither as its file nor as the planned run that stands for it) ...
    expect([master.id, `run:${bKey}`]).not.toContain(d.chosen);
    expect(d.candidates.some((c) => c.verdict === 'failed' && c.reason === 'marked invalid')).toBe(true);
    // ... so the reductions made with it are out of date.
    expect(runsToDo(plan).map((r) => r.key)).toContain('reduced|m67_R1.fits');
  });

  it('a master of this plan\'s own slot with an edited validity window: the window is respected', () => {
    const { products, frames } = withProducts({ frames: night() });
    const bKey = one(buildPlan({ frames: night() }), 'bias').key;
    const master = products.get(bKey)!;
    // Valid only until 22:00, before the science frames (23:00 on).
    const edited = { ...master, product: { ...master.product!, validity: { start: ms(t('12:00')), end: ms(t('22:00')) } } };
    const plan = buildPlan({ frames: frames.map((f) => (f === master ? edited : f)) });
    const d = decisionOf(plan, 'm67_R1.fits', 'bias')!;
    expect([master.id, `run:${bKey}`]).not.toContain(d.chosen);
    expect(d.candidates.some((c) => c.failedRule === 'window')).toBe(true);
    // The flats (21:00) are inside the window and still use it.
    expect(decisionOf(plan, 'fR1.fits', 'bias')?.outcome).toBe('chosen');
  });
});
