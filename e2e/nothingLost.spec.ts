/**
 * Nothing lost, in Chromium: a full disk mid-ingest and mid-run (the origin's
 * quota lowered over CDP, so IndexedDB itself throws QuotaExceededError), a
 * worker that dies mid-ingest and mid-run (it closes itself in the middle of
 * a write), a reload mid-ingest, and a library query that fails. Each time
 * the message says what happened, what was stored before stays, the database
 * holds only whole files and products (every strip of every plane, no strip
 * without its file), and the app goes on: the file is added again, the run
 * restarted, the query retried.
 */
import { expect, test, type CDPSession, type Page, type Worker } from '@playwright/test';
import { SAMPLE_NIGHT, fitsFilesIn, waitForRows, fileRows } from './helpers';

const NIGHT = fitsFilesIn(SAMPLE_NIGHT);

// The service worker's precache (megabytes, written while a test runs) would move the usage the
// quota tests measure; nothing here needs it.
test.use({ serviceWorkers: 'block' });

async function addFiles(page: Page, files: string[]) {
  await page.setInputFiles('input[aria-label="Add FITS files"]', files);
}

/**
 * Reads the database with the raw IndexedDB API (not the app's code) and
 * checks it: every ok file has every strip of every image plane, no strip
 * belongs to a file that is not listed, nothing is left in `writing`.
 */
async function checkDatabase(page: Page): Promise<{ files: number; ok: number; strips: number; problems: string[] }> {
  return page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const req = indexedDB.open('ccd-workbench');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = <T,>(store: string, keys = false): Promise<T[]> => new Promise((resolve, reject) => {
      const s = db.transaction(store).objectStore(store);
      const req = keys ? s.getAllKeys() : s.getAll();
      req.onsuccess = () => resolve(req.result as T[]);
      req.onerror = () => reject(req.error);
    });
    type Hdu = { index: number; isImage: boolean; naxis: number[] };
    const files = await all<{ id: string; name: string; status: string; hdus: Hdu[] }>('files');
    const strips = await all<[string, number, number, number]>('strips', true);
    const writing = await all<unknown>('writing', true);
    const headers = new Set(await all<string>('headers', true));
    db.close();
    const ids = new Set(files.map((f) => f.id));
    const problems: string[] = [];
    const perPlane = new Map<string, number>();
    for (const [fileId, hdu, plane] of strips) {
      if (!ids.has(fileId)) problems.push(`strip of ${fileId} without its file`);
      const k = `${fileId}|${hdu}|${plane}`;
      perPlane.set(k, (perPlane.get(k) ?? 0) + 1);
    }
    if (writing.length) problems.push(`${writing.length} writing records left`);
    for (const f of files) {
      if (f.status !== 'ok') continue;
      if (!headers.has(f.id)) problems.push(`${f.name}: no headers`);
      for (const h of f.hdus) {
        if (!h.isImage || h.naxis.length < 2 || h.naxis.some((n) => n <= 0)) continue;
        const rows = Math.max(1, Math.floor((256 * 1024) / h.naxis[0]));
        const want = Math.ceil(h.naxis[1] / rows);
        const depth = h.naxis.slice(2).reduce((a, b) => a * b, 1);
        for (let z = 0; z < depth; z++) {
          const got = perPlane.get(`${f.id}|${h.index}|${z}`) ?? 0;
          if (got !== want) problems.push(`${f.name}: HDU ${h.index} plane ${z} has ${got} of ${want} strips`);
        }
      }
    }
    // Products' pixel files (src/db/pixelFiles.ts): each belongs to a product, and every strip pointing into one finds its bytes.
    const sizes = new Map<string, number>();
    try {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('library-pixels');
      for await (const [name, entry] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemFileHandle]> }).entries()) {
        sizes.set(name, await entry.getFile().then((f) => f.size, () => -1));
      }
    } catch { /* no product made */ }
    for (const name of sizes.keys()) if (!ids.has(name)) problems.push(`pixel file ${name} without its product`);
    const refs = await new Promise<{ fileId: string; data: { file?: string; offset?: number; bytes?: number } }[]>((resolve, reject) => {
      const again = indexedDB.open('ccd-workbench');
      again.onsuccess = () => {
        const req = again.result.transaction('strips').objectStore('strips').getAll();
        req.onsuccess = () => { again.result.close(); resolve(req.result); };
        req.onerror = () => reject(req.error);
      };
    });
    for (const r of refs) {
      const { file, offset, bytes } = r.data ?? {};
      if (typeof file !== 'string') continue;
      const size = sizes.get(file);
      if (size === undefined) problems.push(`strips of ${r.fileId} point into a missing pixel file`);
      else if (size < offset! + bytes!) problems.push(`strips of ${r.fileId} point past the end of their pixel file`);
    }
    return { files: files.length, ok: files.filter((f) => f.status === 'ok').length, strips: strips.length, problems: [...new Set(problems)] };
  });
}

