/**
 * The frame inspector in the built app, against outside references
 * (e2e/reference/make_inspector.py: astropy and numpy on the sample night's
 * raw0020.fits, truth.json's FWHM, astropy.wcs): zscale limits equal to the
 * kernel's; pixel values under the pointer; the histogram, the row and
 * column cuts, the region statistics and the radial profile; pixel-exact
 * zoom; RA/Dec from a TAN header; the DQ overlay and the planes of a reduced
 * frame; blink and the aligned lock on a stack and its members; and frames
 * that cannot be shown (deleted, pixels missing) saying why.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { parseFits, readImage } from '../src/core/fits';
import { zscale } from '../src/core/kernels/zscale';
import { formatDec, formatRa } from '../src/core/wcs/wcs';
import { SAMPLE_NIGHT, fitsFilesIn, waitForRows } from './helpers';
import { formatValue } from '../src/features/inspector/format';
import { decodePng } from './png';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ref = JSON.parse(readFileSync(path.join(HERE, 'reference/inspector_expected.json'), 'utf8'));

async function addFiles(page: Page, files: string[]) {
  await page.setInputFiles('input[aria-label="Add FITS files"]', files);
}

const pane = (page: Page, name: string) => page.getByRole('img', { name: `Frame ${name}` });

/** Waits until the frame's picture is complete (no reading message, limits shown). */
async function pictureReady(page: Page, name: string) {
  await expect(pane(page, name)).toBeVisible();
  await expect(pane(page, name).getByRole('status')).toHaveCount(0, { timeout: 20_000 });
  // The limits come with the next paint, which a loaded machine can hold back for seconds (seen once
  // with two test browsers at a time on 2 cores: NaN still after 5 s).
  await expect(page.getByLabel('Low limit')).toHaveAttribute('data-value', /\d/, { timeout: 20_000 });
}

/** Page coordinates of the centre of FITS pixel (x, y) in a pane (device pixels = CSS pixels here). */
async function screenOf(p: Locator, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = (await p.boundingBox())!;
  const cx = Number(await p.getAttribute('data-cx'));
  const cy = Number(await p.getAttribute('data-cy'));
  const zoom = Number(await p.getAttribute('data-zoom'));
  return { x: box.x + box.width / 2 + (x - 1 - cx) * zoom, y: box.y + box.height / 2 - (y - 1 - cy) * zoom };
}

async function hover(page: Page, p: Locator, x: number, y: number) {
  const s = await screenOf(p, x, y);
  await page.mouse.move(s.x, s.y);
}

/** plotly's data of the plot with this label. */
async function plotData(page: Page, label: string): Promise<{ x: number[]; y: number[]; z?: number[][] }[]> {
  const plot = page.getByRole('img', { name: label });
  await expect(plot).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  return plot.evaluate((el) => (el as unknown as { data: { x: number[]; y: number[]; z?: number[][] }[] }).data.map((t) => ({ x: [...t.x], y: [...t.y], z: t.z?.map((r) => [...r]) })));
}

const tool = (page: Page, name: string) => page.getByRole('group', { name: 'Tool' }).getByRole('button', { name, exact: true });

const zoomButton = (page: Page, name: string) => page.getByRole('group', { name: 'Zoom' }).getByRole('button', { name, exact: true });

const statValue = async (page: Page, key: string) => Number(await page.locator(`td[data-stat="${key}"]`).getAttribute('data-value'));

