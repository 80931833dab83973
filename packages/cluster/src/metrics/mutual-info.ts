import { checkOneOf, withDefaults } from '@cellshape/core';
import type { AnalysisLabels } from '../analysis-input.js';
import { type Contingency, contingency, entropyOf } from './contingency.js';

/** How NMI and AMI average the two entropies (scikit-learn's `average_method`). */
export type AverageMethod = 'min' | 'geometric' | 'arithmetic' | 'max';

/** Options of {@link normalizedMutualInfoScore} and {@link adjustedMutualInfoScore}. */
export interface MutualInfoOptions {
  /** Mean of H(truth) and H(labels) that normalises the MI. Default `'arithmetic'` (scikit-learn). */
  averageMethod?: AverageMethod;
}

/** Defaults of {@link MutualInfoOptions}. */
export const DEFAULT_MUTUAL_INFO_OPTIONS = { averageMethod: 'arithmetic' } as const;

const AVERAGE_METHODS: readonly AverageMethod[] = ['min', 'geometric', 'arithmetic', 'max'];
const EPS = 2 ** -52;

/** MI (natural log) of a contingency table, as scikit-learn's `mutual_info_score`. */
export function mutualInfoOf(t: Contingency): number {
  if (t.rows.length === 1 || t.cols.length === 1) return 0;
  const logN = Math.log(t.n);
  let mi = 0;
  for (const [r, c, count] of t.cells) {
    const p = count / t.n;
    const term = p * (Math.log(count) - logN) + p * (-Math.log(t.rows[r]! * t.cols[c]!) + 2 * logN);
    if (Math.abs(term) >= EPS) mi += term;
  }
  return Math.max(0, mi);
}

/**
 * The mutual information (nats) between two labelings, as scikit-learn's `mutual_info_score`;
 * 0 when either has a single label.
 */
export function mutualInfoScore(truth: AnalysisLabels, labels: AnalysisLabels): number {
  return mutualInfoOf(contingency('mutualInfoScore', truth, labels));
}

function average(u: number, v: number, method: AverageMethod): number {
  switch (method) {
    case 'min':
      return Math.min(u, v);
    case 'geometric':
      return Math.sqrt(u * v);
    case 'arithmetic':
      return (u + v) / 2;
    case 'max':
      return Math.max(u, v);
    default: {
      const never: never = method;
      return never;
    }
  }
}

/** Both labelings a single label: a perfect (trivial) match, 1 in NMI and AMI as scikit-learn. */
const bothTrivial = (t: Contingency) => t.rows.length === 1 && t.cols.length === 1;

/**
 * Normalised mutual information, as scikit-learn's `normalized_mutual_info_score`: MI divided by
 * the `averageMethod` mean of the two entropies; 1 for identical partitions (also both single
 * labels), 0 for independent ones (also one single label against several).
 */
export function normalizedMutualInfoScore(
  truth: AnalysisLabels,
  labels: AnalysisLabels,
  options?: MutualInfoOptions,
): number {
  const fn = 'normalizedMutualInfoScore';
  const { averageMethod } = withDefaults(fn, DEFAULT_MUTUAL_INFO_OPTIONS, options);
  checkOneOf(fn, 'options.averageMethod', averageMethod, AVERAGE_METHODS);
  const t = contingency(fn, truth, labels);
  if (bothTrivial(t)) return 1;
  const mi = mutualInfoOf(t);
  if (mi === 0) return 0;
  return mi / average(entropyOf(t.rows), entropyOf(t.cols), averageMethod);
}

/**
 * Adjusted mutual information, as scikit-learn's `adjusted_mutual_info_score`: (MI − E[MI]) /
 * (mean(H(truth), H(labels)) − E[MI]), with the exact expected MI under random labelings of the
 * same cluster sizes (Vinh, Epps & Bailey 2010). 1 for identical partitions, about 0 by chance.
 * 0 when MI equals its expectation (e.g. both labelings all singletons), as scikit-learn. The
 * expectation costs O(rows · cols · n) at worst.
 */
export function adjustedMutualInfoScore(
  truth: AnalysisLabels,
  labels: AnalysisLabels,
  options?: MutualInfoOptions,
): number {
  const fn = 'adjustedMutualInfoScore';
  const { averageMethod } = withDefaults(fn, DEFAULT_MUTUAL_INFO_OPTIONS, options);
  checkOneOf(fn, 'options.averageMethod', averageMethod, AVERAGE_METHODS);
  const t = contingency(fn, truth, labels);
  if (bothTrivial(t)) return 1;
  const mi = mutualInfoOf(t);
  const emi = expectedMutualInfo(t.rows, t.cols, t.n);
  const normaliser = average(entropyOf(t.rows), entropyOf(t.cols), averageMethod);
  let denominator = normaliser - emi;
  // Keeps the sign when rounding puts E[MI] just above the normaliser (a perfect match).
  denominator = denominator < 0 ? Math.min(denominator, -EPS) : Math.max(denominator, EPS);
  // MI equal to its expectation up to rounding (e.g. both labelings all singletons): 0, as
  // scikit-learn's exact cancellation gives, not rounding noise divided by ε.
  const numerator = Math.abs(mi - emi) < 1e-12 * Math.max(1, mi) ? 0 : mi - emi;
  return numerator / denominator;
}

/** log(k!) for k = 0 … n. */
function logFactorials(n: number): Float64Array {
  const f = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) f[k] = f[k - 1]! + Math.log(k);
  return f;
}

/** E[MI] of two labelings with row sums `a` and column sums `b` (hypergeometric model). */
export function expectedMutualInfo(a: Int32Array, b: Int32Array, n: number): number {
  if (a.length === 1 || b.length === 1) return 0;
  const lf = logFactorials(n);
  const logN = Math.log(n);
  let emi = 0;
  for (const ai of a) {
    for (const bj of b) {
      const fixed = lf[ai]! + lf[bj]! + lf[n - ai]! + lf[n - bj]! - lf[n]!;
      const logAb = Math.log(ai) + Math.log(bj);
      for (let nij = Math.max(1, ai + bj - n); nij <= Math.min(ai, bj); nij++) {
        const logP = fixed - lf[nij]! - lf[ai - nij]! - lf[bj - nij]! - lf[n - ai - bj + nij]!;
        emi += (nij / n) * (logN + Math.log(nij) - logAb) * Math.exp(logP);
      }
    }
  }
  return emi;
}
