/**
 * `npm run bench:browser:night`: the night of `npm run bench:night` through
 * the built app in Debian's Chromium, the way a user does it: the files go
 * into "Add files…", then "Reduce all" on the Runs tab. Prints one JSON line:
 * the ingest seconds (files given to the page until the library has stored
 * them all), the reduce seconds ("Reduce all" until "Reduction complete"),
 * the peak memory of the browser's processes, and ccdproc's time for the same
 * night measured beside it (BENCH_CCDPROC=0 skips it).
 *
 * The profile lives in a fresh temporary folder (a persistent context), so
 * IndexedDB is on disk as it is for a user; a default Playwright context keeps
 * it in memory and would count the stored night as browser memory.
 *
 * Memory is sampled every 100 ms (BENCH_SAMPLE_MS: RSS, and PSS once a
 * second or when RSS reaches a new high; peaks over the whole bench, and of the
 * ingest and the reduction apart) over every Chromium process started for the
 * benchmark: the sum of their PSS (proportional set size: shared pages split
 * between the processes that map them, so the renderer, GPU and utility
 * processes' common libraries count once) and, for reference, the sum of
 * their RSS (which counts shared pages once per process). The PSS by process
 * kind is printed at the peak, when the page is idle (service worker ready,
 * nothing dropped) and when "Reduce all" is pressed: what the reduction
 * starts from.
 *
 * BENCH_WORKER_MEMORY_MB sets each pipeline worker's memory through the
 * page's developer knob (localStorage `ccd-workbench:worker-memory-mb`, see
 * workers/pipelineClient.ts) before "Reduce all". BENCH_DIST serves another
 * build folder than dist/ (build it yourself: `npx vite build --outDir X
 * --emptyOutDir`: a folder outside the project is not emptied otherwise, and
 * its service worker then precaches every earlier build's files too, which
 * cost 25-35 MiB of peak and 0.5 s of ingest on 2026-12-02; the bench
 * refuses such a folder),
 * BENCH_PORT another port than 4175: so a bench does not share its build
 * or its server with someone else's on the same machine.
 *
 * Where the time went: the JSON has the CPU seconds of each Chromium thread
 * kind during the ingest and the reduction (bench/procMemory.ts, BrowserWatch),
 * the share of the machine's CPU busy in each phase, and this bench's own CPU
 * seconds (what watching cost);
 * BENCH_TIMELINE=1 prints each run's steps and storage; BENCH_TRACE=file
 * records a Chromium trace of the reduction (page and workers: tasks, V8 GC,
 * IndexedDB, and JavaScript samples of every thread, workers included) for
 * chrome://tracing or Perfetto (`npx tsx bench/traceProfile.ts file` sums
 * the samples per thread and function; build with `--minify false` for the
 * names; BENCH_TRACE_INGEST=file records the ingest the same way;
 * BENCH_TRACE_CATEGORIES=a,b,... replaces the trace's categories);
 * BENCH_JS_FLAGS passes V8 flags to Chromium (`--trace-opt --trace-deopt`
 * with DEBUG=pw:browser prints every optimization and deoptimization of the
 * page and its workers);
 * BENCH_PROFILE=file.cpuprofile records the page's main thread
 * (JavaScript samples) during the reduction. A reduction still going after
 * BENCH_REDUCE_TIMEOUT_S (1200) fails the bench, printing the runs bar,
 * each run's state, whether each worker answers, and the CPU each kind of
 * thread spends over 5 s (spinning or waiting) first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config';
import { listFits } from '../cli/library';
import { BrowserWatch, busyShare, cpuSpent, descendants, machineTicks, waitForServer } from './procMemory';
import { ccdprocSeconds, ensureNight, nightDir, nightSize, round2 } from './nightFiles';

const port = Number(process.env.BENCH_PORT ?? 4175);
/** How long "Reduce all" may take before the bench gives up and prints where the runs stood (BENCH_REDUCE_TIMEOUT_S). */
const reduceTimeoutS = Number(process.env.BENCH_REDUCE_TIMEOUT_S ?? 1200);
const dist = process.env.BENCH_DIST;
if (dist) {
  // More than one build's entry chunk: the folder was built into without being emptied (see above).
  const entries = readdirSync(join(dist, 'assets')).filter((f) => /^main-.*\.js$/.test(f));
  if (entries.length !== 1) throw new Error(`BENCH_DIST ${dist} holds ${entries.length} builds' entry chunks (${entries.join(', ')}): build it with --emptyOutDir`);
}
const workerMemoryMb = process.env.BENCH_WORKER_MEMORY_MB;
/** Each count in thousands. */
const thousands = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v / 1000]));

