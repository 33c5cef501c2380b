/**
 * Combining a stack of frames into one: mean / median / weighted mean / sum,
 * with optional rejection (minmax, sigma, MAD, winsorized sigma, variance
 * clipping), per-frame scale, zero and weights, DQ masking, and propagated VAR.
 *
 * Speed (15 frames of 2048x2048 in about 0.7-0.9 s on one thread, see the
 * numbers in the commit history): rejection and the median need each pixel's
 * values sorted, and sorting ~15 noisy values one pixel at a time is mostly
 * branch mispredictions. So blocks of BLOCK pixels are gathered frame-major
 * and sorted together by a branch-free sorting network (combine-network.ts;
 * only its median-deciding part for a median without rejection). Rejection
 * then works per pixel on the sorted column in a small reusable Float64Array
 * and only moves the ends of the sorted window (combine-reject.ts). A pixel
 * with any excluded value (masked, NaN, threshold), or a stack larger than
 * NETWORK_MAX, goes one pixel at a time: insertion sort (Shell sort above
 * SORT_INSERTION_MAX), and quickselect (select.ts) for a median without
 * rejection. mean/sum/wmean without rejection sort nothing. No allocation
 * happens per pixel.
 * Output DQ needs to know which frames survived rejection. Only with DQ
 * planes: one by one, each value's frame index is sorted along with it; on
 * the block path the frames of the rejected values are found by matching
 * them against the inputs (as for VAR), and only at pixels where some value
 * carries a DQ bit and some value was rejected. Without DQ nothing of this runs.
 * Per-frame weights need every value's frame: one by one its index is sorted
 * along with it (as for DQ), on the block path the network carries the
 * indices (as for varclip and wmean), which makes a weighted mean with
 * sigclip about 1.5 times as slow as the unweighted one.
 *
 * Conventions (documented because other tools differ):
 * - scale/zero: value' = value * scale[i] + zero[i], VAR' = VAR * scale[i]^2,
 *   applied BEFORE rejection (ccdproc rejects on unscaled data, which is
 *   wrong for flats of different levels). value' is rounded to float32, as
 *   if the scaled frames had been stored (it keeps the network exact). Thresholds, if given, apply to the
 *   raw values (as IRAF lthreshold/hthreshold).
 * - Masking: an input value is used when (DQ & dqMask) === 0, it is finite
 *   and (if thresholds are given) within them.
 * - Output DQ is the OR of the DQ of the values actually combined, i.e. those
 *   that survive rejection (DRAGONS): bits outside dqMask on used values
 *   (e.g. non-linear when it is not masked) propagate, the flag of a value
 *   that rejection removed (e.g. a saturated outlier under dqMask 0) does not.
 * - When no value is usable at a pixel (every input masked, or NaN, or out of
 *   threshold), the masked values that are finite and within the thresholds
 *   are combined anyway (a number beats a hole), with rejection as usual; as
 *   each carries a masked bit, the output is flagged only where
 *   every input was flagged (DRAGONS). Fill values are excluded even then:
 *   a value flagged noData or unilluminated is a 0 written by resampling or
 *   division, not a measurement. If nothing remains, sci = 0, VAR = 0 and
 *   DQ = noData OR the DQ of every input at that pixel.
 * - Where no value survives for any other reason (no finite input, or minmax
 *   removed all), sci = 0, VAR = 0 and DQ gets noData.
 * - Output VAR, inputs with VAR (n = values used): mean sum(VAR)/n^2, median
 *   (pi/2) sum(VAR)/n^2 (asymptotic efficiency of the median; for n <= 2 the
 *   median IS the mean, so the factor is 1 there), sum sum(VAR),
 *   wmean 1/sum(1/VAR).
 *   Inputs without VAR: from the scatter of the used values, s^2 = population
 *   variance (ddof 0, as ccdproc's np.ma.std): mean s^2/n, median (pi/2)s^2/n
 *   (n >= 3), sum n*s^2; n = 1 gives 0. (ccdproc's median_combine instead
 *   uses mad_std^2/n, without the pi/2.)
 * - sum is the plain sum of the surviving values (IRAF "sum"); it is not
 *   rescaled for rejected or masked values.
 * - wmean weights are 1/VAR; at a pixel where a used VAR is not > 0 the
 *   weights are undefined and the plain mean is used there.
 * - weights (method mean only; one finite weight >= 0 per input, not all 0;
 *   only their ratios matter): masking and rejection are exactly as without
 *   them (rejection is unweighted, as IRAF/ccdproc), then with a_i the
 *   weight of the frame value i came from, over the surviving values:
 *   sci = sum(a x)/sum(a); with VAR planes VAR = sum(a^2 VAR')/sum(a)^2
 *   (VAR' scaled as above); without, VAR = s2 sum(a^2)/sum(a)^2 with s2 =
 *   sum(a (x - sci)^2)/sum(a), the weighted population variance (for equal
 *   weights s^2/n as above). Equal weights give exactly the unweighted
 *   sci, and its VAR up to rounding (the VAR sum may run in another order).
 *   A value of weight 0 is still a value: it takes part in
 *   rejection, counts in nUsed, and its DQ bits reach the output DQ (the OR
 *   over the surviving values, as always). Where every surviving value has
 *   weight 0 the plain mean of the survivors (and its VAR as above) is used.
 * - varclip without VAR planes falls back to sigclip (as DRAGONS).
 * - Tied values: which of several equal values is rejected does not change
 *   sci, only which frame's VAR and DQ are counted; mean/median/sum count
 *   those of the frames a stable sort would keep, wmean/varclip on the
 *   network path whichever frame the network left in place. With weights
 *   it does change sci, but only minmax (which cuts by count, the clips cut
 *   by value) can split equal values: there the frames a stable sort would
 *   keep are kept on every path. The weighted sums may still add equal values
 *   in a different order on the two paths, which can change the last bit.
 */
