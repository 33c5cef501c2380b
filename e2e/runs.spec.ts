/**
 * The whole night in the page: the sample night dropped, "Reduce all", the
 * products downloaded as one .zip and checked (1 bias, 2 flats with the
 * saturated flat of each filter refused, 8 reduced frames, 2 stacks, each
 * with SCI/VAR/DQ); the night-quality chart; a reload in the middle of a
 * reduction, then Restart.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import { parseFits, type Card } from '../src/core/fits';
import { generateDemoNight } from '../src/core/demo';
import { SAMPLE_NIGHT, fitsFilesIn, waitForRows } from './helpers';

const card = (cards: readonly Card[], key: string) => cards.find((c) => c.key === key)?.value;
const history = (cards: readonly Card[]) => cards.filter((c) => c.key === 'HISTORY').map((c) => String(c.comment ?? ''));

async function addFiles(page: Page, files: string[]) {
  await page.setInputFiles('input[aria-label="Add FITS files"]', files);
}

async function reduceAll(page: Page) {
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
}

test('the sample night reduced with one click, downloaded as one .zip of products', async ({ page }) => {
  await page.goto('/');
  await addFiles(page, fitsFilesIn(SAMPLE_NIGHT));
  await waitForRows(page, 27);
  await reduceAll(page);
  // While it runs: a progressbar of runs done out of the total.
  await expect(page.getByRole('progressbar', { name: 'Reduction progress' })).toHaveAttribute('aria-valuemax', '13');
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('status')).toContainText('13 runs done');
  // "Complete" shows once the plan has seen every product: the plan beside it agrees at that moment, not a moment later.
  expect(await page.locator('.reduce-bar .rb-line .muted').textContent()).toBe('0 runs to do · 13 up to date · 13 in the plan');
  // With nothing to do, "Reduce all" says so instead of running nothing.
  await expect(page.getByRole('button', { name: 'Reduce all' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Reduce all' })).toHaveAttribute('title', /up to date: nothing to reduce/);
  // ...and so does the products list, a query of its own.
  expect(await page.getByRole('heading', { name: /^Products \(\d+\)$/ }).textContent()).toBe('Products (13)');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all products' }).click()]);
  expect(download.suggestedFilename()).toBe('products.zip');
  const dir = mkdtempSync(path.join(tmpdir(), 'zip-'));
  try {
    const file = path.join(dir, 'products.zip');
    await download.saveAs(file);
    const entries = unzipSync(new Uint8Array(readFileSync(file)));
    const names = Object.keys(entries).sort();
    expect(names.filter((n) => n.endsWith('_bias.fits'))).toEqual(['raw0001_bias.fits']);
    expect(names.filter((n) => n.endsWith('_flat.fits'))).toEqual(['raw0008_flat.fits', 'raw0014_flat.fits']);
    expect(names.filter((n) => n.endsWith('_reduced.fits'))).toHaveLength(8);
    expect(names.filter((n) => n.endsWith('_stack.fits'))).toEqual(['raw0020_stack.fits', 'raw0024_stack.fits']);
    expect(names).toHaveLength(13);
    for (const name of names) {
      const fits = parseFits(entries[name], name);
      expect(fits.hdus.map((h) => h.extname), name).toEqual(['PRIMARY', 'SCI', 'VAR', 'DQ']);
      expect(fits.hdus[1].naxis, name).toEqual([256, 256]);
    }
    for (const [flat, refused] of [['raw0008_flat.fits', 'raw0013.fits'], ['raw0014_flat.fits', 'raw0019.fits']]) {
      const primary = parseFits(entries[flat], flat).hdus[0].cards;
      expect(card(primary, 'NCOMBINE')).toBe(5);
      expect(history(primary).some((h) => h.startsWith(`left out ${refused}:`) && /saturated/.test(h))).toBe(true);
    }
    const red = parseFits(entries['raw0021_reduced.fits'], 'raw0021_reduced.fits').hdus[0].cards;
    expect(card(red, 'BIASIM')).toBe('raw0001_bias.fits');
    expect(card(red, 'FLATIM')).toBe('raw0008_flat.fits');
    expect(card(red, 'BUNIT')).toBe('electron');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The saturated flat of each filter, refused with its reason, in the calibrations view.
  await page.getByRole('tab', { name: 'Calibrations' }).click();
  const refused = page.getByRole('region', { name: 'Refused flats' });
  for (const name of ['raw0013.fits', 'raw0019.fits']) {
    await expect(refused.getByRole('row').filter({ hasText: name })).toContainText(/saturated/);
  }
  await page.getByRole('tab', { name: 'Runs' }).click();

  // Every run done, each with its log.
  const states = page.locator('.plan-table .state');
  await expect(states).toHaveCount(13);
  await expect(page.locator('.plan-table .state-done')).toHaveCount(13);
  await page.getByRole('button', { name: 'Reduce raw0021.fits' }).click();
  const details = page.getByRole('region', { name: 'Run Reduce raw0021.fits' });
  await expect(details.getByRole('table', { name: 'Run log' })).toContainText('flagCosmicRays');
  await expect(details.getByRole('table', { name: 'Run log' })).toContainText('sigclip=4.5');

  // The night-quality chart: one point per reduced frame in each panel; a click shows the frame in the library.
  const chart = page.getByRole('img', { name: /Night quality of 8 reduced frames/ });
  await expect(chart).toBeVisible();
  await expect(chart.locator('.scatterlayer .point')).toHaveCount(24, { timeout: 20_000 });
  await page.screenshot({ path: 'test-results/runs-1440.png', fullPage: true });
  await chart.locator('.scatterlayer .trace').first().locator('.point').nth(1).click({ force: true });
  await expect(page.getByRole('tab', { name: 'Library' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('tr.file-row.selected')).toHaveCount(1);
  await expect(page.locator('tr.file-row.selected .col-name')).toHaveText('raw0021_reduced.fits');
  // The library lists the products under their kinds, with FWHM and sky for reduced frames.
  const row = page.locator('tr.file-row.selected');
  await expect(row.locator('.col-type')).toHaveText('reduced');
  await expect(row.locator('.col-fwhm')).toHaveText(/^[23]\.\d\d$/);
});

test('a reload in the middle of a reduction leaves its runs interrupted, and Restart completes them', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo night' }).click();
  await waitForRows(page, 25);
  await reduceAll(page);
  // Some runs done, the rest running or waiting: the page goes away.
  await expect.poll(async () => Number(await page.getByRole('progressbar', { name: 'Reduction progress' }).getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  await page.reload();
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(page.locator('.plan-table .state-interrupted').first()).toBeVisible({ timeout: 20_000 });
  const interrupted = await page.locator('.plan-table .state-interrupted').count();
  expect(interrupted).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/runs-interrupted-1440.png' });
  await page.getByRole('button', { name: /^Restart \d+ interrupted runs?$/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 90_000 });
  await expect(page.locator('.plan-table .state-interrupted')).toHaveCount(0);
  // Nothing half-written: every slot done or up to date (the plan follows the library within a moment).
  const total = await page.locator('.plan-table .state').count();
  await expect(page.locator('.plan-table .state-done, .plan-table .state-up-to-date')).toHaveCount(total);
});

test('Cancel this run stops a running run at its next step: it ends cancelled, publishes nothing, and the runs needing it do not run', async ({ page }) => {
  // Frames large enough for a master flat to run a few seconds: time to see it running and cancel it.
  const dir = mkdtempSync(path.join(tmpdir(), 'cancel-night-'));
  try {
    const files = generateDemoNight({ seed: 11, width: 1536, height: 1536, nBias: 3, nFlatPerFilter: 10, filters: ['V'], nSciencePerFilter: 2, nSecondTarget: 0 });
    for (const f of files) writeFileSync(path.join(dir, f.name), f.bytes);
    await page.goto('/');
    await addFiles(page, files.map((f) => path.join(dir, f.name)));
    await waitForRows(page, files.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await reduceAll(page);
  // Its row by its own label (the rows needing it name it in their errors).
  const flatRow = page.locator('.plan-table tr.plan-row').filter({ has: page.locator('.c-label button', { hasText: /^Master flat/ }) });
  await expect(flatRow.locator('.state')).toHaveText(/^running/, { timeout: 60_000 });
  const label = (await flatRow.locator('.c-label button').textContent())!;
  await flatRow.locator('.c-label button').click();
  const details = page.getByRole('region', { name: `Run ${label}` });
  // (Until it stops, the details say "Cancelling"; here it stops within one step.)
  await details.getByRole('button', { name: 'Cancel this run' }).click();
  // It stops; the science frames and the stack, which need its master, do not run, and say which run they needed.
  const finished = page.getByRole('status').filter({ hasText: /^Reduction finished/ });
  await expect(finished).toBeVisible({ timeout: 90_000 });
  // When it says so, the plan beside it already shows every run ended (no row still "queued").
  expect(await page.locator('.plan-table .state-queued, .plan-table .state-running').count()).toBe(0);
  await expect(finished).toContainText(`: needs "${label}", which was cancelled`);
  await expect(finished).toContainText(/^Reduction finished: 1 of 5 runs done, 1 cancelled, 3 not run\./);
  await expect(flatRow.locator('.state')).toHaveText('cancelled');
  await expect(flatRow.locator('.row-error')).toContainText('cancelled at');
  const names = await page.locator('.products-table tbody tr td:first-child').allInnerTexts();
  expect(names.filter((n) => n.endsWith('_flat.fits'))).toEqual([]);
  expect(names.filter((n) => n.endsWith('_bias.fits'))).toHaveLength(1);
  expect(names).toHaveLength(1);
});

test('Cancel all stops the running runs and the queued ones; Restart then completes them', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo night' }).click();
  await waitForRows(page, 25);
  await reduceAll(page);
  await expect(page.locator('.plan-table .state-running').first()).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel all' }).click();
  const finished = page.getByRole('status').filter({ hasText: /^Reduction finished/ });
  // While the runs stop, the button says so and cannot be pressed again; the cancel may also end before
  // this line looks (it did in CI, on a busy machine): then the finished line is there instead.
  const cancelling = page.getByRole('button', { name: 'Cancelling…' });
  await expect(cancelling.or(finished)).toBeVisible();
  const pressable = await cancelling.isEnabled({ timeout: 200 }).catch(() => false);
  expect(pressable).toBe(false);
  await expect(finished).toContainText(/\d+ of \d+ runs done, \d+ cancelled/, { timeout: 60_000 });
  await expect(page.locator('.plan-table .state-running, .plan-table .state-queued')).toHaveCount(0);
  await page.getByRole('button', { name: /^Restart \d+ unfinished runs?$/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 90_000 });
});
