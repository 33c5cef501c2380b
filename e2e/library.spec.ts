import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { FIXTURES, SAMPLE_NIGHT, dropFiles, fileRows, fitsFilesIn, tableContents, waitForRows } from './helpers';

interface TruthFrame { file: string; kind: string; filter: string | null }
const truth = JSON.parse(readFileSync(path.join(SAMPLE_NIGHT, 'truth.json'), 'utf8')) as { frames: TruthFrame[] };
/** truth.json says 'sci' where the app says 'science'. */
const kindToType = (kind: string) => (kind === 'sci' ? 'science' : kind);

test('a dropped night is parsed, tagged, kept across a reload, and exported as CSV', async ({ page }, info) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: /./ }).or(page.locator('.brand'))).toBeVisible();
  const files = fitsFilesIn(SAMPLE_NIGHT);
  expect(files).toHaveLength(27);
  await dropFiles(page, files);

  const bar = page.getByRole('progressbar', { name: 'Files processed' });
  await expect(bar).toHaveAttribute('aria-valuemax', '27');
  await expect(bar).toHaveAttribute('aria-valuenow', '27', { timeout: 60_000 });
  // "Done" shows once the table lists every file the batch stored: the count beside it agrees at that moment.
  await expect(page.locator('.ingest')).toContainText('Done: 27 / 27 files', { timeout: 60_000 });
  expect(await page.locator('.toolbar .muted.small', { hasText: 'files' }).first().textContent()).toBe('27 of 27 files');
  await waitForRows(page, 27);

  const check = async () => {
    const shown = await tableContents(page);
    expect(shown.size).toBe(27);
    for (const f of truth.frames) {
      const row = shown.get(f.file);
      expect(row, f.file).toBeDefined();
      expect(row!.type, f.file).toBe(kindToType(f.kind));
      expect(row!.filter, f.file).toBe(f.filter ?? '');
      expect(row!.status, f.file).toMatch(/^ok/);
    }
  };
  await check();
  // The keyword that decided is shown.
  await expect(page.locator('tr.file-row').first().locator('.col-tagKeyword')).toContainText('IMAGETYP');
  await page.screenshot({ path: info.outputPath('library-sample-night.png') });

  await page.reload();
  await waitForRows(page, 27);
  await check();

  // Dropping the same files again stores nothing twice.
  await dropFiles(page, files.slice(0, 3));
  await expect(page.locator('.ingest')).toContainText('3 already in the library', { timeout: 30_000 });
  await waitForRows(page, 27);

  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloadPromise;
  const csv = readFileSync((await download.path())!, 'utf8').trim().split(/\r?\n/);
  expect(csv).toHaveLength(28);
  const header = csv[0].split(',');
  for (const col of ['name', 'type', 'filter', 'exptime', 'date_obs', 'binning', 'object', 'median', 'status', 'message']) {
    expect(header).toContain(col);
  }
  const typeCol = header.indexOf('type');
  const nameCol = header.indexOf('name');
  const byName = new Map(csv.slice(1).map((l) => l.split(',')).map((c) => [c[nameCol], c[typeCol]]));
  for (const f of truth.frames) expect(byName.get(f.file)).toBe(kindToType(f.kind));
});