import { DQ } from './dq';
import {
  rejectMadclip, rejectMinmax, rejectSigclip, rejectVarclip, rejectWinsorized,
  shellSort, sortValues, sortValuesWith, sortedMedian,
} from './combine-reject';
import { medianNetwork, sortColumns, sortColumnsWithIndex, sortingNetwork } from './combine-network';
import { medianInPlace } from './select';
import { scratch, takeZeroedFrom, type Allocator, type ScratchType } from './scratch';

export type CombineMethod = 'mean' | 'median' | 'wmean' | 'sum';
export type RejectMethod = 'none' | 'minmax' | 'sigclip' | 'madclip' | 'winsorized' | 'varclip';

/** One input slab (a whole frame or a strip of one): all planes have the same pixel count. */
export interface CombineInput {
  sci: Float32Array;
  var?: Float32Array;
  dq?: Uint16Array;
}

export interface CombineOptions {
  method: CombineMethod;
  /** Default 'none'. */
  reject?: RejectMethod;
  /** minmax: how many lowest / highest values to drop (default 1 / 1). */
  nlow?: number;
  nhigh?: number;
  /** Clip limits in sigma below / above the median (default 3 / 3). */
  lsigma?: number;
  hsigma?: number;
  /** Clipping iterations; default DEFAULT_MAX_ITERS ("until no change", capped). */
  maxIters?: number;
  /** Per-input multiplier, applied before rejection. */
  scale?: ArrayLike<number>;
  /** Per-input additive offset, applied after scale, before rejection. */
  zero?: ArrayLike<number>;
  /**
   * method 'mean' only: one weight per input (finite, >= 0, not all 0; only
   * their ratios matter). The output is the weighted mean of the values that
   * survive masking and (unweighted) rejection; see the module comment.
   */
  weights?: ArrayLike<number>;
  /** DQ bits that exclude a value; default every bit (0xffff). */
  dqMask?: number;
  /** Raw values below / above these are treated as masked (IRAF lthreshold/hthreshold, ccdproc minmax_clipping). */
  lthreshold?: number;
  hthreshold?: number;
  /** Also return rejectMap (values rejected by the rejection step) and nUsed (values combined) per pixel. */
  maps?: boolean;
}

export interface CombineResult {
  sci: Float32Array;
  var: Float32Array;
  dq: Uint16Array;
  /** Values removed by rejection at each pixel (not counting masked inputs). Present when opts.maps. */
  rejectMap?: Uint16Array;
  /** Values that went into each output pixel. Present when opts.maps. */
  nUsed?: Uint16Array;
}

