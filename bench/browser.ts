/**
 * `npm run bench:browser`: serves the built app, opens dist/bench.html in
 * Debian's Chromium through Playwright and prints the JSON lines it reports.
 */
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config';

const size = process.env.BENCH_SIZE ?? '2048';
const frames = process.env.BENCH_FRAMES ?? '15';
const only = process.env.BENCH_ONLY;
/** Frame sizes of the inspector's part (BENCH_INSPECT=2048,4096,8192). */
const inspect = process.env.BENCH_INSPECT;
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
  const browser = await chromium.launch({ ...chromiumLaunch, headless: true });
  const page = await browser.newPage();
  page.on('console', (msg) => { if (msg.type() === 'log') console.log(msg.text()); });
  await page.goto(`http://localhost:${port}/bench.html?size=${size}&frames=${frames}${only ? `&only=${only}` : ''}${inspect ? `&inspect=${inspect}` : ''}`);
  await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench, undefined, { timeout: 600_000, polling: 1000 });
  await browser.close();
} finally {
  server.kill();
}
