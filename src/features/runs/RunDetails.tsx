/**
 * One run in full: its inputs and the calibrations chosen for each, its
 * parameters (those that differ from the defaults first), its last execution
 * with the log (each primitive, its parameters, time, warnings) and error,
 * and its product.
 */
import { useEffect, useRef, useState } from 'react';
import type { LogEntry } from '../../core/pipeline/engine';
import type { ResolvedParams } from '../../core/pipeline/params';
import { formatStepValues } from '../../core/pipeline/params';
import { useReduction } from '../../ui/reduction';
import { useNav } from '../../ui/nav';
import type { FileRecord } from '../../db/types';
import type { ProductInfo } from '../../core/pipeline/products';
import { stateClass } from './PlanTable';
import type { PlanRow } from './useRunsData';
import { downloadProduct } from './downloads';
import { utcSeconds } from '../../ui/time';
import { STEPS_OF, type PlannedInput } from '../../core/pipeline/plan';
import { CALIBRATION_STEPS, framesUsed, warningsBesidesLeftOut, type CalibrationStep } from '../../core/pipeline/products';

function changedParams(params: ResolvedParams): { step: string; name: string; value: string; source: string }[] {
  const out: { step: string; name: string; value: string; source: string }[] = [];
  for (const [step, values] of Object.entries(params)) {
    for (const [name, v] of Object.entries(values)) {
      if (v.source === 'preset' || v.source === 'user' || v.source === 'plan') out.push({ step, name, value: v.value === null ? 'auto' : String(v.value), source: v.source === 'plan' ? `set by the plan: ${v.why ?? 'for this run'}` : v.source });
    }
  }
  return out;
}

