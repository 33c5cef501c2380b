/**
 * What each parameter resolves to for the values being edited, and where it
 * came from, the way DRAGONS' showpars lists "current setting": schema
 * default -> recipe default -> active presets -> the user's values (params.ts).
 *
 * "The values being edited" are one user record: the unscoped one (every
 * frame) or a group's (scope). For a group we resolve as the engine does for
 * a run whose frames all match that group and no other: the unscoped layers
 * and that group's layers apply, other groups do not.
 *
 * resolveParams() throws on the first invalid stored value (right for the
 * plan: it must never reach a run); the view instead shows every value it
 * can and names the bad ones at their fields, so it resolves on its own here
 * with the same order and the same checkParam.
 */
import { checkParam, type ParamLayer, type ParamSpec, type ParamValue, type RecipeSchema, type ValueSource } from '../../core/pipeline/params';
import { paramLayers } from '../../db/pipelineState';
import type { ParamRecord } from '../../db/types';

export interface Effective {
  value: ParamValue;
  source: ValueSource;
  /** Preset name, or the group's scope, for the source column. */
  from?: string;
}

export interface ParamState {
  spec: ParamSpec;
  /** Schema default, or the recipe's own default for this step. */
  base: { value: ParamValue; source: 'default' | 'recipe' };
  /** Without the record being edited: what a reset goes back to. */
  below: Effective;
  /** With it: what a run of this context gets. */
  effective: Effective;
  /** The edited record's own value, if it sets one. */
  own?: ParamValue;
  /** Why the edited record's stored value is refused (the plan refuses it too). */
  ownError?: string;
}

export type StepStates = Record<string, ParamState>;

/** Whether a record's values reach runs of this context (undefined scope = every frame). */
export function inContext(rec: ParamRecord, scope: string | undefined): boolean {
  return !rec.scope || rec.scope === scope;
}

function apply(out: Map<string, Effective>, layer: ParamLayer, recipe: RecipeSchema): void {
  const steps = layer.values[recipe.name];
  if (!steps) return;
  for (const step of recipe.steps) {
    const values = steps[step.id];
    if (!values) continue;
    for (const spec of step.params) {
      const v = values[spec.name];
      if (v === undefined || checkParam(spec, v)) continue;
      const from = layer.source === 'preset' ? layer.name : layer.scope;
      out.set(`${step.id}.${spec.name}`, { value: v, source: layer.source, from });
    }
  }
}

function resolve(recipe: RecipeSchema, layers: readonly ParamLayer[]): Map<string, Effective> {
  const out = new Map<string, Effective>();
  for (const step of recipe.steps) {
    for (const spec of step.params) {
      const rd = step.defaults?.[spec.name];
      out.set(`${step.id}.${spec.name}`, rd !== undefined ? { value: rd, source: 'recipe' } : { value: spec.default, source: 'default' });
    }
  }
  for (const layer of layers) apply(out, layer, recipe);
  return out;
}

/** Every parameter of a recipe, step by step, for the record `editing` (which may not exist yet) in its context. */
export function recipeStates(recipe: RecipeSchema, records: readonly ParamRecord[], editing: ParamRecord): Record<string, StepStates> {
  const context = records.filter((r) => inContext(r, editing.scope) && r.id !== editing.id);
  const below = resolve(recipe, paramLayers(context));
  const withIt = resolve(recipe, paramLayers([...context, editing]));
  const out: Record<string, StepStates> = {};
  for (const step of recipe.steps) {
    const states: StepStates = {};
    for (const spec of step.params) {
      const key = `${step.id}.${spec.name}`;
      const rd = step.defaults?.[spec.name];
      const own = editing.values[recipe.name]?.[step.id]?.[spec.name];
      states[spec.name] = {
        spec,
        base: rd !== undefined ? { value: rd, source: 'recipe' } : { value: spec.default, source: 'default' },
        below: below.get(key)!,
        effective: withIt.get(key)!,
        own,
        ownError: own === undefined ? undefined : checkParam(spec, own) ?? undefined,
      };
    }
    out[step.id] = states;
  }
  return out;
}
