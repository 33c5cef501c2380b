/**
 * Renders the app's PNG icons (web manifest) from public/favicon.svg with
 * Debian's Chromium, the browser the tests already use, so no image library
 * is needed: `npx tsx tools/make-icons.ts`. The PNGs are committed; run this
 * again only when favicon.svg changes.
 *
 * - icon-192.png, icon-512.png: the favicon as it is (rounded square).
 * - icon-maskable-512.png: the same drawing with square corners, for launchers
 *   that crop icons to their own shape. Its outer ring reaches 73% of the
 *   half-width, inside the 80% safe zone of the maskable icon spec, so no
 *   crop cuts it; the background fills the corners the favicon leaves round.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config';

const PUBLIC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public');

async function main() {
  const svg = readFileSync(path.join(PUBLIC, 'favicon.svg'), 'utf8');
  const square = svg.replace(/(<rect[^>]*?)\s+rx="[^"]*"/, '$1');
  if (square === svg) throw new Error('favicon.svg: no rounded <rect rx="…"> background found to square for the maskable icon');
  const browser = await chromium.launch(chromiumLaunch);
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    for (const [name, source, size] of [
      ['icon-192.png', svg, 192],
      ['icon-512.png', svg, 512],
      ['icon-maskable-512.png', square, 512],
    ] as const) {
      await page.setViewportSize({ width: size, height: size });
      const sized = source.replace('<svg ', `<svg width="${size}" height="${size}" `);
      await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
      await page.locator('svg').screenshot({ path: path.join(PUBLIC, name), omitBackground: true });
      console.log(`${name}: ${size}x${size}`);
    }
  } finally {
    await browser.close();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
