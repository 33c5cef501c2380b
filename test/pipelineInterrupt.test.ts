/**
 * A run cut off in the middle of writing its product (the page reloaded, the
 * worker was killed): nothing half-written is listed, the run shows as
 * interrupted once its session is gone, the start-up sweep reclaims the
 * strips it wrote, and a restart completes it.
 */
import 'fake-indexeddb/auto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { WorkbenchDb } from '../src/db/schema';
import { ingestOne } from '../workers/ingest';
import { closure, loadPlanInput } from '../workers/pipelineClient';
import { runInDb } from '../workers/pipelineRun';
import { buildPlan, runsToDo } from '../src/core/pipeline/plan';
import { executePlan } from '../src/core/pipeline/scheduler';
import { markInterrupted, newRunRecords } from '../src/db/runs';
import { STALE_WRITE_MS, sweepOrphanStrips } from '../src/db/products';

const NIGHT = path.resolve(__dirname, '../../shared/sample-night');
const NAME = 'pipeline-interrupt';
const open: WorkbenchDb[] = [];

afterAll(async () => {
  for (const db of open) db.close();
  await new WorkbenchDb(NAME).delete();
});

it('leaves an interrupted run with nothing half-written listed, and a restart completes it', async () => {
  const page1 = new WorkbenchDb(NAME);
  open.push(page1);
  await page1.open();
  for (const name of readdirSync(NIGHT).filter((n) => /^raw00(0[1-9]|1[0-2])\.fits$/.test(n))) {
    await ingestOne(page1, { name, path: '', bytes: new Uint8Array(readFileSync(path.join(NIGHT, name))) });
  }
  const plan = buildPlan(await loadPlanInput(page1));
  const bias = plan.runs.find((r) => r.recipe === 'makeMasterBias')!;
  const { records, ids } = newRunRecords(plan, new Set([bias.key]), 'batch-1', 'session-of-page-1');
  await page1.runs.bulkPut(records);

  // The page dies while the product is being published: its strips are written, the
  // transaction that would list it never happens (a killed worker runs no more code).
  let reachedPublish!: () => void;
  const published = new Promise<void>((resolve) => (reachedPublish = resolve));
  const transaction = page1.transaction.bind(page1) as (...args: unknown[]) => unknown;
  (page1 as unknown as { transaction: (...args: unknown[]) => unknown }).transaction = (...args: unknown[]) => {
    const tables = args[1];
    if (Array.isArray(tables) && tables.includes(page1.runs) && tables.includes(page1.files)) {
      reachedPublish();
      return new Promise(() => {});
    }
    return transaction(...args);
  };
  void executePlan(plan, (spec) => runInDb(page1, spec, { session: 'session-of-page-1', memoryBytes: 64 * 2 ** 20 }), {
    concurrency: 1, only: new Set([bias.key]), newRunId: (run) => ids.get(run.key)!,
  });
  await published;

  // A new page opens the same database.
  const page2 = new WorkbenchDb(NAME);
  open.push(page2);
  await page2.open();
  expect(await page2.files.where('type').equals('product').count()).toBe(0);
  const runId = ids.get(bias.key)!;
  expect((await page2.runs.get(runId))!.status).toBe('running');
  const unlisted = (await page2.writing.toArray()).map((w) => w.fileId);
  expect(unlisted).toHaveLength(1);
  expect(await page2.strips.where('fileId').equals(unlisted[0]).count()).toBeGreaterThan(0);

  // No page holds the dead session's lock any more: the run was interrupted.
  expect(await markInterrupted(page2, Date.now(), new Set(['session-of-page-2']))).toBe(1);
  const interrupted = (await page2.runs.get(runId))!;
  expect(interrupted.status).toBe('interrupted');
  expect(interrupted.error).toMatch(/interrupted at/);
  // The sweep reclaims the strips once the writer's heartbeat is stale.
  expect(await sweepOrphanStrips(page2, Date.now() + STALE_WRITE_MS + 1)).toBe(1);
  expect(await page2.strips.where('fileId').equals(unlisted[0]).count()).toBe(0);

  // Restart: the same slot, planned again, runs to completion.
  const again = buildPlan(await loadPlanInput(page2));
  const keys = closure(again, [bias.key]);
  expect([...keys]).toEqual([bias.key]);
  const next = newRunRecords(again, keys, 'batch-2', 'session-of-page-2');
  await page2.runs.bulkPut(next.records);
  const result = await executePlan(again, (spec) => runInDb(page2, spec, { session: 'session-of-page-2', memoryBytes: 64 * 2 ** 20 }), {
    concurrency: 1, only: keys, newRunId: (run) => next.ids.get(run.key)!,
  });
  expect(result.outcomes.get(bias.key)!.status).toBe('done');
  const products = await page2.files.where('type').equals('product').toArray();
  expect(products.map((p) => p.name)).toEqual(['raw0001_bias.fits']);
  expect((await page2.runs.get(next.ids.get(bias.key)!))!.status).toBe('done');
  expect(await page2.writing.count()).toBe(0);
  // Now up to date: a new plan does not run it again.
  expect(runsToDo(buildPlan(await loadPlanInput(page2))).map((r) => r.key)).not.toContain(bias.key);
}, 60_000);
