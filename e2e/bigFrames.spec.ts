/**
 * Frames of a real detector's size through the page: three 2048 x 2048 raw
 * biases are added and reduced to a master bias. Their stored strips are
 * 16-bit and hold exactly the pixels of the files (read in Node by our
 * reader), still after a reload; the master bias the page exports is, data
 * unit for data unit, the one `npm run reduce` writes from the same files in
 * Node.
 *
 * In both kinds of profile, which stored pixels differently when they went
 * into IndexedDB as Blobs (Playwright's default context keeps IndexedDB in
 * memory, where a stored Blob is the Blob itself): now every raw frame's
 * strips and the master's point into files of their own
 * (src/db/pixelFiles.ts), the same in both, which the pipeline reads through
 * file handles; they outlive a reload and go with their files. The master
 * bias made from them is still Node's.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { chromium, expect, test, type Page } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config';
import { generateDemoNight } from '../src/core/demo';
import { parseFits, readImage } from '../src/core/fits';
import { waitForRows } from './helpers';

/** name -> {types of its strips' values, SHA-256 of the image HDU's strips' bytes in order}, read from IndexedDB. */
function storedPixels(page: Page): Promise<Record<string, { kinds: string[]; sha256: string }>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, no) => { const r = indexedDB.open('ccd-workbench'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    const all = <T,>(store: string) => new Promise<T[]>((ok, no) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result as T[]); r.onerror = () => no(r.error); });
    const files = await all<{ id: string; name: string; imageHdu: number }>('files');
    const strips = await all<{ fileId: string; hdu: number; index: number; data: unknown; dtype?: string }>('strips');
    db.close();
    const out: Record<string, { kinds: string[]; sha256: string }> = {};
    for (const f of files) {
      const mine = strips.filter((s) => s.fileId === f.id);
      // A product's strips point into its pixel file (src/db/pixelFiles.ts): { file, offset, bytes }.
      const isRef = (d: unknown): d is { file: string; offset: number; bytes: number } => typeof (d as { file?: unknown }).file === 'string';
      const kinds = [...new Set(mine.map((s) => (s.data instanceof Blob ? `Blob ${s.dtype}` : isRef(s.data) ? `file ${s.dtype}` : (s.data as object).constructor.name)))].sort();
      const image = mine.filter((s) => s.hdu === f.imageHdu).sort((a, b) => a.index - b.index);
      const pixelDir = () => navigator.storage.getDirectory().then((r) => r.getDirectoryHandle('library-pixels'));
      const parts = await Promise.all(image.map(async (s) => {
        if (s.data instanceof Blob) return new Uint8Array(await s.data.arrayBuffer());
        if (isRef(s.data)) {
          const { file, offset, bytes } = s.data;
          const whole = await (await (await pixelDir()).getFileHandle(file)).getFile();
          return new Uint8Array(await whole.slice(offset, offset + bytes).arrayBuffer());
        }
        return new Uint8Array((s.data as ArrayBufferView).buffer.slice(0));
      }));
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) { bytes.set(p, at); at += p.length; }
      out[f.name] = { kinds, sha256: Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('') };
    }
    return out;
  });
}

/** The raw frames' copies the ingest kept (src/db/rawCopies.ts): name -> SHA-256 of the copy's bytes. */
function rawCopies(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const out: Record<string, string> = {};
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('raw-copies');
    } catch {
      return out; // none kept
    }
    for await (const [name, entry] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemFileHandle]> }).entries()) {
      let bytes: ArrayBuffer;
      try {
        bytes = await (await entry.getFile()).arrayBuffer();
      } catch {
        continue; // removed while listed (the sweep after a delete)
      }
      out[name] = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
    }
    return out;
  });
}

/** The products' pixel files (src/db/pixelFiles.ts) by name. */
function pixelFileNames(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const names: string[] = [];
    try {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('library-pixels');
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    } catch { /* none made */ }
    return names;
  });
}

/** Each run's 'storage' log line (what it read and wrote, and from where), from the runs table. */
function storageLogs(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, no) => { const r = indexedDB.open('ccd-workbench'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    const runs = await new Promise<{ log: { step: string; message: string }[] }[]>((ok) => {
      const r = db.transaction('runs').objectStore('runs').getAll();
      r.onsuccess = () => ok(r.result);
    });
    db.close();
    return runs.map((r) => r.log.find((e) => e.step === 'storage')?.message ?? '');
  });
}

/** The data units (HDUs 1-3) of a FITS file. */
function dataUnits(bytes: Uint8Array, name: string): Uint8Array[] {
  const fits = parseFits(bytes, name);
  expect(fits.hdus.map((h) => h.extname), name).toEqual(['PRIMARY', 'SCI', 'VAR', 'DQ']);
  return fits.hdus.slice(1).map((h) => bytes.slice(h.dataOffset, h.dataOffset + h.dataBytes));
}

