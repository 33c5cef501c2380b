/**
 * `npm run bench:browser`: serves the built app, opens dist/bench.html in
 * Debian's Chromium through Playwright and prints the JSON lines it reports.
 * The profile is a fresh folder on disk (a persistent context), so
 * IndexedDB and OPFS are on disk as for a user (the storage part measures
 * them; a default context keeps IndexedDB in memory).
 *
 * BENCH_ONLY=storage,... picks parts; BENCH_STORAGE_MB (256) and
 * BENCH_STRIP_MB=0.5,1,4 (record sizes, default 1) shape the storage part.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config';

const size = process.env.BENCH_SIZE ?? '2048';
const frames = process.env.BENCH_FRAMES ?? '15';
const only = process.env.BENCH_ONLY;
/** Frame sizes of the inspector's part (BENCH_INSPECT=2048,4096,8192). */
const inspect = process.env.BENCH_INSPECT;
const storageMb = process.env.BENCH_STORAGE_MB;
const stripMb = process.env.BENCH_STRIP_MB;
const port = 4174;

/** BENCH_DIST serves another build than dist/ (e.g. one made with --outDir elsewhere). */
const dist = process.env.BENCH_DIST;
const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', ...(dist ? ['--outDir', dist] : [])], { stdio: 'ignore' });
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://localhost:${port}/bench.html`)).ok) break;
    } catch {
      if (i > 100) throw new Error('vite preview did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const profile = mkdtempSync(join(tmpdir(), 'ccd-bench-browser-'));
  const browser = await chromium.launchPersistentContext(profile, { ...chromiumLaunch, headless: true });
  const page = await browser.newPage();
  page.on('console', (msg) => { if (msg.type() === 'log') console.log(msg.text()); });
  await page.goto(`http://localhost:${port}/bench.html?size=${size}&frames=${frames}${only ? `&only=${only}` : ''}${inspect ? `&inspect=${inspect}` : ''}${storageMb ? `&storage=${storageMb}` : ''}${stripMb ? `&strip=${stripMb}` : ''}`);
  await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench, undefined, { timeout: 600_000, polling: 1000 });
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
} finally {
  server.kill();
}