test('a selection expression, grouping and retagging work and the retag survives a reload', async ({ page }, info) => {
  await page.goto('/');
  await dropFiles(page, fitsFilesIn(SAMPLE_NIGHT));
  await waitForRows(page, 27);

  const expr = page.getByRole('searchbox', { name: 'Selection expression' });
  await expr.fill('type == "flat" and filter == "R"');
  await waitForRows(page, 6);
  // Any header descriptor can be named, not only the table's columns (EGAIN 1.6, RDNOISE 6.5 here).
  await expr.fill('gain > 1.5 and rdnoise == 6.5 and median > 60000');
  await waitForRows(page, 2); // the two saturated flats
  await expr.fill('type == "flat" and (');
  await expect(page.getByRole('alert')).toBeVisible();
  await expr.fill('');
  await waitForRows(page, 27);

  await page.getByRole('combobox', { name: 'Group by' }).selectOption('type');
  await expect(page.locator('tr.group-row')).toHaveCount(3);
  await expect(page.locator('tr.group-row', { hasText: 'flat' })).toContainText('12 files');
  await page.screenshot({ path: info.outputPath('library-grouped.png') });
  await page.getByRole('combobox', { name: 'Group by' }).selectOption('none');

  await page.getByRole('checkbox', { name: 'Select raw0020.fits' }).check();
  await page.getByRole('checkbox', { name: 'Select raw0021.fits' }).check();
  await page.getByRole('button', { name: 'unclassified', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('2 file(s) retagged as unclassified');
  await expect(page.locator('tr.file-row', { hasText: 'raw0021.fits' }).locator('.col-type')).toContainText('unclassified');
  await page.reload();
  await waitForRows(page, 27);
  const shown = await tableContents(page);
  expect(shown.get('raw0020.fits')!.type).toBe('unclassified');
  expect(shown.get('raw0021.fits')!.type).toBe('unclassified');
  expect(shown.get('raw0022.fits')!.type).toBe('science');
  await expect(page.locator('tr.file-row', { hasText: 'raw0020.fits' }).locator('.col-tagKeyword')).toHaveText('retagged by you');
});

test('bad files get a clear per-file error and do not disturb stored files', async ({ page }, info) => {
  await page.goto('/');
  await dropFiles(page, fitsFilesIn(SAMPLE_NIGHT).slice(0, 2));
  await waitForRows(page, 2);

  const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as { invalid: Record<string, string> };
  const bad = Object.keys(expected.invalid);
  await page.getByLabel('Add FITS files').setInputFiles([...bad.map((n) => path.join(FIXTURES, n)), path.join(FIXTURES, 'u16.fits.gz'), path.join(FIXTURES, 'rice_i16.fits.fz')]);
  await waitForRows(page, 2 + bad.length + 2);
  const shown = await tableContents(page);
  // Each row gives its own reason, without saying its name again; the ingest list, where each stands alone, names the file.
  const errors = page.getByRole('list', { name: 'Files with errors' });
  for (const name of bad) {
    const status = shown.get(name)?.status ?? '';
    expect(status, name).toMatch(/^error: \S/);
    expect(status, name).not.toContain(`${name}: `);
    await expect(errors.getByRole('listitem').filter({ hasText: `${name}: ` })).toContainText(status.slice('error: '.length));
  }
  expect(shown.get('u16.fits.gz')?.status).toMatch(/^ok/);
  expect(shown.get('rice_i16.fits.fz')?.status).toMatch(/^ok/);
  expect(shown.get('raw0001.fits')?.status).toMatch(/^ok/);
  await expect(page.getByRole('list', { name: 'Files with errors' }).getByRole('listitem')).toHaveCount(bad.length);
  await page.screenshot({ path: info.outputPath('library-bad-files.png') });
});

test('header text from strangers is shown literally and never runs', async ({ page }) => {
  await page.goto('/');
  let dialogs = 0;
  page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
  await page.getByLabel('Add FITS files').setInputFiles(path.join(FIXTURES, 'hostile_header.fits'));
  await waitForRows(page, 1);
  await fileRows(page).first().click();
  const text = page.getByTestId('header-text');
  await expect(text).toContainText("OBJECT  = '<img src=x onerror=alert(1)>'");
  await expect(page.locator('.header-viewer img')).toHaveCount(0);
  await page.getByRole('searchbox', { name: 'Search header' }).fill('FILTER');
  await expect(text.locator('div')).toHaveCount(1);
  await expect(text).toContainText(`'r'' & "quoted"'`);
  expect(dialogs).toBe(0);
});

test('the demo night is generated in a worker and ingested like dropped files', async ({ page }, info) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo night' }).click();
  await expect(page.locator('.ingest')).toContainText('Done', { timeout: 90_000 });
  // "Done" waits for the table to list the files; the rows themselves are virtualised and render a frame later.
  await expect.poll(() => fileRows(page).count()).toBeGreaterThanOrEqual(20);
  const shown = await tableContents(page);
  const types = new Set([...shown.values()].map((r) => r.type));
  expect(types).toEqual(new Set(['bias', 'flat', 'science']));
  expect([...shown.values()].every((r) => r.status.startsWith('ok'))).toBe(true);
  await fileRows(page).first().click();
  await expect(page.getByTestId('header-text')).toContainText('SIMPLE  =');
  await page.screenshot({ path: info.outputPath('library-demo-night.png') });
});

test('a column is widened by dragging its header edge or with the arrow keys, and a double-click gives its width back', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, fitsFilesIn(SAMPLE_NIGHT));
  await waitForRows(page, 27);
  const header = page.locator('.file-table thead th', { has: page.getByRole('button', { name: 'Status' }) });
  const edge = page.getByRole('separator', { name: 'Width of Status' });
  const cells = page.locator('tr.file-row td.col-status');
  const cut = () => cells.evaluateAll((tds) => tds.filter((td) => td.scrollWidth > td.clientWidth).length);
  const width = async () => (await header.boundingBox())!.width;

  // At its default width the notes of the saturated flats are cut.
  const before = await width();
  expect(await cut()).toBeGreaterThan(0);

  const box = (await edge.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 150, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width / 2 + 300, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  expect(await width()).toBeCloseTo(before + 300, -1);
  expect(await cut()).toBe(0);

  // The keyboard: 16 px a press.
  await edge.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  expect(await width()).toBeCloseTo(before + 300 - 32, -1);

  // The width stays when another view is shown and the library comes back.
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('tab', { name: 'Library' }).click();
  expect(await width()).toBeCloseTo(before + 300 - 32, -1);

  await edge.dblclick();
  expect(await width()).toBeCloseTo(before, 0);
  expect(await cut()).toBeGreaterThan(0);
});

test('the view tabs are one stop of the Tab key, and the arrow keys, Home and End move between them', async ({ page }) => {
  await page.goto('/');
  const tabs = page.getByRole('tablist', { name: 'Views' }).getByRole('tab');
  const library = tabs.filter({ hasText: 'Library' });
  await expect(library).toHaveAttribute('aria-selected', 'true');
  await expect(tabs.and(page.locator('[tabindex="0"]'))).toHaveCount(1);
  await library.focus();
  await page.keyboard.press('ArrowRight');
  const calibrations = tabs.filter({ hasText: 'Calibrations' });
  await expect(calibrations).toHaveAttribute('aria-selected', 'true');
  await expect(calibrations).toBeFocused();
  // Alt+Arrow is the browser's history, not the tab list's.
  await page.keyboard.press('Alt+ArrowRight');
  await expect(calibrations).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(tabs.last()).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight');
  await expect(library).toHaveAttribute('aria-selected', 'true');
  await expect(library).toBeFocused();
});
