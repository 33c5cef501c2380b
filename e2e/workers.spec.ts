import { expect, test } from '@playwright/test';

/** The kernels run in real Web Workers through the pool, and banding the work over workers changes nothing. */
test('the worker pool combines bands of a stack exactly as one thread does', async ({ page }) => {
  const lines: Record<string, unknown>[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'log' && msg.text().startsWith('{')) lines.push(JSON.parse(msg.text()));
  });
  await page.goto('/bench.html?size=128&frames=7&verify=1&only=zscale,pool_combine_median,pool_combine_mean_sigclip');
  await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench, undefined, { timeout: 60_000 });
  expect(lines.find((l) => 'error' in l)).toBeUndefined();
  const pool = lines.filter((l) => String(l.kernel).startsWith('pool_combine'));
  expect(pool.map((l) => `${l.kernel}@${l.workers}`)).toEqual(
    expect.arrayContaining(['pool_combine_median@1', 'pool_combine_median@2', 'pool_combine_mean_sigclip@2']),
  );
  for (const l of pool) expect(l.equal_to_one_thread, `${l.kernel} on ${l.workers} workers`).toBe(true);
  const z = lines.find((l) => l.kernel === 'zscale');
  expect(z).toMatchObject({ frames: 1, width: 128, height: 128, workers: 1 });
});