test('a raw frame: zscale limits, pixel values, histogram, cuts, region statistics, radial profile, 3D, pixel-exact zoom', async ({ page }) => {
  const bytes = readFileSync(path.join(SAMPLE_NIGHT, ref.file));
  const img = readImage(parseFits(bytes, ref.file), bytes, 0);
  const z = zscale(img.data, { width: img.width, height: img.height });

  page.on('pageerror', (e) => console.log('PAGEERROR', e.message, e.stack));
  page.on('console', (m) => { if (m.type() === 'error') console.log('CONSOLE', m.text()); });
  await page.goto('/');
  await addFiles(page, [path.join(SAMPLE_NIGHT, 'raw0020.fits'), path.join(SAMPLE_NIGHT, 'raw0021.fits')]);
  await waitForRows(page, 2);
  await page.locator('tr.file-row').first().hover();
  await page.screenshot({ path: 'test-results/inspector-library-1440.png' });
  await page.getByRole('button', { name: 'Inspect raw0020.fits' }).click();
  await expect(page.getByRole('tab', { name: 'Inspector' })).toHaveAttribute('aria-selected', 'true');
  const frame = pane(page, 'raw0020.fits');
  await pictureReady(page, 'raw0020.fits');

  // The zscale limits shown are the kernel's on the whole frame, to the last bit.
  await expect(page.getByLabel('Limits', { exact: true })).toHaveValue('zscale');
  expect(Number(await page.getByLabel('Low limit').getAttribute('data-value'))).toBe(z.z1);
  expect(Number(await page.getByLabel('High limit').getAttribute('data-value'))).toBe(z.z2);

  // Hovering a pixel shows its value from the file (astropy), FITS coordinates, and the pixel table around it.
  for (const p of ref.pixels as { x: number; y: number; value: number }[]) {
    await hover(page, frame, p.x, p.y);
    await expect(page.locator('.ro-xy')).toHaveText(`${p.x}, ${p.y}`);
    await expect(page.locator('.ro-sci')).toHaveText(String(p.value));
  }
  await hover(page, frame, 100, 120);
  await expect(page.locator('.pt-centre')).toHaveText(String(ref.pixels[0].value));
  await expect(page.locator('.pt thead th').nth(1)).toHaveText('98');
  await expect(page.locator('.ro-world')).toContainText('no celestial WCS');
  await page.screenshot({ path: 'test-results/inspector-raw-1440.png' });

  // Histogram from min to max in 64 bins: numpy.histogram's counts and edges.
  await page.getByRole('tab', { name: 'Histogram' }).click();
  await page.getByLabel('Histogram range').selectOption('minmax');
  await page.getByLabel('Bins').selectOption('64');
  await expect(page.getByTestId('hist-npix')).toHaveText((ref.width * ref.height).toLocaleString('en-US'));
  const hist = (await plotData(page, 'Histogram'))[0];
  expect(hist.y).toEqual(ref.histogram_minmax_64.counts);
  const edges: number[] = ref.histogram_minmax_64.edges;
  hist.x.forEach((c, i) => expect(c).toBeCloseTo((edges[i] + edges[i + 1]) / 2, 6));
  // Within the zscale limits (the default), as numpy counts with range=(z1, z2).
  await page.getByLabel('Histogram range').selectOption('limits');
  await page.getByLabel('Bins').selectOption('256');
  const within = Array.from(img.data).filter((v) => v >= z.z1 && v <= z.z2).length;
  await expect(page.getByTestId('hist-in')).toHaveText(within.toLocaleString('en-US'));
  await expect(page.getByTestId('hist-below')).toHaveText(Array.from(img.data).filter((v) => v < z.z1).length.toLocaleString('en-US'));

  // A click puts the crosshair; the cuts are that row and that column of the file.
  await tool(page, 'Pan').click();
  const at = await screenOf(frame, ref.column.x, ref.row.y);
  await page.mouse.click(at.x, at.y);
  await page.getByRole('tab', { name: 'Cuts' }).click();
  await expect(page.getByTestId('cut-at')).toHaveText('through x 100, y 120');
  const [row, col] = await plotData(page, 'Row and column cuts');
  expect(row.y).toEqual(ref.row.values);
  expect(row.x[0]).toBe(1);
  expect(col.y).toEqual(ref.column.values);
  await page.screenshot({ path: 'test-results/inspector-cuts-1440.png' });

  // Region statistics of a FITS section: numpy and astropy's mad_std.
  await page.getByRole('tab', { name: 'Region' }).click();
  await page.getByLabel('Region section').fill(ref.region.section);
  await page.getByLabel('Region section').press('Enter');
  await expect(page.locator('td[data-stat="npix"]')).toHaveText(String(ref.region.npix));
  expect(await statValue(page, 'mean')).toBeCloseTo(ref.region.mean, 9);
  expect(await statValue(page, 'median')).toBe(ref.region.median);
  expect(await statValue(page, 'std')).toBeCloseTo(ref.region.std, 9);
  expect(await statValue(page, 'robustSigma')).toBeCloseTo(ref.region.robustSigma, 9);
  expect(await statValue(page, 'min')).toBe(ref.region.min);
  expect(await statValue(page, 'max')).toBe(ref.region.max);
  expect(await statValue(page, 'sum')).toBe(ref.region.sum);
  await page.screenshot({ path: 'test-results/inspector-region-1440.png' });

  // A box drawn with the Region tool: its section and pixel count.
  await tool(page, 'Region').click();
  const r0 = await screenOf(frame, 60, 70);
  const r1 = await screenOf(frame, 90, 100);
  await page.mouse.move(r0.x, r0.y);
  await page.mouse.down();
  await page.mouse.move(r1.x, r1.y, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByLabel('Region section')).toHaveValue('[60:90,70:100]');
  await expect(page.locator('td[data-stat="npix"]')).toHaveText('961');

  // A line drawn with the Line tool: the cut along it, every pixel of length, bilinear (computed here from the file).
  await tool(page, 'Line').click();
  const l0 = await screenOf(frame, 40.3, 50.6);
  const l1 = await screenOf(frame, 140.8, 93.2);
  await page.mouse.move(l0.x, l0.y);
  await page.mouse.down();
  await page.mouse.move(l1.x, l1.y, { steps: 5 });
  await page.mouse.up();
  await page.getByRole('tab', { name: 'Cuts' }).click();
  const [lx0, ly0, lx1, ly1] = ((await page.getByTestId('cut-line').getAttribute('data-line')) ?? '').split(',').map(Number);
  const along = (await plotData(page, 'Cut along the line'))[0];
  const length = Math.hypot(lx1 - lx0, ly1 - ly0);
  expect(along.y.length).toBe(Math.floor(length) + 1);
  const pix = (x: number, y: number) => img.data[y * img.width + x];
  along.y.forEach((v, k) => {
    const x = lx0 + ((lx1 - lx0) / length) * k;
    const y = ly0 + ((ly1 - ly0) / length) * k;
    const fx = x - Math.floor(x), fy = y - Math.floor(y), X = Math.floor(x), Y = Math.floor(y);
    const expected = (pix(X, Y) * (1 - fx) + pix(X + 1, Y) * fx) * (1 - fy) + (pix(X, Y + 1) * (1 - fx) + pix(X + 1, Y + 1) * fx) * fy;
    expect(v).toBeCloseTo(expected, 6);
  });
  await page.screenshot({ path: 'test-results/inspector-line-1440.png' });

  // Contrast and bias with the right button, as in DS9: across for bias, down for contrast; Reset undoes them.
  const pb = (await frame.boundingBox())!;
  await page.mouse.move(pb.x + 0.25 * pb.width, pb.y + 0.2 * pb.height);
  await page.mouse.down({ button: 'right' });
  await page.mouse.move(pb.x + 0.75 * pb.width, pb.y + 0.4 * pb.height, { steps: 4 });
  await page.mouse.up({ button: 'right' });
  await expect(page.locator('.cb-value')).toHaveText('c 4.00 b 0.75');
  await page.screenshot({ path: 'test-results/inspector-contrast-bias-1440.png' });
  await page.getByRole('button', { name: 'Reset contrast and bias' }).click();
  await expect(page.locator('.cb-value')).toHaveText('c 1.00 b 0.50');

  // The radial profile of a bright isolated star (Star tool): centroid on the truth, FWHM within 10% of truth.json.
  await tool(page, 'Star').click();
  const star = await screenOf(frame, Math.round(ref.star.x) + 1, Math.round(ref.star.y) - 1);
  await page.mouse.click(star.x, star.y);
  await expect(page.getByRole('tab', { name: 'Radial' })).toHaveAttribute('aria-selected', 'true');
  const fit = page.getByRole('table', { name: 'Star measurement' });
  await expect(fit).toBeVisible({ timeout: 20_000 });
  const fwhm = Number(await fit.getAttribute('data-fwhm'));
  expect(Math.abs(fwhm / ref.star.fwhm - 1)).toBeLessThan(0.1);
  expect(Math.hypot(Number(await fit.getAttribute('data-x')) - ref.star.x, Number(await fit.getAttribute('data-y')) - ref.star.y)).toBeLessThan(0.25);
  await page.getByRole('button', { name: 'Gaussian' }).click();
  await expect(fit).not.toHaveAttribute('data-fwhm', String(fwhm));
  expect(Math.abs(Number(await fit.getAttribute('data-fwhm')) / ref.star.fwhm - 1)).toBeLessThan(0.1);
  const profile = await plotData(page, 'Radial profile');
  expect(profile[0].x.length).toBeGreaterThan(50);
  await page.screenshot({ path: 'test-results/inspector-radial-1440.png' });

  // w over the star: the 3D surface of the 31 x 31 pixels around it.
  await hover(page, frame, Math.round(ref.star.x), Math.round(ref.star.y));
  await page.keyboard.press('w');
  await expect(page.getByRole('tab', { name: '3D' })).toHaveAttribute('aria-selected', 'true');
  const surface = (await plotData(page, 'Surface around the crosshair'))[0];
  expect(surface.z!.length).toBe(31);
  expect(surface.z![15][15]).toBe(img.data[(Math.round(ref.star.y) - 1) * img.width + Math.round(ref.star.x) - 1]);
  await page.screenshot({ path: 'test-results/inspector-surface-1440.png' });

  // The 3D view button: around the crosshair it set (there is none after Escape: the view's centre).
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: '3D view' }).click();
  await expect(page.getByRole('img', { name: 'Surface around the crosshair' })).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });

  // Zoom 1:1, then three times by 2 about the centre: 8 device pixels per image pixel, every one a sharp block.
  await zoomButton(page, '1:1').click();
  for (let k = 0; k < 3; k++) await zoomButton(page, 'Zoom in').click();
  await expect(frame).toHaveAttribute('data-zoom', '8');
  // Escape clears the marks (the crosshair's lines would cut the blocks).
  await page.keyboard.press('Escape');
  await page.mouse.move(0, 0);
  await page.waitForTimeout(300);
  const box = (await frame.boundingBox())!;
  const shot = decodePng(await page.screenshot({ clip: { x: box.x, y: box.y + Math.floor(box.height / 2), width: Math.floor(box.width), height: 1 } }));
  const runs: number[] = [];
  let run = 1;
  for (let i = 1; i < shot.width; i++) {
    const same = [0, 1, 2].every((k) => shot.data[i * 4 + k] === shot.data[(i - 1) * 4 + k]);
    if (same) run++;
    else { runs.push(run); run = 1; }
  }
  // Interior runs of one colour are whole image pixels: multiples of 8 (neighbours of equal grey merge).
  const interior = runs.slice(1);
  expect(interior.length).toBeGreaterThan(20);
  for (const r of interior) expect(r % 8).toBe(0);
  await page.screenshot({ path: 'test-results/inspector-zoom8-1440.png' });

  // Fit again, then the scale, colormap and invert change the picture and the colorbar's labels follow the scale.
  await zoomButton(page, 'Fit').click();
  await page.getByLabel('Scale').selectOption('log');
  await page.getByLabel('Colormap').selectOption('heat');
  const ticks = page.locator('.colorbar-ticks span');
  await expect(ticks.first()).toHaveText(String(Number(z.z1.toPrecision(6))));
  await expect(ticks.last()).toHaveText(String(Number(z.z2.toPrecision(6))));
  await page.screenshot({ path: 'test-results/inspector-log-heat-1440.png' });

  // 1024 x 700: everything still reachable, and the fitted frame fitted again to its smaller pane.
  const fitZoom = async () => {
    const box = (await frame.boundingBox())!;
    const dpr = await page.evaluate(() => devicePixelRatio);
    return Math.min(Math.round(box.width * dpr) / img.width, Math.round(box.height * dpr) / img.height);
  };
  const zoomAt1440 = Number(await frame.getAttribute('data-zoom'));
  expect(zoomAt1440).toBeCloseTo(await fitZoom(), 9);
  await page.setViewportSize({ width: 1024, height: 700 });
  await expect.poll(async () => Number(await frame.getAttribute('data-zoom'))).toBeLessThan(zoomAt1440);
  expect(Number(await frame.getAttribute('data-zoom'))).toBeCloseTo(await fitZoom(), 9);
  await page.waitForTimeout(400);
  await page.screenshot({ path: 'test-results/inspector-raw-1024.png' });

  // A zoom the user chose is kept when the window changes size.
  await zoomButton(page, '1:1').click();
  await expect(frame).toHaveAttribute('data-zoom', '1');
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.waitForTimeout(400);
  await expect(frame).toHaveAttribute('data-zoom', '1');
});

