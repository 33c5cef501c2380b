import { describe, expect, it } from 'vitest';
import { makeExport, paramLayersOf, readParamFile } from './paramFile';
import { buildPlan } from './plan';
import { stepValues } from './params';
import { bias, flat, science } from './testing/planFrames';

const t = (hhmm: string) => `2026-03-10T${hhmm}:00`;
const frames = [
  bias('b1.fits', t('20:00')), bias('b2.fits', t('20:01')),
  flat('fR1.fits', t('21:00'), 'R'), flat('fV1.fits', t('21:10'), 'V'),
  science('r1.fits', t('23:00'), 'M67', 'R'), science('v1.fits', t('23:10'), 'M67', 'V'),
];

describe('a parameter file read for the plan (the command line reads it so)', () => {
  it('gives its values for every frame, then each group\'s to the runs whose frames the group accepts', () => {
    const file = makeExport('night', { reduceScience: { flagCosmicRays: { sigclip: 6 } } }, [
      { scope: "filter == 'R'", recipes: { reduceScience: { flagCosmicRays: { sigclip: 8 } }, makeMasterFlat: { stackFrames: { reject: 'minmax' } } } },
    ]);
    const read = readParamFile(JSON.stringify(file), 'night.json');
    if (!read.ok) throw new Error(read.problems.join('; '));
    const plan = buildPlan({ frames, params: paramLayersOf(read, 'night.json') });
    const run = (name: string) => plan.runs.find((r) => r.output.name === name)!;
    expect(stepValues(run('r1_reduced.fits').params, 'flagCosmicRays').sigclip).toBe(8);
    expect(stepValues(run('v1_reduced.fits').params, 'flagCosmicRays').sigclip).toBe(6);
    expect(stepValues(run('fR1_flat.fits').params, 'stackFrames').reject).toBe('minmax');
    expect(stepValues(run('fV1_flat.fits').params, 'stackFrames').reject).not.toBe('minmax');
    // A filter group never reaches the bias (its frames have no filter R).
    expect(run('b1_bias.fits').params).toEqual(buildPlan({ frames }).runs.find((r) => r.output.name === 'b1_bias.fits')!.params);
  });

  it('is refused whole with every problem named', () => {
    const read = readParamFile(JSON.stringify({ recipes: {}, groups: [{ scope: 'filtr == 1', recipes: {} }, { scope: "filter == 'R'", recipes: { stackScience: { resample: { kernel: 'cubic' } } } }] }), 'bad.json');
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problems).toHaveLength(2);
    expect(read.problems[0]).toMatch(/^bad\.json: groups\[0\]: scope "filtr == 1": unknown field 'filtr'/);
    expect(read.problems[1]).toMatch(/^bad\.json: groups\[1\] \(filter == 'R'\): stackScience\.resample\.kernel/);
  });

  it('refuses keys it does not know, another format or version, so that a misspelt key loses nothing in silence', () => {
    const read = readParamFile(JSON.stringify({
      format: 'ccd-workbench-params', version: 1, recipes: { reduceScience: { flagCosmicRays: { sigclip: 6 } } }, comment: 'hi', grups: [],
      groups: [{ scope: "filter == 'R'", recipes: {}, note: 'x' }],
    }), 'typo.json');
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problems).toEqual([
      'typo.json: unknown keys "comment", "grups" (a parameter file has recipes, groups, format, version, exported, description)',
      'typo.json: groups[0]: unknown key "note" (a group has scope and recipes)',
    ]);
    const other = readParamFile(JSON.stringify({ format: 'astropy', version: 2, recipes: {} }), 'other.json');
    expect(other.ok === false && other.problems).toEqual([
      'other.json: format is "astropy", not "ccd-workbench-params"',
      'other.json: version 2 is not one this workbench reads (1)',
    ]);
    // What we export reads back.
    expect(readParamFile(JSON.stringify(makeExport('x', {}, [])), 'x.json').ok).toBe(true);
  });
});
