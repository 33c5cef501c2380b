/**
 * `npm run fuzz -- --iterations N --seed S`: the fuzz test's loop, as long as
 * wanted. Prints a summary and every unclean reading; exits 1 if there was one.
 * `--seed S --case N` replays one case in detail.
 */
import { runFuzz } from '../src/core/fits/fuzz/run';
import { fuzzSources } from '../src/core/fits/fuzz/sources';
import { judge, readAll, type Reading } from '../src/core/fits/fuzz/judge';
import { mutate, rng } from '../src/core/fits/fuzz/mutate';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${name} needs a whole number, got ${process.argv[i + 1]}`);
  return v;
}

/** `--case N` (with the seed that found it): the mutation and how the reader took it, in detail. */
function replay(seed: number, target: number): void {
  const sources = fuzzSources();
  const r = rng(seed);
  for (let i = 0; i <= target; i++) {
    const src = sources[i % sources.length];
    const m = mutate(src, r);
    if (i < target) continue;
    const reading = readAll(m.bytes, src.name);
    const reference = readAll(src.input, src.name) as Reading & { ok: true };
    console.log(`${src.name} case ${i}: ${m.what}; changed bytes ${m.touched.slice(0, 20).join(', ')}`);
    console.log(reading.ok ? `read: ${reading.file.hdus.length} HDUs, warnings ${JSON.stringify(reading.file.warnings)}` : `error: ${String(reading.error)}`);
    console.log(`judge: ${judge(src, m, reading, reference) ?? 'clean'}`);
  }
}

if (process.argv.includes('--case')) {
  replay(arg('seed', 0), arg('case', 0));
  process.exit(0);
}

const iterations = arg('iterations', 20000);
const seed = arg('seed', Date.now() % 2 ** 31);
const t0 = performance.now();
const report = runFuzz(fuzzSources(), iterations, seed);
const seconds = (performance.now() - t0) / 1000;
console.log(`fuzz: ${report.cases} cases, seed ${seed}, ${seconds.toFixed(1)} s, slowest case ${report.slowest.ms.toFixed(0)} ms (${report.slowest.source}: ${report.slowest.what})`);
for (const [kind, k] of Object.entries(report.byKind)) {
  console.log(`  ${kind.padEnd(6)} ${String(k.cases).padStart(6)} cases, ${k.errors} errors, ${k.warnings} read with warnings`);
}
for (const f of report.failures) console.log(`UNCLEAN ${f.source} case ${f.case} (${f.what}): ${f.why}`);
console.log(`${report.cases - report.failures.length} passed, ${report.failures.length} failed`);
process.exit(report.failures.length ? 1 : 0);
