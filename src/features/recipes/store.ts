/**
 * The parameter records (IndexedDB `params`, through db/pipelineState.ts)
 * as the recipes view holds them, and its UI state (which recipe, which
 * group). A write updates the list here at once and then goes to IndexedDB:
 * the field shows its new value without waiting for the store's change
 * notification, which only re-reads (and keeps other tabs in step).
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import { validateParamFile, type ParamFile } from '../../core/pipeline/params';
import { RECIPE_SCHEMAS, type RecipeName } from '../../core/pipeline/recipes';
import { onTablesChanged } from '../../db/live';
import { listParams, putParams, removeParams } from '../../db/pipelineState';
import { getDb } from '../../db/schema';
import type { ParamRecord } from '../../db/types';
import { countValues } from './values';

interface RecipesState {
  records?: ParamRecord[];
  /** Why the records could not be read or written. */
  error?: string;
  recipe: RecipeName;
  /** The group being edited; undefined = every frame. */
  scope?: string;
  /** When this view last started a re-run: its outcome is shown here (a "Reduce all" of the runs view is not). */
  rerunAt?: number;
  /**
   * Text typed in a field and not stored (refused, or not committed yet),
   * with the reason it was refused, by fieldKey(): it is still there, with
   * its reason, when the user comes back from another recipe or group.
   */
  drafts: Readonly<Record<string, FieldDraft>>;
  setRecipe(recipe: RecipeName): void;
  setScope(scope: string | undefined): void;
  setDraft(key: string, draft: FieldDraft | undefined): void;
}

export interface FieldDraft {
  text?: string;
  error?: string;
}

/** A field's key among the drafts: the group being edited and "recipe.step.param". */
export const fieldKey = (scope: string | undefined, name: string): string => `${scope ?? ''}\u0000${name}`;

export const useRecipes = create<RecipesState>((set) => ({
  recipe: 'makeMasterBias',
  scope: undefined,
  drafts: {},
  setRecipe: (recipe) => set({ recipe }),
  setScope: (scope) => set({ scope }),
  setDraft: (key, draft) => set((s) => {
    const { [key]: _, ...rest } = s.drafts;
    return { drafts: draft && (draft.text !== undefined || draft.error !== undefined) ? { ...rest, [key]: draft } : rest };
  }),
}));

/** Local writes since start: a re-read begun before the latest one would bring back older records. */
let writes = 0;

async function reload(): Promise<void> {
  const seen = writes;
  try {
    const records = await listParams(getDb());
    if (seen === writes) useRecipes.setState({ records, error: undefined });
  } catch (err) {
    useRecipes.setState({ error: `Cannot read the parameters: ${err instanceof Error ? err.message : String(err)}` });
  }
}

/** Keeps the records current while the view is shown. */
export function useParamRecordsSync(): void {
  useEffect(() => {
    void reload();
    return onTablesChanged(['params'], () => void reload());
  }, []);
}

async function write(change: (records: ParamRecord[]) => ParamRecord[], job: () => Promise<void>): Promise<void> {
  writes++;
  const before = useRecipes.getState().records ?? [];
  useRecipes.setState({ records: change(before), error: undefined });
  try {
    await job();
  } catch (err) {
    useRecipes.setState({ records: before, error: `Not saved: ${err instanceof Error ? err.message : String(err)}` });
    throw err;
  } finally {
    writes++;
    void reload();
  }
}

/** A last check before anything is stored: the fields refuse bad values, and nothing else may slip one in. */
function problemsOf(rec: ParamRecord): string[] {
  return validateParamFile(rec.values, RECIPE_SCHEMAS, rec.kind === 'preset' ? `preset ${rec.name}` : 'your values');
}

/** Saves a record; a user record left without values is removed instead (a group with nothing set is no layer). */
export function saveRecord(rec: ParamRecord): Promise<void> {
  if (rec.kind === 'user' && countValues(rec.values) === 0) return removeRecords([rec.id]);
  const refused = problemsOf(rec);
  if (refused.length) return Promise.reject(new Error(refused.join('\n')));
  const stamped = { ...rec, updatedAt: Date.now() };
  return write(
    (rs) => [...rs.filter((r) => r.id !== rec.id), stamped],
    () => putParams(getDb(), stamped),
  );
}

export function removeRecords(ids: string[]): Promise<void> {
  return write(
    (rs) => rs.filter((r) => !ids.includes(r.id)),
    () => removeParams(getDb(), ids),
  );
}

/**
 * Several records in one transaction (an import): all are written or none.
 * (A bulk repository function in db/pipelineState.ts would be the tidier
 * home; putParams and removeParams join this transaction as Dexie nests them.)
 */
export function saveRecords(recs: ParamRecord[], removeIds: string[] = []): Promise<void> {
  const now = Date.now();
  // Distinct times keep their order, which is the order scoped user layers apply in (paramLayers).
  const stamped = recs.map((r, i) => ({ ...r, updatedAt: now + i }));
  const refused = stamped.flatMap(problemsOf);
  if (refused.length) return Promise.reject(new Error(refused.join('\n')));
  const ids = new Set([...stamped.map((r) => r.id), ...removeIds]);
  const db = getDb();
  return write(
    (rs) => [...rs.filter((r) => !ids.has(r.id)), ...stamped],
    () => db.transaction('rw', db.params, async () => {
      if (removeIds.length) await removeParams(db, removeIds);
      // putParams stamps its own time; records written in one go may share it and then apply in id order.
      for (const r of stamped) await putParams(db, r);
    }),
  );
}

export function userRecordId(scope: string | undefined): string {
  return scope ? `user:${scope}` : 'user';
}

/** The user's record for a group (or for every frame), or a new empty one. */
export function userRecord(records: readonly ParamRecord[], scope: string | undefined): ParamRecord {
  const found = records.find((r) => r.kind === 'user' && (r.scope || undefined) === scope);
  return found ?? { id: userRecordId(scope), kind: 'user', name: scope ? 'group values' : 'my values', scope, values: {} as ParamFile, updatedAt: Date.now() };
}

export const presetsOf = (records: readonly ParamRecord[]) =>
  records.filter((r) => r.kind === 'preset').sort((a, b) => a.name.localeCompare(b.name));
