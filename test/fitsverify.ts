import { spawnSync } from 'node:child_process';

/** Whether the fitsverify command (HEASARC) is on the PATH. */
export const hasFitsverify = spawnSync('sh', ['-c', 'command -v fitsverify'], { encoding: 'utf8' }).status === 0;

/**
 * A developer's machine without fitsverify skips the checks that need it; CI
 * must not (.ci/run installs it), so there the tests run and fail through
 * requireFitsverify() rather than passing by being skipped.
 */
export const skipFitsverify = !hasFitsverify && !process.env.CI;

/** Call first in a test that runs fitsverify: names the cause when CI lacks the command. */
export function requireFitsverify(): void {
  if (!hasFitsverify) {
    throw new Error('fitsverify is not installed, and CI is set, so the writer checks fail instead of skipping (install the Debian package fitsverify)');
  }
}
