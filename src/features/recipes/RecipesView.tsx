/**
 * Recipes: every recipe with its primitives and their parameters (default,
 * current value and where it comes from, what is allowed, the one-line doc),
 * edited for all frames or for a group (one filter, one target, or an
 * expression); named presets; parameter files in and out; and the products
 * a change made stale, with a button that re-runs only them.
 *
 * Values are ParamRecords in IndexedDB (db/pipelineState.ts): the plan
 * (usePlan) re-reads them on every change, so staleness here, in the runs
 * view and in the library all come from the same plan.
 */
import { useMemo } from 'react';
import { usePlan } from '../../ui/usePlan';
import { ImportExport, exportValues } from './ImportExport';
import { Presets } from './Presets';
import { RecipeEditor } from './RecipeEditor';
import { RecipeNav } from './RecipeNav';
import { ScopePicker } from './ScopePicker';
import { StaleBar } from './StaleBar';
import { libraryScopes, reach } from './scopes';
import { useParamRecordsSync, useRecipes, userRecord } from './store';
import './recipes.css';

export function RecipesView() {
  useParamRecordsSync();
  const { records, error, recipe, scope, setRecipe, setScope } = useRecipes();
  const live = usePlan();
  const options = useMemo(() => libraryScopes(live.input?.frames ?? []), [live.input]);
  const groupReach = useMemo(
    () => (scope && live.plan && live.input ? reach(scope, live.plan, live.input.frames) : undefined),
    [scope, live.plan, live.input],
  );
  const staleByRecipe = useMemo(() => {
    const recipeOf = new Map((live.plan?.runs ?? []).map((r) => [r.key, r.recipe]));
    const out: Record<string, number> = {};
    for (const key of live.stale.values()) {
      const r = recipeOf.get(key);
      if (r) out[r] = (out[r] ?? 0) + 1;
    }
    return out;
  }, [live.plan, live.stale]);

  // One object per records/scope: the editor's resolution is memoized on it.
  const editing = useMemo(() => userRecord(records ?? [], scope), [records, scope]);
  if (!records) return <p className="empty">{error ?? 'Reading the parameters…'}</p>;

  return (
    <div className="recipes-view">
      <div className="rv-top">
        <ScopePicker scope={scope} options={options} records={records} onChange={setScope} />
        <p className="rv-scope-note small muted">
          {scope
            ? 'A group\'s values apply to the runs whose every input frame it matches, over the values for all frames.'
            : 'Values for all frames apply to every run; a group (a filter, a target) can have its own.'}
        </p>
        <ImportExport records={records} />
        {error && <p className="pf-error rv-wide" role="alert">{error}</p>}
        {live.error && <p className="pf-error rv-wide" role="alert">The plan cannot be built: {live.error}</p>}
      </div>
      <StaleBar live={live} />
      <div className="rv-body">
        <aside className="rv-side">
          <RecipeNav current={recipe} editing={editing} stale={staleByRecipe} reach={groupReach} onSelect={setRecipe} />
          <Presets records={records} editing={editing} onShowScope={setScope} />
        </aside>
        <div className="rv-main">
          <RecipeEditor
            recipe={recipe}
            records={records}
            editing={editing}
            stale={staleByRecipe[recipe] ?? 0}
            reach={groupReach?.[recipe]}
            onExport={() => exportValues(records, recipe)}
          />
        </div>
      </div>
    </div>
  );
}
