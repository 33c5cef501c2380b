/**
 * Flats the level check refuses (too faint, near saturation, mostly
 * saturated), each with its reason: from the last run of its master, or,
 * before a run, from the statistics measured at ingest. The user may keep
 * one anyway (an overrule) and take that back.
 */
import { keepFlats, refuseFlatsAgain } from './actions';
import type { RefusedFlat } from './model';

const FROM: Record<RefusedFlat['from'], string> = {
  run: 'refused by the last run',
  stats: 'expected from the statistics measured at ingest',
  kept: '',
};

export function RefusedFlats({ rows, busy, run }: { rows: RefusedFlat[]; busy: boolean; run(job: () => Promise<unknown>): void }) {
  if (!rows.length) return <p className="muted">No flat refused: every flat's level is within the check's limits (known once its master is made).</p>;
  return (
    <table className="cal-refused" aria-label="Refused flats">
      <thead>
        <tr><th scope="col">Flat</th><th scope="col">Reason</th><th scope="col">State</th><th scope="col"><span className="visually-hidden">Action</span></th></tr>
      </thead>
      <tbody>
        {rows.map((f) => (
          <tr key={f.id} data-flat={f.name} className={f.overruled ? 'cal-kept' : 'cal-refused-row'}>
            <td className="cal-wrap">
              <span className="cal-frame-name">{f.name}</span>
              {f.master && <span className="cal-why">for {f.master}</span>}
            </td>
            <td className="cal-wrap">
              {f.reason ?? <span className="muted">known after the next run</span>}
              {FROM[f.from] && <span className="cal-why">{FROM[f.from]}</span>}
            </td>
            <td className="cal-nowrap">
              {f.overruled
                ? <span className="cal-badge cal-badge-pin">kept by you</span>
                : <span className="cal-badge cal-badge-none">{f.from === 'stats' ? 'may be refused' : 'refused'}</span>}
            </td>
            <td className="cal-nowrap">
              {f.overruled ? (
                <button disabled={busy} onClick={() => run(() => refuseFlatsAgain([f.id]))} aria-label={`Remove the overrule of ${f.name}`} title="Let the check refuse it again">
                  Remove overrule
                </button>
              ) : (
                <button disabled={busy} onClick={() => run(() => keepFlats([f.id]))} aria-label={`Overrule the refusal of ${f.name}`} title="Keep this flat in its master anyway">
                  Keep anyway
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
