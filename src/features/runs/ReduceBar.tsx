/**
 * "Reduce all", the progress of the reduction running in this page (a
 * progressbar of runs done out of the total, with the step each running run
 * is in), Cancel, and how it ended (a status line naming failed runs).
 */
import { finishedSummary, useReduction } from '../../ui/reduction';
import { useReductionCaughtUp } from '../../ui/useCaughtUp';
import type { LivePlan } from '../../ui/usePlan';
import type { FileRecord } from '../../db/types';
import type { PlanRow } from './useRunsData';

/** `products`: the products list beside it, so "Reduction complete" does not show before the list has them. */
export function ReduceBar({ rows, live, products }: { rows: PlanRow[]; live: LivePlan; products: readonly FileRecord[] }) {
  const { active, starting, progress, finished, error, start, cancelAll } = useReduction();
  const planError = live.error;
  const allCancelled = useReduction((s) => !!s.active && s.active.keys.every((k) => s.cancelling.has(k)));
  // The plan's rows follow the run records in a throttled live query of their own, which may come after
  // the one that lists the products: "finished" or "complete" beside rows of the batch still "queued"
  // or "running" would contradict them, so they are waited for too.
  const rowsBehind = !!finished && rows.some((r) => r.last?.batch === finished.batch && (r.state === 'queued' || r.state === 'running'));
  const settled = useReductionCaughtUp(finished, live, products, rowsBehind);
  const todo = rows.filter((r) => r.state === 'to run' || r.state === 'stale' || r.state === 'failed' || r.state === 'cancelled' || r.state === 'interrupted').length;
  const upToDate = rows.filter((r) => r.state === 'up to date' || r.state === 'done').length;
  const inFlight = rows.filter((r) => r.state === 'queued' || r.state === 'running').length;
  // Runs a reload, a crash, a cancel or an error stopped: one click takes them (and what they need) up again.
  const unfinished = rows.filter((r) => r.state === 'interrupted' || r.state === 'failed' || r.state === 'cancelled');
  const running = progress ? [...progress.running.values()] : [];
  const fraction = progress && progress.total ? (progress.done + running.reduce((s, r) => s + r.fraction, 0)) / progress.total : 0;

  return (
    <div className="reduce-bar">
      <div className="rb-line">
        {active ? (
          <button className="danger" onClick={cancelAll} disabled={allCancelled} title={allCancelled ? 'Every run stops at its next step' : undefined}>
            {allCancelled ? 'Cancelling…' : 'Cancel all'}
          </button>
        ) : (
          <button
            className="primary"
            onClick={() => void start()}
            disabled={!todo || !!planError || starting}
            title={rows.length && !todo ? 'Every product of the plan is up to date: nothing to reduce.' : undefined}
          >
            Reduce all
          </button>
        )}
        {!active && unfinished.length > 0 && (
          <button disabled={starting} onClick={() => void start(unfinished.map((r) => r.run.key))} title={unfinished.map((r) => `${r.run.label}: ${r.state}`).join('\n')}>
            Restart {unfinished.length} {unfinished.every((r) => r.state === 'interrupted') ? 'interrupted' : 'unfinished'} run{unfinished.length === 1 ? '' : 's'}
          </button>
        )}
        <span className="muted">
          {rows.length === 0
            ? 'Nothing to reduce yet: add raw frames in the Library.'
            : `${inFlight ? `${inFlight} running or queued · ` : ''}${todo} run${todo === 1 ? '' : 's'} to do · ${upToDate} up to date · ${rows.length} in the plan`}
        </span>
      </div>
      {planError && <p className="rb-error" role="alert">The plan cannot be built: {planError}</p>}
      {error && <p className="rb-error" role="alert">The reduction could not start: {error}</p>}
      {active && progress && (
        <div className="rb-progress">
          <div
            className="progress"
            role="progressbar"
            aria-label="Reduction progress"
            aria-valuemin={0}
            aria-valuemax={progress.total}
            aria-valuenow={progress.done}
            aria-valuetext={`${progress.done} of ${progress.total} runs done`}
          >
            <div className="progress-fill" style={{ transform: `scaleX(${fraction.toFixed(3)})` }} />
          </div>
          <div className="rb-now">
            <strong>{progress.done} of {progress.total} runs</strong>
            {running.map((r) => (
              <span key={r.label} className="rb-running">{r.label}: {r.step} ({Math.round(100 * r.fraction)}%)</span>
            ))}
          </div>
        </div>
      )}
      {!active && finished && <FinishedLine settled={settled} rows={rows} />}
    </div>
  );
}

/** `settled`: the plan, its rows and the lists have caught up with the reduction (its last few hundred ms). */
function FinishedLine({ settled, rows }: { settled: boolean; rows: PlanRow[] }) {
  const finished = useReduction((s) => s.finished)!;
  const { failed, cancelled, total } = finished;
  if ((failed.length || cancelled) && !settled) return <p className="rb-status" role="status">Reduction ended: updating the plan…</p>;
  if (!failed.length && !cancelled) {
    if (!settled) return <p className="rb-status" role="status">All {total} run{total === 1 ? '' : 's'} done: updating the library…</p>;
    const without = rows.filter((r) => r.state === 'done' && r.missing.length);
    return (
      <>
        <p className="rb-status ok" role="status">Reduction complete: {total} run{total === 1 ? '' : 's'} done.</p>
        {without.length > 0 && (
          <p className="rb-warn">
            {without.length} run{without.length === 1 ? '' : 's'} went without {[...new Set(without.flatMap((r) => r.missing))].map((m) => `a ${m}`).join(' or ')}: none was usable
            ({without.map((r) => r.run.label).join(', ')}). The Calibrations view says why, and can pin one.
          </p>
        )}
      </>
    );
  }
  return (
    <div className="rb-status bad" role="status">
      <p>{finishedSummary(finished)}</p>
      {failed.length > 0 && (
        <ul>
          {failed.map((f) => <li key={f.key}><strong>{f.label}</strong>: {f.reason}</li>)}
        </ul>
      )}
    </div>
  );
}
