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
