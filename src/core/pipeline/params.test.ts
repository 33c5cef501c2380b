import { describe, expect, it } from 'vitest';
import {
  ParamError, checkParam, formatStepValues, resolveParams, stepValues, validateParamFile,
  type ParamLayer, type ParamSpec, type RecipeSchema,
} from './params';
import { RECIPES, RECIPE_SCHEMAS, recipeSchema } from './recipes';

const spec = (over: Partial<ParamSpec> & Pick<ParamSpec, 'type'>): ParamSpec => ({ name: 'p', default: null, doc: 'test', ...over });

describe('checkParam', () => {
  it('number: finite, within min/max (inclusive)', () => {
    const s = spec({ type: 'number', min: 0, max: 1 });
    expect(checkParam(s, 0)).toBeNull();
    expect(checkParam(s, 1)).toBeNull();
    expect(checkParam(s, 0.5)).toBeNull();
    expect(checkParam(s, -0.001)).toBe('p must be >= 0, got -0.001');
    expect(checkParam(s, 1.5)).toBe('p must be <= 1, got 1.5');
    expect(checkParam(s, NaN)).toMatch(/^p must be a finite number/);
    expect(checkParam(s, Infinity)).toBe('p must be a finite number, got Infinity');
    expect(checkParam(s, '0.5')).toBe("p must be a finite number, got '0.5'");
    expect(checkParam(s, true)).toBe('p must be a finite number, got true');
    expect(checkParam(spec({ type: 'number' }), -1e30)).toBeNull();
  });

  it('integer: whole numbers only, with bounds', () => {
    const s = spec({ type: 'integer', min: 1, max: 10 });
    expect(checkParam(s, 4)).toBeNull();
    expect(checkParam(s, 4.5)).toBe('p must be a whole number, got 4.5');
    expect(checkParam(s, 0)).toBe('p must be >= 1, got 0');
    expect(checkParam(s, 11)).toBe('p must be <= 10, got 11');
    expect(checkParam(s, '4')).toMatch(/^p must be a finite number/);
  });

  it('boolean', () => {
    const s = spec({ type: 'boolean' });
    expect(checkParam(s, true)).toBeNull();
    expect(checkParam(s, false)).toBeNull();
    expect(checkParam(s, 1)).toBe('p must be true or false, got 1');
    expect(checkParam(s, 'true')).toBe("p must be true or false, got 'true'");
  });

  it('choice: one of the listed words, exactly', () => {
    const s = spec({ type: 'choice', choices: ['mean', 'median'] });
    expect(checkParam(s, 'median')).toBeNull();
    expect(checkParam(s, 'Median')).toBe("p must be one of mean, median, got 'Median'");
    expect(checkParam(s, 'mode')).toBe("p must be one of mean, median, got 'mode'");
    expect(checkParam(s, 1)).toBe('p must be one of mean, median, got 1');
  });

  it('string', () => {
    const s = spec({ type: 'string' });
    expect(checkParam(s, '[1:10,1:10]')).toBeNull();
    expect(checkParam(s, '')).toBeNull();
    expect(checkParam(s, 3)).toBe('p must be text, got 3');
    expect(checkParam(s, ['a'])).toBe('p must be text, got ["a"]');
  });

  it('a section string: FITS form [x1:x2,y1:y2], refused with the reason otherwise', () => {
    const s = spec({ type: 'string', format: 'section', nullable: true });
    expect(checkParam(s, '[1:10,1:10]')).toBeNull();
    expect(checkParam(s, '[2049:2080, *]')).toBeNull();
    expect(checkParam(s, null)).toBeNull();
    expect(checkParam(s, '1:10,1:10')).toBe("p: '1:10,1:10' is not a FITS section: it must look like [x1:x2,y1:y2]");
    expect(checkParam(s, '[1:10]')).toBe("p: section '[1:10]' must have exactly two axes (x,y), found 1");
    expect(checkParam(s, '')).toMatch(/^p: '' is not a FITS section/);
  });

  it('null only when nullable, whatever the type', () => {
    for (const type of ['number', 'integer', 'boolean', 'choice', 'string'] as const) {
      expect(checkParam(spec({ type, choices: ['a'] }), null)).toBe('p must be set (it has no automatic value)');
      expect(checkParam(spec({ type, choices: ['a'], nullable: true }), null)).toBeNull();
    }
  });

  it('undefined is not a value', () => {
    expect(checkParam(spec({ type: 'number', nullable: true }), undefined)).not.toBeNull();
    expect(checkParam(spec({ type: 'string', nullable: true }), undefined)).not.toBeNull();
  });

  it('accepts every default the primitives declare', () => {
    for (const recipe of RECIPE_SCHEMAS) {
      for (const step of recipe.steps) {
        for (const p of step.params) expect(checkParam(p, p.default), `${recipe.name}.${step.id}.${p.name}`).toBeNull();
        for (const [name, value] of Object.entries(step.defaults ?? {})) {
          const p = step.params.find((x) => x.name === name);
          expect(p, `${recipe.name}.${step.id} default for unknown ${name}`).toBeDefined();
          expect(checkParam(p!, value), `${recipe.name}.${step.id}.${name}`).toBeNull();
        }
      }
    }
  });
});

