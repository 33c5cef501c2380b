/**
 * `npm run score:browser`: the sample night (../shared/sample-night) through
 * the built app, as a user does it: Add files, Reduce all, "Download all
 * products". The .zip is unpacked into a folder and scored by
 * ../shared/tools/score.py against the night's truth, beside the products of
 * `npm run reduce` on the same night: the two must agree. Prints both sets of
 * figures and whether they are the same.
 *
 * Needs python3-astropy (score.py reads FITS with it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { addFiles, openApp, reduceAll } from './browserApp';
import { shared } from './nightFiles';

const night = join(shared, 'sample-night');
const scorer = join(shared, 'tools/score.py');

/** score.py's figures (it prints one JSON object). */
function score(products: string): Record<string, unknown> {
  return JSON.parse(execFileSync('/usr/bin/python3', [scorer, night, products], { encoding: 'utf8' }));
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'ccd-score-'));
  try {
    const files = readdirSync(night).filter((n) => /\.fits$/i.test(n)).sort().map((n) => join(night, n));
    const app = await openApp(4176);
    let zip: Uint8Array;
    try {
      await addFiles(app.page, files);
      const { status } = await reduceAll(app.page);
      if (!status.startsWith('Reduction complete')) throw new Error(status);
      const [download] = await Promise.all([app.page.waitForEvent('download'), app.page.getByRole('button', { name: 'Download all products' }).click()]);
      const path = join(work, 'products.zip');
      await download.saveAs(path);
      zip = new Uint8Array(readFileSync(path));
    } finally {
      await app.close();
    }
    const browserDir = join(work, 'browser');
    const nodeDir = join(work, 'node');
    mkdirSync(browserDir);
    for (const [name, bytes] of Object.entries(unzipSync(zip))) writeFileSync(join(browserDir, name), bytes);
    execFileSync('npx', ['tsx', 'cli/reduce.ts', night, nodeDir, '--quiet'], { stdio: 'inherit' });
    const browser = score(browserDir);
    const node = score(nodeDir);
    console.log(JSON.stringify({ bench: 'score-browser', agree: JSON.stringify(browser) === JSON.stringify(node), browser, node }, null, 1));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