/** "Iterate until no change" is capped here: clipping converges in 2-4 passes on real stacks. */
export const DEFAULT_MAX_ITERS = 10;
/** Above this many frames the per-pixel sort switches from insertion to Shell sort. */
export const SORT_INSERTION_MAX = 48;
/** Up to this many frames pixels are sorted in blocks by a sorting network (combine-network.ts). */
export const NETWORK_MAX = 64;
/** Pixels per block for the network: the block (NETWORK_MAX * BLOCK doubles at most) stays in cache. */
const BLOCK = 256;

const HALF_PI = Math.PI / 2;
/**
 * DQ bits that mark a value as a fill value, not a measurement: resampling
 * and division write 0 there. Even when every input is masked such a value
 * is never combined (it would pull the output toward 0).
 */
const FILL_VALUE_BITS = DQ.noData | DQ.unilluminated;

const enum Rej { None, Minmax, Sigclip, Madclip, Winsorized, Varclip }
const enum Meth { Mean, Median, Wmean, Sum }

const REJ: Record<RejectMethod, Rej> = {
  none: Rej.None, minmax: Rej.Minmax, sigclip: Rej.Sigclip,
  madclip: Rej.Madclip, winsorized: Rej.Winsorized, varclip: Rej.Varclip,
};
const METH: Record<CombineMethod, Meth> = { mean: Meth.Mean, median: Meth.Median, wmean: Meth.Wmean, sum: Meth.Sum };

/**
 * When the sorted values v[0..m) are equal on both sides of position b (a
 * window end), sorts that run of equal values by frame index fi (ascending),
 * moving w (the variances, or null) along. Runs are short; no allocation.
 */
function orderTieByFrame(v: Float64Array, fi: Float64Array, w: Float64Array | null, m: number, b: number): void {
  if (b <= 0 || b >= m || v[b - 1] !== v[b]) return;
  const x = v[b];
  let a = b - 1, e = b + 1;
  while (a > 0 && v[a - 1] === x) a--;
  while (e < m && v[e] === x) e++;
  for (let i = a + 1; i < e; i++) {
    const f = fi[i], y = w !== null ? w[i] : 0;
    let j = i - 1;
    while (j >= a && fi[j] > f) { fi[j + 1] = fi[j]; if (w !== null) w[j + 1] = w[j]; j--; }
    fi[j + 1] = f;
    if (w !== null) w[j + 1] = y;
  }
}

/**
 * Bytes combine() allocates for N frames whatever the number of pixels (its
 * per-frame and per-block scratch, and the sorting network it caches): an
 * upper bound that the streamed combine counts in its budget. The planes it
 * allocates per pixel are combineStream's OUTPUT_BYTES_PER_PIXEL.
 */
export function combineScratchBytes(N: number): number {
  // 8 float64 arrays of N, N flags, 2 float64 blocks of N x BLOCK, 11 bytes per pixel of a block,
  // a network of at most N^2 comparator pairs (int32), and the arrays' own headers.
  return N * (8 * 8 + 1) + 2 * N * BLOCK * 8 + 11 * BLOCK + 8 * N * N + 1024;
}

/**
 * The output planes for n pixels (zeros), from `alloc` (the scratch pool, or
 * a streamed combine's carving of it, which takes them back once the sink
 * has copied them).
 */
export function makeCombineResult(n: number, maps = false, alloc: Allocator = scratch): CombineResult {
  const zeros = <T extends Float32Array | Uint16Array>(type: ScratchType<T>) => takeZeroedFrom(alloc, type, n);
  return {
    sci: zeros(Float32Array),
    var: zeros(Float32Array),
    dq: zeros(Uint16Array),
    rejectMap: maps ? zeros(Uint16Array) : undefined,
    nUsed: maps ? zeros(Uint16Array) : undefined,
  };
}

/** Combines the inputs pixel by pixel; see the module comment for every convention. Output planes from `alloc`. */
export function combine(inputs: readonly CombineInput[], opts: CombineOptions, alloc: Allocator = scratch): CombineResult {
  const n = checkInputs(inputs);
  const out = makeCombineResult(n, opts.maps === true, alloc);
  combineRange(inputs, opts, out, 0, n);
  return out;
}

