import { checkPositive, invalidArgument, withDefaults } from '@cellshape/core';
import { checkMatrix, type DenseMatrix } from './dense-matrix.js';
import { DEFAULT_KMEANS_OPTIONS, kmeans } from './kmeans.js';
import { kneedle } from './kneedle.js';

/** Options of {@link chooseK}. */
export interface ChooseKOptions {
  /** Smallest and largest k tried (inclusive). Default [2, 15]. */
  range?: [min: number, max: number];
  /** k-means restarts per k. Default 20. */
  restarts?: number;
  /** Seed of k-means. Default 0. */
  seed?: number;
  /** Maximum Lloyd iterations per run. Default 300. */
  maxIterations?: number;
  /** Kneedle sensitivity S. Default 1. */
  sensitivity?: number;
}

/** Defaults of {@link ChooseKOptions}. */
export const DEFAULT_CHOOSE_K_OPTIONS: Readonly<Required<ChooseKOptions>> = {
  range: [2, 15],
  restarts: DEFAULT_KMEANS_OPTIONS.restarts,
  seed: DEFAULT_KMEANS_OPTIONS.seed,
  maxIterations: DEFAULT_KMEANS_OPTIONS.maxIterations,
  sensitivity: 1,
};

/** What {@link chooseK} returns. */
export interface ChooseKResult {
  /** The k tried, in order. */
  ks: number[];
  /** k-means inertia (sum of squared distances to the nearest centre) for each k. */
  inertias: number[];
  /** The elbow found by Kneedle, or null when the curve has none (then pick k by eye). */
  k: number | null;
  /** Kneedle's difference curve, per k. */
  difference: number[];
}

/**
 * Chooses the number of clusters as the cellshape paper does: the elbow (Kneedle, convex,
 * decreasing, sensitivity S) of the k-means inertia over a range of k.
 *
 * @param features `n × F`, finite; needs at least `range[1]` distinct rows.
 */
export function chooseK(features: DenseMatrix, options?: ChooseKOptions): ChooseKResult {
  const fn = 'chooseK';
  checkMatrix(fn, 'features', features);
  const o = withDefaults(fn, DEFAULT_CHOOSE_K_OPTIONS, options);
  const [lo, hi] = Array.isArray(o.range) ? o.range : [Number.NaN, Number.NaN];
  const n = features.shape[0];
  if (
    o.range.length !== 2 ||
    !Number.isInteger(lo) ||
    !Number.isInteger(hi) ||
    lo! < 1 ||
    hi! < lo! + 2 ||
    hi! > n
  ) {
    throw invalidArgument(
      fn,
      'options.range',
      `[min, max] integers with 1 ≤ min, max ≥ min + 2 (3 points for the elbow), max ≤ ${n} rows`,
      o.range,
    );
  }
  checkPositive(fn, 'options.sensitivity', o.sensitivity, true);
  const ks: number[] = [];
  const inertias: number[] = [];
  for (let k = lo!; k <= hi!; k++) {
    ks.push(k);
    inertias.push(
      kmeans(features, k, { restarts: o.restarts, seed: o.seed, maxIterations: o.maxIterations })
        .inertia,
    );
  }
  const elbow = kneedle(ks, inertias, { sensitivity: o.sensitivity });
  return { ks, inertias, k: elbow.knee, difference: elbow.difference };
}
