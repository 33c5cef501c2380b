/**
 * One parameter's field: a select for choices, a checkbox for booleans, text
 * for numbers and strings. Text is checked when the user commits it (Enter
 * or leaving the field) with the schema's checkParam; a refused value stays
 * in the field with the reason under it and is not stored, also when the user
 * goes to another recipe or group and back (the recipes store keeps it until
 * Escape, a stored value or a change from elsewhere). Once a reason is shown
 * it follows the typing, so it goes away as soon as the text is right.
 */
import { useEffect, useId, useRef } from 'react';
import type { ParamValue } from '../../core/pipeline/params';
import type { ParamState } from './effective';
import { fieldText, parseField } from './fieldText';
import { useRecipes, type FieldDraft } from './store';

interface Props {
  /** "recipe.step.param": the field's accessible name, as parameter files spell it. */
  name: string;
  /** Where its unsaved text is kept (recipes store, fieldKey): the group being edited and the name. */
  draftKey: string;
  state: ParamState;
  /** Stores a value (the caller drops it when it equals what lies below). */
  onSet(value: ParamValue): Promise<void>;
  describedBy: string;
}

export function ParamField({ name, draftKey, state, onSet, describedBy }: Props) {
  const { spec, effective } = state;
  const errorId = useId();
  const kept = useRecipes((s) => s.drafts[draftKey]);
  const draft = kept?.text;
  const error = kept?.error;
  const put = (patch: FieldDraft) => {
    const now = useRecipes.getState().drafts[draftKey];
    useRecipes.getState().setDraft(draftKey, { ...now, ...patch });
  };
  const setDraft = (text: string | undefined) => put({ text });
  const setError = (reason: string | undefined) => put({ error: reason });
  /** The field shows the value again. */
  const clear = () => useRecipes.getState().setDraft(draftKey, undefined);
  // A value changed elsewhere (reset, preset, import) replaces what the field shows; coming back to
  // the field (another recipe, another group) does not.
  const shown = useRef({ value: effective.value, source: effective.source });
  useEffect(() => {
    if (shown.current.value === effective.value && shown.current.source === effective.source) return;
    shown.current = { value: effective.value, source: effective.source };
    clear();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [effective.value, effective.source, draftKey]);

  const save = async (value: ParamValue) => {
    try {
      await onSet(value);
      clear();
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
        // The field is narrower than some of these ("RDNOISE/READNOIS from the header"): the whole text on hover.
        title={spec.nullable && !text ? `empty: ${spec.empty ?? 'auto'}` : undefined}
        value={text}
        onChange={(e) => {
          const text = e.target.value;
          // Once a reason is shown it follows the typing.
          if (error) {
            const parsed = parseField(spec, text);
            put({ text, error: parsed.ok ? undefined : parsed.error });
          } else setDraft(text);
        }}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') clear();
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
