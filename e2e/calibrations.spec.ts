/**
 * The calibrations view on the sample night: which bias and flat every frame
 * uses and why, pins that change it (down to the product's FLATIM), the flats
 * the level check refuses and the user's overrule, exclusions, validity
 * windows and the valid flag; everything read back after a reload.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { headerString, parseFits } from '../src/core/fits';
import { SAMPLE_NIGHT, dropFiles, fitsFilesIn, waitForRows } from './helpers';

const R_FRAMES = ['raw0020.fits', 'raw0021.fits', 'raw0022.fits', 'raw0023.fits'];
const V_FRAMES = ['raw0024.fits', 'raw0025.fits', 'raw0026.fits', 'raw0027.fits'];

async function loadNight(page: Page): Promise<void> {
  await page.goto('/');
  await dropFiles(page, fitsFilesIn(SAMPLE_NIGHT));
  await waitForRows(page, 27);
}

async function openCalibrations(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Calibrations' }).click();
  await expect(page.getByRole('heading', { name: 'Frames and their calibrations' })).toBeVisible();
}

/** Reduce all from the Runs tab, back to the calibrations once it is complete. */
async function reduceAll(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 45_000 });
  await openCalibrations(page);
}

const frameRow = (page: Page, name: string) => page.locator(`tr.cal-row[data-frame="${name}"]`);
const cell = (page: Page, name: string, step: string) => frameRow(page, name).locator(`td[data-step="${step}"]`);
const masterRow = (page: Page, name: string) => page.locator(`tr.cal-master[data-master="${name}"]`);
const staleNotice = (page: Page) => page.getByRole('region', { name: 'Stale products' });

async function downloadHeader(page: Page, name: string) {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: `Download ${name}` }).click();
  const bytes = readFileSync((await (await download).path())!);
  return parseFits(new Uint8Array(bytes), name).hdus[0].cards;
}

