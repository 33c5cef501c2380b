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
 * The night and its environment variables: bench/nightFiles.ts. BENCH_WORKERS (2).
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFits, readImage } from '../src/core/fits';
import { reduceFolder } from '../cli/reduceFolder';
import { listFits } from '../cli/library';
import { ccdprocSeconds, ensureNight, nightDir as dir, nightSize as size, round2 as round } from './nightFiles';

const workers = Number(process.env.BENCH_WORKERS ?? 2);

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

async function main() {
  const generated = ensureNight();
  const inputs = listFits(dir);
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
