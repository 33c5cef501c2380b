import { expect, test } from '@playwright/test';
import { writeFits } from '../src/core/fits';
import type { Card } from '../src/core/fits';
import { dropPayload } from './helpers';

/** 1,000 small frames of a long run: the table must stay virtualized and usable. */
function makeNight(n: number): { name: string; b64: string }[] {
  const types = ['Bias Frame', 'Dark Frame', 'Flat Field', 'Light Frame'];
  const filters = ['g', 'r', 'i'];
  const files: { name: string; b64: string }[] = [];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2026, 2, 14, 1, 0, 0) + i * 37_000).toISOString().slice(0, 19);
    const cards: Card[] = [
      { key: 'IMAGETYP', value: types[i % 4] },
      { key: 'FILTER', value: filters[i % 3] },
      { key: 'EXPTIME', value: i % 4 === 0 ? 0 : 30 },
      { key: 'DATE-OBS', value: t },
      { key: 'INSTRUME', value: 'LONGCAM' },
    ];
    const data = new Uint16Array(16 * 16).fill(1000 + i);
    const bytes = writeFits([{ cards, data, width: 16, height: 16 }]);
    files.push({ name: `long${String(i).padStart(4, '0')}.fits`, b64: Buffer.from(bytes).toString('base64') });
  }
  return files;
}

test('a thousand files stay virtualized, sortable and filterable', async ({ page }, info) => {
  test.setTimeout(240_000);
  await page.goto('/');
  const files = makeNight(1000);
  await dropPayload(page, files);
  const bar = page.getByRole('progressbar', { name: 'Files processed' });
  await expect(bar).toHaveAttribute('aria-valuenow', '1000', { timeout: 200_000 });
  await expect(page.getByRole('table', { name: 'Files in the library' })).toHaveAttribute('aria-rowcount', '1000');
  // Only the visible rows are in the DOM.
  const inDom = await page.locator('tr.file-row').count();
  expect(inDom).toBeGreaterThan(10);
  expect(inDom).toBeLessThan(100);
  // Scrolling to the end shows the last file (sorted by time).
  await page.locator('.table-scroll').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await expect(page.locator('tr.file-row', { hasText: 'long0999.fits' })).toBeVisible();
  await page.screenshot({ path: info.outputPath('library-thousand.png') });
  // A column filter and an expression narrow it down.
  await page.getByRole('searchbox', { name: 'Selection expression' }).fill('type == "flat" and filter == "r"');
  await expect(page.getByRole('table', { name: 'Files in the library' })).toHaveAttribute('aria-rowcount', String(files.filter((_, i) => i % 4 === 2 && i % 3 === 1).length));
});

test('cancelling an ingest stops it cleanly: what is stored stays, the rest is not started', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  const files = makeNight(400);
  await dropPayload(page, files);
  const bar = page.getByRole('progressbar', { name: 'Files processed' });
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThan(20);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('.ingest')).toContainText('Stopped');
  // Files already in a worker finish atomically; nothing new starts afterwards.
  await page.waitForTimeout(1000);
  const stored = Number(await page.getByRole('table', { name: 'Files in the library' }).getAttribute('aria-rowcount'));
  expect(stored).toBeGreaterThan(20);
  expect(stored).toBeLessThan(400);
  await page.reload();
  await expect(page.getByRole('table', { name: 'Files in the library' })).toHaveAttribute('aria-rowcount', String(stored));
  // Dropping the batch again adds only what was missing.
  await dropPayload(page, files);
  await expect(page.locator('.ingest')).toContainText(`${stored} already in the library`, { timeout: 120_000 });
  await expect(page.getByRole('table', { name: 'Files in the library' })).toHaveAttribute('aria-rowcount', '400', { timeout: 120_000 });
});
