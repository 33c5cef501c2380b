/**
 * Every candidate of every step for one frame, with the plan's verdict and
 * reason in words, and what the user can do about it: pin another
 * calibration, skip the step, remove a pin, exclude the frame.
 */
import type { CandidateVerdict } from '../../core/pipeline/associate';
import type { CalibrationStep } from '../../core/pipeline/products';
import { useNav } from '../../ui/nav';
import { exclude, putPinFor, removePin } from './actions';
import { PinIcon } from './DecisionCell';
import { SOURCE_LABEL, type FrameRow } from './model';
import { CALIBRATION_STEPS } from '../../core/pipeline/products';
import { useCalibrationsUi } from './store';

const VERDICT: Record<CandidateVerdict['verdict'], string> = { chosen: 'used', outranked: 'passes, not chosen', failed: 'fails a rule' };

function StepCandidates({ row, step, busy, run }: { row: FrameRow; step: CalibrationStep; busy: boolean; run(job: () => Promise<unknown>): void }) {
  const dec = row.d.decisions[step]!;
  const pin = row.pins[step];
  const frame = row.d.name;
  return (
    <div className="cal-step">
      <div className="cal-step-head">
        <h4>{step}</h4>
        <span className="cal-step-summary">{dec.summary}</span>
        <span className="cal-step-actions">
          {pin && (
            <button disabled={busy} onClick={() => run(() => removePin(pin.id))}>
              {pin.skip ? 'Undo the skip' : 'Remove the pin'}
            </button>
          )}
          {/* Skipping a step nothing could do changes nothing. */}
          {dec.outcome !== 'skipped' && dec.candidates.length > 0 && (
            <button disabled={busy} onClick={() => run(() => putPinFor([row.d.id], step, { skip: true }))}>
              Skip the {step}
            </button>
          )}
        </span>
      </div>
      {dec.candidates.length === 0 ? (
        <p className="muted cal-none-here">No {step} in the library{step === 'dark' ? ': the frame is reduced without one' : ''}.</p>
      ) : (
        <table className="cal-cands">
          <thead>
            <tr><th scope="col">Candidate</th><th scope="col">Verdict</th><th scope="col">Why</th><th scope="col"><span className="visually-hidden">Action</span></th></tr>
          </thead>
          <tbody>
            {dec.candidates.map((c) => {
              const pinned = dec.outcome === 'pinned' && c.verdict === 'chosen';
              return (
                <tr key={c.id} className={`cal-cand cal-cand-${c.verdict}`}>
                  <td className="cal-wrap"><span className="cal-cand-name">{c.name}</span><span className="cal-why">{SOURCE_LABEL[c.source]}</span></td>
                  <td className="cal-nowrap">{pinned ? <span className="cal-badge cal-badge-pin"><PinIcon /> pinned</span> : VERDICT[c.verdict]}</td>
                  <td className="cal-wrap">{c.reason}</td>
                  <td className="cal-nowrap">
                    {!pinned && (
                      <button disabled={busy} onClick={() => run(() => putPinFor([row.d.id], step, { calibrationId: c.id }))} aria-label={`Pin ${c.name} as the ${step} of ${frame}`}>
                        Pin
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function FrameDetails({ row, busy, run }: { row: FrameRow; busy: boolean; run(job: () => Promise<unknown>): void }) {
  const showInLibrary = useNav((s) => s.showInLibrary);
  const setSelected = useCalibrationsUi((s) => s.setSelected);
  return (
    <div className="cal-details" role="group" aria-label={`Candidates for ${row.d.name}`}>
      <div className="cal-details-actions">
        <span className="muted">Pin a candidate to use it whatever the rules say; a pin wins until you remove it.</span>
        <button disabled={busy} onClick={() => { setSelected([row.d.id], false); run(() => exclude([row.d.id])); }} aria-label={`Exclude ${row.d.name}`}>
          Exclude this frame
        </button>
        <button onClick={() => showInLibrary(row.d.id)}>Show in library</button>
      </div>
      {CALIBRATION_STEPS.filter((s) => row.d.decisions[s]).map((s) => <StepCandidates key={s} row={row} step={s} busy={busy} run={run} />)}
    </div>
  );
}
