/**
 * Parameter files: what the view exports and imports, and what
 * `npm run reduce -- --params file.json` reads (cli/reduce.ts readParams
 * takes either a bare ParamFile or an object with a "recipes" ParamFile).
 *
 * We write { "recipes": ParamFile, ... }: "recipes" holds the values for
 * every frame, so the command line reduces with them as the page does.
 * Values for groups go under "groups" ([{ scope, recipes }]): the command
 * line does not read them (it has no groups), the page imports them back.
 *
 * An import is checked whole before anything is written: unknown recipes,
 * steps, parameters, bad values (validateParamFile, the command line's own
 * check) and bad group expressions are all listed, and a file with any
 * problem changes nothing.
 */
import { RECIPE_SCHEMAS } from '../../core/pipeline/recipes';
import { validateParamFile, type ParamFile } from '../../core/pipeline/params';
import { scopeError } from './scopes';

export interface GroupValues {
  scope: string;
  recipes: ParamFile;
}

export interface ExportedParams {
  format: 'ccd-workbench-params';
  version: 1;
  exported: string;
  /** What was exported: "values", a preset's name, or one recipe. */
  description: string;
  recipes: ParamFile;
  groups?: GroupValues[];
}

export function makeExport(description: string, recipes: ParamFile, groups: GroupValues[] = []): ExportedParams {
  const out: ExportedParams = { format: 'ccd-workbench-params', version: 1, exported: new Date().toISOString(), description, recipes };
  const kept = groups.filter((g) => Object.keys(g.recipes).length);
  if (kept.length) out.groups = kept;
  return out;
}

/** Only one recipe's part of a file (an empty object when it has none: importing it then clears that recipe). */
export function onlyRecipe(file: ParamFile, recipe: string): ParamFile {
  return { [recipe]: file[recipe] ?? {} };
}

export type Imported = { ok: true; recipes: ParamFile; groups: GroupValues[] } | { ok: false; problems: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks a parameter file's text; `label` (the file name) starts every problem, as on the command line. */
export function readParamFile(text: string, label: string): Imported {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`${label}: not JSON (${err instanceof Error ? err.message : String(err)})`] };
  }
  if (!isObject(json)) return { ok: false, problems: [`${label}: expected an object of recipes, got ${Array.isArray(json) ? 'a list' : JSON.stringify(json)}`] };
  // The same two shapes the command line accepts.
  const wrapped = 'recipes' in json;
  const recipes = wrapped ? json.recipes : json;
  const problems = validateParamFile(recipes, RECIPE_SCHEMAS, label);
  const groups: GroupValues[] = [];
  if (wrapped && json.groups !== undefined) {
    if (!Array.isArray(json.groups)) problems.push(`${label}: groups must be a list of { scope, recipes }`);
    else {
      json.groups.forEach((g: unknown, i) => {
        const where = `${label}: groups[${i}]`;
        if (!isObject(g) || typeof g.scope !== 'string') {
          problems.push(`${where} must be an object with a scope (a select expression) and recipes`);
          return;
        }
        const why = scopeError(g.scope);
        if (why) problems.push(`${where}: scope "${g.scope}": ${why}`);
        problems.push(...validateParamFile(g.recipes, RECIPE_SCHEMAS, `${where} (${g.scope})`));
        if (!why) groups.push({ scope: g.scope.trim(), recipes: g.recipes as ParamFile });
      });
    }
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, recipes: recipes as ParamFile, groups };
}

/** Safe file name from a preset or recipe name. */
export function fileNameOf(name: string): string {
  return `${name.trim().replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'parameters'}.json`;
}