test("a pin that changes which flat a frame uses (visible in the view, recorded in the product's FLATIM)", async ({ page }) => {
  await loadNight(page);
  await openCalibrations(page);
  await expect(frameRow(page, 'raw0021.fits')).toBeVisible();
  await expect(cell(page, 'raw0021.fits', 'flat')).toContainText('raw0008_flat.fits');

  // Every candidate with its verdict: the V master flat fails the filter rule.
  await page.getByRole('button', { name: 'Candidates for raw0021.fits' }).click();
  const details = page.getByRole('group', { name: 'Candidates for raw0021.fits' });
  await expect(details.locator('tr', { hasText: 'raw0014_flat.fits' })).toContainText('filter V != R');
  await details.getByRole('button', { name: 'Pin raw0014_flat.fits as the flat of raw0021.fits' }).click();

  const flat = cell(page, 'raw0021.fits', 'flat');
  await expect(flat).toContainText('pinned by you');
  await expect(flat).toContainText('raw0014_flat.fits');
  await expect(flat).toContainText('note: filter V != R');
  await expect(page.getByRole('table', { name: 'Pins' })).toContainText('raw0021.fits');
  await expect(cell(page, 'raw0020.fits', 'flat')).toContainText('raw0008_flat.fits');

  await reduceAll(page);
  await page.getByRole('tab', { name: 'Runs' }).click();
  const pinnedHeader = await downloadHeader(page, 'raw0021_reduced.fits');
  expect(headerString(pinnedHeader, 'FLATIM')).toBe('raw0014_flat.fits');
  expect(headerString(await downloadHeader(page, 'raw0020_reduced.fits'), 'FLATIM')).toBe('raw0008_flat.fits');
  // The run does not hide that the flat goes against the rules: a warning in its details and in the product's HISTORY.
  const against = 'flat raw0014_flat.fits pinned by you though the rules refuse it (filter V != R)';
  const history = pinnedHeader.filter((c) => c.key === 'HISTORY').map((c) => String(c.comment ?? c.value ?? '')).join('');
  expect(history).toContain(`warning: ${against}`);
  await page.getByRole('button', { name: 'Reduce raw0021.fits' }).click();
  const run = page.getByRole('region', { name: 'Run Reduce raw0021.fits' });
  await expect(run.locator('.rd-warnings')).toContainText(against);
  await expect(run.getByRole('table').first()).toContainText('pinned by you');
  await expect(run.getByRole('table').first()).toContainText('the rules refuse it: filter V != R');
  await run.getByRole('button', { name: 'Close run details' }).click();

  // The pin names the master's slot, so it still holds once the master exists, and after a reload.
  await page.reload();
  await openCalibrations(page);
  await expect(cell(page, 'raw0021.fits', 'flat')).toContainText('pinned by you');
  await expect(cell(page, 'raw0021.fits', 'flat')).toContainText('raw0014_flat.fits');
  await expect(staleNotice(page)).toHaveCount(0);

  // A group: two more R frames get the V flat at once (a candidate they all have), then lose it again.
  await page.getByRole('checkbox', { name: 'Select raw0022.fits' }).check();
  await page.getByRole('checkbox', { name: 'Select raw0023.fits' }).check();
  const group = page.getByRole('region', { name: 'Selected frames' });
  await group.getByRole('combobox', { name: 'Step for the selected frames' }).selectOption('flat');
  const choice = group.getByRole('combobox', { name: 'The flat for the selected frames' });
  await expect(choice.locator('option', { hasText: 'raw0014_flat.fits' })).toHaveText(/rules refuse it for 2: filter V != R/);
  await choice.selectOption((await choice.locator('option', { hasText: 'raw0014_flat.fits' }).getAttribute('value'))!);
  await group.getByRole('button', { name: 'Pin to 2 frames' }).click();
  for (const f of ['raw0022.fits', 'raw0023.fits']) {
    await expect(cell(page, f, 'flat')).toContainText('pinned by you');
    await expect(cell(page, f, 'flat')).toContainText('raw0014_flat.fits');
  }
  await expect(staleNotice(page)).toContainText('raw0022_reduced.fits');
  await group.getByRole('button', { name: 'Remove their flat pins (2)' }).click();
  for (const f of ['raw0022.fits', 'raw0023.fits']) await expect(cell(page, f, 'flat')).toContainText(/raw0008_flat\.fits\s*only match/);
  await group.getByRole('button', { name: 'Clear selection' }).click();
  await expect(staleNotice(page)).toHaveCount(0);

  // Removing the pin gives the rules' choice back, and the reduced frame is stale.
  await page.getByRole('button', { name: 'Remove the flat pin of raw0021.fits' }).click();
  await expect(cell(page, 'raw0021.fits', 'flat')).not.toContainText('pinned');
  await expect(cell(page, 'raw0021.fits', 'flat')).toContainText('raw0008_flat.fits');
  await expect(staleNotice(page)).toContainText('raw0021_reduced.fits');
  await expect(page.getByRole('table', { name: 'Pins' })).toHaveCount(0);
});

