/**
 * A new version of the app, deployed while a page is open, is announced and
 * waits for the user: the built app is copied to a folder of its own and
 * served by a `vite preview` of its own; after the first visit (files stored),
 * the folder becomes a new deploy (index.html changed, and sw.js's precache
 * manifest with the new file's revision, as a rebuild writes them). The
 * browser finds the new service worker, which installs and waits; the page
 * says "A new version ... is ready" with "Reload to update"; nothing changes
 * until that is pressed, and the button waits while an ingest runs; then the
 * page runs the new version and everything stored is still there, byte for
 * byte: files, a parameter, the reduction's products and run logs (every
 * object store of the database read before and after). Another tab of the old
 * version is told the new one took over, and reloads into it.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { preview } from 'vite';
import { SAMPLE_NIGHT, databaseDigest, fitsFilesIn, reduceAllAndWait, waitForRows } from './helpers';

const DIST = path.resolve(process.env.E2E_DIST ?? 'dist');
const MARK = '<!-- the next version -->';

/** Turns the build in `dir` into the next deploy: index.html changed, sw.js listing its new revision (workbox: md5 of the file). */
function deployNextVersion(dir: string): void {
  const indexFile = path.join(dir, 'index.html');
  const html = readFileSync(indexFile, 'utf8').replace('</head>', `${MARK}\n</head>`);
  writeFileSync(indexFile, html);
  const swFile = path.join(dir, 'sw.js');
  const sw = readFileSync(swFile, 'utf8');
  const entry = /\{url:"index\.html",revision:"([0-9a-f]{32})"\}/;
  if (!entry.test(sw)) throw new Error(`${swFile}: no index.html entry in the precache manifest`);
  writeFileSync(swFile, sw.replace(entry, `{url:"index.html",revision:"${createHash('md5').update(html).digest('hex')}"}`));
}

const waitingWorker = (page: Page) => page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);
const pageHasMark = (page: Page) => page.evaluate((mark) => document.documentElement.outerHTML.includes(mark), MARK);

test('a new version is announced, waits for "Reload to update", and updating keeps everything stored', async ({ browser }) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'ccd-update-'));
  cpSync(DIST, dir, { recursive: true });
  const server = await preview({ logLevel: 'warn', build: { outDir: dir }, preview: { port: 0, strictPort: false, open: false } });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(server.resolvedUrls!.local[0]);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    });
    const files = ['raw0001.fits', 'raw0008.fits', 'raw0020.fits'].map((f) => path.join(SAMPLE_NIGHT, f));
    await page.setInputFiles('input[aria-label="Add FITS files"]', files);
    await waitForRows(page, 3);
    // The first version: no notice.
    await expect(page.getByRole('status', { name: 'Update ready' })).toHaveCount(0);

    deployNextVersion(dir);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    const notice = page.getByRole('status', { name: 'Update ready' });
    await expect(notice).toBeVisible({ timeout: 60_000 });
    await expect(notice).toContainText('A new version of the workbench is ready.');
    await page.screenshot({ path: 'test-results/update-notice-1440.png' });
    // Nothing updated by itself: the new worker waits, the page is still the first version.
    expect(await waitingWorker(page)).toBe(true);
    expect(await pageHasMark(page)).toBe(false);

    // While work runs (here the ingest of the rest of the night) the button waits for it.
    await page.evaluate(() => {
      const seen = window as unknown as { updateWhileBusy?: string };
      new MutationObserver(() => {
        const button = document.querySelector<HTMLButtonElement>('[aria-label="Update ready"] button');
        if (button?.disabled) seen.updateWhileBusy = button.parentElement?.textContent ?? '';
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const rest = fitsFilesIn(SAMPLE_NIGHT).filter((f) => !files.includes(f));
    await page.setInputFiles('input[aria-label="Add FITS files"]', rest);
    await waitForRows(page, files.length + rest.length);
    expect(await page.evaluate(() => (window as unknown as { updateWhileBusy?: string }).updateWhileBusy)).toMatch(/Reload once the work in progress ends/);
    await expect(notice.getByRole('button', { name: 'Reload to update' })).toBeEnabled();

    // Settings and products too: a parameter changed, the night reduced (products, run logs).
    await page.getByRole('tab', { name: 'Recipes' }).click();
    await page.getByRole('navigation', { name: 'Recipes' }).getByRole('button', { name: /^reduceScience/ }).click();
    const sigclip = page.getByLabel('reduceScience.flagCosmicRays.sigclip', { exact: true });
    await sigclip.fill('5');
    await sigclip.press('Enter');
    await reduceAllAndWait(page);
    await page.getByRole('tab', { name: 'Library' }).click();
    const before = await databaseDigest(page);
    expect(before.params.count).toBeGreaterThan(0);
    expect(before.runs.count).toBe(13);
    await expect(notice.getByRole('button', { name: 'Reload to update' })).toBeEnabled();

    // A second tab of the first version, open while the update is taken in the first.
    const other = await context.newPage();
    await other.goto(page.url());
    await expect(other.getByRole('status', { name: 'Update ready' })).toContainText('A new version of the workbench is ready.');

    await Promise.all([page.waitForEvent('load'), notice.getByRole('button', { name: 'Reload to update' }).click()]);
    await expect(page.getByRole('tab', { name: 'Library' })).toBeVisible();
    expect(await pageHasMark(page)).toBe(true);
    expect(await waitingWorker(page)).toBe(false);
    await expect(page.getByRole('status', { name: 'Update ready' })).toHaveCount(0);
    // Everything stored survived the update, unchanged.
    const all = fitsFilesIn(SAMPLE_NIGHT).length + 13;
    await expect(page.getByText(`${all} of ${all} files`)).toBeVisible();
    expect(await databaseDigest(page)).toEqual(before);

    // The other tab's old files went with the old worker: it says so, and its button reloads it into the new version.
    const otherNotice = other.getByRole('status', { name: 'Update ready' });
    await expect(otherNotice).toContainText('took over in another tab');
    expect(await pageHasMark(other)).toBe(false);
    await Promise.all([other.waitForEvent('load'), otherNotice.getByRole('button', { name: 'Reload to update' }).click()]);
    await expect(other.getByRole('tab', { name: 'Library' })).toBeVisible();
    expect(await pageHasMark(other)).toBe(true);
    await expect(otherNotice).toHaveCount(0);
    await expect(other.getByText(`${all} of ${all} files`)).toBeVisible();
    expect(await databaseDigest(other)).toEqual(before);
  } finally {
    await context.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
