/**
 * Whose values are edited: every frame's, or a group's (a filter or target
 * in the library, a group that already has values, or a select expression
 * the user types, checked with the select language's own compiler).
 */
import { useId, useState } from 'react';
import type { ParamRecord } from '../../db/types';
import { scopeError, type ScopeOption } from './scopes';
import { countValues } from './values';

const CUSTOM = '\u0000custom';

interface Props {
  scope?: string;
  options: ScopeOption[];
  records: readonly ParamRecord[];
  onChange(scope: string | undefined): void;
}

export function ScopePicker({ scope, options, records, onChange }: Props) {
  const [custom, setCustom] = useState<string>();
  const [error, setError] = useState<string>();
  const errorId = useId();
  const userCount = (s: string | undefined) => countValues(records.find((r) => r.kind === 'user' && (r.scope || undefined) === s)?.values);
  const withCount = (label: string, s: string | undefined) => {
    const n = userCount(s);
    return n ? `${label} — ${n} value${n === 1 ? '' : 's'}` : label;
  };
  const known = new Set(options.map((o) => o.scope));
  // Groups with values whose filter or target is no longer in the library, and the one being edited.
  const others = [...new Set([...records.filter((r) => r.kind === 'user' && r.scope).map((r) => r.scope!), ...(scope ? [scope] : [])])]
    .filter((s) => !known.has(s))
    .sort();
  const group = (kind: ScopeOption['kind']) => options.filter((o) => o.kind === kind);

  const use = () => {
    const expr = (custom ?? '').trim();
    const why = scopeError(expr);
    setError(why);
    if (why) return;
    setCustom(undefined);
    onChange(expr);
  };

  return (
    <div className="scope-picker">
      <label className="scope-select">
        <span>Values for</span>
        <select
          aria-label="Values for"
          value={custom !== undefined ? CUSTOM : scope ?? ''}
          onChange={(e) => {
            const v = e.target.value;
            if (v === CUSTOM) {
              setCustom(scope ?? '');
              setError(undefined);
              return;
            }
            setCustom(undefined);
            onChange(v || undefined);
          }}
        >
          <option value="">{withCount('All frames', undefined)}</option>
          {(['filter', 'object'] as const).map((kind) => group(kind).length > 0 && (
            <optgroup key={kind} label={kind === 'filter' ? 'One filter' : 'One target'}>
              {group(kind).map((o) => <option key={o.scope} value={o.scope}>{withCount(o.label, o.scope)}</option>)}
            </optgroup>
          ))}
          {others.length > 0 && (
            <optgroup label="Other groups">
              {others.map((s) => <option key={s} value={s}>{withCount(s, s)}</option>)}
            </optgroup>
          )}
          <option value={CUSTOM}>Group by expression…</option>
        </select>
      </label>
      {custom !== undefined && (
        <form className="scope-custom" onSubmit={(e) => { e.preventDefault(); use(); }}>
          <input
            type="text"
            aria-label="Group expression"
            aria-invalid={!!error}
            aria-describedby={error ? errorId : undefined}
            spellCheck={false}
            placeholder="filter == 'R' and exptime > 60"
            value={custom}
            onChange={(e) => { setCustom(e.target.value); if (error) setError(scopeError(e.target.value)); }}
          />
          <button type="submit">Edit this group</button>
          <button type="button" onClick={() => { setCustom(undefined); setError(undefined); }}>Cancel</button>
          {error && <span id={errorId} className="pf-error" role="alert">{error}</span>}
        </form>
      )}
    </div>
  );
}
