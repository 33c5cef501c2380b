/**
 * One recipe as DRAGONS' showpars lists it: each primitive in order with its
 * doc, and each parameter with the field (the value runs get), where that
 * value comes from, the default, what is allowed and the one-line doc.
 * Values the record being edited sets are highlighted and can be reset one
 * by one, a step at a time, or the whole recipe.
 */
import { useMemo } from 'react';
import type { ParamSpec, ParamValue } from '../../core/pipeline/params';
import { RECIPES, recipeSchema, type RecipeName } from '../../core/pipeline/recipes';
import type { ParamRecord } from '../../db/types';
import { recipeStates, type Effective, type ParamState } from './effective';
import { allowedText } from './fieldText';
import { ParamField } from './ParamField';
import { fieldKey, saveRecord } from './store';
import { countValues, sameValue, showValue, withoutStep, withRecipe, withValue } from './values';

interface Props {
  recipe: RecipeName;
  records: readonly ParamRecord[];
  editing: ParamRecord;
  /** Stale products of this recipe's runs. */
  stale: number;
  /** For a group: runs of this recipe it reaches, of how many. */
  reach?: { reached: number; total: number };
  onExport(): void;
}

const KIND: Record<string, string> = { frame: 'each frame', group: 'the set of frames', stack: 'combines the frames' };

