/**
 * A user's session with the sample night, step by step, shared by the
 * offline, request-log and Content-Security-Policy tests: ingest the night,
 * reduce it, inspect a product (its picture painted, and each plot of the
 * inspector drawn), download a product and the .zip of all of them, and
 * visit every view.
 */
import { readFileSync } from 'node:fs';
import { expect, type Download, type Page } from '@playwright/test';
import { SAMPLE_NIGHT, fileRows, fitsFilesIn, waitForRows } from './helpers';
import { decodePng } from './png';

export const NIGHT_FILES = fitsFilesIn(SAMPLE_NIGHT);

export async function ingestNight(page: Page): Promise<void> {
  await page.setInputFiles('input[aria-label="Add FITS files"]', NIGHT_FILES);
  await waitForRows(page, NIGHT_FILES.length);
}

export async function reduceNight(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 240_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toContainText('13 runs done');
}

const pane = (page: Page, name: string) => page.getByRole('img', { name: `Frame ${name}` });

/**
 * Opens a product of the Runs view in the inspector and waits for its
 * picture. Returns how many distinct colours the picture has: a frame that is
 * painted shows many, a blank canvas one.
 */
export async function inspectProduct(page: Page, name: string): Promise<number> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('region', { name: 'Products' }).getByRole('button', { name: `Inspect ${name}`, exact: true }).click();
  await expect(page.getByRole('tab', { name: 'Inspector' })).toHaveAttribute('aria-selected', 'true');
  await expect(pane(page, name)).toBeVisible();
  await expect(pane(page, name).getByRole('status')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByLabel('Low limit')).toHaveAttribute('data-value', /\d/);
  const png = decodePng(await pane(page, name).screenshot());
  const colours = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) colours.add((png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2]);
  return colours.size;
}

async function plotReady(page: Page, label: string): Promise<void> {
  await expect(page.getByRole('img', { name: label })).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
}

/** Every plot of the inspector on the open frame: histogram, row and column cuts, radial profile, 3D surface. */
export async function drawInspectorPlots(page: Page, name: string): Promise<void> {
  const frame = pane(page, name);
  await page.getByRole('tab', { name: 'Histogram' }).click();
  await plotReady(page, 'Histogram');
  const box = (await frame.boundingBox())!;
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.getByRole('group', { name: 'Tool' }).getByRole('button', { name: 'Pan', exact: true }).click();
  await page.mouse.click(centre.x, centre.y);
  await page.getByRole('tab', { name: 'Cuts' }).click();
  await plotReady(page, 'Row and column cuts');
  await page.getByRole('group', { name: 'Tool' }).getByRole('button', { name: 'Star', exact: true }).click();
  await page.mouse.click(centre.x, centre.y);
  await expect(page.getByRole('tab', { name: 'Radial' })).toHaveAttribute('aria-selected', 'true');
  await plotReady(page, 'Radial profile');
  await page.getByRole('button', { name: '3D view' }).click();
  await expect(page.getByRole('tab', { name: '3D' })).toHaveAttribute('aria-selected', 'true');
  await plotReady(page, 'Surface around the crosshair');
}

/** Downloads one product's FITS and the .zip of all products; returns their sizes in bytes. */
export async function downloadProducts(page: Page, product: string): Promise<{ product: number; zip: number }> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  const products = page.getByRole('region', { name: 'Products' });
  const size = async (d: Download) => readFileSync((await d.path())!).length;
  const [one] = await Promise.all([page.waitForEvent('download'), products.getByRole('button', { name: `Download ${product}`, exact: true }).click()]);
  expect(one.suggestedFilename()).toBe(product);
  const [zip] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all products' }).click()]);
  expect(zip.suggestedFilename()).toBe('products.zip');
  return { product: await size(one), zip: await size(zip) };
}

/** Clicks through the views that the other steps do not reach, waiting for each to show. */
export async function visitOtherViews(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Library' }).click();
  await expect(fileRows(page).first()).toBeVisible();
  await page.getByRole('tab', { name: 'Calibrations' }).click();
  await expect(page.getByRole('region', { name: 'Refused flats' })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'Recipes' }).click();
  await expect(page.getByRole('navigation', { name: 'Recipes' })).toBeVisible();
  await page.getByRole('tab', { name: 'Runs' }).click();
  // The night-quality chart (plotly, 3 panels x 8 reduced frames).
  await expect(page.getByRole('img', { name: /Night quality of 8 reduced frames/ }).locator('.scatterlayer .point')).toHaveCount(24, { timeout: 30_000 });
}