async function printTimeline(page: import('@playwright/test').Page, zero: number): Promise<void> {
  const runs = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, no) => { const r = indexedDB.open('ccd-workbench'); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    return new Promise<{ label: string; status: string; step?: string; startedAt?: number; endedAt?: number; log: { step: string; seconds?: number; message: string }[] }[]>((ok) => {
      const r = db.transaction('runs').objectStore('runs').getAll();
      r.onsuccess = () => ok(r.result);
    });
  });
  for (const r of runs.sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0))) {
    const steps = r.log.filter((e) => e.seconds !== undefined && e.step !== 'storage').map((e) => `${e.step} ${e.seconds!.toFixed(2)}`).join(', ');
    const storage = r.log.find((e) => e.step === 'storage')?.message ?? '';
    const unfinished = r.status === 'done' ? '' : ` [${r.status}${r.step ? ` at ${r.step}` : ''}]`;
    const at = (t?: number) => (t === undefined ? '…' : ((t - zero) / 1000).toFixed(2)).padStart(6);
    console.error(`${at(r.startedAt)} - ${at(r.endedAt)} s  ${r.label.slice(0, 40)}${unfinished}: ${steps}\n         storage: ${storage}`);
  }
}

/**
 * For a reduction that does not end: the runs bar, whether each worker
 * answers (one blocked in a synchronous call does not; one waiting on a
 * promise does), the CPU each kind of thread spends over 5 s (spinning or
 * waiting), and every run's state.
 */
async function explainStall(page: import('@playwright/test').Page, watch: BrowserWatch, zero: number): Promise<void> {
  console.error(`no end of the reduction after ${reduceTimeoutS} s; the runs view says: ${await page.locator('.reduce-bar').innerText().catch(() => '?')}`);
  for (const w of page.workers()) {
    const answer = await Promise.race([
      w.evaluate(() => {
        // What the worker's storage calls are waiting for (src/core/pending.ts), when it has any.
        const pending = (globalThis as { ccdPending?: () => { label: string; seconds: number }[] }).ccdPending?.() ?? [];
        return `answers; waiting for: ${pending.length ? pending.map((p) => `${p.label} (${p.seconds.toFixed(1)} s)`).join('; ') : 'nothing it tracks'}`;
      }).catch((e: unknown) => String(e)),
      new Promise((r) => setTimeout(() => r('does not answer within 5 s: its thread is blocked'), 5000)),
    ]);
    console.error(`worker ${w.url().split('/').pop()}: ${String(answer)}`);
  }
  const before = watch.cpuTotals();
  await new Promise((r) => setTimeout(r, 5000));
  console.error(`CPU seconds over the next 5 s: ${JSON.stringify(cpuSpent(before, watch.cpuTotals()))}`);
  await printTimeline(page, zero).catch(() => undefined);
}

/** What a trace records: tasks, V8 (GC, JavaScript samples of every thread), IndexedDB. */
const TRACE_CATEGORIES = process.env.BENCH_TRACE_CATEGORIES?.split(',') ?? ['devtools.timeline', 'v8', 'disabled-by-default-v8.gc', 'IndexedDB', 'toplevel', 'disabled-by-default-devtools.timeline', 'disabled-by-default-v8.cpu_profiler'];

/** Ends the CDP trace and writes it to `file` (JSON for chrome://tracing or Perfetto). */
async function saveTrace(tracer: import('@playwright/test').CDPSession, file: string): Promise<void> {
  const ended = new Promise<{ stream?: string }>((ok) => tracer.once('Tracing.tracingComplete', ok));
  await tracer.send('Tracing.end');
  const { stream } = await ended;
  const chunks: string[] = [];
  for (;;) {
    const r = await tracer.send('IO.read', { handle: stream!, size: 1 << 22 });
    chunks.push(r.base64Encoded ? Buffer.from(r.data, 'base64').toString() : r.data);
    if (r.eof) break;
  }
  writeFileSync(file, chunks.join(''));
}

