/**
 * Exact order statistics of large arrays in bounded memory: the values at
 * given ranks of the good (finite, unmasked) pixels, as a full sort would
 * give them, without copying the frame.
 *
 * Small inputs are gathered and selected (select.ts). Large ones are
 * narrowed: one pass counts the values in 65536 equal bins over [min, max],
 * each wanted rank falls in one bin, and a second pass copies only the values
 * of those bins, which are then solved the same way (recursively, so a bin
 * holding most of the frame — a range stretched by a few wild pixels — is
 * split again rather than sorted whole). A 4096 x 4096 frame takes three
 * passes and a few hundred kB of scratch instead of a 64 MB copy.
 */
import { selectKth } from './select';
import type { Mask } from './stats';
import { lerp } from './stats';

const BINS = 65536;
/** Below this many values, gather and select directly. */
const DIRECT = 1 << 18;

function good(v: number, mask: Mask | undefined, i: number): boolean {
  return v - v === 0 && (!mask || mask[i] === 0);
}

/**
 * Values at 0-based `ranks` (each in [0, number of good values)) among the
 * good values of `data` sorted ascending.
 */
export function valuesAtRanks(data: ArrayLike<number>, ranks: readonly number[], mask?: Mask): number[] {
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!good(v, mask, i)) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  for (const r of ranks) if (!(r >= 0 && r < n && Number.isInteger(r))) throw new RangeError(`rank ${r} is outside [0, ${n})`);
  if (n <= DIRECT || min === max) {
    if (min === max) return ranks.map(() => min);
    const values = new Float64Array(n);
    for (let i = 0, k = 0; i < data.length; i++) if (good(data[i], mask, i)) values[k++] = data[i];
    return ranks.map((r) => selectKth(values, r));
  }
  return narrowed(data, mask, ranks, min, max);
}

function binOf(v: number, min: number, scale: number): number {
  const b = Math.floor((v - min) * scale);
  return b >= BINS ? BINS - 1 : b;
}

function narrowed(data: ArrayLike<number>, mask: Mask | undefined, ranks: readonly number[], min: number, max: number): number[] {
  const scale = BINS / (max - min);
  const counts = new Float64Array(BINS);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (good(v, mask, i)) counts[binOf(v, min, scale)]++;
  }
  // For each rank: its bin and its rank within that bin.
  const where = ranks.map((r) => {
    let below = 0;
    let b = 0;
    while (below + counts[b] <= r) below += counts[b++];
    return { bin: b, local: r - below };
  });
  const bins = [...new Set(where.map((w) => w.bin))];
  const buffers = new Map(bins.map((b) => [b, { values: new Float64Array(counts[b]), n: 0 }]));
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!good(v, mask, i)) continue;
    const buf = buffers.get(binOf(v, min, scale));
    if (buf) buf.values[buf.n++] = v;
  }
  const solved = new Map<number, Map<number, number>>();
  for (const b of bins) {
    const locals = where.filter((w) => w.bin === b).map((w) => w.local);
    const values = valuesAtRanks(buffers.get(b)!.values, locals);
    solved.set(b, new Map(locals.map((l, k) => [l, values[k]])));
  }
  return where.map((w) => solved.get(w.bin)!.get(w.local)!);
}

/**
 * Percentiles (0..100) of the good values with numpy's default (linear)
 * interpolation between the two nearest ranks; NaN when there is no good value.
 */
export function exactPercentiles(data: ArrayLike<number>, ps: readonly number[], mask?: Mask): number[] {
  for (const p of ps) if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside [0, 100]`);
  let n = 0;
  for (let i = 0; i < data.length; i++) if (good(data[i], mask, i)) n++;
  if (n === 0) return ps.map(() => NaN);
  const positions = ps.map((p) => (p / 100) * (n - 1));
  const wanted = [...new Set(positions.flatMap((pos) => [Math.floor(pos), Math.min(n - 1, Math.ceil(pos))]))];
  const values = valuesAtRanks(data, wanted, mask);
  const at = new Map(wanted.map((r, k) => [r, values[k]]));
  return positions.map((pos) => {
    const k = Math.floor(pos);
    const t = pos - k;
    return t === 0 ? at.get(k)! : lerp(at.get(k)!, at.get(Math.min(n - 1, k + 1))!, t);
  });
}
