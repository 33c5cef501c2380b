/**
 * Parameter schemas and their resolution.
 *
 * Every primitive declares its parameters beside its code (DRAGONS keeps
 * `parameters_*.py` next to `primitives_*.py`): name, type, default, allowed
 * range or choices, and a one-line doc. A recipe may give a step its own
 * default (makeMasterBias stacks with a mean, reduceScience's cosmic-ray step
 * replaces what it finds), and values then resolve in this order:
 *
 *   schema default  ->  recipe default  ->  preset  ->  the user's value
 *
 * Each layer may be scoped to a group of frames with a select expression
 * ("filter == 'R' and object == 'M67'"); the last layer that applies wins.
 * The resolved set, with where each value came from, is recorded in every
 * product, so a changed value can mark exactly the products built with it.
 *
 * Everything here is JSON: the same shape is stored in IndexedDB, exported
 * by the recipes view and read by `npm run reduce -- --params file.json`.
 */
import { parseSection } from '../kernels/section';

export type ParamType = 'number' | 'integer' | 'boolean' | 'choice' | 'string';
export type ParamValue = number | boolean | string | null;

export interface ParamSpec {
  name: string;
  type: ParamType;
  /** null means "not set: decided at run time" (e.g. gain from the header); only when `nullable`. */
  default: ParamValue;
  /** Inclusive bounds for numbers. */
  min?: number;
  max?: number;
  /** Allowed values of a 'choice'. */
  choices?: readonly string[];
  /** null allowed (the step then decides, and says so in the log). */
  nullable?: boolean;
  /** What null means, in a few words ("from the header", "no limit"): from the doc's "empty = ...". */
  empty?: string;
  /** What a 'string' must look like: 'section' is a FITS section, [x1:x2,y1:y2] (checked without the frame's size). */
  format?: 'section';
  /** One line: what it does, in the words of the field. */
  doc: string;
}

export type StepValues = Record<string, ParamValue>;
/** Step id -> parameter -> value. */
export type RecipeValues = Record<string, StepValues>;
/** Recipe name -> step id -> parameter -> value: the file `--params` reads. */
export type ParamFile = Record<string, RecipeValues>;

/** A layer of values over the defaults, optionally limited to frames a select expression accepts. */
export interface ParamLayer {
  /** 'preset' or 'user' (shown as where a value came from). */
  source: 'preset' | 'user';
  /** Preset name, for the record. */
  name?: string;
  /** Select expression over descriptors ("filter == 'R'"); absent = every frame. */
  scope?: string;
  values: ParamFile;
}

/** Where a run's value came from; 'plan': set by the plan for this run alone (plan.ts darkByExposure). */
export type ValueSource = 'default' | 'recipe' | 'preset' | 'user' | 'plan';

export interface ResolvedParam {
  value: ParamValue;
  source: ValueSource;
  /** Source 'plan': why the plan set it, in words the run's details show. */
  why?: string;
}

/** Step id -> parameter -> resolved value. */
export type ResolvedParams = Record<string, Record<string, ResolvedParam>>;

