/**
 * Nothing lost: every write of an ingest and of a product commit is made to
 * fail in turn, and the database must stay consistent. Each file and product
 * is fully there (listing, headers, every strip of every plane) or not at all,
 * no strip is left without its file, and a run ends done (with its product) or
 * failed/interrupted (without one).
 *
 * Faults are injected below Dexie (a DBCore middleware failing the Nth
 * mutation), so every put, bulkPut and delete of the repositories is a step.
 * Two kinds of failure:
 * - "quota": the Nth write throws QuotaExceededError, the code goes on (a
 *   full disk): its own error handling must clean up, and the message must
 *   say the quota is full;
 * - "crash": the Nth write fails and no write after it ever lands (the
 *   worker or the page died there): a new connection, after the start-up
 *   sweeps a reloaded page runs, must find the database consistent.
 * A transaction that sees a failure aborts whole, as IndexedDB's does.
 */
import 'fake-indexeddb/auto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DBCore, DBCoreMutateRequest, DBCoreTable, Middleware } from 'dexie';
import { WorkbenchDb } from '../src/db/schema';
import { stripRowsFor } from '../src/db/files';
import { STALE_WRITE_MS, sweepOrphanStrips } from '../src/db/products';
import { markInterrupted, newRunRecords } from '../src/db/runs';
import { putPin, putParams } from '../src/db/pipelineState';
import { buildPlan, type Plan, type PlannedRun } from '../src/core/pipeline/plan';
import { executePlan } from '../src/core/pipeline/scheduler';
import { ingestOne } from '../workers/ingest';
import { loadPlanInput } from '../workers/pipelineClient';
import { runInDb } from '../workers/pipelineRun';

const NIGHT = path.resolve(__dirname, '../../shared/sample-night');
const FIXTURES = path.resolve(__dirname, '../../shared/fixtures/fits');
const raw = (dir: string, name: string) => ({ name, path: '', bytes: new Uint8Array(readFileSync(path.join(dir, name))) });

interface Faults {
  /** Mutations seen so far. */
  count: number;
  /** The mutation (1-based) that fails. */
  failAt: number;
  /** After the failure, every later mutation fails too (the writer is dead). */
  crash: boolean;
  dead: boolean;
}

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** A connection whose Nth mutation fails. */
async function faultyDb(name: string, faults: Faults): Promise<WorkbenchDb> {
  const db = new WorkbenchDb(name);
  const middleware: Middleware<DBCore> = {
    stack: 'dbcore',
    name: 'nothing-lost-faults',
    create: (down) => ({
      ...down,
      table(tableName: string): DBCoreTable {
        const table = down.table(tableName);
        return {
          ...table,
          mutate(req: DBCoreMutateRequest) {
            if (faults.dead) return Promise.reject(quota());
            faults.count++;
            if (faults.count === faults.failAt) {
              if (faults.crash) faults.dead = true;
              return Promise.reject(quota());
            }
            return table.mutate(req);
          },
        };
      },
    }),
  };
  db.use(middleware);
  await db.open();
  return db;
}

function noFaults(): Faults {
  return { count: 0, failAt: Infinity, crash: false, dead: false };
}

/**
 * The database's invariants: every listed file that is ok has its headers
 * and every strip of every image plane; no headers or strips without a
 * listed file (once the sweep ran: `writing` is empty).
 */
async function expectConsistent(db: WorkbenchDb): Promise<void> {
  const files = await db.files.toArray();
  const ids = new Set(files.map((f) => f.id));
  const strips = await db.strips.toArray();
  const byPlane = new Map<string, Set<number>>();
  for (const s of strips) {
    expect(ids.has(s.fileId), `strip of ${s.fileId} without its file`).toBe(true);
    const k = `${s.fileId}|${s.hdu}|${s.plane}`;
    if (!byPlane.has(k)) byPlane.set(k, new Set());
    byPlane.get(k)!.add(s.y0 * 1e6 + s.y1);
  }
  for (const h of await db.headers.toCollection().primaryKeys()) expect(ids.has(h as string), `headers of ${String(h)} without its file`).toBe(true);
  for (const f of files) {
    if (f.status !== 'ok') continue;
    expect(await db.headers.get(f.id), `${f.name}: headers`).toBeDefined();
    for (const h of f.hdus) {
      if (!h.isImage || h.naxis.length < 2 || h.naxis.some((n) => n <= 0)) continue;
      const [w, ht] = h.naxis;
      const depth = h.naxis.slice(2).reduce((a, b) => a * b, 1);
      const rows = stripRowsFor(w);
      for (let z = 0; z < depth; z++) {
        const got = byPlane.get(`${f.id}|${h.index}|${z}`) ?? new Set();
        const want = new Set<number>();
        for (let y = 0; y < ht; y += rows) want.add(y * 1e6 + Math.min(ht, y + rows));
        expect(got, `${f.name}: HDU ${h.index} plane ${z} strips`).toEqual(want);
      }
    }
  }
}