test('a reduced frame: SCI, VAR and DQ with the bits named, the DQ overlay; a stack and its members blinked, side by side and aligned', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await addFiles(page, fitsFilesIn(SAMPLE_NIGHT));
  await waitForRows(page, 27);
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 120_000 });

  // The product as FITS (the runs view's download), read here for its SCI, VAR and DQ.
  const name = 'raw0021_reduced.fits';
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download ${name}` }).click()]);
  const bytes = readFileSync((await download.path())!);
  const fits = parseFits(bytes, name);
  const plane = (extname: string) => readImage(fits, bytes, fits.hdus.findIndex((h) => h.extname === extname));
  const [sci, vars, dq] = [plane('SCI'), plane('VAR'), plane('DQ')];
  const w = sci.width;
  const bitCount = (bit: number) => Array.from(dq.data).filter((v) => (v & bit) !== 0).length;
  const cosmic = Array.from(dq.data).findIndex((v, i) => v === 8 && i % w > 20 && i % w < w - 20 && Math.floor(i / w) > 20 && Math.floor(i / w) < sci.height - 20);
  expect(cosmic).toBeGreaterThan(0);
  const cx = (cosmic % w) + 1;
  const cy = Math.floor(cosmic / w) + 1;

  // Open it from the products table.
  await page.getByRole('button', { name: `Inspect ${name}` }).click();
  const frame = pane(page, name);
  await pictureReady(page, name);
  await expect(page.getByRole('group', { name: 'Plane' }).getByRole('button')).toHaveText(['SCI', 'VAR', 'DQ']);
  // Its SCI header as the downloaded file has it, card for card: the structural cards the writer adds
  // (XTENSION, BITPIX, NAXIS...) were missing from the viewer, which showed the stored cards only.
  await page.getByRole('tab', { name: 'Header' }).click();
  // The header is read from storage after the click: wait for its first card before reading them all.
  await expect(page.getByTestId('header-text').locator('div').first()).toHaveText(/^XTENSION/);
  const viewerLines = await page.getByTestId('header-text').locator('div').allTextContents();
  const sciHdu = fits.hdus.find((h) => h.extname === 'SCI')!;
  expect(viewerLines.map((l) => l.slice(0, 8).trim())).toEqual(sciHdu.cards.map((c) => c.key));
  expect(viewerLines[0]).toMatch(/^XTENSION= 'IMAGE   '/);
  expect(viewerLines[1]).toMatch(/^BITPIX  =\s+-32/);
  await page.getByRole('tab', { name: 'Histogram' }).click();
  // The readout names every plane's value at the pixel, and the DQ bits.
  await hover(page, frame, cx, cy);
  await expect(page.locator('.ro-xy')).toHaveText(`${cx}, ${cy}`);
  await expect(page.locator('.ro-sci')).toHaveText(formatValue(sci.data[cosmic]));
  await expect(page.locator('.ro-var')).toHaveText(formatValue(vars.data[cosmic]));
  await expect(page.locator('.ro-dq')).toHaveText('8 (cosmic ray)');

  // Centre on the cosmic ray and zoom to 8; the overlay paints it in the cosmic-ray colour.
  const at = await screenOf(frame, cx, cy);
  await page.mouse.click(at.x, at.y, { button: 'middle' });
  await zoomButton(page, '1:1').click();
  for (let k = 0; k < 3; k++) await zoomButton(page, 'Zoom in').click();
  await expect(frame).toHaveAttribute('data-zoom', '8');
  const colourAt = async () => {
    await page.mouse.move(0, 0);
    await page.waitForTimeout(300);
    const p = await screenOf(frame, cx, cy);
    const px = decodePng(await page.screenshot({ clip: { x: Math.round(p.x) - 1, y: Math.round(p.y) - 1, width: 3, height: 3 } }));
    return [px.data[16], px.data[17], px.data[18]];
  };
  const plain = await colourAt();
  await page.getByLabel('DQ overlay', { exact: true }).check();
  const legend = page.getByRole('group', { name: 'DQ overlay legend' });
  await expect(legend).toBeVisible();
  for (const bit of [1, 2, 4, 8, 16]) await expect(legend.locator(`[data-bit="${bit}"]`)).toHaveText(bitCount(bit).toLocaleString('en-US'));
  const painted = await colourAt();
  // #30d158 at 60% over the grey: green well above red and blue, and not the plain colour.
  expect(painted).not.toEqual(plain);
  expect(painted[1] - painted[0]).toBeGreaterThan(60);
  expect(painted[1] - painted[2]).toBeGreaterThan(30);
  await page.screenshot({ path: 'test-results/inspector-dq-overlay-1440.png' });
  // Only saturated pixels shown: the cosmic ray is plain again.
  for (const b of ['bad pixel', 'non-linear', 'cosmic ray', 'no data', 'overlap', 'unilluminated']) await legend.getByLabel(b).uncheck();
  expect(await colourAt()).toEqual(plain);
  await page.getByLabel('DQ overlay', { exact: true }).uncheck();

  // The DQ plane itself, min to max; VAR by zscale.
  await page.getByRole('group', { name: 'Plane' }).getByRole('button', { name: 'DQ' }).click();
  await expect(page.getByLabel('Limits', { exact: true })).toHaveValue('minmax');
  await page.getByRole('group', { name: 'Plane' }).getByRole('button', { name: 'VAR' }).click();
  await expect(page.getByLabel('Limits', { exact: true })).toHaveValue('zscale');
  await expect(page.getByLabel('Low limit')).toHaveAttribute('data-value', String(zscale(vars.data, { width: w, height: vars.height }).z1));
  await page.getByRole('group', { name: 'Plane' }).getByRole('button', { name: 'SCI' }).click();

  // A calibration of the product, from its run's provenance, in one click.
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce raw0021.fits' }).click();
  await page.getByRole('button', { name: 'Inspect flat raw0008_flat.fits' }).click();
  await expect(page.locator('.frame-chip.active')).toContainText('raw0008_flat.fits');
  await pictureReady(page, 'raw0008_flat.fits');
  // Closed from the keyboard: Delete on its tab (its × is no Tab stop of its own); the tab chosen next has the focus.
  const openFrames = page.getByRole('tablist', { name: 'Open frames' });
  const flatTab = openFrames.getByRole('tab', { name: /raw0008_flat\.fits/ });
  await flatTab.focus();
  await page.keyboard.press('Delete');
  await expect(flatTab).toHaveCount(0);
  await expect(openFrames.getByRole('tab', { selected: true })).toBeFocused();

  // A stack with its members, from its run's provenance, in one click.
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: /^Stack M67 R/ }).click();
  await page.getByRole('button', { name: 'Inspect with its inputs' }).click();
  // The stack and its four members (raw0021_reduced was open already).
  await expect(page.getByRole('tablist', { name: 'Open frames' }).getByRole('tab')).toHaveCount(5);
  const stackName = 'raw0020_stack.fits';
  await expect(page.locator('.frame-chip.active')).toContainText(stackName);
  await pictureReady(page, stackName);
  // The readout is the stack's, not what the pointer last read on another frame.
  await expect(page.locator('.ro-file')).toHaveText(stackName);
  await expect(page.locator('.ro-xy')).toHaveText('—');

  // The frames' tabs answer the arrow keys as the view tabs do: the frame before and back, without panning the image.
  const chips = page.getByRole('tablist', { name: 'Open frames' }).getByRole('tab');
  const activeAt = await chips.evaluateAll((els) => els.findIndex((e) => e.getAttribute('aria-selected') === 'true'));
  // The pane says its view's centre once the view is set (a CI run read it before: null).
  await expect(pane(page, stackName)).toHaveAttribute('data-cx', /\d/);
  const cxBefore = await pane(page, stackName).getAttribute('data-cx');
  await chips.nth(activeAt).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(chips.nth((activeAt + 4) % 5)).toHaveAttribute('aria-selected', 'true');
  await expect(chips.nth((activeAt + 4) % 5)).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(chips.nth(activeAt)).toHaveAttribute('aria-selected', 'true');
  await expect(pane(page, stackName)).toHaveAttribute('data-cx', cxBefore!);
  // Tab leaves the frames' tabs for the next control: their × buttons are no Tab stops.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('group', { name: 'Layout' }).getByRole('button', { name: 'Single' })).toBeFocused();

  // Blink at 125 ms: the pane goes through the frames by itself.
  await page.getByRole('group', { name: 'Layout' }).getByRole('button', { name: 'Blink' }).click();
  await page.getByLabel('Blink interval').selectOption('125');
  const seen = new Set<string>();
  for (let k = 0; k < 30; k++) {
    seen.add((await page.locator('.pane-box').getAttribute('aria-label')) ?? '');
    await page.waitForTimeout(50);
  }
  expect(seen.size).toBeGreaterThanOrEqual(4);
  await page.getByRole('button', { name: 'Pause blinking' }).click();
  // Stepped by hand, back to the stack.
  while (!((await page.locator('.frame-chip.active').textContent()) ?? '').includes(stackName)) await page.getByRole('button', { name: 'Next frame' }).click();

  // Locked and aligned by the stack's registration: the same screen point is the same star in a member.
  // Align locks the view as well (it was disabled until Lock view was ticked, and nothing said so).
  await expect(page.getByLabel('Lock view')).not.toBeChecked();
  await page.getByLabel('Align').check();
  await expect(page.getByLabel('Lock view')).toBeChecked();
  const stackPane = pane(page, stackName);
  await hover(page, stackPane, Math.round(ref.star.x), Math.round(ref.star.y));
  await page.keyboard.press('r');
  const fit = page.getByRole('table', { name: 'Star measurement' });
  await expect(fit).toBeVisible({ timeout: 20_000 });
  const inStack = { x: Number(await fit.getAttribute('data-x')), y: Number(await fit.getAttribute('data-y')) };
  const point = await screenOf(stackPane, Math.round(ref.star.x), Math.round(ref.star.y));
  while (!((await page.locator('.frame-chip.active').textContent()) ?? '').includes(name)) await page.getByRole('button', { name: 'Next frame' }).click();
  await page.mouse.move(point.x + 1, point.y);
  await page.mouse.move(point.x, point.y);
  await page.keyboard.press('r');
  await expect(fit).not.toHaveAttribute('data-x', String(inStack.x));
  const inMember = { x: Number(await fit.getAttribute('data-x')), y: Number(await fit.getAttribute('data-y')) };
  const truth = JSON.parse(readFileSync(path.join(SAMPLE_NIGHT, 'truth.json'), 'utf8'));
  const offset = truth.science.find((s: { file: string }) => s.file === 'raw0021.fits');
  expect(Math.abs(inMember.x - inStack.x - offset.dx)).toBeLessThan(0.3);
  expect(Math.abs(inMember.y - inStack.y - offset.dy)).toBeLessThan(0.3);
  await page.screenshot({ path: 'test-results/inspector-blink-aligned-1440.png' });

  // Side by side, every frame in its own pane.
  await page.getByRole('group', { name: 'Layout' }).getByRole('button', { name: 'Side by side' }).click();
  await expect(page.locator('.pane-caption')).toHaveCount(5);
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'test-results/inspector-side-by-side-1440.png' });
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'test-results/inspector-side-by-side-1024.png' });
});

test('RA and Dec under the pointer from a TAN header, as astropy.wcs computes them', async ({ page }) => {
  await page.goto('/');
  await addFiles(page, [path.join(HERE, 'reference', ref.wcs.file)]);
  await waitForRows(page, 1);
  // A double-click on the row inspects it too.
  await page.locator('tr.file-row').first().dblclick();
  const frame = pane(page, ref.wcs.file);
  await pictureReady(page, ref.wcs.file);
  await hover(page, frame, ref.wcs.x, ref.wcs.y);
  await expect(page.locator('.ro-xy')).toHaveText(`${ref.wcs.x}, ${ref.wcs.y}`);
  await expect(page.locator('.ro-sci')).toHaveText(String(ref.wcs.value));
  await expect(page.locator('.ro-world')).toHaveText(`${formatRa(ref.wcs.ra)} ${formatDec(ref.wcs.dec)} ICRS`);
  // The header, searchable, beside the image.
  await page.getByRole('tab', { name: 'Header' }).click();
  await page.getByRole('searchbox', { name: 'Search header' }).fill('CD1_');
  await expect(page.getByTestId('header-text')).toContainText('CD1_1');
  await expect(page.getByTestId('header-text')).not.toContainText('CRVAL1');
  // Beside the image the panel is narrower than a card: cards wrap there, unless the user says otherwise.
  const sideways = () => page.getByTestId('header-text').evaluate((e) => e.scrollWidth > e.clientWidth);
  await expect(page.getByRole('checkbox', { name: 'Wrap' })).toBeChecked();
  expect(await sideways()).toBe(false);
  await page.getByRole('checkbox', { name: 'Wrap' }).uncheck();
  expect(await sideways()).toBe(true);
  await page.getByRole('checkbox', { name: 'Wrap' }).check();
  await page.screenshot({ path: 'test-results/inspector-wcs-header-1440.png' });
});

test('a frame that cannot be shown says why: pixels missing from storage, a file deleted while open', async ({ page }) => {
  page.on('dialog', (d) => void d.accept());
  await page.goto('/');
  await addFiles(page, [path.join(SAMPLE_NIGHT, 'raw0001.fits'), path.join(SAMPLE_NIGHT, 'raw0002.fits')]);
  await waitForRows(page, 2);
  // Lose one strip of raw0001's pixels behind the app's back.
  const id = await page.locator('tr.file-row').filter({ hasText: 'raw0001.fits' }).getAttribute('data-file-id');
  await page.evaluate(async (fileId: string) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('ccd-workbench');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('strips', 'readwrite');
      tx.objectStore('strips').delete([fileId, 0, 0, 0]);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, id!);
  await page.getByRole('button', { name: 'Inspect raw0001.fits' }).click();
  await expect(pane(page, 'raw0001.fits').getByRole('alert')).toHaveText(/raw0001\.fits: its stored pixels are incomplete.*Delete the file and add it again/);

  // Another frame open, then deleted from the library.
  await page.getByRole('tab', { name: 'Library' }).click();
  await page.getByRole('button', { name: 'Inspect raw0002.fits' }).click();
  await pictureReady(page, 'raw0002.fits');
  await page.getByRole('tab', { name: 'Library' }).click();
  await page.getByRole('checkbox', { name: 'Select raw0002.fits' }).check();
  await page.getByRole('button', { name: 'Delete' }).click();
  await waitForRows(page, 1);
  await page.getByRole('tab', { name: 'Inspector' }).click();
  await page.getByRole('tab', { name: /raw0002\.fits/ }).click();
  await expect(pane(page, 'raw0002.fits').getByRole('alert')).toHaveText('This file was deleted from the library.');
  await page.screenshot({ path: 'test-results/inspector-deleted-1440.png' });
  // The view still works: the frame closes.
  await page.getByRole('button', { name: 'Close raw0002.fits' }).click();
  await expect(page.getByRole('tablist', { name: 'Open frames' }).getByRole('tab')).toHaveCount(1);
});

test('limits that are not numbers, or a low above the high, are refused with the reason and leave the display as it was', async ({ page }) => {
  await page.goto('/');
  await addFiles(page, [path.join(SAMPLE_NIGHT, 'raw0020.fits')]);
  await waitForRows(page, 1);
  await page.getByRole('button', { name: 'Inspect raw0020.fits' }).click();
  await pictureReady(page, 'raw0020.fits');
  const low = page.getByLabel('Low limit');
  const before = await low.getAttribute('data-value');
  const refused = page.getByRole('alert').filter({ hasText: 'Not applied' });
  await low.fill('abc');
  await low.press('Enter');
  await expect(refused).toContainText('"abc" is not a number');
  await low.fill('99999');
  await low.press('Enter');
  await expect(refused).toContainText('the low limit must be below the high');
  await expect(low).toHaveAttribute('data-value', before!);
  await expect(page.getByLabel('Limits')).toHaveValue('zscale');
});

test('the open frames come back after a reload, with the one shown, its colormap and limits; a frame deleted meanwhile does not', async ({ page }) => {
  await page.goto('/');
  await addFiles(page, [path.join(SAMPLE_NIGHT, 'raw0001.fits'), path.join(SAMPLE_NIGHT, 'raw0002.fits'), path.join(SAMPLE_NIGHT, 'raw0003.fits')]);
  await waitForRows(page, 3);
  for (const name of ['raw0001.fits', 'raw0002.fits', 'raw0003.fits']) {
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByRole('button', { name: `Inspect ${name}` }).click();
    await pictureReady(page, name);
  }
  const frames = page.getByRole('tablist', { name: 'Open frames' }).getByRole('tab');
  await frames.filter({ hasText: 'raw0002.fits' }).click();
  await page.getByLabel('Colormap').selectOption('heat');
  await page.getByLabel('Limits').selectOption('minmax');
  // raw0003 goes from the library while the page is closed (deleted here, before the reload).
  await page.getByRole('tab', { name: 'Library' }).click();
  await page.getByRole('checkbox', { name: 'Select raw0003.fits' }).check();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete' }).click();
  await waitForRows(page, 2);

  await page.reload();
  await waitForRows(page, 2);
  await page.getByRole('tab', { name: 'Inspector' }).click();
  await expect(frames).toHaveText([/raw0001\.fits/, /raw0002\.fits/]);
  await expect(frames.filter({ hasText: 'raw0002.fits' })).toHaveAttribute('aria-selected', 'true');
  await pictureReady(page, 'raw0002.fits');
  await expect(page.getByLabel('Colormap')).toHaveValue('heat');
  await expect(page.getByLabel('Limits')).toHaveValue('minmax');
  // The other frame kept its own settings.
  await frames.filter({ hasText: 'raw0001.fits' }).click();
  await pictureReady(page, 'raw0001.fits');
  await expect(page.getByLabel('Colormap')).toHaveValue('grey');
  // Delete closes the tab that has the focus, whichever frame is shown (a blink moves the shown one away from it).
  await frames.filter({ hasText: 'raw0002.fits' }).focus();
  await page.keyboard.press('Delete');
  await expect(frames).toHaveText([/raw0001\.fits/]);
});
