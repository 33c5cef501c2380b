/**
 * What the user decided about the reduction, kept in IndexedDB: pins and
 * skips (which calibration for which frame), excluded frames, parameter
 * values and presets, and the validity of calibrations. Each change is one
 * transaction.
 */
import type { WorkbenchDb } from './schema';
import type { ExclusionRecord, OverruleRecord, ParamRecord, PinRecord } from './types';
import type { ParamLayer } from '../core/pipeline/params';
import type { Pin } from '../core/pipeline/plan';

export function listPins(db: WorkbenchDb): Promise<PinRecord[]> {
  return db.pins.toArray();
}

/** Sets a pin or skip; a frame (or scope) has at most one per step, so an earlier one is replaced. */
export async function putPin(db: WorkbenchDb, pin: Pin): Promise<void> {
  await db.transaction('rw', db.pins, async () => {
    const same = await db.pins.where('step').equals(pin.step).filter((p) => p.frameId === pin.frameId && p.scope === pin.scope && p.id !== pin.id).primaryKeys();
    await db.pins.bulkDelete(same);
    await db.pins.put({ ...pin, createdAt: Date.now() });
  });
}

export async function removePins(db: WorkbenchDb, ids: string[]): Promise<void> {
  await db.pins.bulkDelete(ids);
}

export function listExclusions(db: WorkbenchDb): Promise<ExclusionRecord[]> {
  return db.exclusions.toArray();
}

export async function excludeFrames(db: WorkbenchDb, frameIds: string[], note?: string): Promise<void> {
  const now = Date.now();
  await db.exclusions.bulkPut(frameIds.map((frameId) => ({ frameId, note, createdAt: now })));
}

export async function includeFrames(db: WorkbenchDb, frameIds: string[]): Promise<void> {
  await db.exclusions.bulkDelete(frameIds);
}

export function listOverrules(db: WorkbenchDb): Promise<OverruleRecord[]> {
  return db.overrules.toArray();
}

/** Keeps these frames although `step` refuses them (a flat the check finds saturated, say). */
export async function overrule(db: WorkbenchDb, frameIds: string[], step: string): Promise<void> {
  const now = Date.now();
  await db.overrules.bulkPut(frameIds.map((frameId) => ({ id: `${frameId}|${step}`, frameId, step, createdAt: now })));
}

export async function removeOverrules(db: WorkbenchDb, frameIds: string[], step: string): Promise<void> {
  await db.overrules.bulkDelete(frameIds.map((id) => `${id}|${step}`));
}

export function listParams(db: WorkbenchDb): Promise<ParamRecord[]> {
  return db.params.toArray();
}

export async function putParams(db: WorkbenchDb, rec: ParamRecord): Promise<void> {
  await db.params.put({ ...rec, updatedAt: Date.now() });
}

export async function removeParams(db: WorkbenchDb, ids: string[]): Promise<void> {
  await db.params.bulkDelete(ids);
}

/** The layers the plan applies, in order: active presets, then the user's values (unscoped first). */
export function paramLayers(records: readonly ParamRecord[]): ParamLayer[] {
  const presets = records.filter((r) => r.kind === 'preset' && r.active);
  const user = records.filter((r) => r.kind === 'user').sort((a, b) => Number(!!a.scope) - Number(!!b.scope) || a.updatedAt - b.updatedAt);
  return [
    ...presets.map((r): ParamLayer => ({ source: 'preset', name: r.name, scope: r.scope, values: r.values })),
    ...user.map((r): ParamLayer => ({ source: 'user', name: r.name, scope: r.scope, values: r.values })),
  ];
}

/** The validity window and valid flag of a calibration: a product's own record, or an imported master's. */
export async function setCalibrationValidity(
  db: WorkbenchDb, id: string, change: { validity?: { start: number; end: number } | null; valid?: boolean },
): Promise<void> {
  await db.transaction('rw', db.files, async () => {
    const rec = await db.files.get(id);
    if (!rec) throw new Error(`no file ${id}`);
    if (rec.product) {
      const product = { ...rec.product };
      if (change.validity !== undefined) product.validity = change.validity ?? undefined;
      if (change.valid !== undefined) product.valid = change.valid;
      await db.files.update(id, { product });
    } else {
      const calibration = { ...rec.calibration };
      if (change.validity !== undefined) calibration.validity = change.validity ?? undefined;
      if (change.valid !== undefined) calibration.valid = change.valid;
      await db.files.update(id, { calibration });
    }
  });
}
