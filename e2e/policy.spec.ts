/**
 * A whole session with the sample night under the page's policies: ingest,
 * reduce, inspect a product with every plot (histogram, cuts, radial profile,
 * 3D surface), download a product and the .zip, visit every view. Every
 * request any part of the app makes (page, dedicated workers, service
 * worker), as Playwright and Chromium's own CDP see them, stays on the
 * page's origin (blob: and data: of the origin allowed); and nothing
 * violates the Content-Security-Policy, in the page or in a worker. Canaries
 * at the end show both watches work: an eval in the page and in a worker is
 * refused and seen.
 */
import { expect, test } from '@playwright/test';
import { CdpMonitor } from './cdpMonitor';
import { downloadProducts, drawInspectorPlots, ingestNight, inspectProduct, reduceNight, visitOtherViews } from './session';

interface Violation { directive: string; blockedURI: string; source: string }

function sameOrigin(url: string, origin: string): boolean {
  if (url.startsWith('data:')) return true;
  const inner = url.startsWith('blob:') ? url.slice(5) : url;
  try {
    return new URL(inner).origin === origin;
  } catch {
    return false;
  }
}

test('a whole session: every request stays on the origin, and nothing violates the Content-Security-Policy, in the page or its workers', async ({ browser, context, page, baseURL }) => {
  test.setTimeout(420_000);
  const origin = new URL(baseURL!).origin;
  const monitor = await CdpMonitor.start(browser);
  const requests: { url: string; from: string }[] = [];
  context.on('request', (r) => requests.push({ url: r.url(), from: r.serviceWorker() ? 'service worker' : 'page or worker' }));
  const pageViolations: Violation[] = [];
  await context.exposeBinding('__cspViolation', (_source, v: Violation) => void pageViolations.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __cspViolation(v: unknown): void }).__cspViolation({ directive: e.effectiveDirective, blockedURI: e.blockedURI, source: `${e.sourceFile}:${e.lineNumber}` });
    });
  });
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));

  try {
    // The built page: no inline script, and the policy it declares is the one the server sends (the workers get the header).
    const doc = await page.request.get('/');
    const html = await doc.text();
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    expect(meta).not.toContain('unsafe-eval');
    expect(doc.headers()['content-security-policy']).toBe(meta);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc=/);
      expect(body.trim()).toBe('');
    }

    await page.goto('/');
    await ingestNight(page);
    await reduceNight(page);
    const product = 'raw0021_reduced.fits';
    expect(await inspectProduct(page, product)).toBeGreaterThan(16);
    await drawInspectorPlots(page, product);
    await page.screenshot({ path: 'test-results/policy-3d-1440.png' });
    const sizes = await downloadProducts(page, product);
    expect(sizes.product).toBeGreaterThan(256 * 256 * 4);
    expect(sizes.zip).toBeGreaterThan(sizes.product);
    await visitOtherViews(page);

    // The session is over: every request on the origin.
    const seen = [...requests, ...monitor.requests.map((r) => ({ url: r.url, from: `cdp ${r.targetType}` }))];
    const away = seen.filter((r) => !sameOrigin(r.url, origin));
    expect(away, `requests leaving ${origin}`).toEqual([]);
    // ... and the watch saw every kind of requester: the page, the workers' scripts, the service worker's precache.
    expect(seen.some((r) => r.url === `${origin}/`)).toBe(true);
    expect(seen.some((r) => /\/assets\/pipeline\.worker-[\w-]+\.js$/.test(r.url))).toBe(true);
    expect(seen.some((r) => /\/assets\/ingest\.worker-[\w-]+\.js$/.test(r.url))).toBe(true);
    expect(seen.some((r) => r.from === 'service worker' || r.from === 'cdp service_worker')).toBe(true);
    for (const worker of ['ingest', 'pipeline']) expect(monitor.attached.some((t) => t.type === 'worker' && t.url.includes(`/assets/${worker}.worker-`)), `${worker} worker watched`).toBe(true);
    expect(monitor.attached.some((t) => t.type === 'service_worker')).toBe(true);

    // No violation anywhere.
    expect(pageViolations).toEqual([]);
    expect(monitor.cspViolations()).toEqual([]);
    expect(consoleErrors.filter((t) => /Content Security Policy|unsafe-eval|EvalError/i.test(t))).toEqual([]);

    // Canaries: code generation refused in the page and in a worker (served with the header), and seen by both watches.
    // Each runs in a task of its own: code that DevTools evaluates directly may eval regardless of the policy.
    const tryEval = () => new Promise<string>((resolve) => setTimeout(() => { try { resolve(String(new Function('return 2')())); } catch (e) { resolve(String(e)); } }, 0));
    expect(await page.evaluate(tryEval)).toMatch(/EvalError/);
    const worker = page.workers()[0];
    expect(worker, 'a live worker for the canary').toBeDefined();
    expect(await worker.evaluate(tryEval)).toMatch(/EvalError/);
    await expect.poll(() => pageViolations.map((v) => v.directive)).toContain('script-src');
    await expect.poll(() => new Set(monitor.cspViolations().map((l) => l.targetType))).toEqual(new Set(['page', 'worker']));
  } finally {
    await monitor.stop();
  }
});
