/**
 * `npm run fuzz -- --iterations N --seed S`: the fuzz test's loop, as long as
 * wanted. Prints a summary and every unclean reading; exits 1 if there was one.
 */
import { runFuzz } from '../src/core/fits/fuzz/run';
import { fuzzSources } from '../src/core/fits/fuzz/sources';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${name} needs a whole number, got ${process.argv[i + 1]}`);
  return v;
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