function checkInputs(inputs: readonly CombineInput[]): number {
  if (inputs.length === 0) throw new Error('combine: no inputs');
  if (inputs.length > 65535) throw new Error('combine: more than 65535 inputs');
  const n = inputs[0].sci.length;
  const withVar = inputs[0].var !== undefined;
  for (let i = 0; i < inputs.length; i++) {
    const f = inputs[i];
    if (f.sci.length !== n) throw new Error(`combine: input ${i} has ${f.sci.length} pixels, input 0 has ${n}`);
    if ((f.var !== undefined) !== withVar) throw new Error('combine: either every input or none must have a VAR plane');
    if (f.var && f.var.length !== n) throw new Error(`combine: VAR of input ${i} has the wrong length`);
    if (f.dq && f.dq.length !== n) throw new Error(`combine: DQ of input ${i} has the wrong length`);
  }
  return n;
}

/**
 * Combines pixels [p0, p1) of the inputs into the same pixels of `out`
 * (which must hold at least p1 pixels; rejectMap/nUsed filled when present).
 * Lets a caller split one slab over workers or chunks without copying.
 */
export function combineRange(
  inputs: readonly CombineInput[], opts: CombineOptions, out: CombineResult, p0: number, p1: number,
): void {
  const n = checkInputs(inputs);
  if (p0 < 0 || p1 > n || p1 > out.sci.length) throw new Error('combine: pixel range outside the inputs or the output');
  const N = inputs.length;
  const method = METH[opts.method];
  if (method === undefined) throw new Error(`combine: unknown method ${String(opts.method)}`);
  let rej = REJ[opts.reject ?? 'none'];
  if (rej === undefined) throw new Error(`combine: unknown rejection ${String(opts.reject)}`);
  const hasVar = inputs[0].var !== undefined;
  if (method === Meth.Wmean && !hasVar) throw new Error('combine: wmean needs VAR planes (weights are 1/VAR)');
  if (rej === Rej.Varclip && !hasVar) rej = Rej.Sigclip;

  const nlow = opts.nlow ?? 1, nhigh = opts.nhigh ?? 1;
  if (rej === Rej.Minmax) {
    if (!(Number.isInteger(nlow) && Number.isInteger(nhigh) && nlow >= 0 && nhigh >= 0)) throw new Error('combine: nlow/nhigh must be integers >= 0');
    if (nlow + nhigh >= N) throw new Error(`combine: minmax would reject all ${N} values (nlow ${nlow} + nhigh ${nhigh})`);
  }
  const lsigma = opts.lsigma ?? 3, hsigma = opts.hsigma ?? 3;
  if (!(lsigma >= 0 && hsigma >= 0)) throw new Error('combine: lsigma/hsigma must be >= 0');
  const maxIters = opts.maxIters ?? DEFAULT_MAX_ITERS;
  if (!(Number.isInteger(maxIters) && maxIters >= 1)) throw new Error('combine: maxIters must be an integer >= 1');
  const dqMask = (opts.dqMask ?? 0xffff) & 0xffff;
  const lthr = opts.lthreshold ?? -Infinity, hthr = opts.hthreshold ?? Infinity;

  // Per-input arrays; a missing DQ plane reads as zeros from one shared plane
  // so the gather loop stays monomorphic.
  const scis: Float32Array[] = new Array(N);
  const vars: Float32Array[] = new Array(N);
  const dqs: Uint16Array[] = new Array(N);
  let hasDq = false, lacksDq = false;
  for (let i = 0; i < N; i++) if (inputs[i].dq) hasDq = true; else lacksDq = true;
  // Made only where an input lacks DQ beside one that has it (it was made for every strip of every
  // combine with DQ: 1 MB of fresh memory per strip of a 2k frame).
  const zeros = hasDq && lacksDq ? new Uint16Array(n) : null;
  for (let i = 0; i < N; i++) {
    scis[i] = inputs[i].sci;
    if (hasVar) vars[i] = inputs[i].var as Float32Array;
    if (hasDq) dqs[i] = inputs[i].dq ?? (zeros as Uint16Array);
  }
  const sc = new Float64Array(N).fill(1), zr = new Float64Array(N), sc2 = new Float64Array(N).fill(1);
  let scaled = false;
  if (opts.scale) {
    if (opts.scale.length !== N) throw new Error(`combine: ${opts.scale.length} scales for ${N} inputs`);
    for (let i = 0; i < N; i++) { sc[i] = opts.scale[i]; sc2[i] = sc[i] * sc[i]; if (sc[i] !== 1) scaled = true; }
    if (!sc.every(Number.isFinite)) throw new Error('combine: every scale must be a finite number');
  }
  if (opts.zero) {
    if (opts.zero.length !== N) throw new Error(`combine: ${opts.zero.length} zeros for ${N} inputs`);
    for (let i = 0; i < N; i++) { zr[i] = opts.zero[i]; if (zr[i] !== 0) scaled = true; }
    if (!zr.every(Number.isFinite)) throw new Error('combine: every zero must be a finite number');
  }
  const useThr = lthr !== -Infinity || hthr !== Infinity;
  // Per-frame weights (mean only), divided by the largest so that equal
  // weights become exactly 1 (the weighted sums are then bit for bit the
  // plain ones) and squares cannot overflow.
  const weighted = opts.weights !== undefined;
  const wt = new Float64Array(weighted ? N : 0);
  if (opts.weights !== undefined) {
    const ws = opts.weights;
    if (method !== Meth.Mean) throw new Error(`combine: weights apply to method 'mean' only, not '${opts.method}'`);
    if (ws.length !== N) throw new Error(`combine: ${ws.length} weights for ${N} inputs`);
    let maxW = 0;
    for (let i = 0; i < N; i++) {
      const x = ws[i];
      if (!(typeof x === 'number' && Number.isFinite(x) && x >= 0)) throw new Error(`combine: weight ${i} is ${String(x)}; every weight must be a finite number >= 0`);
      if (x > maxW) maxW = x;
    }
    if (maxW === 0) throw new Error('combine: every weight is 0');
    for (let i = 0; i < N; i++) wt[i] = ws[i] / maxW;
  }
  // fi[] (below) is needed for output DQ and for the weights.
  const trackFi = hasDq || weighted;

  // Scratch: values and (co-moved) variances of one pixel, and the window.
  const v = new Float64Array(N), w = new Float64Array(N);
  // With DQ planes or weights: the frame of each value in v[] (moved with it
  // by the sort and by varclip), so the output DQ can be the OR over the
  // values that survive rejection and each value gets its frame's weight.
  // Filled only then (trackFi): otherwise nothing touches it.
  const fi = new Float64Array(N);
  // With weights: the weight of each value in the window, once looked up.
  const wa = new Float64Array(weighted ? N : 0);
  const win = new Int32Array(2);
  const useInsertion = N <= SORT_INSERTION_MAX;
  // Sorted values are needed for any rejection and for the median; then
  // blocks of pixels are sorted together by a branch-free network
  // (combine-network.ts). Pixels with any excluded value (masked, NaN,
  // threshold) are redone one by one below: they are rare.
  const useNet = N >= 2 && N <= NETWORK_MAX && (rej !== Rej.None || method === Meth.Median);
  const B = BLOCK;
  // The median without rejection needs only the middle of each column.
  const net = !useNet ? null : rej === Rej.None ? medianNetwork(N) : sortingNetwork(N);
  const buf = useNet ? new Float64Array(N * B) : v;
  // Frame indices ride along through the network only for varclip (whose
  // per-value limits need each value's VAR during rejection), wmean (which
  // weights each value by its VAR) and per-frame weights (each value needs
  // its frame's weight); otherwise mean/median/sum only need the sum of the
  // used VARs and find the few rejected frames afterwards (see "VAR sums").
  const trackIdx = useNet && ((hasVar && (rej === Rej.Varclip || method === Meth.Wmean)) || weighted);
  const taken = new Uint8Array(N);
  const ix = trackIdx ? new Float64Array(N * B) : v;
  const irregular = new Uint8Array(useNet ? B : 0);
  const nanCheck = new Float64Array(useNet ? B : 0);
  const blockDq = new Uint16Array(useNet ? B : 0);
  // The sum of every frame's (scaled) VAR per pixel of the block, added frame
  // by frame while the block is gathered: where nothing is rejected (most
  // pixels) it is the VAR sum, in the same order as the per-pixel loop below,
  // which reads N planes at one pixel each time and took a sixth of a combine.
  const blockVar = new Float64Array(useNet && hasVar && !trackIdx ? B : 0);

  const oSci = out.sci, oVar = out.var, oDq = out.dq;
  const oRej = out.rejectMap, oUsed = out.nUsed;

  for (let b0 = p0; b0 < p1; b0 += B) {
    const nb = p1 - b0 < B ? p1 - b0 : B;
    if (net !== null) {
      // x - x is 0 for a finite value and NaN otherwise: summing it per
      // pixel finds NaN/Inf (raw, or overflowing float32 once scaled)
      // without a branch per value.
      nanCheck.fill(0, 0, nb);
      irregular.fill(0, 0, nb);
      blockDq.fill(0, 0, nb);
      for (let i = 0; i < N; i++) {
        const s = scis[i], o = i * B;
        if (scaled) {
          // Rounded to float32 so that the network's min/max stay exact (see combine-network.ts).
          const a = sc[i], z = zr[i];
          for (let q = 0; q < nb; q++) { const x = Math.fround(s[b0 + q] * a + z); nanCheck[q] += x - x; buf[o + q] = x; }
        } else {
          for (let q = 0; q < nb; q++) { const raw = s[b0 + q]; nanCheck[q] += raw - raw; buf[o + q] = raw; }
        }
        if (useThr) {
          for (let q = 0; q < nb; q++) { const raw = s[b0 + q]; if (raw < lthr || raw > hthr) irregular[q] = 1; }
        }
        if (hasDq) {
          const d = dqs[i];
          for (let q = 0; q < nb; q++) {
            const dd = d[b0 + q];
            if ((dd & dqMask) !== 0) irregular[q] = 1;
            blockDq[q] |= dd;
          }
        }
        if (trackIdx) ix.fill(i, o, o + nb);
        if (blockVar.length !== 0) {
          const vr = vars[i], f = sc2[i];
          if (i === 0) for (let q = 0; q < nb; q++) blockVar[q] = 0 + vr[b0 + q] * f;
          else for (let q = 0; q < nb; q++) blockVar[q] += vr[b0 + q] * f;
        }
      }
      for (let q = 0; q < nb; q++) if (nanCheck[q] !== 0) irregular[q] = 1;
      if (trackIdx) sortColumnsWithIndex(buf, ix, B, nb, net); else sortColumns(buf, B, nb, net);
    }

    for (let q = 0; q < nb; q++) {
      const p = b0 + q;
      // A pixel goes through the block network unless it has an excluded
      // value; if the network's values cannot be matched back to their
      // frames (see below) it is redone on the one-by-one path.
      let viaNet = net !== null && irregular[q] === 0;
      for (;;) {
        let m = 0, dqOr = 0, sorted = false;
        // wKnown: w[] holds the VAR of each value in v[] (same order).
        let wKnown = hasVar;
        if (viaNet) {
          // Every value usable and already sorted (for the median without
          // rejection only the middle is in place, which is all it reads).
          if (trackIdx) {
            if (trackFi) for (let i = 0; i < N; i++) { const o = i * B + q; v[i] = buf[o]; fi[i] = ix[o]; }
            else for (let i = 0; i < N; i++) v[i] = buf[i * B + q];
            if (hasVar) for (let i = 0; i < N; i++) { const f = ix[i * B + q]; w[i] = vars[f][p] * sc2[f]; }
          } else {
            for (let i = 0; i < N; i++) v[i] = buf[i * B + q];
            wKnown = false;
          }
          m = N;
          dqOr = hasDq ? blockDq[q] : 0;
          sorted = true;
        } else {
          // ---- gather the usable values of pixel p
          for (let i = 0; i < N; i++) {
            const raw = scis[i][p];
            const x = scaled ? Math.fround(raw * sc[i] + zr[i]) : raw;
            if (x - x !== 0) continue; // NaN or +-Inf
            if (useThr && (raw < lthr || raw > hthr)) continue;
            if (hasDq) {
              const d = dqs[i][p];
              if ((d & dqMask) !== 0) continue;
              dqOr |= d;
            }
            if (trackFi) fi[m] = i;
            v[m] = x;
            if (hasVar) w[m] = vars[i][p] * sc2[i];
            m++;
          }
          if (m === 0 && hasDq) {
            // Every input masked: use the flagged measurements anyway (their
            // DQ flags the output), but never fill values (noData,
            // unilluminated). With none left the output is noData, carrying
            // every input's bits.
            let all = 0;
            for (let i = 0; i < N; i++) {
              const d = dqs[i][p];
              all |= d;
              if ((d & FILL_VALUE_BITS) !== 0) continue;
              const raw = scis[i][p];
              const x = scaled ? Math.fround(raw * sc[i] + zr[i]) : raw;
              if (x - x !== 0) continue;
              if (useThr && (raw < lthr || raw > hthr)) continue;
              dqOr |= d;
              fi[m] = i;
              v[m] = x;
              if (hasVar) w[m] = vars[i][p] * sc2[i];
              m++;
            }
            if (m === 0) dqOr = all;
          }
        }

        // ---- rejection on the sorted values
        let lo = 0, hi = m;
        if (rej !== Rej.None && m > 1) {
          if (!sorted) {
            if (trackFi) {
              // Sort the frame indices along and look the variances up after.
              if (useInsertion) sortValuesWith(v, fi, m); else shellSort(v, fi, m);
              if (hasVar) for (let j = 0; j < m; j++) { const f = fi[j]; w[j] = vars[f][p] * sc2[f]; }
            } else if (useInsertion) {
              if (hasVar) sortValuesWith(v, w, m); else sortValues(v, m);
            } else {
              shellSort(v, hasVar ? w : null, m);
            }
            sorted = true;
          }
          win[0] = 0; win[1] = m;
          switch (rej) {
            case Rej.Minmax: rejectMinmax(win, N, nlow, nhigh); break;
            case Rej.Sigclip: rejectSigclip(v, win, lsigma, hsigma, maxIters); break;
            case Rej.Madclip: rejectMadclip(v, win, lsigma, hsigma, maxIters); break;
            case Rej.Winsorized: rejectWinsorized(v, win, lsigma, hsigma, maxIters); break;
            case Rej.Varclip: rejectVarclip(v, w, trackFi ? fi : null, win, lsigma, hsigma, maxIters); break;
          }
          lo = win[0]; hi = win[1];
          // minmax cuts by count, so it can split a run of equal values;
          // with weights which frames it keeps changes sci. Give the split
          // runs the stable-sort order (by frame) whatever sorted them (network,
          // insertion or Shell sort): the first frames are dropped at the low
          // end, the last ones at the high end. The clips cut by value and
          // never split a run.
          if (weighted && rej === Rej.Minmax) {
            orderTieByFrame(v, fi, hasVar ? w : null, m, lo);
            orderTieByFrame(v, fi, hasVar ? w : null, m, hi);
          }
        }
        const k = hi - lo;

        // ---- which frames were rejected, on the network path without frame indices
        // Sorted by the network without frame indices (mean, median, sum,
        // without varclip): the frame of each rejected value (few, usually
        // none) is found by matching it against the inputs; VAR and DQ are
        // then taken from the other frames. Tied values are equal, so which
        // frame's VAR and DQ go with which is a convention; this one agrees
        // with the stable one-by-one path.
        let matched = false;
        if (viaNet && !trackIdx && k < m && (hasVar || dqOr !== 0)) {
          let ok = true;
          for (let j = 0; j < m && ok; j++) {
            if (j === lo) { j = hi - 1; continue; }
            const r = v[j];
            // Low values are matched from the first frame, high ones from
            // the last: with ties that is what a stable sort rejects.
            let hit = -1;
            const up = j < lo;
            for (let t = 0; t < N; t++) {
              const i = up ? t : N - 1 - t;
              if (taken[i] !== 0) continue;
              const raw = scis[i][p];
              if ((scaled ? Math.fround(raw * sc[i] + zr[i]) : raw) === r) { hit = i; break; }
            }
            if (hit < 0) ok = false; else taken[hit] = 1;
          }
          // Only if the network's min/max were inexact (values 2^28 apart)
          // can a value go unmatched; then this pixel is done the slow, exact way.
          if (!ok) { taken.fill(0); viaNet = false; continue; }
          matched = true;
        }

        // ---- VAR sums over the used values
        let sumVar = 0, sumW = 0, sumWX = 0, wOk = true;
        if (hasVar && k > 0) {
          if (wKnown) {
            for (let j = lo; j < hi; j++) {
              const wj = w[j];
              sumVar += wj;
              if (method === Meth.Wmean) {
                if (!(wj > 0) || wj === Infinity) wOk = false;
                else { sumW += 1 / wj; sumWX += v[j] / wj; }
              }
            }
          } else {
            // Network path: every frame was usable, so the used ones are those not taken.
            if (!matched) sumVar = blockVar[q];
            else for (let i = 0; i < N; i++) sumVar += taken[i] !== 0 ? 0 : vars[i][p] * sc2[i];
          }
        }

        // ---- output DQ: the OR over the values actually combined
        // dqOr so far covers every value gathered; only when some of them
        // carry bits and some were rejected must it be redone.
        if (dqOr !== 0 && k < m && k > 0) {
          dqOr = 0;
          if (matched) {
            for (let i = 0; i < N; i++) if (taken[i] === 0) dqOr |= dqs[i][p];
          } else {
            // fi[] went through the sort (or came from the network's indices) and varclip.
            for (let j = lo; j < hi; j++) dqOr |= dqs[fi[j]][p];
          }
        }
        if (matched) taken.fill(0);

        if (oRej) oRej[p] = m - k;
        if (oUsed) oUsed[p] = k;
        if (k === 0) {
          oSci[p] = 0; oVar[p] = 0; oDq[p] = dqOr | DQ.noData;
          break;
        }
        oDq[p] = dqOr;

        // ---- combine the window v[lo..hi)
        let value: number, variance: number;
        // Per-frame weights a: sums over the survivors. Survivors that all
        // weigh very little (their squares could underflow) are summed again
        // scaled up by g, which does not change the result; with g = 1 every
        // product is exact, so equal weights (all 1 once normalised) give
        // exactly the plain sums. sa stays 0 without weights, and where every
        // survivor weighs 0: the plain mean is used there.
        let sa = 0, sax = 0, sa2 = 0, sa2v = 0, g = 1;
        if (weighted) {
          for (let j = lo; j < hi; j++) {
            const a = wt[fi[j]];
            wa[j] = a;
            sa += a; sax += a * v[j]; sa2 += a * a;
            if (hasVar) sa2v += a * a * w[j];
          }
          if (sa > 0 && sa < 1e-100) {
            g = 1e200;
            sa = 0; sax = 0; sa2 = 0; sa2v = 0;
            for (let j = lo; j < hi; j++) {
              const a = wa[j] * g;
              sa += a; sax += a * v[j]; sa2 += a * a;
              if (hasVar) sa2v += a * a * w[j];
            }
          }
        }
        if (sa > 0) {
          // Weighted mean sum(a x)/sum(a); VAR sum(a^2 VAR)/sum(a)^2, or
          // without VAR planes s2 sum(a^2)/sum(a)^2 with s2 the weighted
          // population variance.
          value = sax / sa;
          if (hasVar) {
            variance = sa2v / (sa * sa);
          } else {
            let d2 = 0;
            for (let j = lo; j < hi; j++) { const d = v[j] - value; d2 += wa[j] * g * d * d; }
            variance = (d2 / sa) * (sa2 / sa) / sa;
          }
        } else {
          let s = 0;
          for (let j = lo; j < hi; j++) s += v[j];
          const mean = s / k;
          if (method === Meth.Wmean) {
            if (wOk) { value = sumWX / sumW; variance = 1 / sumW; } else { value = mean; variance = sumVar / (k * k); }
          } else {
            // Scatter of the used values, only needed when there are no VAR planes.
            let scatter = 0;
            if (!hasVar && k > 1) {
              let d2 = 0;
              for (let j = lo; j < hi; j++) { const d = v[j] - mean; d2 += d * d; }
              scatter = d2 / k;
            }
            const perValueVar = hasVar ? sumVar / (k * k) : scatter / k; // variance of the mean
            if (method === Meth.Mean) {
              value = mean; variance = perValueVar;
            } else if (method === Meth.Sum) {
              value = s; variance = hasVar ? sumVar : k * scatter;
            } else {
              value = sorted ? sortedMedian(v, lo, hi) : medianInPlace(v, k, lo);
              variance = k > 2 ? HALF_PI * perValueVar : perValueVar;
            }
          }
        }
        oSci[p] = value;
        oVar[p] = variance;
        break;
      }
    }
  }
}
