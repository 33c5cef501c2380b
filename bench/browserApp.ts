/**
 * The built app served and opened the way a user has it, for the scripts
 * that drive it (bench/browserNight.ts, bench/browserScore.ts): `vite
 * preview` on its own port, and Chromium with a fresh on-disk profile (a
 * persistent context: IndexedDB on disk, as for a user; Playwright's default
 * context keeps it in memory).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config';
import { waitForServer } from './procMemory';

export interface App {
  url: string;
  server: ChildProcess;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function openApp(port: number): Promise<App> {
  const url = `http://localhost:${port}/`;
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
  const profile = mkdtempSync(join(tmpdir(), 'ccd-app-profile-'));
  const stop = () => {
    try { process.kill(-server.pid!); } catch { /* already gone */ }
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    await waitForServer(url);
    const context = await chromium.launchPersistentContext(profile, { ...chromiumLaunch, headless: true, viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await page.getByRole('button', { name: 'Add files…' }).waitFor();
    return { url, server, context, page, close: async () => { await context.close(); stop(); } };
  } catch (err) {
    stop();
    throw err;
  }
}

/** Gives the files to "Add files…" and waits until the library has them all; returns the seconds. */
export async function addFiles(page: Page, files: string[]): Promise<number> {
  const t0 = performance.now();
  await page.getByLabel('Add FITS files').setInputFiles(files);
  const progress = page.getByRole('region', { name: 'Ingest progress' });
  await progress.getByText(`Done: ${files.length} / ${files.length} files`).waitFor({ timeout: 600_000 });
  const seconds = (performance.now() - t0) / 1000;
  const text = (await progress.textContent()) ?? '';
  if (/with errors/.test(text)) throw new Error(`ingest: ${text}`);
  return seconds;
}

/** Presses "Reduce all" on the Runs tab and waits for the end; returns the seconds and the status line. */
export async function reduceAll(page: Page): Promise<{ seconds: number; status: string }> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  const t0 = performance.now();
  await page.getByRole('button', { name: 'Reduce all' }).click();
  const status = page.getByRole('status').filter({ hasText: /Reduction (complete|finished)/ });
  await status.waitFor({ timeout: 1_200_000 });
  return { seconds: (performance.now() - t0) / 1000, status: (await status.textContent()) ?? '' };
}
