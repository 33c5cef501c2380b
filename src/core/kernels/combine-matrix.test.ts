/**
 * Every combine method x rejection pair, one pass and iterated clipping, with
 * and without VAR planes, on five stacks (one with a DQ plane: masked values,
 * and flags that must reach the output DQ only from the values that survive
 * rejection), against reference/combine_matrix.json
 * (made by make_combine_matrix.py: ccdproc and astropy where they have the
 * operation, a plain numpy version of our definition where they do not; the
 * script's docstring says which number comes from where).
 *
 * Tolerance: the output planes are float32, computed in float64 and rounded
 * once, so against a float64 reference the best possible error is half a
 * float32 ulp, 2^-24 = 6.0e-8 relative; the references carry 9 significant
 * digits (5e-9 more). REL = 2^-23 is one float32 ulp: twice the rounding,
 * with room only for the last bits of a float64 sum taken in another order.
 * Measured (COMBINE_MATRIX_REPORT=1 prints every comparison): max 6.4e-8 over
 * every sci and VAR plane of the 350 cases (the float32 rounding plus
 * the references' 9 digits), and every count of combined values and every
 * DQ value identical.
 * A pixel where one value is rejected differently is off by ~1e-3 or more,
 * 10^4 x REL.
 * Iterated sigclip/madclip follow our definition (a rejected value never
 * comes back), which astropy's sigma_clip does not: see the script.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { combine, type CombineInput, type CombineMethod, type RejectMethod } from './combine';

interface Case { used: number; [plane: string]: number[] | number }
interface Stack {
  seed: number; nFrames: number; width: number; height: number;
  data: number[]; var: number[];
  /** The masked stack's DQ plane (null for the others) and the dqMask to use. */
  dq: number[] | null; dqMask: number;
  differ: Record<string, number>;
  cases: Record<string, Case>;
}
const R = JSON.parse(readFileSync(new URL('./reference/combine_matrix.json', import.meta.url), 'utf8')) as {
  lsigma: number; hsigma: number; nlow: number; nhigh: number; iters: number[]; stacks: Stack[];
};

const REL = 2 ** -23;
const METHODS: CombineMethod[] = ['mean', 'median', 'sum', 'wmean'];
const REJECTS: RejectMethod[] = ['none', 'minmax', 'sigclip', 'madclip', 'winsorized', 'varclip'];
const CLIPS = new Set<RejectMethod>(['sigclip', 'madclip', 'winsorized', 'varclip']);

/** Largest |a - e| / |e| (|a - e| where e is 0). */
function maxRel(actual: ArrayLike<number>, expected: readonly number[]): { err: number; at: number } {
  expect(actual.length).toBe(expected.length);
  let err = 0, at = -1;
  for (let p = 0; p < expected.length; p++) {
    const e = expected[p], d = Math.abs(actual[p] - e);
    const r = e === 0 ? d : d / Math.abs(e);
    if (!(r <= err)) { err = r; at = p; }
  }
  return { err, at };
}

function inputsOf(s: Stack, withVar: boolean): CombineInput[] {
  const n = s.width * s.height;
  return Array.from({ length: s.nFrames }, (_, k) => ({
    sci: Float32Array.from(s.data.slice(k * n, (k + 1) * n)),
    var: withVar ? Float32Array.from(s.var.slice(k * n, (k + 1) * n)) : undefined,
    dq: s.dq ? Uint16Array.from(s.dq.slice(k * n, (k + 1) * n)) : undefined,
  }));
}

const report: string[] = [];

describe('combine: every method x rejection against ccdproc / astropy / numpy (reference/combine_matrix.json)', () => {
  for (const s of R.stacks) {
    describe(`stack ${s.nFrames} x ${s.height}x${s.width} (seed ${s.seed}${s.dq ? ', DQ' : ''})`, () => {
      const dqMask = s.dqMask;
      for (const withVar of [false, true]) {
        const inputs = inputsOf(s, withVar);
        for (const method of METHODS) {
          if (method === 'wmean' && !withVar) continue; // wmean's weights are 1/VAR
          for (const reject of REJECTS) {
            for (const maxIters of CLIPS.has(reject) ? R.iters : [1]) {
              const name = `${method} / ${reject} / maxIters ${maxIters} / ${withVar ? 'VAR planes' : 'no VAR'}`;
              it(name, () => {
                // varclip without VAR planes is sigclip (DRAGONS), so its reference is sigclip's.
                const refRej = !withVar && reject === 'varclip' ? 'sigclip' : reject;
                const own = s.cases[`${refRej}/${maxIters}/${withVar ? 'var' : 'novar'}`];
                // Only wmean and varclip's values depend on the VAR planes; the others are stored once, without.
                const sciCase = withVar && method !== 'wmean' && reject !== 'varclip' ? s.cases[`${refRej}/${maxIters}/novar`] : own;
                expect(own, name).toBeDefined();
                const r = combine(inputs, {
                  method, reject, maxIters, lsigma: R.lsigma, hsigma: R.hsigma, nlow: R.nlow, nhigh: R.nhigh, dqMask, maps: true,
                });
                expect(r.nUsed!.reduce((t, u) => t + u, 0), `${name}: values combined`).toBe(own.used);
                const sci = maxRel(r.sci, sciCase[method] as number[]);
                const vr = maxRel(r.var, own[`${method}_var`] as number[]);
                if (process.env.COMBINE_MATRIX_REPORT) report.push(`seed ${s.seed} ${name}: sci ${sci.err.toExponential(2)}, VAR ${vr.err.toExponential(2)}`);
                expect(sci.err, `${name}: sci at pixel ${sci.at}`).toBeLessThanOrEqual(REL);
                expect(vr.err, `${name}: VAR at pixel ${vr.at}`).toBeLessThanOrEqual(REL);
                // Output DQ: the OR over the values combined (none without a DQ plane).
                // It depends on the rejection only: stored with the novar case but for varclip with VAR planes.
                const dqCase = withVar && reject === 'varclip' ? own : s.cases[`${refRej}/${maxIters}/novar`];
                const dqRef = (s.dq ? dqCase.dq : null) as number[] | null;
                expect(Array.from(r.dq), `${name}: DQ`).toEqual(dqRef ?? new Array<number>(r.dq.length).fill(0));
              });
            }
          }
        }
      }

      it('one pass and iterated clipping differ on this stack (the generator checked the references; this checks us)', () => {
        const withVarInputs = inputsOf(s, true);
        for (const reject of ['sigclip', 'madclip', 'winsorized', 'varclip'] as const) {
          expect(s.differ[reject], reject).toBeGreaterThanOrEqual(2);
          const opts = { method: 'mean' as const, reject, lsigma: R.lsigma, hsigma: R.hsigma, dqMask, maps: true };
          const once = combine(withVarInputs, { ...opts, maxIters: 1 }).nUsed!;
          const iter = combine(withVarInputs, { ...opts, maxIters: 10 }).nUsed!;
          let npix = 0;
          for (let p = 0; p < once.length; p++) if (once[p] !== iter[p]) npix++;
          expect(npix, reject).toBe(s.differ[reject]);
        }
      });
    });
  }

  afterAll(() => {
    // eslint-disable-next-line no-console
    if (process.env.COMBINE_MATRIX_REPORT) console.log(report.join('\n'));
  });
});
