/**
 * Named presets (ParamRecords of kind 'preset'): the values being edited
 * saved under a name, listed with their values, switched on and off (an
 * active preset applies to runs under the user's own values), loaded into
 * the user's values, exported as a parameter file, deleted.
 */
import { useState } from 'react';
import type { ParamFile } from '../../core/pipeline/params';
import type { ParamRecord } from '../../db/types';
import { downloadText } from '../../ui/download';
import { fileNameOf, makeExport } from './paramFile';
import { presetsOf, removeRecords, saveRecord, userRecord } from './store';
import { countValues, mergeFiles, showValue, specAt } from './values';

interface Props {
  records: readonly ParamRecord[];
  editing: ParamRecord;
  /** Shows the values of this group (where a loaded preset went). */
  onShowScope(scope: string | undefined): void;
}

function lines(values: ParamFile): string[] {
  const out: string[] = [];
  for (const [recipe, steps] of Object.entries(values)) {
    for (const [step, params] of Object.entries(steps)) {
      for (const [name, v] of Object.entries(params)) out.push(`${recipe}.${step}.${name} = ${showValue(v, specAt(recipe, step, name))}`);
    }
  }
  return out;
}

/** Long dotted names may wrap after a dot rather than inside a word. */
function breakable(line: string): React.ReactNode {
  return line.split('.').flatMap((part, i) => (i ? [<wbr key={i} />, `.${part}`] : [part]));
}

export function exportPreset(p: ParamRecord): void {
  const file = p.scope
    ? makeExport(`preset ${p.name}`, {}, [{ scope: p.scope, recipes: p.values }])
    : makeExport(`preset ${p.name}`, p.values);
  downloadText(fileNameOf(p.name), `${JSON.stringify(file, null, 2)}\n`, 'application/json');
}

export function Presets({ records, editing, onShowScope }: Props) {
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const presets = presetsOf(records);
  const n = countValues(editing.values);
  const trimmed = name.trim();
  const existing = presets.find((p) => p.name === trimmed);

  const act = async (job: () => Promise<void>, done: string) => {
    try {
      await job();
      setMessage({ ok: true, text: done });
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : String(err) });
    }
  };

  const scopeText = (scope: string | undefined) => (scope ? `for ${scope}` : 'for all frames');
  const save = () => {
    if (!trimmed || !n) return;
    // Replacing a preset made for other frames changes what it applies to: ask first.
    if (existing && (existing.scope ?? '') !== (editing.scope ?? '')
      && !window.confirm(`Preset ${trimmed} holds values ${scopeText(existing.scope)}. Replace it with ${n} value${n === 1 ? '' : 's'} ${scopeText(editing.scope)}?`)) return;
    const rec: ParamRecord = {
      id: existing?.id ?? `preset:${trimmed}`,
      kind: 'preset',
      name: trimmed,
      scope: editing.scope,
      values: editing.values,
      active: existing?.active ?? false,
      updatedAt: Date.now(),
    };
    void act(() => saveRecord(rec), `Preset ${trimmed} ${existing ? 'replaced' : 'saved'} (${n} value${n === 1 ? '' : 's'} ${scopeText(editing.scope)}).`);
    setName('');
  };

  return (
    <section className="presets" aria-labelledby="presets-title">
      <h2 id="presets-title">Presets</h2>
      <form className="preset-save" onSubmit={(e) => { e.preventDefault(); save(); }}>
        <label htmlFor="preset-name" className="small muted">
          Save the {n || ''} value{n === 1 ? '' : 's'} set {editing.scope ? `for ${editing.scope}` : 'for all frames'} as
        </label>
        <div className="preset-save-line">
          <input id="preset-name" type="text" placeholder="preset name" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" disabled={!trimmed || !n} title={!n ? 'Set some values first' : existing ? `Replace preset ${existing.name} (its values ${scopeText(existing.scope)})` : undefined}>
            {existing ? 'Replace' : 'Save preset'}
          </button>
        </div>
      </form>
      {message && <p className={message.ok ? 'ok-text small' : 'pf-error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
      {presets.length === 0 ? (
        <p className="muted small">No preset yet.</p>
      ) : (
        <>
          <p className="muted small">Active presets apply to runs in name order, under your own values.</p>
          <ul className="preset-list" aria-label="Presets">
            {presets.map((p) => (
              <li key={p.id} className={`preset${p.active ? ' active' : ''}`} aria-label={`Preset ${p.name}`}>
                <label className="preset-name">
                  <input
                    type="checkbox"
                    aria-label={`Preset ${p.name} active`}
                    checked={!!p.active}
                    onChange={(e) => void act(() => saveRecord({ ...p, active: e.target.checked }), `Preset ${p.name} ${e.target.checked ? 'applies' : 'no longer applies'} to runs.`)}
                  />
                  <strong>{p.name}</strong>
                  <span className="small muted">{p.active ? 'active' : 'off'}</span>
                </label>
                <div className="small muted">{p.scope ? `for ${p.scope}` : 'all frames'} · {countValues(p.values)} value{countValues(p.values) === 1 ? '' : 's'}</div>
                <ul className="preset-values mono small">
                  {lines(p.values).map((l) => <li key={l}>{breakable(l)}</li>)}
                </ul>
                <div className="preset-actions">
                  <button
                    className="small-btn"
                    title="Put this preset's values into your own (other values of yours stay)"
                    onClick={() => {
                      const mine = userRecord(records, p.scope);
                      onShowScope(p.scope);
                      void act(() => saveRecord({ ...mine, values: mergeFiles(mine.values, p.values) }), `Preset ${p.name} loaded into your values${p.scope ? ` for ${p.scope}` : ''}.`);
                    }}
                  >
                    Load
                  </button>
                  <button className="small-btn" onClick={() => exportPreset(p)} aria-label={`Export preset ${p.name}`}>Export</button>
                  <button
                    className="small-btn danger"
                    aria-label={`Delete preset ${p.name}`}
                    onClick={() => {
                      if (!confirm(`Delete the preset ${p.name}?`)) return;
                      void act(() => removeRecords([p.id]), `Preset ${p.name} deleted.`);
                    }}
                  >
                    Delete
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
