/** The plan, one row per run, with the state of its product slot: what "Reduce all" will do, and what it did. */
import type { PlanRow } from './useRunsData';
import { useReduction } from '../../ui/reduction';
import { CALIBRATION_STEPS } from '../../core/pipeline/products';

const RECIPE_LABEL: Record<string, string> = {
  makeMasterBias: 'master bias',
  makeMasterDark: 'master dark',
  makeMasterFlat: 'master flat',
  reduceScience: 'reduce',
  stackScience: 'stack',
};

export function stateClass(state: string): string {
  return `state state-${state.replace(/\s+/g, '-')}`;
}

/** One line per calibration its first frame uses ("bias: x.fits"), or none. */
function calibrationsOf(row: PlanRow): string[] {
  const first = row.run.inputs[0]?.calibrations ?? {};
  return CALIBRATION_STEPS.filter((s) => first[s]).map((s) => `${s}: ${first[s]!.name}`);
}

function secondsOf(row: PlanRow): string {
  const r = row.last;
  // A product to make (again) has no time yet: the last run's would read as this one's.
  if (!r?.startedAt || row.state === 'to run' || row.state === 'stale') return '';
  const end = r.endedAt ?? (r.status === 'running' ? Date.now() : r.startedAt);
  return `${((end - r.startedAt) / 1000).toFixed(1)} s`;
}

export function PlanTable({ rows, selected, onSelect }: { rows: PlanRow[]; selected?: string; onSelect(key: string): void }) {
  // Progress as this page hears it from the workers; the run's record is written at most every 400 ms.
  const live = useReduction((s) => s.progress?.running);
  if (!rows.length) return <p className="empty">The plan is empty: the library has no raw frames to reduce.</p>;
  return (
    <div className="plan-scroll">
      <table className="plan-table" aria-label="Runs of the plan">
        <thead>
          <tr>
            <th className="c-state">State</th>
            <th>Run</th>
            <th className="c-recipe">Recipe</th>
            <th className="c-n">Inputs</th>
            <th className="c-cal">Calibrations</th>
            <th className="c-time">Time</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const cals = calibrationsOf(row);
            return (
              <tr
                key={row.run.key}
                className={`plan-row${selected === row.run.key ? ' selected' : ''}`}
                onClick={() => onSelect(row.run.key)}
                aria-selected={selected === row.run.key}
              >
                <td className="c-state">
                  <span className={stateClass(row.state)}>{row.state}</span>
                  {row.state === 'running' && row.last && <span className="muted small"> {Math.round(100 * (live?.get(row.run.key)?.fraction ?? row.last.progress))}%</span>}
                </td>
                <td className="c-label" title={row.run.label}>
                  <button className="link" onClick={() => onSelect(row.run.key)}>{row.run.label}</button>
                  {row.last?.error && row.state !== 'up to date' && row.state !== 'done' && <div className="row-error" title={row.last.error}>{row.last.error}</div>}
                </td>
                <td className="c-recipe">{RECIPE_LABEL[row.run.recipe] ?? row.run.recipe}</td>
                <td className="c-n">{row.run.inputs.length}</td>
                <td className="c-cal" title={[...row.missing.map((m) => `no ${m}: none usable (the Calibrations view says why)`), ...cals].join('\n')}>
                  {/* A line each, so that a narrow column cuts a name, never a whole calibration; what is missing first. */}
                  {row.missing.map((m) => <div key={m} className="cal-missing">no {m}</div>)}
                  {cals.map((c) => <div key={c}>{c}</div>)}
                  {!row.missing.length && !cals.length && '—'}
                </td>
                <td className="c-time">{secondsOf(row)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
