/** One frame's decision for one step, as a table cell: what is used and why, pins marked, problems standing out. */
import type { StepDecision } from '../../core/pipeline/associate';
import type { CalibrationStep } from '../../core/pipeline/products';
import { putPinFor, removePin } from './actions';
import { chosenVerdict } from '../../core/pipeline/associate';
import { isProblem, type FrameRow } from './model';

export function PinIcon() {
  // A drawn pin, not an emoji: the page uses system fonts only, which may lack emoji.
  return (
    <svg className="cal-pin-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
      <path d="M5 1h6l-1 5 3 3H9l-1 6-1-6H3l3-3z" fill="currentColor" />
    </svg>
  );
}

function Outcome({ dec }: { dec: StepDecision }) {
  const chosen = chosenVerdict(dec);
  switch (dec.outcome) {
    case 'chosen':
      return (
        <>
          <span className="cal-name" title={chosen!.name}>{chosen!.name}</span>
          <span className="cal-why">{chosen!.reason}</span>
        </>
      );
    case 'pinned':
      return (
        <>
          <span className="cal-name" title={chosen!.name}><span className="cal-badge cal-badge-pin"><PinIcon /> pinned</span> {chosen!.name}</span>
          <span className={`cal-why${chosen!.failedRule ? ' cal-note' : ''}`}>{chosen!.reason}</span>
        </>
      );
    case 'skipped':
      return <span className="cal-name"><span className="cal-badge cal-badge-pin"><PinIcon /> skipped</span> skipped by you</span>;
    default:
      if (!isProblem(dec)) return <span className="cal-why">{dec.summary}</span>;
      return (
        <>
          <span className="cal-problem"><span className="cal-badge cal-badge-none">no {dec.step}</span> {dec.summary}</span>
          {/* The summary counts reasons by rule; with a few candidates, each one's own words say more. */}
          {dec.candidates.length > 1 && dec.candidates.length <= 3 && (
            <ul className="cal-reasons">
              {dec.candidates.map((c) => <li key={c.id}><span className="cal-cand-name">{c.name}</span>: {c.reason}</li>)}
            </ul>
          )}
        </>
      );
  }
}

export function DecisionCell({ row, step, busy, run }: { row: FrameRow; step: CalibrationStep; busy: boolean; run(job: () => Promise<unknown>): void }) {
  const dec = row.d.decisions[step];
  if (!dec) return <td className="cal-dec cal-na" data-step={step}><span className="muted">not applied</span></td>;
  const pin = row.pins[step];
  const groupPin = !pin && (dec.outcome === 'pinned' || dec.outcome === 'skipped');
  return (
    <td className={`cal-dec cal-${dec.outcome}${isProblem(dec) ? ' cal-has-problem' : ''}`} data-step={step}>
      <div className="cal-dec-body">
        <div className="cal-dec-text"><Outcome dec={dec} />{groupPin && <span className="cal-why">(by a pin for a group of frames: see Pins)</span>}</div>
        {pin && (
          <button
            className="cal-x"
            disabled={busy}
            title="Remove your pin: the rules decide again"
            aria-label={`Remove the ${step} pin of ${row.d.name}`}
            onClick={() => run(() => removePin(pin.id))}
          >
            ×
          </button>
        )}
        {!pin && isProblem(dec) && (
          <button
            className="cal-mini"
            disabled={busy}
            title={`Reduce ${row.d.name} without a ${step}`}
            aria-label={`Skip the ${step} of ${row.d.name}`}
            onClick={() => run(() => putPinFor([row.d.id], step, { skip: true }))}
          >
            skip
          </button>
        )}
      </div>
    </td>
  );
}
