/**
 * Scratch in the Origin Private File System: the sample night reduced twice,
 * in two fresh contexts, once with the default worker memory and once with
 * 1 MB per worker (the developer knob in localStorage: the combines work in
 * the smallest bands, no calibration stays cached). Either way every master
 * parks its frames in OPFS scratch files (a browser run keeps none in
 * memory: engine.ts, parkingBytes). The products are the same pixel for
 * pixel, the masters' logs say they wrote scratch, and no scratch file is
 * left; a scratch file a crashed page left behind is gone once a reduction
 * has started.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import { parseFits } from '../src/core/fits';
import { SAMPLE_NIGHT, fitsFilesIn, waitForRows } from './helpers';

const SCRATCH_DIRECTORY = 'pipeline-scratch';
const MEMORY_KNOB = 'ccd-workbench:worker-memory-mb';

/** Names under the OPFS scratch directory, or null when there is no such directory. */
function scratchEntries(page: Page): Promise<string[] | null> {
  return page.evaluate(async (dirName) => {
    const root = await navigator.storage.getDirectory();
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await root.getDirectoryHandle(dirName);
    } catch {
      return null;
    }
    const names: string[] = [];
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names;
  }, SCRATCH_DIRECTORY);
}

/** label -> the run's 'storage' log line, from the runs table. */
function storageLogs(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, no) => { const r = indexedDB.open('ccd-workbench'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    const runs = await new Promise<{ label: string; log: { step: string; message: string }[] }[]>((ok) => {
      const r = db.transaction('runs').objectStore('runs').getAll();
      r.onsuccess = () => ok(r.result);
    });
    db.close();
    return Object.fromEntries(runs.map((r) => [r.label, r.log.find((e) => e.step === 'storage')?.message ?? '']));
  });
}

/** The sample night added and reduced; returns each product's data units (HDUs 1-3) from the downloaded .zip. */
async function reduceNight(page: Page, before: () => Promise<void>): Promise<Map<string, Uint8Array[]>> {
  await page.goto('/');
  await before();
  await page.setInputFiles('input[aria-label="Add FITS files"]', fitsFilesIn(SAMPLE_NIGHT));
  await waitForRows(page, 27);
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('status')).toContainText('13 runs done');
  // The products list follows the library a moment later (a throttled live query): all 13 before the download.
  await expect(page.getByRole('heading', { name: 'Products (13)' })).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all products' }).click()]);
  const dir = mkdtempSync(path.join(tmpdir(), 'zip-'));
  try {
    const file = path.join(dir, 'products.zip');
    await download.saveAs(file);
    const entries = unzipSync(new Uint8Array(readFileSync(file)));
    const out = new Map<string, Uint8Array[]>();
    for (const [name, bytes] of Object.entries(entries)) {
      const fits = parseFits(bytes, name);
      expect(fits.hdus.map((h) => h.extname), name).toEqual(['PRIMARY', 'SCI', 'VAR', 'DQ']);
      out.set(name, fits.hdus.slice(1).map((h) => bytes.slice(h.dataOffset, h.dataOffset + h.dataBytes)));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('runs that spill to OPFS scratch make the same products, and leave no scratch behind', async ({ page, browser, baseURL }) => {
  // Default memory; a scratch file as a crashed page leaves it: the reduction clears it before its runs.
  const normal = await reduceNight(page, async () => {
    // One pipeline worker whatever the cores: the stacks then run where every reduced frame was made (and copied).
    await page.evaluate(() => localStorage.setItem('ccd-workbench:pipeline-workers', '1'));
    await page.evaluate(async (dirName) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(dirName, { create: true });
      await dir.getFileHandle('scratch-left-by-a-crash', { create: true });
    }, SCRATCH_DIRECTORY);
    expect(await scratchEntries(page)).toEqual(['scratch-left-by-a-crash']);
  });
  // The reduction's end clears the directory (its reduced frames' OPFS copies too) before another may start.
  await expect.poll(() => scratchEntries(page)).toEqual([]);
  const lines = await storageLogs(page);
  // Masters park their processed frames in OPFS scratch files, whatever the memory (engine.ts, parkingBytes);
  // the other runs have none to park. Never in IndexedDB.
  for (const [label, line] of Object.entries(lines)) {
    if (label.startsWith('Master')) expect(line, label).toMatch(/MB of it scratch, in OPFS files: processed frames parked until the combine/);
    else expect(line, label).not.toMatch(/scratch/);
  }
  // Each stack read its reduced frames from their OPFS copies (src/db/productMirror.ts), not from IndexedDB.
  const stacks = Object.keys(lines).filter((l) => l.startsWith('Stack'));
  expect(stacks).toHaveLength(2);
  for (const label of stacks) expect(lines[label], label).toMatch(/read [\d.]+ MB in [\d.]+ s \([\d.]+ MB of it from OPFS copies of earlier products\)/);

  // 1 MB per worker, in a fresh context: every master parks its frames in scratch.
  const context = await browser.newContext({ baseURL });
  try {
    const small = await context.newPage();
    // The store says so when OPFS fails and it falls back to IndexedDB (workers' console messages come here too).
    const fallbacks: string[] = [];
    small.on('console', (m) => { if (/OPFS failed/.test(m.text())) fallbacks.push(m.text()); });
    const spilled = await reduceNight(small, () => small.evaluate((key) => localStorage.setItem(key, '1'), MEMORY_KNOB));
    const logs = await storageLogs(small);
    const masters = Object.keys(logs).filter((l) => l.startsWith('Master'));
    expect(masters).toHaveLength(3);
    for (const label of masters) expect(logs[label], label).toMatch(/MB of it scratch, in OPFS files/);
    // Scratch went to OPFS (the directory was made by the runs' first spill) and nothing is left in it.
    await expect.poll(() => scratchEntries(small)).toEqual([]);
    expect(fallbacks).toEqual([]);

    expect([...spilled.keys()].sort()).toEqual([...normal.keys()].sort());
    expect(normal.size).toBe(13);
    for (const [name, units] of normal) {
      units.forEach((u, k) => expect(Buffer.from(spilled.get(name)![k]).equals(Buffer.from(u)), `${name} HDU ${k + 1}`).toBe(true));
    }
  } finally {
    await context.close();
  }
});