async function snapshot(db: WorkbenchDb) {
  return {
    files: (await db.files.toCollection().primaryKeys()).sort(),
    headers: await db.headers.count(),
    strips: await db.strips.count(),
    writing: await db.writing.count(),
  };
}

let serial = 0;
const dbs: WorkbenchDb[] = [];
afterAll(async () => {
  for (const db of dbs) db.close();
  for (let i = 0; i < serial; i++) await new WorkbenchDb(`nothing-lost-${i}`).delete();
});
function newName(): string {
  return `nothing-lost-${serial++}`;
}

describe('an ingest that fails at any write', () => {
  // A single-HDU raw frame, and a multi-extension file with images in several HDUs.
  for (const [dir, name] of [[NIGHT, 'raw0002.fits'], [FIXTURES, 'mef.fits']] as const) {
    it(`${name}: fully stored or not at all, with the quota named`, async () => {
      const faults = noFaults();
      const db = await faultyDb(newName(), faults);
      dbs.push(db);
      await ingestOne(db, raw(NIGHT, 'raw0001.fits'));
      const before = await snapshot(db);
      // How many writes a successful ingest of this file makes (on a copy, then removed).
      const counter = noFaults();
      const probe = await faultyDb(newName(), counter);
      dbs.push(probe);
      await ingestOne(probe, raw(dir, name));
      const steps = counter.count;
      expect(steps).toBeGreaterThanOrEqual(3);
      for (let n = 1; n <= steps; n++) {
        faults.count = 0;
        faults.failAt = n;
        const out = await ingestOne(db, raw(dir, name));
        expect(out.stored, `write ${n} of ${steps}`).toBe('failed');
        expect(out.message).toMatch(new RegExp(`${name.replace('.', '\\.')}: not stored — the browser's storage quota is full`));
        expect(await snapshot(db), `write ${n} of ${steps}`).toEqual(before);
        await expectConsistent(db);
      }
      faults.failAt = Infinity;
      expect((await ingestOne(db, raw(dir, name))).stored).toBe('stored');
      await expectConsistent(db);
      expect((await snapshot(db)).files).toHaveLength(2);
    });
  }
});

