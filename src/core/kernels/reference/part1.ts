/**
 * Typed access to part1.json (written by make_part1.py with numpy/astropy/
 * ccdproc) for the tests. NaN is stored as null in the JSON.
 */
import { readFileSync } from 'node:fs';

export interface SigmaCase {
  args: { sigma?: number; sigma_lower?: number; sigma_upper?: number; maxiters: number | null };
  mean: number;
  median: number;
  std: number;
}

export interface StatsEntry {
  data: (number | null)[];
  mean: number;
  median: number;
  std: number;
  min: number;
  max: number;
  mad: number;
  mad_std: number;
  percentiles: { q: number[]; values: number[] };
  sigma_clipped: SigmaCase[];
  histogram20: { counts: number[]; edges: number[] };
  histogram7_centered: { range: [number, number]; counts: number[] };
  zscale600: [number, number];
}

export interface Part1 {
  stats: Record<string, StatsEntry>;
  masked: { name: string; mask_every: number; mean: number; median: number; std: number; median_plain: number; mean_plain: number };
  zscale2d: { width: number; height: number; data: (number | null)[]; limits: [number, number] };
  overscan: {
    width: number; height: number; biassec: string; data: (number | null)[];
    median_levels: number[]; mean_levels: number[]; cheb6_median_levels: number[]; poly3_mean_levels: number[];
    corrected_cheb6_row10: number[];
  };
  overscan_rows: { width: number; height: number; biassec: string; data: (number | null)[]; median_levels: number[] };
  flat: {
    width: number; height: number; min_value: number;
    sci: number[]; sci_err: number[]; flat: number[]; flat_err: number[]; bias: number[]; bias_err: number[];
    flat_corrected: number[]; flat_corrected_err: number[]; flat_corrected_norm14000: number[];
    bias_subtracted: number[]; bias_subtracted_err: number[];
  };
}

export const part1: Part1 = JSON.parse(readFileSync(new URL('./part1.json', import.meta.url), 'utf8'));

/** JSON list (null = NaN) -> Float32Array. */
export function f32(a: (number | null)[]): Float32Array {
  return Float32Array.from(a, (v) => (v === null ? NaN : v));
}

/** |a - b| <= rel * max(|b|, floor). */
export function close(a: number, b: number, rel: number, floor = 1e-12): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(b), floor);
}