test('the flats the level check refuses are listed with their reason, and an overrule makes their master stale', async ({ page }) => {
  await loadNight(page);
  await reduceAll(page);

  const refused = page.getByRole('table', { name: 'Refused flats' });
  for (const [name, master] of [['raw0013.fits', 'raw0008_flat.fits'], ['raw0019.fits', 'raw0014_flat.fits']]) {
    const row = refused.locator(`tr[data-flat="${name}"]`);
    await expect(row).toContainText(/saturated/);
    await expect(row).toContainText('refused by the last run');
    await expect(row).toContainText(master);
  }
  await expect(refused.locator('tbody tr')).toHaveCount(2);
  await expect(masterRow(page, 'raw0008_flat.fits')).toContainText('refused: raw0013.fits');
  // The library says it beside the file too (the file itself is fine).
  await page.getByRole('tab', { name: 'Library' }).click();
  await expect(page.locator('tr.file-row', { hasText: 'raw0013.fits' })).toContainText(/left out of raw0008_flat\.fits: \d+% of pixels saturated/);
  await page.getByRole('tab', { name: 'Calibrations' }).click();
  await expect(staleNotice(page)).toHaveCount(0);

  // The view with data after a reduction, at both sizes: frames at the top, then the masters and the refused flats.
  const nav = page.getByRole('navigation', { name: 'Sections' });
  for (const [w, h] of [[1440, 900], [1024, 700]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.getByRole('button', { name: 'Candidates for raw0021.fits' }).click();
    await page.locator('.cal-view').evaluate((el) => { el.scrollTop = 0; });
    await page.screenshot({ path: `test-results/calibrations-${w}-frames.png` });
    await page.getByRole('button', { name: 'Candidates for raw0021.fits' }).click();
    await nav.getByRole('button', { name: '3 masters' }).click();
    await page.screenshot({ path: `test-results/calibrations-${w}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // Keep raw0013 anyway: the R master flat (and what it calibrated) must be made again.
  await page.getByRole('button', { name: 'Overrule the refusal of raw0013.fits' }).click();
  await expect(refused.locator('tr[data-flat="raw0013.fits"]')).toContainText('kept by you');
  await expect(staleNotice(page)).toContainText('raw0008_flat.fits');
  await expect(staleNotice(page)).toContainText('raw0020_reduced.fits');
  await expect(staleNotice(page)).not.toContainText('raw0014_flat.fits');
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(page.locator('tr.plan-row', { hasText: 'Master flat R' })).toContainText('stale');
  await expect(page.locator('tr.plan-row', { hasText: 'Master flat V' })).toContainText(/up to date|done/);
  await openCalibrations(page);

  // Taking the overrule back makes the existing master current again.
  await page.getByRole('button', { name: 'Remove the overrule of raw0013.fits' }).click();
  await expect(refused.locator('tr[data-flat="raw0013.fits"]')).toContainText('refused');
  await expect(staleNotice(page)).toHaveCount(0);

  // Kept and re-run (only what depends on it): the master is made with it, and it stays listed as kept, with the reason.
  await page.getByRole('button', { name: 'Overrule the refusal of raw0013.fits' }).click();
  await expect(staleNotice(page)).toBeVisible();
  await staleNotice(page).getByRole('button', { name: /Re-run only these/ }).click();
  await expect(staleNotice(page)).toHaveCount(0, { timeout: 30_000 });
  await expect(masterRow(page, 'raw0008_flat.fits')).not.toContainText('refused: raw0013.fits');
  await expect(masterRow(page, 'raw0008_flat.fits')).toContainText('6 frames');
  const kept = refused.locator('tr[data-flat="raw0013.fits"]');
  await expect(kept).toContainText('kept by you');
  await expect(kept).toContainText(/saturated/);
  await page.reload();
  await openCalibrations(page);
  await expect(kept).toContainText('kept by you');
  await page.getByRole('button', { name: 'Remove the overrule of raw0013.fits' }).click();
  await expect(staleNotice(page)).toContainText('raw0008_flat.fits');
});

test('exclusions, a validity window and the valid flag change the decisions and survive a reload', async ({ page }) => {
  await loadNight(page);
  await reduceAll(page);

  // Exclude one frame from its candidates and one through the selection.
  await page.getByRole('button', { name: 'Candidates for raw0027.fits' }).click();
  await page.getByRole('button', { name: 'Exclude raw0027.fits' }).click();
  await page.getByRole('checkbox', { name: 'Select raw0026.fits' }).check();
  await page.getByRole('region', { name: 'Selected frames' }).getByRole('button', { name: 'Exclude 1 frame' }).click();
  const excluded = page.getByRole('list', { name: 'Excluded frames' });
  await expect(excluded).toContainText('raw0027.fits');
  await expect(excluded).toContainText('raw0026.fits');
  await expect(frameRow(page, 'raw0027.fits')).toHaveCount(0);
  await expect(frameRow(page, 'raw0026.fits')).toHaveCount(0);
  await expect(staleNotice(page)).toContainText('raw0024_stack.fits');

  // A validity window that starts after the night: the V frames lose their flat, with the reason.
  const vFlat = masterRow(page, 'raw0014_flat.fits');
  await expect(vFlat).toContainText('default: ±180 days around 2026-03-14');
  await vFlat.getByRole('button', { name: 'Edit the validity window of raw0014_flat.fits' }).click();
  const form = page.getByRole('form', { name: 'Validity window of raw0014_flat.fits' });
  await form.getByLabel('From').fill('2026-03-20');
  await form.getByLabel('Until').fill('2026-03-15');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('alert')).toContainText('ends before it starts');
  await form.getByLabel('Until').fill('2026-09-30');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(vFlat).toContainText('2026-03-20 → 2026-09-30');
  await expect(vFlat).toContainText('set by you');
  await expect(cell(page, 'raw0024.fits', 'flat')).toContainText('valid from 2026-03-20, but the frame was taken 2026-03-14');

  // The R master flat marked invalid: the R frames have no usable flat, and say why.
  await page.getByRole('checkbox', { name: 'raw0008_flat.fits is valid' }).uncheck();
  for (const f of R_FRAMES) {
    await expect(cell(page, f, 'flat')).toContainText('no flat');
    await expect(cell(page, f, 'flat')).toContainText('marked invalid');
  }
  await expect(masterRow(page, 'raw0008_flat.fits')).toContainText('marked invalid');

  const check = async () => {
    await expect(excluded).toContainText('raw0027.fits');
    await expect(excluded).toContainText('raw0026.fits');
    await expect(frameRow(page, 'raw0027.fits')).toHaveCount(0);
    await expect(vFlat).toContainText('2026-03-20 → 2026-09-30');
    await expect(page.getByRole('checkbox', { name: 'raw0008_flat.fits is valid' })).not.toBeChecked();
    for (const f of R_FRAMES) await expect(cell(page, f, 'flat')).toContainText('marked invalid');
    await expect(cell(page, 'raw0025.fits', 'flat')).toContainText('valid from 2026-03-20');
  };
  await check();
  for (const [w, h] of [[1440, 900], [1024, 700]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.locator('.cal-view').evaluate((el) => { el.scrollTop = 0; });
    await page.screenshot({ path: `test-results/calibrations-${w}-problems.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.reload();
  await openCalibrations(page);
  await check();

  // And back: include the frames, the default window, valid again.
  await page.getByRole('button', { name: 'Include raw0027.fits again' }).click();
  await page.getByRole('button', { name: 'Include raw0026.fits again' }).click();
  await vFlat.getByRole('button', { name: 'Use the default validity window for raw0014_flat.fits' }).click();
  await page.getByRole('checkbox', { name: 'raw0008_flat.fits is valid' }).check();
  const restored = async () => {
    await expect(frameRow(page, 'raw0027.fits')).toBeVisible();
    await expect(frameRow(page, 'raw0026.fits')).toBeVisible();
    await expect(page.getByRole('list', { name: 'Excluded frames' })).toHaveCount(0);
    await expect(vFlat).toContainText('default: ±180 days');
    for (const f of R_FRAMES) await expect(cell(page, f, 'flat')).toContainText('raw0008_flat.fits');
    for (const f of V_FRAMES) await expect(cell(page, f, 'flat')).toContainText('raw0014_flat.fits');
    await expect(staleNotice(page)).toHaveCount(0);
  };
  await restored();
  await page.reload();
  await openCalibrations(page);
  await restored();
});

test('frames a re-run leaves without a flat (none usable) say so in the plan and when the reduction ends', async ({ page }) => {
  await loadNight(page);
  await reduceAll(page);
  await page.getByRole('checkbox', { name: 'raw0008_flat.fits is valid' }).uncheck();
  await staleNotice(page).getByRole('button', { name: /Re-run only these/ }).click();
  await page.getByRole('tab', { name: 'Runs' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 60_000 });
  const warning = page.locator('.rb-warn');
  await expect(warning).toContainText('4 runs went without a flat: none was usable');
  for (const f of R_FRAMES) {
    await expect(warning).toContainText(f);
    await expect(page.locator('tr.plan-row', { hasText: `Reduce ${f}` }).locator('td.c-cal')).toContainText('no flat');
  }
  for (const f of V_FRAMES) await expect(page.locator('tr.plan-row', { hasText: `Reduce ${f}` }).locator('td.c-cal')).not.toContainText('no flat');
});
