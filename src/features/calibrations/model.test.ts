import { describe, expect, it } from 'vitest';
import { buildPlan, staleProducts, type PlanInput } from '../../core/pipeline/plan';
import type { PlanFrame } from '../../core/pipeline/facts';
import { bias, dark, flat, importedMaster, productsOf, science } from '../../core/pipeline/testing/planFrames';
import { absentHint, commonCandidates, frameRows, masterRows, MS_PER_DAY, pinId, predictRefusal, refusedFlats } from './model';

const NIGHT = '2026-03-14T01';
const raws: PlanFrame[] = [
  bias('b1.fits', `${NIGHT}:00:00`), bias('b2.fits', `${NIGHT}:01:00`),
  flat('fr1.fits', `${NIGHT}:05:00`, 'R'), flat('fr2.fits', `${NIGHT}:06:00`, 'R'),
  flat('fv1.fits', `${NIGHT}:07:00`, 'V'), flat('fv2.fits', `${NIGHT}:08:00`, 'V'),
  science('r1.fits', `${NIGHT}:20:00`, 'M67', 'R'), science('r2.fits', `${NIGHT}:21:00`, 'M67', 'R'),
  science('v1.fits', `${NIGHT}:22:00`, 'M67', 'V'), science('v2.fits', `${NIGHT}:23:00`, 'M67', 'V'),
];
const byId = (frames: readonly PlanFrame[]) => new Map(frames.map((f) => [f.id, f]));
const flatKey = (plan: ReturnType<typeof buildPlan>, filter: string) => plan.runs.find((r) => r.kind === 'flat' && r.label.includes(`flat ${filter},`))!.key;

