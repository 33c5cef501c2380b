/** Shared steps of the end-to-end tests: dropping files the way a user's drag and drop delivers them. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';

export const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared');
export const SAMPLE_NIGHT = path.join(SHARED, 'sample-night');
export const FIXTURES = path.join(SHARED, 'fixtures/fits');

export function fitsFilesIn(dir: string): string[] {
  return readdirSync(dir).filter((n) => /\.(fits|fz|gz)$/i.test(n)).sort().map((n) => path.join(dir, n));
}

/** Dispatches dragenter/dragover/drop on the page with these files in the DataTransfer. */
export async function dropFiles(page: Page, files: string[]): Promise<void> {
  await dropPayload(page, files.map((f) => ({ name: path.basename(f), b64: readFileSync(f).toString('base64') })));
}

/**
 * The same for files made in the test: name and base64 bytes. As a user's
 * drag does, the files are dragged over the page until its drop overlay
 * shows, then dropped: the page listens for drops once it has rendered (an
 * effect), and a drop right after page.goto could come before that and be
 * lost (a CI run saw the library stay empty once).
 */
export async function dropPayload(page: Page, payload: { name: string; b64: string }[]): Promise<void> {
  type Held = Window & { __dropTransfer?: DataTransfer };
  await page.evaluate((items) => {
    const dt = new DataTransfer();
    for (const it of items) {
      const bin = atob(it.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], it.name, { type: 'application/fits' }));
    }
    (window as Held).__dropTransfer = dt;
  }, payload);
  const dispatch = (types: string[]) => page.evaluate((ts) => {
    const dt = (window as Held).__dropTransfer!;
    const target = document.querySelector('main') ?? document.body;
    for (const type of ts) target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, types);
  await expect(async () => {
    await dispatch(['dragenter', 'dragover']);
    await expect(page.locator('.drop-overlay')).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await dispatch(['drop']);
  await page.evaluate(() => { delete (window as Held).__dropTransfer; });
}

export const fileRows = (page: Page) => page.locator('tr.file-row');

export async function waitForRows(page: Page, n: number): Promise<void> {
  await expect(fileRows(page)).toHaveCount(n, { timeout: 60_000 });
}

/** name -> {type, filter, status} as the table shows them. */
export async function tableContents(page: Page): Promise<Map<string, { type: string; filter: string; status: string }>> {
  const rows = await fileRows(page).evaluateAll((trs) =>
    trs.map((tr) => ({
      name: tr.querySelector('.col-name')?.textContent?.trim() ?? '',
      type: tr.querySelector('.col-type .badge')?.firstChild?.textContent?.trim() ?? '',
      filter: tr.querySelector('.col-filter')?.textContent?.trim() ?? '',
      status: tr.querySelector('.col-status')?.textContent?.trim() ?? '',
    })),
  );
  return new Map(rows.map((r) => [r.name, r]));
}

/** Runs view, "Reduce all", and the status saying every run ended well. */
export async function reduceAllAndWait(page: Page, timeout = 90_000): Promise<void> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  await page.getByRole('button', { name: 'Reduce all' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Reduction complete' })).toBeVisible({ timeout });
}

/**
 * Every object store of the app's database, read straight from IndexedDB: per
 * store its record count and a digest of every record (binary values by their
 * bytes), so two readings are equal only when nothing stored changed.
 */
export function databaseDigest(page: Page): Promise<Record<string, { count: number; sha256: string }>> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('ccd-workbench');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const out: Record<string, { count: number; sha256: string }> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      const records = await new Promise<unknown[]>((resolve, reject) => {
        const req = db.transaction(name).objectStore(name).getAll();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      // Each record as JSON with its binary values set apart, then those bytes themselves
      // (a Blob's too, should a record hold one: its size alone would not show changed bytes).
      const parts: Uint8Array[] = [];
      for (const record of records) {
        const binary: (Uint8Array | Blob)[] = [];
        const json = JSON.stringify(record, (_k, x) => {
          if (x instanceof ArrayBuffer) x = new Uint8Array(x);
          if (ArrayBuffer.isView(x)) {
            binary.push(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
            return `bytes#${binary.length - 1}:${x.byteLength}`;
          }
          if (x instanceof Blob) {
            binary.push(x);
            return `blob#${binary.length - 1}:${x.size}`;
          }
          return x;
        });
        parts.push(new TextEncoder().encode(`${json}\n`));
        for (const b of binary) parts.push(b instanceof Blob ? new Uint8Array(await b.arrayBuffer()) : b);
      }
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      const digest = await crypto.subtle.digest('SHA-256', all);
      out[name] = { count: records.length, sha256: Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('') };
    }
    db.close();
    return out;
  });
}
