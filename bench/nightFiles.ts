/**
 * The benchmark night shared by `npm run bench:night` (Node) and
 * `npm run bench:browser:night` (the built app in Chromium): a simulated
 * night (15 biases, 8 flats in each of 2 filters, 5 science frames per
 * filter: the demo generator, seeded) written once to a folder and reused,
 * and ccdproc's time for the same night (../shared/tools/ref_ccdproc.py).
 *
 * BENCH_NIGHT_SIZE (default 2048), BENCH_NIGHT_DIR (default a folder in the
 * system's temp dir, reused when it holds the same night), BENCH_CCDPROC=0
 * skips ccdproc.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { demoTruth, generateDemoNight, type DemoOptions } from '../src/core/demo';

export const nightSize = Number(process.env.BENCH_NIGHT_SIZE ?? 2048);
export const nightDir = process.env.BENCH_NIGHT_DIR ?? join(tmpdir(), `ccd-bench-night-${nightSize}`);
const options: DemoOptions = { seed: 7, width: nightSize, height: nightSize, nBias: 15, nFlatPerFilter: 8, filters: ['V', 'R'], nSciencePerFilter: 5, nSecondTarget: 0 };
const here = fileURLToPath(new URL('.', import.meta.url));
export const shared = resolve(here, '../../shared');

/** Writes the night (with a truth.json that ref_ccdproc.py and score.py read) unless it is there; returns the seconds spent. */
export function ensureNight(): number {
  const manifest = join(nightDir, 'manifest.json');
  const want = JSON.stringify(options);
  if (existsSync(manifest) && readFileSync(manifest, 'utf8') === want) return 0;
  rmSync(nightDir, { recursive: true, force: true });
  mkdirSync(nightDir, { recursive: true });
  const t0 = performance.now();
  for (const f of generateDemoNight(options)) writeFileSync(join(nightDir, f.name), f.bytes);
  const truth = demoTruth(options);
  const frames = truth.frames.map((f) => ({ file: f.name, kind: f.kind === 'science' ? 'sci' : f.kind, filter: f.filter || null, exptime: f.exptime, object: f.object || null, date: f.dateObs }));
  const science = truth.frames.filter((f) => f.kind === 'science').map((f) => ({ file: f.name, filter: f.filter, dx: f.dx, dy: f.dy, fwhm: f.fwhm, sky_e: f.skyElectrons, cosmics: [] }));
  writeFileSync(join(nightDir, 'truth.json'), JSON.stringify({ gain: truth.gain, rn: truth.readNoise, size: nightSize, frames, science }));
  writeFileSync(manifest, want);
  return (performance.now() - t0) / 1000;
}

/** ccdproc's wall-clock seconds for the night, or undefined when it cannot run here (or BENCH_CCDPROC=0). */
export function ccdprocSeconds(): number | undefined {
  if (process.env.BENCH_CCDPROC === '0') return undefined;
  const script = join(shared, 'tools/ref_ccdproc.py');
  if (!existsSync(script)) return undefined;
  const out = join(tmpdir(), `ccd-bench-ccdproc-${process.pid}`);
  try {
    const text = execFileSync('/usr/bin/python3', [script, nightDir, out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 });
    const last = text.trim().split('\n').pop() ?? '{}';
    return JSON.parse(last).ccdproc_seconds;
  } catch (err) {
    console.error(`ccdproc reference not run: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export const round2 = (x: number) => Number(x.toFixed(2));
