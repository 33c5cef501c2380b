/**
 * One parameter's field: a select for choices, a checkbox for booleans, text
 * for numbers and strings. Text is checked when the user commits it (Enter
 * or leaving the field) with the schema's checkParam; a refused value stays
 * in the field with the reason under it and is not stored. Once a reason is
 * shown it follows the typing, so it goes away as soon as the text is right.
 */
import { useEffect, useId, useState } from 'react';
import type { ParamValue } from '../../core/pipeline/params';
import type { ParamState } from './effective';
import { fieldText, parseField } from './fieldText';

interface Props {
  /** "recipe.step.param": the field's accessible name, as parameter files spell it. */
  name: string;
  state: ParamState;
  /** Stores a value (the caller drops it when it equals what lies below). */
  onSet(value: ParamValue): Promise<void>;
  describedBy: string;
}

export function ParamField({ name, state, onSet, describedBy }: Props) {
  const { spec, effective } = state;
  const errorId = useId();
  const [draft, setDraft] = useState<string>();
  const [error, setError] = useState<string>();
  // A value changed elsewhere (reset, preset, import) replaces what the field shows.
  useEffect(() => {
    setDraft(undefined);
    setError(undefined);
  }, [effective.value, effective.source]);

  const save = async (value: ParamValue) => {
    try {
      await onSet(value);
      setError(undefined);
      setDraft(undefined);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const stored = state.ownError ? `Your stored value ${JSON.stringify(state.own)} is refused: ${state.ownError}. Runs cannot start until it is fixed or reset.` : undefined;
  const message = error ?? stored;
  const common = {
    'aria-label': name,
    'aria-invalid': message ? true : undefined,
    'aria-describedby': message ? `${errorId} ${describedBy}` : describedBy,
  } as const;

  let field: React.ReactElement;
  if (spec.type === 'boolean' && !spec.nullable) {
    field = <input type="checkbox" {...common} checked={effective.value === true} onChange={(e) => void save(e.target.checked)} />;
  } else if (spec.type === 'choice' || spec.type === 'boolean') {
    const options = spec.type === 'boolean' ? ['true', 'false'] : [...(spec.choices ?? [])];
    const current = effective.value === null ? '' : String(effective.value);
    field = (
      <select
        {...common}
        value={current}
        onChange={(e) => {
          const t = e.target.value;
          void save(t === '' ? null : spec.type === 'boolean' ? t === 'true' : t);
        }}
      >
        {spec.nullable && <option value="">{spec.empty ?? 'auto'}</option>}
        {options.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    );
  } else {
    const text = draft ?? fieldText(effective.value);
    const commit = () => {
      if (draft === undefined) return;
      const parsed = parseField(spec, draft);
      if (!parsed.ok) setError(parsed.error);
      else void save(parsed.value);
    };
    field = (
      <input
        type="text"
        {...common}
        inputMode={spec.type === 'number' ? 'decimal' : spec.type === 'integer' ? 'numeric' : undefined}
        spellCheck={false}
        autoComplete="off"
        placeholder={spec.nullable ? spec.empty ?? 'auto' : undefined}
        value={text}
        onChange={(e) => {
          setDraft(e.target.value);
          if (error) {
            const parsed = parseField(spec, e.target.value);
            setError(parsed.ok ? undefined : parsed.error);
          }
        }}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setDraft(undefined);
            setError(undefined);
          }
        }}
      />
    );
  }
  return (
    <div className={`pf pf-${spec.type}`}>
      {field}
      {message && (
        <div id={errorId} className="pf-error" role="alert">
          {message}{error && draft !== undefined ? ' — not saved.' : ''}
        </div>
      )}
    </div>
  );
}
