/**
 * The in-browser benchmark (`npm run bench:browser` drives it in Chromium).
 * 1. The single-thread cases inside one Web Worker (comparable to `npm run bench`).
 * 2. The combine through the worker pool with 1..hardwareConcurrency workers,
 *    each combining a band of rows of every frame (the production kernels
 *    worker): shows how the pool scales with the cores it has. The band
 *    copies are made before timing; moving them in and the results out is timed.
 * 3. The frame inspector (./inspect.ts): first picture, re-render, pan, for
 *    ?inspect=2048,4096 (the default); `only=inspector` runs only this part.
 */
import { WorkerPool } from '../workers/pool';
import type { KernelsApi } from '../workers/kernels.worker';
import { combine, type CombineInput, type CombineOptions } from '../src/core/kernels/combine';
import { collectTransferables } from '../workers/transfer';
import * as Comlink from 'comlink';
import type { BenchApi } from './bench.worker';
import { floorSeconds, line, skyFrame, type BenchLine } from './lib';
import { benchInspector } from './inspect';

const params = new URLSearchParams(location.search);
const size = Number(params.get('size') ?? 2048);
const nFrames = Number(params.get('frames') ?? 15);
const only = params.get('only')?.split(',');
const inspectSizes = (params.get('inspect') ?? '2048,4096').split(',').map(Number).filter((n) => n > 0);
/** ?verify=1: also check that the pool's banded result equals a one-thread combine (used by the e2e test). */
const verify = params.get('verify') === '1';
const out = document.getElementById('out')!;
const lines: unknown[] = [];
const emit = (obj: unknown) => {
  lines.push(obj);
  out.textContent += JSON.stringify(obj) + '\n';
  console.log(JSON.stringify(obj));
};

async function singleThread(): Promise<void> {
  const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<BenchApi>(worker);
  for (const l of await api.benchCases(size, nFrames, only)) emit(l);
  worker.terminate();
}

/** ?storage=MB (default 256) &strip=MB,MB (record sizes, default 1): IndexedDB and OPFS speeds inside a worker. */
async function storage(): Promise<void> {
  const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<BenchApi>(worker);
  for (const mb of (params.get('strip') ?? '1').split(',').map(Number)) {
    for (const l of await api.benchStorage(Number(params.get('storage') ?? 256), mb)) emit(l);
  }
  worker.terminate();
}

async function poolCombine(frames: Float32Array[], kernel: string, opts: CombineOptions, workers: number): Promise<BenchLine> {
  const pool = new WorkerPool<KernelsApi>(() => new Worker(new URL('../workers/kernels.worker.ts', import.meta.url), { type: 'module' }), { size: workers });
  // Warm the workers up (module load) so the timing is the combine, not the start-up.
  await Promise.all(Array.from({ length: workers }, () => pool.run((api) => api.combineSlab([{ sci: new Float32Array(1) }], opts))));
  const rows = Math.ceil(size / workers);
  let seconds = Infinity;
  let assembled: Float32Array | undefined;
  // Best of three: the least disturbed by whatever else the machine runs.
  for (let rep = 0; rep < 3; rep++) {
    const bands: CombineInput[][] = [];
    for (let y0 = 0; y0 < size; y0 += rows) {
      const y1 = Math.min(size, y0 + rows);
      bands.push(frames.map((f) => ({ sci: f.slice(y0 * size, y1 * size) })));
    }
    const t0 = performance.now();
    const results = await Promise.all(bands.map((band) => pool.run((api) => api.combineSlab(Comlink.transfer(band, collectTransferables(band)), opts))));
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
    if (verify && !assembled) {
      assembled = new Float32Array(size * size);
      results.forEach((r, i) => assembled!.set(r.sci, i * rows * size));
    }
  }
  await pool.terminate();
  const extra: Record<string, unknown> = { workers };
  if (assembled) {
    const ref = combine(frames.map((sci) => ({ sci })), opts).sci;
    extra.equal_to_one_thread = ref.every((v, i) => v === assembled![i]);
  }
  return line(kernel, frames.length, size, size, seconds, floorSeconds(frames), extra);
}

async function main() {
  const cores = navigator.hardwareConcurrency || 1;
  emit({ machine: navigator.userAgent, cores, date: new Date().toISOString(), size, frames: nFrames });
  if (!only || only.includes('inspector')) await benchInspector(inspectSizes, emit);
  if (only?.length === 1 && only[0] === 'inspector') {
    (window as unknown as { __bench: unknown }).__bench = lines;
    return;
  }
  if (!only || only.includes('storage')) await storage();
  if (only?.length === 1 && only[0] === 'storage') {
    (window as unknown as { __bench: unknown }).__bench = lines;
    return;
  }
  await singleThread();
  const frames: Float32Array[] = [];
  for (let i = 0; i < nFrames; i++) frames.push(skyFrame(size, size, 1000 + i, { dx: (i % 5) * 1.7, dy: Math.floor(i / 5) * 2.3 }));
  const combos: [string, CombineOptions][] = [
    ['pool_combine_median', { method: 'median' }],
    ['pool_combine_mean_sigclip', { method: 'mean', reject: 'sigclip', lsigma: 3, hsigma: 3 }],
  ];
  for (const [kernel, opts] of combos) {
    if (only && !only.includes(kernel)) continue;
    for (let w = 1; w <= Math.max(2, cores); w++) emit(await poolCombine(frames, kernel, opts, w));
  }
  (window as unknown as { __bench: unknown }).__bench = lines;
}

main().catch((err) => {
  emit({ error: String(err) });
  (window as unknown as { __bench: unknown }).__bench = lines;
});
