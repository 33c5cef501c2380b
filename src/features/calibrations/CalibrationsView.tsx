/**
 * Calibrations: for every science frame, flat and dark, the bias, dark and
 * flat the plan uses and every other candidate with the first rule it
 * failed; the user pins, skips or excludes, for one frame or a selection.
 * Below, the masters (valid flag and validity window, editable; what each
 * was made from and who uses it), the flats the level check refuses, the
 * excluded frames and the pins. Everything is stored in IndexedDB and read
 * back through the live plan, so it survives a reload.
 */
import { useMemo, useRef } from 'react';
import type { CalibrationStep } from '../../core/pipeline/products';
import { useNav } from '../../ui/nav';
import { ExcludedFrames } from './ExcludedFrames';
import { FrameTable } from './FrameTable';
import { GroupActions } from './GroupActions';
import { MastersTable } from './MastersTable';
import { PinsList } from './PinsList';
import { RefusedFlats } from './RefusedFlats';
import { StaleNotice } from './StaleNotice';
import { absentHint, isProblem, plural, type FrameKind, type FrameRow } from './model';
import { useCalibrationsUi, type Show } from './store';
import { useAction } from '../../ui/useAction';
import { useCalibrationsData } from './useCalibrationsData';
import './calibrations.css';

const KINDS: { kind: FrameKind; title: string; steps: CalibrationStep[] }[] = [
  { kind: 'science', title: 'Science frames', steps: ['bias', 'dark', 'flat'] },
  { kind: 'flat', title: 'Flats', steps: ['bias', 'dark'] },
  { kind: 'dark', title: 'Darks', steps: ['bias'] },
];

const SHOW: Record<Show, (r: FrameRow) => boolean> = {
  all: () => true,
  problems: (r) => r.problems.length > 0,
  pinned: (r) => Object.values(r.d.decisions).some((d) => d?.outcome === 'pinned' || d?.outcome === 'skipped'),
};

/** A dark no master exists for and the user said nothing about: a column of "no dark in the library" says nothing. */
function stepAbsent(r: FrameRow, step: CalibrationStep): boolean {
  const d = r.d.decisions[step];
  return !d || (d.outcome === 'none' && d.candidates.length === 0 && !r.pins[step] && !isProblem(d));
}

