/** The recipes, in the order a night is reduced, with how many values are set in each and how many of its products are stale. */
import { RECIPE_LIST, type RecipeName } from '../../core/pipeline/recipes';
import type { ParamRecord } from '../../db/types';
import type { Reach } from './scopes';
import { countValues } from './values';

interface Props {
  current: RecipeName;
  editing: ParamRecord;
  stale: Record<string, number>;
  reach?: Reach;
  onSelect(recipe: RecipeName): void;
}

export function RecipeNav({ current, editing, stale, reach, onSelect }: Props) {
  return (
    <nav className="recipe-nav" aria-label="Recipes">
      <h2>Recipes</h2>
      <ul>
        {RECIPE_LIST.map((r) => {
          const n = countValues(editing.values, r.name);
          const s = stale[r.name] ?? 0;
          const unreached = reach && editing.scope && reach[r.name].reached === 0;
          return (
            <li key={r.name}>
              <button
                className={`recipe-link${current === r.name ? ' current' : ''}${unreached ? ' unreached' : ''}`}
                aria-current={current === r.name ? 'page' : undefined}
                onClick={() => onSelect(r.name)}
                title={unreached ? `No ${r.name} run has only frames matching ${editing.scope}` : r.doc}
              >
                <span className="rl-name">{r.name}</span>
                <span className="rl-meta">
                  {n > 0 && <span className="rl-set">{n} set</span>}
                  {s > 0 && <span className="rl-stale">{s} stale</span>}
                  {unreached && <span className="muted small">no run</span>}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