describe('validateParamFile', () => {
  it('accepts a correct file, and an empty one', () => {
    expect(validateParamFile({}, RECIPE_SCHEMAS)).toEqual([]);
    expect(validateParamFile({
      makeMasterBias: { stackFrames: { operation: 'median', reject: 'minmax', nlow: 2 } },
      reduceScience: { flatCorrect: { minValue: 0.1 }, flagCosmicRays: { readNoise: null } },
      makeMasterFlat: { subtractDark: {} },
    }, RECIPE_SCHEMAS)).toEqual([]);
  });

  it('refuses what is not an object of recipes', () => {
    expect(validateParamFile([], RECIPE_SCHEMAS, 'p.json')).toEqual(['p.json: expected an object of recipes, got []']);
    expect(validateParamFile(null, RECIPE_SCHEMAS)).toEqual(['parameters: expected an object of recipes, got null']);
    expect(validateParamFile('x', RECIPE_SCHEMAS)[0]).toMatch(/^parameters: expected an object of recipes/);
  });

  it('reports every problem at once, each with its place', () => {
    const problems = validateParamFile({
      makeMasterBais: { stackFrames: { operation: 'median' } },
      makeMasterBias: {
        stackFrame: { operation: 'median' },
        stackFrames: { operaton: 'median', reject: 'clip', maxIters: 0, lsigma: '3' },
        overscanCorrect: 'spline',
      },
      reduceScience: { flatCorrect: { minValue: -1 }, subtractDark: { scale: 'yes' }, flagCosmicRays: { niter: 2.5, sigclip: null } },
      stackScience: [],
    }, RECIPE_SCHEMAS, 'night.json');
    expect(problems).toEqual([
      expect.stringMatching(/^night\.json: unknown recipe 'makeMasterBais' \(known: makeMasterBias, makeMasterDark, makeMasterFlat, reduceScience, stackScience\)$/),
      expect.stringMatching(/^night\.json: recipe makeMasterBias has no step 'stackFrame' \(steps: addDQ, overscanCorrect, trimData, addVariance, measureReadNoise, stackFrames\)$/),
      expect.stringMatching(/^night\.json: makeMasterBias\.stackFrames has no parameter 'operaton' \(parameters: operation, reject, /),
      "night.json: makeMasterBias.stackFrames.reject must be one of none, minmax, sigclip, madclip, winsorized, varclip, got 'clip'",
      'night.json: makeMasterBias.stackFrames.maxIters must be >= 1, got 0',
      "night.json: makeMasterBias.stackFrames.lsigma must be a finite number, got '3'",
      'night.json: makeMasterBias.overscanCorrect must be an object of parameters',
      'night.json: reduceScience.flatCorrect.minValue must be >= 0, got -1',
      "night.json: reduceScience.subtractDark.scale must be true or false, got 'yes'",
      'night.json: reduceScience.flagCosmicRays.niter must be a whole number, got 2.5',
      'night.json: reduceScience.flagCosmicRays.sigclip must be set (it has no automatic value)',
      'night.json: stackScience must be an object of steps',
    ]);
  });

  it('names a step without parameters as such', () => {
    expect(validateParamFile({ reduceScience: { subtractBias: { level: 1 } } }, RECIPE_SCHEMAS)).toEqual([
      "parameters: reduceScience.subtractBias has no parameter 'level' (parameters: none)",
    ]);
  });
});

/** A small recipe: a step with schema defaults and one the recipe overrides. */
const schema: RecipeSchema = {
  name: 'makeThing',
  steps: [
    {
      id: 'combine',
      params: [
        spec({ name: 'operation', type: 'choice', default: 'mean', choices: ['mean', 'median', 'sum'] }),
        spec({ name: 'lsigma', type: 'number', default: 3, min: 0 }),
        spec({ name: 'hsigma', type: 'number', default: 3, min: 0 }),
        spec({ name: 'niter', type: 'integer', default: 5, min: 1 }),
      ],
      defaults: { operation: 'median', lsigma: 4 },
    },
    { id: 'gain', params: [spec({ name: 'value', type: 'number', default: null, nullable: true, min: 0 })] },
  ],
};

const layer = (source: 'preset' | 'user', values: ParamLayer['values'], scope?: string): ParamLayer => ({ source, values, scope });

describe('resolveParams', () => {
  it('schema defaults, then the recipe\'s defaults, each with its source', () => {
    expect(resolveParams(schema)).toEqual({
      combine: {
        operation: { value: 'median', source: 'recipe' },
        lsigma: { value: 4, source: 'recipe' },
        hsigma: { value: 3, source: 'default' },
        niter: { value: 5, source: 'default' },
      },
      gain: { value: { value: null, source: 'default' } },
    });
  });

  it('default < recipe default < preset < user', () => {
    const r = resolveParams(schema, [
      layer('preset', { makeThing: { combine: { operation: 'sum', lsigma: 2, hsigma: 2.5 } } }),
      layer('user', { makeThing: { combine: { lsigma: 1 }, gain: { value: 1.5 } } }),
    ]);
    expect(r.combine).toEqual({
      operation: { value: 'sum', source: 'preset' },
      lsigma: { value: 1, source: 'user' },
      hsigma: { value: 2.5, source: 'preset' },
      niter: { value: 5, source: 'default' },
    });
    expect(r.gain.value).toEqual({ value: 1.5, source: 'user' });
  });

  it('a user may set a value back to null (automatic) when the parameter allows it', () => {
    const r = resolveParams(schema, [
      layer('preset', { makeThing: { gain: { value: 2 } } }),
      layer('user', { makeThing: { gain: { value: null } } }),
    ]);
    expect(r.gain.value).toEqual({ value: null, source: 'user' });
  });

  it('ignores layers for other recipes', () => {
    const r = resolveParams(schema, [layer('user', { makeOther: { combine: { lsigma: 0 } } })]);
    expect(r.combine.lsigma).toEqual({ value: 4, source: 'recipe' });
  });

  it('applies a scoped layer only when its scope accepts', () => {
    const layers = [
      layer('user', { makeThing: { combine: { niter: 2 } } }, "filter == 'R'"),
      layer('user', { makeThing: { combine: { hsigma: 5 } } }, "filter == 'V'"),
      layer('user', { makeThing: { combine: { lsigma: 6 } } }),
    ];
    const asked: string[] = [];
    const r = resolveParams(schema, layers, (scope) => {
      asked.push(scope);
      return scope === "filter == 'R'";
    });
    expect(asked).toEqual(["filter == 'R'", "filter == 'V'"]);
    expect(r.combine.niter).toEqual({ value: 2, source: 'user' });
    expect(r.combine.hsigma).toEqual({ value: 3, source: 'default' });
    expect(r.combine.lsigma).toEqual({ value: 6, source: 'user' });
  });

  it('the last layer that applies wins', () => {
    const layers = [
      layer('user', { makeThing: { combine: { niter: 2 } } }),
      layer('user', { makeThing: { combine: { niter: 3 } } }, 'scoped'),
      layer('user', { makeThing: { combine: { niter: 4 } } }, 'not applied'),
    ];
    expect(resolveParams(schema, layers, (s) => s === 'scoped').combine.niter.value).toBe(3);
  });

  it('throws ParamError for an invalid value, naming recipe.step.param', () => {
    const bad = [layer('user', { makeThing: { combine: { lsigma: -1 } } })];
    expect(() => resolveParams(schema, bad)).toThrow(ParamError);
    expect(() => resolveParams(schema, bad)).toThrow('makeThing.combine.lsigma must be >= 0, got -1');
    expect(() => resolveParams(schema, [layer('preset', { makeThing: { combine: { operation: 'mode' } } })]))
      .toThrow("makeThing.combine.operation must be one of mean, median, sum, got 'mode'");
    expect(() => resolveParams(schema, [layer('user', { makeThing: { combine: { niter: null } } })]))
      .toThrow('makeThing.combine.niter must be set');
  });

  it('throws ParamError for an unknown step or parameter', () => {
    expect(() => resolveParams(schema, [layer('user', { makeThing: { stack: { niter: 2 } } })])).toThrow(ParamError);
    expect(() => resolveParams(schema, [layer('user', { makeThing: { stack: { niter: 2 } } })])).toThrow("makeThing has no step 'stack'");
    expect(() => resolveParams(schema, [layer('user', { makeThing: { combine: { nitre: 2 } } })]))
      .toThrow("makeThing.combine has no parameter 'nitre'");
  });

  it('does not check an invalid layer whose scope does not apply', () => {
    const r = resolveParams(schema, [layer('user', { makeThing: { combine: { lsigma: -1 } } }, 'no')], () => false);
    expect(r.combine.lsigma.value).toBe(4);
  });

  it('resolves the real recipes: their own defaults show as recipe values', () => {
    const r = resolveParams(recipeSchema(RECIPES.makeMasterBias));
    expect(r.stackFrames.operation).toEqual({ value: 'mean', source: 'recipe' });
    expect(r.stackFrames.reject).toEqual({ value: 'sigclip', source: 'recipe' });
    expect(r.stackFrames.lsigma).toEqual({ value: 3, source: 'default' });
    expect(r.addVariance.poisson).toEqual({ value: false, source: 'recipe' });
    expect(Object.keys(r)).toEqual(RECIPES.makeMasterBias.steps.map((s) => s.id));
  });
});

describe('stepValues and formatStepValues', () => {
  it('give the plain values of one step, and name=value text with auto for null', () => {
    const r = resolveParams(schema, [layer('user', { makeThing: { combine: { niter: 2 } } })]);
    expect(stepValues(r, 'combine')).toEqual({ operation: 'median', lsigma: 4, hsigma: 3, niter: 2 });
    expect(stepValues(r, 'missing')).toEqual({});
    expect(formatStepValues(stepValues(r, 'combine'))).toBe('operation=median lsigma=4 hsigma=3 niter=2');
    expect(formatStepValues(stepValues(r, 'gain'))).toBe('value=auto');
  });
});