export function CalibrationsView() {
  const { live, pins, rows, masters, refused, excluded, names } = useCalibrationsData();
  const { busy: busyWith, error, run, clear } = useAction();
  const busy = busyWith !== undefined;
  const show = useCalibrationsUi((s) => s.show);
  const setShow = useCalibrationsUi((s) => s.setShow);
  const setTab = useNav((s) => s.setTab);
  const refs = {
    frames: useRef<HTMLElement>(null),
    masters: useRef<HTMLElement>(null),
    refused: useRef<HTMLElement>(null),
    excluded: useRef<HTMLElement>(null),
    pins: useRef<HTMLElement>(null),
  };
  const viewRef = useRef<HTMLDivElement>(null);
  const topRef = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => rows.filter(SHOW[show]), [rows, show]);
  const refusedById = useMemo(() => new Map(refused.map((f) => [f.id, f])), [refused]);
  const problems = rows.filter((r) => r.problems.length).length;
  const act = (job: () => Promise<unknown>) => void run(job);

  if (!live.plan && !live.error) return <p className="empty">Building the plan…</p>;
  const plan = live.plan;
  // Scrolls the section to just under the sticky bar (whose height depends on what it shows).
  const jump = (k: keyof typeof refs) => {
    const el = refs[k].current;
    const view = viewRef.current;
    if (!el || !view) return;
    const bar = topRef.current?.offsetHeight ?? 0;
    view.scrollTo({ top: view.scrollTop + el.getBoundingClientRect().top - view.getBoundingClientRect().top - bar });
  };

  return (
    <div className="cal-view" ref={viewRef}>
      <div className="cal-top" ref={topRef}>
        <div className="cal-summary">
          <nav className="cal-jumps" aria-label="Sections">
            <button className="cal-link" onClick={() => jump('frames')}>{plural(rows.length, 'frame')}</button>
            {problems > 0 && (
              <button className="cal-badge cal-badge-none cal-badge-button" onClick={() => { setShow('problems'); jump('frames'); }} title="Show only these frames">
                {problems} without a usable calibration
              </button>
            )}
            <button className="cal-link" onClick={() => jump('masters')}>{plural(masters.length, 'master')}</button>
            <button className="cal-link" onClick={() => jump('refused')}>{plural(refused.length, 'refused flat')}</button>
            <button className="cal-link" onClick={() => jump('excluded')}>{excluded.length} excluded</button>
            <button className="cal-link" onClick={() => jump('pins')}>{plural(pins.length, 'pin')}</button>
          </nav>
          <label className="cal-field">
            <span>Show</span>
            <select value={show} onChange={(e) => setShow(e.target.value as Show)} aria-label="Which frames to show">
              <option value="all">every frame</option>
              <option value="problems">frames without a usable calibration</option>
              <option value="pinned">frames with a pin or skip</option>
            </select>
          </label>
        </div>
        {live.error && <p className="cal-error" role="alert">The plan cannot be built: {live.error}</p>}
        {error && (
          <p className="cal-error" role="alert">
            That change was not saved: {error} <button className="cal-x" aria-label="Dismiss the error" onClick={clear}>×</button>
          </p>
        )}
        <StaleNotice stale={live.stale} names={names} />
        <GroupActions rows={rows} busy={busy} run={act} />
      </div>

      <section ref={refs.frames} className="cal-section" aria-labelledby="cal-frames-h">
        <h2 id="cal-frames-h">Frames and their calibrations</h2>
        <p className="cal-hint muted">
          Each cell is the calibration the next reduction uses and why. Open a frame (▸) for every candidate and the first rule it failed;
          pin one, skip the step or exclude the frame there, or tick several frames to decide for all of them.
        </p>
        {rows.length === 0 && <p className="muted">No frame needs calibrating: add science frames and flats in the Library.</p>}
        {KINDS.map(({ kind, title, steps }) => {
          const all = rows.filter((r) => r.kind === kind);
          if (!all.length) return null;
          const these = shown.filter((r) => r.kind === kind);
          const absent = steps.filter((s) => all.every((r) => stepAbsent(r, s)));
          const columns = steps.filter((s) => !absent.includes(s));
          return (
            <div key={kind} className="cal-kind">
              <h3>{title} <span className="muted">({these.length === all.length ? all.length : `${these.length} of ${all.length}`})</span></h3>
              {absent.length > 0 && <p className="cal-hint muted">{absentHint(kind, absent, all)}</p>}
              {these.length ? <FrameTable title={title} rows={these} steps={columns} refused={refusedById} busy={busy} run={act} /> : <p className="muted">None to show.</p>}
            </div>
          );
        })}
      </section>

      <section ref={refs.masters} className="cal-section" aria-labelledby="cal-masters-h">
        <h2 id="cal-masters-h">Calibration masters</h2>
        <p className="cal-hint muted">
          A master marked invalid is never chosen by the rules; outside its validity window it is not chosen for a frame.
          {masters.some((m) => m.source === 'planned') && (
            <> Masters still to be made are editable once made: <button className="cal-link" onClick={() => setTab('runs')}>Runs</button>.</>
          )}
        </p>
        {plan && <MastersTable rows={masters} busy={busy} run={act} />}
      </section>

      <div className="cal-cards">
        <section ref={refs.refused} className="cal-section cal-card" aria-labelledby="cal-refused-h">
          <h2 id="cal-refused-h">Refused flats</h2>
          <RefusedFlats rows={refused} busy={busy} run={act} />
        </section>
        <section ref={refs.excluded} className="cal-section cal-card" aria-labelledby="cal-excluded-h">
          <h2 id="cal-excluded-h">Excluded frames</h2>
          <ExcludedFrames rows={excluded} busy={busy} run={act} />
        </section>
        <section ref={refs.pins} className="cal-section cal-card" aria-labelledby="cal-pins-h">
          <h2 id="cal-pins-h">Pins and skips</h2>
          {plan && <PinsList pins={pins} plan={plan} names={names} busy={busy} run={act} />}
        </section>
      </div>
    </div>
  );
}
