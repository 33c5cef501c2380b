/** Every pin and skip the user made (for a frame or for a group of frames), each removable. */
import { useMemo } from 'react';
import type { Pin, Plan } from '../../core/pipeline/plan';
import { removePin, removePinIds } from './actions';
import { PinIcon } from './DecisionCell';

/** Names of every candidate the plan knows (a planned master's `run:<key>` included). */
function candidateNames(plan: Plan): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of plan.decisions) {
    for (const dec of Object.values(d.decisions)) for (const c of dec?.candidates ?? []) out.set(c.id, c.name);
  }
  return out;
}

export function PinsList({ pins, plan, names, busy, run }: {
  pins: readonly Pin[];
  plan: Plan;
  names: ReadonlyMap<string, string>;
  busy: boolean;
  run(job: () => Promise<unknown>): void;
}) {
  const calNames = useMemo(() => candidateNames(plan), [plan]);
  if (!pins.length) return <p className="muted">No pin: the rules choose every calibration.</p>;
  const sorted = [...pins].sort((a, b) => (names.get(a.frameId ?? '') ?? a.scope ?? '').localeCompare(names.get(b.frameId ?? '') ?? b.scope ?? '') || a.step.localeCompare(b.step));
  return (
    <>
      <table className="cal-pins" aria-label="Pins">
        <thead><tr><th scope="col">For</th><th scope="col">Step</th><th scope="col">Use</th><th scope="col"><span className="visually-hidden">Action</span></th></tr></thead>
        <tbody>
          {sorted.map((p) => {
            const who = p.frameId ? names.get(p.frameId) ?? 'a frame no longer in the library' : `frames where ${p.scope}`;
            const what = p.skip ? 'skip' : (calNames.get(p.calibrationId ?? '') ?? names.get(p.calibrationId ?? '')) ?? 'a calibration no longer in the library';
            return (
              <tr key={p.id}>
                <td className="cal-wrap"><PinIcon /> {who}</td>
                <td>{p.step}</td>
                <td className="cal-wrap">{what}</td>
                <td className="cal-nowrap"><button disabled={busy} onClick={() => run(() => removePin(p.id))} aria-label={`Remove the pin: ${p.step} of ${who}`}>Remove</button></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {pins.length > 1 && <button disabled={busy} onClick={() => run(() => removePinIds(pins.map((p) => p.id)))}>Remove all {pins.length} pins</button>}
    </>
  );
}
