/**
 * A night whose darks match only some of its lights (src/core/pipeline/
 * testing/darkNight.ts), in the built app: the Calibrations view says the
 * 60 s lights get the 120 s dark scaled by exposure and that the 2 s flats
 * need no dark, with nothing in red; the run's parameters show the scaling,
 * and the product records it (DARKIM, DARKSCL).
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { headerString, parseFits } from '../src/core/fits';
import { darkNight } from '../src/core/pipeline/testing/darkNight';
import { dropPayload, waitForRows } from './helpers';

const cell = (page: Page, name: string, step: string) => page.locator(`tr.cal-row[data-frame="${name}"] td[data-step="${step}"]`);

test('a light with no dark of its exposure gets the darks of another, scaled; a flat needs none', async ({ page }) => {
  const night = darkNight();
  await page.goto('/');
  await dropPayload(page, night.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') })));
  await waitForRows(page, night.length);

  await page.getByRole('tab', { name: 'Calibrations' }).click();
  await expect(cell(page, 'light_60a.fits', 'dark')).toContainText('dark_0_dark.fits');
  await expect(cell(page, 'light_60a.fits', 'dark')).toContainText('scaled by exposure (60 s / 120 s)');
  await expect(cell(page, 'light_120a.fits', 'dark')).not.toContainText('scaled');
  await expect(cell(page, 'flat_0.fits', 'dark')).toContainText('not needed for a flat: bias_0_bias.fits takes the level out');
  await expect(page.locator('.cal-has-problem')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /without a usable calibration/ })).toHaveCount(0);

  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce light_60a.fits' }).click();
  await expect(page.locator('.rd-changed')).toContainText('subtractDark.scale = true');
  await expect(page.locator('.rd-changed')).toContainText("set by the plan: no dark of the frame's exposure: dark_0_dark.fits (120 s) scaled");
  await page.getByRole('button', { name: 'Reduce all' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 60_000 });
  // Its details have a Download button of their own: the products table's are used.
  await page.getByRole('button', { name: 'Close run details' }).click();

  const header = async (name: string) => {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: `Download ${name}` }).click();
    return parseFits(new Uint8Array(readFileSync((await (await download).path())!)), name).hdus[0].cards;
  };
  const scaled = await header('light_60a_reduced.fits');
  expect(headerString(scaled, 'DARKIM')).toBe('dark_0_dark.fits');
  expect(scaled.find((c) => c.key === 'DARKSCL')?.value).toBe(0.5);
  expect((await header('light_120a_reduced.fits')).find((c) => c.key === 'DARKSCL')).toBeUndefined();
});
