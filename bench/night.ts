/**
 * `npm run bench:night`: a simulated 2048 x 2048 night (15 biases, 8 flats in
 * each of 2 filters, 5 science frames per filter: the demo generator, seeded)
 * reduced through the engine in Node on worker threads, as `npm run reduce`
 * does. Prints one JSON line: seconds per recipe (summed over its runs), the
 * wall-clock total, peak memory (RSS of the process, worker threads
 * included), and the read floor (reading and decoding every input once, in
 * the same process). With python3-astropy and python3-ccdproc installed, the
 * same night is also reduced by ../shared/tools/ref_ccdproc.py and its time
 * printed beside ours (BENCH_CCDPROC=0 skips it).
 *
 * BENCH_NIGHT_SIZE (default 2048), BENCH_NIGHT_DIR (default a folder in the
 * system's temp dir, reused when it holds the same night), BENCH_WORKERS (2).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { demoTruth, generateDemoNight, type DemoOptions } from '../src/core/demo';
import { parseFits, readImage } from '../src/core/fits';
import { reduceFolder } from '../cli/reduceFolder';

const size = Number(process.env.BENCH_NIGHT_SIZE ?? 2048);
const workers = Number(process.env.BENCH_WORKERS ?? 2);
const dir = process.env.BENCH_NIGHT_DIR ?? join(tmpdir(), `ccd-bench-night-${size}`);
const options: DemoOptions = { seed: 7, width: size, height: size, nBias: 15, nFlatPerFilter: 8, filters: ['V', 'R'], nSciencePerFilter: 5, nSecondTarget: 0 };
const here = fileURLToPath(new URL('.', import.meta.url));
const shared = resolve(here, '../../shared');

/** The night on disk, with a truth.json that ../shared/tools/ref_ccdproc.py reads. */
function ensureNight(): number {
  const manifest = join(dir, 'manifest.json');
  const want = JSON.stringify(options);
  if (existsSync(manifest) && readFileSync(manifest, 'utf8') === want) return 0;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  for (const f of generateDemoNight(options)) writeFileSync(join(dir, f.name), f.bytes);
  const truth = demoTruth(options);
  const frames = truth.frames.map((f) => ({ file: f.name, kind: f.kind === 'science' ? 'sci' : f.kind, filter: f.filter || null, exptime: f.exptime, object: f.object || null, date: f.dateObs }));
  const science = truth.frames.filter((f) => f.kind === 'science').map((f) => ({ file: f.name, filter: f.filter, dx: f.dx, dy: f.dy, fwhm: f.fwhm, sky_e: f.skyElectrons, cosmics: [] }));
  writeFileSync(join(dir, 'truth.json'), JSON.stringify({ gain: truth.gain, rn: truth.readNoise, size, frames, science }));
  writeFileSync(manifest, want);
  return (performance.now() - t0) / 1000;
}

/** Reading and decoding every input once: no reduction can take less. */
function readFloor(files: string[]): number {
  const t0 = performance.now();
  let sink = 0;
  for (const p of files) {
    const bytes = new Uint8Array(readFileSync(p));
    const img = readImage(parseFits(bytes, p), bytes, 0);
    sink += img.data[0];
  }
  if (sink === 42.5) console.error('');
  return (performance.now() - t0) / 1000;
}

function ccdprocSeconds(): number | undefined {
  if (process.env.BENCH_CCDPROC === '0') return undefined;
  const script = join(shared, 'tools/ref_ccdproc.py');
  if (!existsSync(script)) return undefined;
  const out = join(tmpdir(), `ccd-bench-ccdproc-${process.pid}`);
  try {
    const text = execFileSync('/usr/bin/python3', [script, dir, out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20 });
    const last = text.trim().split('\n').pop() ?? '{}';
    return JSON.parse(last).ccdproc_seconds;
  } catch (err) {
    console.error(`ccdproc reference not run: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function main() {
  const generated = ensureNight();
  const inputs = readFileSync(join(dir, 'manifest.json')) && (await import('../cli/library')).listFits(dir);
  const floor = readFloor(inputs);
  const out = join(tmpdir(), `ccd-bench-products-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  const perRecipe: Record<string, number> = {};
  const t0 = performance.now();
  const started = new Map<string, number>();
  const summary = await reduceFolder(dir, out, {
    workers,
    memoryBytes: 1024 * 2 ** 20,
    onStart: (run) => started.set(run.key, performance.now() - t0),
    onFinish: (run, o) => {
      if (o.status === 'done' && o.result) perRecipe[run.recipe] = (perRecipe[run.recipe] ?? 0) + o.result.seconds;
      // BENCH_TIMELINE=1: when each run started and ended, on stderr.
      if (process.env.BENCH_TIMELINE) console.error(`${((started.get(run.key) ?? 0) / 1000).toFixed(2).padStart(6)} - ${((performance.now() - t0) / 1000).toFixed(2).padStart(6)} s  ${run.label}`);
    },
  });
  clearInterval(sampler);
  rmSync(out, { recursive: true, force: true });
  if (summary.failures.length) throw new Error(`runs failed: ${summary.failures.join('; ')}`);
  const ccdproc = ccdprocSeconds();
  const round = (x: number) => Number(x.toFixed(2));
  console.log(JSON.stringify({
    bench: 'night',
    size,
    frames: inputs.length,
    workers,
    seconds: round(summary.seconds),
    recipes: Object.fromEntries(Object.entries(perRecipe).map(([k, v]) => [k, round(v)])),
    peak_rss_mb: Math.round(peak / 2 ** 20),
    floor_seconds: round(floor),
    ccdproc_seconds: ccdproc,
    ratio_to_ccdproc: ccdproc ? round(summary.seconds / ccdproc) : undefined,
    generated_seconds: generated ? round(generated) : undefined,
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    date: new Date().toISOString().slice(0, 10),
  }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
