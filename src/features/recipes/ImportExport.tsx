/**
 * Parameter files in and out. Export writes what runs use beyond the
 * defaults (active presets with the user's values over them), for every
 * frame and per group, in the shape `npm run reduce -- --params` reads.
 * Import checks the whole file first: any problem is listed, and nothing
 * changes; a good file replaces the user's values of the recipes it names
 * (a recipe exported empty clears them) and leaves the other recipes alone.
 */
import { useRef, useState } from 'react';
import type { ParamFile } from '../../core/pipeline/params';
import { paramLayers } from '../../db/pipelineState';
import type { ParamRecord } from '../../db/types';
import { downloadText } from '../../ui/download';
import { fileNameOf, makeExport, onlyRecipe, readParamFile, type GroupValues } from './paramFile';
import { saveRecords, userRecord } from './store';
import { countValues, mergeFiles, withRecipe } from './values';

/** Active presets and the user's values merged per scope, in the order they apply. */
export function currentValues(records: readonly ParamRecord[]): { recipes: ParamFile; groups: GroupValues[] } {
  let recipes: ParamFile = {};
  const groups = new Map<string, ParamFile>();
  for (const layer of paramLayers(records)) {
    if (!layer.scope) recipes = mergeFiles(recipes, layer.values);
    else groups.set(layer.scope, mergeFiles(groups.get(layer.scope) ?? {}, layer.values));
  }
  return { recipes, groups: [...groups].map(([scope, values]) => ({ scope, recipes: values })) };
}

export function exportValues(records: readonly ParamRecord[], recipe?: string): void {
  const { recipes, groups } = currentValues(records);
  const file = recipe
    ? makeExport(`${recipe} parameters`, onlyRecipe(recipes, recipe), groups.map((g) => ({ scope: g.scope, recipes: g.recipes[recipe] ? onlyRecipe(g.recipes, recipe) : {} })))
    : makeExport('parameters', recipes, groups);
  downloadText(fileNameOf(recipe ?? 'parameters'), `${JSON.stringify(file, null, 2)}\n`, 'application/json');
}

type Outcome = { ok: true; text: string } | { ok: false; file: string; problems: string[] };

export function ImportExport({ records }: { records: readonly ParamRecord[] }) {
  const input = useRef<HTMLInputElement>(null);
  const [outcome, setOutcome] = useState<Outcome>();

  const importFile = async (file: File) => {
    const read = readParamFile(await file.text(), file.name);
    if (!read.ok) {
      setOutcome({ ok: false, file: file.name, problems: read.problems });
      return;
    }
    const recs: ParamRecord[] = [];
    const empty: string[] = [];
    const place = (scope: string | undefined, values: ParamFile) => {
      if (!Object.keys(values).length) return; // names no recipe: this scope's values stay as they are
      const rec = userRecord(records, scope);
      let next = rec.values;
      for (const [recipe, steps] of Object.entries(values)) next = withRecipe(next, recipe, steps);
      if (countValues(next)) recs.push({ ...rec, values: next });
      else if (records.some((r) => r.id === rec.id)) empty.push(rec.id);
    };
    place(undefined, read.recipes);
    for (const g of read.groups) place(g.scope, g.recipes);
    try {
      await saveRecords(recs, empty);
    } catch (err) {
      setOutcome({ ok: false, file: file.name, problems: [err instanceof Error ? err.message : String(err)] });
      return;
    }
    const n = countValues(read.recipes) + read.groups.reduce((s, g) => s + countValues(g.recipes), 0);
    const names = [...new Set([read.recipes, ...read.groups.map((g) => g.recipes)].flatMap((f) => Object.keys(f)))];
    setOutcome({
      ok: true,
      // A file replaces the values of each recipe it names (for every frame and for each of its
      // groups); recipes it does not name keep theirs.
      text: !names.length
        ? `${file.name} names no recipe: nothing was changed.`
        : n === 0
          ? `${file.name} sets no parameter of ${names.join(', ')}: ${names.length === 1 ? 'its' : 'their'} parameters are at their defaults now.`
          : `${file.name}: ${n} value${n === 1 ? '' : 's'} imported for ${names.join(', ')}${read.groups.length ? ` (${read.groups.length} group${read.groups.length === 1 ? '' : 's'})` : ''}; other recipes keep their values.`,
    });
  };

  return (
    <div className="import-export">
      <div className="ie-buttons">
        <button onClick={() => input.current?.click()}>Import JSON…</button>
        <input
          ref={input}
          type="file"
          accept=".json,application/json"
          aria-label="Import parameters from JSON"
          className="visually-hidden"
          tabIndex={-1}
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void importFile(f);
          }}
        />
        <button
          onClick={() => exportValues(records)}
          title="Your values over the active presets, as runs use them: the file npm run reduce -- --params reads"
        >
          Export JSON
        </button>
      </div>
      {outcome?.ok === true && (
        <p className="ie-ok ok-text" role="status">
          {outcome.text} <button className="icon-btn" aria-label="Dismiss" onClick={() => setOutcome(undefined)}>×</button>
        </p>
      )}
      {outcome?.ok === false && (
        <div className="ie-error" role="alert">
          <div className="ie-error-head">
            <strong>{outcome.file} was not imported; nothing was changed.</strong>
            <button className="icon-btn" aria-label="Dismiss" onClick={() => setOutcome(undefined)}>×</button>
          </div>
          <ul>{outcome.problems.map((p, i) => <li key={i}>{p}</li>)}</ul>
        </div>
      )}
    </div>
  );
}
