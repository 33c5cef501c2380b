/**
 * Editing a ParamFile (recipe -> step -> parameter -> value) without
 * mutating it: the records in the store are what the plan last read, and a
 * changed copy is what we write back. Empty steps and recipes are pruned, so
 * a reset leaves no `{}` behind and "how many values are set" is a count of
 * leaves.
 */
import type { ParamFile, ParamSpec, ParamValue, RecipeValues } from '../../core/pipeline/params';
import { RECIPES, isRecipeName } from '../../core/pipeline/recipes';

export function valueIn(file: ParamFile | undefined, recipe: string, step: string, param: string): ParamValue | undefined {
  const v = file?.[recipe]?.[step]?.[param];
  return v === undefined ? undefined : v;
}

/** The file with one value set, or removed when `value` is undefined. */
export function withValue(file: ParamFile, recipe: string, step: string, param: string, value: ParamValue | undefined): ParamFile {
  const steps: RecipeValues = { ...(file[recipe] ?? {}) };
  const values = { ...(steps[step] ?? {}) };
  if (value === undefined) delete values[param];
  else values[param] = value;
  if (Object.keys(values).length) steps[step] = values;
  else delete steps[step];
  return withRecipe(file, recipe, steps);
}

export function withoutStep(file: ParamFile, recipe: string, step: string): ParamFile {
  const steps: RecipeValues = { ...(file[recipe] ?? {}) };
  delete steps[step];
  return withRecipe(file, recipe, steps);
}

/** The file with a recipe's values replaced (removed when `steps` is empty or undefined). */
export function withRecipe(file: ParamFile, recipe: string, steps: RecipeValues | undefined): ParamFile {
  const out: ParamFile = { ...file };
  if (steps && countValues({ [recipe]: steps }) > 0) out[recipe] = pruneRecipe(steps);
  else delete out[recipe];
  return out;
}

function pruneRecipe(steps: RecipeValues): RecipeValues {
  const out: RecipeValues = {};
  for (const [step, values] of Object.entries(steps)) if (Object.keys(values).length) out[step] = values;
  return out;
}

/** `over`'s values laid on `base`, parameter by parameter. */
export function mergeFiles(base: ParamFile, over: ParamFile): ParamFile {
  let out = base;
  for (const [recipe, steps] of Object.entries(over)) {
    for (const [step, values] of Object.entries(steps)) {
      for (const [param, value] of Object.entries(values)) out = withValue(out, recipe, step, param, value);
    }
  }
  return out;
}

/** Number of values set, in the whole file or in one recipe or step. */
export function countValues(file: ParamFile | undefined, recipe?: string, step?: string): number {
  let n = 0;
  for (const [r, steps] of Object.entries(file ?? {})) {
    if (recipe !== undefined && r !== recipe) continue;
    for (const [s, values] of Object.entries(steps ?? {})) {
      if (step !== undefined && s !== step) continue;
      n += Object.keys(values ?? {}).length;
    }
  }
  return n;
}

export function sameValue(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/**
 * How a value reads in the view and in messages. null (the step decides at
 * run time) reads as what it means for that parameter ("from the header",
 * "no limit"), else "auto", as in HISTORY cards.
 */
export function showValue(v: ParamValue | undefined, spec?: Pick<ParamSpec, 'empty'>): string {
  if (v === undefined) return '';
  if (v === null) return spec?.empty ?? 'auto';
  return String(v);
}

/** The spec of recipe.step.name, if the recipes have it. */
export function specAt(recipe: string, step: string, name: string): ParamSpec | undefined {
  if (!isRecipeName(recipe)) return undefined;
  return RECIPES[recipe].steps.find((s) => s.id === step)?.primitive.params.find((p) => p.name === name);
}
