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

export interface BrowserMemory {
  /** Bytes: the sum of the processes' PSS and of their RSS, and PSS per kind of process. */
  pss: number;
  rss: number;
  byType: Record<string, number>;
}

interface ChromiumProcess {
  pid: number;
  /** 'browser', 'renderer', 'gpu-process', 'utility', 'zygote'. */
  type: string;
}

/**
 * The Chromium processes below this one, watched from /proc (Linux): their
 * memory and their threads' CPU time.
 *
 * Watching costs CPU on the machine being measured, and on 2 cores that is
 * the app's: listing the processes reads every /proc/<pid>/stat of the
 * machine, and a 50 ms sampler doing that and reading every process's
 * smaps_rollup cost ~30 CPU seconds over a 40 s bench (measured: the night
 * reduced in 30 s under it and in 24 s under a 500 ms one). So the list is
 * refreshed at most once a second, threads are read at most once a second,
 * and only the memory is read at the caller's pace.
 */
export class BrowserWatch {
  private list: ChromiumProcess[] = [];
  private listedAt = -Infinity;
  private threadsAt = -Infinity;
  private readonly seen = new Map<string, { key: string; seconds: number; system: number; faults: number }>();

  constructor(private readonly excluded: Set<number>) {}

  private processes(): ChromiumProcess[] {
    if (performance.now() - this.listedAt < 1000) return this.list;
    this.listedAt = performance.now();
    this.list = [];
    for (const pid of descendants(process.pid)) {
      if (this.excluded.has(pid)) continue;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.includes('chromium')) this.list.push({ pid, type: /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser' });
      } catch { /* the process ended */ }
    }
    return this.list;
  }

  /** The processes' RSS summed, in bytes, from /proc/<pid>/statm: cheap, unlike PSS. */
  rss(): number {
    let rss = 0;
    for (const { pid } of this.processes()) {
      try {
        rss += 4096 * Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
      } catch { /* the process ended */ }
    }
    return rss;
  }

  /**
   * PSS and RSS now, summed over the processes (PSS: shared pages split
   * between the processes that map them). Costly: the kernel walks each
   * process's page tables (~15 ms for a renderer holding a reduction).
   */
  memory(): BrowserMemory {
    let pss = 0;
    let rss = 0;
    const byType: Record<string, number> = {};
    for (const { pid, type } of this.processes()) {
      try {
        const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
        const p = 1024 * Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
        pss += p;
        byType[type] = (byType[type] ?? 0) + p;
        rss += 1024 * Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      } catch { /* the process ended */ }
    }
    return { pss, rss, byType };
  }

  /**
   * Reads every thread's CPU time (at most once a second unless `now`),
   * keeping the last reading of each, so threads that end (a pool's workers
   * when it is done) still count up to their last reading.
   */
  sampleThreads(now = false): void {
    if (!now && performance.now() - this.threadsAt < 1000) return;
    this.threadsAt = performance.now();
    const ticks = 100; // USER_HZ on Linux
    for (const { pid, type } of this.processes()) {
      try {
        for (const tid of readdirSync(`/proc/${pid}/task`)) {
          try {
            const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
            const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[\d:]+$/, '');
            const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            // Fields 10, 14 and 15 of proc(5): minor faults, user and system ticks.
            this.seen.set(`${pid}/${tid}`, { key: `${type}/${name}`, seconds: (Number(f[11]) + Number(f[12])) / ticks, system: Number(f[12]) / ticks, faults: Number(f[7]) });
          } catch { /* the thread ended */ }
        }
      } catch { /* the process ended */ }
    }
  }

  /** CPU seconds so far per process kind and thread name ("renderer/DedicatedWorker"): the difference of two says where a phase's time went. */
  cpuTotals(): Record<string, number> {
    return this.totals('seconds');
  }

  /**
   * Of that, the seconds in the kernel, and the minor page faults: where a
   * virtual machine makes fresh memory dear, first touches of new pages are
   * what these count.
   */
  systemTotals(): Record<string, number> {
    return this.totals('system');
  }

  faultTotals(): Record<string, number> {
    return this.totals('faults');
  }

  /** One kind of thread's minor faults at the last reading (no new one). */
  faultsOf(key: string): number {
    let n = 0;
    for (const t of this.seen.values()) if (t.key === key) n += t.faults;
    return n;
  }

  private totals(what: 'seconds' | 'system' | 'faults'): Record<string, number> {
    this.sampleThreads(true);
    const out: Record<string, number> = {};
    for (const t of this.seen.values()) out[t.key] = (out[t.key] ?? 0) + t[what];
    return out;
  }
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

/** `after - before`, rounded to 0.01 s, largest first, without the entries under 0.05 s. */
export function cpuSpent(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const d = Object.entries(after).map(([k, v]) => [k, Math.round((v - (before[k] ?? 0)) * 100) / 100] as const);
  return Object.fromEntries(d.filter(([, v]) => v >= 0.05).sort((a, b) => b[1] - a[1]));
}

/** Machine-wide CPU ticks from /proc/stat: busy (everything but idle and iowait) and all. */
export function machineTicks(): { busy: number; all: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const all = f.reduce((a, b) => a + b, 0);
  return { busy: all - f[3] - (f[4] ?? 0), all };
}

/** Share of the machine's CPU time that was busy between two readings (0-1). */
export function busyShare(a: { busy: number; all: number }, b: { busy: number; all: number }): number {
  return Math.round(((b.busy - a.busy) / Math.max(1, b.all - a.all)) * 100) / 100;
}
