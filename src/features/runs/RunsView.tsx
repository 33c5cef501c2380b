/**
 * Runs: the plan before it starts (every run with its inputs, calibrations
 * and parameters), "Reduce all" with its progress and outcome, every run's
 * log, the products to download, and the night's quality.
 */
import { useMemo, useState } from 'react';
import { ReduceBar } from './ReduceBar';
import { PlanTable } from './PlanTable';
import { RunDetails } from './RunDetails';
import { Products } from './Products';
import { QualityChart } from './QualityChart';
import { qualityPoints, samePoints } from './qualityPoints';
import { useStable } from '../../ui/useStable';
import { useRunsData } from './useRunsData';
import './runs.css';

export function RunsView() {
  const { live, rows, orphans, products, runsLoaded } = useRunsData();
  const [selected, setSelected] = useState<string>();
  // The chart redraws (and its throttle's clock restarts) only when its points change.
  const points = useStable(useMemo(() => qualityPoints(products), [products]), samePoints);
  const row = rows.find((r) => r.run.key === selected);
  const productOf = useMemo(() => new Map(products.map((p) => [p.product!.runKey, p])), [products]);

  if (!live.plan && !live.error) return <p className="empty">Building the plan…</p>;
  return (
    <div className="runs-view">
      <ReduceBar rows={rows} live={live} products={products} />
      <div className={`runs-main${row ? ' with-details' : ''}`}>
        <section className="plan-section" aria-label="Plan">
          <div className="section-head">
            <h2>Plan</h2>
            {live.plan && live.plan.leftOut.length > 0 && (
              <details className="left-out">
                <summary>{live.plan.leftOut.length} file{live.plan.leftOut.length === 1 ? '' : 's'} not reduced</summary>
                <ul>{live.plan.leftOut.map((f) => <li key={f.id}><strong>{f.name}</strong>: {f.reason}</li>)}</ul>
              </details>
            )}
          </div>
          {live.plan?.notes.length ? <ul className="plan-notes">{live.plan.notes.map((n) => <li key={n}>{n}</li>)}</ul> : null}
          <PlanTable rows={rows} selected={selected} onSelect={setSelected} />
          {runsLoaded && orphans.length > 0 && (
            <p className="muted small">{orphans.length} earlier run{orphans.length === 1 ? '' : 's'} of frames no longer in the plan: {orphans.map((o) => `${o.label} (${o.status})`).join('; ')}</p>
          )}
        </section>
        {row && <RunDetails key={row.run.key} row={row} product={productOf.get(row.run.key)} onClose={() => setSelected(undefined)} />}
      </div>
      <div className="runs-bottom">
        <section className="quality" aria-label="Night quality">
          <div className="section-head"><h2>Night quality</h2><span className="muted small">click a point to see the frame in the library; crosses: left out of a stack</span></div>
          <QualityChart points={points} />
        </section>
        <Products products={products} stale={live.stale} />
      </div>
    </div>
  );
}
