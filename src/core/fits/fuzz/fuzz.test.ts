/**
 * The reader against thousands of damaged files (seeded: the same cases on
 * every run). Every reading must be clean: a FitsError naming the file, or
 * the right image, as judge.ts defines it. `npm run fuzz -- --iterations N
 * --seed S` runs the same loop longer.
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from './run';
import { fuzzSources } from './sources';

/** Measured on the 2-core machine: 9 s with it quiet, 21 s with a load average of 6.5 (other tests, builds). */
const ITERATIONS = 25000;
const SEED = 20261129;
/**
 * A case reads a file of at most 57 kB: the slowest measured took 0.2 s with
 * the machine busy. 5 s catches a hang or a blow-up (a bomb inflated whole)
 * without timing anything tightly.
 */
const CASE_BOUND_MS = 5000;

describe('fuzz: damaged fixtures', () => {
  it(`${ITERATIONS} mutations (seed ${SEED}) all read cleanly`, () => {
    const sources = fuzzSources();
    // Plain, .gz and .fz inputs are all there to damage (the shared fixtures must be beside the repo).
    expect(sources.some((s) => s.gz)).toBe(true);
    expect(sources.some((s) => s.parsed.hdus.some((h) => h.compressed === 'RICE_1'))).toBe(true);
    expect(sources.some((s) => s.parsed.hdus.some((h) => h.compressed === 'GZIP_1'))).toBe(true);
    expect(sources.some((s) => s.parsed.hdus.length >= 5)).toBe(true);
    const report = runFuzz(sources, ITERATIONS, SEED);
    expect(report.failures.slice(0, 10)).toEqual([]);
    expect(report.slowest.ms, `${report.slowest.source}: ${report.slowest.what}`).toBeLessThan(CASE_BOUND_MS);
    // Every kind of damage was tried, and each both failed some files and left others readable.
    for (const [kind, k] of Object.entries(report.byKind)) {
      expect(k.cases, kind).toBeGreaterThan(ITERATIONS / 50);
      expect(k.errors, kind).toBeGreaterThan(0);
    }
    expect(report.byKind.cut.warnings).toBeGreaterThan(0);
  }, 300_000);
});
