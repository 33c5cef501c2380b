/** The user's say, written to IndexedDB (src/db/pipelineState.ts); the live plan reflects each within ~0.3 s. */
import type { CalibrationStep } from '../../core/pipeline/products';
import {
  excludeFrames, includeFrames, overrule, putPin, removeOverrules, removePins, setCalibrationValidity,
} from '../../db/pipelineState';
import { getDb } from '../../db/schema';
import { FLAT_CHECK, pinId } from './model';

/** Pins `calibrationId` (or a skip) for each frame and this step: one pin per frame, so each shows and goes on its own. */
export async function putPinFor(frameIds: readonly string[], step: CalibrationStep, what: { calibrationId: string } | { skip: true }): Promise<void> {
  const db = getDb();
  for (const frameId of frameIds) await putPin(db, { id: pinId(frameId, step), step, frameId, ...what });
}

export const removePin = (id: string) => removePins(getDb(), [id]);
export const removePinIds = (ids: string[]) => removePins(getDb(), ids);
export const exclude = (ids: string[]) => excludeFrames(getDb(), ids);
export const include = (ids: string[]) => includeFrames(getDb(), ids);
export const keepFlats = (ids: string[]) => overrule(getDb(), ids, FLAT_CHECK);
export const refuseFlatsAgain = (ids: string[]) => removeOverrules(getDb(), ids, FLAT_CHECK);
export const setValidity = (id: string, validity: { start: number; end: number } | null) => setCalibrationValidity(getDb(), id, { validity });
export const setValid = (id: string, valid: boolean) => setCalibrationValidity(getDb(), id, { valid });
