/**
 * The benchmarks' view of the browser from outside: Chromium's processes
 * below this one and their memory, read from /proc (Linux), and the preview
 * server they wait for.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Every process below `root` (its children, theirs, ...), from /proc. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The parent pid is the 4th field, after the command name in parentheses (which may hold spaces).
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch { /* the process ended */ }
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    for (const c of children.get(todo.pop()!) ?? []) { out.push(c); todo.push(c); }
  }
  return out;
}

/** PSS and RSS in bytes, summed over the Chromium processes below this one, and PSS per kind of process. */
export function browserMemory(excluded: Set<number>): { pss: number; rss: number; byType: Record<string, number> } {
  let pss = 0;
  let rss = 0;
  const byType: Record<string, number> = {};
  for (const pid of descendants(process.pid)) {
    if (excluded.has(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium')) continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const p = 1024 * Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += p;
      const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
      byType[type] = (byType[type] ?? 0) + p;
      rss += 1024 * Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch { /* the process ended */ }
  }
  return { pss, rss, byType };
}

/** Resolves once the app's server answers at `url`. */
export async function waitForServer(url: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not up yet */ }
    if (i > 150) throw new Error(`${url} did not answer: is the app built (npm run build)?`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** BENCH_TIMELINE=1: each run's start and end (seconds after "Reduce all") and its steps' times, on stderr (and the PSS each second). */

/**
 * CPU seconds (user + system) of the Chromium processes below this one, per
 * process kind and thread name ("renderer/DedicatedWorker",
 * "browser/ThreadPoolForeg", ...). `sample()` reads every thread and keeps
 * the last reading of each, so threads that end (a pool's workers when it is
 * done) still count up to their last sample: sample often (the memory
 * sampler's 50 ms). `totals()` sums the readings; the difference of two says
 * where a phase's time went.
 */
export class CpuMeter {
  private readonly seen = new Map<string, { key: string; seconds: number }>();
  constructor(private readonly excluded: Set<number>) {}

  sample(): void {
    const ticks = 100; // USER_HZ on Linux
    for (const pid of descendants(process.pid)) {
      if (this.excluded.has(pid)) continue;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmd.includes('chromium')) continue;
        const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
        for (const tid of readdirSync(`/proc/${pid}/task`)) {
          try {
            const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
            const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[\d:]+$/, '');
            const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            this.seen.set(`${pid}/${tid}`, { key: `${type}/${name}`, seconds: (Number(f[11]) + Number(f[12])) / ticks });
          } catch { /* the thread ended */ }
        }
      } catch { /* the process ended */ }
    }
  }

  totals(): Record<string, number> {
    this.sample();
    const out: Record<string, number> = {};
    for (const { key, seconds } of this.seen.values()) out[key] = (out[key] ?? 0) + seconds;
    return out;
  }
}

/** `after - before`, rounded to 0.01 s, largest first, without the entries under 0.05 s. */
export function cpuSpent(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const d = Object.entries(after).map(([k, v]) => [k, Math.round((v - (before[k] ?? 0)) * 100) / 100] as const);
  return Object.fromEntries(d.filter(([, v]) => v >= 0.05).sort((a, b) => b[1] - a[1]));
}
