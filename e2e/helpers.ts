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

/** The same for files made in the test: name and base64 bytes. */
export async function dropPayload(page: Page, payload: { name: string; b64: string }[]): Promise<void> {
  await page.evaluate(async (items) => {
    const dt = new DataTransfer();
    for (const it of items) {
      const bin = atob(it.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], it.name, { type: 'application/fits' }));
    }
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, payload);
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