describe('frame rows', () => {
  it('a night without biases whose frames have darks of their exposure: no bias is no problem there, only where no dark is', () => {
    const cmos: PlanFrame[] = [
      ...raws.filter((f) => !f.name.startsWith('b')),
      dark('d1.fits', `${NIGHT}:30:00`, 120), dark('d2.fits', `${NIGHT}:31:00`, 120),
    ];
    const plan = buildPlan({ frames: cmos });
    const rows = frameRows(plan, byId(cmos), []);
    const of = (n: string) => rows.find((r) => r.d.name === n)!;
    expect(of('r1.fits').problems).toEqual([]);
    expect(of('d1.fits').problems).toEqual([]);
    // The flats have no dark of their exposure (a problem: the library has darks), so they miss a bias too.
    expect(of('fr1.fits').problems).toEqual(['bias', 'dark']);
    // What the view says above each kind's table, the bias column being empty for science frames and darks.
    const science = rows.filter((r) => r.kind === 'science');
    expect(absentHint('science', ['bias'], science)).toBe("No bias in the library, and none needed: each frame's dark, taken at its exposure and not scaled, takes the camera's level out.");
    expect(absentHint('dark', ['bias'], rows.filter((r) => r.kind === 'dark'))).toMatch(/^No bias in the library, and none needed: the master dark keeps the camera's level/);
    // A step no frame has and that is missed: said as before.
    expect(absentHint('science', ['dark'], science)).toBe('No dark in the library: these frames are reduced without one.');
  });

  it('sorts frames by kind, keeps the own pins, and flags a missing flat but not a missing dark', () => {
    const noVFlat = raws.filter((f) => !f.name.startsWith('fv'));
    const input: PlanInput = { frames: noVFlat, pins: [{ id: pinId('r1.fits', 'bias'), step: 'bias', frameId: 'r1.fits', skip: true }] };
    const plan = buildPlan(input);
    const rows = frameRows(plan, byId(noVFlat), input.pins!);
    const of = (n: string) => rows.find((r) => r.d.name === n)!;
    expect(of('fr1.fits').kind).toBe('flat');
    expect(of('r1.fits').kind).toBe('science');
    expect(of('r1.fits').pins.bias?.skip).toBe(true);
    expect(of('r1.fits').problems).toEqual([]);
    // V frames: the only flat is R; no darks anywhere is not a problem.
    expect(of('v1.fits').problems).toEqual(['flat']);
    expect(of('v1.fits').d.decisions.flat!.summary).toContain('filter R != V');
  });
});

describe('common candidates', () => {
  it('offers what every selected frame has, counting where the rules refuse it', () => {
    const plan = buildPlan({ frames: raws });
    const rows = frameRows(plan, byId(raws), []).filter((r) => ['r1.fits', 'r2.fits', 'v1.fits'].includes(r.d.name));
    const { frames, candidates } = commonCandidates(rows, 'flat');
    expect(frames).toBe(3);
    const r = candidates.find((c) => c.name === 'fr1_flat.fits')!;
    expect(r.passes).toBe(2);
    expect(r.fails).toEqual([{ reason: 'filter R != V', count: 1 }]);
    expect(candidates[0].name).toBe('fr1_flat.fits'); // passes for more frames
    expect(commonCandidates(rows.filter((x) => x.kind === 'science'), 'bias').candidates).toHaveLength(1);
  });
});

describe('master rows', () => {
  it('lists masters still to make, then the products with their window and the frames using them', () => {
    const plan0 = buildPlan({ frames: raws });
    const planned = masterRows(plan0, { frames: raws }, new Map(), new Map());
    expect(planned.map((m) => [m.name, m.source])).toEqual([
      ['b1_bias.fits', 'planned'], ['fr1_flat.fits', 'planned'], ['fv1_flat.fits', 'planned'],
    ]);
    expect(planned[1].usedBy.map((u) => u.name)).toEqual(['r1.fits', 'r2.fits']);

    const products = [...productsOf(plan0, raws, {}, (r) => r.kind === 'bias' || r.kind === 'flat').values()];
    const rFlat = products.find((p) => p.name === 'fr1_flat.fits')!;
    rFlat.product = { ...rFlat.product!, validity: { start: 0, end: 1 } };
    const master = importedMaster('old_flat.fits', 'flat', '2026-03-10T01:00:00', { filter: 'V' });
    const frames = [...raws, ...products, master];
    const input: PlanInput = { frames };
    const plan = buildPlan(input);
    const rows = masterRows(plan, input, new Map(staleProducts(plan).map((p) => [p.id, p.run])), new Map());
    const of = (n: string) => rows.find((m) => m.name === n)!;
    expect(of('fr1_flat.fits').source).toBe('product');
    expect(of('fr1_flat.fits').window).toMatchObject({ start: 0, end: 1, how: 'set' });
    // Outside its window, no R frame uses it.
    expect(of('fr1_flat.fits').usedBy).toEqual([]);
    const v = of('fv1_flat.fits');
    expect(v.window!.how).toBe('default');
    expect(v.window!.end - v.window!.start).toBe(2 * 180 * MS_PER_DAY);
    expect(v.inputs.map((i) => i.name)).toEqual(['fv1.fits', 'fv2.fits']);
    // Planned slot candidates stand for the products: the V frames use ours (closest in time), not the imported one.
    expect(v.usedBy.map((u) => u.name)).toEqual(['v1.fits', 'v2.fits']);
    expect(of('old_flat.fits')).toMatchObject({ source: 'imported', valid: true, usedBy: [] });
    expect(of('old_flat.fits').window!.how).toBe('default');
    expect(of('b1_bias.fits').usedBy).toHaveLength(8);
  });
});

describe('refused flats', () => {
  const params = { low: 0.2, high: 0.8, maxSaturated: 0.5 };
  it('predicts what the level check will say from the statistics', () => {
    expect(predictRefusal({ median: 30000, saturatedFraction: 0, saturation: 65535 }, params)).toBeUndefined();
    expect(predictRefusal({ median: 65535, saturatedFraction: 0.99, saturation: 65535 }, params)).toMatch(/99% of pixels saturated/);
    expect(predictRefusal({ median: 3000, saturatedFraction: 0, saturation: 65535 }, params)).toMatch(/too faint/);
    expect(predictRefusal({ median: 60000, saturatedFraction: 0.1, saturation: 65535 }, params)).toMatch(/near saturation/);
    expect(predictRefusal({ median: 60000 }, params)).toBeUndefined();
  });

  it('judges a colour flat by its brightest and its most saturated colour, as checkFlatLevel does', () => {
    const colours = [
      { colour: 'R', median: 9000, saturatedFraction: 0 }, { colour: 'G', median: 30000, saturatedFraction: 0.01 },
      { colour: 'G', median: 30010, saturatedFraction: 0.02 }, { colour: 'B', median: 56000, saturatedFraction: 0.3 },
    ];
    // All pixels together: median 30000 of 65535 (0.46), 8% saturated: usable.
    expect(predictRefusal({ median: 30000, saturatedFraction: 0.08, saturation: 65535 }, params)).toBeUndefined();
    expect(predictRefusal({ median: 30000, saturatedFraction: 0.08, colours, saturation: 65535 }, params))
      .toBe("the B pixels' median 56000 ADU is 0.85 of saturation 65535: near saturation (allowed 0.2-0.8)");
    // A faint red under a bluish lamp is not a faint flat.
    expect(predictRefusal({ colours: colours.slice(0, 3), saturation: 65535 }, params)).toBeUndefined();
  });

  it('lists the run\'s refusals once the master exists, and the flats kept by the user', () => {
    const levels = new Map([['fr2.fits', { median: 65535, saturatedFraction: 0.9, saturation: 65535 }]]);
    const plan0 = buildPlan({ frames: raws });
    expect(refusedFlats(plan0, { frames: raws }, levels)).toEqual([
      expect.objectContaining({ id: 'fr2.fits', master: 'fr1_flat.fits', from: 'stats', overruled: false }),
    ]);

    const products = [...productsOf(plan0, raws, {}, (r) => r.key === flatKey(plan0, 'R')).values()];
    products[0].product!.leftOut = [{ id: 'fr2.fits', name: 'fr2.fits', reason: '90% of pixels saturated (more than 50% allowed)' }];
    const input: PlanInput = { frames: [...raws, ...products], overrules: [{ frameId: 'fv2.fits', step: 'checkFlatLevel' }] };
    const list = refusedFlats(buildPlan(input), input, levels);
    expect(list).toEqual([
      expect.objectContaining({ id: 'fr2.fits', from: 'run', reason: '90% of pixels saturated (more than 50% allowed)', overruled: false }),
      expect.objectContaining({ id: 'fv2.fits', from: 'kept', master: 'fv1_flat.fits', overruled: true }),
    ]);
  });
});
