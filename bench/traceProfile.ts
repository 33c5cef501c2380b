/**
 * `npx tsx bench/traceProfile.ts TRACE [THREAD] [N]`: the JavaScript time of
 * each thread in a Chromium trace recorded with the V8 sampling profiler
 * (bench/browserNight.ts with BENCH_TRACE=file records one), per function,
 * self and inclusive, largest first. Workers show under their own names
 * (DedicatedWorker thread), so a worker's kernels can be weighed as they run
 * in the browser, not only in Node's `--cpu-prof`.
 *
 * THREAD (a substring of the thread's name, e.g. DedicatedWorker) limits the
 * listing to those threads; N is how many functions per thread (default 40).
 */
import { readFileSync } from 'node:fs';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  id?: string;
  args?: {
    name?: string;
    data?: {
      cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] };
      timeDeltas?: number[];
    };
  };
}
interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string; lineNumber?: number };
}

const [file, only, howMany] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/traceProfile.ts TRACE [THREAD] [N]');
const raw = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
const events = Array.isArray(raw) ? raw : raw.traceEvents ?? [];

const threadNames = new Map<string, string>();
for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threadNames.set(`${e.pid}/${e.tid}`, e.args?.name ?? '?');

/** One sampled profile (one thread's isolate): its nodes and the time each was on top. */
interface Profile {
  thread: string;
  nodes: Map<number, ProfileNode>;
  self: Map<number, number>;
}
const profiles = new Map<string, Profile>();
for (const e of events) {
  if (e.name === 'Profile') {
    profiles.set(`${e.pid}/${e.id}`, { thread: threadNames.get(`${e.pid}/${e.tid}`) ?? `${e.pid}/${e.tid}`, nodes: new Map(), self: new Map() });
  }
}
for (const e of events) {
  if (e.name !== 'ProfileChunk') continue;
  const prof = profiles.get(`${e.pid}/${e.id}`);
  const data = e.args?.data;
  if (!prof || !data) continue;
  for (const n of data.cpuProfile?.nodes ?? []) prof.nodes.set(n.id, n);
  const samples = data.cpuProfile?.samples ?? [];
  const deltas = data.timeDeltas ?? [];
  // A sample's delta is the time since the previous sample, charged to this sample: over thousands
  // of samples a ms apart, which neighbour gets the interval does not change the sums.
  for (let i = 0; i < samples.length; i++) prof.self.set(samples[i], (prof.self.get(samples[i]) ?? 0) + (deltas[i] ?? 0));
}

// Anonymous functions are told apart by their line (in an unminified build: `vite build --minify false`).
const label = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = (url ?? '').split('/').slice(-1)[0].replace(/-[\w-]{8}\.js$/, '.js');
  return functionName ? `${functionName} ${where}` : `(anonymous) ${where}${lineNumber !== undefined && lineNumber >= 0 ? `:${lineNumber + 1}` : ''}`;
};
const seconds = (us: number) => (us / 1e6).toFixed(2).padStart(7);

for (const prof of profiles.values()) {
  if (only && !prof.thread.includes(only)) continue;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0, idle = 0;
  for (const [id, t] of prof.self) {
    const node = prof.nodes.get(id);
    if (!node) continue;
    total += t;
    if (node.callFrame.functionName === '(idle)') { idle += t; continue; }
    self.set(label(node), (self.get(label(node)) ?? 0) + t);
    // Each function once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let cur: ProfileNode | undefined = node; cur; cur = cur.parent !== undefined ? prof.nodes.get(cur.parent) : undefined) {
      const k = label(cur);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + t);
    }
  }
  if (total - idle < 0.05e6) continue;
  console.log(`\n== ${prof.thread}: ${seconds(total - idle)} s busy of ${seconds(total)} s sampled`);
  const n = Number(howMany ?? 40);
  const bySelf = [...self].sort((a, b) => b[1] - a[1]).slice(0, n);
  const byIncl = [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, n);
  console.log('   self s  function                                     |  inclusive s  function');
  for (let i = 0; i < Math.max(bySelf.length, byIncl.length); i++) {
    const a = bySelf[i] ? `${seconds(bySelf[i][1])}  ${bySelf[i][0]}` : '';
    const b = byIncl[i] ? `${seconds(byIncl[i][1])}  ${byIncl[i][0]}` : '';
    console.log(`${a.padEnd(54).slice(0, 54)} | ${b}`);
  }
}
