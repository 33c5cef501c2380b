/** Frames the user excluded from the reduction, each of which can come back. */
import { include } from './actions';

export function ExcludedFrames({ rows, busy, run }: { rows: { id: string; name: string; note?: string }[]; busy: boolean; run(job: () => Promise<unknown>): void }) {
  if (!rows.length) return <p className="muted">No frame excluded. Exclude one from its candidates (▸) or a selection.</p>;
  return (
    <>
      <ul className="cal-list" aria-label="Excluded frames">
        {rows.map((f) => (
          <li key={f.id}>
            <span className="cal-frame-name" title={f.name}>{f.name}</span>
            {f.note && <span className="cal-why">{f.note}</span>}
            <button disabled={busy} onClick={() => run(() => include([f.id]))} aria-label={`Include ${f.name} again`}>Include again</button>
          </li>
        ))}
      </ul>
      {rows.length > 1 && <button disabled={busy} onClick={() => run(() => include(rows.map((r) => r.id)))}>Include all {rows.length}</button>}
    </>
  );
}
