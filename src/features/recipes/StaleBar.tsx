/**
 * "N products are stale": products whose run would now give something else
 * (a parameter, pin, validity or input changed since they were made), as the
 * live plan says, with one button that re-runs only their runs (and what
 * they need that is not up to date: closure() in the pipeline client).
 * The outcome of a re-run started here is shown here.
 */
import type { LivePlan } from '../../ui/usePlan';
import { finishedSummary, useReduction } from '../../ui/reduction';
import { useReductionCaughtUp } from '../../ui/useCaughtUp';
import { useRecipes } from './store';

export function StaleBar({ live }: { live: LivePlan }) {
  const { active, progress, finished, error, start } = useReduction();
  const settled = useReductionCaughtUp(finished, live);
  const rerunAt = useRecipes((s) => s.rerunAt);
  const keys = [...new Set(live.stale.values())];
  const labels = new Map((live.plan?.runs ?? []).map((r) => [r.key, r]));
  const mine = rerunAt !== undefined;
  const rerunning = mine && !!active;
  const failedSome = !!finished && (finished.failed.length > 0 || finished.cancelled > 0);
  // A re-run's outcome, until something else goes stale: "complete" beside new stale products would contradict them.
  const showFinished = mine && !active && finished && finished.at >= rerunAt && (failedSome || !keys.length);
  if (!keys.length && !(mine && (active || showFinished || error))) return null;

  const rerun = () => {
    useRecipes.setState({ rerunAt: Date.now() });
    void start(keys);
  };
  const n = live.stale.size;
  return (
    <div className="stale-bar" role="region" aria-label="Stale products">
      {/* While the re-run goes, its products are stale until each is made: its progress says it all. */}
      {keys.length > 0 && !rerunning && (
        <div className="stale-line">
          <strong className="stale-text">{n} product{n === 1 ? ' is' : 's are'} stale</strong>
          {keys.length <= 3 ? (
            <span className="stale-names">{keys.map((k) => labels.get(k)?.label ?? k).join(' · ')}</span>
          ) : (
            <details className="stale-list">
              <summary>which</summary>
              <ul>
                {keys.map((k) => {
                  const run = labels.get(k);
                  return <li key={k}>{run ? `${run.label} → ${run.output.name}` : k}</li>;
                })}
              </ul>
            </details>
          )}
          <button className="primary" onClick={rerun} disabled={!!active} title={active ? 'A reduction is running' : undefined}>
            Re-run {keys.length === 1 ? 'the stale run' : `the ${keys.length} stale runs`}
          </button>
          {active && !mine && <span className="muted small">A reduction is running (Runs tab).</span>}
        </div>
      )}
      {mine && active && progress && (
        <p className="muted" role="status">Re-running: {progress.done} of {progress.total} runs done…</p>
      )}
      {mine && !active && error && <p className="pf-error" role="alert">The re-run could not start: {error}</p>}
      {showFinished && finished && (
        finished.failed.length || finished.cancelled ? (
          <div className="rerun-bad" role="status">
            {finishedSummary(finished)}
            <ul>{finished.failed.map((f) => <li key={f.key}><strong>{f.label}</strong>: {f.reason}</li>)}</ul>
          </div>
        ) : settled ? (
          <p className="ok-text" role="status">Reduction complete: {finished.total} run{finished.total === 1 ? '' : 's'} done.</p>
        ) : (
          <p className="muted" role="status">All {finished.total} run{finished.total === 1 ? '' : 's'} done: updating the library…</p>
        )
      )}
    </div>
  );
}
