/**
 * Levenberg-Marquardt least squares for the small models of the inspector
 * (a star's profile: 5 or 6 parameters, a few hundred pixels). Marquardt's
 * scaling (damping proportional to the diagonal of J^T J) keeps parameters of
 * very different sizes (a centre in pixels, an amplitude in thousands)
 * equally well conditioned.
 */
import { choleskySolve } from '../kernels/fit';

export interface LeastSquaresProblem {
  /** Number of data points. */
  n: number;
  /**
   * Model value at point i for parameters p; when `grad` is given, also fill
   * it with the partial derivatives d model / d p_j.
   */
  model(p: Float64Array, i: number, grad?: Float64Array): number;
  /** Observed value at point i. */
  y(i: number): number;
}

export interface LeastSquaresResult {
  p: Float64Array;
  /** Sum of squared residuals at p. */
  chi2: number;
  iterations: number;
  converged: boolean;
}

/**
 * Minimizes the sum of squared residuals from `start`. `bounds` (per
 * parameter, [min, max], either end may be infinite) keeps a step inside a
 * box: a trial beyond it is clipped to it.
 */
export function levenbergMarquardt(problem: LeastSquaresProblem, start: ArrayLike<number>, maxIterations = 200, bounds?: readonly (readonly [number, number])[]): LeastSquaresResult {
  const m = start.length;
  let p = Float64Array.from(start);
  const grad = new Float64Array(m);
  const JtJ = new Float64Array(m * m);
  const Jtr = new Float64Array(m);
  const chi2Of = (q: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < problem.n; i++) s += (problem.y(i) - problem.model(q, i)) ** 2;
    return s;
  };
  let chi2 = chi2Of(p);
  let lambda = 1e-3;
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations; iterations++) {
    JtJ.fill(0);
    Jtr.fill(0);
    for (let i = 0; i < problem.n; i++) {
      const r = problem.y(i) - problem.model(p, i, grad);
      for (let a = 0; a < m; a++) {
        Jtr[a] += grad[a] * r;
        for (let b = 0; b <= a; b++) JtJ[a * m + b] += grad[a] * grad[b];
      }
    }
    let improved = false;
    // Raise the damping until a step lowers chi^2 (or the step vanishes).
    for (let tries = 0; tries < 30; tries++) {
      const M = new Float64Array(m * m);
      for (let a = 0; a < m; a++) {
        for (let b = 0; b <= a; b++) M[a * m + b] = JtJ[a * m + b];
        M[a * m + a] = JtJ[a * m + a] * (1 + lambda) + 1e-300;
      }
      const step = choleskySolve(M, Float64Array.from(Jtr), m);
      const trial = new Float64Array(m);
      for (let a = 0; a < m; a++) {
        const t = p[a] + step[a];
        trial[a] = bounds?.[a] ? Math.min(bounds[a][1], Math.max(bounds[a][0], t)) : t;
      }
      const c = chi2Of(trial);
      if (Number.isFinite(c) && c < chi2) {
        const relative = (chi2 - c) / Math.max(c, 1e-300);
        p = trial;
        chi2 = c;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = true;
        if (relative < 1e-10) converged = true;
        break;
      }
      lambda *= 10;
    }
    if (!improved) {
      // No step lowers chi^2 any more: a minimum (to machine precision).
      converged = true;
      break;
    }
    if (converged) break;
  }
  return { p, chi2, iterations, converged };
}
