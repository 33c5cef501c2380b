/**
 * The fuzz loop shared by the test (fuzz.test.ts) and `npm run fuzz`: seeded
 * mutations of each source in turn, each read as ingest reads it and judged,
 * each timed.
 */
import { judge, readAll, type Reading } from './judge';
import { mutate, rng, type Kind, type Source } from './mutate';

export interface Failure {
  source: string;
  case: number;
  what: string;
  why: string;
}

export interface FuzzReport {
  cases: number;
  failures: Failure[];
  /** Slowest single case (read and judge), ms, and what it was. */
  slowest: { ms: number; source: string; what: string };
  byKind: Record<Kind, { cases: number; errors: number; warnings: number }>;
}

export function runFuzz(sources: Source[], iterations: number, seed: number): FuzzReport {
  const r = rng(seed);
  const refs = new Map<Source, Reading & { ok: true }>();
  for (const s of sources) {
    const ref = readAll(s.input, s.name);
    if (!ref.ok) throw new Error(`fuzz source ${s.name} does not read: ${String(ref.error)}`);
    refs.set(s, ref);
  }
  const report: FuzzReport = {
    cases: 0,
    failures: [],
    slowest: { ms: 0, source: '', what: '' },
    byKind: Object.fromEntries(['flip', 'bytes', 'cut', 'card', 'gzip', 'tile'].map((k) => [k, { cases: 0, errors: 0, warnings: 0 }])) as FuzzReport['byKind'],
  };
  for (let i = 0; i < iterations; i++) {
    const src = sources[i % sources.length];
    const m = mutate(src, r);
    const t0 = performance.now();
    const reading = readAll(m.bytes, src.name);
    const why = judge(src, m, reading, refs.get(src)!);
    const ms = performance.now() - t0;
    if (ms > report.slowest.ms) report.slowest = { ms, source: src.name, what: m.what };
    const k = report.byKind[m.kind];
    k.cases++;
    if (!reading.ok) k.errors++;
    else if (reading.file.warnings.length) k.warnings++;
    report.cases++;
    if (why) report.failures.push({ source: src.name, case: i, what: m.what, why });
  }
  return report;
}
