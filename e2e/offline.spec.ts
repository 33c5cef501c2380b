/**
 * After one visit the app works with no network at all: the built app is
 * served by a `vite preview` of its own, visited once until its service
 * worker controls the page; then the server is closed, the browser context
 * goes offline and every request that would reach the network is aborted.
 * The page reloads from the service worker's precache, ingests the sample
 * night, reduces it, paints a product in the inspector with its plots and
 * downloads the products. And the app is installable, as Chromium judges it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config';
import { preview } from 'vite';
import { downloadProducts, drawInspectorPlots, ingestNight, inspectProduct, reduceNight } from './session';

// The build the tests serve: dist/ unless a private config says otherwise (DEVELOPERS.md, e2e on your own port).
const DIST = path.resolve(process.env.E2E_DIST ?? 'dist');

test('after one visit: offline, with the server gone, the page reloads, ingests, reduces, inspects and downloads a night', async ({ browser }) => {
  test.setTimeout(420_000);
  // Its own server on a free port, so that the test can take it away.
  const server = await preview({ logLevel: 'warn', build: { outDir: DIST }, preview: { port: 0, strictPort: false, open: false } });
  const url = server.resolvedUrls!.local[0];
  const context = await browser.newContext();
  let serverClosed = false;
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    const t0 = Date.now();
    await page.goto(url);
    // Controlled once the service worker has installed (precached every file) and claimed the page.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    });
    const toControlled = Date.now() - t0;
    const precache = await page.evaluate(async () => {
      const names = await caches.keys();
      const paths: string[] = [];
      let bytes = 0;
      for (const name of names.filter((n) => n.includes('precache'))) {
        const cache = await caches.open(name);
        for (const req of await cache.keys()) {
          paths.push(new URL(req.url).pathname.slice(1));
          bytes += (await (await cache.match(req))!.arrayBuffer()).byteLength;
        }
      }
      return { paths: paths.sort(), bytes };
    });
    // Every file of the build is precached but the source maps, the benchmark page and its chunks, and the
    // service worker's own scripts (the browser keeps those itself).
    const built = readdirSync(DIST, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(DIST, path.join(e.parentPath, e.name)))
      .filter((f) => !f.endsWith('.map') && !/^(bench\.html|assets\/bench[.-]|sw\.js$|workbox-[\w-]+\.js$)/.test(f))
      .sort();
    expect(precache.paths).toEqual(built);
    for (const worker of ['ingest', 'pipeline', 'inspector', 'kernels']) expect(precache.paths.some((p) => p.startsWith(`assets/${worker}.worker-`)), worker).toBe(true);

    // The network goes: the server closes, the context is offline, and anything that still tries the network is refused.
    await server.close();
    serverClosed = true;
    await context.setOffline(true);
    const reachedNetwork: string[] = [];
    await context.route('**/*', (route) => {
      reachedNetwork.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);

    const t1 = Date.now();
    await page.reload();
    await expect(page.getByRole('tab', { name: 'Library' })).toBeVisible();
    await expect(page.locator('input[aria-label="Add FITS files"]')).toBeAttached();
    const offlineReload = Date.now() - t1;

    await ingestNight(page);
    await reduceNight(page);
    const product = 'raw0021_reduced.fits';
    expect(await inspectProduct(page, product)).toBeGreaterThan(16);
    await drawInspectorPlots(page, product);
    await page.screenshot({ path: 'test-results/offline-inspector-1440.png' });
    const sizes = await downloadProducts(page, product);
    expect(sizes.zip).toBeGreaterThan(sizes.product);

    // Everything came from the service worker: nothing went to the network, and nothing failed.
    expect(reachedNetwork).toEqual([]);
    expect(errors).toEqual([]);
    console.log(`offline: precache ${precache.paths.length} files, ${(precache.bytes / 1e6).toFixed(2)} MB; first visit to controlled ${toControlled} ms; offline reload to the app ${offlineReload} ms`);
  } finally {
    await context.close();
    if (!serverClosed) await server.close();
  }
});

test('the app is installable: Chromium finds its manifest, icons and service worker and reports no installability error', async ({ baseURL }) => {
  // A profile of its own: Playwright's contexts are incognito, where Chromium never offers to install.
  const profile = mkdtempSync(path.join(tmpdir(), 'ccd-install-'));
  const context = await chromium.launchPersistentContext(profile, { ...chromiumLaunch, headless: true });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(baseURL!);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    });
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.url).toBe(new URL('manifest.webmanifest', baseURL).href);
    expect(manifest.errors).toEqual([]);
    expect(manifest.data).toBeDefined();
    const parsed = JSON.parse(manifest.data!) as { name: string; display: string; icons: { src: string; sizes: string; purpose?: string }[] };
    expect(parsed.name).toBe('CCD Workbench');
    expect(parsed.display).toBe('standalone');
    for (const icon of parsed.icons) {
      const res = await page.request.get(new URL(icon.src, manifest.url).href);
      expect(res.headers()['content-type'], icon.src).toBe('image/png');
      const png = await res.body();
      // The PNG's own size (IHDR) is the size the manifest claims.
      expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, icon.src).toBe(icon.sizes);
    }
    expect(parsed.icons.some((i) => i.purpose === 'maskable')).toBe(true);
    await expect.poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors, { timeout: 30_000 }).toEqual([]);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