describe('a product commit that fails at any write', () => {
  let base: string;
  let baseline: Awaited<ReturnType<typeof snapshot>>;
  let plan: Plan;
  let bias: PlannedRun;
  // Memory this small parks every frame as scratch strips (a 288 x 256 frame's SCI alone is 295 kB),
  // many more writes to fail at, while the stack still has the few rows of every frame it must hold.
  const memoryBytes = 256 * 1024;

  beforeAll(async () => {
    base = newName();
    const db = await faultyDb(base, noFaults());
    for (const name of readdirSync(NIGHT).filter((n) => /^raw00(0[1-9]|1[0-2])\.fits$/.test(n))) await ingestOne(db, raw(NIGHT, name));
    plan = buildPlan(await loadPlanInput(db));
    bias = plan.runs.find((r) => r.recipe === 'makeMasterBias')!;
    baseline = await snapshot(db);
    db.close();
  }, 60_000);

  async function runBias(db: WorkbenchDb, session: string) {
    const { records, ids } = newRunRecords(plan, new Set([bias.key]), `batch-${session}`, session);
    await db.runs.bulkPut(records);
    const result = await executePlan(plan, (spec) => runInDb(db, spec, { session, memoryBytes }), {
      concurrency: 1, only: new Set([bias.key]), newRunId: (run) => ids.get(run.key)!,
    });
    return { id: ids.get(bias.key)!, outcome: result.outcomes.get(bias.key)! };
  }

  /** Back to the ingested night: no product, no runs. */
  async function reset(db: WorkbenchDb) {
    const products = await db.files.where('type').equals('product').primaryKeys();
    await db.transaction('rw', db.files, db.headers, db.strips, db.runs, async () => {
      for (const id of products) {
        await db.strips.where('fileId').equals(id).delete();
        await db.headers.delete(id);
        await db.files.delete(id);
      }
      await db.runs.clear();
    });
  }

  async function countSteps(): Promise<number> {
    const faults = noFaults();
    const db = await faultyDb(base, faults);
    await db.runs.clear();
    faults.count = 0;
    const { outcome } = await runBias(db, 'probe');
    const steps = faults.count;
    expect(outcome.status).toBe('done');
    await reset(db);
    db.close();
    return steps;
  }

  it('a full disk at any write: the run fails saying so, nothing of its product is left, the library is untouched', async () => {
    const steps = await countSteps();
    // Strips of parked frames, strips of the product, heartbeats, the publish, run records.
    expect(steps).toBeGreaterThan(20);
    const faults = noFaults();
    const db = await faultyDb(base, faults);
    dbs.push(db);
    let failedRuns = 0;
    for (let n = 1; n <= steps; n++) {
      faults.count = 0;
      faults.failAt = n;
      const { id, outcome } = await runBias(db, `quota-${n}`).catch((err: unknown) => ({ id: '', outcome: { status: 'threw', error: String(err) } as const }));
      faults.failAt = Infinity;
      const run = id ? await db.runs.get(id) : undefined;
      const products = await db.files.where('type').equals('product').toArray();
      if (outcome.status === 'done') {
        // The failed write was one the run can do without (a progress report): the product is whole.
        expect(products, `write ${n}`).toHaveLength(1);
        expect(run?.status, `write ${n}`).toBe('done');
        expect(run?.productId).toBe(products[0].id);
        // A scratch frame whose removal failed waits, unlisted, for the start-up sweep.
        await sweepOrphanStrips(db, Date.now() + STALE_WRITE_MS + 1);
      } else {
        failedRuns++;
        expect(products, `write ${n}`).toHaveLength(0);
        // Every run that got its record says why it stopped (the first write is the record itself).
        if (n > 1) {
          expect(run?.status, `write ${n}`).toBe('failed');
          expect(run?.error, `write ${n}`).toMatch(/quota is full, so the run stopped.*restart the run/);
        }
        // The run removed what it had written: no sweep needed.
        expect(await db.writing.count(), `write ${n}`).toBe(0);
      }
      await expectConsistent(db);
      await reset(db);
      expect(await snapshot(db), `write ${n}`).toEqual(baseline);
    }
    // Not vacuous: most writes the run cannot do without (strips, the publish) are hit. Progress
    // writes, whose number follows the machine's speed, are the ones a run survives.
    expect(failedRuns).toBeGreaterThanOrEqual(15);
  }, 300_000);

  it('a crash at any write: after a reload the run is interrupted, its strips are swept, and a restart makes the product', async () => {
    const steps = await countSteps();
    for (let n = 1; n <= steps; n++) {
      const faults: Faults = { ...noFaults(), failAt: n, crash: true };
      const dead = await faultyDb(base, faults);
      const { id } = await runBias(dead, `crash-${n}`).catch(() => ({ id: '' }));
      dead.close();
      // The reloaded page: a clean connection, its start-up sweeps.
      const page = await faultyDb(base, noFaults());
      // No waiting for heartbeats to age: the interrupted run's writes are known dead at once.
      await markInterrupted(page, Date.now(), new Set(['the-new-page']));
      await sweepOrphanStrips(page, Date.now());
      await expectConsistent(page);
      const products = await page.files.where('type').equals('product').toArray();
      const runs = await page.runs.toArray();
      expect(runs.filter((r) => r.status === 'queued' || r.status === 'running'), `write ${n}`).toEqual([]);
      if (products.length) {
        // Published before the crash: whole, and its run done in the same transaction.
        expect(runs.find((r) => r.status === 'done')?.productId, `write ${n}`).toBe(products[0].id);
      } else if (id && runs.length) {
        expect(['interrupted', 'failed'], `write ${n}`).toContain(runs[0].status);
      }
      await reset(page);
      expect(await snapshot(page), `write ${n}`).toEqual(baseline);
      page.close();
    }
    // And a restart after the last crash completes.
    const page = await faultyDb(base, noFaults());
    dbs.push(page);
    const { outcome } = await runBias(page, 'restart');
    expect(outcome.status).toBe('done');
    await expectConsistent(page);
  }, 300_000);
});

describe('a pin or parameter change that fails', () => {
  it('keeps the previous pin when the replacing write fails', async () => {
    const faults = noFaults();
    const db = await faultyDb(newName(), faults);
    dbs.push(db);
    await putPin(db, { id: 'pin-a', frameId: 'f1', step: 'bias', calibrationId: 'bias-1' } as never);
    // putPin deletes the frame's other pin for the step, then writes the new one: fail either.
    for (const n of [1, 2]) {
      faults.count = 0;
      faults.failAt = n;
      await expect(putPin(db, { id: 'pin-b', frameId: 'f1', step: 'bias', calibrationId: 'bias-2' } as never)).rejects.toThrow();
      expect((await db.pins.toArray()).map((p) => p.id)).toEqual(['pin-a']);
    }
    faults.failAt = Infinity;
    await putPin(db, { id: 'pin-b', frameId: 'f1', step: 'bias', calibrationId: 'bias-2' } as never);
    expect((await db.pins.toArray()).map((p) => p.id)).toEqual(['pin-b']);
    faults.count = 0;
    faults.failAt = 1;
    await expect(putParams(db, { id: 'user', kind: 'user', name: 'mine', values: { a: 1 } } as never)).rejects.toThrow();
    expect(await db.params.count()).toBe(0);
  });
});