function LogTable({ log, started }: { log: LogEntry[]; started?: number }) {
  if (!log.length) return <p className="muted">No log yet.</p>;
  const t0 = started ?? log[0].time;
  // A master's steps log a line per frame: then a column says which.
  const frames = log.some((e) => e.frame !== undefined);
  return (
    <table className="log-table" aria-label="Run log">
      <thead>
        <tr><th>t (s)</th><th>Step</th>{frames && <th>Frame</th>}<th>Message</th><th>Time</th></tr>
      </thead>
      <tbody>
        {log.map((e, i) => (
          <tr key={i} className={e.level === 'warn' ? 'log-warn' : e.seconds !== undefined ? 'log-summary' : ''}>
            <td className="num">{((e.time - t0) / 1000).toFixed(2)}</td>
            <td className="mono">{e.step}</td>
            {frames && <td className="log-frame">{e.frame ?? ''}</td>}
            <td>
              {e.level === 'warn' && <strong>warning: </strong>}
              {e.message}
              {e.params && Object.keys(e.params).length > 0 && <div className="mono small muted">{formatStepValues(e.params)}</div>}
            </td>
            <td className="num">{e.seconds !== undefined ? `${e.seconds.toFixed(3)} s` : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One calibration of one input: its name, and whether the user pinned it (against the rules, if so). */
function CalCell({ step, cal }: { step: string; cal?: PlannedInput['calibrations'][CalibrationStep] }) {
  if (!cal) return <td title={`no master ${step}: the step is skipped`}><span className="muted">none</span></td>;
  return (
    <td title={cal.source}>
      {cal.name}
      {cal.pinned && <span className="muted small"> (pinned by you)</span>}
      {cal.againstRule && <div className="cal-against">the rules refuse it: {cal.againstRule}</div>}
    </td>
  );
}

/** What the product was made from, each frame one click from the inspector. */
function Provenance({ info, productId, stale, onInspect }: { info: ProductInfo; productId: string; stale: boolean; onInspect(ids: string[]): void }) {
  const cals = CALIBRATION_STEPS.flatMap((step) => (info.calibrations[step] ? [{ step, ref: info.calibrations[step]! }] : []));
  const offsets = new Map((info.members ?? []).map((m) => [m.id, m]));
  // Inputs the run refused or left out (a saturated flat, a frame a stack rejected) are listed, marked, not counted.
  const leftOut = new Map((info.leftOut ?? []).map((f) => [f.id, f.reason]));
  const { used } = framesUsed(info);
  return (
    <section className="provenance" aria-label="Provenance">
      <h3>
        {stale ? 'The stale product was made' : 'Made'} from {used} frame{used === 1 ? '' : 's'}{leftOut.size > 0 && `, ${leftOut.size} left out`}
        {info.inputs.length > 0 && <button className="small-btn" onClick={() => onInspect([productId, ...info.inputs.map((i) => i.id)])}>Inspect with its inputs</button>}
      </h3>
      <ul className="prov-list">
        {info.inputs.map((i) => {
          const m = offsets.get(i.id);
          return (
            <li key={i.id}>
              <button className="link" onClick={() => onInspect([i.id])} aria-label={`Inspect input ${i.name}`}>{i.name}</button>
              {m && <span className="muted small"> offset {m.dx.toFixed(2)}, {m.dy.toFixed(2)} px</span>}
              {leftOut.has(i.id) && <span className="prov-left-out"> left out: {leftOut.get(i.id)}</span>}
            </li>
          );
        })}
      </ul>
      {cals.length > 0 && (
        <p className="prov-cals">
          {stale ? 'Calibrations it used: ' : 'Calibrations: '}
          {cals.map(({ step, ref }, k) => (
            <span key={step}>
              {k > 0 && ', '}
              {step} <button className="link" onClick={() => onInspect([ref.id])} aria-label={`Inspect ${step} ${ref.name}`}>{ref.name}</button>
            </span>
          ))}
        </p>
      )}
    </section>
  );
}

export function RunDetails({ row, product, onClose }: { row: PlanRow; product?: FileRecord; onClose(): void }) {
  const { active, start, cancelRun } = useReduction();
  const cancelling = useReduction((s) => s.cancelling.has(row.run.key));
  const showInLibrary = useNav((s) => s.showInLibrary);
  const inspectFrames = useNav((s) => s.inspectFrames);
  const [allParams, setAllParams] = useState(false);
  const { run, last } = row;
  // The calibrations this recipe's steps apply (none for a master bias or a stack of reduced frames).
  const calSteps = STEPS_OF[run.recipe];
  const changed = changedParams(run.params);
  const live = last && (last.status === 'queued' || last.status === 'running');
  const canRun = !active && !live;
  const again = last && ['failed', 'cancelled', 'interrupted'].includes(last.status);
  const stale = row.state === 'stale';
  const warnings = product?.product ? warningsBesidesLeftOut(product.product) : [];
  // A run chosen further down the page (the details sit below the plan on a narrow window) is brought into view.
  const self = useRef<HTMLElement>(null);
  useEffect(() => { self.current?.scrollIntoView?.({ block: 'nearest' }); }, []);

  return (
    <section className="run-details" aria-label={`Run ${run.label}`} ref={self}>
      <div className="rd-head">
        <h2 title={run.label}>{run.label}</h2>
        <button className="icon-btn" aria-label="Close run details" onClick={onClose}>×</button>
      </div>
      <div className="rd-actions">
        <span className={stateClass(row.state)}>{row.state}</span>
        {live && active && (cancelling ? (
          <span className="muted" role="status">Cancelling: it stops at its next step</span>
        ) : (
          <button onClick={() => cancelRun(run.key)}>Cancel this run</button>
        ))}
        {canRun && (
          <button className={again ? 'primary' : ''} onClick={() => void start([run.key])}>
            {again ? 'Restart' : row.state === 'up to date' || row.state === 'done' ? 'Run again' : 'Run this'}
          </button>
        )}
        {product && <button onClick={() => void downloadProduct(product.id)}>Download {product.name}</button>}
        {product && <button onClick={() => showInLibrary(product.id)}>Show in library</button>}
        {product && <button onClick={() => inspectFrames([product.id])} aria-label={`Inspect ${product.name}`}>Inspect</button>}
      </div>
      {product?.product && <Provenance info={product.product} productId={product.id} stale={stale} onInspect={inspectFrames} />}
      {last?.error && <p className="rd-error" role="alert">{last.error}</p>}

      <h3>{stale || (!product && !live) ? 'Inputs of the next run' : 'Inputs'} ({run.inputs.length})</h3>
      {stale && <p className="muted small">The product above is stale: the next run uses the inputs, calibrations and parameters listed here.</p>}
      <table className="rd-inputs">
        <thead><tr><th>Frame</th>{calSteps.map((c) => <th key={c}>{c[0].toUpperCase() + c.slice(1)}</th>)}</tr></thead>
        <tbody>
          {run.inputs.map((inp) => (
            <tr key={inp.name}>
              <td>{inp.name}{inp.accept?.length ? <span className="muted small"> (kept by you)</span> : null}</td>
              {calSteps.map((c) => <CalCell key={c} step={c} cal={inp.calibrations[c]} />)}
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Parameters</h3>
      {changed.length ? (
        <ul className="rd-changed">
          {changed.map((c) => <li key={`${c.step}.${c.name}`}><code>{c.step}.{c.name} = {c.value}</code> <span className="muted small">({c.source})</span></li>)}
        </ul>
      ) : (
        <p className="muted">Defaults throughout.</p>
      )}
      <button className="link" onClick={() => setAllParams(!allParams)}>{allParams ? 'Hide' : 'Show'} every parameter</button>
      {allParams && (
        <dl className="rd-params">
          {Object.entries(run.params).map(([step, values]) => (
            <div key={step}>
              <dt className="mono">{step}</dt>
              <dd className="mono small">{formatStepValues(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.value]))) || '—'}</dd>
            </div>
          ))}
        </dl>
      )}

      {/* The left-out frames are in the provenance above, each with its reason. */}
      {warnings.length ? (
        <>
          <h3>Warnings</h3>
          <ul className="rd-warnings">{warnings.map((w) => <li key={w}>{w}</li>)}</ul>
        </>
      ) : null}

      <h3>Log{last ? ` (${last.status}${last.startedAt ? `, ${utcSeconds(last.startedAt)}` : ''})` : ''}</h3>
      {last ? <LogTable log={last.log} started={last.startedAt} /> : <p className="muted">Not run yet.</p>}
    </section>
  );
}
