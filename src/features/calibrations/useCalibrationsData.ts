/**
 * The calibrations view's data: the live plan (the one "Reduce all" runs),
 * the user's pins, and the stored records of masters and flats (statistics,
 * what said a file is a master), joined into rows by model.ts.
 */
import { useMemo } from 'react';
import { adcLimit } from '../../core/pipeline/astroFrame';
import { getHeaders, listFiles } from '../../db/files';
import { getDb } from '../../db/schema';
import type { Pin } from '../../core/pipeline/plan';
import type { FileRecord } from '../../db/types';
import { usePlan, type LivePlan } from '../../ui/usePlan';
import { useThrottledLiveQuery } from '../../ui/useThrottledLiveQuery';
import { frameRows, masterRows, refusedFlats, type FlatLevel, type FrameRow, type MasterRow, type RefusedFlat } from './model';

export interface CalibrationsData {
  live: LivePlan;
  pins: readonly Pin[];
  rows: FrameRow[];
  masters: MasterRow[];
  refused: RefusedFlat[];
  /** Frames the user excluded, with their names. */
  excluded: { id: string; name: string; note?: string }[];
  names: ReadonlyMap<string, string>;
}

/** A file's headers never change (its id is the hash of its bytes): the ADC limit is read once. */
const adcCache = new Map<string, number | null>();

async function saturationOf(f: FileRecord): Promise<number | undefined> {
  if (f.descriptors.saturation !== undefined) return f.descriptors.saturation;
  if (!adcCache.has(f.id)) {
    const h = await getHeaders(getDb(), f.id);
    const cards = h?.hdus.find((x) => x.index === f.imageHdu)?.cards;
    adcCache.set(f.id, (cards && adcLimit(cards)) ?? null);
  }
  return adcCache.get(f.id) ?? undefined;
}

interface Stored {
  /** Masters (ours and imported): what said so. */
  masters: Map<string, FileRecord>;
  /** Raw flats' levels at ingest, for the warning before a run. */
  levels: Map<string, FlatLevel>;
}

async function loadStored(): Promise<Stored> {
  const files = await listFiles(getDb());
  const masters = new Map<string, FileRecord>();
  const levels = new Map<string, FlatLevel>();
  for (const f of files) {
    if ((f.user ?? f.auto).master) masters.set(f.id, f);
    if (f.type === 'flat' && f.status === 'ok' && f.stats) {
      levels.set(f.id, { median: f.stats.median, saturatedFraction: f.stats.saturatedFraction, colours: f.stats.colours, saturation: await saturationOf(f) });
    }
  }
  return { masters, levels };
}

export function useCalibrationsData(): CalibrationsData {
  const live = usePlan();
  const stored = useThrottledLiveQuery(loadStored, ['files']);
  return useMemo(() => {
    const { plan, input } = live;
    // The pins the plan was built from (read with it), so a cell and its pin never disagree for a moment.
    const pins = input?.pins ?? [];
    const names = new Map((input?.frames ?? []).map((f) => [f.id, f.name]));
    if (!plan || !input) return { live, pins, rows: [], masters: [], refused: [], excluded: [], names };
    const frames = new Map(input.frames.map((f) => [f.id, f]));
    return {
      live,
      pins,
      rows: frameRows(plan, frames, pins),
      masters: masterRows(plan, input, live.stale, stored?.masters ?? new Map()),
      refused: refusedFlats(plan, input, stored?.levels ?? new Map()),
      excluded: (input.exclusions ?? []).map((e) => ({ id: e.frameId, name: names.get(e.frameId) ?? `${e.frameId.slice(0, 12)}… (no longer in the library)`, note: e.note })),
      names,
    };
  }, [live, stored]);
}
