/**
 * runInDb's deferred last write (deferTail, what the pipeline worker uses):
 * the run's result comes back before the write of its log's last lines, and
 * once the caller has waited for that write the record holds the whole log,
 * as it does when runInDb waits for it itself.
 */
import 'fake-indexeddb/auto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WorkbenchDb } from '../src/db/schema';
import { ingestOne } from '../workers/ingest';
import { loadPlanInput } from '../workers/pipelineClient';
import { runInDb } from '../workers/pipelineRun';
import { buildPlan, runsToDo } from '../src/core/pipeline/plan';
import { executePlan } from '../src/core/pipeline/scheduler';
import { newRunRecords } from '../src/db/runs';
import type { RunRecord } from '../src/db/types';

const NIGHT = path.resolve(__dirname, '../../shared/sample-night');
let db: WorkbenchDb;

beforeAll(async () => {
  db = new WorkbenchDb('pipeline-run-tail');
  await db.open();
  for (const name of readdirSync(NIGHT).filter((n) => n.endsWith('.fits')).sort()) {
    const out = await ingestOne(db, { name, path: '', bytes: new Uint8Array(readFileSync(path.join(NIGHT, name))) });
    expect(out.status).toBe('ok');
  }
}, 60_000);

afterAll(async () => {
  db?.close();
  await db?.delete();
});

it('hands the last record write to deferTail; once it has landed the record holds the whole log, storage line included', async () => {
  const plan = buildPlan(await loadPlanInput(db));
  const keys = new Set(runsToDo(plan).filter((r) => r.recipe === 'makeMasterBias').map((r) => r.key));
  expect(keys.size).toBe(1);
  const { records, ids } = newRunRecords(plan, keys, 'batch-tail', 'session-tail');
  await db.runs.bulkPut(records);
  // The last write (progress 1 after the product) is held back a moment, so that it lands only if waited for.
  const update = db.runs.update.bind(db.runs);
  db.runs.update = ((id: string, patch: Partial<RunRecord>) =>
    patch.progress === 1 && patch.step === 'done' && patch.heartbeat !== undefined && patch.status === undefined ? new Promise((r) => setTimeout(r, 200)).then(() => update(id, patch)) : update(id, patch)) as typeof db.runs.update;
  const tails: Promise<unknown>[] = [];
  const logs: string[][] = [];
  const result = await executePlan(plan, async (spec) => {
    const r = await runInDb(db, spec, { session: 'session-tail', memoryBytes: 64 * 2 ** 20, deferTail: (w) => tails.push(w) });
    logs.push(r.log.map((e) => `${e.step}: ${e.message}`));
    return r;
  }, { concurrency: 1, only: keys, newRunId: (run) => ids.get(run.key)! });
  expect([...result.outcomes.values()].filter((o) => o.status === 'done')).toHaveLength(1);
  expect(tails).toHaveLength(1);
  expect(logs[0].some((l) => l.startsWith('storage: read'))).toBe(true);
  // The result came back before the write: the record has the log of the product's publishing, not its storage line.
  const before = (await db.runs.toArray()).find((r) => r.batch === 'batch-tail')!;
  expect(before.status).toBe('done');
  expect(before.log.some((e) => e.step === 'storage')).toBe(false);
  await Promise.all(tails);
  const run = (await db.runs.toArray()).find((r) => r.batch === 'batch-tail')!;
  expect(run).toMatchObject({ status: 'done', step: 'done', progress: 1 });
  expect(run.log.map((e) => `${e.step}: ${e.message}`)).toEqual(logs[0]);
});