/** Sets (or with no size, removes) the origin's storage quota. IndexedDB then refuses writes past it. */
async function setQuota(page: Page, cdp: CDPSession, quotaSize?: number) {
  // The storage key is the origin with its slash: without it the override is accepted and ignored.
  const origin = `${new URL(page.url()).origin}/`;
  await cdp.send('Storage.overrideQuotaForOrigin', quotaSize === undefined ? { origin } : { origin, quotaSize });
}

async function usage(page: Page, cdp: CDPSession): Promise<number> {
  return (await cdp.send('Storage.getUsageAndQuota', { origin: new URL(page.url()).origin })).usage;
}

/** Makes a worker close itself in the middle of a write to `store` (the next, or the one after `skip` more): a worker killed mid-write. */
async function dieOnNextWrite(worker: Worker, store: string, skip = 0) {
  await worker.evaluate(([name, left]) => {
    const put = IDBObjectStore.prototype.put;
    let writes = 0;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === name && writes++ >= left) self.close();
      return put.apply(this, args);
    };
  }, [store, skip] as const);
}

/** Makes a worker throw an uncaught error (from a timer) at its next write to `store`, the write going on. */
async function throwOnNextWrite(worker: Worker, store: string) {
  await worker.evaluate((name) => {
    const put = IDBObjectStore.prototype.put;
    let thrown = false;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === name && !thrown) {
        thrown = true;
        setTimeout(() => { throw new Error('thrown by the test'); });
      }
      return put.apply(this, args);
    };
  }, store);
}

async function reduceAll(page: Page) {
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
}

const finished = (page: Page) => page.getByRole('status').filter({ hasText: /Reduction (complete|finished)/ });