async function main() {
  ensureNight();
  const files = listFits(nightDir);
  const bytes = files.reduce((s, f) => s + readFileSync(f).byteLength, 0);
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', ...(dist ? ['--outDir', dist] : [])], { stdio: 'ignore', detached: true });
  const profile = mkdtempSync(join(tmpdir(), 'ccd-bench-profile-'));
  try {
    await waitForServer(`http://localhost:${port}/`);
    // The server's processes are ours too: keep them out of the browser's sum.
    const serverPids = new Set([server.pid!, ...descendants(server.pid!)]);
    const jsFlags = process.env.BENCH_JS_FLAGS ? [`--js-flags=${process.env.BENCH_JS_FLAGS}`] : [];
    const context = await chromium.launchPersistentContext(profile, { ...chromiumLaunch, args: [...chromiumLaunch.args, ...jsFlags], headless: true, viewport: { width: 1440, height: 900 } });
    let peak = { pss: 0, rss: 0, byType: {} as Record<string, number> };
    // The peak of each phase apart (ingest, reduce) and when in the reduction it came.
    const phasePeak: Record<string, number> = {};
    let phase = 'start';
    let reduceStart = 0;
    let reducePeakAt = 0;
    /** PSS per second of the reduction (its highest sample), for the timeline. */
    const perSecond: number[] = [];
    /** The pipeline worker's minor faults by each second of the reduction (read at most once a second). */
    const faultsAt: number[] = [];
    const watch = new BrowserWatch(serverPids);
    // PSS is costly to read (BrowserWatch.memory): it is read once a second, and whenever the cheap
    // RSS sum reaches a new high, so the peak is read when it happens.
    let lastPss = -Infinity;
    let highRss = 0;
    const sample = (force = false) => {
      watch.sampleThreads();
      if (phase === 'reduce') faultsAt[Math.floor((Date.now() - reduceStart) / 1000)] = watch.faultsOf('renderer/DedicatedWorker');
      const rssNow = watch.rss();
      if (!force && rssNow <= highRss && performance.now() - lastPss < 1000) return;
      highRss = Math.max(highRss, rssNow);
      lastPss = performance.now();
      const m = watch.memory();
      peak = { pss: Math.max(peak.pss, m.pss), rss: Math.max(peak.rss, m.rss), byType: m.pss > peak.pss ? m.byType : peak.byType };
      if (phase === 'reduce' && m.pss > (phasePeak.reduce ?? 0)) reducePeakAt = (Date.now() - reduceStart) / 1000;
      phasePeak[phase] = Math.max(phasePeak[phase] ?? 0, m.pss);
      if (phase === 'reduce') {
        const k = Math.floor((Date.now() - reduceStart) / 1000);
        perSecond[k] = Math.max(perSecond[k] ?? 0, m.pss);
      }
    };
    const sampler = setInterval(sample, Number(process.env.BENCH_SAMPLE_MS ?? 100));
    const page = context.pages()[0] ?? (await context.newPage());
    if (process.env.BENCH_CONSOLE) page.on('console', (m) => console.error(m.text()));
    await page.goto(`http://localhost:${port}/`);
    await page.getByRole('button', { name: 'Add files…' }).waitFor();
    if (workerMemoryMb) await page.evaluate((mb) => localStorage.setItem('ccd-workbench:worker-memory-mb', mb), workerMemoryMb);
    if (process.env.BENCH_PIPELINE_WORKERS) await page.evaluate((n) => localStorage.setItem('ccd-workbench:pipeline-workers', n), process.env.BENCH_PIPELINE_WORKERS);
    // A first visit's service worker caches the app (offline use) in the first seconds: that is the
    // visit's cost, once, not the ingest's (it took ~0.9 CPU s of the ingest's when the files were
    // dropped at once). A user drops files seconds after the page shows; so does the bench.
    await page.evaluate(() => Promise.race([navigator.serviceWorker?.ready, new Promise((r) => setTimeout(r, 30_000))]));
    const idle = watch.memory();

    // Tracing starts before the ingest's clock and CPU counts, and its export after them.
    const ingestTracer = process.env.BENCH_TRACE_INGEST ? await context.newCDPSession(page) : undefined;
    if (ingestTracer) await ingestTracer.send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: TRACE_CATEGORIES } });
    const cpu0 = watch.cpuTotals();
    const sys0 = watch.systemTotals();
    const flt0 = watch.faultTotals();
    const m0 = machineTicks();
    const t0 = performance.now();
    phase = 'ingest';
    await page.getByLabel('Add FITS files').setInputFiles(files);
    await page.getByRole('region', { name: 'Ingest progress' }).getByText(`Done: ${files.length} / ${files.length} files`).waitFor({ timeout: 600_000 });
    const ingestSeconds = (performance.now() - t0) / 1000;
    const cpu1 = watch.cpuTotals();
    const sys1 = watch.systemTotals();
    const flt1 = watch.faultTotals();
    const m1 = machineTicks();
    if (ingestTracer) await saveTrace(ingestTracer, process.env.BENCH_TRACE_INGEST!);
    const ingestText = await page.getByRole('region', { name: 'Ingest progress' }).textContent();
    if (/with errors/.test(ingestText ?? '')) throw new Error(`ingest: ${ingestText}`);

    await page.getByRole('tab', { name: 'Runs' }).click();
    // What the reduction starts from: the page with the library listed, the ingest's workers as they are left.
    const beforeReduce = watch.memory();
    const t1 = performance.now();
    const clickedAt = Date.now();
    phase = 'reduce';
    reduceStart = clickedAt;
    const tracer = process.env.BENCH_TRACE ? await context.newCDPSession(page) : undefined;
    if (tracer) await tracer.send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: TRACE_CATEGORIES } });
    const profiler = process.env.BENCH_PROFILE ? await context.newCDPSession(page) : undefined;
    if (profiler) { await profiler.send('Profiler.enable'); await profiler.send('Profiler.start'); }
    await page.getByRole('button', { name: 'Reduce all' }).click();
    const status = page.getByRole('status').filter({ hasText: /Reduction (complete|finished)/ });
    await status.waitFor({ timeout: reduceTimeoutS * 1000 }).catch(async (err: unknown) => {
      await explainStall(page, watch, clickedAt);
      throw err;
    });
    const reduceSeconds = (performance.now() - t1) / 1000;
    const statusText = (await status.textContent()) ?? '';
    clearInterval(sampler);
    sample(true);
    const cpu2 = watch.cpuTotals();
    const sys2 = watch.systemTotals();
    const flt2 = watch.faultTotals();
    const m2 = machineTicks();
    if (tracer) await saveTrace(tracer, process.env.BENCH_TRACE!);
    if (profiler) writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify((await profiler.send('Profiler.stop')).profile));
    if (process.env.BENCH_TIMELINE) {
      await printTimeline(page, clickedAt);
      console.error(`PSS (MB) each second of the reduction: ${Array.from(perSecond, (x) => Math.round((x ?? 0) / 2 ** 20)).join(' ')}`);
      // Fresh pages the pipeline worker touched each second (MB: 4 kB pages), from one reading to the next.
      let last = faultsAt.find((x) => x !== undefined) ?? 0;
      console.error(`Pipeline worker's fresh pages each second, MB: ${Array.from(faultsAt, (x) => {
        if (x === undefined) return '-';
        const mb = Math.round(((x - last) * 4096) / 2 ** 20);
        last = x;
        return mb;
      }).join(' ')}`);
    }
    await context.close();
    if (!statusText.startsWith('Reduction complete')) throw new Error(statusText);

    const ccdproc = ccdprocSeconds();
    const mb = (x: number) => Math.round(x / 2 ** 20);
    console.log(JSON.stringify({
      bench: 'browser-night',
      size: nightSize,
      frames: files.length,
      input_mb: mb(bytes),
      ingest_seconds: round2(ingestSeconds),
      ingest_mb_per_s: round2(bytes / 2 ** 20 / ingestSeconds),
      reduce_seconds: round2(reduceSeconds),
      runs: statusText,
      worker_memory_mb: workerMemoryMb ? Number(workerMemoryMb) : undefined,
      pipeline_workers: process.env.BENCH_PIPELINE_WORKERS ? Number(process.env.BENCH_PIPELINE_WORKERS) : undefined,
      peak_pss_mb: mb(peak.pss),
      peak_rss_sum_mb: mb(peak.rss),
      peak_pss_by_process_mb: Object.fromEntries(Object.entries(peak.byType).map(([k, v]) => [k, mb(v)])),
      peak_pss_ingest_mb: mb(phasePeak.ingest ?? 0),
      peak_pss_reduce_mb: mb(phasePeak.reduce ?? 0),
      peak_pss_reduce_at_s: round2(reducePeakAt),
      idle_pss_mb: mb(idle.pss),
      idle_pss_by_process_mb: Object.fromEntries(Object.entries(idle.byType).map(([k, v]) => [k, mb(v)])),
      before_reduce_pss_mb: mb(beforeReduce.pss),
      before_reduce_pss_by_process_mb: Object.fromEntries(Object.entries(beforeReduce.byType).map(([k, v]) => [k, mb(v)])),
      // Of all the machine's cores, the share busy (any process) during each phase.
      ingest_machine_busy: busyShare(m0, m1),
      reduce_machine_busy: busyShare(m1, m2),
      bench_cpu_seconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e4) / 100,
      ingest_cpu_seconds: cpuSpent(cpu0, cpu1),
      reduce_cpu_seconds: cpuSpent(cpu1, cpu2),
      // Of that CPU, the kernel's, and the minor page faults (thousands): fresh memory's cost.
      ingest_system_seconds: cpuSpent(sys0, sys1),
      reduce_system_seconds: cpuSpent(sys1, sys2),
      ingest_minor_faults_k: cpuSpent(thousands(flt0), thousands(flt1)),
      reduce_minor_faults_k: cpuSpent(thousands(flt1), thousands(flt2)),
      ccdproc_seconds: ccdproc,
      reduce_ratio_to_ccdproc: ccdproc ? round2(reduceSeconds / ccdproc) : undefined,
      ingest_reduce_ratio_to_ccdproc: ccdproc ? round2((ingestSeconds + reduceSeconds) / ccdproc) : undefined,
      machine: `${process.platform} ${process.arch}, ${chromium.name()}`,
      date: new Date().toISOString().slice(0, 10),
    }));
  } finally {
    try { process.kill(-server.pid!); } catch { /* already gone */ }
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
