/**
 * The workspace carried to another browser profile: in one context the
 * sample night is added, a file retagged, a flat pinned, a parameter set and
 * a preset saved, everything reduced and the workspace exported; a new
 * context (a fresh profile, its own IndexedDB) imports the archive and lists
 * the same files, tags, pins, parameters, presets and run logs, and its
 * products, remade there from the imported frames, are identical to the
 * first profile's: pixels bit for bit, headers card for card except the
 * per-step timestamps (ADDDQ, SUBOVER, ... : when that step ran). A damaged
 * archive is refused there with its reason, and nothing changes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { expect, test, type Browser, type Download, type Page } from '@playwright/test';
import { parseFits } from '../src/core/fits';
import { WHEN_KEYS } from '../src/core/pipeline/provenance';
import { bytesSource, readWorkspaceArchive } from '../src/core/workspace/archive';
import { SAMPLE_NIGHT, fileRows, fitsFilesIn, waitForRows } from './helpers';

const field = (page: Page, name: string) => page.getByLabel(name, { exact: true });

async function openRecipe(page: Page, recipe: string): Promise<void> {
  await page.getByRole('tab', { name: 'Recipes' }).click();
  await page.getByRole('navigation', { name: 'Recipes' }).getByRole('button', { name: new RegExp(`^${recipe}`) }).click();
  await expect(page.getByRole('heading', { name: recipe, exact: true })).toBeVisible();
}

async function save(download: Download, dir: string): Promise<string> {
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  return file;
}

async function reduceAll(page: Page, runs: number): Promise<void> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toContainText(`${runs} runs done`);
}

async function productsZip(page: Page, dir: string): Promise<Record<string, Uint8Array>> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all products' }).click()]);
  return unzipSync(new Uint8Array(readFileSync(await save(download, dir))));
}

/** The library as its "Export CSV" lists it (every row, not only those the virtual table has drawn). */
async function libraryCsv(page: Page, dir: string): Promise<string> {
  await page.getByRole('tab', { name: 'Library' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  return readFileSync(await save(download, dir), 'utf8');
}

const libraryCount = (page: Page, n: number) => expect(page.getByText(`${n} of ${n} files`)).toBeVisible({ timeout: 60_000 });

/** What the other views show of the user's settings and the runs. */
async function settingsShown(page: Page) {
  await page.getByRole('tab', { name: 'Calibrations' }).click();
  await expect(page.locator('tr.cal-row[data-frame="raw0021.fits"] td[data-step="flat"]')).toContainText('pinned by you');
  const pins = await page.getByRole('table', { name: 'Pins' }).innerText();
  await openRecipe(page, 'reduceScience');
  const sigclip = await field(page, 'reduceScience.flagCosmicRays.sigclip').inputValue();
  const preset = await page.getByRole('listitem', { name: 'Preset windy night' }).innerText();
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce raw0021.fits' }).click();
  const log = page.getByRole('region', { name: 'Run Reduce raw0021.fits' }).getByRole('table', { name: 'Run log' });
  await expect(log).toContainText('sigclip=5');
  const steps = await log.locator('tbody tr td:first-child').allInnerTexts();
  await page.getByRole('tab', { name: 'Library' }).click();
  return { pins, sigclip, preset, steps };
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 700 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto('/');
  return page;
}

test('a workspace exported from one profile and imported into a fresh one reduces to identical products; a damaged archive is refused', async ({ browser }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'workspace-e2e-'));
  try {
    // ---- Profile A: the night, the user's decisions, a reduction, the export.
    const a = await newPage(browser);
    await a.getByLabel('Add FITS files', { exact: true }).setInputFiles(fitsFilesIn(SAMPLE_NIGHT));
    await waitForRows(a, 27);
    // Retag a frame (the tag is the user's from then on).
    await a.getByLabel('Select raw0027.fits', { exact: true }).check();
    await a.getByRole('button', { name: 'science', exact: true }).click();
    await a.getByRole('button', { name: 'Clear selection' }).click();
    // Pin the V master flat to an R frame.
    await a.getByRole('tab', { name: 'Calibrations' }).click();
    await a.getByRole('button', { name: 'Candidates for raw0021.fits' }).click();
    await a.getByRole('group', { name: 'Candidates for raw0021.fits' }).getByRole('button', { name: 'Pin raw0014_flat.fits as the flat of raw0021.fits' }).click();
    await expect(a.getByRole('table', { name: 'Pins' })).toContainText('raw0021.fits');
    // A parameter, and a preset (saved, not active).
    await openRecipe(a, 'reduceScience');
    await field(a, 'reduceScience.flagCosmicRays.sigclip').fill('5');
    await field(a, 'reduceScience.flagCosmicRays.sigclip').press('Enter');
    await a.locator('#preset-name').fill('windy night');
    await a.getByRole('button', { name: 'Save preset' }).click();
    await expect(a.getByRole('listitem', { name: 'Preset windy night' })).toBeVisible();
    await reduceAll(a, 13);
    const zipA = await productsZip(a, dir);
    expect(Object.keys(zipA)).toHaveLength(13);
    const shownA = await settingsShown(a);
    expect(shownA.sigclip).toBe('5');
    await libraryCount(a, 40);
    const listA = await libraryCsv(a, dir);
    expect(listA.trim().split('\n')).toHaveLength(41);
    expect(listA).toMatch(/^raw0027\.fits,[^\n]*retagged by you/m);

    const t0 = Date.now();
    const [exported] = await Promise.all([a.waitForEvent('download'), a.getByRole('button', { name: 'Export workspace' }).click()]);
    await expect(a.getByRole('status').filter({ hasText: /^Exported 40 files/ })).toBeVisible({ timeout: 60_000 });
    console.log(`export: ${Date.now() - t0} ms`);
    expect(exported.suggestedFilename()).toMatch(/^workspace-\d{4}-\d\d-\d\dT\d{4}\.ccdworkspace\.tar$/);
    const downloaded = await save(exported, dir);
    await a.screenshot({ path: 'test-results/workspace-export-1024.png' });

    // Where the browser has a save picker, the archive is written straight to the chosen file. The picker
    // is stubbed with a real FileSystemFileHandle (in the origin's private file system): headless Chromium
    // cannot answer a picker.
    await a.evaluate(() => {
      localStorage.setItem('ccd-workbench:save-picker', '1');
      (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async () =>
        (await navigator.storage.getDirectory()).getFileHandle('picked.ccdworkspace.tar', { create: true });
    });
    await a.getByRole('button', { name: 'Export workspace' }).click();
    await expect(a.getByRole('status').filter({ hasText: /^Exported 40 files .* to the chosen file\.$/ })).toBeVisible({ timeout: 60_000 });
    const picked = await a.evaluate(async () => {
      const f = await (await (await navigator.storage.getDirectory()).getFileHandle('picked.ccdworkspace.tar')).getFile();
      const bytes = new Uint8Array(await f.arrayBuffer());
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    });
    const archive = path.join(dir, 'picked.ccdworkspace.tar');
    writeFileSync(archive, Buffer.from(picked, 'base64'));
    // Both ways give the same archive but for its date: the same entries, sizes and SHA-256.
    const [viaBlob, viaPicker] = await Promise.all([downloaded, archive].map((f) => readWorkspaceArchive(bytesSource(new Uint8Array(readFileSync(f))), 4)));
    expect(viaPicker.manifest.entries).toEqual(viaBlob.manifest.entries);
    expect(viaPicker.manifest.counts).toEqual(viaBlob.manifest.counts);
    await a.context().close();

    // ---- Profile B: a fresh profile imports the archive.
    const b = await newPage(browser);
    await expect(fileRows(b)).toHaveCount(0);
    const t1 = Date.now();
    await b.getByLabel('Import a workspace archive').setInputFiles(archive);
    await expect(b.getByRole('status').filter({ hasText: /^Imported picked\.ccdworkspace\.tar: / })).toContainText('40 files', { timeout: 60_000 });
    console.log(`import: ${Date.now() - t1} ms`);
    await libraryCount(b, 40);
    expect(await libraryCsv(b, dir)).toBe(listA);
    const shownB = await settingsShown(b);
    expect(shownB).toEqual(shownA);
    await b.screenshot({ path: 'test-results/workspace-import-1024.png' });

    // The imported products are the ones A made, byte for byte.
    const importedZip = await productsZip(b, dir);
    expect(Object.keys(importedZip).sort()).toEqual(Object.keys(zipA).sort());
    for (const [name, bytes] of Object.entries(zipA)) expect(Buffer.compare(Buffer.from(importedZip[name]), Buffer.from(bytes)), name).toBe(0);

    // Remade here from the imported frames, pins and parameters: the same products.
    await b.getByRole('tab', { name: 'Library' }).click();
    await b.getByLabel('Selection expression').fill('path == "products"');
    await expect(fileRows(b)).toHaveCount(13);
    await b.getByLabel('Select all shown files').check();
    b.once('dialog', (d) => void d.accept());
    await b.getByRole('button', { name: 'Delete' }).click();
    await b.getByLabel('Selection expression').fill('');
    await libraryCount(b, 27);
    await reduceAll(b, 13);
    const zipB = await productsZip(b, dir);
    expect(Object.keys(zipB).sort()).toEqual(Object.keys(zipA).sort());
    for (const name of Object.keys(zipA)) {
      const fa = parseFits(zipA[name], name);
      const fb = parseFits(zipB[name], name);
      expect(fb.hdus.length, name).toBe(fa.hdus.length);
      for (let h = 0; h < fa.hdus.length; h++) {
        const cardsA = fa.hdus[h].cards.filter((c) => !WHEN_KEYS.has(c.key));
        const cardsB = fb.hdus[h].cards.filter((c) => !WHEN_KEYS.has(c.key));
        expect(cardsB, `${name} HDU ${h} header`).toEqual(cardsA);
        // The timestamps are there in both, as times.
        expect(fb.hdus[h].cards.filter((c) => WHEN_KEYS.has(c.key)).map((c) => c.key), `${name} HDU ${h} timestamps`).toEqual(fa.hdus[h].cards.filter((c) => WHEN_KEYS.has(c.key)).map((c) => c.key));
        const { offset, size } = { offset: fa.hdus[h].dataOffset, size: fa.hdus[h].dataBytes };
        const { offset: offB, size: sizeB } = { offset: fb.hdus[h].dataOffset, size: fb.hdus[h].dataBytes };
        expect(sizeB, `${name} HDU ${h} data size`).toBe(size);
        expect(Buffer.compare(Buffer.from(zipB[name].subarray(offB, offB + sizeB)), Buffer.from(zipA[name].subarray(offset, offset + size))), `${name} HDU ${h} pixels`).toBe(0);
      }
    }

    // ---- A damaged archive (cut short) is refused with its reason; nothing changes.
    const cut = path.join(dir, 'cut.ccdworkspace.tar');
    const bytes = readFileSync(archive);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await b.getByRole('tab', { name: 'Library' }).click();
    await b.getByLabel('Import a workspace archive').setInputFiles(cut);
    const alert = b.getByRole('alert').filter({ hasText: 'cut.ccdworkspace.tar was not imported' });
    await expect(alert).toContainText('nothing was changed');
    await expect(alert).toContainText('truncated');
    await b.screenshot({ path: 'test-results/workspace-refused-1024.png' });
    await libraryCount(b, 40);
    const after = await libraryCsv(b, dir);
    // The same rows (the remade products listed in the order they were made, under new ids: the last column).
    const noId = (csv: string) => csv.split(/\r?\n/).map((l) => l.replace(/,[^,]*$/, '')).sort();
    expect(noId(after)).toEqual(noId(listA));
    await b.context().close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
