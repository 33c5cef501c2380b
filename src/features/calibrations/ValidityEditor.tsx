/**
 * A master's validity window: the effective one (the user's, or its time
 * +- the rules' days), and a form to set start and end dates (UTC, whole
 * days, inclusive) or go back to the default.
 */
import { useState } from 'react';
import { setValidity } from './actions';
import { MS_PER_DAY, type MasterRow } from './model';
import { isoDate } from '../../ui/time';

function WindowText({ row }: { row: MasterRow }) {
  const w = row.window;
  if (!w) return <span className="muted">{row.source === 'planned' ? 'set once it is made' : 'no time known: always in window'}</span>;
  return (
    <>
      <span className="cal-window">{isoDate(w.start)} → {isoDate(w.end)}</span>
      <span className="cal-why">
        {w.how === 'set' ? 'set by you' : `default: ±${w.days} days around ${isoDate(w.around!)}`}
      </span>
    </>
  );
}

export function ValidityEditor({ row, busy, run }: { row: MasterRow; busy: boolean; run(job: () => Promise<unknown>): void }) {
  const [editing, setEditing] = useState(false);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [error, setError] = useState<string>();
  const editable = row.source !== 'planned';
  const begin = () => {
    setStart(row.window ? isoDate(row.window.start) : '');
    setEnd(row.window ? isoDate(row.window.end) : '');
    setError(undefined);
    setEditing(true);
  };
  const save = () => {
    const s = Date.parse(`${start}T00:00:00Z`);
    // The end date is inclusive: the whole of that day.
    const e = Date.parse(`${end}T00:00:00Z`) + MS_PER_DAY - 1;
    if (!Number.isFinite(s) || !Number.isFinite(e)) return setError('Give both dates.');
    if (e < s) return setError('The window ends before it starts.');
    setEditing(false);
    run(() => setValidity(row.id, { start: s, end: e }));
  };

  if (!editing) {
    return (
      <div className="cal-validity">
        <div className="cal-validity-text"><WindowText row={row} /></div>
        {editable && (
          <span className="cal-validity-buttons">
            <button disabled={busy} onClick={begin} aria-label={`Edit the validity window of ${row.name}`}>Edit</button>
            {row.window?.how === 'set' && (
              <button disabled={busy} onClick={() => run(() => setValidity(row.id, null))} aria-label={`Use the default validity window for ${row.name}`} title="Back to the rules' window around its time">
                Default
              </button>
            )}
          </span>
        )}
      </div>
    );
  }
  return (
    <form className="cal-validity-form" aria-label={`Validity window of ${row.name}`} onSubmit={(e) => { e.preventDefault(); save(); }}>
      <label className="cal-field"><span>From</span><input type="date" required value={start} onChange={(e) => setStart(e.target.value)} /></label>
      <label className="cal-field"><span>Until</span><input type="date" required value={end} onChange={(e) => setEnd(e.target.value)} /></label>
      <span className="cal-validity-buttons">
        <button type="submit" className="primary" disabled={busy}>Save</button>
        <button type="button" onClick={() => setEditing(false)}>Cancel</button>
      </span>
      <span className="cal-why">UTC dates, both days included.</span>
      {error && <p className="cal-error" role="alert">{error}</p>}
    </form>
  );
}