test('a full disk mid-ingest: a clear message, what was stored stays, deleting removes the pixels, the app goes on', async ({ page }) => {
  await page.goto('/');
  const cdp = await page.context().newCDPSession(page);
  await expect(page.getByText(/used ·/)).toBeVisible();

  // Room for a few raw frames (about 130 kB each stored), not the night.
  await setQuota(page, cdp, (await usage(page, cdp)) + 1_000_000);
  await addFiles(page, NIGHT);
  const progress = page.getByRole('region', { name: 'Ingest progress' });
  await expect(progress).toContainText(`Done: ${NIGHT.length} / ${NIGHT.length} files`, { timeout: 60_000 });
  const problems = page.getByRole('list', { name: 'Files with errors' }).getByRole('listitem');
  await expect(problems.first()).toContainText(/raw\d{4}\.fits: not stored — the browser's storage quota is full\. Nothing already stored was changed/);
  const full = await checkDatabase(page);
  expect(full.problems).toEqual([]);
  expect(full.ok).toBeGreaterThan(0);
  expect(full.ok).toBeLessThan(NIGHT.length);
  await waitForRows(page, full.files);
  await page.screenshot({ path: 'test-results/nothing-lost-quota-ingest.png' });

  // Deleting from the library deletes the pixels too: no strip is left.
  const meterBefore = await page.locator('.storage').textContent();
  const usedBefore = await usage(page, cdp);
  await page.getByRole('checkbox', { name: 'Select all shown files' }).check();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await waitForRows(page, 0);
  expect((await checkDatabase(page)).strips).toBe(0);
  // When the bytes go back is the browser's affair: its IndexedDB gives them back when it compacts.
  // Some Chromium builds do so at once; Debian's Chromium 150 reported the same usage 100 s after
  // the delete, every connection closed (measured 2026-12-01). Where they come back, the meter
  // shows it; where not, the quota is raised by the room the refused files need, as a user's
  // disk would have it, so the rest of the test still holds the app to going on.
  let freed = false;
  for (const until = Date.now() + 15_000; !freed && Date.now() < until; await page.waitForTimeout(500)) {
    freed = (await usage(page, cdp)) < usedBefore;
  }
  if (freed) await expect(page.locator('.storage')).not.toHaveText(meterBefore!, { timeout: 30_000 });
  else await setQuota(page, cdp, (await usage(page, cdp)) + 1_000_000);
  test.info().annotations.push({ type: 'storage', description: freed ? 'usage fell after the delete' : 'usage unchanged after the delete: quota raised' });

  // With room again, files the full disk refused go in.
  const refused = (await problems.allTextContents()).map((t) => t.split(':')[0]);
  const again = NIGHT.filter((f) => refused.some((name) => f.endsWith(`/${name}`))).slice(0, 3);
  expect(again).toHaveLength(3);
  await addFiles(page, again);
  await waitForRows(page, 3);
  expect(await checkDatabase(page)).toMatchObject({ ok: 3, problems: [] });
});

test('a full disk mid-run: the run says so, what was stored stays, and Restart completes once there is room', async ({ page }) => {
  await page.goto('/');
  const cdp = await page.context().newCDPSession(page);
  await expect(page.getByText(/used ·/)).toBeVisible();
  // Room for the night (about 3 MB stored) and a few of its 13 products (0.65 MB each), not all:
  // a product's pixel file counts at once, and so do the processed frames a master's run parks in
  // OPFS until its combine (1.8 MB for the bias: it needs 2.4 MB at its end).
  // The quota is set before the night is stored: Chromium's IndexedDB did not always apply an
  // override lowered after the page had written (measured: a reduction went 6.6 MB past it).
  await setQuota(page, cdp, (await usage(page, cdp)) + 6_500_000);
  await addFiles(page, NIGHT);
  await waitForRows(page, NIGHT.length);
  const stored = await checkDatabase(page);
  expect(stored).toMatchObject({ ok: NIGHT.length, problems: [] });
  await reduceAll(page);
  await expect(finished(page)).toBeVisible({ timeout: 90_000 });
  await expect(finished(page)).toContainText(/Reduction finished: \d+ of 13 runs done, \d+ failed/);
  await expect(finished(page)).toContainText(/quota is full, so the run stopped\. Files and products stored before it are kept; the product it was making is not\. .*then restart the run\./);
  await page.screenshot({ path: 'test-results/nothing-lost-quota-run.png' });
  const afterRun = await checkDatabase(page);
  expect(afterRun.problems).toEqual([]);
  // Every file stored before the run is still there, whole, and some products were made.
  expect(afterRun.ok).toBeGreaterThan(stored.ok);

  // Space back: Restart completes every run.
  await setQuota(page, cdp);
  await page.getByRole('button', { name: /^Restart \d+ unfinished runs?$/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 120_000 });
  expect((await checkDatabase(page)).problems).toEqual([]);
});

test('a worker that dies mid-ingest or mid-run fails only its own file or run, with the reason; the rest completes; Restart works', async ({ page }) => {
  await page.goto('/');
  // Two ingest workers: one closes itself mid-write, the other throws from a timer (an uncaught error).
  const ingestWorkers: Worker[] = [];
  let gotTwo!: () => void;
  const two = new Promise<void>((resolve) => (gotTwo = resolve));
  page.on('worker', (w) => {
    if (!/ingest/.test(w.url())) return;
    ingestWorkers.push(w);
    if (ingestWorkers.length === 2) gotTwo();
  });
  await addFiles(page, NIGHT);
  await two;
  await Promise.all([dieOnNextWrite(ingestWorkers[0], 'files'), throwOnNextWrite(ingestWorkers[1], 'files')]);
  const progress = page.getByRole('region', { name: 'Ingest progress' });
  await expect(progress).toContainText(`Done: ${NIGHT.length} / ${NIGHT.length} files`, { timeout: 60_000 });
  const problems = page.getByRole('list', { name: 'Files with errors' }).getByRole('listitem');
  const messages = await problems.allTextContents();
  // The closed worker's transaction never commits; the one that threw may have committed before
  // the pool stopped it, and then the file is counted stored, as the library lists it.
  expect(messages.length).toBeGreaterThanOrEqual(1);
  expect(messages.length).toBeLessThanOrEqual(2);
  expect(messages.some((m) => /^raw\d{4}\.fits: not stored — the ingest worker stopped \(the worker stopped \(closed, killed or out of memory\)\)\. Add the file again\.$/.test(m))).toBe(true);
  for (const m of messages) expect(m).toMatch(/^raw\d{4}\.fits: not stored — the ingest worker stopped \((the worker stopped \(closed, killed or out of memory\)|Uncaught Error: thrown by the test.*)\)\. Add the file again\.$/);
  const lost = messages.map((m) => m.split(':')[0]);
  await waitForRows(page, NIGHT.length - lost.length);
  expect(await checkDatabase(page)).toMatchObject({ ok: NIGHT.length - lost.length, problems: [] });
  expect(ingestWorkers.length).toBeGreaterThanOrEqual(3);
  // Added again, they go in.
  await addFiles(page, NIGHT.filter((f) => lost.some((name) => f.endsWith(`/${name}`))));
  await waitForRows(page, NIGHT.length);

  // The reduction's pipeline workers (one on two cores) each die while publishing their fourth
  // product, once the masters are made: in the transaction that would make it visible.
  const pipelineWorkers: Worker[] = [];
  let armed = true;
  const arming: Promise<void>[] = [];
  const arm = (w: Worker) => {
    if (!/pipeline/.test(w.url()) || pipelineWorkers.includes(w)) return;
    pipelineWorkers.push(w);
    if (!armed) return;
    w.on('close', () => { armed = false; });
    arming.push(dieOnNextWrite(w, 'files', 3));
  };
  // The page starts its pipeline workers while idle (warmPipeline): those already there, and any started later.
  page.on('worker', arm);
  page.workers().forEach(arm);
  await reduceAll(page);
  await expect.poll(() => arming.length, { timeout: 30_000 }).toBeGreaterThan(0);
  await Promise.all(arming);
  const doomed = arming.length;
  await expect(finished(page)).toBeVisible({ timeout: 120_000 });
  await expect(finished(page)).toContainText(/Reduction finished: \d+ of 13 runs done, \d+ failed/);
  await expect(finished(page)).toContainText(/the pipeline worker stopped( at "[^"]+")?: the worker stopped \(closed, killed or out of memory\)\. Restart the run/);
  await page.screenshot({ path: 'test-results/nothing-lost-worker-died.png' });
  // The dead worker's unpublished strips are gone at once, not at the next start-up.
  expect((await checkDatabase(page)).problems).toEqual([]);
  expect(pipelineWorkers.length).toBeGreaterThan(doomed);

  await page.getByRole('button', { name: /^Restart \d+ unfinished runs?$/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 120_000 });
  const total = await page.locator('.plan-table .state').count();
  await expect(page.locator('.plan-table .state-done, .plan-table .state-up-to-date')).toHaveCount(total);
  expect((await checkDatabase(page)).problems).toEqual([]);
});

test('the demo night\'s worker dying part-way: the files it stored are whole, the reason is shown, loading it again completes it', async ({ page }) => {
  await page.goto('/');
  const worker = new Promise<Worker>((resolve) => page.on('worker', (w) => { if (/ingest/.test(w.url())) resolve(w); }));
  await page.getByRole('button', { name: 'Load demo night' }).click();
  // Let a few files in, then die in the middle of the next one.
  await dieOnNextWrite(await worker, 'files', 3);
  const problem = page.getByRole('list', { name: 'Files with errors' }).getByRole('listitem');
  await expect(problem).toHaveText(/^demo night: stopped after \d+ files — the ingest worker stopped \(the worker stopped \(closed, killed or out of memory\)\)\. Load it again for the rest\.$/, { timeout: 60_000 });
  const stored = await checkDatabase(page);
  expect(stored.problems).toEqual([]);
  expect(stored.ok).toBeGreaterThanOrEqual(3);
  expect(stored.ok).toBeLessThan(25);
  await page.getByRole('button', { name: 'Load demo night' }).click();
  await waitForRows(page, 25);
  expect(await checkDatabase(page)).toMatchObject({ ok: 25, problems: [] });
});

test('the inspector\'s worker closing itself is reported, and the frame is opened again in a new one', async ({ page }) => {
  await page.goto('/');
  await addFiles(page, NIGHT.slice(0, 1));
  await waitForRows(page, 1);
  const name = NIGHT[0].split('/').pop()!;
  await page.getByRole('button', { name: `Inspect ${name}` }).click();
  const pane = page.getByRole('img', { name: `Frame ${name}` });
  await expect(pane).toBeVisible();
  await expect(pane.getByRole('status')).toHaveCount(0, { timeout: 20_000 });
  const inspectorWorker = page.workers().find((w) => /inspector/.test(w.url()))!;
  const replaced = page.waitForEvent('worker', (w) => /inspector/.test(w.url()));
  await inspectorWorker.evaluate(() => self.close());
  await expect(page.getByRole('status').filter({ hasText: "The inspector's worker stopped" })).toHaveText(/The inspector's worker stopped \(closed, killed or out of memory\)\. The frames are opened again\./);
  await replaced;
  await expect(pane.getByRole('status')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByLabel('Low limit')).toHaveAttribute('data-value', /\d/);
});

test('a reload in the middle of an ingest leaves only whole files, and no strip without its file', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo night' }).click();
  await expect(fileRows(page).first()).toBeVisible({ timeout: 60_000 });
  await page.reload();
  await expect(page.getByText(/used ·/)).toBeVisible();
  const after = await checkDatabase(page);
  expect(after.problems).toEqual([]);
  await waitForRows(page, after.files);
  // The ingest did stop part-way (the demo night has 25 files).
  expect(after.files).toBeLessThan(25);
  // Every stored file opens in the inspector.
  await fileRows(page).first().dblclick();
  await expect(page.getByRole('tab', { name: 'Inspector' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a reload in the middle of a reduction: the runs are interrupted and their unpublished strips removed at once', async ({ page }) => {
  await page.goto('/');
  await addFiles(page, NIGHT);
  await waitForRows(page, NIGHT.length);
  await reduceAll(page);
  const bar = page.getByRole('progressbar', { name: 'Reduction progress' });
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  await page.reload();
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(page.locator('.plan-table .state-interrupted').first()).toBeVisible({ timeout: 20_000 });
  // Well inside the two minutes a writer's heartbeat stays fresh: the sweep knew the run had ended.
  await expect.poll(async () => (await checkDatabase(page)).problems, { timeout: 20_000 }).toEqual([]);
  await page.getByRole('button', { name: /^Restart \d+ interrupted runs?$/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 120_000 });
  expect((await checkDatabase(page)).problems).toEqual([]);
});

test('a library query that fails shows its reason and Retry, and Retry recovers', async ({ page }) => {
  // The test breaks IndexedDB reads of the page (not the workers') while a flag is set.
  await page.addInitScript(() => {
    const w = window as unknown as { __failReads?: boolean };
    w.__failReads = true;
    for (const proto of [IDBObjectStore.prototype, IDBIndex.prototype] as (IDBObjectStore | IDBIndex)[]) {
      for (const method of ['get', 'getAll', 'openCursor', 'count'] as const) {
        const original = proto[method] as (...a: unknown[]) => IDBRequest;
        (proto as unknown as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
          if (w.__failReads) throw new DOMException('reading is broken by the test', 'UnknownError');
          return original.apply(this, args);
        };
      }
    }
  });
  await page.goto('/');
  const alert = page.getByRole('alert').filter({ hasText: 'Could not read the library' });
  await expect(alert).toContainText('UnknownError: reading is broken by the test');
  await expect(page.getByText('Opening the library…')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/nothing-lost-query-failed.png' });
  // Still broken: Retry says so again.
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(alert).toContainText('reading is broken by the test');
  // Another view waiting on the runs shows the same, in its banner.
  await page.getByRole('tab', { name: 'Runs' }).click();
  const runsAlert = page.getByRole('alert').filter({ hasText: 'Could not read the runs' });
  await expect(runsAlert).toContainText('reading is broken by the test');
  await page.getByRole('tab', { name: 'Library' }).click();
  await expect(alert).toContainText('reading is broken by the test');
  // Repaired: Retry reads the library.
  await page.evaluate(() => { (window as unknown as { __failReads?: boolean }).__failReads = false; });
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByText('The library is empty.')).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'Could not read' })).toHaveCount(0);
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Could not read' })).toHaveCount(0);
  await page.getByRole('tab', { name: 'Library' }).click();
  await addFiles(page, NIGHT.slice(0, 2));
  await waitForRows(page, 2);

  // A panel whose read fails shows its reason and Retry in its place; the table stays.
  await page.evaluate(() => { (window as unknown as { __failReads?: boolean }).__failReads = true; });
  await fileRows(page).first().click();
  const panel = page.getByRole('alert').filter({ hasText: 'The header viewer failed' });
  await expect(panel).toContainText('UnknownError: reading is broken by the test');
  await expect(fileRows(page)).toHaveCount(2);
  await page.evaluate(() => { (window as unknown as { __failReads?: boolean }).__failReads = false; });
  await panel.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByTestId('header-text')).toContainText('SIMPLE  =');
});