/** What a page made of the three frames: their strips as stored (and after a reload), the master's strips, and its exported file. */
async function throughPage(page: Page, files: { name: string }[], raw: string, dir: string, copiesKept: number, copiesMb: number) {
  await page.goto('/');
  await page.setInputFiles('input[aria-label="Add FITS files"]', files.map((f) => path.join(raw, f.name)));
  await waitForRows(page, 3);
  const stored = await storedPixels(page);
  // Kept once each file's transaction committed, so possibly a moment after its row shows.
  await expect.poll(() => rawCopies(page).then((c) => Object.keys(c).length)).toBe(copiesKept);
  const copies = await rawCopies(page);

  // What IndexedDB holds outlives the page: a reload reads the same.
  await page.reload();
  await waitForRows(page, 3);
  expect(await storedPixels(page)).toEqual(stored);
  // The storage meter says how much of the usage the copies are, where there are any.
  const meter = page.locator('.storage');
  await meter.hover();
  if (copiesKept) await expect(meter).toHaveAttribute('title', new RegExp(`\n${copiesMb} MB of the usage are copies of raw frames`));
  else await expect(meter).not.toHaveAttribute('title', /copies/);

  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout: 90_000 });
  const after = await storedPixels(page);
  const storage = await storageLogs(page);
  const product = Object.keys(after).find((n) => !files.some((f) => f.name === n))!;
  // Each raw frame's pixels and the master's are one file each of the library's pixel directory, which a reload keeps.
  const pixelFiles = await pixelFileNames(page);
  expect(pixelFiles).toHaveLength(files.length + 1);
  await page.reload();
  await waitForRows(page, 4);
  expect(await storedPixels(page)).toEqual(after);
  await page.getByRole('tab', { name: 'Runs' }).click();

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all products' }).click()]);
  const zip = path.join(dir, `products-${Date.now()}.zip`);
  await download.saveAs(zip);

  // Removing the files from the library removes their copies too (the sweep after a delete), and the master's pixel file.
  await page.getByRole('tab', { name: 'Library' }).click();
  await page.getByRole('checkbox', { name: 'Select all shown files' }).check();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await waitForRows(page, 0);
  await expect.poll(() => rawCopies(page).then((c) => Object.keys(c).length)).toBe(0);
  await expect.poll(() => pixelFileNames(page)).toEqual([]);
  return { stored, copies, storage, product, productKinds: after[product].kinds, zip: unzipSync(new Uint8Array(readFileSync(zip))) };
}

test('2048 x 2048 frames: exact pixels stored, after a reload too, and the same master bias as in Node, in profiles in memory and on disk', async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'big-frames-'));
  const profile = mkdtempSync(path.join(tmpdir(), 'big-frames-profile-'));
  const onDisk = await chromium.launchPersistentContext(profile, { ...chromiumLaunch, headless: true, baseURL });
  try {
    const raw = path.join(dir, 'raw');
    const files = generateDemoNight({ seed: 11, width: 2048, height: 2048, nBias: 3, nFlatPerFilter: 0, nSciencePerFilter: 0, nSecondTarget: 0 });
    mkdirSync(raw);
    for (const f of files) writeFileSync(path.join(raw, f.name), f.bytes);
    const masterName = `${files[0].name.replace(/\.fits$/, '')}_bias.fits`;

    // What the stored strips must hold: each file's pixels as 16-bit integers, little-endian (our reader, in Node).
    let copyBytes = 0;
    let rawFloatBytes = 0;
    const expected = Object.fromEntries(files.map((f) => {
      const img = readImage(parseFits(f.bytes, f.name), f.bytes, 0);
      const u16 = Uint16Array.from(img.data);
      copyBytes += u16.byteLength;
      rawFloatBytes += 4 * u16.length;
      return [f.name, createHash('sha256').update(new Uint8Array(u16.buffer)).digest('hex')];
    }));

    const out = path.join(dir, 'node');
    execFileSync('npx', ['tsx', 'cli/reduce.ts', raw, out, '--quiet'], { cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), stdio: 'ignore' });
    expect(readdirSync(out)).toEqual([masterName]);
    const inNode = dataUnits(new Uint8Array(readFileSync(path.join(out, masterName))), masterName);

    // In both: each raw frame's 8 MB of 16-bit strips in a pixel file of its own, the master's planes in its own
    // (SCI and VAR float32, DQ uint16), with their element types. No raw copies: the files are read as they were.
    const kinds = {
      memory: { raw: ['file u16'], master: ['file f32', 'file u16'] },
      disk: { raw: ['file u16'], master: ['file f32', 'file u16'] },
    };
    for (const [where, p] of [['memory', page], ['disk', onDisk.pages()[0] ?? (await onDisk.newPage())]] as const) {
      const got = await throughPage(p, files, raw, dir, 0, Math.round(copyBytes / 1e6));
      for (const f of files) expect(got.stored[f.name], `${where}: ${f.name}`).toEqual({ kinds: kinds[where].raw, sha256: expected[f.name] });
      // No raw copies are kept (the pixel files are read as they are)...
      expect(Object.values(got.copies), where).toEqual([]);
      // ...and the run read the raw frames from their files (every pixel, as float32).
      const fromCopies = `${Math.round(rawFloatBytes / 2 ** 20)} MB of it from raw frames' OPFS files`;
      expect(got.storage.some((line) => line.includes(fromCopies)), `${where}: ${got.storage.join('; ')}`).toBe(true);
      expect(got.product, where).toBe(masterName);
      expect(got.productKinds, where).toEqual(kinds[where].master);
      expect(Object.keys(got.zip), where).toEqual([masterName]);
      const units = dataUnits(got.zip[masterName], masterName);
      for (let k = 0; k < 3; k++) expect(Buffer.from(units[k]).equals(Buffer.from(inNode[k])), `${where}: ${masterName} HDU ${k + 1}`).toBe(true);
    }
  } finally {
    await onDisk.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
});