/** Why `value` is not acceptable for `spec`, or null when it is. */
export function checkParam(spec: ParamSpec, value: unknown): string | null {
  const what = `${spec.name}`;
  if (value === null) return spec.nullable ? null : `${what} must be set (it has no automatic value)`;
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : `${what} must be true or false, got ${show(value)}`;
    case 'string':
      if (typeof value !== 'string') return `${what} must be text, got ${show(value)}`;
      if (spec.format === 'section') {
        try {
          // Any size: '*' and the bounds are checked against the frame when the step runs.
          parseSection(value, 2 ** 30, 2 ** 30);
        } catch (err) {
          return `${what}: ${(err as Error).message}`;
        }
      }
      return null;
    case 'choice':
      if (typeof value !== 'string' || !spec.choices?.includes(value)) {
        return `${what} must be one of ${(spec.choices ?? []).join(', ')}, got ${show(value)}`;
      }
      return null;
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${what} must be a finite number, got ${show(value)}`;
      if (spec.type === 'integer' && !Number.isInteger(value)) return `${what} must be a whole number, got ${value}`;
      if (spec.min !== undefined && value < spec.min) return `${what} must be >= ${spec.min}, got ${value}`;
      if (spec.max !== undefined && value > spec.max) return `${what} must be <= ${spec.max}, got ${value}`;
      return null;
    }
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v); // Infinity, NaN: JSON would say null
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Error in a parameter file or layer, naming where (recipe.step.param) and what is wrong. */
export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

/** The steps of a recipe as parameter resolution sees them. */
export interface StepSchema {
  id: string;
  params: readonly ParamSpec[];
  /** The recipe's own defaults for this step. */
  defaults?: StepValues;
}

export interface RecipeSchema {
  name: string;
  steps: readonly StepSchema[];
}

/**
 * Checks a whole parameter file against the recipes: unknown recipes, steps
 * or parameters and invalid values are errors (a typo must not silently do
 * nothing). Returns every problem found, not only the first.
 */
export function validateParamFile(file: unknown, recipes: readonly RecipeSchema[], label = 'parameters'): string[] {
  const problems: string[] = [];
  if (!isPlainObject(file)) return [`${label}: expected an object of recipes, got ${show(file)}`];
  for (const [recipeName, steps] of Object.entries(file)) {
    const recipe = recipes.find((r) => r.name === recipeName);
    if (!recipe) {
      problems.push(`${label}: unknown recipe '${recipeName}' (known: ${recipes.map((r) => r.name).join(', ')})`);
      continue;
    }
    if (!isPlainObject(steps)) {
      problems.push(`${label}: ${recipeName} must be an object of steps`);
      continue;
    }
    for (const [stepId, values] of Object.entries(steps)) {
      const step = recipe.steps.find((s) => s.id === stepId);
      if (!step) {
        problems.push(`${label}: recipe ${recipeName} has no step '${stepId}' (steps: ${recipe.steps.map((s) => s.id).join(', ')})`);
        continue;
      }
      if (!isPlainObject(values)) {
        problems.push(`${label}: ${recipeName}.${stepId} must be an object of parameters`);
        continue;
      }
      for (const [name, value] of Object.entries(values)) {
        const spec = step.params.find((p) => p.name === name);
        if (!spec) {
          const known = step.params.map((p) => p.name).join(', ') || 'none';
          problems.push(`${label}: ${recipeName}.${stepId} has no parameter '${name}' (parameters: ${known})`);
          continue;
        }
        const why = checkParam(spec, value);
        if (why) problems.push(`${label}: ${recipeName}.${stepId}.${why}`);
      }
    }
  }
  return problems;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Resolves every parameter of a recipe. `applies(scope)` says whether a
 * scoped layer covers the frames being resolved for (the plan passes the
 * frames' descriptors through a compiled select expression). Invalid values
 * in a layer throw ParamError: they must be refused before a run, never
 * reach one.
 */
export function resolveParams(
  recipe: RecipeSchema,
  layers: readonly ParamLayer[] = [],
  applies: (scope: string) => boolean = () => true,
): ResolvedParams {
  const out: ResolvedParams = {};
  for (const step of recipe.steps) {
    const values: Record<string, ResolvedParam> = {};
    for (const spec of step.params) {
      values[spec.name] = { value: spec.default, source: 'default' };
      const recipeDefault = step.defaults?.[spec.name];
      if (recipeDefault !== undefined) values[spec.name] = { value: recipeDefault, source: 'recipe' };
    }
    out[step.id] = values;
  }
  for (const layer of layers) {
    if (layer.scope && !applies(layer.scope)) continue;
    const steps = layer.values[recipe.name];
    if (!steps) continue;
    for (const [stepId, values] of Object.entries(steps)) {
      const step = recipe.steps.find((s) => s.id === stepId);
      if (!step) throw new ParamError(`${recipe.name} has no step '${stepId}'`);
      if (!isPlainObject(values)) throw new ParamError(`${recipe.name}.${stepId} must be an object of parameters`);
      for (const [name, value] of Object.entries(values)) {
        const spec = step.params.find((p) => p.name === name);
        if (!spec) throw new ParamError(`${recipe.name}.${stepId} has no parameter '${name}'`);
        const why = checkParam(spec, value);
        if (why) throw new ParamError(`${recipe.name}.${stepId}.${why}`);
        out[stepId][name] = { value, source: layer.source };
      }
    }
  }
  return out;
}

/** Plain values of one step (what a primitive receives). */
export function stepValues(resolved: ResolvedParams, stepId: string): StepValues {
  const out: StepValues = {};
  for (const [k, v] of Object.entries(resolved[stepId] ?? {})) out[k] = v.value;
  return out;
}

/** At most this many of the values an 'auto' parameter took are named; beyond, how many there were. */
const USED_SHOWN = 3;

/**
 * "name=value" pairs of one step, for HISTORY cards and logs (stable order:
 * the schema's). An empty or 'auto' value reads `auto`, or with `used` (what
 * it meant for the frames, each distinct value once) `gain=auto(1.6)`.
 */
export function formatStepValues(values: StepValues, used?: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(values)
    .map(([k, v]) => {
      if (v !== null && v !== 'auto') return `${k}=${String(v)}`;
      const u = used?.[k];
      if (!u?.length) return `${k}=auto`;
      return `${k}=auto(${u.length <= USED_SHOWN ? u.join(',') : `${u.slice(0, USED_SHOWN).join(',')},... ${u.length} values`})`;
    })
    .join(' ');
}
