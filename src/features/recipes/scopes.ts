/**
 * Groups the user can give their own values: one filter, one target (the
 * values present in the library), or any select expression. The engine
 * applies a group's values to a run when the expression accepts every input
 * frame of the run (plan.ts), so a filter group reaches master flats,
 * reductions and stacks of that filter but never a master bias; `reach`
 * counts, per recipe, the runs of the current plan a group reaches.
 */
import { compileSelect, descriptorRow, type Classification } from '../../core/classify';

export { scopeError } from '../../core/pipeline/paramFile';
import type { PlanFrame } from '../../core/pipeline/facts';
import type { Plan, PlannedRun } from '../../core/pipeline/plan';
import type { RecipeName } from '../../core/pipeline/recipes';

export interface ScopeOption {
  scope: string;
  label: string;
  kind: 'filter' | 'object' | 'other';
}

/** A select-language string literal: single quotes, a quote inside doubled (select.ts). */
export function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function distinct(values: (string | undefined)[]): string[] {
  const seen = new Map<string, string>();
  for (const v of values) {
    const t = v?.trim();
    if (t && !seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  }
  return [...seen.values()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

/** The filters and targets of the raw frames in the library, as groups. */
export function libraryScopes(frames: readonly PlanFrame[]): ScopeOption[] {
  const raw = frames.filter((f) => !f.product && f.status === 'ok');
  const filters = distinct(raw.filter((f) => f.type === 'flat' || f.type === 'science').map((f) => f.descriptors.filter));
  const objects = distinct(raw.filter((f) => f.type === 'science').map((f) => f.descriptors.object));
  return [
    ...filters.map((v): ScopeOption => ({ scope: `filter == ${quote(v)}`, label: `Filter ${v}`, kind: 'filter' })),
    ...objects.map((v): ScopeOption => ({ scope: `object == ${quote(v)}`, label: `Target ${v}`, kind: 'object' })),
  ];
}

/** The raw frames behind a run: its input files, or through the runs it reads (a stack's reductions). */
function framesOf(run: PlannedRun, runs: Map<string, PlannedRun>, files: Map<string, PlanFrame>): PlanFrame[] {
  const out: PlanFrame[] = [];
  for (const inp of run.inputs) {
    if ('file' in inp.ref) {
      const f = files.get(inp.ref.file);
      if (f) out.push(f);
    } else {
      const dep = runs.get(inp.ref.run);
      if (dep) out.push(...framesOf(dep, runs, files));
    }
  }
  return out;
}

export type Reach = Record<RecipeName, { reached: number; total: number }>;

/** Per recipe, how many runs of the plan the group's values would apply to, out of how many. */
export function reach(scope: string, plan: Plan, frames: readonly PlanFrame[]): Reach | undefined {
  let match: ReturnType<typeof compileSelect>;
  try {
    match = compileSelect(scope);
  } catch {
    return undefined;
  }
  const files = new Map(frames.map((f) => [f.id, f]));
  const runs = new Map(plan.runs.map((r) => [r.key, r]));
  // The row the plan builds for a frame: descriptors, the effective type, the file name.
  const accepts = (f: PlanFrame) => match(descriptorRow(f.descriptors, { type: f.type } as Classification, f.name));
  const out = {
    makeMasterBias: { reached: 0, total: 0 },
    makeMasterDark: { reached: 0, total: 0 },
    makeMasterFlat: { reached: 0, total: 0 },
    reduceScience: { reached: 0, total: 0 },
    stackScience: { reached: 0, total: 0 },
  } satisfies Reach;
  for (const run of plan.runs) {
    const r = out[run.recipe];
    r.total++;
    const fs = framesOf(run, runs, files);
    if (fs.length && fs.every(accepts)) r.reached++;
  }
  return out;
}
