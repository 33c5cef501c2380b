/**
 * Parameter files: what the recipes view exports and imports, and what
 * `npm run reduce -- --params file.json` reads: one reader for both, so a
 * file gives the command line the reduction it gives the page.
 *
 * We write { "recipes": ParamFile, ... }: "recipes" holds the values for
 * every frame; values for groups go under "groups" ([{ scope, recipes }]),
 * a scope being a select expression over descriptors (filter == 'R'). A bare
 * ParamFile (no "recipes" key) is read too.
 *
 * A file is checked whole before anything is used: unknown recipes, steps,
 * parameters, bad values (validateParamFile) and bad group expressions are
 * all listed, and a file with any problem is refused.
 */
import { compileSelect } from '../classify';
import { RECIPE_SCHEMAS } from './recipes';
import { validateParamFile, type ParamFile, type ParamLayer } from './params';

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

const FORMAT = 'ccd-workbench-params';
/** Every key of the wrapped form (ExportedParams). */
const FILE_KEYS = ['recipes', 'groups', 'format', 'version', 'exported', 'description'] as const;

export function makeExport(description: string, recipes: ParamFile, groups: GroupValues[] = []): ExportedParams {
  const out: ExportedParams = { format: FORMAT, version: 1, exported: new Date().toISOString(), description, recipes };
  const kept = groups.filter((g) => Object.keys(g.recipes).length);
  if (kept.length) out.groups = kept;
  return out;
}

/** Why an expression cannot be a group, or undefined when it compiles. */
export function scopeError(expr: string): string | undefined {
  if (!expr.trim()) return 'Type an expression, e.g. filter == \'R\' and exptime > 60';
  try {
    compileSelect(expr);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
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
  if (wrapped) {
    // A misspelt key ("grups") would otherwise drop what it holds without a word.
    const unknown = Object.keys(json).filter((k) => !(FILE_KEYS as readonly string[]).includes(k));
    if (unknown.length) problems.push(`${label}: unknown key${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ')} (a parameter file has ${FILE_KEYS.join(', ')})`);
    if (json.format !== undefined && json.format !== FORMAT) problems.push(`${label}: format is ${JSON.stringify(json.format)}, not "${FORMAT}"`);
    if (json.version !== undefined && json.version !== 1) problems.push(`${label}: version ${JSON.stringify(json.version)} is not one this workbench reads (1)`);
  }
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
        const extra = Object.keys(g).filter((k) => k !== 'scope' && k !== 'recipes');
        if (extra.length) problems.push(`${where}: unknown key${extra.length === 1 ? '' : 's'} ${extra.map((k) => `"${k}"`).join(', ')} (a group has scope and recipes)`);
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

/** The layers a checked file gives the plan: its values for every frame, then each group's, in file order. */
export function paramLayersOf(file: Extract<Imported, { ok: true }>, name: string): ParamLayer[] {
  return [
    { source: 'user', name, values: file.recipes },
    ...file.groups.map((g): ParamLayer => ({ source: 'user', name, scope: g.scope, values: g.recipes })),
  ];
}