export function RecipeEditor({ recipe, records, editing, stale, reach, onExport }: Props) {
  const r = RECIPES[recipe];
  const schema = useMemo(() => recipeSchema(r), [r]);
  const states = useMemo(() => recipeStates(schema, records, editing), [schema, records, editing]);
  const setHere = countValues(editing.values, recipe);
  const save = (values: ParamRecord['values']) => saveRecord({ ...editing, values });

  const setValue = (step: string, st: ParamState, value: ParamValue | undefined) => {
    // Only differences are kept: a value equal to what lies below is no value of this record.
    const v = value !== undefined && sameValue(value, st.below.value) ? undefined : value;
    return save(withValue(editing.values, recipe, step, st.spec.name, v));
  };

  return (
    <section className="recipe" aria-labelledby="recipe-title">
      <div className="recipe-head">
        <div className="recipe-title">
          <h2 id="recipe-title"><code>{recipe}</code></h2>
          <p className="muted">{r.doc}</p>
          <p className="small muted">
            Makes {r.produces === 'reduced' ? 'a reduced frame' : r.produces === 'stack' ? 'a stack' : `a master ${r.produces}`} ·{' '}
            {setHere ? <strong className="set-count">{setHere} value{setHere === 1 ? '' : 's'} set {editing.scope ? 'for this group' : 'by you'}</strong> : 'all values inherited'}
            {stale > 0 && <> · <span className="stale-text">{stale} stale product{stale === 1 ? '' : 's'}</span></>}
          </p>
        </div>
        <div className="recipe-actions">
          <button onClick={() => void save(withRecipe(editing.values, recipe, undefined))} disabled={!setHere}>
            Reset recipe
          </button>
          <button onClick={onExport} title="This recipe's values as a parameter file (npm run reduce -- --params reads it)">Export recipe</button>
        </div>
      </div>
      {reach && editing.scope && (
        <p className={`reach${reach.reached ? '' : ' reach-none'}`}>
          {reach.reached
            ? `This group's values apply to ${reach.reached} of the ${reach.total} ${recipe} run${reach.total === 1 ? '' : 's'} of the plan (those whose every input frame matches).`
            : `No ${recipe} run of the plan has only frames matching ${editing.scope}: values set here apply to none now.`}
        </p>
      )}
      <table className="param-table" aria-label={`Parameters of ${recipe}`}>
        <colgroup>
          <col className="col-param" />
          <col className="col-value" />
          <col className="col-effective" />
          <col className="col-default" />
          <col className="col-allowed" />
          <col className="col-reset" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Value</th>
            <th scope="col" title="The value runs get, and where it comes from">Effective</th>
            <th scope="col">Default</th>
            <th scope="col">Allowed</th>
            <th scope="col"><span className="visually-hidden">Reset</span></th>
          </tr>
        </thead>
        {r.steps.map((step, i) => {
          const stepStates = states[step.id];
          const n = countValues(editing.values, recipe, step.id);
          const headId = `step-${recipe}-${step.id}`;
          return (
            <tbody key={step.id} className="step-group" aria-labelledby={headId}>
              <tr className="step-row">
                <th colSpan={6} scope="rowgroup">
                  <div className="step-head">
                    <span className="step-n">{i + 1}</span>
                    <code id={headId} className="step-name">{step.id}</code>
                    <span className="step-kind small muted">{KIND[step.primitive.kind]}</span>
                    <span className="step-doc">{step.primitive.doc}</span>
                    {step.primitive.params.length > 0 && (
                      <button
                        className="small-btn"
                        disabled={!n}
                        onClick={() => void save(withoutStep(editing.values, recipe, step.id))}
                        aria-label={`Reset step ${recipe}.${step.id}`}
                        title={n ? `Reset the ${n} value${n === 1 ? '' : 's'} set on ${step.id}` : 'Nothing set on this step'}
                      >
                        Reset step
                      </button>
                    )}
                  </div>
                </th>
              </tr>
              {step.primitive.params.length === 0 && (
                <tr className="no-params"><td colSpan={6} className="muted small">No parameters.</td></tr>
              )}
              {step.primitive.params.map((spec) => {
                const st = stepStates[spec.name];
                const name = `${recipe}.${step.id}.${spec.name}`;
                const docId = `doc-${name}`;
                const here = st.own !== undefined;
                const changed = !sameValue(st.effective.value, st.base.value);
                return (
                  <tr key={spec.name} className={`param-row${here ? ' set-here' : ''}${changed ? ' changed' : ''}`}>
                    <th scope="row" className="p-name">
                      <code>{spec.name}</code>
                      <div id={docId} className="p-doc">{spec.doc}</div>
                    </th>
                    <td className="p-value">
                      <ParamField name={name} draftKey={fieldKey(editing.scope, name)} state={st} describedBy={docId} onSet={(v) => setValue(step.id, st, v)} />
                    </td>
                    <td className="p-effective"><EffectiveCell e={st.effective} spec={spec} /></td>
                    <td className="p-default">
                      <span className="mono">{showValue(st.base.value, spec)}</span>
                      {st.base.source === 'recipe' && !sameValue(st.base.value, spec.default) && (
                        <div className="small muted" title={`The recipe's own default; the primitive's is ${showValue(spec.default, spec)}`}>
                          recipe (primitive: {showValue(spec.default, spec)})
                        </div>
                      )}
                    </td>
                    <td className="p-allowed small">{allowedText(spec)}</td>
                    <td className="p-reset">
                      <button
                        className="icon-btn reset-btn"
                        disabled={!here}
                        aria-label={`Reset ${name}`}
                        title={here ? `Back to ${showValue(st.below.value, spec)} (${sourceText(st.below)})` : 'Not set here'}
                        onClick={() => void setValue(step.id, st, undefined)}
                      >
                        ↺
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          );
        })}
      </table>
    </section>
  );
}

function sourceText(e: Effective): string {
  if (e.source === 'preset') return `preset ${e.from ?? ''}`.trim();
  if (e.source === 'user') return e.from ? `your value for ${e.from}` : 'your value';
  return e.source === 'recipe' ? "the recipe's default" : 'default';
}

function EffectiveCell({ e, spec }: { e: Effective; spec: ParamSpec }) {
  return (
    <>
      <span className={`mono${e.value === null ? ' muted' : ''}`}>{showValue(e.value, spec)}</span>{' '}
      <span className={`src src-${e.source}`} title={sourceText(e)}>
        {e.source === 'user' && e.from ? 'group' : e.source}
      </span>
      {e.from && <div className="small muted src-from" title={e.from}>{e.from}</div>}
    </>
  );
}
