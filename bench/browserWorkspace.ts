/**
 * `npm run bench:browser:workspace`: the time and memory of exporting a whole
 * workspace and importing it into a fresh profile, through the built app in
 * Debian's Chromium. A night is added and reduced in profile A (persistent,
 * on disk, as a user's), "Export workspace" is timed to the archive's
 * download, then profile B (another fresh folder) imports it, timed to the
 * "Imported" line. Prints one JSON line: seconds, archive size, and the peak
 * PSS of the browser's processes during each (sampled every 50 ms, as
 * bench:browser:night does), beside their PSS just before.
 *
 * BENCH_WORKSPACE_PICKER=1 also times the export through the save picker,
 * stubbed with a file of the origin's private file system (on disk), as
 * export_picker: the path a user of Chromium takes.
 *
 * BENCH_WORKSPACE_NIGHT=sample (default: ../shared/sample-night) or sim (the
 * simulated 2048 x 2048 night of `npm run bench:night`, 41 frames);
 * BENCH_DIST / BENCH_PORT: your own build and port.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config';
import { listFits } from '../cli/library';
import { BrowserWatch, descendants, waitForServer } from './procMemory';
import { ensureNight, nightDir, shared } from './nightFiles';

const port = Number(process.env.BENCH_PORT ?? 4176);
const dist = process.env.BENCH_DIST;
const which = process.env.BENCH_WORKSPACE_NIGHT ?? 'sample';

const mb = (b: number) => Math.round(b / 2 ** 20);

/** Peak PSS while `work` runs, and the PSS just before. */
async function measured<T>(excluded: Set<number>, work: () => Promise<T>) {
  const watch = new BrowserWatch(excluded);
  const before = watch.memory();
  let peak = before;
  const timer = setInterval(() => { const m = watch.memory(); if (m.pss > peak.pss) peak = m; }, 250);
  const t0 = performance.now();
  try {
    const result = await work();
    const perProcess = (m: { byType: Record<string, number> }) => Object.fromEntries(Object.entries(m.byType).map(([k, v]) => [k, mb(v)]));
    return { result, seconds: Math.round((performance.now() - t0) / 10) / 100, before_mb: mb(before.pss), before_by_process_mb: perProcess(before), peak_mb: mb(peak.pss), peak_by_process_mb: Object.fromEntries(Object.entries(peak.byType).map(([k, v]) => [k, mb(v)])) };
  } finally {
    clearInterval(timer);
  }
}

async function main() {
  let dir = join(shared, 'sample-night');
  if (which === 'sim') { ensureNight(); dir = nightDir; }
  const files = listFits(dir);
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', ...(dist ? ['--outDir', dist] : [])], { stdio: 'ignore', detached: true });
  const work = mkdtempSync(join(tmpdir(), 'ccd-bench-workspace-'));
  const contexts: BrowserContext[] = [];
  try {
    const url = `http://localhost:${port}/`;
    await waitForServer(url);
    const excluded = new Set([server.pid!, ...descendants(server.pid!)]);
    const open = async (name: string) => {
      const ctx = await chromium.launchPersistentContext(join(work, name), { ...chromiumLaunch, headless: true, viewport: { width: 1440, height: 900 }, acceptDownloads: true });
      contexts.push(ctx);
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      await page.goto(url);
      await page.getByRole('button', { name: 'Add files…' }).waitFor();
      return { ctx, page };
    };

    const a = await open('profile-a');
    await a.page.getByLabel('Add FITS files').setInputFiles(files);
    await a.page.getByRole('region', { name: 'Ingest progress' }).getByText(`Done: ${files.length} / ${files.length} files`).waitFor({ timeout: 900_000 });
    await a.page.getByRole('tab', { name: 'Runs' }).click();
    await a.page.getByRole('button', { name: 'Reduce all' }).click();
    await a.page.getByRole('status').filter({ hasText: /Reduction (complete|finished)/ }).waitFor({ timeout: 1_800_000 });
    await a.page.getByRole('tab', { name: 'Library' }).click();
    // The picker first: the download's Blob stays in the browser process for a while after it.
    const picker = process.env.BENCH_WORKSPACE_PICKER === '1' ? await measured(excluded, async () => {
      await a.page.evaluate(() => {
        localStorage.setItem('ccd-workbench:save-picker', '1');
        (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async () =>
          (await navigator.storage.getDirectory()).getFileHandle('picked.tar', { create: true });
      });
      await a.page.getByRole('button', { name: 'Export workspace' }).click();
      const text = (await a.page.getByRole('status').filter({ hasText: /^Exported .* to the chosen file/ }).textContent({ timeout: 900_000 })) ?? '';
      await a.page.evaluate(() => localStorage.removeItem('ccd-workbench:save-picker'));
      return text;
    }) : undefined;
    const archive = join(work, 'workspace.ccdworkspace.tar');
    const exp = await measured(excluded, async () => {
      const [download] = await Promise.all([a.page.waitForEvent('download', { timeout: 900_000 }), a.page.getByRole('button', { name: 'Export workspace' }).click()]);
      await download.saveAs(archive);
      return (await a.page.getByRole('status').filter({ hasText: /^Exported/ }).textContent()) ?? '';
    });
    await a.ctx.close();

    const b = await open('profile-b');
    const imp = await measured(excluded, async () => {
      await b.page.getByLabel('Import a workspace archive').setInputFiles(archive);
      const done = b.page.getByRole('status').filter({ hasText: /^Imported/ }).or(b.page.getByRole('alert'));
      await done.waitFor({ timeout: 1_800_000 });
      return (await done.textContent()) ?? '';
    });
    if (!/^Imported/.test(imp.result)) throw new Error(imp.result);
    console.log(JSON.stringify({
      bench: 'workspace', night: which, files: files.length, archive_mb: mb(statSync(archive).size),
      export: { ...exp, result: exp.result.slice(0, 160) }, ...(picker ? { export_picker: { ...picker, result: picker.result.slice(0, 120) } } : {}), import: { ...imp, result: imp.result.slice(0, 200) },
    }));
  } finally {
    for (const c of contexts) await c.close().catch(() => undefined);
    try { process.kill(-server.pid!); } catch { /* gone */ }
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => { console.error(err); process.exit(1); });
