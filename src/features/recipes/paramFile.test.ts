import { describe, expect, it } from 'vitest';
import { RECIPE_SCHEMAS, RECIPES } from '../../core/pipeline/recipes';
import { validateParamFile } from '../../core/pipeline/params';
import { parseField } from './fieldText';
import { makeExport, readParamFile } from './paramFile';
import { quote, scopeError } from './scopes';
import { countValues, mergeFiles, withValue, withoutStep } from './values';

const sigclip = RECIPES.reduceScience.steps.find((s) => s.id === 'flagCosmicRays')!.primitive.params.find((p) => p.name === 'sigclip')!;
const readNoise = RECIPES.reduceScience.steps.find((s) => s.id === 'flagCosmicRays')!.primitive.params.find((p) => p.name === 'readNoise')!;

describe('parameter fields', () => {
  it('refuse what checkParam refuses, with its words', () => {
    expect(parseField(sigclip, '5')).toEqual({ ok: true, value: 5 });
    expect(parseField(sigclip, ' 1e1 ')).toEqual({ ok: true, value: 10 });
    expect(parseField(sigclip, '-1')).toEqual({ ok: false, error: 'sigclip must be >= 0.1, got -1' });
    expect(parseField(sigclip, 'abc')).toEqual({ ok: false, error: "sigclip must be a finite number, got 'abc'" });
    expect(parseField(sigclip, '0x10')).toMatchObject({ ok: false });
    expect(parseField(sigclip, '')).toMatchObject({ ok: false, error: expect.stringContaining('must be set') });
    expect(parseField(readNoise, '')).toEqual({ ok: true, value: null });
  });
});

describe('parameter files', () => {
  it('export in the shape the command line reads, and import back', () => {
    const values = { reduceScience: { flagCosmicRays: { sigclip: 5 } } };
    const file = makeExport('test', values, [{ scope: "filter == 'R'", recipes: { stackScience: { resample: { kernel: 'bicubic' } } } }]);
    expect(validateParamFile(file.recipes, RECIPE_SCHEMAS)).toEqual([]);
    const back = readParamFile(JSON.stringify(file), 'f.json');
    expect(back).toEqual({ ok: true, recipes: values, groups: file.groups });
    // The bare shape too.
    expect(readParamFile(JSON.stringify(values), 'f.json')).toEqual({ ok: true, recipes: values, groups: [] });
  });

  it('list every problem of a bad file', () => {
    const r = readParamFile(JSON.stringify({ recipes: { reduceScience: { flagCosmicRays: { sigclip: -1 } }, nope: {} }, groups: [{ scope: 'filter = = R', recipes: {} }] }), 'bad.json');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(3);
    expect(r.problems[0]).toBe('bad.json: reduceScience.flagCosmicRays.sigclip must be >= 0.1, got -1');
    expect(readParamFile('{', 'x.json')).toMatchObject({ ok: false, problems: [expect.stringMatching(/^x\.json: not JSON/)] });
    expect(readParamFile('[]', 'x.json')).toMatchObject({ ok: false });
  });
});

describe('values', () => {
  it('are set, removed and pruned without touching the original', () => {
    const a = withValue({}, 'reduceScience', 'flagCosmicRays', 'sigclip', 5);
    const b = withValue(a, 'reduceScience', 'flagCosmicRays', 'niter', 2);
    expect(countValues(b)).toBe(2);
    expect(countValues(a)).toBe(1);
    expect(withValue(a, 'reduceScience', 'flagCosmicRays', 'sigclip', undefined)).toEqual({});
    expect(withoutStep(b, 'reduceScience', 'flagCosmicRays')).toEqual({});
    expect(mergeFiles(b, { reduceScience: { flagCosmicRays: { sigclip: 6 } } })).toEqual({ reduceScience: { flagCosmicRays: { sigclip: 6, niter: 2 } } });
  });

  it('groups quote their values for the select language', () => {
    expect(quote("it's")).toBe("'it''s'");
    expect(scopeError(`object == ${quote("Barnard's star")}`)).toBeUndefined();
    expect(scopeError('filter = = R')).toMatch(/column/);
  });
});
