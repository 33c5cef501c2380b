/**
 * Frames of one kind (science frames, flats, darks), one row each: the bias,
 * dark and flat the plan uses and why; a row opens to every candidate.
 * Checkboxes make the group the group actions apply to.
 */
import { Fragment } from 'react';
import type { CalibrationStep } from '../../core/pipeline/products';
import { DecisionCell } from './DecisionCell';
import { FrameDetails } from './FrameDetails';
import { type FrameRow, type RefusedFlat } from './model';
import { isoMinute } from '../../ui/time';
import { useCalibrationsUi } from './store';

function FrameCell({ row, refused }: { row: FrameRow; refused?: RefusedFlat }) {
  const open = useCalibrationsUi((s) => s.open.has(row.d.id));
  const toggleOpen = useCalibrationsUi((s) => s.toggleOpen);
  const d = row.frame?.descriptors;
  const time = d?.dateObs ? isoMinute(Date.parse(d.dateObs.length <= 10 ? `${d.dateObs}T00:00:00Z` : `${d.dateObs}Z`)).replace(' UTC', '') : undefined;
  const meta = [d?.filter && `filter ${d.filter}`, d?.exptime !== undefined && `${d.exptime} s`, d?.object, time].filter(Boolean).join(' · ');
  return (
    <td className="cal-frame">
      <div className="cal-frame-inner">
      <button
        className="cal-disclose"
        aria-expanded={open}
        aria-label={`Candidates for ${row.d.name}`}
        title={open ? 'Hide the candidates' : 'Every candidate, with the rule it failed'}
        onClick={() => toggleOpen(row.d.id)}
      >
        <span aria-hidden="true">{open ? '▾' : '▸'}</span>
      </button>
      <div className="cal-frame-text">
        <span className="cal-frame-name" title={row.d.name}>{row.d.name}</span>
        {refused && (
          <span className={`cal-badge ${refused.overruled ? 'cal-badge-pin' : 'cal-badge-none'} cal-frame-badge`} title={refused.reason}>
            {refused.overruled ? 'kept by you' : refused.from === 'stats' ? 'may be refused' : 'refused'}
          </span>
        )}
        {meta && <span className="cal-why">{meta}</span>}
      </div>
      </div>
    </td>
  );
}

export function FrameTable({ title, rows, steps, refused, busy, run }: {
  title: string;
  /** Flats the level check refuses (or would), by id: marked on their row. */
  refused?: ReadonlyMap<string, RefusedFlat>;
  rows: FrameRow[];
  steps: CalibrationStep[];
  busy: boolean;
  run(job: () => Promise<unknown>): void;
}) {
  const selected = useCalibrationsUi((s) => s.selected);
  const open = useCalibrationsUi((s) => s.open);
  const setSelected = useCalibrationsUi((s) => s.setSelected);
  const allOn = rows.length > 0 && rows.every((r) => selected.has(r.d.id));
  const someOn = rows.some((r) => selected.has(r.d.id));
  return (
    <table className="cal-frames" aria-label={title}>
      <colgroup>
        <col className="cal-col-select" />
        <col className="cal-col-frame" />
        {steps.map((s) => <col key={s} className="cal-col-step" />)}
      </colgroup>
      <thead>
        <tr>
          <th scope="col" className="cal-select">
            <input
              type="checkbox"
              aria-label={`Select every row of ${title}`}
              checked={allOn}
              ref={(el) => { if (el) el.indeterminate = someOn && !allOn; }}
              onChange={(e) => setSelected(rows.map((r) => r.d.id), e.target.checked)}
            />
          </th>
          <th scope="col">Frame <span className="cal-th-note">times UTC</span></th>
          {steps.map((s) => <th scope="col" key={s} className="cal-step-th">{s[0].toUpperCase() + s.slice(1)}</th>)}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <Fragment key={row.d.id}>
            <tr className={`cal-row${row.problems.length ? ' cal-row-problem' : ''}${selected.has(row.d.id) ? ' cal-row-selected' : ''}`} data-frame={row.d.name}>
              <td className="cal-select">
                <input type="checkbox" aria-label={`Select ${row.d.name}`} checked={selected.has(row.d.id)} onChange={(e) => setSelected([row.d.id], e.target.checked)} />
              </td>
              <FrameCell row={row} refused={refused?.get(row.d.id)} />
              {steps.map((s) => <DecisionCell key={s} row={row} step={s} busy={busy} run={run} />)}
            </tr>
            {open.has(row.d.id) && (
              <tr className="cal-details-row">
                <td />
                <td colSpan={steps.length + 1}><FrameDetails row={row} busy={busy} run={run} /></td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
