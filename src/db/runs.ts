/**
 * Run records: one per execution of a planned run, with its status,
 * progress, log and error, so the page can show what is queued, running,
 * done or failed, and a reload can tell which runs it interrupted.
 *
 * A run is live while the page session that runs it lives. Each page holds a
 * Web Lock named after its session for its whole life; a queued or running
 * record whose session's lock nobody holds was interrupted (reload, crash,
 * closed tab). Where Web Locks are missing (Node tests), a heartbeat older
 * than STALE_RUN_MS says the same.
 */
import type { WorkbenchDb } from './schema';
import type { RunRecord, RunStatus } from './types';
import type { Plan } from '../core/pipeline/plan';

export const STALE_RUN_MS = 60_000;
export const SESSION_LOCK_PREFIX = 'ccd-workbench-session-';

const LIVE: RunStatus[] = ['queued', 'running'];

export function createRuns(db: WorkbenchDb, runs: RunRecord[]): Promise<unknown> {
  return db.runs.bulkPut(runs);
}

export function updateRun(db: WorkbenchDb, id: string, patch: Partial<RunRecord>): Promise<number> {
  return db.runs.update(id, patch);
}

export function getRun(db: WorkbenchDb, id: string): Promise<RunRecord | undefined> {
  return db.runs.get(id);
}

export function listRuns(db: WorkbenchDb): Promise<RunRecord[]> {
  return db.runs.orderBy('createdAt').toArray();
}

/** Runs of one product slot, newest first. */
export async function runsOfKey(db: WorkbenchDb, key: string): Promise<RunRecord[]> {
  return (await db.runs.where('key').equals(key).toArray()).sort((a, b) => b.createdAt - a.createdAt);
}

/** Sessions whose Web Lock is held right now (undefined where the API is missing). */
export async function liveSessions(): Promise<Set<string> | undefined> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks?.query) return undefined;
  const snapshot = await locks.query();
  const names = [...(snapshot.held ?? []), ...(snapshot.pending ?? [])].map((l) => l.name ?? '');
  return new Set(names.filter((n) => n.startsWith(SESSION_LOCK_PREFIX)).map((n) => n.slice(SESSION_LOCK_PREFIX.length)));
}

/**
 * Marks queued and running records of dead sessions 'interrupted' (their
 * products were never published: the store publishes atomically, and the
 * start-up sweep removes the strips they left). Returns how many it marked.
 */
export async function markInterrupted(db: WorkbenchDb, now = Date.now(), sessions?: Set<string>): Promise<number> {
  const live = sessions ?? (await liveSessions());
  return db.transaction('rw', db.runs, async () => {
    const stale = await db.runs.where('status').anyOf(LIVE).filter((r) => {
      if (live && r.session) return !live.has(r.session);
      return now - (r.heartbeat ?? r.createdAt) > STALE_RUN_MS;
    }).toArray();
    for (const r of stale) {
      await db.runs.update(r.id, {
        status: 'interrupted',
        endedAt: now,
        error: r.status === 'running' ? `interrupted at "${r.step || 'start'}" (page reloaded or closed)` : 'interrupted before it started (page reloaded or closed)',
      });
    }
    return stale.length;
  });
}

/** Queued records for the runs of a plan about to execute, and the record id of each run key. */
export function newRunRecords(plan: Plan, keys: ReadonlySet<string>, batch: string, session: string, now = Date.now()): { records: RunRecord[]; ids: Map<string, string> } {
  const ids = new Map<string, string>();
  const records = plan.runs.filter((r) => keys.has(r.key)).map((r): RunRecord => {
    const id = `run-${crypto.randomUUID()}`;
    ids.set(r.key, id);
    return { id, key: r.key, batch, label: r.label, recipe: r.recipe, status: 'queued', planned: r, progress: 0, step: '', log: [], createdAt: now, heartbeat: now, session };
  });
  return { records, ids };
}
