/**
 * Bad input in the built app: a set of damaged files and decompression bombs,
 * a 2 GB file and a good file dropped together, beside a frame already stored.
 * Each bad file shows its own error naming the file and the problem (or, for
 * damage astropy reads past, a warning naming what is missing), the good one
 * loads, the stored frame is untouched, and the page keeps answering.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { gzip } from 'pako';
import { FIXTURES, SAMPLE_NIGHT, dropFiles, tableContents, waitForRows } from './helpers';
import { formatCard } from '../src/core/fits/cardFormat';
import { buildTiledFile, rowTiledImageKeywords } from '../src/core/fits/tiled/tableBuilder';

const REFERENCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/core/fits/reference');

function header(cards: { key: string; value: number | boolean | string }[]): Uint8Array {
  const text = [...cards.flatMap((c) => formatCard(c)), 'END'.padEnd(80)].join('');
  const out = new Uint8Array(Math.ceil(text.length / 2880) * 2880).fill(0x20);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function withCard(bytes: Uint8Array, start: number, key: string, value: string): Uint8Array {
  const b = bytes.slice();
  for (let p = start; p < b.length; p += 80) {
    if (String.fromCharCode(...b.subarray(p, p + 8)) === key.padEnd(8)) {
      const card = `${key.padEnd(8)}= ${value}`.padEnd(80);
      for (let i = 0; i < 80; i++) b[p + i] = card.charCodeAt(i);
      return b;
    }
  }
  throw new Error(`no ${key}`);
}

/** name -> [bytes, what its row must say]. */
function badFiles(dir: string): Map<string, RegExp> {
  const write = (name: string, bytes: Uint8Array) => writeFileSync(path.join(dir, name), bytes);
  const fixture = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, name)));
  const expect = new Map<string, RegExp>();

  // 2.5 GB of zeros behind a 16 MB-of-zeros gzip stream: refused from the header.
  const bombHead = header([
    { key: 'SIMPLE', value: true },
    { key: 'BITPIX', value: 8 },
    { key: 'NAXIS', value: 2 },
    { key: 'NAXIS1', value: 50000 },
    { key: 'NAXIS2', value: 50000 },
  ]);
  const bombPlain = new Uint8Array(bombHead.length + (16 << 20));
  bombPlain.set(bombHead);
  write('bomb.fits.gz', gzip(bombPlain, { level: 9 }));
  expect.set('bomb.fits.gz', /^error: HDU 0: NAXIS claims 2\.5 GB of data .* the gzip stream was not decompressed/);

  // 100 tiles all pointing at one gzip stream of 32 MB of zeros.
  const zeros = gzip(new Uint8Array(32 << 20), { level: 9 });
  const fz = buildTiledFile(
    [{ name: 'COMPRESSED_DATA', tform: 'PB', cells: Array.from({ length: 100 }, (_, i) => (i === 0 ? zeros : null)) }],
    rowTiledImageKeywords(16, 100, 100, 'GZIP_1'),
  );
  const view = new DataView(fz.buffer);
  for (let r = 1; r < 100; r++) {
    view.setUint32(5760 + r * 8, zeros.length);
    view.setUint32(5760 + r * 8 + 4, 0);
  }
  write('tilebomb.fits.fz', fz);
  expect.set('tilebomb.fits.fz', /^error: HDU 1 \(GZIP_1 tile-compressed image\): GZIP_1 of tile 1 is corrupt or cut short \(it inflates to more than the 800 bytes/);

  write('huge_znaxis.fits.fz', withCard(withCard(fz, 2880, 'ZNAXIS1', '80000'), 2880, 'ZNAXIS2', '80000'));
  expect.set('huge_znaxis.fits.fz', /^error: HDU 1: ZNAXIS claims 25\.6 GB of decoded pixels/);

  write('bad_crc.fits.gz', readFileSync(path.join(REFERENCE, 'badinput/u16_flipped_literal.fits.gz')));
  expect.set('bad_crc.fits.gz', /^error: gzip stream is corrupt \(its CRC-32 checksum does not match/);

  const mef = fixture('mef.fits');
  write('mef_cut.fits', mef.slice(0, 7060));
  expect.set('mef_cut.fits', /^ok — warning: the file is cut short inside the padding after HDU 1 .* any HDUs after HDU 1 are missing/);

  const garbled = mef.slice();
  const end = new TextDecoder('latin1').decode(mef).indexOf('END     ', 2880);
  garbled.set([0x45, 0x4d, 0x44], end);
  write('mef_garbled_end.fits', garbled);
  expect.set('mef_garbled_end.fits', /^error: header of HDU 1 has no END card: another extension header starts at byte 8640/);

  write('bzero_abc.fits', withCard(fixture('i16_scaled.fits'), 0, 'BZERO', "'abc'"));
  expect.set('bzero_abc.fits', /^error: HDU 0: BZERO must be a number, found "abc"/);

  let seed = 9;
  write('noise.fits', Uint8Array.from({ length: 4000 }, () => (seed = (seed * 16807) % 2147483647) & 255));
  expect.set('noise.fits', /^error: not a FITS file/);
  write('zero.fits', new Uint8Array(0));
  expect.set('zero.fits', /^error: file is empty \(zero bytes\)/);
  return expect;
}

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'badinput-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('bad files each show their own error, the good one loads, a stored frame is untouched, the page answers', async ({ page }, info) => {
  const bad = badFiles(dir);
  // A 2 GB file, sparse on disk: refused by its size before it is read.
  const huge = path.join(dir, 'huge.fits');
  const fd = openSync(huge, 'w');
  ftruncateSync(fd, 2 * 2 ** 30 + 123);
  closeSync(fd);

  await page.goto('/');
  await dropFiles(page, [path.join(SAMPLE_NIGHT, 'raw0001.fits')]);
  await waitForRows(page, 1);
  const before = (await tableContents(page)).get('raw0001.fits');
  expect(before?.status).toMatch(/^ok/);
  const beforeRow = await page.locator('tr.file-row', { hasText: 'raw0001.fits' }).innerText();

  const good = path.join(FIXTURES, 'i16.fits');
  await page.getByLabel('Add FITS files').setInputFiles([...[...bad.keys()].map((n) => path.join(dir, n)), huge, good]);
  // Every file but the 2 GB one (never read, so never stored) gets a row.
  await waitForRows(page, 1 + bad.size + 1);
  await expect(page.locator('.ingest')).toContainText(`Done: ${bad.size + 2} / ${bad.size + 2} files`, { timeout: 120_000 });

  const shown = await tableContents(page);
  for (const [name, want] of bad) expect(shown.get(name)?.status, name).toMatch(want);
  expect(shown.get('i16.fits')?.status).toBe('ok');
  expect(shown.get('raw0001.fits')).toEqual(before);
  expect(await page.locator('tr.file-row', { hasText: 'raw0001.fits' }).innerText()).toBe(beforeRow);

  const problems = page.getByRole('list', { name: 'Files with errors' });
  await expect(problems).toContainText(/huge\.fits: file is 2\.15 GB, more than the 1\.07 GB this reader can hold; it was not read/);
  for (const name of [...bad.keys()].filter((n) => n !== 'mef_cut.fits')) await expect(problems).toContainText(`${name}: `);
  // The file read past its damage is listed apart, with what is missing.
  const warned = page.getByRole('list', { name: 'Files read with warnings' });
  await expect(warned.getByRole('listitem')).toHaveCount(1);
  await expect(warned).toContainText(/mef_cut\.fits: the file is cut short inside the padding after HDU 1 .* any HDUs after HDU 1 are missing/);
  await expect(page.locator('.ingest')).toContainText('1 read with warnings');
  await page.screenshot({ path: info.outputPath('badinput.png'), fullPage: true });

  // The page still answers: the header viewer of the good file opens, and a frame is drawn.
  await page.locator('tr.file-row', { hasText: 'i16.fits' }).click();
  await expect(page.getByTestId('header-text')).toContainText('BITPIX  =                   16');
  expect(await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(1))))).toBe(1);

  // After a reload the stored rows are the same: errors stay errors, the warning stays with its file.
  await page.reload();
  await waitForRows(page, 1 + bad.size + 1);
  const again = await tableContents(page);
  for (const [name, want] of bad) expect(again.get(name)?.status, name).toMatch(want);
  expect(again.get('raw0001.fits')).toEqual(before);
});
