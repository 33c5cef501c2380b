/**
 * The calibration masters: ours (made here) and imported ones (made by other
 * tools), with the valid flag and validity window the user can edit, what
 * each was made from, and the frames that use it. Masters this plan will
 * make but has not made yet are listed too, without the editing.
 */
import { useEffect, useState } from 'react';
import { PRODUCT_LABEL } from '../../core/pipeline/products';
import { useNav } from '../../ui/nav';
import { setValid } from './actions';
import { ValidityEditor } from './ValidityEditor';
import { plural, type MasterRow } from './model';
import { utcSeconds } from '../../ui/time';

function NameList({ items, what }: { items: { id: string; name: string }[]; what: string }) {
  if (!items.length) return <span className="muted">none</span>;
  if (items.length <= 3) return <span className="cal-names">{items.map((i) => i.name).join(', ')}</span>;
  return (
    <details className="cal-more">
      <summary>{plural(items.length, what)}: {items.slice(0, 2).map((i) => i.name).join(', ')}, …</summary>
      <span className="cal-names">{items.map((i) => i.name).join(', ')}</span>
    </details>
  );
}

function Source({ row }: { row: MasterRow }) {
  if (row.source === 'planned') return <span className="cal-why">to be made by the next reduction</span>;
  if (row.source === 'imported') return <span className="cal-why" title={row.madeBy}>imported: {row.madeBy}</span>;
  return <span className="cal-why">made here {row.createdAt ? utcSeconds(row.createdAt) : ''}</span>;
}

/** The valid flag: shows the click at once; the stored flag (through the plan, ~0.3 s later) then confirms it. */
function ValidToggle({ row, busy, run }: { row: MasterRow; busy: boolean; run(job: () => Promise<unknown>): void }) {
  const [shown, setShown] = useState(row.valid);
  useEffect(() => setShown(row.valid), [row.valid]);
  return (
    <label className="cal-check">
      <input
        type="checkbox"
        checked={shown}
        disabled={busy}
        aria-label={`${row.name} is valid`}
        onChange={(e) => {
          const valid = e.target.checked;
          setShown(valid);
          // A failed write puts the stored flag back (the error shows above).
          run(() => setValid(row.id, valid).catch((err: unknown) => { setShown(row.valid); throw err; }));
        }}
      />
      <span>{shown ? 'valid' : 'marked invalid'}</span>
    </label>
  );
}

function MasterLine({ row, busy, run }: { row: MasterRow; busy: boolean; run(job: () => Promise<unknown>): void }) {
  const showInLibrary = useNav((s) => s.showInLibrary);
  // A product lists every input of its run; the ones the run refused did not go into it.
  const refused = new Set(row.leftOut.map((l) => l.id));
  const used = row.inputs.filter((i) => !refused.has(i.id));
  const detail = [row.filter && `filter ${row.filter}`, row.exptime !== undefined && row.kind === 'dark' && `${row.exptime} s`].filter(Boolean).join(' · ');
  return (
    <tr className={`cal-master${row.valid ? '' : ' cal-invalid'}`} data-master={row.name}>
      <td className="cal-wrap">
        {row.source === 'planned'
          ? <span className="cal-frame-name">{row.name}</span>
          : <button className="cal-link cal-frame-name" onClick={() => showInLibrary(row.id)} title="Show in the library">{row.name}</button>}
        <span className="cal-why">{PRODUCT_LABEL[row.kind]}{detail ? ` · ${detail}` : ''}</span>
        <Source row={row} />
        {row.stale && <span className="cal-badge cal-badge-stale" title="Its inputs, calibrations or parameters changed since it was made">stale</span>}
        {row.superseded && <span className="cal-why">superseded by a newer product of the same slot</span>}
      </td>
      <td>
        {row.source === 'planned' ? (
          <span className="muted" title="Valid once made; mark it then">—</span>
        ) : (
          <ValidToggle row={row} busy={busy} run={run} />
        )}
      </td>
      <td><ValidityEditor row={row} busy={busy} run={run} /></td>
      <td className="cal-wrap">
        {row.source === 'imported' ? <span className="muted">made by another tool</span> : <NameList items={used} what="frame" />}
        {row.leftOut.length > 0 && (
          <span className="cal-why">refused: {row.leftOut.map((l) => l.name).join(', ')} (see Refused flats)</span>
        )}
      </td>
      <td className="cal-wrap"><NameList items={row.usedBy} what="frame" /></td>
    </tr>
  );
}

export function MastersTable({ rows, busy, run }: { rows: MasterRow[]; busy: boolean; run(job: () => Promise<unknown>): void }) {
  if (!rows.length) return <p className="muted">No master in the library, and none to make: add biases and flats (or masters made elsewhere) in the Library.</p>;
  return (
    <table className="cal-masters" aria-label="Calibration masters">
      <colgroup>
        <col className="cal-col-master" /><col className="cal-col-valid" /><col className="cal-col-window" /><col className="cal-col-from" /><col className="cal-col-used" />
      </colgroup>
      <thead>
        <tr><th scope="col">Master</th><th scope="col">Valid</th><th scope="col">Validity window</th><th scope="col">Made from</th><th scope="col">Used by</th></tr>
      </thead>
      <tbody>
        {rows.map((r) => <MasterLine key={r.id} row={r} busy={busy} run={run} />)}
      </tbody>
    </table>
  );
}
