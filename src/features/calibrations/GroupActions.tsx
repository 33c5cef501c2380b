/**
 * What the user decides for the selected frames at once: one calibration for
 * a step (from the candidates they all have), skipping a step, removing
 * their pins of a step, excluding them.
 */
import { useMemo, useState } from 'react';
import type { CalibrationStep } from '../../core/pipeline/products';
import { exclude, putPinFor, removePinIds } from './actions';
import { commonCandidates, plural, type FrameRow } from './model';
import { CALIBRATION_STEPS } from '../../core/pipeline/products';
import { useCalibrationsUi } from './store';

export function GroupActions({ rows, busy, run }: { rows: FrameRow[]; busy: boolean; run(job: () => Promise<unknown>): void }) {
  const selectedIds = useCalibrationsUi((s) => s.selected);
  const clear = useCalibrationsUi((s) => s.clearSelection);
  const step = useCalibrationsUi((s) => s.groupStep);
  const setStep = useCalibrationsUi((s) => s.setGroupStep);
  const selected = useMemo(() => rows.filter((r) => selectedIds.has(r.d.id)), [rows, selectedIds]);
  const steps = CALIBRATION_STEPS.filter((s) => selected.some((r) => r.d.decisions[s]));
  const current: CalibrationStep = steps.includes(step) ? step : steps[0] ?? step;
  const { frames, candidates } = useMemo(() => commonCandidates(selected, current), [selected, current]);
  const [choice, setChoice] = useState('');
  const cand = candidates.find((c) => c.id === choice) ?? candidates[0];
  if (!selected.length) return null;
  const withStep = selected.filter((r) => r.d.decisions[current]).map((r) => r.d.id);
  const pinIds = selected.map((r) => r.pins[current]?.id).filter((id): id is string => !!id);
  const fitWords = (c: (typeof candidates)[number]) =>
    c.fails.length === 0 ? `fits all ${frames}` : `rules refuse it for ${c.fails.reduce((n, f) => n + f.count, 0)}: ${c.fails[0].reason}`;

  return (
    <div className="cal-group" role="region" aria-label="Selected frames">
      <strong>{plural(selected.length, 'frame')} selected</strong>
      <label className="cal-field">
        <span>Step</span>
        <select value={current} onChange={(e) => { setStep(e.target.value as CalibrationStep); setChoice(''); }} aria-label="Step for the selected frames">
          {steps.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      {candidates.length > 0 ? (
        <label className="cal-field cal-field-grow">
          <span>Use</span>
          <select value={cand?.id ?? ''} onChange={(e) => setChoice(e.target.value)} aria-label={`The ${current} for the selected frames`}>
            {candidates.map((c) => <option key={c.id} value={c.id}>{c.name} ({fitWords(c)})</option>)}
          </select>
        </label>
      ) : (
        <span className="muted">No {current} is a candidate for every selected frame.</span>
      )}
      <span className="cal-group-buttons">
        <button className="primary" disabled={busy || !cand} onClick={() => cand && run(() => putPinFor(withStep, current, { calibrationId: cand.id }))}>
          Pin to {plural(withStep.length, 'frame')}
        </button>
        <button disabled={busy || !withStep.length} onClick={() => run(() => putPinFor(withStep, current, { skip: true }))}>
          Skip the {current}
        </button>
        <button disabled={busy || !pinIds.length} onClick={() => run(() => removePinIds(pinIds))} title={`Remove the ${current} pins and skips of the selected frames`}>
          Remove their {current} pins ({pinIds.length})
        </button>
        <button className="danger" disabled={busy} onClick={() => run(async () => { await exclude(selected.map((r) => r.d.id)); clear(); })}>
          Exclude {plural(selected.length, 'frame')}
        </button>
        <button onClick={clear}>Clear selection</button>
      </span>
    </div>
  );
}
